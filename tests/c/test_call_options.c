/* Per-call options, default headers, request id and attempts, the log callback, upload
 * progress and cancellation through the C API, against the emulator. Run plain, under
 * ASan+UBSan and under valgrind like every C test, so a stopped upload or a cancelled call
 * that leaked would fail here. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testlib.h"

#define CHAT "+15551234567"

static void sleep_ms(long ms) {
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static blooio_call_options *call_options(void) {
    blooio_call_options *o = NULL;
    CHECK_STATUS(blooio_call_options_new(&o, NULL), BLOOIO_STATUS_OK);
    return o;
}

TL_TEST(headers_reach_the_wire_and_refused_ones_send_nothing) {
    blooio_options *opts = NULL;
    REQUIRE(blooio_options_new(&opts, NULL) == BLOOIO_STATUS_OK);
    blooio_options_set_api_key(opts, tl_api_key(), NULL);
    blooio_options_set_base_url(opts, tl_base_url(), NULL);
    CHECK_STATUS(blooio_options_add_default_header(opts, "X-Team", "payments", NULL), BLOOIO_STATUS_OK);
    CHECK_STATUS(blooio_options_add_default_header(opts, "X-Trace", "client", NULL), BLOOIO_STATUS_OK);
    blooio_client *client = NULL;
    REQUIRE(blooio_client_new(opts, &client, NULL) == BLOOIO_STATUS_OK);

    blooio_call_options *call = call_options();
    CHECK_STATUS(blooio_call_options_add_header(call, "X-Trace", "call", NULL), BLOOIO_STATUS_OK);
    tl_emu_reset();
    blooio_background *bg = NULL;
    CHECK_STATUS(blooio_get_chat_background_with_options(client, CHAT, call, &bg, NULL), BLOOIO_STATUS_OK);
    blooio_background_free(bg);
    char *log = tl_emu_requests();
    CHECK_CONTAINS(log, "[\"x-team\",\"payments\"]");
    CHECK_CONTAINS(log, "[\"x-trace\",\"call\"]");
    CHECK(strstr(log, "[\"x-trace\",\"client\"]") == NULL);
    free(log);

    /* A header with a line break, on the call or on the client: refused, nothing sent. */
    tl_emu_reset();
    blooio_call_options *bad = call_options();
    CHECK_STATUS(blooio_call_options_add_header(bad, "X-A", "1\r\nX-Injected: 1", NULL), BLOOIO_STATUS_OK);
    blooio_error *e = NULL;
    bg = NULL;
    CHECK_STATUS(blooio_get_chat_background_with_options(client, CHAT, bad, &bg, &e), BLOOIO_STATUS_INVALID_CONFIG);
    CHECK(bg == NULL);
    CHECK_CONTAINS(blooio_error_message(e), "per-call header");
    blooio_error_free(e);
    e = NULL;
    CHECK_STATUS(blooio_set_chat_background_bytes_with_options(client, CHAT, TL_PNG, TL_PNG_LEN, bad, &bg, &e),
                 BLOOIO_STATUS_INVALID_CONFIG);
    blooio_error_free(e);
    blooio_call_options_free(bad);

    CHECK_STATUS(blooio_options_add_default_header(opts, "Authorization", "Bearer other", NULL), BLOOIO_STATUS_OK);
    blooio_client *refused = NULL;
    e = NULL;
    CHECK_STATUS(blooio_client_new(opts, &refused, &e), BLOOIO_STATUS_INVALID_CONFIG);
    CHECK(refused == NULL);
    CHECK_CONTAINS(blooio_error_message(e), "Authorization");
    blooio_error_free(e);
    CHECK(tl_emu_request_count() == 0);

    /* NULL arguments are refused, not dereferenced. */
    CHECK_STATUS(blooio_call_options_add_header(NULL, "X", "1", NULL), BLOOIO_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(blooio_call_options_add_header(call, NULL, "1", NULL), BLOOIO_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(blooio_options_add_default_header(opts, "X", NULL, NULL), BLOOIO_STATUS_INVALID_ARGUMENT);
    blooio_call_options_free(call);
    blooio_call_options_free(call); /* a double free is ignored */
    blooio_options_free(opts);
    blooio_client_free(client);
}

TL_TEST(a_per_call_timeout_overrides_the_clients) {
    TL_FRESH_CLIENT(client, NULL, 0, 60000);
    tl_emu_script("{\"delay_ms\":1500}");
    blooio_call_options *call = call_options();
    CHECK_STATUS(blooio_call_options_set_timeout_ms(call, 200, NULL), BLOOIO_STATUS_OK);
    double start = tl_now_ms();
    blooio_background *bg = NULL;
    blooio_error *e = NULL;
    CHECK_STATUS(blooio_get_chat_background_with_options(client, CHAT, call, &bg, &e), BLOOIO_STATUS_TIMEOUT);
    CHECK(tl_now_ms() - start < 1200);
    blooio_error_free(e);
    e = NULL;
    CHECK_STATUS(blooio_call_options_set_timeout_ms(call, 0, NULL), BLOOIO_STATUS_OK);
    CHECK_STATUS(blooio_get_chat_background_with_options(client, CHAT, call, &bg, &e), BLOOIO_STATUS_INVALID_CONFIG);
    blooio_error_free(e);
    blooio_call_options_free(call);
    blooio_client_free(client);
}

TL_TEST(results_carry_the_request_id_and_attempts) {
    TL_FRESH_CLIENT(client, NULL, 2, 10000);
    tl_emu_script("{\"status\":502,\"repeat\":1}");
    blooio_background *bg = NULL;
    REQUIRE(blooio_get_chat_background(client, CHAT, &bg, NULL) == BLOOIO_STATUS_OK);
    bool present = false;
    uint32_t attempts = 0;
    const char *id = NULL;
    CHECK_STATUS(blooio_background_attempts(bg, &present, &attempts), BLOOIO_STATUS_OK);
    CHECK(present && attempts == 2);
    CHECK_STATUS(blooio_background_request_id(bg, &present, &id), BLOOIO_STATUS_OK);
    CHECK(present && strncmp(id, "req_", 4) == 0);
    char *log = tl_emu_requests();
    CHECK_CONTAINS(log, id);
    free(log);
    /* Neither is part of the API's JSON. */
    char *json = NULL;
    CHECK_STATUS(blooio_background_to_json(bg, &json, NULL), BLOOIO_STATUS_OK);
    CHECK(strstr(json, "req_") == NULL && strstr(json, "attempts") == NULL);
    blooio_string_free(json);
    blooio_background_free(bg);
    blooio_client_free(client);
}

typedef struct {
    int lines;
    bool key_seen;
    bool debug_seen;
    char first[256];
} log_record;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void on_log(void *user_data, enum blooio_log_level level, const char *line) {
    log_record *r = user_data;
    pthread_mutex_lock(&log_lock);
    if (r->lines++ == 0)
        snprintf(r->first, sizeof r->first, "%s", line);
    if (strstr(line, tl_api_key()) != NULL)
        r->key_seen = true;
    if (level == BLOOIO_LOG_LEVEL_DEBUG)
        r->debug_seen = true;
    pthread_mutex_unlock(&log_lock);
}

TL_TEST(the_log_callback_gets_one_line_per_attempt_without_the_key) {
    log_record r = {0};
    blooio_options *opts = NULL;
    REQUIRE(blooio_options_new(&opts, NULL) == BLOOIO_STATUS_OK);
    blooio_options_set_api_key(opts, tl_api_key(), NULL);
    blooio_options_set_base_url(opts, tl_base_url(), NULL);
    CHECK_STATUS(blooio_options_set_log_callback(opts, 7, on_log, &r, NULL), BLOOIO_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(blooio_options_set_log_callback(opts, BLOOIO_LOG_LEVEL_DEBUG, NULL, &r, NULL),
                 BLOOIO_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(blooio_options_set_log_callback(opts, BLOOIO_LOG_LEVEL_DEBUG, on_log, &r, NULL), BLOOIO_STATUS_OK);
    blooio_client *client = NULL;
    REQUIRE(blooio_client_new(opts, &client, NULL) == BLOOIO_STATUS_OK);
    blooio_options_free(opts);
    tl_emu_reset();
    tl_emu_script("{\"status\":502,\"headers\":{\"Retry-After\":\"0\"}}");
    blooio_background *bg = NULL;
    CHECK_STATUS(blooio_get_chat_background(client, CHAT, &bg, NULL), BLOOIO_STATUS_OK);
    blooio_background_free(bg);
    CHECK(r.lines == 3); /* the 502, the retry decision, the 200 */
    CHECK(r.debug_seen);
    CHECK(!r.key_seen);
    CHECK_CONTAINS(r.first, "GET ");
    CHECK_CONTAINS(r.first, "/chats/%2B15551234567/background -> 502 in ");
    blooio_client_free(client);
}

typedef struct {
    uint64_t last_sent, total;
    int calls;
    uint64_t stop_after; /* 0: never stop */
} progress_record;

static bool on_progress(void *user_data, uint64_t sent, uint64_t total) {
    progress_record *p = user_data;
    p->calls++;
    p->last_sent = sent;
    p->total = total;
    return p->stop_after == 0 || sent < p->stop_after;
}

TL_TEST(progress_reaches_the_body_length_and_false_stops_the_upload) {
    blooio_client *client = tl_client(2, 10000);
    REQUIRE(client != NULL);
    size_t len = 400 * 1024;
    unsigned char *image = calloc(len, 1);
    REQUIRE(image != NULL);
    memcpy(image, TL_PNG, TL_PNG_LEN);
    progress_record p = {0};
    blooio_call_options *call = call_options();
    CHECK_STATUS(blooio_call_options_set_progress(call, on_progress, &p, NULL), BLOOIO_STATUS_OK);
    tl_emu_reset();
    blooio_background *bg = NULL;
    CHECK_STATUS(blooio_set_chat_background_bytes_with_options(client, CHAT, image, len, call, &bg, NULL),
                 BLOOIO_STATUS_OK);
    blooio_background_free(bg);
    char *log = tl_emu_requests();
    char want[64];
    snprintf(want, sizeof want, "\"body_len\":%llu", (unsigned long long)p.total);
    CHECK_CONTAINS(log, want);
    free(log);
    CHECK(p.calls > 1 && p.last_sent == p.total && p.total > len);

    long connections = tl_emu_stat("connections_accepted");
    progress_record stop = {.stop_after = 32 * 1024};
    CHECK_STATUS(blooio_call_options_set_progress(call, on_progress, &stop, NULL), BLOOIO_STATUS_OK);
    blooio_error *e = NULL;
    bg = NULL;
    CHECK_STATUS(blooio_set_chat_background_bytes_with_options(client, CHAT, image, len, call, &bg, &e),
                 BLOOIO_STATUS_CANCELLED);
    CHECK(bg == NULL);
    CHECK_CONTAINS(blooio_error_message(e), "progress callback");
    CHECK(blooio_error_attempts(e) == 1);
    blooio_error_free(e);
    CHECK(stop.last_sent < stop.total);
    /* The stopped upload's connection is not reused. */
    CHECK_STATUS(blooio_get_chat_background(client, CHAT, &bg, NULL), BLOOIO_STATUS_OK);
    blooio_background_free(bg);
    CHECK(tl_emu_stat("connections_accepted") > connections);
    blooio_call_options_free(call);
    free(image);
    blooio_client_free(client);
}

typedef struct {
    blooio_cancel_token *token;
    long after_ms;
    double cancelled_at;
} canceller;

static void *cancel_later(void *arg) {
    canceller *c = arg;
    sleep_ms(c->after_ms);
    c->cancelled_at = tl_now_ms();
    blooio_cancel_token_cancel(c->token);
    return NULL;
}

TL_TEST(a_token_cancelled_from_another_thread_stops_the_call) {
    blooio_client *client = tl_client(2, 60000);
    REQUIRE(client != NULL);
    blooio_cancel_token *token = NULL;
    REQUIRE(blooio_cancel_token_new(&token, NULL) == BLOOIO_STATUS_OK);
    CHECK(!blooio_cancel_token_is_cancelled(token));
    blooio_call_options *call = call_options();
    CHECK_STATUS(blooio_call_options_set_cancel_token(call, token, NULL), BLOOIO_STATUS_OK);

    tl_emu_reset();
    tl_emu_script("{\"delay_ms\":5000}");
    canceller c = {token, 200, 0};
    pthread_t t;
    pthread_create(&t, NULL, cancel_later, &c);
    blooio_background *bg = NULL;
    blooio_error *e = NULL;
    CHECK_STATUS(blooio_get_chat_background_with_options(client, CHAT, call, &bg, &e), BLOOIO_STATUS_CANCELLED);
    double latency = tl_now_ms() - c.cancelled_at;
    pthread_join(t, NULL);
    printf("    cancelled while waiting for the answer: returned %.1f ms after the cancel\n", latency);
    /* valgrind slows everything down a lot; the bound is for a plain run. */
    CHECK(latency < (getenv("BLOOIO_TEST_SLOW") ? 2000 : 150));
    blooio_error_free(e);
    CHECK(blooio_cancel_token_is_cancelled(token));
    /* The emulator saw the request cut short by the client. */
    bool aborted = false;
    for (int i = 0; i < 200 && !aborted; i++) {
        char *log = tl_emu_requests();
        aborted = log != NULL && strstr(log, "\"client_aborted\":true") != NULL;
        free(log);
        if (!aborted)
            sleep_ms(10);
    }
    CHECK(aborted);

    /* A call made with a cancelled token sends nothing. */
    tl_emu_reset();
    e = NULL;
    CHECK_STATUS(blooio_get_chat_background_with_options(client, CHAT, call, &bg, &e), BLOOIO_STATUS_CANCELLED);
    blooio_error_free(e);
    CHECK(tl_emu_request_count() == 0);

    /* The token may be freed while options still hold it; they keep their own reference. */
    blooio_cancel_token_free(token);
    blooio_cancel_token_cancel(token); /* dead: ignored */
    CHECK(!blooio_cancel_token_is_cancelled(NULL));
    e = NULL;
    CHECK_STATUS(blooio_get_chat_background_with_options(client, CHAT, call, &bg, &e), BLOOIO_STATUS_CANCELLED);
    blooio_error_free(e);
    CHECK_STATUS(blooio_call_options_set_cancel_token(call, NULL, NULL), BLOOIO_STATUS_OK);
    CHECK_STATUS(blooio_get_chat_background_with_options(client, CHAT, call, &bg, NULL), BLOOIO_STATUS_OK);
    blooio_background_free(bg);
    blooio_call_options_free(call);
    blooio_client_free(client);
}

int main(int argc, char **argv) {
    return tl_run(argc, argv);
}

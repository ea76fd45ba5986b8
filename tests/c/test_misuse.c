/*
 * Misuse of the C API (issue 7, item 3): NULL in every pointer argument of every function,
 * invalid UTF-8, zero lengths, handles freed twice or of the wrong type. Each must give
 * BLOOIO_STATUS_INVALID_ARGUMENT (or the documented neutral value), leave out-parameters alone
 * and send nothing; under ASan and valgrind none of it may touch memory it should not.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

/* Checks an INVALID_ARGUMENT error whose message names the function and the argument. */
static void check_invalid(blooio_status got, blooio_error *e, const char *function, const char *argument) {
    CHECK_STATUS(got, BLOOIO_STATUS_INVALID_ARGUMENT);
    if (!CHECK(e != NULL))
        return;
    CHECK_STATUS(blooio_error_status(e), BLOOIO_STATUS_INVALID_ARGUMENT);
    CHECK_CONTAINS(blooio_error_message(e), function);
    char quoted[64];
    snprintf(quoted, sizeof quoted, "`%s`", argument);
    CHECK_CONTAINS(blooio_error_message(e), quoted);
    CHECK(blooio_error_http_status(e) == 0 && blooio_error_attempts(e) == 0);
    blooio_error_free(e);
}
#define INVALID(call, function, argument)          \
    do {                                          \
        blooio_error *e_ = NULL;                  \
        blooio_status s_ = (call);                \
        check_invalid(s_, e_, function, argument); \
    } while (0)
/* Uses `e_` as the error out-parameter inside INVALID(...). */
#define ERR (&e_)

/* Sentinels: an out-parameter that must stay as it was. */
static int sentinel_storage;
#define SENTINEL ((void *)&sentinel_storage)

static blooio_client *client;
static blooio_background *background;

/* A client and a background for the tests to misuse; false if they cannot be had. */
static bool setup(void) {
    tl_emu_reset();
    client = tl_client(0, 0);
    blooio_error *e = NULL;
    bool ok = client != NULL &&
              blooio_set_chat_background_bytes(client, "+15550001111", TL_PNG, TL_PNG_LEN, &background, &e) ==
                  BLOOIO_STATUS_OK &&
              tl_emu("DELETE", "/__emulator/requests", NULL, NULL) == 200;
    if (!ok)
        fprintf(stderr, "setup failed: %s\n", e ? blooio_error_message(e) : "(emulator)");
    blooio_error_free(e);
    return ok;
}

TL_TEST(null_options_arguments) {
    blooio_options *o = NULL;
    INVALID(blooio_options_new(NULL, ERR), "blooio_options_new", "options_out");
    CHECK_STATUS(blooio_options_new(NULL, NULL), BLOOIO_STATUS_INVALID_ARGUMENT); /* error may be NULL */
    REQUIRE(CHECK_STATUS(blooio_options_new(&o, NULL), BLOOIO_STATUS_OK));

    INVALID(blooio_options_set_api_key(NULL, "k", ERR), "blooio_options_set_api_key", "options");
    INVALID(blooio_options_set_api_key(o, NULL, ERR), "blooio_options_set_api_key", "api_key");
    INVALID(blooio_options_set_base_url(NULL, "https://x", ERR), "blooio_options_set_base_url", "options");
    INVALID(blooio_options_set_base_url(o, NULL, ERR), "blooio_options_set_base_url", "base_url");
    INVALID(blooio_options_set_timeout_ms(NULL, 10, ERR), "blooio_options_set_timeout_ms", "options");
    INVALID(blooio_options_set_connect_timeout_ms(NULL, 10, ERR), "blooio_options_set_connect_timeout_ms",
            "options");
    INVALID(blooio_options_set_max_retries(NULL, 1, ERR), "blooio_options_set_max_retries", "options");
    INVALID(blooio_options_set_user_agent_suffix(NULL, "a/1", ERR), "blooio_options_set_user_agent_suffix",
            "options");
    INVALID(blooio_options_set_user_agent_suffix(o, NULL, ERR), "blooio_options_set_user_agent_suffix", "suffix");
    INVALID(blooio_options_set_allow_insecure_http(NULL, true, ERR), "blooio_options_set_allow_insecure_http",
            "options");
    CHECK_STATUS(blooio_options_set_api_key(NULL, NULL, NULL), BLOOIO_STATUS_INVALID_ARGUMENT);
    blooio_options_free(o);
    blooio_options_free(NULL);
}

TL_TEST(null_client_arguments) {
    blooio_options *o = NULL;
    blooio_client *c = SENTINEL;
    REQUIRE(CHECK_STATUS(blooio_options_new(&o, NULL), BLOOIO_STATUS_OK));
    blooio_options_set_api_key(o, tl_api_key(), NULL);
    blooio_options_set_base_url(o, tl_base_url(), NULL);
    INVALID(blooio_client_new(o, NULL, ERR), "blooio_client_new", "client_out");
    /* NULL options are allowed (the environment): without BLOOIO_API_KEY that is a config error. */
    unsetenv("BLOOIO_API_KEY");
    blooio_error *e = NULL;
    CHECK_STATUS(blooio_client_new(NULL, &c, &e), BLOOIO_STATUS_INVALID_CONFIG);
    CHECK(c == SENTINEL);
    CHECK_ERROR(e, BLOOIO_STATUS_INVALID_CONFIG);
    blooio_options_free(o);
    blooio_client_free(NULL);
    INVALID(blooio_client_clone(NULL, &c, ERR), "blooio_client_clone", "client");
    INVALID(blooio_client_clone(client, NULL, ERR), "blooio_client_clone", "clone_out");
    INVALID(blooio_client_clone((const blooio_client *)o, &c, ERR), "blooio_client_clone", "client");
    CHECK(c == SENTINEL);
}

TL_TEST(null_call_arguments) {
    blooio_background *bg = SENTINEL;
    const char *chat = "+15550001111";
    char *path = tl_temp_file(TL_PNG, TL_PNG_LEN);

    INVALID(blooio_get_chat_background(NULL, chat, &bg, ERR), "blooio_get_chat_background", "client");
    INVALID(blooio_get_chat_background(client, NULL, &bg, ERR), "blooio_get_chat_background", "chat_id");
    INVALID(blooio_get_chat_background(client, chat, NULL, ERR), "blooio_get_chat_background", "background_out");
    CHECK_STATUS(blooio_get_chat_background(NULL, NULL, NULL, NULL), BLOOIO_STATUS_INVALID_ARGUMENT);

    INVALID(blooio_set_chat_background_file(NULL, chat, path, &bg, ERR), "blooio_set_chat_background_file",
            "client");
    INVALID(blooio_set_chat_background_file(client, NULL, path, &bg, ERR), "blooio_set_chat_background_file",
            "chat_id");
    INVALID(blooio_set_chat_background_file(client, chat, NULL, &bg, ERR), "blooio_set_chat_background_file",
            "path");
    INVALID(blooio_set_chat_background_file(client, chat, path, NULL, ERR), "blooio_set_chat_background_file",
            "background_out");

    INVALID(blooio_set_chat_background_bytes(NULL, chat, TL_PNG, TL_PNG_LEN, &bg, ERR),
            "blooio_set_chat_background_bytes", "client");
    INVALID(blooio_set_chat_background_bytes(client, NULL, TL_PNG, TL_PNG_LEN, &bg, ERR),
            "blooio_set_chat_background_bytes", "chat_id");
    INVALID(blooio_set_chat_background_bytes(client, chat, NULL, TL_PNG_LEN, &bg, ERR),
            "blooio_set_chat_background_bytes", "data");
    /* NULL with a length of 0 is an empty image, refused as one, exactly like a non-NULL pointer
     * with a length of 0: one answer for one input. Nothing is sent. */
    size_t requests_before = tl_emu_request_count();
    blooio_error *empty_error = NULL;
    CHECK_STATUS(blooio_set_chat_background_bytes(client, chat, NULL, 0, &bg, &empty_error),
                 BLOOIO_STATUS_INVALID_IMAGE);
    CHECK_ERROR(empty_error, BLOOIO_STATUS_INVALID_IMAGE);
    CHECK_STATUS(blooio_set_chat_background_bytes(client, chat, TL_PNG, 0, &bg, &empty_error),
                 BLOOIO_STATUS_INVALID_IMAGE);
    CHECK_ERROR(empty_error, BLOOIO_STATUS_INVALID_IMAGE);
    CHECK(bg == SENTINEL);
    CHECK(tl_emu_request_count() == requests_before);
    INVALID(blooio_set_chat_background_bytes(client, chat, TL_PNG, TL_PNG_LEN, NULL, ERR),
            "blooio_set_chat_background_bytes", "background_out");
    INVALID(blooio_set_chat_background_bytes(client, chat, TL_PNG, SIZE_MAX, &bg, ERR),
            "blooio_set_chat_background_bytes", "data");

    CHECK(bg == SENTINEL);
    CHECK(tl_emu_request_count() == 0); /* nothing was sent */
    remove(path);
    free(path);
}

/* A getter given a NULL background, `present` or value: INVALID_ARGUMENT. */
#define GETTER_REFUSES_NULLS(getter, value)                                                   \
    do {                                                                                      \
        CHECK_STATUS(getter(NULL, &present, (value)), BLOOIO_STATUS_INVALID_ARGUMENT);        \
        CHECK_STATUS(getter(background, NULL, (value)), BLOOIO_STATUS_INVALID_ARGUMENT);      \
        CHECK_STATUS(getter(background, &present, NULL), BLOOIO_STATUS_INVALID_ARGUMENT);     \
    } while (0)

TL_TEST(null_background_arguments) {
    bool present = true, flag = false;
    const char *s = SENTINEL;
    int64_t v = 42;
    uint32_t n = 7;
    /* Getters have no error out-parameter: the status says it. */
    GETTER_REFUSES_NULLS(blooio_background_chat_id, &s);
    GETTER_REFUSES_NULLS(blooio_background_has_background, &flag);
    GETTER_REFUSES_NULLS(blooio_background_background_id, &s);
    GETTER_REFUSES_NULLS(blooio_background_background_url, &s);
    GETTER_REFUSES_NULLS(blooio_background_background_version, &v);
    GETTER_REFUSES_NULLS(blooio_background_changed, &flag);
    GETTER_REFUSES_NULLS(blooio_background_request_id, &s);
    GETTER_REFUSES_NULLS(blooio_background_attempts, &n);
    CHECK(present && !flag && s == SENTINEL && v == 42 && n == 7); /* nothing was written */

    char *json = SENTINEL;
    INVALID(blooio_background_to_json(NULL, &json, ERR), "blooio_background_to_json", "background");
    INVALID(blooio_background_to_json(background, NULL, ERR), "blooio_background_to_json", "json_out");
    CHECK(json == SENTINEL);
    blooio_background_free(NULL);
    blooio_string_free(NULL);
}

TL_TEST(null_error_arguments) {
    uint64_t ms = 99;
    CHECK_STATUS(blooio_error_status(NULL), BLOOIO_STATUS_INVALID_ARGUMENT);
    CHECK(blooio_error_message(NULL) == NULL);
    CHECK(blooio_error_http_status(NULL) == 0);
    CHECK(blooio_error_server_message(NULL) == NULL);
    CHECK(blooio_error_server_code(NULL) == NULL);
    CHECK(blooio_error_request_id(NULL) == NULL);
    CHECK(blooio_error_attempts(NULL) == 0);
    CHECK(!blooio_error_retry_after_ms(NULL, &ms) && ms == 99);
    blooio_error_free(NULL);

    /* A real error with a Retry-After, read through a NULL `ms`. */
    tl_emu_script("{\"status\":429,\"headers\":{\"Retry-After\":\"3\"}}");
    blooio_background *bg = NULL;
    blooio_error *e = NULL;
    CHECK_STATUS(blooio_get_chat_background(client, "+15550001111", &bg, &e), BLOOIO_STATUS_RATE_LIMITED);
    CHECK(!blooio_error_retry_after_ms(e, NULL));
    CHECK(blooio_error_retry_after_ms(e, &ms) && ms == 3000);
    blooio_error_free(e);
}

TL_TEST(invalid_utf8) {
    blooio_options *o = NULL;
    blooio_background *bg = SENTINEL;
    const char *bad = "bl_\xc3\x28key"; /* a lead byte followed by a non-continuation byte */
    CHECK(tl_emu("DELETE", "/__emulator/requests", NULL, NULL) == 200);
    REQUIRE(CHECK_STATUS(blooio_options_new(&o, NULL), BLOOIO_STATUS_OK));
    INVALID(blooio_options_set_api_key(o, bad, ERR), "blooio_options_set_api_key", "api_key");
    INVALID(blooio_options_set_base_url(o, "http://127.0.0.1/\xff", ERR), "blooio_options_set_base_url",
            "base_url");
    INVALID(blooio_options_set_user_agent_suffix(o, "app/\xe2\x82", ERR), "blooio_options_set_user_agent_suffix",
            "suffix");
    INVALID(blooio_get_chat_background(client, "+1555\xc0\xaf", &bg, ERR), "blooio_get_chat_background",
            "chat_id");
    INVALID(blooio_set_chat_background_file(client, "\xed\xa0\x80", "/tmp/x.png", &bg, ERR),
            "blooio_set_chat_background_file", "chat_id");
    INVALID(blooio_set_chat_background_file(client, "+15550001111", "/tmp/\xff.png", &bg, ERR),
            "blooio_set_chat_background_file", "path");
    INVALID(blooio_set_chat_background_bytes(client, "\x80", TL_PNG, TL_PNG_LEN, &bg, ERR),
            "blooio_set_chat_background_bytes", "chat_id");

    /* The message says where, and never quotes the bytes (they may be a key). */
    blooio_error *e = NULL;
    blooio_options_set_api_key(o, bad, &e);
    CHECK_CONTAINS(blooio_error_message(e), "UTF-8");
    CHECK_CONTAINS(blooio_error_message(e), "offset 3");
    CHECK(strstr(blooio_error_message(e), "bl_") == NULL);
    blooio_error_free(e);
    CHECK(bg == SENTINEL);
    CHECK(tl_emu_request_count() == 0); /* nothing was sent */
    blooio_options_free(o);
}

/* blooio_client_new refuses the options as INVALID_CONFIG, saying `message`, client untouched. */
static void client_new_refused(const blooio_options *o, const char *message) {
    blooio_client *refused = SENTINEL;
    blooio_error *why = NULL;
    CHECK_STATUS(blooio_client_new(o, &refused, &why), BLOOIO_STATUS_INVALID_CONFIG);
    CHECK(refused == SENTINEL);
    CHECK_CONTAINS(blooio_error_message(why), message);
    CHECK_ERROR(why, BLOOIO_STATUS_INVALID_CONFIG);
}

TL_TEST(zero_and_out_of_range_values) {
    blooio_options *o = NULL;
    CHECK(tl_emu("DELETE", "/__emulator/requests", NULL, NULL) == 200);
    REQUIRE(CHECK_STATUS(blooio_options_new(&o, NULL), BLOOIO_STATUS_OK));
    /* Timeouts out of the core's bounds (0, or over one day) are taken by the setters and refused
     * by blooio_client_new, as in every binding, with a message that says the bounds. */
    const uint64_t bad_timeouts[][2] = {{0, 1}, {UINT64_MAX, 1}, {86400001, 1}, {1000, 0}, {1000, 86400001}};
    blooio_options_set_api_key(o, "bl_key", NULL);
    for (size_t i = 0; i < sizeof bad_timeouts / sizeof bad_timeouts[0]; i++) {
        CHECK_STATUS(blooio_options_set_timeout_ms(o, bad_timeouts[i][0], NULL), BLOOIO_STATUS_OK);
        CHECK_STATUS(blooio_options_set_connect_timeout_ms(o, bad_timeouts[i][1], NULL), BLOOIO_STATUS_OK);
        client_new_refused(o, "at most one day");
    }
    CHECK_STATUS(blooio_options_set_timeout_ms(o, 86400000, NULL), BLOOIO_STATUS_OK);
    CHECK_STATUS(blooio_options_set_connect_timeout_ms(o, 1, NULL), BLOOIO_STATUS_OK);
    CHECK_STATUS(blooio_options_set_max_retries(o, 0, NULL), BLOOIO_STATUS_OK);
    CHECK_STATUS(blooio_options_set_max_retries(o, UINT32_MAX, NULL), BLOOIO_STATUS_OK);
    CHECK_STATUS(blooio_options_set_api_key(o, "", NULL), BLOOIO_STATUS_OK); /* refused by client_new */
    client_new_refused(o, "empty");
    blooio_options_free(o);

    /* Zero-length image and empty strings reach the checks of the core, which refuse them. */
    blooio_background *bg = SENTINEL;
    blooio_error *e = NULL;
    CHECK_STATUS(blooio_set_chat_background_bytes(client, "+15550001111", TL_PNG, 0, &bg, &e),
                 BLOOIO_STATUS_INVALID_IMAGE);
    CHECK_ERROR(e, BLOOIO_STATUS_INVALID_IMAGE);
    e = NULL;
    CHECK_STATUS(blooio_get_chat_background(client, "", &bg, &e), BLOOIO_STATUS_INVALID_CHAT_ID);
    CHECK_ERROR(e, BLOOIO_STATUS_INVALID_CHAT_ID);
    CHECK(bg == SENTINEL);
    CHECK(tl_emu_request_count() == 0);
}

TL_TEST(freed_twice_and_wrong_handles) {
    blooio_options *o = NULL;
    blooio_client *c = NULL;
    blooio_background *bg = NULL;
    blooio_error *e = NULL;
    char *json = NULL;
    REQUIRE(CHECK_STATUS(blooio_options_new(&o, NULL), BLOOIO_STATUS_OK));
    blooio_options_set_api_key(o, tl_api_key(), NULL);
    blooio_options_set_base_url(o, tl_base_url(), NULL);
    REQUIRE(CHECK_STATUS(blooio_client_new(o, &c, NULL), BLOOIO_STATUS_OK));
    REQUIRE(CHECK_STATUS(blooio_get_chat_background(c, "+15550001111", &bg, NULL), BLOOIO_STATUS_OK));
    REQUIRE(CHECK_STATUS(blooio_background_to_json(bg, &json, NULL), BLOOIO_STATUS_OK));
    CHECK_STATUS(blooio_get_chat_background(c, "", &bg, &e), BLOOIO_STATUS_INVALID_CHAT_ID);

    /* A handle of another type is refused, not misread. */
    blooio_background *other = NULL;
    INVALID(blooio_get_chat_background((const blooio_client *)o, "+15550001111", &other, ERR),
            "blooio_get_chat_background", "client");
    INVALID(blooio_background_to_json((const blooio_background *)c, &json, ERR), "blooio_background_to_json",
            "background");
    bool present = false;
    const char *s = NULL;
    CHECK_STATUS(blooio_background_chat_id((const blooio_background *)e, &present, &s),
                 BLOOIO_STATUS_INVALID_ARGUMENT);
    CHECK_STATUS(blooio_error_status((const blooio_error *)bg), BLOOIO_STATUS_INVALID_ARGUMENT);
    CHECK(blooio_error_message((const blooio_error *)json) == NULL);
    blooio_client_free((blooio_client *)o);          /* ignored: not a client */
    blooio_background_free((blooio_background *)c);  /* ignored: not a background */
    blooio_string_free((char *)bg);                  /* ignored: not a string of ours */
    CHECK_STATUS(blooio_options_set_max_retries(o, 1, NULL), BLOOIO_STATUS_OK); /* still alive */

    /* Strings not handed out by the library are left alone by blooio_string_free. */
    char *mine = malloc(8);
    strcpy(mine, "mine");
    blooio_string_free(mine);
    CHECK(strcmp(mine, "mine") == 0);
    free(mine);
    CHECK_STATUS(blooio_background_chat_id(bg, &present, &s), BLOOIO_STATUS_OK);
    blooio_string_free((char *)s); /* borrowed from the background: ignored */

    /* Each free twice: the second is a no-op, and a freed handle is refused afterwards. */
    blooio_string_free(json);
    blooio_string_free(json);
    blooio_error_free(e);
    blooio_error_free(e);
    blooio_background_free(bg);
    blooio_background_free(bg);
    CHECK_STATUS(blooio_background_chat_id(bg, &present, &s), BLOOIO_STATUS_INVALID_ARGUMENT);
    blooio_options_free(o);
    blooio_options_free(o);
    INVALID(blooio_options_set_max_retries(o, 1, ERR), "blooio_options_set_max_retries", "options");
    blooio_client_free(c);
    blooio_client_free(c);
    blooio_background *after = SENTINEL;
    INVALID(blooio_get_chat_background(c, "+15550001111", &after, ERR), "blooio_get_chat_background", "client");
    CHECK(after == SENTINEL);
}

TL_TEST(status_names) {
    CHECK(strcmp(blooio_status_name(BLOOIO_STATUS_OK), "ok") == 0);
    CHECK(strcmp(blooio_status_name(BLOOIO_STATUS_INVALID_ARGUMENT), "invalid_argument") == 0);
    CHECK(strcmp(blooio_status_name(BLOOIO_STATUS_NO_ACTIVE_NUMBER), "no_active_number") == 0);
    CHECK(strcmp(blooio_status_name(BLOOIO_STATUS_PANIC), "panic") == 0);
    CHECK(strcmp(blooio_status_name(BLOOIO_STATUS_TLS), "tls") == 0);
    CHECK(strcmp(blooio_status_name(-1), "unknown") == 0);
    CHECK(strcmp(blooio_status_name(1000), "unknown") == 0);
    /* The values are part of the ABI. */
    CHECK(BLOOIO_STATUS_OK == 0 && BLOOIO_STATUS_INVALID_ARGUMENT == 1 && BLOOIO_STATUS_INVALID_CONFIG == 2 &&
          BLOOIO_STATUS_INVALID_CHAT_ID == 3 && BLOOIO_STATUS_INVALID_IMAGE == 4 && BLOOIO_STATUS_IO == 5 &&
          BLOOIO_STATUS_BAD_REQUEST == 6 && BLOOIO_STATUS_AUTHENTICATION == 7 && BLOOIO_STATUS_RATE_LIMITED == 8 &&
          BLOOIO_STATUS_DEVICE_UNAVAILABLE == 9 && BLOOIO_STATUS_NO_ACTIVE_NUMBER == 10 &&
          BLOOIO_STATUS_SERVER_ERROR == 11 && BLOOIO_STATUS_HTTP_STATUS == 12 && BLOOIO_STATUS_TIMEOUT == 13 &&
          BLOOIO_STATUS_CONNECTION == 14 && BLOOIO_STATUS_DECODE == 15 && BLOOIO_STATUS_PANIC == 16 &&
          BLOOIO_STATUS_OTHER == 17 && BLOOIO_STATUS_TLS == 18);
}

int main(int argc, char **argv) {
    if (!setup())
        return 1;
    int status = tl_run(argc, argv);
    blooio_background_free(background);
    blooio_client_free(client);
    return status;
}

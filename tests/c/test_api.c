/* Both endpoints against the emulator, and every status a call can end with. */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testlib.h"

static const char *CHAT = "+15551234567";

/* Reads a string field, failing the test when it is absent. */
static const char *string_field(blooio_status (*get)(const blooio_background *, bool *, const char **),
                                const blooio_background *bg) {
    bool present = false;
    const char *value = NULL;
    CHECK_STATUS(get(bg, &present, &value), BLOOIO_STATUS_OK);
    CHECK(present && value != NULL);
    return present ? value : "";
}

static bool field_absent_bool(blooio_status (*get)(const blooio_background *, bool *, bool *),
                              const blooio_background *bg) {
    bool present = true, value = false;
    CHECK_STATUS(get(bg, &present, &value), BLOOIO_STATUS_OK);
    return !present;
}

TL_TEST(set_bytes_then_get) {
    TL_FRESH_CLIENT(client, NULL, 0, 0);
    blooio_background *set = NULL, *got = NULL, *again = NULL;
    blooio_error *error = NULL;
    REQUIRE(CHECK_STATUS(blooio_set_chat_background_bytes(client, CHAT, TL_PNG, TL_PNG_LEN, &set, &error),
                         BLOOIO_STATUS_OK));
    CHECK(error == NULL);

    bool present = false, flag = false;
    int64_t version = 0;
    CHECK_STATUS(blooio_background_changed(set, &present, &flag), BLOOIO_STATUS_OK);
    CHECK(present && flag);
    CHECK_STATUS(blooio_background_has_background(set, &present, &flag), BLOOIO_STATUS_OK);
    CHECK(present && flag);
    CHECK_STATUS(blooio_background_background_version(set, &present, &version), BLOOIO_STATUS_OK);
    CHECK(present && version == 1);
    CHECK(strcmp(string_field(blooio_background_chat_id, set), CHAT) == 0);
    CHECK_CONTAINS(string_field(blooio_background_background_url, set), "/media/backgrounds/");
    const char *id = string_field(blooio_background_background_id, set);
    CHECK(*id != '\0');

    char *json = NULL;
    REQUIRE(CHECK_STATUS(blooio_background_to_json(set, &json, &error), BLOOIO_STATUS_OK));
    CHECK_CONTAINS(json, "\"changed\":true");
    CHECK_CONTAINS(json, "\"chat_id\":\"+15551234567\"");
    CHECK_CONTAINS(json, "\"background_version\":1");
    blooio_string_free(json);

    REQUIRE(CHECK_STATUS(blooio_get_chat_background(client, CHAT, &got, &error), BLOOIO_STATUS_OK));
    CHECK(field_absent_bool(blooio_background_changed, got)); /* only a set says "changed" */
    CHECK(strcmp(string_field(blooio_background_background_id, got), id) == 0);
    CHECK_STATUS(blooio_background_background_version(got, &present, &version), BLOOIO_STATUS_OK);
    CHECK(present && version == 1);

    /* The same bytes again change nothing. */
    REQUIRE(CHECK_STATUS(
        blooio_set_chat_background_bytes(client, CHAT, TL_PNG, TL_PNG_LEN, &again, &error),
        BLOOIO_STATUS_OK));
    CHECK_STATUS(blooio_background_changed(again, &present, &flag), BLOOIO_STATUS_OK);
    CHECK(present && !flag);

    /* What went over the wire: the encoded id, one image part, our User-Agent. */
    char *sent = tl_emu_requests();
    char agent[64];
    snprintf(agent, sizeof agent, "blooio-c/%s", blooio_version());
    CHECK(tl_count(sent, "\"method\":") == 3);
    CHECK_CONTAINS(sent, "\"raw_path\":\"/v2/api/chats/%2B15551234567/background\"");
    CHECK_CONTAINS(sent, "\"name\":\"background\"");
    CHECK_CONTAINS(sent, "\"content_type\":\"image/png\"");
    CHECK_CONTAINS(sent, agent);
    free(sent);

    blooio_background_free(set);
    blooio_background_free(got);
    blooio_background_free(again);
    blooio_client_free(client);
}

TL_TEST(set_file_then_get) {
    TL_FRESH_CLIENT(client, NULL, 0, 0);
    unsigned char image[128];
    memcpy(image, TL_PNG, TL_PNG_LEN);
    memset(image + TL_PNG_LEN, 0x2a, sizeof image - TL_PNG_LEN); /* trailing bytes: still a PNG */
    char *path = tl_temp_file(image, sizeof image);
    REQUIRE(path != NULL);

    blooio_background *set = NULL, *got = NULL;
    blooio_error *error = NULL;
    const char *chat = "alice@example.com";
    if (CHECK_STATUS(blooio_set_chat_background_file(client, chat, path, &set, &error), BLOOIO_STATUS_OK)) {
        bool present = false, flag = false;
        CHECK_STATUS(blooio_background_changed(set, &present, &flag), BLOOIO_STATUS_OK);
        CHECK(present && flag);
        CHECK(strcmp(string_field(blooio_background_chat_id, set), chat) == 0);
    } else {
        CHECK_ERROR(error, BLOOIO_STATUS_OK);
    }
    if (CHECK_STATUS(blooio_get_chat_background(client, chat, &got, NULL), BLOOIO_STATUS_OK)) {
        bool present = false, flag = false;
        CHECK_STATUS(blooio_background_has_background(got, &present, &flag), BLOOIO_STATUS_OK);
        CHECK(present && flag);
    }
    char *sent = tl_emu_requests();
    const char *base = strrchr(path, '/') + 1;
    char filename[128];
    snprintf(filename, sizeof filename, "\"filename\":\"%s\"", base);
    CHECK_CONTAINS(sent, filename);
    CHECK_CONTAINS(sent, "\"raw_path\":\"/v2/api/chats/alice%40example.com/background\"");
    CHECK_CONTAINS(sent, "\"len\":128");
    free(sent);

    unlink(path);
    free(path);
    blooio_background_free(set);
    blooio_background_free(got);
    blooio_client_free(client);
}

TL_TEST(get_without_background) {
    TL_FRESH_CLIENT(client, NULL, 0, 0);
    blooio_background *bg = NULL;
    REQUIRE(CHECK_STATUS(blooio_get_chat_background(client, "grp_empty", &bg, NULL), BLOOIO_STATUS_OK));
    bool present = false, flag = true;
    CHECK_STATUS(blooio_background_has_background(bg, &present, &flag), BLOOIO_STATUS_OK);
    CHECK(present && !flag); /* false, and present: not the same as absent */
    const char *id = "untouched";
    CHECK_STATUS(blooio_background_background_id(bg, &present, &id), BLOOIO_STATUS_OK);
    CHECK(!present && strcmp(id, "untouched") == 0); /* null in the JSON: absent */
    int64_t version = -7;
    CHECK_STATUS(blooio_background_background_version(bg, &present, &version), BLOOIO_STATUS_OK);
    CHECK(!present && version == -7);
    char *json = NULL;
    CHECK_STATUS(blooio_background_to_json(bg, &json, NULL), BLOOIO_STATUS_OK);
    CHECK(json != NULL && strcmp(json, "{\"chat_id\":\"grp_empty\",\"has_background\":false}") == 0);
    blooio_string_free(json);
    blooio_background_free(bg);
    blooio_client_free(client);
}

/* Makes one get that must fail with `want` after `attempts` attempts, the last answered with
 * `http_status` (0: no answer); returns the error for more checks (CHECK_ERROR frees it). */
static blooio_error *failed_get(blooio_client *client, blooio_status want, uint16_t http_status, uint32_t attempts) {
    blooio_background *bg = NULL;
    blooio_error *error = NULL;
    CHECK_STATUS(blooio_get_chat_background(client, CHAT, &bg, &error), want);
    CHECK(bg == NULL); /* out-parameters are written only on success */
    CHECK(error != NULL);
    CHECK(blooio_error_http_status(error) == http_status);
    CHECK(blooio_error_attempts(error) == attempts);
    return error;
}

TL_TEST(status_400_bad_request) {
    TL_FRESH_CLIENT(client, NULL, 2, 0);
    tl_emu_script("{\"status\":400,\"headers\":{\"x-request-id\":\"req_c400\"},"
                  "\"body\":\"{\\\"error\\\":\\\"bad_request\\\",\\\"message\\\":\\\"chat is archived\\\","
                  "\\\"code\\\":\\\"E_ARCHIVED\\\"}\"}");
    blooio_error *e = failed_get(client, BLOOIO_STATUS_BAD_REQUEST, 400, 1); /* a 400 is not retried */
    CHECK(blooio_error_server_message(e) && strcmp(blooio_error_server_message(e), "chat is archived") == 0);
    CHECK(blooio_error_server_code(e) && strcmp(blooio_error_server_code(e), "E_ARCHIVED") == 0);
    CHECK(blooio_error_request_id(e) && strcmp(blooio_error_request_id(e), "req_c400") == 0);
    CHECK_CONTAINS(blooio_error_message(e), "HTTP 400");
    CHECK_CONTAINS(blooio_error_message(e), "chat is archived");
    CHECK_ERROR(e, BLOOIO_STATUS_BAD_REQUEST);
    blooio_client_free(client);
}

TL_TEST(status_401_wrong_key) {
    tl_emu_reset();
    const char *wrong = "bl_test_wrong_key_123";
    blooio_client *client = tl_client_with(wrong, tl_base_url(), 2, 0);
    REQUIRE(client != NULL);
    blooio_error *e = failed_get(client, BLOOIO_STATUS_AUTHENTICATION, 401, 1);
    CHECK(strstr(blooio_error_message(e), wrong) == NULL); /* the key never shows */
    CHECK(blooio_error_request_id(e) != NULL);
    CHECK_ERROR(e, BLOOIO_STATUS_AUTHENTICATION);
    blooio_client_free(client);
}

TL_TEST(status_429_rate_limited) {
    TL_FRESH_CLIENT(client, NULL, 0, 0);
    tl_emu_script("{\"status\":429,\"headers\":{\"Retry-After\":\"7\"}}");
    blooio_error *e = failed_get(client, BLOOIO_STATUS_RATE_LIMITED, 429, 1);
    uint64_t ms = 0;
    CHECK(blooio_error_retry_after_ms(e, &ms) && ms == 7000);
    CHECK_ERROR(e, BLOOIO_STATUS_RATE_LIMITED);
    blooio_client_free(client);
}

TL_TEST(status_502_retried_then_succeeds) {
    TL_FRESH_CLIENT(client, NULL, 2, 0);
    tl_emu_script("{\"status\":502,\"headers\":{\"Retry-After\":\"0\"}}");
    blooio_background *bg = NULL;
    blooio_error *error = NULL;
    CHECK_STATUS(blooio_set_chat_background_bytes(client, CHAT, TL_PNG, TL_PNG_LEN, &bg, &error),
                 BLOOIO_STATUS_OK);
    CHECK(bg != NULL && error == NULL);
    char *sent = tl_emu_requests();
    CHECK(tl_count(sent, "\"method\":\"PUT\"") == 2); /* the upload was sent again, in full */
    CHECK(tl_count(sent, "\"name\":\"background\"") == 2);
    free(sent);
    blooio_background_free(bg);
    blooio_client_free(client);
}

/* Failures with nothing more to check than the status, the last HTTP status, the attempts (each
 * one a request the emulator saw) and a part of the message. */
TL_TEST(status_by_table) {
    static const struct {
        const char *name;
        const char *config, *fault; /* posted to the emulator's config and script; NULL: none */
        uint32_t max_retries;
        blooio_status want;
        uint16_t http_status;
        uint32_t attempts;
        const char *message; /* what the message contains; NULL: not checked */
    } rows[] = {
        {"502 retried until out of retries", NULL, "{\"status\":502,\"headers\":{\"Retry-After\":\"0\"},\"repeat\":3}",
         2, BLOOIO_STATUS_DEVICE_UNAVAILABLE, 502, 3, "3 attempts"},
        {"503 without Retry-After: not retried", "{\"no_active_number\":true}", NULL, 2,
         BLOOIO_STATUS_NO_ACTIVE_NUMBER, 503, 1, NULL},
        {"500", NULL, "{\"status\":500}", 0, BLOOIO_STATUS_SERVER_ERROR, 500, 1, NULL},
        {"504", NULL, "{\"status\":504}", 0, BLOOIO_STATUS_SERVER_ERROR, 504, 1, NULL},
        {"404: not retried", NULL, "{\"status\":404}", 2, BLOOIO_STATUS_HTTP_STATUS, 404, 1, NULL},
        {"connection reset before the response", NULL, "{\"action\":\"reset_before_response\"}", 0,
         BLOOIO_STATUS_CONNECTION, 0, 1, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int failures = tl_failure_count();
        TL_FRESH_CLIENT(client, rows[i].config, rows[i].max_retries, 0);
        if (rows[i].fault != NULL)
            tl_emu_script(rows[i].fault);
        blooio_error *e = failed_get(client, rows[i].want, rows[i].http_status, rows[i].attempts);
        if (rows[i].message != NULL)
            CHECK_CONTAINS(blooio_error_message(e), rows[i].message);
        CHECK_ERROR(e, rows[i].want);
        CHECK(tl_emu_request_count() == rows[i].attempts);
        blooio_client_free(client);
        if (tl_failure_count() != failures)
            fprintf(stderr, "    (in the row \"%s\")\n", rows[i].name);
    }
    tl_emu_reset();
}

TL_TEST(status_other_http) {
    TL_FRESH_CLIENT(client, NULL, 2, 0);
    tl_emu_script("{\"status\":418,\"body\":\"{\\\"message\\\":\\\"teapot\\\"}\"}");
    blooio_error *e = failed_get(client, BLOOIO_STATUS_HTTP_STATUS, 418, 1);
    CHECK(blooio_error_server_message(e) && strcmp(blooio_error_server_message(e), "teapot") == 0);
    CHECK_ERROR(e, BLOOIO_STATUS_HTTP_STATUS);
    blooio_client_free(client);
}

TL_TEST(timeout) {
    TL_FRESH_CLIENT(client, NULL, 0, 300);
    tl_emu_script("{\"delay_ms\":3000}");
    double start = tl_now_ms();
    blooio_error *e = failed_get(client, BLOOIO_STATUS_TIMEOUT, 0, 1);
    double took = tl_now_ms() - start;
    CHECK(took >= 250 && took < 2500);
    CHECK_ERROR(e, BLOOIO_STATUS_TIMEOUT);
    blooio_client_free(client);
}

/* A port nothing listens on: bound, then closed. */
static int closed_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0);
    CHECK(getsockname(fd, (struct sockaddr *)&addr, &len) == 0);
    close(fd);
    return ntohs(addr.sin_port);
}

TL_TEST(connection_refused) {
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v2/api", closed_port());
    blooio_client *client = tl_client_with(tl_api_key(), url, 1, 0);
    REQUIRE(client != NULL);
    blooio_error *e = failed_get(client, BLOOIO_STATUS_CONNECTION, 0, 2); /* connection failures are retried */
    CHECK_CONTAINS(blooio_error_message(e), url);
    CHECK_ERROR(e, BLOOIO_STATUS_CONNECTION);
    blooio_client_free(client);
}

TL_TEST(decode) {
    TL_FRESH_CLIENT(client, NULL, 2, 0);
    tl_emu_script("{\"status\":200,\"headers\":{\"Content-Type\":\"text/html\"},"
                  "\"body\":\"<html>gateway says hi</html>\"}");
    blooio_error *e = failed_get(client, BLOOIO_STATUS_DECODE, 200, 1);
    CHECK_CONTAINS(blooio_error_message(e), "gateway says hi");
    CHECK_ERROR(e, BLOOIO_STATUS_DECODE);
    blooio_client_free(client);
}

/* Every input the library refuses is refused before anything reaches the server. */
TL_TEST(bad_input_sends_nothing) {
    TL_FRESH_CLIENT(client, NULL, 2, 0);
    blooio_background *bg = NULL;
    blooio_error *e = NULL;
    static const unsigned char not_image[] = "this is not an image at all";
    char *empty = tl_temp_file("", 0);
    char *text = tl_temp_file(not_image, sizeof not_image);

    CHECK_STATUS(blooio_get_chat_background(client, "", &bg, &e), BLOOIO_STATUS_INVALID_CHAT_ID);
    CHECK_ERROR(e, BLOOIO_STATUS_INVALID_CHAT_ID);
    e = NULL;
    CHECK_STATUS(blooio_get_chat_background(client, "+1 555 123", &bg, &e), BLOOIO_STATUS_INVALID_CHAT_ID);
    CHECK_CONTAINS(blooio_error_message(e), "E.164");
    CHECK(blooio_error_attempts(e) == 0);
    CHECK_ERROR(e, BLOOIO_STATUS_INVALID_CHAT_ID);
    e = NULL;
    CHECK_STATUS(blooio_get_chat_background(client, "..", &bg, &e), BLOOIO_STATUS_INVALID_CHAT_ID);
    CHECK_ERROR(e, BLOOIO_STATUS_INVALID_CHAT_ID);
    e = NULL;
    CHECK_STATUS(blooio_get_chat_background(client, "+1555\n", &bg, &e), BLOOIO_STATUS_INVALID_CHAT_ID);
    CHECK_ERROR(e, BLOOIO_STATUS_INVALID_CHAT_ID);
    e = NULL;
    CHECK_STATUS(blooio_set_chat_background_bytes(client, CHAT, not_image, sizeof not_image, &bg, &e),
                 BLOOIO_STATUS_INVALID_IMAGE);
    CHECK_ERROR(e, BLOOIO_STATUS_INVALID_IMAGE);
    e = NULL;
    CHECK_STATUS(blooio_set_chat_background_bytes(client, CHAT, TL_PNG, 0, &bg, &e), BLOOIO_STATUS_INVALID_IMAGE);
    CHECK_CONTAINS(blooio_error_message(e), "empty");
    CHECK_ERROR(e, BLOOIO_STATUS_INVALID_IMAGE);
    e = NULL;
    CHECK_STATUS(blooio_set_chat_background_bytes(client, "", TL_PNG, TL_PNG_LEN, &bg, &e),
                 BLOOIO_STATUS_INVALID_CHAT_ID);
    CHECK_ERROR(e, BLOOIO_STATUS_INVALID_CHAT_ID);
    e = NULL;
    CHECK_STATUS(blooio_set_chat_background_file(client, CHAT, "/nonexistent/bg.png", &bg, &e), BLOOIO_STATUS_IO);
    CHECK_CONTAINS(blooio_error_message(e), "/nonexistent/bg.png");
    CHECK_ERROR(e, BLOOIO_STATUS_IO);
    e = NULL;
    CHECK_STATUS(blooio_set_chat_background_file(client, CHAT, empty, &bg, &e), BLOOIO_STATUS_INVALID_IMAGE);
    CHECK_ERROR(e, BLOOIO_STATUS_INVALID_IMAGE);
    e = NULL;
    CHECK_STATUS(blooio_set_chat_background_file(client, CHAT, text, &bg, &e), BLOOIO_STATUS_INVALID_IMAGE);
    CHECK_ERROR(e, BLOOIO_STATUS_INVALID_IMAGE);
    e = NULL;
    CHECK_STATUS(blooio_set_chat_background_file(client, CHAT, "/tmp", &bg, &e), BLOOIO_STATUS_INVALID_IMAGE);
    CHECK_ERROR(e, BLOOIO_STATUS_INVALID_IMAGE);
    e = NULL;
    CHECK_STATUS(blooio_set_chat_background_file(client, CHAT, "", &bg, &e), BLOOIO_STATUS_IO);
    CHECK_ERROR(e, BLOOIO_STATUS_IO);
    e = NULL;
    CHECK_STATUS(blooio_get_chat_background(client, "\xff\xfe", &bg, &e), BLOOIO_STATUS_INVALID_ARGUMENT);
    CHECK_ERROR(e, BLOOIO_STATUS_INVALID_ARGUMENT);
    CHECK(bg == NULL);

    CHECK(tl_emu_request_count() == 0); /* nothing was sent */
    unlink(empty);
    unlink(text);
    free(empty);
    free(text);
    blooio_client_free(client);
}

TL_TEST(config_from_environment) {
    tl_emu_reset();
    blooio_client *client = NULL;
    blooio_error *e = NULL;
    unsetenv("BLOOIO_API_KEY");
    setenv("BLOOIO_BASE_URL", tl_base_url(), 1);
    CHECK_STATUS(blooio_client_new(NULL, &client, &e), BLOOIO_STATUS_INVALID_CONFIG);
    CHECK(client == NULL);
    CHECK_CONTAINS(blooio_error_message(e), "BLOOIO_API_KEY");
    CHECK_ERROR(e, BLOOIO_STATUS_INVALID_CONFIG);

    setenv("BLOOIO_API_KEY", tl_api_key(), 1);
    REQUIRE(CHECK_STATUS(blooio_client_new(NULL, &client, NULL), BLOOIO_STATUS_OK));
    blooio_background *bg = NULL;
    CHECK_STATUS(blooio_get_chat_background(client, CHAT, &bg, NULL), BLOOIO_STATUS_OK);
    blooio_background_free(bg);
    blooio_client_free(client);
    unsetenv("BLOOIO_API_KEY");
    unsetenv("BLOOIO_BASE_URL");
    CHECK(tl_emu_request_count() == 1);
}

TL_TEST(config_is_checked) {
    struct {
        const char *key, *url;
        bool insecure_ok;
        blooio_status want;
    } cases[] = {
        {"", "http://127.0.0.1:9/v2/api", false, BLOOIO_STATUS_INVALID_CONFIG},
        {"bl key with spaces", "http://127.0.0.1:9/v2/api", false, BLOOIO_STATUS_INVALID_CONFIG},
        {"bl_key\n", "http://127.0.0.1:9/v2/api", false, BLOOIO_STATUS_INVALID_CONFIG},
        {"bl_key", "", false, BLOOIO_STATUS_INVALID_CONFIG},
        {"bl_key", "ftp://api.blooio.com", false, BLOOIO_STATUS_INVALID_CONFIG},
        {"bl_key", "http://10.1.2.3/v2/api", false, BLOOIO_STATUS_INVALID_CONFIG},
        {"bl_key", "http://10.1.2.3/v2/api", true, BLOOIO_STATUS_OK},
        {"bl_key", "https://api.blooio.com/v2/api", false, BLOOIO_STATUS_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        blooio_options *o = NULL;
        blooio_client *client = NULL;
        blooio_error *e = NULL;
        REQUIRE(CHECK_STATUS(blooio_options_new(&o, NULL), BLOOIO_STATUS_OK));
        CHECK_STATUS(blooio_options_set_api_key(o, cases[i].key, NULL), BLOOIO_STATUS_OK);
        CHECK_STATUS(blooio_options_set_base_url(o, cases[i].url, NULL), BLOOIO_STATUS_OK);
        CHECK_STATUS(blooio_options_set_allow_insecure_http(o, cases[i].insecure_ok, NULL), BLOOIO_STATUS_OK);
        if (!CHECK_STATUS(blooio_client_new(o, &client, &e), cases[i].want))
            fprintf(stderr, "    case %zu: %s\n", i, blooio_error_message(e));
        CHECK((client != NULL) == (cases[i].want == BLOOIO_STATUS_OK));
        if (e != NULL) {
            const char *m = blooio_error_message(e);
            CHECK(*cases[i].key == '\0' || strstr(m, cases[i].key) == NULL);
            blooio_error_free(e);
        }
        blooio_client_free(client);
        blooio_options_free(o);
    }
}

TL_TEST(user_agent_suffix) {
    tl_emu_reset();
    const char *suffixes[] = {"my-app/1.2", ""};
    for (size_t i = 0; i < 2; i++) {
        blooio_options *o = NULL;
        blooio_client *client = NULL;
        REQUIRE(CHECK_STATUS(blooio_options_new(&o, NULL), BLOOIO_STATUS_OK));
        CHECK_STATUS(blooio_options_set_api_key(o, tl_api_key(), NULL), BLOOIO_STATUS_OK);
        CHECK_STATUS(blooio_options_set_base_url(o, tl_base_url(), NULL), BLOOIO_STATUS_OK);
        CHECK_STATUS(blooio_options_set_user_agent_suffix(o, suffixes[i], NULL), BLOOIO_STATUS_OK);
        REQUIRE(CHECK_STATUS(blooio_client_new(o, &client, NULL), BLOOIO_STATUS_OK));
        blooio_options_free(o);
        blooio_background *bg = NULL;
        CHECK_STATUS(blooio_get_chat_background(client, CHAT, &bg, NULL), BLOOIO_STATUS_OK);
        blooio_background_free(bg);
        blooio_client_free(client);
    }
    char *sent = tl_emu_requests();
    CHECK(tl_count(sent, "blooio-native/") == 2);
    CHECK(tl_count(sent, " my-app/1.2\"") == 1);
    CHECK(tl_count(sent, " blooio-c/") == 2); /* the library names the binding; the suffix follows */
    free(sent);

    blooio_options *o = NULL;
    blooio_client *client = NULL;
    blooio_error *e = NULL;
    REQUIRE(CHECK_STATUS(blooio_options_new(&o, NULL), BLOOIO_STATUS_OK));
    CHECK_STATUS(blooio_options_set_api_key(o, tl_api_key(), NULL), BLOOIO_STATUS_OK);
    CHECK_STATUS(blooio_options_set_user_agent_suffix(o, "evil\r\nX-Injected: 1", NULL), BLOOIO_STATUS_OK);
    CHECK_STATUS(blooio_client_new(o, &client, &e), BLOOIO_STATUS_INVALID_CONFIG);
    CHECK_ERROR(e, BLOOIO_STATUS_INVALID_CONFIG);
    blooio_options_free(o);
}

int main(int argc, char **argv) {
    return tl_run(argc, argv);
}

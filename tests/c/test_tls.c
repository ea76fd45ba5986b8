/* HTTPS: both endpoints with the CA by option and by SSL_CERT_FILE, refused certificates
 * after exactly one connection with BLOOIO_STATUS_TLS, a bad CA file, and a real proxy
 * (tinyproxy) in front of the HTTPS emulator. Run by tests/tls/with-tls.sh. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"

static const char *CHAT = "+15551234567";

/* A client for the HTTPS emulator; `ca_file` and `proxy` may be NULL. */
static blooio_client *tls_client(const char *ca_file, const char *proxy, blooio_status want,
                                 blooio_error **error_out) {
    blooio_options *options = NULL;
    blooio_client *client = NULL;
    blooio_error *error = NULL;

    if (blooio_options_new(&options, &error) != BLOOIO_STATUS_OK ||
        blooio_options_set_api_key(options, tl_api_key(), &error) != BLOOIO_STATUS_OK ||
        blooio_options_set_base_url(options, tl_tls_base_url(), &error) != BLOOIO_STATUS_OK ||
        blooio_options_set_max_retries(options, 3, &error) != BLOOIO_STATUS_OK ||
        /* Generous: under valgrind a handshake takes seconds, and a timed-out attempt would be
         * retried on a second connection. */
        blooio_options_set_timeout_ms(options, 120000, &error) != BLOOIO_STATUS_OK ||
        blooio_options_set_connect_timeout_ms(options, 60000, &error) != BLOOIO_STATUS_OK ||
        (ca_file != NULL && blooio_options_set_ca_file(options, ca_file, &error) != BLOOIO_STATUS_OK) ||
        (proxy != NULL && blooio_options_set_proxy(options, proxy, &error) != BLOOIO_STATUS_OK)) {
        CHECK(!"options could be set");
        blooio_error_free(error);
        blooio_options_free(options);
        return NULL;
    }
    CHECK_STATUS(blooio_client_new(options, &client, &error), want);
    blooio_options_free(options);
    if (error_out != NULL)
        *error_out = error;
    else
        blooio_error_free(error);
    return client;
}

/* The HTTPS emulator, reset, and a client for it that must be made. */
static blooio_client *fresh_tls_client(const char *ca_file, const char *proxy) {
    tl_use_tls_emulator(true);
    tl_emu_reset();
    return tls_client(ca_file, proxy, BLOOIO_STATUS_OK, NULL);
}

static void both_endpoints(blooio_client *client) {
    blooio_background *bg = NULL;
    blooio_error *error = NULL;
    CHECK_STATUS(blooio_set_chat_background_bytes(client, CHAT, TL_PNG, TL_PNG_LEN, &bg, &error), BLOOIO_STATUS_OK);
    if (error != NULL)
        fprintf(stderr, "    set: %s\n", blooio_error_message(error));
    blooio_error_free(error);
    error = NULL;
    blooio_background_free(bg);
    bg = NULL;
    CHECK_STATUS(blooio_get_chat_background(client, CHAT, &bg, &error), BLOOIO_STATUS_OK);
    if (error != NULL)
        fprintf(stderr, "    get: %s\n", blooio_error_message(error));
    blooio_error_free(error);
    if (bg != NULL) {
        bool present = false;
        const char *url = NULL;
        CHECK_STATUS(blooio_background_background_url(bg, &present, &url), BLOOIO_STATUS_OK);
        CHECK(present && url != NULL && strncmp(url, "https://", 8) == 0);
    }
    blooio_background_free(bg);
}

TL_TEST(ca_by_option) {
    blooio_client *client = fresh_tls_client(tl_ca_file(), NULL);
    REQUIRE(client != NULL);
    long before = tl_emu_stat("tls_connections");
    both_endpoints(client);
    CHECK(tl_emu_stat("tls_connections") - before == 1); /* kept alive */
    CHECK(tl_emu_request_count() == 2);
    blooio_client_free(client);
}

TL_TEST(ca_by_ssl_cert_file) {
    tl_use_tls_emulator(true);
    tl_emu_reset();
    CHECK(setenv("SSL_CERT_FILE", tl_ca_file(), 1) == 0);
    blooio_client *client = tls_client(NULL, NULL, BLOOIO_STATUS_OK, NULL);
    unsetenv("SSL_CERT_FILE");
    REQUIRE(client != NULL);
    both_endpoints(client);
    blooio_client_free(client);
}

/* A refused certificate: BLOOIO_STATUS_TLS after one attempt on one connection, nothing
 * recorded, and a message that says `says`. */
static void refused_once(blooio_client *client, const char *says) {
    long before = tl_emu_stat("tls_connections");
    blooio_background *bg = NULL;
    blooio_error *error = NULL;
    CHECK_STATUS(blooio_get_chat_background(client, CHAT, &bg, &error), BLOOIO_STATUS_TLS);
    CHECK(bg == NULL);
    CHECK(tl_emu_stat("tls_connections") - before == 1);
    CHECK(tl_emu_request_count() == 0);
    if (error != NULL) {
        CHECK(blooio_error_attempts(error) == 1);
        CHECK_CONTAINS(blooio_error_message(error), says);
        CHECK(strstr(blooio_error_message(error), "gave up") == NULL);
    }
    CHECK_ERROR(error, BLOOIO_STATUS_TLS);
}

TL_TEST(unknown_issuer_refused_once) {
    tl_use_tls_emulator(true);
    tl_emu_reset();
    unsetenv("SSL_CERT_FILE");
    blooio_client *client = tls_client(NULL, NULL, BLOOIO_STATUS_OK, NULL);
    REQUIRE(client != NULL);
    refused_once(client, "is not trusted (unknown issuer");
    blooio_client_free(client);
}

TL_TEST(bad_certificates_refused_once) {
    blooio_client *client = fresh_tls_client(tl_ca_file(), NULL);
    REQUIRE(client != NULL);
    tl_emu_script("{\"action\":\"tls_expired_cert\"}");
    refused_once(client, "has expired");
    tl_emu_script("{\"action\":\"tls_wrong_name_cert\"}");
    refused_once(client, "is not valid for the name 127.0.0.1");
    tl_emu_script("{\"action\":\"tls_ca_as_leaf\"}");
    refused_once(client, "is a CA certificate");
    /* A reset during the handshake is retried. */
    tl_emu_script("{\"action\":\"tls_reset_during_handshake\"}");
    blooio_background *bg = NULL;
    blooio_error *error = NULL;
    CHECK_STATUS(blooio_get_chat_background(client, CHAT, &bg, &error), BLOOIO_STATUS_OK);
    blooio_error_free(error);
    blooio_background_free(bg);
    blooio_client_free(client);
}

TL_TEST(bad_ca_file) {
    tl_use_tls_emulator(true);
    char *empty = tl_temp_file("", 0);
    REQUIRE(empty != NULL);
    const char *paths[] = {empty, "/nonexistent/blooio-ca.pem"};
    for (size_t i = 0; i < 2; i++) {
        blooio_error *error = NULL;
        blooio_client *client = tls_client(paths[i], NULL, BLOOIO_STATUS_INVALID_CONFIG, &error);
        CHECK(client == NULL);
        if (error != NULL)
            CHECK_CONTAINS(blooio_error_message(error), paths[i]);
        CHECK_ERROR(error, BLOOIO_STATUS_INVALID_CONFIG);
    }
    unlink(empty);
    free(empty);
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    size_t n;
    while (buf != NULL && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            char *bigger = realloc(buf, cap * 2 + 1);
            if (bigger == NULL)
                break;
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf != NULL)
        buf[len] = '\0';
    return buf;
}

TL_TEST(via_the_proxy) {
    blooio_client *client = fresh_tls_client(tl_ca_file(), tl_proxy());
    REQUIRE(client != NULL);
    both_endpoints(client);
    blooio_client_free(client);
    char *log = read_file(tl_proxy_log());
    REQUIRE(log != NULL);
    char connect[128];
    const char *port = strrchr(tl_tls_base_url(), ':');
    snprintf(connect, sizeof connect, "CONNECT 127.0.0.1%.*s", (int)strcspn(port, "/"), port);
    CHECK_CONTAINS(log, connect);
    CHECK(strstr(log, tl_api_key()) == NULL);
    CHECK(strstr(log, "/chats/") == NULL);
    free(log);

    /* A proxy URL that is not one: refused when the client is built. */
    blooio_error *error = NULL;
    CHECK(tls_client(tl_ca_file(), "ftp://user:secretpw@127.0.0.1:1", BLOOIO_STATUS_INVALID_CONFIG, &error) == NULL);
    if (error != NULL)
        CHECK(strstr(blooio_error_message(error), "secretpw") == NULL);
    CHECK_ERROR(error, BLOOIO_STATUS_INVALID_CONFIG);
}

int main(int argc, char **argv) {
    return tl_run(argc, argv);
}

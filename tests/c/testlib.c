/* See testlib.h. POSIX only (sockets, /proc); the suite runs on Linux. */
#define _POSIX_C_SOURCE 200809L

#include "testlib.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static atomic_int failures;

bool tl_check(bool ok, const char *expr, const char *file, int line) {
    if (!ok) {
        atomic_fetch_add(&failures, 1);
        fprintf(stderr, "    %s:%d: check failed: %s\n", file, line, expr);
    }
    return ok;
}

int tl_failure_count(void) { return atomic_load(&failures); }

bool tl_check_status(int got, int want, const char *expr, const char *file, int line) {
    if (got != want) {
        atomic_fetch_add(&failures, 1);
        fprintf(stderr, "    %s:%d: %s is %s (%d), expected %s (%d)\n", file, line, expr,
                blooio_status_name(got), got, blooio_status_name(want), want);
        return false;
    }
    return true;
}

bool tl_check_contains(const char *hay, const char *needle, const char *expr, const char *file,
                       int line) {
    if (hay == NULL || needle == NULL || strstr(hay, needle) == NULL) {
        atomic_fetch_add(&failures, 1);
        fprintf(stderr, "    %s:%d: %s (\"%s\") does not contain \"%s\"\n", file, line, expr,
                hay ? hay : "(null)", needle ? needle : "(null)");
        return false;
    }
    return true;
}

/* The tests TL_TEST registered, in the order they are written (one file per program). */
typedef struct {
    const char *name;
    void (*run)(void);
    int line;
} tl_test;
#define TL_MAX_TESTS 64
static tl_test tests[TL_MAX_TESTS];
static size_t count;

void tl_register(const char *name, void (*run)(void), int line) {
    if (count == TL_MAX_TESTS) {
        fprintf(stderr, "more than %d tests in one program: raise TL_MAX_TESTS\n", TL_MAX_TESTS);
        exit(2);
    }
    /* Constructors may run in any order: keep the table sorted by line. */
    size_t at = count++;
    for (; at > 0 && tests[at - 1].line > line; at--)
        tests[at] = tests[at - 1];
    tests[at] = (tl_test){name, run, line};
}

int tl_run(int argc, char **argv) {
    const char *filter = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0;
    for (size_t i = 0; i < count; i++) {
        if (filter != NULL && strstr(tests[i].name, filter) == NULL)
            continue;
        int before = atomic_load(&failures);
        double start = tl_now_ms();
        fprintf(stderr, "test %s ...\n", tests[i].name);
        tests[i].run();
        bool ok = atomic_load(&failures) == before;
        fprintf(stderr, "test %s ... %s (%.0f ms)\n", tests[i].name, ok ? "ok" : "FAILED",
                tl_now_ms() - start);
        if (ok)
            passed++;
        else
            failed++;
    }
    printf("%s: %d passed, %d failed\n", argv[0], passed, failed);
    if (passed + failed == 0) {
        fprintf(stderr, "no test matched\n");
        return 1;
    }
    return failed == 0 ? 0 : 1;
}

static const char *env_or_die(const char *name) {
    const char *value = getenv(name);
    if (value == NULL || *value == '\0') {
        fprintf(stderr, "%s is not set: run this test through tests/c/run-with-emulator.sh\n", name);
        exit(2);
    }
    return value;
}

const char *tl_base_url(void) { return env_or_die("BLOOIO_TEST_BASE_URL"); }
const char *tl_api_key(void) { return env_or_die("BLOOIO_TEST_API_KEY"); }

static bool use_tls_emulator = false;

void tl_use_tls_emulator(bool on) { use_tls_emulator = on; }

const char *tl_tls_base_url(void) { return env_or_die("BLOOIO_TEST_TLS_BASE_URL"); }
const char *tl_ca_file(void) { return env_or_die("BLOOIO_TEST_CA_FILE"); }
const char *tl_proxy(void) { return env_or_die("BLOOIO_TEST_PROXY"); }
const char *tl_proxy_log(void) { return env_or_die("BLOOIO_TEST_PROXY_LOG"); }

/* The emulator's port, from its base URL http://127.0.0.1:PORT/v2/api (or, for the HTTPS
 * emulator, from its plain control origin http://127.0.0.1:PORT). */
static int emulator_port(void) {
    int port = 0;
    if (use_tls_emulator) {
        const char *control = env_or_die("BLOOIO_TEST_TLS_CONTROL_URL");
        if (sscanf(control, "http://127.0.0.1:%d", &port) != 1 || port <= 0 || port > 65535) {
            fprintf(stderr, "unexpected control URL %s\n", control);
            exit(2);
        }
        return port;
    }
    if (sscanf(tl_base_url(), "http://127.0.0.1:%d", &port) != 1 || port <= 0 || port > 65535) {
        fprintf(stderr, "unexpected base URL %s\n", tl_base_url());
        exit(2);
    }
    return port;
}

static bool send_all(int fd, const char *data, size_t len) {
    while (len > 0) {
        ssize_t n = send(fd, data, len, 0);
        if (n <= 0)
            return false;
        data += n;
        len -= (size_t)n;
    }
    return true;
}

/* Decodes a chunked body in place; returns its length. */
static size_t dechunk(char *body) {
    char *in = body, *out = body;
    for (;;) {
        char *end = NULL;
        unsigned long size = strtoul(in, &end, 16);
        char *line_end = strstr(in, "\r\n");
        if (line_end == NULL || end == in)
            break;
        in = line_end + 2;
        if (size == 0)
            break;
        memmove(out, in, size);
        out += size;
        in += size + 2;
    }
    *out = '\0';
    return (size_t)(out - body);
}

int tl_emu(const char *method, const char *path, const char *body, char **response) {
    if (response != NULL)
        *response = NULL;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)emulator_port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    size_t body_len = body ? strlen(body) : 0;
    char head[512];
    int head_len = snprintf(head, sizeof head,
                            "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                            "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                            method, path, body_len);
    if (!send_all(fd, head, (size_t)head_len) || (body_len > 0 && !send_all(fd, body, body_len))) {
        close(fd);
        return -1;
    }
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        ssize_t n = recv(fd, buf + len, cap - len - 1, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    int status = -1;
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
        status = -1;
    char *separator = strstr(buf, "\r\n\r\n");
    if (response != NULL && separator != NULL) {
        char *start = separator + 4;
        size_t body_size = len - (size_t)(start - buf);
        char *out = malloc(body_size + 1);
        memcpy(out, start, body_size);
        out[body_size] = '\0';
        *separator = '\0'; /* buf now holds the status line and headers only */
        for (char *p = buf; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        if (strstr(buf, "transfer-encoding: chunked") != NULL)
            dechunk(out);
        *response = out;
    }
    free(buf);
    return status;
}

void tl_emu_reset(void) { CHECK(tl_emu("POST", "/__emulator/reset", "", NULL) == 200); }

void tl_emu_script(const char *fault_json) {
    CHECK(tl_emu("POST", "/__emulator/script", fault_json, NULL) == 200);
}

void tl_emu_config(const char *config_json) {
    CHECK(tl_emu("POST", "/__emulator/config", config_json, NULL) == 200);
}

long tl_emu_stat(const char *name) {
    char *body = NULL;
    long value = -1;
    if (tl_emu("GET", "/__emulator/stats", NULL, &body) == 200 && body != NULL) {
        char key[64];
        snprintf(key, sizeof key, "\"%s\":", name);
        const char *at = strstr(body, key);
        if (at != NULL)
            value = strtol(at + strlen(key), NULL, 10);
    }
    free(body);
    return value;
}

char *tl_emu_requests(void) {
    char *body = NULL;
    CHECK(tl_emu("GET", "/__emulator/requests", NULL, &body) == 200);
    if (body == NULL) {
        body = malloc(1);
        body[0] = '\0';
    }
    return body;
}

size_t tl_emu_request_count(void) {
    char *body = tl_emu_requests();
    size_t n = tl_count(body, "\"method\":");
    free(body);
    return n;
}

size_t tl_count(const char *hay, const char *needle) {
    size_t n = 0, step = strlen(needle);
    for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + step, needle))
        n++;
    return n;
}

blooio_client *tl_client_with(const char *api_key, const char *base_url, uint32_t max_retries,
                              uint64_t timeout_ms) {
    blooio_options *options = NULL;
    blooio_client *client = NULL;
    blooio_error *error = NULL;
    bool ok = blooio_options_new(&options, &error) == BLOOIO_STATUS_OK &&
              blooio_options_set_api_key(options, api_key, &error) == BLOOIO_STATUS_OK &&
              blooio_options_set_base_url(options, base_url, &error) == BLOOIO_STATUS_OK &&
              blooio_options_set_max_retries(options, max_retries, &error) == BLOOIO_STATUS_OK &&
              (timeout_ms == 0 ||
               blooio_options_set_timeout_ms(options, timeout_ms, &error) == BLOOIO_STATUS_OK) &&
              blooio_client_new(options, &client, &error) == BLOOIO_STATUS_OK;
    if (!CHECK(ok))
        fprintf(stderr, "    client: %s\n", blooio_error_message(error));
    blooio_error_free(error);
    blooio_options_free(options);
    return client;
}

blooio_client *tl_client(uint32_t max_retries, uint64_t timeout_ms) {
    return tl_client_with(tl_api_key(), tl_base_url(), max_retries, timeout_ms);
}

blooio_client *tl_fresh_client(const char *config_json, uint32_t max_retries, uint64_t timeout_ms) {
    tl_emu_reset();
    if (config_json != NULL)
        tl_emu_config(config_json);
    return tl_client(max_retries, timeout_ms);
}

bool tl_answers_for(const blooio_background *background, const char *chat) {
    bool present = false;
    const char *id = NULL;
    return blooio_background_chat_id(background, &present, &id) == BLOOIO_STATUS_OK && present &&
           strcmp(id, chat) == 0;
}

void tl_check_error(blooio_error *error, blooio_status want, const char *file, int line) {
    if (!tl_check(error != NULL, "an error object was returned", file, line))
        return;
    const char *message = blooio_error_message(error);
    tl_check_status(blooio_error_status(error), want, "blooio_error_status(error)", file, line);
    tl_check(message != NULL && *message != '\0', "the error has a message", file, line);
    tl_check(message == NULL || strstr(message, tl_api_key()) == NULL,
             "the message does not contain the API key", file, line);
    blooio_error_free(error);
}

const unsigned char TL_PNG[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00,
    0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78,
    0x9c, 0x63, 0x30, 0x68, 0x38, 0x00, 0x00, 0x02, 0x54, 0x01, 0x71, 0xc8, 0x31, 0x63,
    0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};
const size_t TL_PNG_LEN = sizeof TL_PNG;

char *tl_temp_file(const void *data, size_t len) {
    const char *dir = getenv("TMPDIR");
    char *path = malloc(4096);
    snprintf(path, 4096, "%s/blooio-c-test-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (!CHECK(fd >= 0)) {
        free(path);
        return NULL;
    }
    CHECK(len == 0 || write(fd, data, len) == (ssize_t)len);
    close(fd);
    return path;
}

long tl_rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1;
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

double tl_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

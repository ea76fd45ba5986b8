/*
 * A small test harness for the C suite: checks that keep going, a runner that prints
 * "N passed, N failed", and a tiny HTTP client for the emulator's control API.
 *
 * The runner script (run-with-emulator.sh) exports BLOOIO_TEST_BASE_URL (the emulator's API
 * base URL) and BLOOIO_TEST_API_KEY (a key it accepts).
 */
#ifndef BLOOIO_TESTLIB_H
#define BLOOIO_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blooio.h"

/* Records a failure (with the expression and place) when `cond` is false; evaluates to it. */
#define CHECK(cond) tl_check((cond) ? true : false, #cond, __FILE__, __LINE__)
/* As CHECK, and returns from the (void) test function on failure. */
#define REQUIRE(cond)      \
    do {                   \
        if (!CHECK(cond))  \
            return;        \
    } while (0)
/* Checks a status, printing both names when they differ. */
#define CHECK_STATUS(got, want) tl_check_status((int)(got), (int)(want), #got, __FILE__, __LINE__)
/* Checks that a string contains another (both non-NULL). */
#define CHECK_CONTAINS(hay, needle) tl_check_contains((hay), (needle), #hay, __FILE__, __LINE__)

bool tl_check(bool ok, const char *expr, const char *file, int line);
/* How many checks have failed so far, in every test. */
int tl_failure_count(void);
bool tl_check_status(int got, int want, const char *expr, const char *file, int line);
bool tl_check_contains(const char *hay, const char *needle, const char *expr, const char *file, int line);

/* Defines a test and registers it with the runner, so that no list of tests is kept by hand:
 *     TL_TEST(name) { ...checks... }
 * defines `static void test_name(void)`; the runner runs a program's tests in the order they
 * are written, under their names. */
#define TL_TEST(name)                                                  \
    static void test_##name(void);                                     \
    __attribute__((constructor)) static void tl_register_##name(void) { \
        tl_register(#name, test_##name, __LINE__);                     \
    }                                                                  \
    static void test_##name(void)

/* Called by TL_TEST before main. */
void tl_register(const char *name, void (*run)(void), int line);
/* Runs the registered tests whose name contains argv[1] (all without it); exit status 0 when
 * all pass. */
int tl_run(int argc, char **argv);

/* The emulator under test. */
const char *tl_base_url(void);
const char *tl_api_key(void);

/* The HTTPS emulator and the proxy in front of it (tests/tls/with-tls.sh). After
 * tl_use_tls_emulator(true), the tl_emu* functions drive the HTTPS emulator instead. */
void tl_use_tls_emulator(bool on);
const char *tl_tls_base_url(void);
const char *tl_ca_file(void);
const char *tl_proxy(void);
const char *tl_proxy_log(void);

/* One control-API request; returns the HTTP status (-1 when the emulator cannot be reached).
 * `body` may be NULL. When `response` is not NULL it receives the body (free it with free). */
int tl_emu(const char *method, const char *path, const char *body, char **response);
/* POST /__emulator/reset: an empty store, no faults, no recorded requests, default config. */
void tl_emu_reset(void);
/* POST /__emulator/script with a fault object or array. */
void tl_emu_script(const char *fault_json);
/* POST /__emulator/config. */
void tl_emu_config(const char *config_json);
/* A number from GET /__emulator/stats, such as "requests"; -1 when missing. */
long tl_emu_stat(const char *name);
/* The body of GET /__emulator/requests (free it with free). */
char *tl_emu_requests(void);
/* How many API requests the emulator recorded since the last reset or clear. */
size_t tl_emu_request_count(void);

/* How many times `needle` occurs in `hay`. */
size_t tl_count(const char *hay, const char *needle);

/* A client for the emulator with the given retries and per-attempt timeout (0: default). */
blooio_client *tl_client(uint32_t max_retries, uint64_t timeout_ms);
/* The setup most tests start with: resets the emulator, posts `config_json` to its config
 * (NULL: none), and returns tl_client(max_retries, timeout_ms). */
blooio_client *tl_fresh_client(const char *config_json, uint32_t max_retries, uint64_t timeout_ms);
/* Declares `var` = tl_fresh_client(...), and returns from the (void) test when it is NULL. */
#define TL_FRESH_CLIENT(var, config_json, max_retries, timeout_ms)                     \
    blooio_client *var = tl_fresh_client((config_json), (max_retries), (timeout_ms)); \
    REQUIRE(var != NULL)
/* A client with the given key and base URL, failing the test when it cannot be made. */
blooio_client *tl_client_with(const char *api_key, const char *base_url, uint32_t max_retries,
                              uint64_t timeout_ms);

/* Whether `background` is the answer for `chat`: its chat id is present and is `chat`. */
bool tl_answers_for(const blooio_background *background, const char *chat);

/* Checks a failed call's error: its status, that it never shows the API key, and frees it. */
void tl_check_error(blooio_error *error, blooio_status want, const char *file, int line);
#define CHECK_ERROR(error, want) tl_check_error((error), (want), __FILE__, __LINE__)

/* A valid 1x1 PNG image. */
extern const unsigned char TL_PNG[];
extern const size_t TL_PNG_LEN;
/* Writes `len` bytes to a new temporary file; returns its path (free it with free). */
char *tl_temp_file(const void *data, size_t len);

/* The process's resident set size in KiB, from /proc/self/status. */
long tl_rss_kib(void);
/* Milliseconds on a monotonic clock. */
double tl_now_ms(void);

#endif

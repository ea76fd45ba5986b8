/*
 * Soak (issue 7, item 4): THREADS threads x REQUESTS requests on one client against the
 * emulator, with a scripted 502 in every 20 requests. Asserts zero unexpected errors, that every
 * 502 was retried once and only once, and that the resident set after the run is within 1 MiB
 * of what it was after the warm-up.
 *
 * BLOOIO_SOAK_REQUESTS overrides the requests per thread (default 2000).
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

#define THREADS 8
#define WARMUP 200
#define FAULT_EVERY 20
#define RSS_SLACK_KIB 1024

static blooio_client *client;
static pthread_barrier_t barrier;
static int requests_per_thread = 2000;
static atomic_long unexpected;

/* One request: three gets for every set. Returns whether it succeeded. */
static bool one_request(const char *chat, int i, unsigned char *image, size_t image_len) {
    blooio_background *bg = NULL;
    blooio_error *e = NULL;
    blooio_status s;
    if (i % 4 == 0) {
        image[image_len - 1] = (unsigned char)i;
        s = blooio_set_chat_background_bytes(client, chat, image, image_len, &bg, &e);
    } else {
        s = blooio_get_chat_background(client, chat, &bg, &e);
    }
    if (s != BLOOIO_STATUS_OK) {
        if (atomic_fetch_add(&unexpected, 1) < 5)
            fprintf(stderr, "    %s: %s\n", blooio_status_name(s), blooio_error_message(e));
        blooio_error_free(e);
        return false;
    }
    bool present = false, has = false;
    if (blooio_background_has_background(bg, &present, &has) != BLOOIO_STATUS_OK || !present)
        atomic_fetch_add(&unexpected, 1);
    blooio_background_free(bg);
    return true;
}

static void *work(void *arg) {
    int index = *(int *)arg;
    char chat[32];
    snprintf(chat, sizeof chat, "+1555020000%d", index);
    unsigned char image[80];
    memcpy(image, TL_PNG, TL_PNG_LEN);
    memset(image + TL_PNG_LEN, 0, sizeof image - TL_PNG_LEN);
    for (int i = 0; i < WARMUP; i++)
        one_request(chat, i, image, sizeof image);
    pthread_barrier_wait(&barrier); /* warm-up done: the main thread measures */
    pthread_barrier_wait(&barrier); /* faults scripted: go */
    for (int i = 0; i < requests_per_thread; i++)
        one_request(chat, i, image, sizeof image);
    return NULL;
}

/* A script of `count` faults: a 502 (retry at once) in every FAULT_EVERY, pass-through otherwise. */
static char *fault_script(int count) {
    static const char pass[] = "{},";
    static const char fail[] = "{\"status\":502,\"headers\":{\"Retry-After\":\"0\"}},";
    size_t cap = (size_t)count * sizeof fail + 16, len = 0;
    char *script = malloc(cap);
    script[len++] = '[';
    for (int i = 0; i < count; i++) {
        const char *item = i % FAULT_EVERY == FAULT_EVERY - 1 ? fail : pass;
        size_t n = strlen(item);
        memcpy(script + len, item, n);
        len += n;
    }
    script[len - 1] = ']';
    script[len] = '\0';
    return script;
}

TL_TEST(soak) {
    const char *env = getenv("BLOOIO_SOAK_REQUESTS");
    if (env != NULL && atoi(env) > 0)
        requests_per_thread = atoi(env);
    tl_emu_reset();
    client = tl_client(2, 10000);
    REQUIRE(client != NULL);
    REQUIRE(pthread_barrier_init(&barrier, NULL, THREADS + 1) == 0);
    pthread_t threads[THREADS];
    int indexes[THREADS];
    for (int i = 0; i < THREADS; i++) {
        indexes[i] = i;
        REQUIRE(pthread_create(&threads[i], NULL, work, &indexes[i]) == 0);
    }
    pthread_barrier_wait(&barrier);
    long warm_kib = tl_rss_kib();
    CHECK(atomic_load(&unexpected) == 0);

    /* The 502s go to requests in arrival order. A retry (sent at once) almost always arrives
     * before the next 502 twenty requests later, and a call would need three 502s in a row to
     * fail: so every call must succeed, and each 502 costs exactly one extra request. */
    int total = THREADS * requests_per_thread;
    int faults = total / FAULT_EVERY;
    char *script = fault_script(total);
    tl_emu_script(script);
    free(script);
    long before = tl_emu_stat("requests");
    double start = tl_now_ms();
    pthread_barrier_wait(&barrier);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    double took = tl_now_ms() - start;
    long after_kib = tl_rss_kib();
    long sent = tl_emu_stat("requests") - before;

    fprintf(stderr, "    soak: %d calls (%d scripted 502s) on %d threads in %.1f s (%.0f calls/s)\n", total,
            faults, THREADS, took / 1000, total / (took / 1000));
    fprintf(stderr, "    soak: RSS after warm-up %ld KiB, after the run %ld KiB (%+ld KiB)\n", warm_kib, after_kib,
            after_kib - warm_kib);
    CHECK(atomic_load(&unexpected) == 0);
    CHECK(sent == total + faults);
    CHECK(tl_emu_stat("queued_faults") == 0);
    CHECK(warm_kib > 0 && after_kib > 0);
    CHECK(after_kib - warm_kib <= RSS_SLACK_KIB);
    pthread_barrier_destroy(&barrier);
    blooio_client_free(client);
}

int main(int argc, char **argv) {
    return tl_run(argc, argv);
}

/* Eight threads share one client: every call succeeds, answers for its own chat, and the
 * emulator sees exactly the requests made. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testlib.h"

#define THREADS 8
#define ROUNDS 25

/* One thread of a test: the client and chat it calls, and what it found. */
typedef struct {
    blooio_client *client;
    int index;
    char chat[32];
    int ok;               /* rounds that succeeded (work) */
    blooio_status status; /* the call's status (get_slowly) */
    bool own_answer;      /* whether that call answered for `chat` */
} call_thread;

/* Starts `n` threads running `body`, the i-th on calls[i], calling `client` for chat
 * `<chat_prefix><i>`. False when a thread cannot be started. */
static bool start_threads(pthread_t *threads, call_thread *calls, int n, blooio_client *client,
                          const char *chat_prefix, void *(*body)(void *)) {
    for (int i = 0; i < n; i++) {
        calls[i] = (call_thread){.client = client, .index = i, .status = BLOOIO_STATUS_OTHER};
        snprintf(calls[i].chat, sizeof calls[i].chat, "%s%d", chat_prefix, i);
        if (pthread_create(&threads[i], NULL, body, &calls[i]) != 0)
            return false;
    }
    return true;
}

static void *work(void *arg) {
    call_thread *w = arg;
    const char *chat = w->chat;
    unsigned char image[96];
    memcpy(image, TL_PNG, TL_PNG_LEN);
    for (int round = 0; round < ROUNDS; round++) {
        /* Different bytes each round, so every set changes the background. */
        memset(image + TL_PNG_LEN, round, sizeof image - TL_PNG_LEN);
        blooio_background *set = NULL, *got = NULL;
        blooio_error *e = NULL;
        bool present = false;
        int64_t version = 0;
        if (!CHECK_STATUS(blooio_set_chat_background_bytes(w->client, chat, image, sizeof image, &set, &e),
                          BLOOIO_STATUS_OK)) {
            fprintf(stderr, "    thread %d: %s\n", w->index, blooio_error_message(e));
            blooio_error_free(e);
            continue;
        }
        if (!CHECK_STATUS(blooio_get_chat_background(w->client, chat, &got, &e), BLOOIO_STATUS_OK)) {
            blooio_error_free(e);
            blooio_background_free(set);
            continue;
        }
        CHECK(tl_answers_for(got, chat));
        CHECK(blooio_background_background_version(got, &present, &version) == BLOOIO_STATUS_OK && present &&
              version == round + 1);
        w->ok++;
        blooio_background_free(set);
        blooio_background_free(got);
    }
    return NULL;
}

TL_TEST(eight_threads_share_one_client) {
    tl_emu_reset();
    blooio_client *client = tl_client(0, 0);
    REQUIRE(client != NULL);
    long before = tl_emu_stat("requests");
    pthread_t threads[THREADS];
    call_thread workers[THREADS];
    REQUIRE(start_threads(threads, workers, THREADS, client, "+1555010000", work));
    int ok = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        ok += workers[i].ok;
    }
    CHECK(ok == THREADS * ROUNDS);
    CHECK(tl_emu_stat("requests") - before == THREADS * ROUNDS * 2);
    blooio_client_free(client);
}

static void *get_slowly(void *arg) {
    call_thread *c = arg;
    blooio_background *got = NULL;
    blooio_error *e = NULL;
    c->status = blooio_get_chat_background(c->client, c->chat, &got, &e);
    if (c->status == BLOOIO_STATUS_OK)
        c->own_answer = tl_answers_for(got, c->chat);
    else
        fprintf(stderr, "    call %d: %s\n", c->index, blooio_error_message(e));
    blooio_background_free(got);
    blooio_error_free(e);
    return NULL;
}

/* The library owns the client's lifetime: freeing it while calls on it run is safe, those
 * calls finish normally, and a call made after the free is refused. ASan and valgrind check
 * that nothing is used after it is freed, and that nothing leaks. */
TL_TEST(free_while_calls_run) {
    TL_FRESH_CLIENT(client, "{\"latency_ms\":300}", 0, 0);
    enum { CALLS = 4 };
    pthread_t threads[CALLS];
    call_thread calls[CALLS];
    REQUIRE(start_threads(threads, calls, CALLS, client, "+1555020000", get_slowly));
    /* Every call has reached the server (it holds each for 300 ms) before the free. */
    for (int waited = 0; tl_emu_request_count() < CALLS && waited < 2000; waited += 10) {
        struct timespec ten_ms = {0, 10 * 1000 * 1000};
        nanosleep(&ten_ms, NULL);
    }
    CHECK(tl_emu_request_count() == CALLS);
    blooio_client_free(client);
    for (int i = 0; i < CALLS; i++) {
        pthread_join(threads[i], NULL);
        CHECK_STATUS(calls[i].status, BLOOIO_STATUS_OK);
        CHECK(calls[i].own_answer);
    }
    blooio_background *got = NULL;
    blooio_error *e = NULL;
    CHECK_STATUS(blooio_get_chat_background(client, "+15550200009", &got, &e), BLOOIO_STATUS_INVALID_ARGUMENT);
    CHECK(got == NULL);
    blooio_error_free(e);
    tl_emu_config("{\"latency_ms\":0}");
}

/* A clone is another handle to the same client: freeing the original leaves it working. */
TL_TEST(a_clone_outlives_the_original) {
    TL_FRESH_CLIENT(client, NULL, 0, 0);
    blooio_client *clone = NULL;
    REQUIRE(CHECK_STATUS(blooio_client_clone(client, &clone, NULL), BLOOIO_STATUS_OK));
    CHECK(clone != client);
    blooio_background *got = NULL;
    CHECK_STATUS(blooio_get_chat_background(client, "+15550200010", &got, NULL), BLOOIO_STATUS_OK);
    blooio_background_free(got);
    blooio_client_free(client);
    got = NULL;
    CHECK_STATUS(blooio_get_chat_background(clone, "+15550200010", &got, NULL), BLOOIO_STATUS_OK);
    blooio_background_free(got);
    blooio_client_free(clone);
    CHECK(tl_emu_request_count() == 2);
}

int main(int argc, char **argv) {
    return tl_run(argc, argv);
}

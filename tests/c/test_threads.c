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

static blooio_client *shared_client;

typedef struct {
    int index;
    int ok;
} worker;

static void *work(void *arg) {
    worker *w = arg;
    char chat[32];
    snprintf(chat, sizeof chat, "+1555010000%d", w->index);
    unsigned char image[96];
    memcpy(image, TL_PNG, TL_PNG_LEN);
    for (int round = 0; round < ROUNDS; round++) {
        /* Different bytes each round, so every set changes the background. */
        memset(image + TL_PNG_LEN, round, sizeof image - TL_PNG_LEN);
        blooio_background *set = NULL, *got = NULL;
        blooio_error *e = NULL;
        bool present = false;
        int64_t version = 0;
        if (!CHECK_STATUS(blooio_set_chat_background_bytes(shared_client, chat, image, sizeof image, &set, &e),
                          BLOOIO_STATUS_OK)) {
            fprintf(stderr, "    thread %d: %s\n", w->index, blooio_error_message(e));
            blooio_error_free(e);
            continue;
        }
        if (!CHECK_STATUS(blooio_get_chat_background(shared_client, chat, &got, &e), BLOOIO_STATUS_OK)) {
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
    shared_client = tl_client(0, 0);
    REQUIRE(shared_client != NULL);
    long before = tl_emu_stat("requests");
    pthread_t threads[THREADS];
    worker workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker){.index = i, .ok = 0};
        REQUIRE(pthread_create(&threads[i], NULL, work, &workers[i]) == 0);
    }
    int ok = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        ok += workers[i].ok;
    }
    CHECK(ok == THREADS * ROUNDS);
    CHECK(tl_emu_stat("requests") - before == THREADS * ROUNDS * 2);
    blooio_client_free(shared_client);
}

typedef struct {
    blooio_client *client;
    int index;
    blooio_status status;
    bool own_answer;
} slow_call;

static void *get_slowly(void *arg) {
    slow_call *c = arg;
    char chat[32];
    snprintf(chat, sizeof chat, "+1555020000%d", c->index);
    blooio_background *got = NULL;
    blooio_error *e = NULL;
    c->status = blooio_get_chat_background(c->client, chat, &got, &e);
    if (c->status == BLOOIO_STATUS_OK)
        c->own_answer = tl_answers_for(got, chat);
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
    slow_call calls[CALLS];
    for (int i = 0; i < CALLS; i++) {
        calls[i] = (slow_call){.client = client, .index = i, .status = BLOOIO_STATUS_OTHER};
        REQUIRE(pthread_create(&threads[i], NULL, get_slowly, &calls[i]) == 0);
    }
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

/* Eight threads share one client: every call succeeds, answers for its own chat, and the
 * emulator sees exactly the requests made. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        const char *id = NULL;
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
        CHECK(blooio_background_chat_id(got, &present, &id) == BLOOIO_STATUS_OK && present &&
              strcmp(id, chat) == 0);
        CHECK(blooio_background_background_version(got, &present, &version) == BLOOIO_STATUS_OK && present &&
              version == round + 1);
        w->ok++;
        blooio_background_free(set);
        blooio_background_free(got);
    }
    return NULL;
}

static void test_eight_threads_share_one_client(void) {
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

int main(int argc, char **argv) {
    static const tl_test tests[] = {
        {"eight_threads_share_one_client", test_eight_threads_share_one_client},
    };
    return tl_main(tests, sizeof tests / sizeof tests[0], argc, argv);
}

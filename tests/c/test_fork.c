/* A client shared across fork(): created and warmed in the parent (so its pool holds
 * kept-alive connections), then used by the parent and four children at once. Every answer
 * must name the chat its own process asked for: a child that used an inherited connection
 * would read and write the parent's socket, and answers would cross or fail to parse. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"

#define CHILDREN 4
#define CALLS 50
#define ROUNDS 3

/* `CALLS` GETs of `chat`; how many failed or answered for another chat. */
static int hammer(const blooio_client *client, const char *chat) {
    int bad = 0;
    for (int i = 0; i < CALLS; i++) {
        blooio_background *got = NULL;
        blooio_error *e = NULL;
        if (blooio_get_chat_background(client, chat, &got, &e) != BLOOIO_STATUS_OK) {
            if (bad++ < 3)
                fprintf(stderr, "    %s (pid %d): %s\n", chat, (int)getpid(), blooio_error_message(e));
            blooio_error_free(e);
            continue;
        }
        bool present = false;
        const char *id = NULL;
        if (blooio_background_chat_id(got, &present, &id) != BLOOIO_STATUS_OK || !present ||
            strcmp(id, chat) != 0) {
            if (bad++ < 3)
                fprintf(stderr, "    %s (pid %d): answer for %s\n", chat, (int)getpid(), present ? id : "(none)");
        }
        blooio_background_free(got);
    }
    return bad;
}

TL_TEST(parent_and_children_get_their_own_answers) {
    TL_FRESH_CLIENT(client, NULL, 0, 0);
    const char *parent_chat = "+15552000000";
    long before = tl_emu_stat("requests");
    for (int round = 0; round < ROUNDS; round++) {
        CHECK(hammer(client, parent_chat) == 0); /* the pool is warm */
        pid_t pids[CHILDREN];
        for (int i = 0; i < CHILDREN; i++) {
            fflush(NULL);
            pids[i] = fork();
            REQUIRE(pids[i] >= 0);
            if (pids[i] == 0) {
                char chat[32];
                snprintf(chat, sizeof chat, "+155521%02d%03d", round, i);
                int bad = hammer(client, chat);
                blooio_client_free(client);
                _exit(bad == 0 ? 0 : 1);
            }
        }
        CHECK(hammer(client, parent_chat) == 0);
        for (int i = 0; i < CHILDREN; i++) {
            int status = 0;
            CHECK(waitpid(pids[i], &status, 0) == pids[i]);
            CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
    }
    CHECK(tl_emu_stat("requests") - before == (long)ROUNDS * (CHILDREN + 2) * CALLS);
    blooio_client_free(client);
}

int main(int argc, char **argv) {
    return tl_run(argc, argv);
}

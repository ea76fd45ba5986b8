/* The C library's part of `make bench`, linked to libblooio (release build).
 *
 *   blooio-bench-c get BASE_URL KEY CHAT WARMUP CALLS ROUNDS
 *       per-call GET time over one kept-alive connection, after WARMUP calls
 *   blooio-bench-c put BASE_URL KEY CHAT FILE UPLOADS
 *       uploads FILE by path UPLOADS times; peak RSS before (an idle client that has made one
 *       request) and after
 *
 * Prints one JSON object on stdout, as bench/rust's blooio-bench does.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blooio.h"

static double clock_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double now_ns(void) { return clock_ns(CLOCK_MONOTONIC); }

/* CPU time of the whole process (every thread, user and system). */
static double cpu_ns(void) { return clock_ns(CLOCK_PROCESS_CPUTIME_ID); }

/* VmHWM of this process in KiB, or -1. */
static long peak_rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    if (f == NULL) return -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "VmHWM:", 6) == 0) {
            kib = strtol(line + 6, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kib;
}

static void die(const char *what, enum blooio_status status, blooio_error *error) {
    fprintf(stderr, "blooio-bench-c: %s failed: %s: %s\n", what, blooio_status_name((int)status),
            error != NULL ? blooio_error_message(error) : "(no detail)");
    blooio_error_free(error);
    exit(1);
}

static blooio_client *make_client(const char *base_url, const char *key) {
    blooio_options *options = NULL;
    blooio_client *client = NULL;
    blooio_error *error = NULL;
    enum blooio_status s = blooio_options_new(&options, &error);
    if (s != BLOOIO_STATUS_OK) die("blooio_options_new", s, error);
    if ((s = blooio_options_set_api_key(options, key, &error)) != BLOOIO_STATUS_OK)
        die("set_api_key", s, error);
    if ((s = blooio_options_set_base_url(options, base_url, &error)) != BLOOIO_STATUS_OK)
        die("set_base_url", s, error);
    /* A benchmark must see failures, not hide them behind retries. */
    if ((s = blooio_options_set_max_retries(options, 0, &error)) != BLOOIO_STATUS_OK)
        die("set_max_retries", s, error);
    if ((s = blooio_client_new(options, &client, &error)) != BLOOIO_STATUS_OK)
        die("blooio_client_new", s, error);
    blooio_options_free(options);
    return client;
}

static void get_once(const blooio_client *client, const char *chat) {
    blooio_background *bg = NULL;
    blooio_error *error = NULL;
    enum blooio_status s = blooio_get_chat_background(client, chat, &bg, &error);
    if (s != BLOOIO_STATUS_OK) die("blooio_get_chat_background", s, error);
    blooio_background_free(bg);
}

static int cmd_get(char **argv) {
    blooio_client *client = make_client(argv[0], argv[1]);
    const char *chat = argv[2];
    long warmup = atol(argv[3]), calls = atol(argv[4]), rounds = atol(argv[5]);
    if (calls < 1) calls = 1;
    for (long i = 0; i < warmup; i++) get_once(client, chat);
    if (rounds < 1) rounds = 1;
    double *wall = calloc((size_t)rounds, sizeof *wall), *cpu = calloc((size_t)rounds, sizeof *cpu);
    if (wall == NULL || cpu == NULL) return 1;
    for (long r = 0; r < rounds; r++) {
        double start = now_ns(), cpu_start = cpu_ns();
        for (long i = 0; i < calls; i++) get_once(client, chat);
        wall[r] = (now_ns() - start) / (double)calls;
        cpu[r] = (cpu_ns() - cpu_start) / (double)calls;
    }
    printf("{\"per_call_ns\": {\"c\": [");
    for (long r = 0; r < rounds; r++) printf("%s%.1f", r ? ", " : "", wall[r]);
    printf("]}, \"cpu_per_call_ns\": {\"c\": [");
    for (long r = 0; r < rounds; r++) printf("%s%.1f", r ? ", " : "", cpu[r]);
    printf("]}}\n");
    free(wall);
    free(cpu);
    blooio_client_free(client);
    return 0;
}

static int cmd_put(char **argv) {
    blooio_client *client = make_client(argv[0], argv[1]);
    const char *chat = argv[2], *path = argv[3];
    long uploads = atol(argv[4]);
    if (uploads < 1) uploads = 1;
    get_once(client, chat);
    long idle = peak_rss_kib();
    double *ns = calloc((size_t)uploads, sizeof *ns);
    if (ns == NULL) return 1;
    for (long i = 0; i < uploads; i++) {
        blooio_background *bg = NULL;
        blooio_error *error = NULL;
        double start = now_ns();
        enum blooio_status s = blooio_set_chat_background_file(client, chat, path, &bg, &error);
        ns[i] = now_ns() - start;
        if (s != BLOOIO_STATUS_OK) die("blooio_set_chat_background_file", s, error);
        blooio_background_free(bg);
    }
    long after = peak_rss_kib();
    FILE *f = fopen(path, "rb");
    long size = -1;
    if (f != NULL && fseek(f, 0, SEEK_END) == 0) size = ftell(f);
    if (f != NULL) fclose(f);
    printf("{\"client\": \"c\", \"file_bytes\": %ld, \"hwm_idle_kib\": %ld, \"hwm_after_kib\": %ld, "
           "\"per_upload_ns\": [",
           size, idle, after);
    for (long i = 0; i < uploads; i++) printf("%s%.0f", i ? ", " : "", ns[i]);
    printf("]}\n");
    free(ns);
    blooio_client_free(client);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 8 && strcmp(argv[1], "get") == 0) return cmd_get(argv + 2);
    if (argc == 7 && strcmp(argv[1], "put") == 0) return cmd_put(argv + 2);
    fprintf(stderr,
            "usage: %s get BASE_URL KEY CHAT WARMUP CALLS ROUNDS\n"
            "       %s put BASE_URL KEY CHAT FILE UPLOADS\n",
            argv[0], argv[0]);
    return 2;
}

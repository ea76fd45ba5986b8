/*
 * The shared case table (tests/cases/cases.json) through the C API: every row, no per-row
 * code. Runs under ASan+UBSan and valgrind with the rest of the C suite.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caselib.h"
#include "testlib.h"

/* Makes a client with the row's options; on failure returns NULL and sets *status, *error. */
static blooio_client *row_client(const cl_row *row, blooio_status *status, blooio_error **error) {
    blooio_options *options = NULL;
    blooio_client *client = NULL;
    *status = blooio_options_new(&options, error);
    if (*status == BLOOIO_STATUS_OK)
        *status = blooio_options_set_api_key(options, row->api_key ? row->api_key : tl_api_key(), error);
    if (*status == BLOOIO_STATUS_OK)
        *status = blooio_options_set_base_url(options, row->base_url ? row->base_url : tl_base_url(), error);
    if (*status == BLOOIO_STATUS_OK)
        *status = blooio_options_set_max_retries(options, row->max_retries, error);
    if (*status == BLOOIO_STATUS_OK && row->timeout_ms != 0)
        *status = blooio_options_set_timeout_ms(options, row->timeout_ms, error);
    if (*status == BLOOIO_STATUS_OK)
        *status = blooio_client_new(options, &client, error);
    blooio_options_free(options);
    return client;
}

static blooio_status call(const cl_table *table, const cl_row *row, const blooio_client *client,
                          blooio_background **background, blooio_error **error) {
    if (strcmp(row->call, "get") == 0)
        return blooio_get_chat_background(client, row->chat_id, background, error);
    if (strcmp(row->call, "set_file") == 0) {
        char *path = cl_image_path(table, row->image);
        blooio_status status = blooio_set_chat_background_file(client, row->chat_id, path, background, error);
        cl_image_done(path);
        return status;
    }
    if (strcmp(row->call, "set_bytes") == 0) {
        size_t len = 0;
        unsigned char *data = row->null_data ? NULL : cl_image_bytes(table, row->image, &len);
        blooio_status status = blooio_set_chat_background_bytes(client, row->chat_id, data, len, background, error);
        free(data);
        return status;
    }
    fprintf(stderr, "case %s: unknown call \"%s\"\n", row->name, row->call);
    exit(2);
}

TL_TEST(case_table) {
    cl_table table;
    cl_load(&table);
    size_t rows = cl_row_count(&table), failed = 0;
    for (size_t i = 0; i < rows; i++) {
        cl_row row = cl_row_at(&table, i);
        cl_prepare(&table, i);
        blooio_error *error = NULL;
        blooio_background *background = NULL;
        blooio_status status;
        blooio_client *client = row_client(&row, &status, &error);
        if (client != NULL) {
            if (row.closed)
                blooio_client_free(client); /* the call below gets a handle freed already */
            status = call(&table, &row, client, &background, &error);
            if (!row.closed)
                blooio_client_free(client);
        }
        cl_outcome outcome = {.status = cl_status_name(status)};
        char *json = NULL;
        if (status == BLOOIO_STATUS_OK) {
            CHECK(blooio_background_to_json(background, &json, NULL) == BLOOIO_STATUS_OK);
            outcome.background_json = json;
        } else if (CHECK(error != NULL)) {
            CHECK(blooio_error_status(error) == status);
            outcome.http_status = blooio_error_http_status(error);
            outcome.attempts = blooio_error_attempts(error);
            outcome.has_retry_after = blooio_error_retry_after_ms(error, &outcome.retry_after_ms);
        }
        if (!CHECK(cl_check(&table, i, &outcome)))
            failed++;
        blooio_string_free(json);
        blooio_background_free(background);
        blooio_error_free(error);
    }
    printf("c: ran %zu cases from %s, %zu failed\n", rows, table.path, failed);
    CHECK(rows > 0);
    cl_free(&table);
}

int main(int argc, char **argv) {
    return tl_run(argc, argv);
}

/*
 * Sets a chat's background from an image file, reads it back, and prints both as JSON.
 *
 *   BLOOIO_API_KEY=... [BLOOIO_BASE_URL=...] blooio-example-c CHAT_ID IMAGE_PATH
 *
 * Build: cc -std=c11 main.c $(pkg-config --cflags --libs blooio)
 */
#include <stdio.h>

#include <blooio.h>

/* Prints a failed call's status and message, frees the error, and gives exit status 1. */
static int fail(const char *what, blooio_status status, blooio_error *error) {
    fprintf(stderr, "%s failed: %s: %s\n", what, blooio_status_name((int)status),
            error ? blooio_error_message(error) : "(no detail)");
    const char *request_id = blooio_error_request_id(error);
    if (request_id != NULL)
        fprintf(stderr, "request id: %s\n", request_id);
    blooio_error_free(error);
    return 1;
}

/* Prints a background as one line of JSON. */
static int print_json(const char *label, const blooio_background *background) {
    char *json = NULL;
    blooio_error *error = NULL;
    blooio_status status = blooio_background_to_json(background, &json, &error);
    if (status != BLOOIO_STATUS_OK)
        return fail("to_json", status, error);
    printf("%s %s\n", label, json);
    blooio_string_free(json);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s CHAT_ID IMAGE_PATH  (reads BLOOIO_API_KEY and BLOOIO_BASE_URL)\n", argv[0]);
        return 2;
    }
    const char *chat_id = argv[1], *image_path = argv[2];
    blooio_client *client = NULL;
    blooio_background *set = NULL, *current = NULL;
    blooio_error *error = NULL;
    int exit_code = 0;

    /* NULL options: the key and base URL come from the environment. */
    blooio_status status = blooio_client_new(NULL, &client, &error);
    if (status != BLOOIO_STATUS_OK)
        return fail("blooio_client_new", status, error);

    status = blooio_set_chat_background_file(client, chat_id, image_path, &set, &error);
    if (status != BLOOIO_STATUS_OK) {
        exit_code = fail("set background", status, error);
        goto done;
    }
    if ((exit_code = print_json("set:", set)) != 0)
        goto done;

    status = blooio_get_chat_background(client, chat_id, &current, &error);
    if (status != BLOOIO_STATUS_OK) {
        exit_code = fail("get background", status, error);
        goto done;
    }
    exit_code = print_json("get:", current);

done:
    blooio_background_free(current);
    blooio_background_free(set);
    blooio_client_free(client);
    return exit_code;
}

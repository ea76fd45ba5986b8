/* Built with nothing but `pkg-config --cflags --libs blooio` against an installed prefix; sets
 * and gets a background on the emulator named by BLOOIO_TEST_BASE_URL / BLOOIO_TEST_API_KEY. */
#include <blooio.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, blooio_error *error) {
    fprintf(stderr, "%s: %s\n", what, blooio_error_message(error));
    blooio_error_free(error);
    return 1;
}

int main(void) {
    const char *url = getenv("BLOOIO_TEST_BASE_URL"), *key = getenv("BLOOIO_TEST_API_KEY");
    if (url == NULL || key == NULL) {
        fprintf(stderr, "BLOOIO_TEST_BASE_URL and BLOOIO_TEST_API_KEY must be set\n");
        return 2;
    }
    char header_version[32];
    snprintf(header_version, sizeof header_version, "%d.%d.%d", BLOOIO_VERSION_MAJOR, BLOOIO_VERSION_MINOR,
             BLOOIO_VERSION_PATCH);
    if (strcmp(header_version, blooio_version()) != 0) {
        fprintf(stderr, "header %s, library %s\n", header_version, blooio_version());
        return 1;
    }
    static const unsigned char image[] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a, 'p', 'c'};
    blooio_options *options = NULL;
    blooio_client *client = NULL;
    blooio_background *background = NULL;
    blooio_error *error = NULL;
    char *json = NULL;
    if (blooio_options_new(&options, &error) != BLOOIO_STATUS_OK ||
        blooio_options_set_api_key(options, key, &error) != BLOOIO_STATUS_OK ||
        blooio_options_set_base_url(options, url, &error) != BLOOIO_STATUS_OK ||
        blooio_client_new(options, &client, &error) != BLOOIO_STATUS_OK)
        return fail("client", error);
    blooio_options_free(options);
    if (blooio_set_chat_background_bytes(client, "+15559990001", image, sizeof image, &background, &error) !=
        BLOOIO_STATUS_OK)
        return fail("set", error);
    blooio_background_free(background);
    if (blooio_get_chat_background(client, "+15559990001", &background, &error) != BLOOIO_STATUS_OK)
        return fail("get", error);
    if (blooio_background_to_json(background, &json, &error) != BLOOIO_STATUS_OK)
        return fail("to_json", error);
    printf("pkg-config consumer (libblooio %s): %s\n", blooio_version(), json);
    int ok = strstr(json, "\"has_background\":true") != NULL;
    blooio_string_free(json);
    blooio_background_free(background);
    blooio_client_free(client);
    return ok ? 0 : 1;
}

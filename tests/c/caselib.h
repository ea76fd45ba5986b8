/*
 * The shared case table (tests/cases/cases.json) for the C and C++ suites: a small JSON
 * reader, the table's fixtures and defaults, the emulator set-up of a row and the check of its
 * expectations. A runner only makes the row's call through its own API and fills in a
 * cl_outcome; nothing here knows any particular row. Format: tests/cases/README.md.
 */
#ifndef BLOOIO_CASELIB_H
#define BLOOIO_CASELIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A parsed JSON value. Objects keep their keys in order; `raw` points into the source text. */
typedef enum { CL_NULL, CL_BOOL, CL_NUMBER, CL_STRING, CL_ARRAY, CL_OBJECT } cl_type;
typedef struct cl_json {
    cl_type type;
    bool boolean;
    double number;
    char *string; /* NUL-terminated UTF-8; `length` bytes */
    size_t length;
    struct cl_json *items; /* array elements or object values */
    char **keys;           /* object keys */
    size_t count;
    const char *raw; /* the value's text in the source, `raw_length` bytes */
    size_t raw_length;
} cl_json;

/* Parses `text` (NUL-terminated); false with a message in `why` on a syntax error. */
bool cl_json_parse(const char *text, cl_json *out, char *why, size_t why_len);
void cl_json_free(cl_json *value);
/* The member `key` of an object, or NULL (absent, or `object` is not an object). */
const cl_json *cl_json_get(const cl_json *object, const char *key);

typedef struct {
    char *path;
    char *text;
    cl_json root;
    const cl_json *fixtures; /* an object */
    const cl_json *cases;    /* an array */
} cl_table;

/* Loads $BLOOIO_CASES, else tests/cases/cases.json next to this file's directory; exits the
 * process with a message when it cannot be read or has no rows. */
void cl_load(cl_table *table);
void cl_free(cl_table *table);

/* A row's inputs, with the table's defaults applied. */
typedef struct {
    const char *name;
    const char *call; /* "get", "set_bytes" or "set_file" */
    const char *chat_id;
    size_t chat_id_len;
    const char *image; /* fixture name, or NULL */
    bool null_data;
    bool closed;
    uint32_t max_retries; /* default 0 */
    uint64_t timeout_ms;  /* 0: the library's default */
    const char *api_key;  /* NULL: the emulator's key */
    const char *base_url; /* NULL: the emulator's URL */
} cl_row;

cl_row cl_row_at(const cl_table *table, size_t index);
size_t cl_row_count(const cl_table *table);

/* Resets the emulator and applies the row's `config` and `script`. */
void cl_prepare(const cl_table *table, size_t index);

/* A fixture's bytes (free with free; *len receives their length), or for set_file the path of
 * a file holding them (free with cl_image_done). Missing and directory fixtures are paths. */
unsigned char *cl_image_bytes(const cl_table *table, const char *fixture, size_t *len);
char *cl_image_path(const cl_table *table, const char *fixture);
void cl_image_done(char *path);

/* What the call gave. For a failure: status name, http_status (0 for none), attempts,
 * retry_after_ms when has_retry_after. For a success: status "OK" and the background as the
 * compact JSON object the library produces (`background_json`). */
typedef struct {
    const char *status;
    unsigned http_status;
    unsigned long attempts;
    bool has_retry_after;
    uint64_t retry_after_ms;
    const char *background_json;
} cl_outcome;

/* Compares the outcome and the emulator's request log with the row's `expect`; prints what
 * differs (with the row's name) and returns whether everything matched. */
bool cl_check(const cl_table *table, size_t index, const cl_outcome *outcome);

/* Upper-case status name of a blooio_status value ("RATE_LIMITED"), in a static buffer. */
const char *cl_status_name(int status);

#ifdef __cplusplus
}
#endif

#endif

/* See caselib.h. POSIX (mkdtemp, rmdir); the suite runs on Linux. */
#define _POSIX_C_SOURCE 200809L

#include "caselib.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blooio.h"
#include "testlib.h"

/* --- JSON ------------------------------------------------------------------------------ */

typedef struct {
    const char *at;
    char *why;
    size_t why_len;
    int depth;
} parser;

static bool fail(parser *p, const char *what) {
    if (p->why != NULL && p->why[0] == '\0')
        snprintf(p->why, p->why_len, "%s near \"%.20s\"", what, p->at);
    return false;
}

static void skip_space(parser *p) {
    while (*p->at == ' ' || *p->at == '\t' || *p->at == '\n' || *p->at == '\r')
        p->at++;
}

static void *grow(void *array, size_t count, size_t size) {
    /* Doubles at powers of two, so appending one at a time stays linear. */
    if (count == 0 || (count & (count - 1)) == 0) {
        void *bigger = realloc(array, (count == 0 ? 1 : count * 2) * size);
        if (bigger == NULL) {
            fprintf(stderr, "caselib: out of memory\n");
            exit(2);
        }
        return bigger;
    }
    return array;
}

static int hex_digit(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool read_hex4(parser *p, unsigned *out) {
    unsigned value = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(p->at[i]);
        if (d < 0)
            return fail(p, "bad \\u escape");
        value = value * 16 + (unsigned)d;
    }
    p->at += 4;
    *out = value;
    return true;
}

static size_t put_utf8(char *out, unsigned cp) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A string starting at the opening quote; its decoded bytes are never longer than its text. */
static bool parse_string(parser *p, char **out, size_t *out_len) {
    const char *start = ++p->at;
    const char *end = start;
    while (*end != '"') {
        if (*end == '\0')
            return fail(p, "unterminated string");
        end += (*end == '\\' && end[1] != '\0') ? 2 : 1;
    }
    char *s = malloc((size_t)(end - start) + 1);
    size_t n = 0;
    while (p->at < end) {
        char c = *p->at++;
        if ((unsigned char)c < 0x20) {
            free(s);
            return fail(p, "control character in a string");
        }
        if (c != '\\') {
            s[n++] = c;
            continue;
        }
        char e = *p->at++;
        switch (e) {
        case '"': case '\\': case '/': s[n++] = e; break;
        case 'b': s[n++] = '\b'; break;
        case 'f': s[n++] = '\f'; break;
        case 'n': s[n++] = '\n'; break;
        case 'r': s[n++] = '\r'; break;
        case 't': s[n++] = '\t'; break;
        case 'u': {
            unsigned cp, low;
            if (!read_hex4(p, &cp)) {
                free(s);
                return false;
            }
            if (cp >= 0xD800 && cp < 0xDC00) {
                if (p->at[0] != '\\' || p->at[1] != 'u') {
                    free(s);
                    return fail(p, "lone surrogate");
                }
                p->at += 2;
                if (!read_hex4(p, &low) || low < 0xDC00 || low > 0xDFFF) {
                    free(s);
                    return fail(p, "bad surrogate pair");
                }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            }
            n += put_utf8(s + n, cp);
            break;
        }
        default:
            free(s);
            return fail(p, "bad escape");
        }
    }
    p->at = end + 1;
    s[n] = '\0';
    *out = s;
    *out_len = n;
    return true;
}

static bool parse_value(parser *p, cl_json *v);

static bool parse_container(parser *p, cl_json *v, bool object) {
    char close = object ? '}' : ']';
    p->at++;
    skip_space(p);
    if (*p->at == close) {
        p->at++;
        return true;
    }
    for (;;) {
        skip_space(p);
        if (object) {
            if (*p->at != '"')
                return fail(p, "expected a key");
            v->keys = grow(v->keys, v->count, sizeof *v->keys);
            size_t key_len;
            if (!parse_string(p, &v->keys[v->count], &key_len))
                return false;
            skip_space(p);
            if (*p->at++ != ':') {
                free(v->keys[v->count]);
                return fail(p, "expected ':'");
            }
        }
        v->items = grow(v->items, v->count, sizeof *v->items);
        memset(&v->items[v->count], 0, sizeof *v->items);
        v->count++; /* counted before parsing, so that cl_json_free frees a partial value */
        if (!parse_value(p, &v->items[v->count - 1]))
            return false;
        skip_space(p);
        if (*p->at == ',') {
            p->at++;
            continue;
        }
        if (*p->at == close) {
            p->at++;
            return true;
        }
        return fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static bool parse_value(parser *p, cl_json *v) {
    memset(v, 0, sizeof *v);
    if (++p->depth > 64)
        return fail(p, "nested too deeply");
    skip_space(p);
    v->raw = p->at;
    bool ok;
    if (*p->at == '{') {
        v->type = CL_OBJECT;
        ok = parse_container(p, v, true);
    } else if (*p->at == '[') {
        v->type = CL_ARRAY;
        ok = parse_container(p, v, false);
    } else if (*p->at == '"') {
        v->type = CL_STRING;
        ok = parse_string(p, &v->string, &v->length);
    } else if (strncmp(p->at, "true", 4) == 0 || strncmp(p->at, "false", 5) == 0) {
        v->type = CL_BOOL;
        v->boolean = *p->at == 't';
        p->at += v->boolean ? 4 : 5;
        ok = true;
    } else if (strncmp(p->at, "null", 4) == 0) {
        v->type = CL_NULL;
        p->at += 4;
        ok = true;
    } else if (*p->at == '-' || isdigit((unsigned char)*p->at)) {
        char *end;
        v->type = CL_NUMBER;
        v->number = strtod(p->at, &end);
        ok = end != p->at;
        p->at = end;
    } else {
        ok = fail(p, "unexpected character");
    }
    v->raw_length = (size_t)(p->at - v->raw);
    p->depth--;
    return ok;
}

bool cl_json_parse(const char *text, cl_json *out, char *why, size_t why_len) {
    parser p = {text, why, why_len, 0};
    if (why != NULL && why_len > 0)
        why[0] = '\0';
    if (!parse_value(&p, out))
        return false;
    skip_space(&p);
    if (*p.at != '\0')
        return fail(&p, "text after the value");
    return true;
}

void cl_json_free(cl_json *v) {
    for (size_t i = 0; i < v->count; i++) {
        cl_json_free(&v->items[i]);
        if (v->type == CL_OBJECT && v->keys != NULL)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->string);
    memset(v, 0, sizeof *v);
}

const cl_json *cl_json_get(const cl_json *object, const char *key) {
    if (object == NULL || object->type != CL_OBJECT)
        return NULL;
    for (size_t i = 0; i < object->count; i++)
        if (strcmp(object->keys[i], key) == 0)
            return &object->items[i];
    return NULL;
}

static bool same_json(const cl_json *a, const cl_json *b) {
    if (a == NULL || b == NULL || a->type != b->type)
        return a == b;
    switch (a->type) {
    case CL_NULL: return true;
    case CL_BOOL: return a->boolean == b->boolean;
    case CL_NUMBER: return a->number == b->number;
    case CL_STRING: return a->length == b->length && memcmp(a->string, b->string, a->length) == 0;
    case CL_ARRAY:
        if (a->count != b->count)
            return false;
        for (size_t i = 0; i < a->count; i++)
            if (!same_json(&a->items[i], &b->items[i]))
                return false;
        return true;
    case CL_OBJECT:
        if (a->count != b->count)
            return false;
        for (size_t i = 0; i < a->count; i++)
            if (!same_json(&a->items[i], cl_json_get(b, a->keys[i])))
                return false;
        return true;
    }
    return false;
}

/* --- the table --------------------------------------------------------------------------- */

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

static char *default_table_path(void) {
    /* This file is tests/c/caselib.c; the table is tests/cases/cases.json. */
    const char *here = __FILE__;
    const char *slash = strrchr(here, '/');
    size_t dir_len = slash ? (size_t)(slash - here) + 1 : 0;
    const char *rest = "../cases/cases.json";
    char *path = malloc(dir_len + strlen(rest) + 1);
    memcpy(path, here, dir_len);
    strcpy(path + dir_len, rest);
    return path;
}

void cl_load(cl_table *table) {
    memset(table, 0, sizeof *table);
    const char *env = getenv("BLOOIO_CASES");
    table->path = env && *env ? strdup(env) : default_table_path();
    table->text = read_file(table->path);
    if (table->text == NULL) {
        fprintf(stderr, "cannot read the case table %s: %s\n", table->path, strerror(errno));
        exit(2);
    }
    char why[128];
    if (!cl_json_parse(table->text, &table->root, why, sizeof why)) {
        fprintf(stderr, "%s: %s\n", table->path, why);
        exit(2);
    }
    table->fixtures = cl_json_get(&table->root, "fixtures");
    table->cases = cl_json_get(&table->root, "cases");
    if (table->fixtures == NULL || table->cases == NULL || table->cases->type != CL_ARRAY ||
        table->cases->count == 0) {
        fprintf(stderr, "%s: no \"fixtures\" object or no rows in \"cases\"\n", table->path);
        exit(2);
    }
}

void cl_free(cl_table *table) {
    cl_json_free(&table->root);
    free(table->text);
    free(table->path);
}

size_t cl_row_count(const cl_table *table) { return table->cases->count; }

static const char *string_or(const cl_json *v, const char *fallback) {
    return v != NULL && v->type == CL_STRING ? v->string : fallback;
}

static bool flag(const cl_json *v) { return v != NULL && v->type == CL_BOOL && v->boolean; }

cl_row cl_row_at(const cl_table *table, size_t index) {
    const cl_json *row = &table->cases->items[index];
    const cl_json *client = cl_json_get(row, "client");
    const cl_json *retries = cl_json_get(client, "max_retries");
    const cl_json *timeout = cl_json_get(client, "timeout_ms");
    const cl_json *chat = cl_json_get(row, "chat_id");
    cl_row r = {
        .name = string_or(cl_json_get(row, "name"), "(unnamed)"),
        .call = string_or(cl_json_get(row, "call"), ""),
        .chat_id = string_or(chat, ""),
        .chat_id_len = chat && chat->type == CL_STRING ? chat->length : 0,
        .image = string_or(cl_json_get(row, "image"), NULL),
        .null_data = flag(cl_json_get(row, "null_data")),
        .closed = flag(cl_json_get(row, "closed")),
        .max_retries = retries && retries->type == CL_NUMBER ? (uint32_t)retries->number : 0,
        .timeout_ms = timeout && timeout->type == CL_NUMBER ? (uint64_t)timeout->number : 0,
        .api_key = string_or(cl_json_get(client, "api_key"), NULL),
        .base_url = string_or(cl_json_get(client, "base_url"), NULL),
    };
    return r;
}

static char *raw_text(const cl_json *v) {
    char *s = malloc(v->raw_length + 1);
    memcpy(s, v->raw, v->raw_length);
    s[v->raw_length] = '\0';
    return s;
}

void cl_prepare(const cl_table *table, size_t index) {
    const cl_json *row = &table->cases->items[index];
    tl_emu_reset();
    const cl_json *config = cl_json_get(row, "config");
    if (config != NULL) {
        char *text = raw_text(config);
        tl_emu_config(text);
        free(text);
    }
    const cl_json *script = cl_json_get(row, "script");
    if (script != NULL && script->count > 0) {
        char *text = raw_text(script);
        tl_emu_script(text);
        free(text);
    }
}

static const cl_json *fixture(const cl_table *table, const char *name) {
    const cl_json *spec = name ? cl_json_get(table->fixtures, name) : NULL;
    if (spec == NULL) {
        fprintf(stderr, "%s: no fixture \"%s\"\n", table->path, name ? name : "(none)");
        exit(2);
    }
    return spec;
}

static unsigned char *from_hex(const char *hex, size_t *len) {
    size_t n = strlen(hex) / 2;
    unsigned char *out = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++)
        out[i] = (unsigned char)(hex_digit(hex[2 * i]) * 16 + hex_digit(hex[2 * i + 1]));
    *len = n;
    return out;
}

unsigned char *cl_image_bytes(const cl_table *table, const char *name, size_t *len) {
    const cl_json *spec = fixture(table, name);
    const cl_json *hex = cl_json_get(spec, "hex");
    if (hex != NULL)
        return from_hex(string_or(hex, ""), len);
    const cl_json *size = cl_json_get(spec, "size");
    const char *head_name = string_or(cl_json_get(spec, "starts_with"), NULL);
    if (size == NULL || head_name == NULL) {
        fprintf(stderr, "%s: fixture \"%s\" is not bytes\n", table->path, name);
        exit(2);
    }
    size_t head_len;
    unsigned char *head = cl_image_bytes(table, head_name, &head_len);
    *len = (size_t)size->number;
    unsigned char *out = calloc(*len, 1);
    memcpy(out, head, head_len < *len ? head_len : *len);
    free(head);
    return out;
}

/* Every path handed out lives in a directory of its own, removed by cl_image_done. */
char *cl_image_path(const cl_table *table, const char *name) {
    const cl_json *spec = fixture(table, name);
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/blooio-c-cases-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
        exit(2);
    }
    char *path = malloc(strlen(dir) + 32);
    if (flag(cl_json_get(spec, "missing"))) {
        sprintf(path, "%s/does-not-exist.png", dir);
    } else if (flag(cl_json_get(spec, "directory"))) {
        sprintf(path, "%s/directory", dir);
        mkdir(path, 0755);
    } else {
        sprintf(path, "%s/image", dir);
        size_t len;
        unsigned char *data = cl_image_bytes(table, name, &len);
        FILE *f = fopen(path, "wb");
        if (f == NULL || (len > 0 && fwrite(data, 1, len, f) != len) || fclose(f) != 0) {
            fprintf(stderr, "writing %s failed\n", path);
            exit(2);
        }
        free(data);
    }
    return path;
}

void cl_image_done(char *path) {
    if (path == NULL)
        return;
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            rmdir(path);
        else
            unlink(path);
    }
    char *slash = strrchr(path, '/');
    if (slash != NULL) {
        *slash = '\0';
        rmdir(path);
    }
    free(path);
}

const char *cl_status_name(int status) {
    static _Thread_local char upper[64];
    const char *name = blooio_status_name(status);
    size_t i = 0;
    for (; name[i] != '\0' && i + 1 < sizeof upper; i++)
        upper[i] = (char)toupper((unsigned char)name[i]);
    upper[i] = '\0';
    return upper;
}

/* --- checking ---------------------------------------------------------------------------- */

typedef struct {
    const char *row;
    bool ok;
} verdict;

static void wrong(verdict *v, const char *what, const char *got, const char *want) {
    if (v->ok)
        fprintf(stderr, "    case %s:\n", v->row);
    v->ok = false;
    fprintf(stderr, "      %s: got %s, expected %s\n", what, got, want);
}

static void same_number(verdict *v, const char *what, double got, bool got_null, const cl_json *want) {
    bool want_null = want == NULL || want->type == CL_NULL;
    if (got_null == want_null && (got_null || (want->type == CL_NUMBER && want->number == got)))
        return;
    char g[32], w[32];
    if (got_null)
        strcpy(g, "null");
    else
        snprintf(g, sizeof g, "%.0f", got);
    if (want_null)
        strcpy(w, "null");
    else
        snprintf(w, sizeof w, "%.0f", want->type == CL_NUMBER ? want->number : -1.0);
    wrong(v, what, g, w);
}

static void same_string(verdict *v, const char *what, const cl_json *got, const cl_json *want) {
    if (!same_json(got, want))
        wrong(v, what, got && got->type == CL_STRING ? got->string : "(not a string)",
              want && want->type == CL_STRING ? want->string : "(not a string)");
}

bool cl_check(const cl_table *table, size_t index, const cl_outcome *out) {
    const cl_json *row = &table->cases->items[index];
    const cl_json *expect = cl_json_get(row, "expect");
    verdict v = {cl_row_at(table, index).name, true};
    char why[128];

    char *log_text = tl_emu_requests();
    cl_json records;
    if (!cl_json_parse(log_text, &records, why, sizeof why) || records.type != CL_ARRAY) {
        wrong(&v, "the emulator's request log", why, "a JSON array");
        free(log_text);
        return false;
    }
    const char *want_status = string_or(cl_json_get(expect, "status"), "(missing)");
    if (strcmp(out->status, want_status) != 0)
        wrong(&v, "status", out->status, want_status);
    same_number(&v, "requests recorded", (double)records.count, false, cl_json_get(expect, "requests"));
    bool ok_call = strcmp(out->status, "OK") == 0;
    if (ok_call) {
        same_number(&v, "attempts (requests recorded)", (double)records.count, false,
                    cl_json_get(expect, "attempts"));
    } else {
        same_number(&v, "attempts", (double)out->attempts, false, cl_json_get(expect, "attempts"));
        const cl_json *http = cl_json_get(expect, "http_status");
        if (http != NULL)
            same_number(&v, "http_status", out->http_status, out->http_status == 0, http);
        const cl_json *retry_after = cl_json_get(expect, "retry_after_ms");
        if (retry_after != NULL)
            same_number(&v, "retry_after_ms", (double)out->retry_after_ms, !out->has_retry_after, retry_after);
    }
    const cl_json *raw_path = cl_json_get(expect, "raw_path");
    if (raw_path != NULL)
        for (size_t i = 0; i < records.count; i++)
            same_string(&v, "a request's raw_path", cl_json_get(&records.items[i], "raw_path"), raw_path);
    const cl_json *part = cl_json_get(expect, "part");
    if (part != NULL) {
        const cl_json *parts = records.count ? cl_json_get(&records.items[records.count - 1], "parts") : NULL;
        if (parts == NULL || parts->type != CL_ARRAY || parts->count != 1) {
            wrong(&v, "multipart parts of the last request", "not exactly one", "one");
        } else {
            same_string(&v, "part name", cl_json_get(&parts->items[0], "name"), cl_json_get(part, "name"));
            same_string(&v, "part content_type", cl_json_get(&parts->items[0], "content_type"),
                        cl_json_get(part, "content_type"));
        }
    }
    const cl_json *background = cl_json_get(expect, "background");
    if (background != NULL && ok_call) {
        cl_json got;
        if (out->background_json == NULL ||
            !cl_json_parse(out->background_json, &got, why, sizeof why)) {
            wrong(&v, "background", "no JSON", "a JSON object");
        } else {
            for (size_t i = 0; i < background->count; i++) {
                const cl_json *value = cl_json_get(&got, background->keys[i]);
                if (!same_json(value, &background->items[i])) {
                    char what[96], g[128], w[128];
                    snprintf(what, sizeof what, "background.%s", background->keys[i]);
                    snprintf(g, sizeof g, "%.*s", value ? (int)value->raw_length : 6,
                             value ? value->raw : "absent");
                    snprintf(w, sizeof w, "%.*s", (int)background->items[i].raw_length,
                             background->items[i].raw);
                    wrong(&v, what, g, w);
                }
            }
            cl_json_free(&got);
        }
    }
    cl_json_free(&records);
    free(log_text);
    return v.ok;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_job_stream_v2.c - libFuzzer harness for the v2 list body (POST /v2/{project_id}/
 * training-job-searches) through the job splitter (firmware/job_stream.c), which hands out a
 * filtered copy of each element of "items".
 *
 * Input layout: byte 0 steers the run, the rest is the response body.
 *   byte0 & 3    the largest piece fed at once: 1, 7, 64 or 4096 bytes;
 *   byte0 >> 2   seeds the generator of the piece sizes (1..largest).
 * The body is read in pieces, then again whole.
 *
 * Invariants checked (abort() on violation, which libFuzzer reports):
 *   - an item handed out is 2..M2M_JOB_MAX bytes, '{' to '}', NUL after it; jsmn parses it as
 *     one object and nothing else; it holds only the kept members: "kind" with a scalar,
 *     "metadata" and "status" objects holding only their kept members (id, name, description,
 *     create_time, workspace_id, user_name; phase, secondary_phase, duration, start_time), each
 *     with a scalar;
 *   - an item read again, as the only item of a body, comes out byte for byte the same (so it
 *     is valid JSON to the splitter's own strict reading, and compact);
 *   - after an error every feed returns ERR_STATE and finish the same error; error_code and
 *     error_message are NUL-terminated inside their buffers; is_success stays -1; jobs_seen
 *     equals the number of callbacks;
 *   - split invariance: the whole-body pass hands out the same items, byte for byte, and ends
 *     with the same status and, when it succeeded, the same top-level fields;
 *   - when the body was read without error, an independent reading of it (jsmn over the whole
 *     body, the filter rules applied to its tokens) gives the same items, the same total and the
 *     same error code and message.
 * An item whose copy holds "name":"stop" makes the callback return 42: the stream must end with
 * JOB_STREAM_ERR_CALLBACK and callback_result 42.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job_record.h" /* json_decode_string, json_parse_int64; jsmn through m2m_jsmn.h */
#include "job_stream.h"

#if !M2M_WITH_V2
#error "the v2 harness needs the v2 list call (M2M_WITH_V2)"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#include "stream_pieces.h"

#define STOP_RESULT 42
#define ITEM_TOKENS_MAX M2M_JOB_MAX
/* Keys are read from a 24-byte buffer: a longer raw key is never a kept one. */
#define KEY_RAW_MAX 24

static const char *const kept_metadata[] = {"id",          "name",         "description",
                                            "create_time", "workspace_id", "user_name"};
static const char *const kept_status[] = {"phase", "secondary_phase", "duration", "start_time"};

/* Items of one pass, each followed by '\n'. */
typedef struct {
    char *text;
    size_t len;
    size_t cap;
    uint32_t callbacks;
} pass_t;

static job_stream_t stream, first_stream, refilter_stream;
static pass_t split_pass, whole_pass;
static jsmntok_t item_tokens[ITEM_TOKENS_MAX];
static char refilter_body[M2M_JOB_MAX + 32];
static char refilter_copy[M2M_JOB_MAX + 1];
static size_t refilter_len;

static int name_is(const char *text, const jsmntok_t *t, const char *name)
{
    size_t n = strlen(name);
    return t->type == JSMN_STRING && (size_t)(t->end - t->start) == n &&
           memcmp(text + t->start, name, n) == 0;
}

static int is_scalar(const jsmntok_t *t)
{
    return (t->type == JSMN_STRING || t->type == JSMN_PRIMITIVE) && t->size == 0;
}

/* The object at t[i] holds only kept scalar members; returns the index after it. */
static int check_kept_object(const char *text, const jsmntok_t *t, int i, int count,
                             const char *const *names, size_t n_names)
{
    int members, m;

    CHECK(i < count && t[i].type == JSMN_OBJECT);
    members = t[i].size;
    i++;
    for (m = 0; m < members; m++) {
        size_t k;
        int known = 0;
        CHECK(i + 1 < count && t[i].size == 1);
        for (k = 0; k < n_names; k++) {
            known |= name_is(text, &t[i], names[k]);
        }
        CHECK(known);
        CHECK(is_scalar(&t[i + 1]));
        i += 2;
    }
    return i;
}

static void check_item(const char *item, size_t len)
{
    jsmn_parser parser;
    int count, i = 1, m;

    jsmn_init(&parser);
    count = jsmn_parse(&parser, item, len, item_tokens, ITEM_TOKENS_MAX);
    CHECK(count >= 1);
    CHECK(item_tokens[0].type == JSMN_OBJECT && item_tokens[0].start == 0 &&
          (size_t)item_tokens[0].end == len);
    for (m = 0; m < item_tokens[0].size; m++) {
        CHECK(i + 1 < count && item_tokens[i].size == 1);
        if (name_is(item, &item_tokens[i], "kind")) {
            CHECK(is_scalar(&item_tokens[i + 1]));
            i += 2;
        } else if (name_is(item, &item_tokens[i], "metadata")) {
            i = check_kept_object(item, item_tokens, i + 1, count, kept_metadata,
                                  sizeof kept_metadata / sizeof kept_metadata[0]);
        } else {
            CHECK(name_is(item, &item_tokens[i], "status"));
            i = check_kept_object(item, item_tokens, i + 1, count, kept_status,
                                  sizeof kept_status / sizeof kept_status[0]);
        }
    }
    CHECK(i == count);
}

static int keep_refiltered(void *user, char *item, size_t len)
{
    (void)user;
    CHECK(refilter_len == (size_t)-1); /* one item */
    memcpy(refilter_copy, item, len);
    refilter_len = len;
    return 0;
}

static void check_refilters_to_itself(const char *item, size_t len)
{
    size_t n =
        (size_t)snprintf(refilter_body, sizeof refilter_body, "{\"items\":[%.*s]}", (int)len, item);
    refilter_len = (size_t)-1;
    job_stream_init_api(&refilter_stream, JOB_STREAM_V2, keep_refiltered, NULL);
    CHECK(job_stream_feed(&refilter_stream, (const uint8_t *)refilter_body, n) == JOB_STREAM_OK);
    CHECK(job_stream_finish(&refilter_stream) == JOB_STREAM_OK);
    CHECK(refilter_len == len && memcmp(refilter_copy, item, len) == 0);
}

static int holds(const char *text, size_t len, const char *needle)
{
    size_t n = strlen(needle), i;
    for (i = 0; i + n <= len; i++) {
        if (memcmp(text + i, needle, n) == 0) {
            return 1;
        }
    }
    return 0;
}

static void append(pass_t *pass, const char *text, size_t len)
{
    CHECK(pass->len + len + 1 <= pass->cap);
    memcpy(pass->text + pass->len, text, len);
    pass->len += len;
    pass->text[pass->len++] = '\n';
}

static int on_item(void *user, char *item, size_t len)
{
    pass_t *pass = (pass_t *)user;

    CHECK(len >= 2 && len <= M2M_JOB_MAX);
    CHECK(item[0] == '{' && item[len - 1] == '}' && item[len] == '\0');
    check_item(item, len);
    check_refilters_to_itself(item, len);
    append(pass, item, len);
    pass->callbacks++;
    return holds(item, len, "\"name\":\"stop\"") ? STOP_RESULT : 0;
}

/* Read body[0..n) in pieces of 1..max_piece bytes (whole when max_piece is 0); returns the
 * final status. */
static job_stream_status_t run_pass(pass_t *pass, const uint8_t *body, size_t n, size_t max_piece,
                                    uint32_t seed)
{
    job_stream_status_t fin;

    pass->len = 0;
    pass->callbacks = 0;
    job_stream_init_api(&stream, JOB_STREAM_V2, on_item, pass);
    fin = feed_in_pieces(&stream, body, n, max_piece, seed);
    CHECK(stream.jobs_seen == pass->callbacks);
    CHECK(stream.is_success == -1);
    CHECK(stream.has_job_count_limit == 0 && stream.has_quotas == 0);
    if (fin == JOB_STREAM_ERR_CALLBACK) {
        CHECK(stream.callback_result == STOP_RESULT);
    }
    return fin;
}

/* ---- the independent reading: jsmn over the whole body -------------------------------------- */

/* The index after the value at t[i] and everything inside it. */
static int skip(const jsmntok_t *t, int i)
{
    int pending = 1;
    while (pending > 0) {
        pending += t[i].size - 1;
        i++;
    }
    return i;
}

/* The key at t[i] decoded into out (KEY_RAW_MAX + 1 bytes); its length, or -1 when its raw text
 * is too long to be a kept key. */
static long decoded_key(const char *body, const jsmntok_t *t, char *out)
{
    size_t raw = (size_t)(t->end - t->start);
    if (raw > KEY_RAW_MAX) {
        return -1;
    }
    return json_decode_string(body + t->start, raw, out);
}

static int key_is(const char *body, const jsmntok_t *t, const char *name)
{
    char key[KEY_RAW_MAX + 1];
    long n = decoded_key(body, t, key);
    return n >= 0 && (size_t)n == strlen(name) && memcmp(key, name, (size_t)n) == 0;
}

static void put(pass_t *out, const char *text, size_t n)
{
    CHECK(out->len + n <= out->cap);
    memcpy(out->text + out->len, text, n);
    out->len += n;
}

/* A scalar's text as written: a string with its quotes. */
static void put_scalar(pass_t *out, const char *body, const jsmntok_t *t)
{
    int quoted = t->type == JSMN_STRING;
    put(out, body + t->start - quoted, (size_t)(t->end - t->start) + 2 * (size_t)quoted);
}

/* The members of the object at t[i] whose decoded key is one of names and whose value is a
 * scalar, as ,"key":value; returns the index after the object. */
static int put_kept(pass_t *out, const char *body, const jsmntok_t *t, int i,
                    const char *const *names, size_t n_names)
{
    int members = t[i].size, m, first = 1;
    put(out, "{", 1);
    i++;
    for (m = 0; m < members; m++) {
        size_t k;
        for (k = 0; k < n_names; k++) {
            if (t[i + 1].size == 0 && t[i + 1].type != JSMN_OBJECT && t[i + 1].type != JSMN_ARRAY &&
                key_is(body, &t[i], names[k])) {
                put(out, first ? "\"" : ",\"", first ? 1 : 2);
                put(out, names[k], strlen(names[k]));
                put(out, "\":", 2);
                put_scalar(out, body, &t[i + 1]);
                first = 0;
                break;
            }
        }
        i = skip(t, i + 1);
    }
    put(out, "}", 1);
    return i;
}

static void put_item(pass_t *out, const char *body, const jsmntok_t *t, int i)
{
    int members = t[i].size, m, first = 1;
    put(out, "{", 1);
    i++;
    for (m = 0; m < members; m++) {
        const jsmntok_t *v = &t[i + 1];
        int scalar = v->type == JSMN_STRING || v->type == JSMN_PRIMITIVE;
        const char *name = NULL;
        if (scalar && key_is(body, &t[i], "kind")) {
            name = "kind";
        } else if (v->type == JSMN_OBJECT && key_is(body, &t[i], "metadata")) {
            name = "metadata";
        } else if (v->type == JSMN_OBJECT && key_is(body, &t[i], "status")) {
            name = "status";
        }
        if (name != NULL) {
            put(out, first ? "\"" : ",\"", first ? 1 : 2);
            put(out, name, strlen(name));
            put(out, "\":", 2);
            first = 0;
            if (scalar) {
                put_scalar(out, body, v);
            } else if (name[0] == 'm') {
                put_kept(out, body, t, i + 1, kept_metadata,
                         sizeof kept_metadata / sizeof kept_metadata[0]);
            } else {
                put_kept(out, body, t, i + 1, kept_status,
                         sizeof kept_status / sizeof kept_status[0]);
            }
        }
        i = skip(t, i + 1);
    }
    put(out, "}\n", 2);
}

/* The string at t decoded into out (cap bytes), cut before the first byte that does not fit
 * (backing off to a character start) and NUL-terminated, as the splitter keeps error text. */
static void decode_text(const char *body, const jsmntok_t *t, char *out, size_t cap)
{
    size_t raw = (size_t)(t->end - t->start);
    char *text = malloc(raw + 1);
    long n;

    CHECK(text != NULL);
    n = json_decode_string(body + t->start, raw, text);
    CHECK(n >= 0);
    if ((size_t)n >= cap) {
        n = (long)cap - 1;
        while (n > 0 && ((uint8_t)text[n] & 0xC0) == 0x80) {
            n--;
        }
    }
    memcpy(out, text, (size_t)n);
    out[n] = '\0';
    free(text);
}

/* Read a body the splitter accepted with jsmn and apply the filter's rules to its tokens. */
static void check_against_jsmn(const char *body, size_t n, const job_stream_t *s, const pass_t *got,
                               pass_t *want)
{
    jsmntok_t *t = malloc((n + 1) * sizeof *t);
    jsmn_parser parser;
    int count, i = 1, m;
    int has_total = 0;
    int64_t total = 0;
    static char error_code[sizeof s->error_code];
    static char error_message[sizeof s->error_message];

    CHECK(t != NULL);
    jsmn_init(&parser);
    count = jsmn_parse(&parser, body, n, t, (unsigned)(n + 1));
    CHECK(count >= 1 && t[0].type == JSMN_OBJECT);
    want->len = 0;
    error_code[0] = error_message[0] = '\0';
    for (m = 0; m < t[0].size; m++) {
        const jsmntok_t *v = &t[i + 1];
        if (key_is(body, &t[i], "items") && v->type == JSMN_ARRAY) {
            int e, j = i + 2;
            for (e = 0; e < v->size; e++) {
                CHECK(t[j].type == JSMN_OBJECT);
                put_item(want, body, t, j);
                j = skip(t, j);
            }
        } else if (key_is(body, &t[i], "total")) {
            /* the last one wins; a value other than an integer leaves none */
            has_total = v->type == JSMN_PRIMITIVE &&
                        json_parse_int64(body + v->start, (size_t)(v->end - v->start), &total) == 0;
        } else if (key_is(body, &t[i], "error_code")) {
            /* the last one wins; a value other than a string leaves none */
            error_code[0] = '\0';
            if (v->type == JSMN_STRING) {
                decode_text(body, v, error_code, sizeof error_code);
            }
        } else if (key_is(body, &t[i], "error_msg") || key_is(body, &t[i], "error_message")) {
            error_message[0] = '\0';
            if (v->type == JSMN_STRING) {
                decode_text(body, v, error_message, sizeof error_message);
            }
        }
        i = skip(t, i + 1);
    }
    CHECK(want->len == got->len && memcmp(want->text, got->text, got->len) == 0);
    CHECK(s->has_job_total_count == has_total);
    CHECK(!has_total || s->job_total_count == total);
    CHECK(strcmp(s->error_code, error_code) == 0);
    CHECK(strcmp(s->error_message, error_message) == 0);
    free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t pieces[4] = {1, 7, 64, 4096};
    static pass_t reference;
    job_stream_status_t st1, st2;
    size_t n;

    if (size < 1) {
        return 0;
    }
    n = size - 1;
    /* A filtered item is never longer than the element it came from, so each pass's items fit
     * in the body's size (plus a '\n' per item, and an item is at least 2 bytes). */
    split_pass.cap = whole_pass.cap = reference.cap = 2 * n + 2;
    split_pass.text = malloc(split_pass.cap);
    whole_pass.text = malloc(whole_pass.cap);
    reference.text = malloc(reference.cap);
    CHECK(split_pass.text != NULL && whole_pass.text != NULL && reference.text != NULL);

    st1 = run_pass(&split_pass, data + 1, n, pieces[data[0] & 3], data[0] >> 2);
    memcpy(&first_stream, &stream, sizeof stream);
    st2 = run_pass(&whole_pass, data + 1, n, 0, 0);

    CHECK(st1 == st2);
    CHECK(split_pass.callbacks == whole_pass.callbacks);
    CHECK(split_pass.len == whole_pass.len &&
          memcmp(split_pass.text, whole_pass.text, split_pass.len) == 0);
    if (st1 == JOB_STREAM_OK) {
        CHECK(first_stream.has_jobs == stream.has_jobs);
        CHECK(first_stream.has_job_total_count == stream.has_job_total_count);
        CHECK(first_stream.job_total_count == stream.job_total_count);
        CHECK(strcmp(first_stream.error_code, stream.error_code) == 0);
        CHECK(strcmp(first_stream.error_message, stream.error_message) == 0);
        check_against_jsmn((const char *)data + 1, n, &stream, &whole_pass, &reference);
    }
    free(split_pass.text);
    free(whole_pass.text);
    free(reference.text);
    return 0;
}

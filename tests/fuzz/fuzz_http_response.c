/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_http_response.c - libFuzzer harness for the HTTP response parser
 * (firmware/http_response.c), driven through its public entry points only.
 *
 * Input layout: byte 0 and byte 1 steer the run, the rest is the response.
 *   split   = (byte0 << 8 | byte1) % (n + 1): the response is fed in two
 *             calls, data[0..split) then data[split..n), so every split point
 *             of the stream is reachable;
 *   byte1 bit 0 set: the X-Subject-Token header is captured into a buffer of
 *             1 + (byte1 >> 1) bytes (1..128), allocated to its exact size so
 *             that AddressSanitizer sees any write past it.
 * Each part is fed in the loop the header prescribes (until NEED_MORE), then
 * http_response_finish() ends the stream.
 *
 * Invariants checked (abort() on violation, which libFuzzer reports):
 *   - *used <= len on every call; a BODY slice lies inside the bytes that
 *     call used; every status has a strerror text;
 *   - once an error is returned, every later feed returns ERR_STATE (with and
 *     without bytes) and finish never returns DONE;
 *   - after DONE, feeding 0 bytes returns DONE, feeding bytes returns
 *     ERR_STATE, and finish returns DONE;
 *   - after HEADERS: 100 <= status_code <= 999, http_minor is 0 or 1;
 *   - a DONE message with Content-Length and without chunked framing (and
 *     not 1xx, 204 or 304) carried exactly content_length body bytes;
 *   - the capture buffer holds a NUL-terminated value of captured_len bytes
 *     (captured_len < cap) whenever the head was complete;
 *   - split invariance: fed whole, the input gives the same outcome (error
 *     code, DONE and the bytes used up to it), the same head fields, the same
 *     captured value and the same body bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_response.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_http_response.c:%d: invariant failed: %s\n", __LINE__, #cond);   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

typedef struct {
    http_response_t r;
    int headers_seen; /* HEADERS was returned for the final head */
    int done;         /* DONE was returned */
    int failed;       /* an error was returned */
    http_response_status_t error;
    http_response_status_t final; /* what finish returned */
    size_t consumed;              /* input bytes used in all */
    uint64_t body_total;
    uint64_t body_hash; /* FNV-1a over the body bytes */
    char *cap_buf;
    size_t cap_size;
} run_t;

static void check_capture(const run_t *run)
{
    if (run->cap_buf == NULL) {
        return;
    }
    CHECK(run->r.captured_len < run->cap_size);
    CHECK(run->cap_buf[run->r.captured_len] == '\0');
    if (!run->r.captured) {
        CHECK(run->r.captured_len == 0);
    }
}

static void after_headers(run_t *run)
{
    const http_response_t *r = &run->r;

    CHECK(r->status_code >= 100 && r->status_code <= 999);
    CHECK(r->http_minor <= 1);
    CHECK(r->chunked <= 1 && r->keep_alive <= 1 && r->has_content_length <= 1);
    CHECK(r->content_length <= M2M_HTTP_BODY_MAX || !r->has_content_length);
    check_capture(run);
    run->headers_seen = 1;
    run->body_total = 0;
}

static void after_done(run_t *run)
{
    const http_response_t *r = &run->r;
    int code = r->status_code;

    run->done = 1;
    CHECK(run->headers_seen);
    if (r->has_content_length && !r->chunked && code >= 200 && code != 204 && code != 304) {
        CHECK(run->body_total == r->content_length);
    }
    if (code == 204 || code == 304) {
        CHECK(run->body_total == 0);
    }
    check_capture(run);
}

/* Feed one part the way the header's loop does. */
static void feed_part(run_t *run, const uint8_t *in, size_t n)
{
    size_t off = 0;

    for (;;) {
        size_t used = 12345;
        const uint8_t *body = (const uint8_t *)1;
        size_t body_len = 777;
        http_response_status_t st;

        st = http_response_feed(&run->r, in + off, n - off, &used, &body, &body_len);
        CHECK(http_response_strerror(st) != NULL);
        CHECK(used <= n - off);
        if (run->failed) {
            CHECK(st == HTTP_RESPONSE_ERR_STATE);
            CHECK(used == 0);
            return;
        }
        if (run->done) {
            CHECK(st == (n - off == 0 ? HTTP_RESPONSE_DONE : HTTP_RESPONSE_ERR_STATE));
            CHECK(used == 0);
            return;
        }
        if (st == HTTP_RESPONSE_BODY) {
            CHECK(body != NULL);
            CHECK(body >= in + off && body_len <= used && body + body_len <= in + off + used);
            CHECK(run->headers_seen);
            run->body_total += body_len;
            for (size_t i = 0; i < body_len; i++) {
                run->body_hash = (run->body_hash ^ body[i]) * UINT64_C(0x100000001b3);
            }
        } else {
            CHECK(body == NULL && body_len == 0);
        }
        off += used;
        run->consumed += used;
        if (st == HTTP_RESPONSE_HEADERS) {
            after_headers(run);
        } else if (st == HTTP_RESPONSE_DONE) {
            after_done(run);
            /* Bytes after the message are not used: they belong to the
             * next response on the connection. */
            return;
        } else if (st < 0) {
            CHECK(st >= HTTP_RESPONSE_ERR_CAPTURE_TOO_LONG);
            run->failed = 1;
            run->error = st;
            return;
        } else if (st == HTTP_RESPONSE_NEED_MORE) {
            CHECK(off == n);
            return;
        }
    }
}

/* Feed in[0..split) then in[split..n), then end the stream. */
static void run_input(run_t *run, const uint8_t *in, size_t n, size_t split, size_t cap)
{
    http_response_status_t st;

    memset(run, 0, sizeof *run);
    run->body_hash = UINT64_C(0xcbf29ce484222325);
    http_response_init(&run->r);
    if (cap > 0) {
        run->cap_size = cap;
        run->cap_buf = malloc(cap);
        CHECK(run->cap_buf != NULL);
        memset(run->cap_buf, 0xA5, cap);
        http_response_capture_header(&run->r, "X-Subject-Token", run->cap_buf, cap);
        CHECK(run->cap_buf[0] == '\0');
    }

    feed_part(run, in, split);
    feed_part(run, in + split, n - split);
    /* An empty feed after everything: must not change the outcome. */
    feed_part(run, in + n, 0);

    st = http_response_finish(&run->r);
    CHECK(http_response_strerror(st) != NULL);
    if (run->failed) {
        CHECK(st == HTTP_RESPONSE_ERR_TRUNCATED);
    } else if (run->done) {
        CHECK(st == HTTP_RESPONSE_DONE);
    } else {
        CHECK(st == HTTP_RESPONSE_DONE || st == HTTP_RESPONSE_ERR_TRUNCATED);
        if (st == HTTP_RESPONSE_DONE) {
            /* Only a read-until-close body ends with the stream. */
            after_done(run);
        }
    }
    /* finish is idempotent once DONE. */
    if (st == HTTP_RESPONSE_DONE) {
        CHECK(http_response_finish(&run->r) == HTTP_RESPONSE_DONE);
    }
    run->final = st;
    /* The capture buffer holds a NUL-terminated text at all times, also
     * after ERR_CAPTURE_TOO_LONG or a stream cut inside the value. */
    if (run->cap_buf != NULL) {
        CHECK(memchr(run->cap_buf, '\0', run->cap_size) != NULL);
    }
}

/* The split must not matter: the same outcome, head and body as fed whole. */
static void compare_runs(const run_t *a, const run_t *b)
{
    CHECK(a->final == b->final && a->failed == b->failed && a->done == b->done);
    CHECK(a->error == b->error);
    CHECK(a->headers_seen == b->headers_seen);
    CHECK(a->body_total == b->body_total && a->body_hash == b->body_hash);
    if (a->done) {
        CHECK(a->consumed == b->consumed);
    }
    if (a->headers_seen) {
        CHECK(a->r.status_code == b->r.status_code && a->r.http_minor == b->r.http_minor);
        CHECK(a->r.chunked == b->r.chunked && a->r.keep_alive == b->r.keep_alive);
        CHECK(a->r.has_content_length == b->r.has_content_length);
        CHECK(a->r.content_length == b->r.content_length);
        CHECK(a->r.content_type_json == b->r.content_type_json);
        CHECK(a->r.retry_after_seconds == b->r.retry_after_seconds);
        CHECK(a->r.retry_after_date == b->r.retry_after_date);
        CHECK(a->r.captured == b->r.captured && a->r.captured_len == b->r.captured_len);
        if (a->cap_buf != NULL) {
            CHECK(memcmp(a->cap_buf, b->cap_buf, a->r.captured_len + 1) == 0);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static run_t split_run, whole_run;
    const uint8_t *in;
    size_t n, split, cap = 0;

    if (size < 2) {
        return 0;
    }
    in = data + 2;
    n = size - 2;
    split = (((size_t)data[0] << 8) | data[1]) % (n + 1);
    if (data[1] & 1) {
        cap = 1u + (data[1] >> 1);
    }

    run_input(&split_run, in, n, split, cap);
    run_input(&whole_run, in, n, n, cap);
    compare_runs(&split_run, &whole_run);

    free(split_run.cap_buf);
    free(whole_run.cap_buf);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_http_llhttp.c - differential test of the HTTP response parser against
 * llhttp (Node.js's parser, built from Debian's node-llhttp sources; a test
 * reference only, never part of the agent).
 *
 * Every response of tests/unit/http_corpus.h without a not_in_llhttp reason
 * goes through both parsers whole, byte by byte and split in two at every
 * byte boundary, and the two must agree on: accepted, rejected or cut short;
 * the status code; the framing (chunked, Content-Length); whether the
 * Content-Type is JSON; the body bytes; and, for a complete message, whether
 * the connection may be reused. The entries
 * left out differ by design (this parser's limits, stricter or more lenient
 * choices) or by an llhttp 8.1 quirk, each with its reason in the corpus;
 * test_http_response.c checks them against their expected outcomes.
 *
 * llhttp is used as a client uses it: on_headers_complete returns 1 (no body)
 * for 1xx, 204 and 304, as the caller is meant to tell llhttp (RFC 9110
 * 6.4.1); a 1xx message is dropped; on_message_complete pauses the parser so
 * that, like this parser, it stops after one response; llhttp_finish() is
 * called at the end of the stream.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http_corpus.h"
#include "http_response.h"
#include "llhttp.h"

enum { ENDED_DONE, ENDED_SHORT, ENDED_REJECTED };

static const char *const ended_names[] = {"complete", "cut short", "rejected"};

#define FIELD_MAX 64
#define BODY_MAX 4096

/* What either parser made of a stream, in the terms both share. */
typedef struct {
    int ended;       /* ENDED_* */
    int status_code; /* of the final response, once its head is complete; else 0 */
    int keep_alive;  /* once complete; else -1 */
    int chunked;
    int has_content_length;
    uint64_t content_length;
    int content_type_json;
    uint8_t body[BODY_MAX];
    size_t body_len;
    int body_overflow;
} verdict_t;

static void verdict_init(verdict_t *v)
{
    memset(v, 0, sizeof *v);
    v->keep_alive = -1;
}

static void verdict_body(verdict_t *v, const uint8_t *p, size_t n)
{
    if (n > BODY_MAX - v->body_len) {
        v->body_overflow = 1;
        return;
    }
    memcpy(v->body + v->body_len, p, n);
    v->body_len += n;
}

/* Feeds one piece; returns 1 to stop (the response ended), 0 for more. */
typedef int (*piece_fn)(void *ctx, const uint8_t *piece, size_t n);

/* Pieces of raw[0..len): the first of `first` bytes, then of `step` bytes,
 * each copied into a heap block of its exact size. */

static void for_each_piece(const uint8_t *raw, size_t len, size_t first, size_t step, piece_fn fn,
                           void *ctx, int *stopped)
{
    size_t pos = 0, n = first;
    *stopped = 0;
    for (;;) {
        uint8_t *piece;
        if (n > len - pos) {
            n = len - pos;
        }
        piece = malloc(n > 0 ? n : 1);
        assert_non_null(piece);
        if (n > 0) {
            memcpy(piece, raw + pos, n);
        }
        *stopped = fn(ctx, piece, n);
        free(piece);
        pos += n;
        n = step;
        if (*stopped || pos == len) {
            return;
        }
    }
}

/* ---- this parser ------------------------------------------------------------ */

typedef struct {
    http_response_t r;
    verdict_t *v;
} ours_t;

static int ours_piece(void *ctx, const uint8_t *piece, size_t n)
{
    ours_t *o = ctx;
    size_t off = 0;
    for (;;) {
        size_t used, body_len;
        const uint8_t *body;
        http_response_status_t st =
            http_response_feed(&o->r, piece + off, n - off, &used, &body, &body_len);
        off += used;
        if (st == HTTP_RESPONSE_NEED_MORE) {
            return 0;
        }
        if (st == HTTP_RESPONSE_HEADERS) {
            o->v->status_code = o->r.status_code;
            o->v->chunked = o->r.chunked;
            o->v->has_content_length = o->r.has_content_length;
            o->v->content_length = o->r.content_length;
            o->v->content_type_json = o->r.content_type_json;
        } else if (st == HTTP_RESPONSE_BODY) {
            verdict_body(o->v, body, body_len);
        } else if (st == HTTP_RESPONSE_DONE) {
            o->v->ended = ENDED_DONE;
            o->v->keep_alive = o->r.keep_alive;
            return 1;
        } else {
            o->v->ended = ENDED_REJECTED;
            return 1;
        }
    }
}

static void run_ours(const http_case_t *c, size_t first, size_t step, verdict_t *v)
{
    ours_t o;
    int stopped;
    verdict_init(v);
    http_response_init(&o.r);
    o.v = v;
    for_each_piece((const uint8_t *)c->raw, c->raw_len, first, step, ours_piece, &o, &stopped);
    if (!stopped) {
        if (http_response_finish(&o.r) == HTTP_RESPONSE_DONE) {
            v->ended = ENDED_DONE;
            v->keep_alive = o.r.keep_alive;
        } else {
            v->ended = ENDED_SHORT;
        }
    }
}

/* ---- llhttp ------------------------------------------------------------------ */

typedef struct {
    llhttp_t parser;
    verdict_t *v;
    int status_code; /* from on_status_complete */
    int complete;
    char field[FIELD_MAX];
    size_t field_len;
    char value[FIELD_MAX];
    size_t value_len;
} ref_t;

static ref_t *ref_of(llhttp_t *p)
{
    return (ref_t *)p->data;
}

static void append(char *buf, size_t *len, const char *at, size_t n)
{
    if (n > FIELD_MAX - 1 - *len) {
        n = FIELD_MAX - 1 - *len;
    }
    memcpy(buf + *len, at, n);
    *len += n;
    buf[*len] = '\0';
}

static int lower_equals(const char *s, const char *lit)
{
    for (; *s != '\0' && *lit != '\0'; s++, lit++) {
        char c = (*s >= 'A' && *s <= 'Z') ? (char)(*s + 32) : *s;
        if (c != *lit) {
            return 0;
        }
    }
    return *s == *lit;
}

static int on_message_begin(llhttp_t *p)
{
    ref_t *ref = ref_of(p);
    ref->field_len = 0;
    ref->value_len = 0;
    ref->field[0] = '\0';
    ref->value[0] = '\0';
    ref->v->content_type_json = 0;
    return 0;
}

static int on_status_complete(llhttp_t *p)
{
    ref_of(p)->status_code = p->status_code;
    return 0;
}

static int on_header_field(llhttp_t *p, const char *at, size_t n)
{
    ref_t *ref = ref_of(p);
    append(ref->field, &ref->field_len, at, n);
    return 0;
}

static int on_header_value(llhttp_t *p, const char *at, size_t n)
{
    ref_t *ref = ref_of(p);
    append(ref->value, &ref->value_len, at, n);
    return 0;
}

/* A header is complete. Content-Type as llhttp delimits it: the media type
 * before any ';', without OWS, is application/json or ends in +json. */
static int on_header_value_complete(llhttp_t *p)
{
    ref_t *ref = ref_of(p);
    if (lower_equals(ref->field, "content-type")) {
        char *end = strchr(ref->value, ';');
        size_t n = end != NULL ? (size_t)(end - ref->value) : ref->value_len;
        while (n > 0 && (ref->value[n - 1] == ' ' || ref->value[n - 1] == '\t')) {
            n--;
        }
        ref->value[n] = '\0';
        ref->v->content_type_json = lower_equals(ref->value, "application/json") ||
                                    (n > 5 && strchr(ref->value, '/') != NULL &&
                                     strchr(ref->value, '/') < ref->value + n - 5 &&
                                     lower_equals(ref->value + n - 5, "+json"));
    }
    ref->field_len = 0;
    ref->value_len = 0;
    ref->field[0] = '\0';
    ref->value[0] = '\0';
    return 0;
}

static int on_headers_complete(llhttp_t *p)
{
    ref_t *ref = ref_of(p);
    int code = p->status_code;
    assert_int_equal(code, ref->status_code);
    if (code >= 200) {
        /* The framing as llhttp decided it, before the body is read. */
        ref->v->status_code = code;
        ref->v->chunked = (p->flags & F_CHUNKED) != 0;
        ref->v->has_content_length = (p->flags & F_CONTENT_LENGTH) != 0;
        ref->v->content_length = p->content_length;
    }
    /* The caller's part of RFC 9110 6.4.1: these responses have no body. */
    return (code < 200 || code == 204 || code == 304) ? 1 : 0;
}

static int on_body(llhttp_t *p, const char *at, size_t n)
{
    verdict_body(ref_of(p)->v, (const uint8_t *)at, n);
    return 0;
}

static int on_message_complete(llhttp_t *p)
{
    ref_t *ref = ref_of(p);
    if (p->status_code < 200) {
        return 0; /* an interim response: the real one follows */
    }
    ref->complete = 1;
    ref->v->keep_alive = llhttp_should_keep_alive(p);
    return HPE_PAUSED; /* one response, like this parser */
}

static int ref_piece(void *ctx, const uint8_t *piece, size_t n)
{
    ref_t *ref = ctx;
    llhttp_errno_t err = llhttp_execute(&ref->parser, (const char *)piece, n);
    if (err == HPE_OK) {
        return 0;
    }
    ref->v->ended = (err == HPE_PAUSED && ref->complete) ? ENDED_DONE : ENDED_REJECTED;
    return 1;
}

static void run_llhttp(const http_case_t *c, size_t first, size_t step, verdict_t *v)
{
    llhttp_settings_t settings;
    ref_t ref;
    int stopped;

    verdict_init(v);
    memset(&ref, 0, sizeof ref);
    llhttp_settings_init(&settings);
    settings.on_message_begin = on_message_begin;
    settings.on_status_complete = on_status_complete;
    settings.on_header_field = on_header_field;
    settings.on_header_value = on_header_value;
    settings.on_header_value_complete = on_header_value_complete;
    settings.on_headers_complete = on_headers_complete;
    settings.on_body = on_body;
    settings.on_message_complete = on_message_complete;
    llhttp_init(&ref.parser, HTTP_RESPONSE, &settings);
    ref.parser.data = &ref;
    ref.v = v;
    for_each_piece((const uint8_t *)c->raw, c->raw_len, first, step, ref_piece, &ref, &stopped);
    if (!stopped) {
        /* The end of the stream completes a read-until-close body (and the
         * pause from on_message_complete is returned); anything else open
         * is cut short. */
        llhttp_errno_t err = llhttp_finish(&ref.parser);
        v->ended = ref.complete                                      ? ENDED_DONE
                   : (err == HPE_OK || err == HPE_INVALID_EOF_STATE) ? ENDED_SHORT
                                                                     : ENDED_REJECTED;
    }
}

/* ---- the comparison ------------------------------------------------------------ */

static int verdicts_agree(const verdict_t *a, const verdict_t *b)
{
    if (a->ended != b->ended || a->body_overflow || b->body_overflow) {
        return 0;
    }
    if (a->ended == ENDED_REJECTED) {
        return 1; /* where each stops and why is theirs */
    }
    if (a->status_code != b->status_code || a->body_len != b->body_len ||
        memcmp(a->body, b->body, a->body_len) != 0 || a->chunked != b->chunked ||
        a->has_content_length != b->has_content_length || a->content_length != b->content_length ||
        a->content_type_json != b->content_type_json) {
        return 0;
    }
    return a->ended != ENDED_DONE || a->keep_alive == b->keep_alive;
}

static void print_verdict(const char *who, const verdict_t *v)
{
    print_message("  %-6s %s, status %d, keep-alive %d, chunked %d, content-length %d/%llu, "
                  "json %d, body %zu bytes\n",
                  who, ended_names[v->ended], v->status_code, v->keep_alive, v->chunked,
                  v->has_content_length, (unsigned long long)v->content_length,
                  v->content_type_json, v->body_len);
}

/* Both parsers on one split of one case; returns 1 when they agree. */
static int compare_split(const http_case_t *c, size_t first, size_t step, const char *how)
{
    static verdict_t ours, ref;
    run_ours(c, first, step, &ours);
    run_llhttp(c, first, step, &ref);
    if (verdicts_agree(&ours, &ref)) {
        return 1;
    }
    print_message("%s, fed %s:\n", c->name, how);
    print_verdict("ours", &ours);
    print_verdict("llhttp", &ref);
    return 0;
}

static void both_parsers_agree_on_the_corpus_at_every_split(void **state)
{
    size_t i, k, compared = 0, runs = 0;
    int disagreements = 0;
    (void)state;
    for (i = 0; i < HTTP_CORPUS_LEN; i++) {
        const http_case_t *c = &http_corpus[i];
        char how[40];
        if (c->not_in_llhttp != NULL) {
            continue;
        }
        compared++;
        runs += c->raw_len + 3;
        /* The first disagreement of a case is reported, not all of them. */
        if (!compare_split(c, c->raw_len, c->raw_len, "whole") ||
            !compare_split(c, 1, 1, "byte by byte")) {
            disagreements++;
            continue;
        }
        for (k = 0; k <= c->raw_len; k++) {
            snprintf(how, sizeof how, "split at %zu", k);
            if (!compare_split(c, k, c->raw_len, how)) {
                disagreements++;
                break;
            }
        }
    }
    print_message("%zu responses compared in %zu ways of feeding them, %zu left out\n", compared,
                  runs, HTTP_CORPUS_LEN - compared);
    assert_true(compared >= 30);
    assert_int_equal(disagreements, 0);
}

/* The comparison is not vacuous: the corpus holds responses that both accept,
 * both cut short and both reject; and every case left out does differ, so
 * that no reason in the corpus is stale. */
static void the_differential_corpus_covers_every_outcome(void **state)
{
    int seen[3] = {0, 0, 0};
    size_t i;
    int stale = 0;
    (void)state;
    for (i = 0; i < HTTP_CORPUS_LEN; i++) {
        const http_case_t *c = &http_corpus[i];
        static verdict_t ours, ref;
        run_ours(c, c->raw_len, c->raw_len, &ours);
        run_llhttp(c, c->raw_len, c->raw_len, &ref);
        if (c->not_in_llhttp == NULL) {
            seen[ours.ended]++;
        } else if (verdicts_agree(&ours, &ref)) {
            print_message("%s is left out, yet both parsers agree on it\n", c->name);
            stale++;
        }
    }
    assert_true(seen[ENDED_DONE] >= 10);
    assert_true(seen[ENDED_SHORT] >= 5);
    assert_true(seen[ENDED_REJECTED] >= 10);
    assert_int_equal(stale, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(both_parsers_agree_on_the_corpus_at_every_split),
        cmocka_unit_test(the_differential_corpus_covers_every_outcome),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

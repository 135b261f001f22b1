/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_http_response.c - the HTTP response parser against a corpus of real-looking
 * responses (tests/unit/http_corpus.h) and against its limits.
 *
 * Every case is fed whole, one byte at a time and split in two at every byte
 * boundary, each piece from its own heap block of exactly its size (so that
 * AddressSanitizer sees any read past a piece), and must give the same
 * outcome every time: result, header fields, body bytes and bytes used.
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

/* What one run of the parser over a stream made of it. */
typedef struct {
    http_response_status_t result; /* DONE or an error, from feed or finish */
    int headers_seen;              /* times HEADERS was returned */
    http_response_t at_headers;    /* the parser when HEADERS was returned */
    uint8_t *body;                 /* concatenated BODY slices */
    size_t body_len;
    size_t used; /* bytes used until DONE or the error */
} outcome_t;

static void outcome_free(outcome_t *o)
{
    free(o->body);
    o->body = NULL;
}

/* Feeds one piece until the parser wants more, is done or fails. Returns 1
 * when it is done or failed (o->result set), 0 when it wants more. */
static int feed_piece(http_response_t *r, const uint8_t *src, size_t n, outcome_t *o)
{
    uint8_t *piece = malloc(n > 0 ? n : 1);
    size_t off = 0;
    int finished = 0;

    assert_non_null(piece);
    if (n > 0) {
        memcpy(piece, src, n);
    }
    for (;;) {
        size_t used = 99999;
        const uint8_t *body = (const uint8_t *)"x";
        size_t body_len = 99999;
        http_response_status_t st =
            http_response_feed(r, piece + off, n - off, &used, &body, &body_len);

        assert_true(used <= n - off);
        if (st == HTTP_RESPONSE_BODY) {
            /* Zero copy: the slice is the last bytes used, in place (a
             * chunk-size line may come before it in the same call). */
            assert_true(body_len > 0 && body_len <= used);
            assert_ptr_equal(body, piece + off + used - body_len);
            o->body = realloc(o->body, o->body_len + body_len);
            assert_non_null(o->body);
            memcpy(o->body + o->body_len, body, body_len);
            o->body_len += body_len;
        } else {
            assert_null(body);
            assert_int_equal(body_len, 0);
        }
        if (st == HTTP_RESPONSE_HEADERS) {
            o->headers_seen++;
            o->at_headers = *r;
        }
        off += used;
        o->used += used;
        if (st == HTTP_RESPONSE_NEED_MORE) {
            assert_int_equal(off, n);
            break;
        }
        if (st == HTTP_RESPONSE_DONE || st < 0) {
            o->result = st;
            finished = 1;
            break;
        }
    }
    free(piece);
    return finished;
}

/* The stream raw[0..len) in pieces: the first of `first` bytes, then pieces of
 * `step` bytes; finish() at the end of the stream unless DONE or an error
 * came first. */
static void run_stream(const uint8_t *raw, size_t len, size_t first, size_t step, outcome_t *o)
{
    http_response_t r;
    size_t pos = 0, n = first;
    int finished = 0;

    memset(o, 0, sizeof *o);
    http_response_init(&r);
    o->at_headers = r;
    for (;;) {
        if (n > len - pos) {
            n = len - pos;
        }
        finished = feed_piece(&r, raw + pos, n, o);
        pos += n;
        n = step;
        if (finished || pos == len) {
            break;
        }
    }
    if (!finished) {
        o->result = http_response_finish(&r);
        assert_int_equal(http_response_finish(&r), o->result);
    }
    /* Whatever ended the message, the parser is closed for input now. */
    {
        size_t used = 1;
        const uint8_t *body;
        size_t body_len;
        uint8_t byte = 'H';
        assert_int_equal(http_response_feed(&r, &byte, 1, &used, &body, &body_len),
                         HTTP_RESPONSE_ERR_STATE);
        assert_int_equal(used, 0);
        assert_int_equal(http_response_feed(&r, &byte, 0, &used, &body, &body_len),
                         o->result == HTTP_RESPONSE_DONE ? HTTP_RESPONSE_DONE
                                                         : HTTP_RESPONSE_ERR_STATE);
        assert_int_equal(http_response_finish(&r), o->result == HTTP_RESPONSE_DONE
                                                       ? HTTP_RESPONSE_DONE
                                                       : HTTP_RESPONSE_ERR_TRUNCATED);
    }
}

static void print_case(const http_case_t *c, const char *split)
{
    print_message("case %s, fed %s\n", c->name, split);
}

/* The outcome is what the case says. */
static void check_against_case(const http_case_t *c, const outcome_t *o, const char *split)
{
    const http_response_t *h = &o->at_headers;
    size_t want_used = c->used != 0 ? c->used : c->raw_len;

    if (o->result != c->result) {
        print_case(c, split);
        print_message("result %d (%s), expected %d (%s)\n", o->result,
                      http_response_strerror(o->result), c->result,
                      http_response_strerror(c->result));
    }
    assert_int_equal(o->result, c->result);
    if (c->result == HTTP_RESPONSE_DONE || c->result == HTTP_RESPONSE_ERR_TRUNCATED) {
        assert_int_equal(o->used, want_used);
    }
    assert_int_equal(o->headers_seen, c->status_code != 0 ? 1 : 0);
    assert_int_equal(h->status_code, c->status_code);
    if (c->status_code != 0) {
        assert_int_equal(h->http_minor, c->http10 ? 0 : 1);
        assert_int_equal(h->keep_alive, c->close ? 0 : 1);
    }
    assert_int_equal(h->chunked, c->chunked);
    assert_int_equal(h->has_content_length, c->has_content_length);
    assert_int_equal(h->content_length, c->content_length);
    assert_int_equal(h->content_type_json, c->content_type_json);
    assert_int_equal(h->retry_after_seconds, c->has_retry_after ? c->retry_after_seconds : -1);
    assert_int_equal(h->retry_after_date, c->has_retry_after ? c->retry_after_date : -1);
    assert_int_equal(o->body_len, c->body_len);
    if (c->body_len > 0) {
        assert_memory_equal(o->body, c->body, c->body_len);
    }
}

/* Two runs over the same stream agree on everything observable. */
static void check_same(const http_case_t *c, const outcome_t *a, const outcome_t *b,
                       const char *split)
{
    if (a->result != b->result || a->used != b->used) {
        print_case(c, split);
    }
    assert_int_equal(a->result, b->result);
    assert_int_equal(a->used, b->used);
    assert_int_equal(a->headers_seen, b->headers_seen);
    assert_int_equal(a->at_headers.status_code, b->at_headers.status_code);
    assert_int_equal(a->at_headers.http_minor, b->at_headers.http_minor);
    assert_int_equal(a->at_headers.chunked, b->at_headers.chunked);
    assert_int_equal(a->at_headers.keep_alive, b->at_headers.keep_alive);
    assert_int_equal(a->at_headers.has_content_length, b->at_headers.has_content_length);
    assert_int_equal(a->at_headers.content_type_json, b->at_headers.content_type_json);
    assert_int_equal(a->at_headers.content_length, b->at_headers.content_length);
    assert_int_equal(a->at_headers.retry_after_seconds, b->at_headers.retry_after_seconds);
    assert_int_equal(a->at_headers.retry_after_date, b->at_headers.retry_after_date);
    assert_int_equal(a->body_len, b->body_len);
    if (a->body_len > 0) {
        assert_memory_equal(a->body, b->body, a->body_len);
    }
}

/* The whole check for one case: expected outcome fed whole, then the same
 * outcome byte by byte and at every two-piece split. */
static void check_case_all_splits(const http_case_t *c)
{
    const uint8_t *raw = (const uint8_t *)c->raw;
    outcome_t whole, other;
    size_t k;
    char split[48];

    run_stream(raw, c->raw_len, c->raw_len, c->raw_len, &whole);
    check_against_case(c, &whole, "whole");

    run_stream(raw, c->raw_len, 1, 1, &other);
    check_same(c, &whole, &other, "byte by byte");
    outcome_free(&other);

    for (k = 0; k <= c->raw_len; k++) {
        snprintf(split, sizeof split, "split at %zu", k);
        run_stream(raw, c->raw_len, k, c->raw_len, &other);
        check_same(c, &whole, &other, split);
        outcome_free(&other);
    }
    outcome_free(&whole);
}

static void corpus_cases_give_the_same_outcome_at_every_split(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < HTTP_CORPUS_LEN; i++) {
        check_case_all_splits(&http_corpus[i]);
    }
}

/* Every prefix of a valid message is truncated, unless the prefix is already
 * complete: a read-until-close body ends wherever the stream ends. */
static void every_prefix_of_a_valid_response_is_truncated(void **state)
{
    size_t i, k;
    (void)state;
    for (i = 0; i < HTTP_CORPUS_LEN; i++) {
        const http_case_t *c = &http_corpus[i];
        size_t used = c->used != 0 ? c->used : c->raw_len;
        int until_close = c->status_code >= 200 && c->status_code != 204 && c->status_code != 304 &&
                          !c->chunked && !c->has_content_length;
        if (c->result != HTTP_RESPONSE_DONE) {
            continue;
        }
        for (k = 0; k < used; k++) {
            outcome_t o;
            run_stream((const uint8_t *)c->raw, k, k, k, &o);
            if (until_close && o.headers_seen) {
                assert_int_equal(o.result, HTTP_RESPONSE_DONE);
            } else {
                if (o.result != HTTP_RESPONSE_ERR_TRUNCATED) {
                    print_message("case %s, prefix of %zu bytes\n", c->name, k);
                }
                assert_int_equal(o.result, HTTP_RESPONSE_ERR_TRUNCATED);
            }
            outcome_free(&o);
        }
    }
}

/* Every error of the enum is produced by some input, each checked by name:
 * the corpus holds all but the limits, which the tests below build. */
static void every_error_code_has_a_corpus_case(void **state)
{
    static const http_response_status_t in_corpus[] = {
        HTTP_RESPONSE_ERR_STATUS_LINE,    HTTP_RESPONSE_ERR_HEADER,
        HTTP_RESPONSE_ERR_CONTENT_LENGTH, HTTP_RESPONSE_ERR_BODY_TOO_LARGE,
        HTTP_RESPONSE_ERR_CHUNK_SIZE,     HTTP_RESPONSE_ERR_CHUNK_TOO_LARGE,
        HTTP_RESPONSE_ERR_CHUNK_END,      HTTP_RESPONSE_ERR_TRANSFER_ENCODING,
        HTTP_RESPONSE_ERR_TRUNCATED,
    };
    size_t i, j;
    (void)state;
    for (j = 0; j < sizeof in_corpus / sizeof in_corpus[0]; j++) {
        int found = 0;
        for (i = 0; i < HTTP_CORPUS_LEN; i++) {
            found |= http_corpus[i].result == in_corpus[j];
        }
        if (!found) {
            print_message("no corpus case for %s\n", http_response_strerror(in_corpus[j]));
        }
        assert_true(found);
    }
}

/* ---- cases built at run time: the limits ------------------------------------ */

typedef struct {
    char *buf;
    size_t len;
    size_t cap;
} text_t;

static void text_add(text_t *t, const char *s, size_t n)
{
    if (t->len + n > t->cap) {
        t->cap = (t->len + n) * 2;
        t->buf = realloc(t->buf, t->cap);
        assert_non_null(t->buf);
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
}

static void text_puts(text_t *t, const char *s)
{
    text_add(t, s, strlen(s));
}

static void text_fill(text_t *t, char c, size_t n)
{
    while (n-- > 0) {
        text_add(t, &c, 1);
    }
}

/* Runs a built case through every split; c->raw is set from t. */
static void check_built(http_case_t *c, text_t *t)
{
    c->raw = t->buf;
    c->raw_len = t->len;
    check_case_all_splits(c);
    free(t->buf);
    memset(t, 0, sizeof *t);
}

/* A header line of exactly M2M_HTTP_LINE_MAX bytes (CRLF excluded) passes;
 * one byte more is refused. */
static void header_line_at_the_limit_passes_one_over_fails(void **state)
{
    static const char head[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n";
    int over;
    (void)state;
    for (over = 0; over <= 1; over++) {
        text_t t = {0};
        http_case_t c = {.name = over ? "header line over the limit" : "header line at the limit"};
        text_puts(&t, head);
        text_puts(&t, "X-Pad: ");
        text_fill(&t, 'a', M2M_HTTP_LINE_MAX - 7 + (size_t)over);
        text_puts(&t, "\r\n\r\nok");
        if (over) {
            c.result = HTTP_RESPONSE_ERR_LINE_TOO_LONG;
        } else {
            c.result = HTTP_RESPONSE_DONE;
            c.status_code = 200;
            c.has_content_length = 1;
            c.content_length = 2;
            c.body = "ok";
            c.body_len = 2;
        }
        check_built(&c, &t);
    }
}

/* The same for the status line, a chunk-size line (long extension) and a
 * trailer line; a line over the limit fails as soon as its byte
 * M2M_HTTP_LINE_MAX + 1 arrives, without reading further. */
static void every_kind_of_line_is_bounded(void **state)
{
    int kind, over;
    (void)state;
    for (kind = 0; kind < 3; kind++) {
        for (over = 0; over <= 1; over++) {
            text_t t = {0};
            http_case_t c = {.name = "long line"};
            if (kind == 0) {
                text_puts(&t, "HTTP/1.1 200 ");
                text_fill(&t, 'R', M2M_HTTP_LINE_MAX - 13 + (size_t)over);
                text_puts(&t, "\r\nContent-Length: 0\r\n\r\n");
            } else {
                text_puts(&t, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
                if (kind == 1) {
                    text_puts(&t, "2;e=");
                    text_fill(&t, 'v', M2M_HTTP_LINE_MAX - 4 + (size_t)over);
                    text_puts(&t, "\r\nok\r\n0\r\n\r\n");
                } else {
                    text_puts(&t, "2\r\nok\r\n0\r\nX-T: ");
                    text_fill(&t, 't', M2M_HTTP_LINE_MAX - 5 + (size_t)over);
                    text_puts(&t, "\r\n\r\n");
                }
                c.chunked = 1;
                if (!over || kind == 2) {
                    c.body = "ok";
                    c.body_len = 2;
                }
            }
            c.status_code = kind == 0 && over ? 0 : 200;
            c.has_content_length = kind == 0 && !over;
            c.result = over ? HTTP_RESPONSE_ERR_LINE_TOO_LONG : HTTP_RESPONSE_DONE;
            check_built(&c, &t);
        }
    }
}

/* An over-long line is refused at its first byte over the limit: the bytes
 * used stop there, whatever follows. */
static void long_line_error_stops_at_the_first_byte_over(void **state)
{
    text_t t = {0};
    outcome_t o;
    size_t head;
    (void)state;
    text_puts(&t, "HTTP/1.1 200 OK\r\n");
    head = t.len;
    text_puts(&t, "X-Pad: ");
    text_fill(&t, 'a', 4 * M2M_HTTP_LINE_MAX);
    run_stream((const uint8_t *)t.buf, t.len, t.len, t.len, &o);
    assert_int_equal(o.result, HTTP_RESPONSE_ERR_LINE_TOO_LONG);
    assert_int_equal(o.used, head + M2M_HTTP_LINE_MAX + 1);
    outcome_free(&o);
    free(t.buf);
}

/* M2M_HTTP_HEADERS_MAX header lines pass, one more fails; trailers count
 * together with the headers. */
static void header_count_at_the_limit_passes_one_over_fails(void **state)
{
    int over, trailers;
    (void)state;
    for (trailers = 0; trailers <= 1; trailers++) {
        for (over = 0; over <= 1; over++) {
            text_t t = {0};
            http_case_t c = {.name = "header count"};
            int i, lines = M2M_HTTP_HEADERS_MAX + over;
            char line[32];
            text_puts(&t, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n");
            for (i = 1; i < (trailers ? lines / 2 : lines); i++) {
                snprintf(line, sizeof line, "X-H%d: %d\r\n", i, i);
                text_puts(&t, line);
            }
            text_puts(&t, "\r\n2\r\nok\r\n0\r\n");
            for (i = trailers ? lines / 2 : lines; i < lines; i++) {
                snprintf(line, sizeof line, "X-T%d: %d\r\n", i, i);
                text_puts(&t, line);
            }
            text_puts(&t, "\r\n");
            if (over && !trailers) {
                c.result = HTTP_RESPONSE_ERR_TOO_MANY_HEADERS;
            } else {
                c.result = over ? HTTP_RESPONSE_ERR_TOO_MANY_HEADERS : HTTP_RESPONSE_DONE;
                c.status_code = 200;
                c.chunked = 1;
                c.body = "ok";
                c.body_len = 2;
            }
            check_built(&c, &t);
        }
    }
}

/* Content-Length of exactly M2M_HTTP_BODY_MAX is accepted and its body read
 * to DONE; one more is refused before any body byte. The body streams
 * through a window of zeros (a board has no 16 MB to spare): each feed holds
 * the rest of the body and 10 bytes more, at most a window's worth, so the
 * last one checks that the body ends exactly at M2M_HTTP_BODY_MAX bytes. */
#define BODY_WINDOW (1024u * 1024u)
static void content_length_at_body_max_passes_one_over_fails(void **state)
{
    char head[128];
    http_response_t r;
    size_t used, body_len, n;
    const uint8_t *body;
    uint8_t *window;
    uint64_t total = 0;
    size_t off = 0;
    http_response_status_t st;
    (void)state;

    n = (size_t)snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %lu\r\n\r\n",
                         (unsigned long)M2M_HTTP_BODY_MAX);
    http_response_init(&r);
    assert_int_equal(http_response_feed(&r, (const uint8_t *)head, n, &used, &body, &body_len),
                     HTTP_RESPONSE_HEADERS);
    assert_int_equal(used, n);
    assert_int_equal(r.content_length, M2M_HTTP_BODY_MAX);
    window = calloc(1, BODY_WINDOW + 10);
    assert_non_null(window);
    for (;;) {
        size_t rest = (size_t)M2M_HTTP_BODY_MAX + 10 - off;
        st = http_response_feed(&r, window, rest < BODY_WINDOW + 10 ? rest : BODY_WINDOW + 10,
                                &used, &body, &body_len);
        off += used;
        if (st != HTTP_RESPONSE_BODY) {
            break;
        }
        total += body_len;
    }
    assert_int_equal(st, HTTP_RESPONSE_DONE);
    assert_int_equal(total, M2M_HTTP_BODY_MAX);
    assert_int_equal(off, M2M_HTTP_BODY_MAX);
    free(window);

    n = (size_t)snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %lu\r\n\r\nx",
                         (unsigned long)M2M_HTTP_BODY_MAX + 1);
    http_response_init(&r);
    assert_int_equal(http_response_feed(&r, (const uint8_t *)head, n, &used, &body, &body_len),
                     HTTP_RESPONSE_ERR_BODY_TOO_LARGE);
}

/* A chunk of M2M_HTTP_BODY_MAX bytes is accepted, one byte more is refused,
 * and so is 0xFFFFFFFFFFFFFFFFF (17 hex digits, over 64 bits). */
static void chunk_size_limits(void **state)
{
    static const struct {
        uint64_t size; /* written in hex, unless text is set */
        const char *text;
        http_response_status_t after_line; /* NEED_MORE: accepted */
    } cases[] = {
        {M2M_HTTP_BODY_MAX, NULL, HTTP_RESPONSE_NEED_MORE},
        {M2M_HTTP_BODY_MAX + 1, NULL, HTTP_RESPONSE_ERR_CHUNK_TOO_LARGE},
        {0, "FFFFFFFFFFFFFFFFF", HTTP_RESPONSE_ERR_CHUNK_TOO_LARGE},
        {0, "0FFFFFFFFFFFFFFFF", HTTP_RESPONSE_ERR_CHUNK_TOO_LARGE},
        {0, "10000000000000000", HTTP_RESPONSE_ERR_CHUNK_TOO_LARGE},
        {0, "000000000000000000000000000000001;x", HTTP_RESPONSE_NEED_MORE},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char msg[160];
        http_response_t r;
        size_t used, body_len, n;
        const uint8_t *body;
        int len =
            snprintf(msg, sizeof msg, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        if (cases[i].text != NULL) {
            len += snprintf(msg + len, sizeof msg - (size_t)len, "%s\r\n", cases[i].text);
        } else {
            len += snprintf(msg + len, sizeof msg - (size_t)len, "%llx\r\n",
                            (unsigned long long)cases[i].size);
        }
        n = (size_t)len;
        http_response_init(&r);
        assert_int_equal(http_response_feed(&r, (const uint8_t *)msg, n, &used, &body, &body_len),
                         HTTP_RESPONSE_HEADERS);
        assert_int_equal(
            http_response_feed(&r, (const uint8_t *)msg + used, n - used, &used, &body, &body_len),
            cases[i].after_line);
    }
}

/* ---- keep-alive, state and strings ---------------------------------------------- */

/* Three responses back to back on one connection, read in two arbitrary
 * pieces: after each DONE, init again and go on with the bytes not used. */
static void keep_alive_connection_carries_responses_back_to_back(void **state)
{
    static const char stream[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst"
                                 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 "3;x=1\r\nsec\r\n3\r\nond\r\n0\r\n\r\n"
                                 "HTTP/1.1 204 No Content\r\n\r\n";
    static const char *const bodies[] = {"first", "second", ""};
    static const int codes[] = {200, 200, 204};
    size_t len = sizeof stream - 1, k;
    (void)state;

    for (k = 0; k <= len; k++) {
        http_response_t r;
        char got[3][16];
        size_t got_len[3] = {0, 0, 0};
        int done = 0, status[3] = {0, 0, 0};
        size_t piece_start[2] = {0, k}, piece_end[2] = {k, len};
        int p;
        http_response_init(&r);
        for (p = 0; p < 2; p++) {
            size_t off = piece_start[p];
            for (;;) {
                size_t used, body_len;
                const uint8_t *body;
                http_response_status_t st = http_response_feed(
                    &r, (const uint8_t *)stream + off, piece_end[p] - off, &used, &body, &body_len);
                off += used;
                assert_true(st >= 0);
                if (st == HTTP_RESPONSE_NEED_MORE) {
                    break;
                }
                assert_true(done < 3);
                if (st == HTTP_RESPONSE_HEADERS) {
                    status[done] = r.status_code;
                    assert_int_equal(r.keep_alive, 1);
                } else if (st == HTTP_RESPONSE_BODY) {
                    assert_true(got_len[done] + body_len <= sizeof got[0]);
                    memcpy(got[done] + got_len[done], body, body_len);
                    got_len[done] += body_len;
                } else if (st == HTTP_RESPONSE_DONE) {
                    done++;
                    http_response_init(&r);
                }
            }
        }
        assert_int_equal(done, 3);
        for (p = 0; p < 3; p++) {
            assert_int_equal(status[p], codes[p]);
            assert_int_equal(got_len[p], strlen(bodies[p]));
            assert_memory_equal(got[p], bodies[p], got_len[p]);
        }
        /* No byte of a fourth response: finish calls that truncated, and the
         * caller tells an idle close by no byte having come. */
        assert_int_equal(http_response_finish(&r), HTTP_RESPONSE_ERR_TRUNCATED);
    }
}

/* The end of a body without a terminator of its own is reported by a feed of
 * zero bytes: a caller whose input ended with the last body byte still
 * learns DONE without reading again. */
static void done_is_reported_by_a_feed_of_zero_bytes(void **state)
{
    static const char *const msgs[] = {
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 204 No Content\r\n\r\n",
        "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n",
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
        http_response_t r;
        size_t used, body_len, off = 0, n = strlen(msgs[i]);
        const uint8_t *body;
        http_response_status_t st;
        http_response_init(&r);
        /* A loop that stops when the input is used up. */
        do {
            st = http_response_feed(&r, (const uint8_t *)msgs[i] + off, n - off, &used, &body,
                                    &body_len);
            off += used;
        } while (off < n);
        assert_true(st == HTTP_RESPONSE_HEADERS || st == HTTP_RESPONSE_BODY);
        assert_int_equal(http_response_feed(&r, NULL, 0, &used, &body, &body_len),
                         HTTP_RESPONSE_DONE);
        assert_int_equal(used, 0);
    }
}

/* After an error the parser stays failed, whatever it is given. */
static void error_state_is_sticky(void **state)
{
    static const uint8_t bad[] = "HTTP/9.9 200 OK\r\n";
    static const uint8_t good[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    http_response_t r;
    size_t used, body_len;
    const uint8_t *body;
    (void)state;
    http_response_init(&r);
    assert_int_equal(http_response_feed(&r, bad, sizeof bad - 1, &used, &body, &body_len),
                     HTTP_RESPONSE_ERR_STATUS_LINE);
    assert_int_equal(http_response_feed(&r, good, sizeof good - 1, &used, &body, &body_len),
                     HTTP_RESPONSE_ERR_STATE);
    assert_int_equal(used, 0);
    assert_int_equal(http_response_feed(&r, good, 0, &used, &body, &body_len),
                     HTTP_RESPONSE_ERR_STATE);
    assert_int_equal(http_response_finish(&r), HTTP_RESPONSE_ERR_TRUNCATED);
    /* init makes it usable again. */
    http_response_init(&r);
    assert_int_equal(http_response_feed(&r, good, sizeof good - 1, &used, &body, &body_len),
                     HTTP_RESPONSE_HEADERS);
}

/* Retry-After values, each in a minimal 503: delta-seconds, IMF-fixdate
 * (checked against dates computed independently), and what is refused. */
static void retry_after_values(void **state)
{
    static const struct {
        const char *value;
        int64_t seconds;
        int64_t date;
    } cases[] = {
        {"0", 0, -1},
        {"120", 120, -1},
        {"  7  ", 7, -1},
        {"2147483647", 2147483647, -1},
        {"2147483648", 2147483647, -1},
        {"-5", -1, -1},
        {"1.5", -1, -1},
        {"", -1, -1},
        {"Sun, 06 Nov 1994 08:49:37 GMT", -1, 784111777},
        {"Wed, 21 Oct 2015 07:28:00 GMT", -1, 1445412480},
        {"Thu, 01 Jan 1970 00:00:00 GMT", -1, 0},
        {"Thu, 29 Feb 2024 23:59:59 GMT", -1, 1709251199},
        {"Thu, 29 Feb 2024 23:59:60 GMT", -1, 1709251200},
        {"Thu, 31 Dec 2099 23:59:59 GMT", -1, 4102444799LL},
        {"Wed, 01 Mar 2000 00:00:00 GMT", -1, 951868800},
        {"Tue, 29 Feb 2000 12:00:00 GMT", -1, 951825600},
        {"Wed, 29 Feb 2023 00:00:00 GMT", -1, -1},
        {"Fri, 01 Jan 2100 00:00:00 GMT", -1, -1},
        {"Wed, 31 Dec 1969 23:59:59 GMT", -1, -1},
        {"Thu, 31 Apr 2024 00:00:00 GMT", -1, -1},
        {"Thu, 00 Apr 2024 00:00:00 GMT", -1, -1},
        {"Thu, 11 Apr 2024 24:00:00 GMT", -1, -1},
        {"Thu, 11 Apr 2024 23:60:00 GMT", -1, -1},
        {"Thu, 11 Apr 2024 23:59:61 GMT", -1, -1},
        {"Thu, 11 apr 2024 00:00:00 GMT", -1, -1},
        {"Xyz, 11 Apr 2024 00:00:00 GMT", -1, -1},
        {"Thu, 11 Apr 2024 00:00:00 UTC", -1, -1},
        {"Thu, 11 Apr 2024 00:00:00 gmt", -1, -1},
        {"Thu, 11 Apr 2024 00:00:0x GMT", -1, -1},
        {"Thu,  11 Apr 2024 00:00:00 GMT", -1, -1},
        {"Sunday, 06-Nov-94 08:49:37 GMT", -1, -1},
        {"Sun Nov  6 08:49:37 1994", -1, -1},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char msg[160];
        http_response_t r;
        size_t used, body_len;
        const uint8_t *body;
        int n =
            snprintf(msg, sizeof msg, "HTTP/1.1 503 Service Unavailable\r\nRetry-After: %s\r\n\r\n",
                     cases[i].value);
        http_response_init(&r);
        assert_int_equal(
            http_response_feed(&r, (const uint8_t *)msg, (size_t)n, &used, &body, &body_len),
            HTTP_RESPONSE_HEADERS);
        if (r.retry_after_seconds != cases[i].seconds || r.retry_after_date != cases[i].date) {
            print_message("Retry-After: %s\n", cases[i].value);
        }
        assert_int_equal(r.retry_after_seconds, cases[i].seconds);
        assert_int_equal(r.retry_after_date, cases[i].date);
    }
}

/* Content-Type values and whether they are JSON. */
static void content_type_json_detection(void **state)
{
    static const struct {
        const char *value;
        uint8_t json;
    } cases[] = {
        {"application/json", 1},
        {"APPLICATION/JSON", 1},
        {"application/json;charset=utf-8", 1},
        {"application/json ; charset=utf-8", 1},
        {"application/problem+json", 1},
        {"application/vnd.api+json; charset=utf-8", 1},
        {"text/json", 0},
        {"application/jsonp", 0},
        {"application/json-seq", 0},
        {"+json", 0},
        {"text/html", 0},
        {"", 0},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char msg[160];
        http_response_t r;
        size_t used, body_len;
        const uint8_t *body;
        int n = snprintf(msg, sizeof msg, "HTTP/1.1 204 No Content\r\nContent-Type: %s\r\n\r\n",
                         cases[i].value);
        http_response_init(&r);
        assert_int_equal(
            http_response_feed(&r, (const uint8_t *)msg, (size_t)n, &used, &body, &body_len),
            HTTP_RESPONSE_HEADERS);
        if (r.content_type_json != cases[i].json) {
            print_message("Content-Type: %s\n", cases[i].value);
        }
        assert_int_equal(r.content_type_json, cases[i].json);
    }
}

/* Each status has its own non-empty description; unknown values have one too. */
static void strerror_names_every_status(void **state)
{
    int a, b;
    (void)state;
    for (a = HTTP_RESPONSE_ERR_STATE; a <= HTTP_RESPONSE_DONE; a++) {
        const char *s = http_response_strerror((http_response_status_t)a);
        assert_non_null(s);
        assert_true(s[0] != '\0');
        for (b = a + 1; b <= HTTP_RESPONSE_DONE; b++) {
            assert_string_not_equal(s, http_response_strerror((http_response_status_t)b));
        }
    }
    assert_non_null(http_response_strerror((http_response_status_t)42));
}

/* ---- header capture ------------------------------------------------------------- */

#define TOKEN_LEN 6000

/* run_stream() with a capture of `name` into a heap block of exactly cap
 * bytes (so that AddressSanitizer sees any write past it). The block is
 * returned in *buf (caller frees). */
static void run_capture(const uint8_t *raw, size_t len, size_t first, size_t step, const char *name,
                        size_t cap, char **buf, outcome_t *o)
{
    http_response_t r;
    size_t pos = 0, n = first;
    int finished = 0;

    memset(o, 0, sizeof *o);
    *buf = malloc(cap > 0 ? cap : 1);
    assert_non_null(*buf);
    memset(*buf, '#', cap);
    http_response_init(&r);
    http_response_capture_header(&r, name, *buf, cap);
    o->at_headers = r;
    for (;;) {
        if (n > len - pos) {
            n = len - pos;
        }
        finished = feed_piece(&r, raw + pos, n, o);
        pos += n;
        n = step;
        if (finished || pos == len) {
            break;
        }
    }
    if (!finished) {
        o->result = http_response_finish(&r);
    }
}

typedef struct {
    http_response_status_t result;
    int status_code; /* at HEADERS; 0 when an error comes first */
    uint8_t captured;
    const char *value; /* expected capture, when captured */
    size_t value_len;
    const char *body; /* expected body bytes */
} capture_expect_t;

static void check_capture_outcome(const capture_expect_t *e, const outcome_t *o, const char *buf,
                                  const char *split)
{
    if (o->result != e->result || o->at_headers.captured_len != e->value_len) {
        print_message("fed %s: result %s, captured_len %zu\n", split,
                      http_response_strerror(o->result), o->at_headers.captured_len);
    }
    assert_int_equal(o->result, e->result);
    assert_int_equal(o->at_headers.status_code, e->status_code);
    if (e->status_code == 0) {
        return;
    }
    assert_int_equal(o->at_headers.captured, e->captured);
    assert_int_equal(o->at_headers.captured_len, e->captured ? e->value_len : 0);
    if (e->captured) {
        assert_memory_equal(buf, e->value, e->value_len);
    }
    assert_int_equal(buf[o->at_headers.captured_len], '\0');
    assert_int_equal(o->body_len, strlen(e->body));
    assert_memory_equal(o->body, e->body, o->body_len);
}

/* The same expectation fed whole, byte by byte and split in two at every
 * byte boundary. */
static void check_capture_all_splits(const char *raw, size_t len, const char *name, size_t cap,
                                     const capture_expect_t *e)
{
    outcome_t o;
    char *buf;
    char split[48];
    size_t k;

    run_capture((const uint8_t *)raw, len, len, len, name, cap, &buf, &o);
    check_capture_outcome(e, &o, buf, "whole");
    free(buf);
    outcome_free(&o);
    run_capture((const uint8_t *)raw, len, 1, 1, name, cap, &buf, &o);
    check_capture_outcome(e, &o, buf, "byte by byte");
    free(buf);
    outcome_free(&o);
    for (k = 0; k <= len; k++) {
        snprintf(split, sizeof split, "split at %zu", k);
        run_capture((const uint8_t *)raw, len, k, len, name, cap, &buf, &o);
        check_capture_outcome(e, &o, buf, split);
        free(buf);
        outcome_free(&o);
    }
}

/* A token of TOKEN_LEN bytes in the alphabet IAM uses (base64 and '-'),
 * different at every position so that a lost or repeated byte shows. */
static void make_token(char *tok)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-";
    size_t i;
    memcpy(tok, "MIIZxwYJKoZIhvcNAQcCoIIZuDCCGbQCAQEx", 36);
    for (i = 36; i < TOKEN_LEN; i++) {
        tok[i] = alphabet[(i * 7u + i / 13u) % (sizeof alphabet - 1)];
    }
    tok[TOKEN_LEN] = '\0';
}

/* An IAM-like 201 whose header `header` holds `pre` token `post`, after an
 * optional 100 Continue. */
static void build_token_response(text_t *t, int continue_first, const char *header, const char *pre,
                                 const char *tok, const char *post)
{
    if (continue_first) {
        text_puts(t, "HTTP/1.1 100 Continue\r\n\r\n");
    }
    text_puts(t, "HTTP/1.1 201 Created\r\nDate: Sun, 29 Nov 2026 15:16:45 GMT\r\n"
                 "Content-Type: application/json\r\n");
    text_puts(t, header);
    text_puts(t, ":");
    text_puts(t, pre);
    text_puts(t, tok);
    text_puts(t, post);
    text_puts(t, "\r\nX-Request-Id: 5f1e0c2a9b\r\nContent-Length: 2\r\n\r\n{}");
}

/* A 6,000-byte X-Subject-Token, twelve times M2M_HTTP_LINE_MAX, is captured
 * whole into a buffer of exactly its size plus the NUL, with and without a
 * 100 Continue before the final response, whatever the split; the other
 * headers are still parsed and the body still delivered. */
static void long_subject_token_is_captured_at_every_split(void **state)
{
    static char tok[TOKEN_LEN + 1];
    capture_expect_t e = {HTTP_RESPONSE_DONE, 201, 1, tok, TOKEN_LEN, "{}"};
    int cont;
    (void)state;
    make_token(tok);
    for (cont = 0; cont <= 1; cont++) {
        text_t t = {0};
        build_token_response(&t, cont, "X-Subject-Token", " ", tok, "");
        check_capture_all_splits(t.buf, t.len, "X-Subject-Token", TOKEN_LEN + 1, &e);
        free(t.buf);
    }
}

/* A buffer one byte short fails the response with the capture's own error,
 * at every split; blanks after a value that fills the buffer exactly are
 * trimmed, not counted, but a blank and another byte are not. */
static void capture_over_its_buffer_is_refused(void **state)
{
    static char tok[TOKEN_LEN + 1];
    capture_expect_t too_long = {HTTP_RESPONSE_ERR_CAPTURE_TOO_LONG, 0, 0, NULL, 0, ""};
    capture_expect_t fits = {HTTP_RESPONSE_DONE, 201, 1, tok, TOKEN_LEN, "{}"};
    text_t t = {0};
    (void)state;
    make_token(tok);

    build_token_response(&t, 0, "X-Subject-Token", "", tok, "");
    check_capture_all_splits(t.buf, t.len, "X-Subject-Token", TOKEN_LEN, &too_long);
    free(t.buf);
    memset(&t, 0, sizeof t);

    build_token_response(&t, 0, "X-Subject-Token", " \t ", tok, " \t  ");
    check_capture_all_splits(t.buf, t.len, "X-Subject-Token", TOKEN_LEN + 1, &fits);
    free(t.buf);
    memset(&t, 0, sizeof t);

    build_token_response(&t, 0, "X-Subject-Token", "", tok, " x");
    check_capture_all_splits(t.buf, t.len, "X-Subject-Token", TOKEN_LEN + 1, &too_long);
    free(t.buf);
}

/* Without a capture, or with a capture of another name, a header line of the
 * same length is still held to M2M_HTTP_LINE_MAX. */
static void long_header_not_captured_is_still_too_long(void **state)
{
    static char tok[TOKEN_LEN + 1];
    capture_expect_t e = {HTTP_RESPONSE_ERR_LINE_TOO_LONG, 0, 0, NULL, 0, ""};
    static const char *const names[] = {NULL, "X-Subject-Token"};
    size_t i;
    (void)state;
    make_token(tok);
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        text_t t = {0};
        build_token_response(&t, 0, names[i] == NULL ? "X-Subject-Token" : "X-Other-Token", " ",
                             tok, "");
        check_capture_all_splits(t.buf, t.len, names[i], TOKEN_LEN + 1, &e);
        free(t.buf);
    }
}

/* Short cases, each at every split: name matching, trimming, absence,
 * repetition, where the header may stand, and what a value may hold. */
static void capture_cases(void **state)
{
    static const struct {
        const char *what;
        const char *capture; /* the name given to http_response_capture_header */
        const char *raw;
        capture_expect_t e;
    } cases[] = {
        {"case-insensitive header name",
         "X-Subject-Token",
         "HTTP/1.1 201 Created\r\nx-SUBJECT-token: abc\r\nContent-Length: 0\r\n\r\n",
         {HTTP_RESPONSE_DONE, 201, 1, "abc", 3, ""}},
        {"case-insensitive capture name",
         "x-subject-TOKEN",
         "HTTP/1.1 201 Created\r\nX-Subject-Token: abc\r\nContent-Length: 0\r\n\r\n",
         {HTTP_RESPONSE_DONE, 201, 1, "abc", 3, ""}},
        {"absent",
         "X-Subject-Token",
         "HTTP/1.1 201 Created\r\nX-Subject-Tokens: a\r\nX-Subject-Toke: b\r\n"
         "Via: X-Subject-Token: c\r\nContent-Length: 0\r\n\r\n",
         {HTTP_RESPONSE_DONE, 201, 0, "", 0, ""}},
        {"blanks trimmed, inner blanks kept",
         "X-Subject-Token",
         "HTTP/1.1 201 Created\r\nX-Subject-Token:\t  a b\tc \t \r\nContent-Length: 1\r\n\r\nz",
         {HTTP_RESPONSE_DONE, 201, 1, "a b\tc", 5, "z"}},
        {"empty value is present",
         "X-Subject-Token",
         "HTTP/1.1 201 Created\r\nX-Subject-Token:   \r\nContent-Length: 0\r\n\r\n",
         {HTTP_RESPONSE_DONE, 201, 1, "", 0, ""}},
        {"bare LF line end",
         "X-Subject-Token",
         "HTTP/1.1 201 Created\nX-Subject-Token: abc\nContent-Length: 0\n\n",
         {HTTP_RESPONSE_DONE, 201, 1, "abc", 3, ""}},
        {"repeated: the last wins",
         "X-Subject-Token",
         "HTTP/1.1 201 Created\r\nX-Subject-Token: first-longer\r\nX-Subject-Token: second\r\n"
         "Content-Length: 0\r\n\r\n",
         {HTTP_RESPONSE_DONE, 201, 1, "second", 6, ""}},
        {"obs-text kept",
         "X-Subject-Token",
         "HTTP/1.1 201 Created\r\nX-Subject-Token: \xc3\xa9t\xc3\xa9\r\nContent-Length: 0\r\n\r\n",
         {HTTP_RESPONSE_DONE, 201, 1, "\xc3\xa9t\xc3\xa9", 5, ""}},
        {"only in a 100 Continue: dropped with its head",
         "X-Subject-Token",
         "HTTP/1.1 100 Continue\r\nX-Subject-Token: early\r\n\r\n"
         "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
         {HTTP_RESPONSE_DONE, 201, 0, "", 0, ""}},
        {"in a trailer: not interpreted",
         "X-Subject-Token",
         "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
         "2\r\nok\r\n0\r\nX-Subject-Token: late\r\n\r\n",
         {HTTP_RESPONSE_DONE, 201, 0, "", 0, "ok"}},
        {"control byte in the value",
         "X-Subject-Token",
         "HTTP/1.1 201 Created\r\nX-Subject-Token: a\x01"
         "b\r\nContent-Length: 0\r\n\r\n",
         {HTTP_RESPONSE_ERR_HEADER, 0, 0, NULL, 0, ""}},
        {"bare CR in the value",
         "X-Subject-Token",
         "HTTP/1.1 201 Created\r\nX-Subject-Token: a\rb\r\nContent-Length: 0\r\n\r\n",
         {HTTP_RESPONSE_ERR_HEADER, 0, 0, NULL, 0, ""}},
        {"blank before the colon",
         "X-Subject-Token",
         "HTTP/1.1 201 Created\r\nX-Subject-Token : abc\r\nContent-Length: 0\r\n\r\n",
         {HTTP_RESPONSE_ERR_HEADER, 0, 0, NULL, 0, ""}},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        print_message("capture case: %s\n", cases[i].what);
        check_capture_all_splits(cases[i].raw, strlen(cases[i].raw), cases[i].capture, 16,
                                 &cases[i].e);
    }
}

/* The capture error has its own description. */
static void strerror_names_the_capture_error(void **state)
{
    int a;
    const char *s = http_response_strerror(HTTP_RESPONSE_ERR_CAPTURE_TOO_LONG);
    (void)state;
    assert_true(s[0] != '\0');
    for (a = HTTP_RESPONSE_ERR_STATE; a <= HTTP_RESPONSE_DONE; a++) {
        assert_string_not_equal(s, http_response_strerror((http_response_status_t)a));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(corpus_cases_give_the_same_outcome_at_every_split),
        cmocka_unit_test(every_prefix_of_a_valid_response_is_truncated),
        cmocka_unit_test(every_error_code_has_a_corpus_case),
        cmocka_unit_test(header_line_at_the_limit_passes_one_over_fails),
        cmocka_unit_test(every_kind_of_line_is_bounded),
        cmocka_unit_test(long_line_error_stops_at_the_first_byte_over),
        cmocka_unit_test(header_count_at_the_limit_passes_one_over_fails),
        cmocka_unit_test(content_length_at_body_max_passes_one_over_fails),
        cmocka_unit_test(chunk_size_limits),
        cmocka_unit_test(keep_alive_connection_carries_responses_back_to_back),
        cmocka_unit_test(done_is_reported_by_a_feed_of_zero_bytes),
        cmocka_unit_test(error_state_is_sticky),
        cmocka_unit_test(retry_after_values),
        cmocka_unit_test(content_type_json_detection),
        cmocka_unit_test(strerror_names_every_status),
        cmocka_unit_test(long_subject_token_is_captured_at_every_split),
        cmocka_unit_test(capture_over_its_buffer_is_refused),
        cmocka_unit_test(long_header_not_captured_is_still_too_long),
        cmocka_unit_test(capture_cases),
        cmocka_unit_test(strerror_names_the_capture_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

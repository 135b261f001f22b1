/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http_response.h - an I/O-free HTTP/1.1 response parser.
 *
 * A bounded state machine: feed it any number of bytes at a time, in as many
 * calls as you like, and it reports the status line and the headers it needs,
 * then hands out body bytes as slices of the input (never copied), with
 * Content-Length, chunked transfer coding (extensions and trailers) and
 * read-until-close bodies. It holds one line buffer of M2M_HTTP_LINE_MAX bytes
 * and never reads past a limit: oversized lines, too many headers, chunk sizes
 * or Content-Length values over M2M_HTTP_BODY_MAX are refused with a specific
 * error. No allocation, no recursion.
 *
 * Typical use:
 *
 *   http_response_init(&r);
 *   while (more input) {
 *     size_t off = 0;
 *     for (;;) {   // until NEED_MORE, not until off == n: see below
 *       size_t used; const uint8_t *body; size_t body_len;
 *       http_response_status_t st = http_response_feed(&r, in + off, n - off,
 *                                                      &used, &body, &body_len);
 *       off += used;
 *       if (st == HTTP_RESPONSE_BODY) consume(body, body_len);
 *       else if (st == HTTP_RESPONSE_DONE) finished;
 *       else if (st < 0) error;
 *       else if (st == HTTP_RESPONSE_NEED_MORE) break; // all input used
 *       // HTTP_RESPONSE_HEADERS: r.status_code, r.content_length, ... valid
 *     }
 *   }
 *   on end of stream: http_response_finish(&r) -> DONE or an error.
 *
 * Keep calling after HEADERS and BODY even when no input is left (len 0):
 * the end of a body without a terminator of its own (the last byte of a
 * Content-Length body, or no body at all for 204, 304 and Content-Length: 0)
 * is reported as DONE by the next call. A loop that stops when off == n
 * would wait for input that a keep-alive server never sends.
 *
 * One header may be captured whole, whatever its length: after
 * http_response_init(), http_response_capture_header() names it and gives
 * the buffer its value is streamed into (used for X-Subject-Token, an IAM
 * token of several kilobytes, far over M2M_HTTP_LINE_MAX).
 */
#ifndef HTTP_RESPONSE_H
#define HTTP_RESPONSE_H

#include <stddef.h>
#include <stdint.h>

#include "m2m_defaults.h"

typedef enum {
    /* Progress (>= 0). */
    HTTP_RESPONSE_NEED_MORE = 0, /* every byte given was used; feed more */
    HTTP_RESPONSE_HEADERS = 1,   /* status line and headers complete; the
                                    fields below are valid from now on */
    HTTP_RESPONSE_BODY = 2,      /* *body / *body_len hold body bytes */
    HTTP_RESPONSE_DONE = 3,      /* the message is complete; bytes after it
                                    are not used (see *used) */
    /* Errors (< 0). After an error the parser stays in the error state. */
    HTTP_RESPONSE_ERR_STATUS_LINE = -1,        /* not "HTTP/1.x NNN reason" */
    HTTP_RESPONSE_ERR_LINE_TOO_LONG = -2,      /* status, header, chunk-size or
                                                  trailer line over
                                                  M2M_HTTP_LINE_MAX */
    HTTP_RESPONSE_ERR_TOO_MANY_HEADERS = -3,   /* over M2M_HTTP_HEADERS_MAX */
    HTTP_RESPONSE_ERR_HEADER = -4,             /* malformed header line */
    HTTP_RESPONSE_ERR_CONTENT_LENGTH = -5,     /* invalid or conflicting value */
    HTTP_RESPONSE_ERR_BODY_TOO_LARGE = -6,     /* Content-Length over
                                                  M2M_HTTP_BODY_MAX */
    HTTP_RESPONSE_ERR_CHUNK_SIZE = -7,         /* malformed chunk-size line */
    HTTP_RESPONSE_ERR_CHUNK_TOO_LARGE = -8,    /* chunk over M2M_HTTP_BODY_MAX */
    HTTP_RESPONSE_ERR_CHUNK_END = -9,          /* chunk data not followed by CRLF */
    HTTP_RESPONSE_ERR_TRANSFER_ENCODING = -10, /* a coding other than chunked */
    HTTP_RESPONSE_ERR_TRUNCATED = -11,         /* stream ended before the end of
                                                  the message */
    HTTP_RESPONSE_ERR_STATE = -12,             /* fed after an error, or bytes
                                                  after DONE (len 0 after DONE
                                                  returns DONE again) */
    HTTP_RESPONSE_ERR_CAPTURE_TOO_LONG = -13   /* the captured header's value
                                                  does not fit its buffer */
} http_response_status_t;

/* Parser state. Place it anywhere; http_response_init() makes it ready.
 * The public fields are valid once HTTP_RESPONSE_HEADERS was returned. */
typedef struct {
    int status_code;            /* 100..999 */
    uint8_t http_minor;         /* 0 for HTTP/1.0, 1 for HTTP/1.1 */
    uint8_t chunked;            /* 1 if Transfer-Encoding: chunked */
    uint8_t keep_alive;         /* 1 if the connection may be reused after DONE */
    uint8_t has_content_length; /* 1 if Content-Length was given */
    uint8_t content_type_json;  /* 1 if Content-Type is application/json or
                                   any type with a +json suffix */
    uint64_t content_length;    /* bytes, when has_content_length */
    /* Retry-After: a delay in seconds, or an HTTP date as UTC epoch seconds.
     * -1 when absent or unparseable. */
    int64_t retry_after_seconds;
    int64_t retry_after_date;
    /* The header named by http_response_capture_header(): captured is 1 if it
     * was present (the last one wins if repeated), captured_len the length of
     * its value in the capture buffer, NUL excluded. 0 and 0 without one. */
    size_t captured_len;
    uint8_t captured;

    /* Private state below: do not touch. */
    uint8_t state;
    uint8_t flags;
    uint16_t header_count;
    uint16_t line_len;
    uint32_t remaining; /* body or chunk bytes still expected (<= M2M_HTTP_BODY_MAX) */
    char line[M2M_HTTP_LINE_MAX];
    const char *capture_name; /* kept across 1xx heads, unlike the above */
    char *capture_buf;
    size_t capture_cap;
} http_response_t;

/* Make r ready for a new response, with no header capture. Call again (and
 * set the capture again) before each response on a reused connection. */
void http_response_init(http_response_t *r);

/* Capture the value of the header named name (a header field name, matched
 * ignoring ASCII case; the string must outlive the response) into buf[cap],
 * cap >= 1. Call after http_response_init(); the capture holds for the final
 * response after any 1xx. The value bypasses the line buffer, so it may be up
 * to cap - 1 bytes long whatever M2M_HTTP_LINE_MAX is; a longer one fails the
 * response with HTTP_RESPONSE_ERR_CAPTURE_TOO_LONG. Leading and trailing
 * blanks are trimmed and buf is always NUL-terminated ("" while absent). The
 * name itself and every other header keep the usual limits. name NULL (or
 * cap 0) captures nothing. Call it before the first byte is fed. */
void http_response_capture_header(http_response_t *r, const char *name, char *buf, size_t cap);

/* Feed len bytes (len may be 0). On return *used (always set) is how many
 * input bytes were consumed. When HTTP_RESPONSE_BODY is returned, *body and
 * *body_len are a slice of in. Any of body/body_len may not be NULL.
 * Returns one of http_response_status_t. */
http_response_status_t http_response_feed(http_response_t *r, const uint8_t *in, size_t len,
                                          size_t *used, const uint8_t **body, size_t *body_len);

/* The peer closed the stream. Returns HTTP_RESPONSE_DONE when the message
 * was complete (or its body is delimited by the close), otherwise
 * HTTP_RESPONSE_ERR_TRUNCATED. */
http_response_status_t http_response_finish(http_response_t *r);

/* A short constant English description of a status, never NULL. */
const char *http_response_strerror(http_response_status_t st);

#endif /* HTTP_RESPONSE_H */

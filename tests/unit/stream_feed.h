/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stream_feed.h - how test_job_stream.c and test_job_stream_v2.c feed a body to the
 * streaming reader (firmware/job_stream.c): whole, a byte at a time, in two pieces split at a
 * point, or in pieces of random sizes. Every way must give the same outcome.
 */
#ifndef STREAM_FEED_H
#define STREAM_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "job_stream.h"

/* How a body is fed. split: FEED_WHOLE, FEED_BYTES, a split point (> 0: two feeds), or
 * FEED_PIECES (pieces of 1..max_piece bytes drawn from seed). */
typedef struct {
    long split;
    size_t max_piece;
    uint32_t seed;
} feed_t;
enum { FEED_WHOLE = -1, FEED_BYTES = 0, FEED_PIECES = -2 };
static const feed_t whole = {FEED_WHOLE, 0, 0};
static const feed_t bytewise = {FEED_BYTES, 0, 0};

static inline feed_t split_at(size_t k)
{
    feed_t f = {(long)k, 0, 0};
    return f;
}

static inline feed_t random_pieces(size_t max_piece, uint32_t seed)
{
    feed_t f = {FEED_PIECES, max_piece, seed};
    return f;
}

/* Feeds body[0..len) as how says; returns the first status that is not OK, or OK. */
static inline job_stream_status_t feed_all(job_stream_t *s, const char *body, size_t len,
                                           feed_t how)
{
    const uint8_t *b = (const uint8_t *)body;
    job_stream_status_t st = JOB_STREAM_OK;
    size_t at = 0;

    if (how.split == FEED_WHOLE) {
        return job_stream_feed(s, b, len);
    }
    if (how.split > 0) {
        st = job_stream_feed(s, b, (size_t)how.split);
        return st != JOB_STREAM_OK ? st
                                   : job_stream_feed(s, b + how.split, len - (size_t)how.split);
    }
    while (at < len && st == JOB_STREAM_OK) {
        size_t piece = 1;
        if (how.split == FEED_PIECES) {
            how.seed = how.seed * 1103515245u + 12345u;
            piece = 1 + (size_t)((how.seed >> 16) % how.max_piece);
        }
        piece = piece < len - at ? piece : len - at;
        st = job_stream_feed(s, b + at, piece);
        at += piece;
    }
    return st;
}

#endif /* STREAM_FEED_H */

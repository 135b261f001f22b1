/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stream_pieces.h - the reading that fuzz_job_stream.c and fuzz_job_stream_v2.c share: a body
 * through the streaming reader (firmware/job_stream.c) in pieces, with the invariants of its
 * error state that hold for either list call. Include after defining CHECK(cond).
 */
#ifndef STREAM_PIECES_H
#define STREAM_PIECES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "job_stream.h"

/* Feed body[0..n) to s, already initialised, in pieces of 1..max_piece bytes drawn from seed
 * (whole when max_piece is 0), then finish it. Once a feed fails, the stream must refuse
 * further input and finish with that error. Returns the final status. */
static job_stream_status_t feed_in_pieces(job_stream_t *s, const uint8_t *body, size_t n,
                                          size_t max_piece, uint32_t seed)
{
    job_stream_status_t st = JOB_STREAM_OK, fin;
    size_t off = 0;

    while (off < n) {
        size_t piece;

        seed = seed * 1103515245u + 12345u;
        piece = max_piece == 0 ? n - off : 1 + (size_t)((seed >> 16) % max_piece);
        if (piece > n - off) {
            piece = n - off;
        }
        st = job_stream_feed(s, body + off, piece);
        CHECK(job_stream_strerror(st) != NULL);
        off += piece;
        if (st != JOB_STREAM_OK) {
            break;
        }
    }
    if (st != JOB_STREAM_OK) {
        CHECK(st >= JOB_STREAM_ERR_STATE && st != JOB_STREAM_ERR_STATE);
        CHECK(job_stream_feed(s, body, n) == JOB_STREAM_ERR_STATE);
        CHECK(job_stream_feed(s, body, 0) == JOB_STREAM_ERR_STATE);
        fin = job_stream_finish(s);
        CHECK(fin == st);
    } else {
        fin = job_stream_finish(s);
        CHECK(fin == JOB_STREAM_OK || fin == JOB_STREAM_ERR_TRUNCATED);
        CHECK(job_stream_strerror(fin) != NULL);
    }
    CHECK(memchr(s->error_code, '\0', sizeof s->error_code) != NULL);
    CHECK(memchr(s->error_message, '\0', sizeof s->error_message) != NULL);
    return fin;
}

#endif /* STREAM_PIECES_H */

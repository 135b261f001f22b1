/* SPDX-License-Identifier: Apache-2.0 */
/*
 * job_stream.h - streaming reader of a "list training jobs" response body.
 *
 * Fed the body bytes as they arrive (any split), it walks the top-level JSON
 * object with a small state machine, reads the top-level fields in any key
 * order, skips unknown values (nested objects, arrays, strings holding braces
 * and brackets), and hands the elements of the job list to a callback, one
 * object at a time, through its job buffer. Memory is fixed: one job buffer
 * of M2M_JOB_MAX bytes and a nesting stack of M2M_JSON_DEPTH_MAX bits,
 * whatever the page size and, for v2, whatever the item size. I/O-free; no
 * allocation, no recursion.
 *
 * Two list calls are read (job_stream_api_t):
 *
 * v1, GET /v1/{project_id}/training-jobs: each element of "jobs" is copied
 * whole, as sent.
 *
 * v2, POST /v2/{project_id}/training-job-searches: an element of "items" is
 * 2-6 KB and may be far larger (parameters, annotations, task lists), so only
 * what the MQTT payload needs is copied, and the rest is checked and skipped
 * as it streams by. The callback receives a filtered copy, compact JSON (no
 * whitespace), members in the order they appeared:
 *   - at item level, "kind" when its value is a scalar (string, number,
 *     true, false or null), and "metadata" and "status" when their value is
 *     an object;
 *   - inside "metadata", the members id, name, description, create_time,
 *     workspace_id and user_name; inside "status", phase, secondary_phase,
 *     duration and start_time; each only when its value is a scalar.
 * Kept values are copied byte for byte (strings keep their escapes). Keys are
 * matched by their decoded form (so "\u006bind" is "kind") and written out
 * decoded; a key whose raw text is longer than 24 bytes is never a kept one
 * (as for top-level keys). Duplicate keys are all kept. An item keeping
 * nothing is {}, and so is a kept "metadata" or "status" keeping nothing.
 * Skipped values are still checked as JSON (strings, escapes, literals,
 * numbers, nesting); only the kept copy counts against M2M_JOB_MAX.
 */
#ifndef JOB_STREAM_H
#define JOB_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "m2m_defaults.h"

typedef enum {
    JOB_STREAM_OK = 0,                  /* all bytes used; feed more / done */
    JOB_STREAM_ERR_SYNTAX = -1,         /* not valid JSON */
    JOB_STREAM_ERR_NOT_OBJECT = -2,     /* the body is not a JSON object */
    JOB_STREAM_ERR_JOBS_NOT_ARRAY = -3, /* "jobs" (v2: "items") is neither
                                           an array nor null */
    JOB_STREAM_ERR_JOB_NOT_OBJECT = -4, /* an element of "jobs" (v2:
                                           "items") is not an object */
    JOB_STREAM_ERR_JOB_TOO_LARGE = -5,  /* one job over M2M_JOB_MAX bytes
                                           (v2: its filtered copy) */
    JOB_STREAM_ERR_TOO_DEEP = -6,       /* nesting over M2M_JSON_DEPTH_MAX */
    JOB_STREAM_ERR_NUMBER = -7,         /* a top-level integer field that is
                                           not an integer or beyond 64 bits */
    JOB_STREAM_ERR_TRAILING = -8,       /* bytes other than whitespace after
                                           the top-level object */
    JOB_STREAM_ERR_TRUNCATED = -9,      /* the body ended inside the object */
    JOB_STREAM_ERR_CALLBACK = -10,      /* the job callback asked to stop;
                                           see callback_result */
    JOB_STREAM_ERR_STATE = -11          /* fed after an error */
} job_stream_status_t;

/* Which list call's body is read. */
typedef enum {
    JOB_STREAM_V1 = 0, /* GET /v1/{project_id}/training-jobs: "jobs",
                          is_success, job_total_count, job_count_limit,
                          quotas, error_code, error_message / error_msg */
    JOB_STREAM_V2 = 1  /* POST /v2/{project_id}/training-job-searches:
                          "items", total, error_code, error_msg /
                          error_message */
} job_stream_api_t;

/* Called once per element of "jobs" (v2: "items"), in order. job points at
 * the element's JSON text, from '{' to '}', len bytes (at most M2M_JOB_MAX),
 * followed by a NUL at job[len]: for v1 the element's raw bytes, for v2 its
 * filtered copy (see above). The callee may modify it in place (decode
 * strings) but must not keep the pointer. Return 0 to go on; any other value
 * stops the stream with JOB_STREAM_ERR_CALLBACK and is kept in
 * callback_result. */
typedef int (*job_stream_job_fn)(void *user, char *job, size_t len);

typedef struct {
    /* Results, valid as they are read; final after job_stream_finish(). */
    int8_t is_success;           /* -1 absent, 0 false, 1 true; v2 has
                                    none: always -1 */
    uint8_t has_jobs;            /* 1 once a "jobs" (v2: "items") array
                                    was seen */
    uint8_t has_job_total_count; /* 1 when the field (v2: "total") held an
                                    integer */
    uint8_t has_job_count_limit; /* v1 only */
    uint8_t has_quotas;          /* v1 only */
    int64_t job_total_count;
    int64_t job_count_limit;
    int64_t quotas;
    uint32_t jobs_seen; /* elements of the list handed out */
    /* "error_code" and "error_message" (or "error_msg"), decoded (JSON
     * escapes resolved to UTF-8) and NUL-terminated; empty when absent;
     * truncated at a UTF-8 boundary when longer than the buffer. */
    char error_code[64];
    char error_message[M2M_API_TEXT_MAX];
    int callback_result; /* the callback's nonzero return */

    /* Private state below: do not touch. */
    job_stream_job_fn on_job;
    void *user;
    uint8_t state;
    uint8_t sub;   /* escape / literal progress */
    uint8_t depth; /* current nesting, top-level object = 1 */
    uint8_t error; /* the status that stopped the stream, negated */
    uint8_t field; /* what the key being read, then its value, is */
    uint8_t key_len;
    uint8_t value_len;
    uint8_t flags;
    uint8_t api;  /* job_stream_api_t */
    uint8_t item; /* v2: where the walk is inside "items" */
    /* 1 bit per level: 1 = array */
    uint32_t nest[(M2M_JSON_DEPTH_MAX + 31) / 32];
    /* The key being read (top-level; v2: or a member of an item), raw, then
     * decoded; longer than this: never a known key. */
    char key[24];
    char value[24]; /* top-level scalar being read */
    size_t job_len;
    char job[M2M_JOB_MAX + 1];
} job_stream_t;

/* Make s ready for a new v1 body; on_job may be NULL (jobs are then only
 * counted). The same as job_stream_init_api(s, JOB_STREAM_V1, on_job, user). */
void job_stream_init(job_stream_t *s, job_stream_job_fn on_job, void *user);

/* As job_stream_init(), for the body of the given list call (a value other
 * than JOB_STREAM_V2 reads v1). Built without M2M_WITH_V2 (m2m_defaults.h),
 * the v2 reading is left out and every body is read as v1. */
void job_stream_init_api(job_stream_t *s, job_stream_api_t api, job_stream_job_fn on_job,
                         void *user);

/* Feed len body bytes. Returns JOB_STREAM_OK or an error; after an error
 * every later call returns JOB_STREAM_ERR_STATE. */
job_stream_status_t job_stream_feed(job_stream_t *s, const uint8_t *data, size_t len);

/* The body ended. Returns JOB_STREAM_OK if a complete top-level object was
 * read, JOB_STREAM_ERR_TRUNCATED otherwise (or the earlier error). */
job_stream_status_t job_stream_finish(job_stream_t *s);

/* A short constant English description, never NULL. */
const char *job_stream_strerror(job_stream_status_t st);

#endif /* JOB_STREAM_H */

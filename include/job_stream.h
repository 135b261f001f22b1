/*
 * job_stream.h - streaming reader of a "list training jobs" response body.
 *
 * Fed the body bytes as they arrive (any split), it walks the top-level JSON
 * object with a small state machine, reads the top-level fields in any key
 * order, skips unknown values (nested objects, arrays, strings holding braces
 * and brackets), and copies each element of "jobs" - one object at a time -
 * into its job buffer, then hands it to a callback. Memory is fixed: one job
 * buffer of M2M_JOB_MAX bytes and a nesting stack of M2M_JSON_DEPTH_MAX bits,
 * whatever the page size. I/O-free; no allocation, no recursion.
 */
#ifndef JOB_STREAM_H
#define JOB_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "m2m_defaults.h"

typedef enum {
    JOB_STREAM_OK = 0,                 /* all bytes used; feed more / done */
    JOB_STREAM_ERR_SYNTAX = -1,        /* not valid JSON */
    JOB_STREAM_ERR_NOT_OBJECT = -2,    /* the body is not a JSON object */
    JOB_STREAM_ERR_JOBS_NOT_ARRAY = -3, /* "jobs" is not an array */
    JOB_STREAM_ERR_JOB_NOT_OBJECT = -4, /* an element of "jobs" is not an
                                           object */
    JOB_STREAM_ERR_JOB_TOO_LARGE = -5, /* one job over M2M_JOB_MAX bytes */
    JOB_STREAM_ERR_TOO_DEEP = -6,      /* nesting over M2M_JSON_DEPTH_MAX */
    JOB_STREAM_ERR_NUMBER = -7,        /* a top-level integer field that is
                                          not an integer or beyond 64 bits */
    JOB_STREAM_ERR_TRAILING = -8,      /* bytes other than whitespace after
                                          the top-level object */
    JOB_STREAM_ERR_TRUNCATED = -9,     /* the body ended inside the object */
    JOB_STREAM_ERR_CALLBACK = -10,     /* the job callback asked to stop;
                                          see callback_result */
    JOB_STREAM_ERR_STATE = -11         /* fed after an error */
} job_stream_status_t;

/* Called once per element of "jobs", in order. job points at the element's
 * raw JSON text (from '{' to '}', len bytes, followed by a NUL at job[len]);
 * the callee may modify it in place (decode strings) but must not keep the
 * pointer. Return 0 to go on; any other value stops the stream with
 * JOB_STREAM_ERR_CALLBACK and is kept in callback_result. */
typedef int (*job_stream_job_fn)(void *user, char *job, size_t len);

typedef struct {
    /* Results, valid as they are read; final after job_stream_finish(). */
    int8_t is_success;            /* -1 absent, 0 false, 1 true */
    uint8_t has_jobs;             /* 1 once a "jobs" array was seen */
    uint8_t has_job_total_count;  /* 1 when the field held an integer */
    uint8_t has_job_count_limit;
    uint8_t has_quotas;
    int64_t job_total_count;
    int64_t job_count_limit;
    int64_t quotas;
    uint32_t jobs_seen;           /* elements of "jobs" handed out */
    /* "error_code" and "error_message" (or "error_msg"), decoded (JSON
     * escapes resolved to UTF-8) and NUL-terminated; empty when absent;
     * truncated at a UTF-8 boundary when longer than the buffer. */
    char error_code[64];
    char error_message[M2M_API_TEXT_MAX];
    int callback_result;          /* the callback's nonzero return */

    /* Private state below: do not touch. */
    job_stream_job_fn on_job;
    void *user;
    uint8_t state;
    uint8_t sub;                  /* escape / literal progress */
    uint8_t depth;                /* current nesting, top-level object = 1 */
    uint8_t error;                /* the status that stopped the stream,
                                     negated */
    uint8_t field;                /* which top-level field is being read */
    uint8_t key_len;
    uint8_t value_len;
    uint8_t flags;
    uint32_t nest[(M2M_JSON_DEPTH_MAX + 31) / 32]; /* 1 bit per level:
                                                      1 = array */
    char key[24];                 /* top-level key being read (truncated) */
    char value[24];               /* top-level scalar being read */
    size_t job_len;
    char job[M2M_JOB_MAX + 1];
} job_stream_t;

/* Make s ready for a new body; on_job may be NULL (jobs are then only
 * counted). */
void job_stream_init(job_stream_t *s, job_stream_job_fn on_job, void *user);

/* Feed len body bytes. Returns JOB_STREAM_OK or an error; after an error
 * every later call returns JOB_STREAM_ERR_STATE. */
job_stream_status_t job_stream_feed(job_stream_t *s, const uint8_t *data, size_t len);

/* The body ended. Returns JOB_STREAM_OK if a complete top-level object was
 * read, JOB_STREAM_ERR_TRUNCATED otherwise (or the earlier error). */
job_stream_status_t job_stream_finish(job_stream_t *s);

/* A short constant English description, never NULL. */
const char *job_stream_strerror(job_stream_status_t st);

#endif /* JOB_STREAM_H */

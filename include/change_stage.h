/*
 * change_stage.h - job changes held until the poll that found them is
 * complete.
 *
 * A poll that fails on any page must not change what the broker holds. The
 * payload of each job that changed therefore waits here, in bytes the caller
 * places, until every page has been read; the agent then publishes the held
 * changes in the order they were found, or, when the poll failed, drops them
 * and puts the job table back. Records are packed one after another: a fixed
 * header, the payload, a NUL. No allocation.
 */
#ifndef CHANGE_STAGE_H
#define CHANGE_STAGE_H

#include <stddef.h>
#include <stdint.h>

#include "job_table.h"
#include "m2m_defaults.h"

/* Walks one poll may make when the changes found do not all fit the stage:
 * each further walk publishes the next stage-full (override at build time). */
#ifndef M2M_WALKS_PER_POLL
#define M2M_WALKS_PER_POLL 16
#endif

/* What the agent needs to publish a held change, or to undo it. */
typedef struct {
    job_entry_t before;   /* the table entry before the change (job_id always
                             set; the rest only for JOB_TABLE_CHANGED) */
    uint16_t payload_len; /* bytes of the job payload that follows */
    uint8_t kind;         /* JOB_TABLE_NEW, JOB_TABLE_CHANGED or JOB_TABLE_FULL */
    uint8_t event;        /* 1: publish an event (added or transition) too */
} change_head_t;

typedef struct {
    uint8_t *buf;   /* caller's storage */
    size_t cap;     /* bytes in buf */
    size_t used;    /* bytes holding records */
    uint32_t count; /* records held */
} change_stage_t;

/* Bytes one record takes for a payload of payload_len bytes. */
#define CHANGE_STAGE_RECORD_SIZE(payload_len) (sizeof(change_head_t) + (payload_len) + 1u)

/* The least storage that holds any job: one record of the largest payload. */
#define CHANGE_STAGE_MIN CHANGE_STAGE_RECORD_SIZE(M2M_PAYLOAD_MAX)

/* Start an empty stage over buf[cap]. */
void change_stage_init(change_stage_t *s, void *buf, size_t cap);

/* Forget every record. */
void change_stage_clear(change_stage_t *s);

/* 1 when a record with a payload of payload_len bytes fits, else 0. */
int change_stage_fits(const change_stage_t *s, size_t payload_len);

/* Append a record: head (its payload_len says how many bytes of payload).
 * Returns 0, or -1 (nothing appended) when it does not fit or payload_len is
 * over M2M_PAYLOAD_MAX. */
int change_stage_push(change_stage_t *s, const change_head_t *head, const char *payload);

/* Walk the records in the order they were pushed: *pos starts at 0. Returns 1
 * with *head and *payload (NUL-terminated, inside the stage, writable) set,
 * or 0 after the last one. */
int change_stage_next(change_stage_t *s, size_t *pos, change_head_t *head, char **payload);

#endif /* CHANGE_STAGE_H */

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * payloads.h - the JSON payloads of the MQTT topics (see docs/topics.md).
 *
 * Each function writes one complete payload into buf[cap] and returns its
 * length, or -1 when it did not fit. Times are UTC epoch milliseconds.
 */
#ifndef PAYLOADS_H
#define PAYLOADS_H

#include <stddef.h>
#include <stdint.h>

#include "job_record.h"
#include "job_status.h"
#include "m2m_defaults.h"

/* P/jobs/<job_id>: the eight API fields (absent ones as null), then
 * status_name, phase and terminal. */
long payload_job(char *buf, size_t cap, const job_record_t *job);

/* P/jobs/<metadata.id> of a v2 job: job_id (the UUID in lower case),
 * job_name, job_desc, create_time, duration, start_time, user_name, kind
 * (absent ones as null), status_name (status.phase as sent),
 * secondary_phase, phase, terminal, and api "v2". */
long payload_job_v2(char *buf, size_t cap, const job_record_v2_t *job);

typedef enum { EVENT_ADDED = 0, EVENT_TRANSITION = 1, EVENT_REMOVED = 2 } event_type_t;

typedef struct {
    event_type_t type;
    int64_t job_id;
    const char *job_name; /* may be NULL (null): removals know no name */
    size_t job_name_len;
    int64_t from;         /* ignored for EVENT_ADDED (null) */
    int64_t to;           /* ignored for EVENT_REMOVED (null) */
    int64_t at;           /* UTC epoch ms */
    const char *job_uuid; /* v2: metadata.id (36 characters), written as job_id
                             instead of the number; NULL for v1 */
    uint8_t v2;           /* from and to are v2 phase codes (job_v2_phase_t) */
} event_t;

/* P/events: type, job_id, job_name, from, from_name, to, to_name, phase, at.
 * phase is the phase of "to" (of "from" for a removal). For v2, from and to
 * are phase names, as from_name and to_name. */
long payload_event(char *buf, size_t cap, const event_t *ev);

typedef struct {
    uint32_t phase_counts[JOB_PHASE_COUNT];
    uint32_t total;
    uint32_t status_counts[M2M_STATUS_COUNTED]; /* codes 0..COUNTED-1 */
    struct {
        int64_t code;
        uint32_t count;
    } extra[M2M_STATUS_EXTRA_SLOTS]; /* other codes; count 0 = unused */
    uint32_t other_count;            /* codes that found no slot: "OTHER" */
    uint8_t has_job_total_count, has_job_count_limit, has_quotas;
    int64_t job_total_count, job_count_limit, quotas; /* from the API */
    int64_t updated_at;
    uint8_t v2; /* the codes are v2 phase codes (job_v2_phase_t) */
} summary_t;

/* Empty the counts (API figures absent) for a v1 (v2 0) or v2 project. */
void summary_clear(summary_t *s, int v2);

/* Count one job with this status. */
void summary_count(summary_t *s, int64_t status);

/* P/summary: pending..unknown (all eight), total, by_status (non-zero counts
 * keyed by status name, in code order; v2: by phase name, "Other" for a
 * phase not in the API's list), job_total_count (v2: the API's total),
 * job_count_limit, quotas (null when the API did not send them), updated_at. */
long payload_summary(char *buf, size_t cap, const summary_t *s);

typedef struct {
    int poll_ok;               /* 1 if the last poll was complete */
    int http_status;           /* last HTTP status, 0 if none (null) */
    const char *error_class;   /* "refused", "transient" or NULL (null) */
    const char *error_code;    /* NULL or "" writes null */
    const char *error_message; /* NULL or "" writes null */
    int64_t latency_ms;        /* the last poll, first byte to last page */
    uint32_t pages;
    uint32_t jobs; /* jobs listed by the last poll */
    uint32_t consecutive_failures;
    int64_t last_success_at; /* 0 writes null */
    int64_t next_poll_at;    /* 0 writes null */
    uint32_t mqtt_reconnects;
    uint32_t tracked;
    uint32_t capacity;
    uint32_t untracked; /* jobs that did not fit the table */
    const char *version;
    int64_t token_expires_at; /* auth = password: the IAM token's expiry;
                                 0 writes null */
    uint32_t token_renewals;  /* IAM tokens obtained since start */
} health_t;

/* B/health: the fields of health_t under the names of the topic reference
 * (untracked, token_expires_at and token_renewals included). */
long payload_health(char *buf, size_t cap, const health_t *h);

#endif /* PAYLOADS_H */

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * job_status.h - ModelArts job status codes (JOBSTAT_*), their names and
 * the phase each belongs to.
 */
#ifndef JOB_STATUS_H
#define JOB_STATUS_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    JOB_PHASE_PENDING = 0,   /* 1, 2, 4, 7 */
    JOB_PHASE_RUNNING = 1,   /* 8, 15 */
    JOB_PHASE_STOPPING = 2,  /* 9 */
    JOB_PHASE_REVIEW = 3,    /* 18, 19 */
    JOB_PHASE_SUCCEEDED = 4, /* 10, 20 */
    JOB_PHASE_FAILED = 5,    /* 3, 5, 6, 11, 14, 16, 17, 21, 22 */
    JOB_PHASE_CANCELED = 6,  /* 12, 13 */
    JOB_PHASE_UNKNOWN = 7    /* 0 and any other code */
} job_phase_t;

#define JOB_PHASE_COUNT 8

/* Longest name job_status_name() writes, NUL included ("CODE_-9223372036854775808"). */
#define JOB_STATUS_NAME_MAX 32

/* The status constant without "JOBSTAT_" (e.g. "RUNNING"); an unknown code
 * becomes "CODE_<n>". Writes into buf[JOB_STATUS_NAME_MAX] and returns buf. */
const char *job_status_name(int64_t code, char buf[JOB_STATUS_NAME_MAX]);

job_phase_t job_status_phase(int64_t code);

/* "pending", "running", ... as in the topic reference. */
const char *job_phase_name(job_phase_t phase);

/* 1 for succeeded, failed and canceled. */
int job_phase_terminal(job_phase_t phase);

/* The v2 API's phases (status.phase), numbered as a v2 project's job table,
 * summary and events keep them; a phase the API adds later is
 * JOB_V2_OTHER. */
typedef enum {
    JOB_V2_OTHER = 0,
    JOB_V2_CREATING = 1,
    JOB_V2_PENDING = 2,
    JOB_V2_RUNNING = 3,
    JOB_V2_TERMINATING = 4,
    JOB_V2_COMPLETED = 5,
    JOB_V2_FAILED = 6,
    JOB_V2_TERMINATED = 7,
    JOB_V2_ABNORMAL = 8
} job_v2_phase_t;
#define JOB_V2_PHASE_COUNT 9

/* The code of a phase as sent (phase[0..len), exact case). */
int64_t job_v2_phase_code(const char *phase, size_t len);

/* "Creating" ... "Abnormal", "Other" for JOB_V2_OTHER and any code outside
 * 0..8. */
const char *job_v2_phase_name(int64_t code);

/* The phase a v2 phase belongs to (DESIGN.md's table): Creating and Pending
 * pending, Running running, Terminating stopping, Completed succeeded, Failed
 * and Abnormal failed, Terminated canceled, any other unknown. */
job_phase_t job_v2_phase(int64_t code);

#endif /* JOB_STATUS_H */

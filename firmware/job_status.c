/* SPDX-License-Identifier: Apache-2.0 */
/* job_status.c - JOBSTAT names and phases; see include/job_status.h. */
#include "job_status.h"

#include <string.h>

#include "strbuf.h"

/* Codes 0..21 are the API reference's table; 22 (MOUNT_FAILED) is only in
 * the SDK's. Names are stored back to back, NUL-separated, in code order:
 * one array and no pointer per name keeps the table small on a
 * microcontroller, and a lookup walks at most 22 names. */
#define STATUS_KNOWN 23

static const char status_names[] = "UNKNOWN\0"
                                   "INIT\0"
                                   "IMAGE_CREATING\0"
                                   "IMAGE_FAILED\0"
                                   "SUBMIT_TRYING\0"
                                   "SUBMIT_FAILED\0"
                                   "DELETE_FAILED\0"
                                   "WAITING\0"
                                   "RUNNING\0"
                                   "KILLING\0"
                                   "COMPLETED\0"
                                   "FAILED\0"
                                   "KILLED\0"
                                   "CANCELED\0"
                                   "LOST\0"
                                   "SCALING\0"
                                   "SUBMIT_MODEL_FAILED\0"
                                   "DEPLOY_SERVICE_FAILED\0"
                                   "CHECK_INIT\0"
                                   "CHECK_RUNNING\0"
                                   "CHECK_RUNNING_COMPLETED\0"
                                   "CHECK_FAILED\0"
                                   "MOUNT_FAILED";

#define P_PEND JOB_PHASE_PENDING
#define P_RUN JOB_PHASE_RUNNING
#define P_STOP JOB_PHASE_STOPPING
#define P_REV JOB_PHASE_REVIEW
#define P_OK JOB_PHASE_SUCCEEDED
#define P_FAIL JOB_PHASE_FAILED
#define P_CANC JOB_PHASE_CANCELED
#define P_UNK JOB_PHASE_UNKNOWN

static const uint8_t status_phases[STATUS_KNOWN] = {
    P_UNK,  P_PEND, P_PEND, P_FAIL, P_PEND, P_FAIL, P_FAIL, P_PEND, /* 0..7 */
    P_RUN,  P_STOP, P_OK,   P_FAIL, P_CANC, P_CANC, P_FAIL, P_RUN,  /* 8..15 */
    P_FAIL, P_FAIL, P_REV,  P_REV,  P_OK,   P_FAIL, P_FAIL,         /* 16..22 */
};

static const char phase_names[] = "pending\0"
                                  "running\0"
                                  "stopping\0"
                                  "review\0"
                                  "succeeded\0"
                                  "failed\0"
                                  "canceled\0"
                                  "unknown";

/* The index-th string of a NUL-separated list (index within the list). */
static const char *nth_name(const char *names, unsigned index)
{
    while (index-- > 0) {
        names += strlen(names) + 1;
    }
    return names;
}

const char *job_status_name(int64_t code, char buf[JOB_STATUS_NAME_MAX])
{
    strbuf_t sb;

    strbuf_init(&sb, buf, JOB_STATUS_NAME_MAX);
    if (code >= 0 && code < STATUS_KNOWN) {
        strbuf_puts(&sb, nth_name(status_names, (unsigned)code));
    } else {
        strbuf_append(&sb, "CODE_", 5);
        strbuf_int(&sb, code); /* at most 20 characters: always fits */
    }
    return buf;
}

job_phase_t job_status_phase(int64_t code)
{
    if (code >= 0 && code < STATUS_KNOWN) {
        return (job_phase_t)status_phases[code];
    }
    return JOB_PHASE_UNKNOWN;
}

const char *job_phase_name(job_phase_t phase)
{
    if ((unsigned)phase >= JOB_PHASE_COUNT) {
        phase = JOB_PHASE_UNKNOWN;
    }
    return nth_name(phase_names, (unsigned)phase);
}

int job_phase_terminal(job_phase_t phase)
{
    return phase == JOB_PHASE_SUCCEEDED || phase == JOB_PHASE_FAILED || phase == JOB_PHASE_CANCELED;
}

/* v2 phases in code order, JOB_V2_OTHER's name first. */
static const char v2_phase_names[] = "Other\0"
                                     "Creating\0"
                                     "Pending\0"
                                     "Running\0"
                                     "Terminating\0"
                                     "Completed\0"
                                     "Failed\0"
                                     "Terminated\0"
                                     "Abnormal";

static const uint8_t v2_phases[JOB_V2_PHASE_COUNT] = {P_UNK, P_PEND, P_PEND, P_RUN, P_STOP,
                                                      P_OK,  P_FAIL, P_CANC, P_FAIL};

int64_t job_v2_phase_code(const char *phase, size_t len)
{
    const char *name = v2_phase_names;
    int64_t code;
    for (code = 0; code < JOB_V2_PHASE_COUNT; code++, name += strlen(name) + 1) {
        if (code != JOB_V2_OTHER && strlen(name) == len && memcmp(name, phase, len) == 0) {
            return code;
        }
    }
    return JOB_V2_OTHER;
}

const char *job_v2_phase_name(int64_t code)
{
    if (code < 0 || code >= JOB_V2_PHASE_COUNT) {
        code = JOB_V2_OTHER;
    }
    return nth_name(v2_phase_names, (unsigned)code);
}

job_phase_t job_v2_phase(int64_t code)
{
    if (code < 0 || code >= JOB_V2_PHASE_COUNT) {
        return JOB_PHASE_UNKNOWN;
    }
    return (job_phase_t)v2_phases[code];
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ha_job_set.h - the jobs that have Home Assistant entities (per-job
 * entities, ha_bridge.h): each job's id, its name as the job payload wrote
 * it (ha_job_name()), and whether its discovery message went out in this
 * session.
 *
 * The set grows on the C library's heap, one entry per job with an entity
 * and a copy of its name: unlike the core's job table, nothing bounds how
 * many jobs a project lists, and every one of them gets an entity.
 */
#ifndef HA_JOB_SET_H
#define HA_JOB_SET_H

#include <stddef.h>
#include <stdint.h>

#include "ha_discovery.h"

typedef struct {
    int64_t id;
    char *name;    /* escaped JSON text from the job payload, or NULL */
    int announced; /* its discovery message went out in this session */
} ha_job_t;

/* A set of jobs, sorted by id; grows on the heap. Zero-initialised is
 * empty. */
typedef struct {
    ha_job_t *jobs;
    size_t count;
    size_t capacity;
} ha_job_set_t;

/* The job with this id, or NULL. */
ha_job_t *ha_job_set_find(ha_job_set_t *set, int64_t id);

/* Add id (not announced) unless present, and set its name (name_len bytes;
 * NULL keeps the present one). A job whose name changed is marked not
 * announced. Returns 1 when the job was added or changed, 0 when nothing
 * changed, HA_ERR_MEMORY when the set could not grow. */
int ha_job_set_put(ha_job_set_t *set, int64_t id, const char *name, size_t name_len);

/* Remove id. Returns 1 if it was present, else 0. */
int ha_job_set_remove(ha_job_set_t *set, int64_t id);

/* Mark every job not announced (a new session, Home Assistant restarted). */
void ha_job_set_unannounce_all(ha_job_set_t *set);

/* Remove every job and free the storage. */
void ha_job_set_clear(ha_job_set_t *set);

/* Find the value of "job_name" in a job payload (len bytes, not
 * NUL-terminated, read as strict JSON with at most 64 tokens: jsmn as the
 * core uses it, include/m2m_jsmn.h) as JSON-escaped text: *name points into
 * payload. Returns
 * HA_OK, or HA_ERR_ARG when the payload is not a JSON object, has no string
 * job_name, or the name is longer than HA_JOB_NAME_MAX. */
ha_status_t ha_job_name(const char *payload, size_t len, const char **name, size_t *name_len);

#endif /* HA_JOB_SET_H */

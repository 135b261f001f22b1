/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ha_job_set.c - the jobs that have Home Assistant entities, and their names
 * read from job payloads; see ha_job_set.h.
 */
#include "ha_job_set.h"

#include <stdlib.h>
#include <string.h>

#include "m2m_jsmn.h"

/* Index of the first job whose id is not below id. */
static size_t lower_bound(const ha_job_set_t *set, int64_t id)
{
    size_t lo = 0;
    size_t hi = set->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (set->jobs[mid].id < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

ha_job_t *ha_job_set_find(ha_job_set_t *set, int64_t id)
{
    size_t at = lower_bound(set, id);
    return at < set->count && set->jobs[at].id == id ? &set->jobs[at] : NULL;
}

static int same_name(const char *have, const char *name, size_t name_len)
{
    if (have == NULL) {
        return name == NULL;
    }
    return name != NULL && strlen(have) == name_len && memcmp(have, name, name_len) == 0;
}

int ha_job_set_put(ha_job_set_t *set, int64_t id, const char *name, size_t name_len)
{
    size_t at = lower_bound(set, id);
    ha_job_t *job;
    char *copy = NULL;

    if (at < set->count && set->jobs[at].id == id) {
        job = &set->jobs[at];
        if (name == NULL || same_name(job->name, name, name_len)) {
            return 0;
        }
    } else {
        job = NULL;
    }
    if (name != NULL) {
        copy = malloc(name_len + 1);
        if (copy == NULL) {
            return HA_ERR_MEMORY;
        }
        memcpy(copy, name, name_len);
        copy[name_len] = '\0';
    }
    if (job != NULL) {
        free(job->name);
        job->name = copy;
        job->announced = 0;
        return 1;
    }
    if (set->count == set->capacity) {
        size_t grown = set->capacity == 0 ? 64 : set->capacity * 2;
        ha_job_t *jobs = realloc(set->jobs, grown * sizeof *jobs);
        if (jobs == NULL) {
            free(copy);
            return HA_ERR_MEMORY;
        }
        set->jobs = jobs;
        set->capacity = grown;
    }
    memmove(&set->jobs[at + 1], &set->jobs[at], (set->count - at) * sizeof set->jobs[0]);
    set->jobs[at].id = id;
    set->jobs[at].name = copy;
    set->jobs[at].announced = 0;
    set->count++;
    return 1;
}

int ha_job_set_remove(ha_job_set_t *set, int64_t id)
{
    size_t at = lower_bound(set, id);
    if (at >= set->count || set->jobs[at].id != id) {
        return 0;
    }
    free(set->jobs[at].name);
    memmove(&set->jobs[at], &set->jobs[at + 1], (set->count - at - 1) * sizeof set->jobs[0]);
    set->count--;
    return 1;
}

void ha_job_set_unannounce_all(ha_job_set_t *set)
{
    size_t i;
    for (i = 0; i < set->count; i++) {
        set->jobs[i].announced = 0;
    }
}

void ha_job_set_clear(ha_job_set_t *set)
{
    size_t i;
    for (i = 0; i < set->count; i++) {
        free(set->jobs[i].name);
    }
    free(set->jobs);
    set->jobs = NULL;
    set->count = 0;
    set->capacity = 0;
}

ha_status_t ha_job_name(const char *payload, size_t len, const char **name, size_t *name_len)
{
    /* A job payload has 11 members: 23 tokens. Room for a few more keeps
     * an added field from hiding the name. */
    jsmntok_t tokens[64];
    jsmn_parser parser;
    int count;
    int i;

    *name = NULL;
    *name_len = 0;
    jsmn_init(&parser);
    count = jsmn_parse(&parser, payload, len, tokens, sizeof tokens / sizeof tokens[0]);
    if (count < 1 || tokens[0].type != JSMN_OBJECT) {
        return HA_ERR_ARG;
    }
    /* Members of the top object: key, value, key, value... skipping the
     * tokens nested inside each value. */
    i = 1;
    while (i + 1 < count) {
        const jsmntok_t *key = &tokens[i];
        const jsmntok_t *value = &tokens[i + 1];
        int next = i + 2;
        while (next < count && tokens[next].start < value->end) {
            next++;
        }
        if (key->type == JSMN_STRING && key->end - key->start == 8 &&
            memcmp(payload + key->start, "job_name", 8) == 0) {
            size_t n = (size_t)(value->end - value->start);
            if (value->type != JSMN_STRING || n > HA_JOB_NAME_MAX) {
                return HA_ERR_ARG;
            }
            *name = payload + value->start;
            *name_len = n;
            return HA_OK;
        }
        i = next;
    }
    return HA_ERR_ARG;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ha_discovery.h - Home Assistant MQTT discovery: the topics and payloads
 * that make the agent's topics appear as Home Assistant entities.
 *
 * One device-based discovery message per agent and project
 * (<prefix>/device/<agent_id>_<project_id>/config) describes sensors over
 * P/summary and B/health (P/health when the agent watches several projects); with per-job entities,
 * one more per job
 * (<prefix>/device/<agent_id>_<project_id>_job_<job_id>/config) describes an
 * enum sensor over the job's phase. docs/homeassistant.md shows both.
 *
 * Building is pure: no MQTT, no clock, no heap; every text goes into the
 * caller's buffer. homeassistant/ha_bridge.c publishes what is built here
 * over a port's MQTT session and keeps the set of jobs that have entities
 * (homeassistant/ha_job_set.h).
 */
#ifndef HA_DISCOVERY_H
#define HA_DISCOVERY_H

#include <stddef.h>
#include <stdint.h>

/* Room for any discovery topic: prefix (128) + agent and project ids (64
 * each) + a job id (20) + the fixed parts, with the terminating NUL. */
#define HA_TOPIC_MAX 384
/* Room for any discovery payload: a device message is about 4 KB with the
 * longest topics the configuration allows. */
#define HA_PAYLOAD_MAX 12288
/* A job's name is used for its device's name up to this many bytes of
 * JSON-escaped text; a longer one is replaced by the job id
 * (homeassistant/ha_job_set.h reads it from the job payload). */
#define HA_JOB_NAME_MAX 192
/* The longest job id text: "-9223372036854775808". */
#define HA_JOB_ID_TEXT_MAX 21

typedef enum {
    HA_OK = 0,
    HA_ERR_SPACE = -1,  /* the output buffer is too small */
    HA_ERR_ARG = -2,    /* a missing setting or an invalid job id */
    HA_ERR_MEMORY = -3, /* the job set (ha_job_set.h) could not grow */
    HA_ERR_NOT_JOB = -4 /* the topic is not one of the project's job topics */
} ha_status_t;

/* What every discovery message is made of. Strings are the caller's. */
typedef struct {
    const char *prefix;     /* discovery prefix, e.g. "homeassistant" */
    const char *base_topic; /* [mqtt] base_topic */
    const char *agent_id;   /* [A-Za-z0-9_-], 1..64 */
    const char *project_id; /* [A-Za-z0-9_-], 1..64 */
    const char *version;    /* the agent's version, for sw_version */
    int qos;                /* 0..2: the QoS Home Assistant subscribes with */
    /* Seconds after which Home Assistant marks a summary entity (counts,
     * last update) unavailable when no message arrived; 0: never. */
    uint32_t expire_after_s;
    /* The same for the problem sensor over B/health. */
    uint32_t health_expire_after_s;
    /* 0: the problem sensor reads B/health (one project per agent); 1: it
     * reads P/health (several projects, each with its own device). */
    int project_health;
} ha_settings_t;

/* expire_after of the summary entities: three times the longest gap
 * between two summaries of a healthy agent, max(poll_interval_s,
 * heartbeat_s); heartbeat_s 0 means a summary after every poll. */
uint32_t ha_expire_after_s(uint32_t poll_interval_s, uint32_t heartbeat_s);

/* expire_after of the problem sensor: health is published after every
 * failed poll, and a failing agent waits up to HA_LONGEST_RETRY_S between
 * polls (docs/failures.md), so three times max(poll_interval_s, heartbeat_s,
 * HA_LONGEST_RETRY_S). */
#define HA_LONGEST_RETRY_S 900u
uint32_t ha_health_expire_after_s(uint32_t poll_interval_s, uint32_t heartbeat_s);

/* Topic of the device message. Returns its length, or HA_ERR_SPACE /
 * HA_ERR_ARG (out then holds ""). */
long ha_device_topic(const ha_settings_t *s, char *out, size_t size);

/* Payload of the device message: "dev", "o", shared availability and qos,
 * and "cmps" with the sensors running, pending, failed, succeeded, total,
 * last_update (timestamp) and the diagnostic binary sensor problem. Returns
 * the length, or a negative ha_status_t. */
long ha_device_payload(const ha_settings_t *s, char *out, size_t size);

/* Topic of job_id's message (job_id: its decimal text as in the job
 * topic). Returns its length or a negative ha_status_t. */
long ha_job_topic(const ha_settings_t *s, const char *job_id, char *out, size_t size);

/* Payload of job_id's message: a device named after the job (name:
 * JSON-escaped text of name_len bytes as it appears in the job payload, or
 * NULL for none), linked to the project's device, with one enum sensor over
 * the job's phase and the job topic as its attributes. Returns the length or
 * a negative ha_status_t. */
long ha_job_payload(const ha_settings_t *s, const char *job_id, const char *name, size_t name_len,
                    char *out, size_t size);

/* If topic is one of the project's job topics (<base>/<agent>/<project>/
 * jobs/<id>), copy <id> (an optional '-' and 1..19 digits) into
 * id_text[HA_JOB_ID_TEXT_MAX], store its value in id and return HA_OK;
 * otherwise HA_ERR_NOT_JOB. */
ha_status_t ha_job_of_topic(const ha_settings_t *s, const char *topic, char *id_text, int64_t *id);

const char *ha_strerror(ha_status_t st);

#endif /* HA_DISCOVERY_H */

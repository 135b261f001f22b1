/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ha_bridge.c - Home Assistant discovery over a port's MQTT session; see
 * ha_bridge.h.
 *
 * Texts are built with the core's strbuf, not stdio: the bridge makes no
 * assumption about the port's C library beyond malloc (ha_job_set.c).
 */
#include "ha_bridge.h"

#include <string.h>

#include "strbuf.h"

/* The longest log line the bridge writes: a discovery topic and a few
 * words. */
#define HA_LOG_MAX (HA_TOPIC_MAX + 256)

/* One log line made of up to five parts (NULL parts are skipped). */
static void say(m2m_port_t *session, m2m_log_level_t level, const char *a, const char *b,
                const char *c, const char *d, const char *e)
{
    char line[HA_LOG_MAX];
    strbuf_t sb;
    strbuf_init(&sb, line, sizeof line);
    strbuf_puts(&sb, a);
    strbuf_puts(&sb, b);
    strbuf_puts(&sb, c);
    strbuf_puts(&sb, d);
    strbuf_puts(&sb, e);
    m2m_log(session, level, line);
}

static int copy_text(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size) {
        return -1;
    }
    memcpy(dst, src, n + 1);
    return 0;
}

int ha_bridge_configure(ha_bridge_t *b, const ha_settings_t *s, int per_job)
{
    int same_device =
        strcmp(b->prefix, s->prefix) == 0 && strcmp(b->base_topic, s->base_topic) == 0 &&
        strcmp(b->agent_id, s->agent_id) == 0 && strcmp(b->project_id, s->project_id) == 0;
    strbuf_t sb;
    if (strlen(s->prefix) >= sizeof b->prefix || strlen(s->base_topic) >= sizeof b->base_topic ||
        strlen(s->agent_id) >= sizeof b->agent_id ||
        strlen(s->project_id) >= sizeof b->project_id || strlen(s->version) >= sizeof b->version) {
        return -1;
    }
    if (!same_device || !per_job) {
        ha_job_set_clear(&b->jobs);
        b->jobs_pending = 0;
    }
    (void)copy_text(b->prefix, sizeof b->prefix, s->prefix);
    (void)copy_text(b->base_topic, sizeof b->base_topic, s->base_topic);
    (void)copy_text(b->agent_id, sizeof b->agent_id, s->agent_id);
    (void)copy_text(b->project_id, sizeof b->project_id, s->project_id);
    (void)copy_text(b->version, sizeof b->version, s->version);
    b->settings = *s;
    b->settings.prefix = b->prefix;
    b->settings.base_topic = b->base_topic;
    b->settings.agent_id = b->agent_id;
    b->settings.project_id = b->project_id;
    b->settings.version = b->version;
    b->per_job = per_job;
    /* The prefix fits with room to spare: sizeof b->prefix < HA_TOPIC_MAX - 7. */
    strbuf_init(&sb, b->status_topic, sizeof b->status_topic);
    strbuf_puts(&sb, b->prefix);
    strbuf_puts(&sb, "/status");
    b->device_pending = 1;
    return 0;
}

const char *ha_bridge_status_topic(const ha_bridge_t *b)
{
    return b->status_topic;
}

static int32_t publish_retained(m2m_port_t *session, const ha_bridge_t *b, const char *topic,
                                const char *payload, size_t len)
{
    return m2m_mqtt_publish(session, topic, payload, len, b->settings.qos, 1);
}

/* Publish job's message. Returns 0, or -1 when the publish failed (the
 * session is likely gone: the caller stops). */
static int announce_job(m2m_port_t *session, ha_bridge_t *b, ha_job_t *job)
{
    char id_text[HA_JOB_ID_TEXT_MAX];
    strbuf_t sb;
    long topic_len;
    long len;
    strbuf_init(&sb, id_text, sizeof id_text);
    strbuf_int(&sb, job->id);
    topic_len = ha_job_topic(&b->settings, id_text, b->topic, sizeof b->topic);
    len = ha_job_payload(&b->settings, id_text, job->name, job->name ? strlen(job->name) : 0,
                         b->payload, sizeof b->payload);
    if (topic_len < 0 || len < 0) {
        /* Cannot happen with a configuration the port accepted; retrying
         * would not help. */
        say(session, M2M_LOG_WARN, "homeassistant: no discovery for job ", id_text, ": ",
            ha_strerror((ha_status_t)(topic_len < 0 ? topic_len : len)), NULL);
        job->announced = 1;
        return 0;
    }
    if (publish_retained(session, b, b->topic, b->payload, (size_t)len) != M2M_PORT_OK) {
        return -1;
    }
    job->announced = 1;
    say(session, M2M_LOG_DEBUG, "homeassistant: job ", id_text, " announced on ", b->topic, NULL);
    return 0;
}

/* Publish everything that is due; what fails stays due. */
static void flush(m2m_port_t *session, ha_bridge_t *b)
{
    size_t i;
    if (b->device_pending) {
        long topic_len = ha_device_topic(&b->settings, b->topic, sizeof b->topic);
        long len = ha_device_payload(&b->settings, b->payload, sizeof b->payload);
        if (topic_len < 0 || len < 0) {
            say(session, M2M_LOG_WARN, "homeassistant: no discovery message: ",
                ha_strerror((ha_status_t)(topic_len < 0 ? topic_len : len)), NULL, NULL, NULL);
            b->device_pending = 0;
        } else if (publish_retained(session, b, b->topic, b->payload, (size_t)len) == M2M_PORT_OK) {
            b->device_pending = 0;
            say(session, M2M_LOG_INFO, "homeassistant: discovery published on ", b->topic, NULL,
                NULL, NULL);
        } else {
            return;
        }
    }
    if (!b->jobs_pending) {
        return;
    }
    for (i = 0; i < b->jobs.count; i++) {
        if (!b->jobs.jobs[i].announced && announce_job(session, b, &b->jobs.jobs[i]) != 0) {
            return;
        }
    }
    b->jobs_pending = 0;
}

/* Everything of b is due again: a new session, or Home Assistant restarted. */
static void all_due(ha_bridge_t *b)
{
    b->device_pending = 1;
    ha_job_set_unannounce_all(&b->jobs);
    b->jobs_pending = b->jobs.count > 0;
}

void ha_bridge_session_started(ha_bridge_t *list, m2m_port_t *session)
{
    ha_bridge_t *b;
    for (b = list; b != NULL; b = b->next) {
        b->birth_due = 0;
        all_due(b);
        flush(session, b);
    }
}

void ha_bridge_before_publish(ha_bridge_t *list, m2m_port_t *session, const char *topic, size_t len)
{
    ha_bridge_t *b;
    char id_text[HA_JOB_ID_TEXT_MAX];
    int64_t id;
    for (b = list; b != NULL; b = b->next) {
        if (!b->per_job || len != 0 ||
            ha_job_of_topic(&b->settings, topic, id_text, &id) != HA_OK) {
            continue;
        }
        /* Cleared whether or not this run announced it: an earlier run may
         * have, and a zero-byte retained message on an empty topic is
         * harmless. */
        (void)ha_job_set_remove(&b->jobs, id);
        if (ha_job_topic(&b->settings, id_text, b->topic, sizeof b->topic) >= 0 &&
            publish_retained(session, b, b->topic, "", 0) == M2M_PORT_OK) {
            say(session, M2M_LOG_DEBUG, "homeassistant: job ", id_text, " removed from ", b->topic,
                NULL);
        }
    }
}

/* A non-empty job topic with per-job entities on: the job (and its name,
 * when the payload has one) goes into the set. Returns 0 for any other
 * topic (nothing done), else 1 with *put the result of ha_job_set_put. */
static int remember_job(ha_bridge_t *b, const char *topic, const void *payload, size_t len,
                        char id_text[HA_JOB_ID_TEXT_MAX], int64_t *id, int *put)
{
    const char *name;
    size_t name_len;
    if (b == NULL || !b->per_job || len == 0 ||
        ha_job_of_topic(&b->settings, topic, id_text, id) != HA_OK) {
        return 0;
    }
    if (ha_job_name((const char *)payload, len, &name, &name_len) != HA_OK) {
        name = NULL;
        name_len = 0;
    }
    *put = ha_job_set_put(&b->jobs, *id, name, name_len);
    return 1;
}

void ha_bridge_after_publish(ha_bridge_t *list, m2m_port_t *session, const char *topic,
                             const void *payload, size_t len)
{
    ha_bridge_t *b;
    char id_text[HA_JOB_ID_TEXT_MAX];
    int64_t id;
    int changed;
    for (b = list; b != NULL; b = b->next) {
        if (!remember_job(b, topic, payload, len, id_text, &id, &changed)) {
            continue;
        }
        if (changed < 0) {
            say(session, M2M_LOG_WARN, "homeassistant: job ", id_text, ": ",
                ha_strerror((ha_status_t)changed), NULL);
            return;
        }
        if (!ha_job_set_find(&b->jobs, id)->announced) {
            b->jobs_pending = 1;
            flush(session, b);
        }
        return; /* a job topic belongs to one project */
    }
}

int ha_bridge_on_message(ha_bridge_t *list, const char *topic, const void *payload, size_t len,
                         int retained)
{
    ha_bridge_t *b;
    int consumed = 0;
    for (b = list; b != NULL; b = b->next) {
        if (strcmp(topic, b->status_topic) != 0) {
            continue;
        }
        consumed = 1;
        if (!retained && len == 6 && memcmp(payload, "online", 6) == 0) {
            b->birth_seen = 1;
        }
    }
    return consumed;
}

void ha_bridge_on_retained(ha_bridge_t *list, const char *topic, const void *payload, size_t len)
{
    ha_bridge_t *b;
    char id_text[HA_JOB_ID_TEXT_MAX];
    int64_t id;
    int put;
    for (b = list; b != NULL; b = b->next) {
        if (remember_job(b, topic, payload, len, id_text, &id, &put)) {
            if (put >= 0) {
                b->jobs_pending = 1;
            }
            return;
        }
    }
}

void ha_bridge_take_births(ha_bridge_t *list)
{
    ha_bridge_t *b;
    for (b = list; b != NULL; b = b->next) {
        if (b->birth_seen) {
            b->birth_seen = 0;
            b->birth_due = 1;
        }
    }
}

void ha_bridge_service(ha_bridge_t *list, m2m_port_t *session, int session_up)
{
    ha_bridge_t *b;
    for (b = list; b != NULL; b = b->next) {
        if (b->birth_due) {
            b->birth_due = 0;
            say(session, M2M_LOG_INFO, "homeassistant: ", b->status_topic,
                " is online: publishing the discovery messages again (project ", b->project_id,
                ")");
            all_due(b);
        }
        if ((b->device_pending || b->jobs_pending) && session_up) {
            flush(session, b);
        }
    }
}

long ha_bridge_clear(ha_bridge_t *b, m2m_port_t *session, int device)
{
    char id_text[HA_JOB_ID_TEXT_MAX];
    strbuf_t sb;
    long cleared = 0;
    size_t i;
    for (i = 0; i < b->jobs.count; i++) {
        strbuf_init(&sb, id_text, sizeof id_text);
        strbuf_int(&sb, b->jobs.jobs[i].id);
        if (ha_job_topic(&b->settings, id_text, b->topic, sizeof b->topic) < 0) {
            continue;
        }
        if (publish_retained(session, b, b->topic, "", 0) != M2M_PORT_OK) {
            return -1;
        }
        cleared++;
    }
    ha_job_set_clear(&b->jobs);
    b->jobs_pending = 0;
    if (device) {
        if (ha_device_topic(&b->settings, b->topic, sizeof b->topic) >= 0) {
            if (publish_retained(session, b, b->topic, "", 0) != M2M_PORT_OK) {
                return -1;
            }
            cleared++;
        }
        b->device_pending = 0;
    }
    return cleared;
}

void ha_bridge_free(ha_bridge_t *b)
{
    ha_job_set_clear(&b->jobs);
}

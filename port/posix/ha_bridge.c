/*
 * ha_bridge.c - Home Assistant discovery over the port's MQTT session; see
 * ha_bridge.h.
 */
#include "ha_bridge.h"

#include <stdio.h>
#include <string.h>

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
    snprintf(b->status_topic, sizeof b->status_topic, "%s/status", b->prefix);
    b->device_pending = 1;
    return 0;
}

static int32_t publish_retained(m2m_port_t *port, const ha_bridge_t *b, const char *topic,
                                const char *payload, size_t len)
{
    return port_mqtt_publish_raw(port, topic, payload, len, b->settings.qos, 1);
}

/* Publish job's message. Returns 0, or -1 when the publish failed (the
 * session is likely gone: the caller stops). */
static int announce_job(m2m_port_t *port, ha_bridge_t *b, ha_job_t *job)
{
    char id_text[HA_JOB_ID_TEXT_MAX];
    long topic_len;
    long len;
    snprintf(id_text, sizeof id_text, "%lld", (long long)job->id);
    topic_len = ha_job_topic(&b->settings, id_text, b->topic, sizeof b->topic);
    len = ha_job_payload(&b->settings, id_text, job->name, job->name ? strlen(job->name) : 0,
                         b->payload, sizeof b->payload);
    if (topic_len < 0 || len < 0) {
        /* Cannot happen with a configuration config_finish() accepted;
         * retrying would not help. */
        port_logf(port, M2M_LOG_WARN, "homeassistant: no discovery for job %s: %s", id_text,
                  ha_strerror((ha_status_t)(topic_len < 0 ? topic_len : len)));
        job->announced = 1;
        return 0;
    }
    if (publish_retained(port, b, b->topic, b->payload, (size_t)len) != M2M_PORT_OK) {
        return -1;
    }
    job->announced = 1;
    port_logf(port, M2M_LOG_DEBUG, "homeassistant: job %s announced on %s", id_text, b->topic);
    return 0;
}

/* Publish everything that is due; what fails stays due. */
static void flush(m2m_port_t *port, ha_bridge_t *b)
{
    size_t i;
    if (b->device_pending) {
        long topic_len = ha_device_topic(&b->settings, b->topic, sizeof b->topic);
        long len = ha_device_payload(&b->settings, b->payload, sizeof b->payload);
        if (topic_len < 0 || len < 0) {
            port_logf(port, M2M_LOG_WARN, "homeassistant: no discovery message: %s",
                      ha_strerror((ha_status_t)(topic_len < 0 ? topic_len : len)));
            b->device_pending = 0;
        } else if (publish_retained(port, b, b->topic, b->payload, (size_t)len) == M2M_PORT_OK) {
            b->device_pending = 0;
            port_logf(port, M2M_LOG_INFO, "homeassistant: discovery published on %s", b->topic);
        } else {
            return;
        }
    }
    if (!b->jobs_pending) {
        return;
    }
    for (i = 0; i < b->jobs.count; i++) {
        if (!b->jobs.jobs[i].announced && announce_job(port, b, &b->jobs.jobs[i]) != 0) {
            return;
        }
    }
    b->jobs_pending = 0;
}

void ha_bridge_session_started(m2m_port_t *port)
{
    ha_bridge_t *b;
    if (port->ha == NULL) {
        return;
    }
    pthread_mutex_lock(&port->ack_lock);
    for (b = port->ha; b != NULL; b = b->next) {
        b->birth_seen = 0;
    }
    pthread_mutex_unlock(&port->ack_lock);
    /* Every project's bridge has the same prefix: one subscription serves
     * them all. */
    if (!port->dry_run && port_mqtt_subscribe(port, port->ha->status_topic, 1) != M2M_PORT_OK) {
        port_logf(port, M2M_LOG_WARN,
                  "homeassistant: cannot subscribe to %s: discovery is published at each "
                  "connection only",
                  port->ha->status_topic);
    }
    for (b = port->ha; b != NULL; b = b->next) {
        b->device_pending = 1;
        ha_job_set_unannounce_all(&b->jobs);
        b->jobs_pending = b->jobs.count > 0;
        flush(port, b);
    }
}

void ha_bridge_before_publish(m2m_port_t *port, const char *topic, size_t len)
{
    ha_bridge_t *b;
    char id_text[HA_JOB_ID_TEXT_MAX];
    int64_t id;
    for (b = port->ha; b != NULL; b = b->next) {
        if (!b->per_job || len != 0 ||
            ha_job_of_topic(&b->settings, topic, id_text, &id) != HA_OK) {
            continue;
        }
        /* Cleared whether or not this run announced it: an earlier run may
         * have, and a zero-byte retained message on an empty topic is
         * harmless. */
        (void)ha_job_set_remove(&b->jobs, id);
        if (ha_job_topic(&b->settings, id_text, b->topic, sizeof b->topic) >= 0 &&
            publish_retained(port, b, b->topic, "", 0) == M2M_PORT_OK) {
            port_logf(port, M2M_LOG_DEBUG, "homeassistant: job %s removed from %s", id_text,
                      b->topic);
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

void ha_bridge_after_publish(m2m_port_t *port, const char *topic, const void *payload, size_t len)
{
    ha_bridge_t *b;
    char id_text[HA_JOB_ID_TEXT_MAX];
    int64_t id;
    int changed;
    for (b = port->ha; b != NULL; b = b->next) {
        if (!remember_job(b, topic, payload, len, id_text, &id, &changed)) {
            continue;
        }
        if (changed < 0) {
            port_logf(port, M2M_LOG_WARN, "homeassistant: job %s: %s", id_text,
                      ha_strerror((ha_status_t)changed));
            return;
        }
        if (!ha_job_set_find(&b->jobs, id)->announced) {
            b->jobs_pending = 1;
            flush(port, b);
        }
        return; /* a job topic belongs to one project */
    }
}

int ha_bridge_on_message(m2m_port_t *port, const char *topic, const void *payload, size_t len,
                         int retained)
{
    ha_bridge_t *b;
    int consumed = 0;
    for (b = port->ha; b != NULL; b = b->next) {
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

void ha_bridge_on_retained(m2m_port_t *port, const char *topic, const void *payload, size_t len)
{
    ha_bridge_t *b;
    char id_text[HA_JOB_ID_TEXT_MAX];
    int64_t id;
    int put;
    for (b = port->ha; b != NULL; b = b->next) {
        if (remember_job(b, topic, payload, len, id_text, &id, &put)) {
            if (put >= 0) {
                b->jobs_pending = 1;
            }
            return;
        }
    }
}

void ha_bridge_service(m2m_port_t *port)
{
    ha_bridge_t *b;
    for (b = port->ha; b != NULL; b = b->next) {
        int birth;
        pthread_mutex_lock(&port->ack_lock);
        birth = b->birth_seen;
        b->birth_seen = 0;
        pthread_mutex_unlock(&port->ack_lock);
        if (birth) {
            port_logf(port, M2M_LOG_INFO,
                      "homeassistant: %s is online: publishing the discovery messages again "
                      "(project %s)",
                      b->status_topic, b->project_id);
            b->device_pending = 1;
            ha_job_set_unannounce_all(&b->jobs);
            b->jobs_pending = b->jobs.count > 0;
        }
        if ((b->device_pending || b->jobs_pending) && port_mqtt_session_up(port)) {
            flush(port, b);
        }
    }
}

void ha_bridge_free(ha_bridge_t *b)
{
    ha_job_set_clear(&b->jobs);
}

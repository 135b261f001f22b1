/* SPDX-License-Identifier: Apache-2.0 */
/*
 * leftovers.c - what a reload would leave on the broker, cleared before the
 * new configuration takes over (daemon.h): a removed project's retained
 * topics and Home Assistant device, the discovery messages of discovery
 * turned off (or moved to another prefix), the job entities of per-job
 * entities turned off, and the P/health of a project left alone.
 *
 * Every message is cleared with a zero-byte retained publish over the
 * session in force, under the topics of the configuration in force, and
 * acknowledged before the reload goes on. Without a session nothing can be
 * cleared: that is logged, and the topics stay.
 */
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

/* The topics a read-back found retained (non-empty), on the heap. */
typedef struct {
    char **topics;
    size_t count;
    size_t capacity;
    int out_of_memory;
} topic_list_t;

static void collect_topic(void *user, const char *topic, const void *payload, size_t len)
{
    topic_list_t *l = (topic_list_t *)user;
    char *copy;
    (void)payload;
    if (len == 0 || l->out_of_memory) {
        return; /* cleared already */
    }
    if (l->count == l->capacity) {
        size_t cap = l->capacity ? 2 * l->capacity : 64;
        char **grown = realloc(l->topics, cap * sizeof *grown);
        if (grown == NULL) {
            l->out_of_memory = 1;
            return;
        }
        l->topics = grown;
        l->capacity = cap;
    }
    copy = strdup(topic);
    if (copy == NULL) {
        l->out_of_memory = 1;
        return;
    }
    l->topics[l->count++] = copy;
}

static void free_topics(topic_list_t *l)
{
    size_t i;
    for (i = 0; i < l->count; i++) {
        free(l->topics[i]);
    }
    free(l->topics);
}

static int clear_topic(daemon_t *d, const char *topic)
{
    return m2m_mqtt_publish(&d->port, topic, "", 0, (int)d->cfg->qos, 1) == M2M_PORT_OK ? 0 : -1;
}

/* P/<leaf> of project p into out (size bytes). Returns 0, or -1 when it does not fit. */
static int project_topic(const daemon_t *d, const project_t *p, const char *leaf, char *out,
                         size_t size)
{
    const char *b = d->port.mqtt.agent_topic;
    if (b == NULL || strlen(b) + 1 + strlen(p->cfg.project_id) + 1 + strlen(leaf) + 1 > size) {
        return -1;
    }
    strcpy(out, b);
    strcat(out, "/");
    strcat(out, p->cfg.project_id);
    strcat(out, "/");
    strcat(out, leaf);
    return 0;
}

/* Every retained P/jobs/+ of p, then P/summary and P/health. Returns how many job topics
 * were cleared, or -1. */
static long clear_project_topics(daemon_t *d, const project_t *p)
{
    char topic[CONFIG_TOPIC_MAX + CONFIG_ID_MAX + 16];
    topic_list_t found = {NULL, 0, 0, 0};
    long cleared = -1;
    size_t i;

    if (project_topic(d, p, "jobs/+", topic, sizeof topic) != 0 ||
        m2m_mqtt_read_retained(&d->port, topic, collect_topic, &found, M2M_RETAINED_QUIET_MS,
                               M2M_RETAINED_MAX_MS) != M2M_PORT_OK ||
        found.out_of_memory) {
        free_topics(&found);
        return -1;
    }
    for (i = 0; i < found.count; i++) {
        if (clear_topic(d, found.topics[i]) != 0) {
            break;
        }
    }
    if (i == found.count && project_topic(d, p, "summary", topic, sizeof topic) == 0 &&
        clear_topic(d, topic) == 0 && project_topic(d, p, "health", topic, sizeof topic) == 0 &&
        clear_topic(d, topic) == 0) {
        cleared = (long)found.count;
    }
    free_topics(&found);
    return cleared;
}

/* The index of the project with this id in projects[0 .. count - 1], or count. */
static size_t find_project(const config_t *projects, size_t count, const char *project_id)
{
    size_t i;
    for (i = 0; i < count && strcmp(projects[i].project_id, project_id) != 0; i++) {
    }
    return i;
}

/* Discovery's messages of p cleared as fresh asks: all of them when discovery goes off or
 * its prefix changes, or when the project goes (removed); the job entities when per-job
 * entities go off. Returns -1 when a publish failed, else 0. */
static int clear_discovery(daemon_t *d, project_t *p, const config_t *fresh, int removed)
{
    int all = removed || !fresh->discovery || strcmp(d->cfg->ha_prefix, fresh->ha_prefix) != 0;
    long n;
    if (!d->cfg->discovery || (!all && !(p->ha.per_job && !fresh->per_job_entities))) {
        return 0;
    }
    n = ha_bridge_clear(&p->ha, &d->port, all);
    if (n < 0) {
        return -1;
    }
    if (!removed) {
        port_logf(&d->port, M2M_LOG_INFO,
                  "reload: homeassistant: cleared %ld discovery message%s of project %s", n,
                  n == 1 ? "" : "s", p->cfg.project_id);
    }
    return 0;
}

int clear_leftovers(daemon_t *d, const config_t *fresh, const config_t *projects, size_t count)
{
    char topic[CONFIG_TOPIC_MAX + CONFIG_ID_MAX + 16];
    int failed = 0;
    size_t i;

    for (i = 0; i < d->n_projects; i++) {
        project_t *p = d->projects[i];
        int removed = find_project(projects, count, p->cfg.project_id) == count;
        long n;
        if (!d->started || !port_mqtt_session_up(&d->port)) {
            if (removed) {
                port_logf(&d->port, M2M_LOG_WARN,
                          "reload: project %s removed without a broker session: its retained "
                          "topics stay",
                          p->cfg.project_id);
            }
            continue;
        }
        if (!removed) {
            failed |= clear_discovery(d, p, fresh, 0);
            continue;
        }
        /* Job topics first: discovery's hook clears each job's entity before its state. */
        n = clear_project_topics(d, p);
        if (n < 0 || clear_discovery(d, p, fresh, 1) != 0) {
            failed = 1;
            continue;
        }
        port_logf(&d->port, M2M_LOG_INFO,
                  "reload: project %s removed: cleared its %ld retained job topic%s, summary "
                  "and health%s",
                  p->cfg.project_id, n, n == 1 ? "" : "s",
                  d->cfg->discovery ? " and its Home Assistant device" : "");
    }
    /* Several projects down to one: health goes back to B/health alone. */
    if (d->started && d->n_projects > 1 && count == 1) {
        size_t kept = 0;
        while (kept < d->n_projects &&
               strcmp(d->projects[kept]->cfg.project_id, projects[0].project_id) != 0) {
            kept++;
        }
        if (kept < d->n_projects &&
            project_topic(d, d->projects[kept], "health", topic, sizeof topic) == 0) {
            failed |= clear_topic(d, topic);
        }
    }
    if (d->started && m2m_mqtt_wait_acks(&d->port, 0) != 0) {
        failed = 1;
    }
    if (failed) {
        port_logf(&d->port, M2M_LOG_WARN,
                  "reload: the broker took not every clearing message: some old topics stay");
    }
    return failed ? -1 : 0;
}

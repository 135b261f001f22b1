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
#include <stdio.h>
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

/* The longest topic cleared here: P/jobs/+ (a job topic comes from the broker). */
#define LEFTOVER_TOPIC_MAX (CONFIG_TOPIC_MAX + CONFIG_ID_MAX + 16)

static int clear_topic(daemon_t *d, const char *topic)
{
    return m2m_mqtt_publish(&d->port, topic, "", 0, (int)d->cfg->qos, 1) == M2M_PORT_OK ? 0 : -1;
}

/* P/<leaf> of project p into out (LEFTOVER_TOPIC_MAX bytes). Returns 0, or -1 when it does
 * not fit. */
static int project_topic(const daemon_t *d, const project_t *p, const char *leaf, char *out)
{
    int n;
    if (d->port.mqtt.agent_topic == NULL) {
        return -1;
    }
    n = snprintf(out, LEFTOVER_TOPIC_MAX, "%s/%s/%s", d->port.mqtt.agent_topic, p->cfg.project_id,
                 leaf);
    return n < 0 || n >= LEFTOVER_TOPIC_MAX ? -1 : 0;
}

/* P/<leaf> of project p cleared. Returns 0 or -1. */
static int clear_project_topic(daemon_t *d, const project_t *p, const char *leaf)
{
    char topic[LEFTOVER_TOPIC_MAX];
    return project_topic(d, p, leaf, topic) == 0 ? clear_topic(d, topic) : -1;
}

/* Every retained P/jobs/+ of p, then P/summary and P/health. Returns how many job topics
 * were cleared, or -1. */
static long clear_project_topics(daemon_t *d, const project_t *p)
{
    char filter[LEFTOVER_TOPIC_MAX];
    topic_list_t found = {NULL, 0, 0, 0};
    int failed;
    size_t i;

    failed = project_topic(d, p, "jobs/+", filter) != 0 ||
             m2m_mqtt_read_retained(&d->port, filter, collect_topic, &found, M2M_RETAINED_QUIET_MS,
                                    M2M_RETAINED_MAX_MS) != M2M_PORT_OK ||
             found.out_of_memory;
    for (i = 0; i < found.count && !failed; i++) {
        failed = clear_topic(d, found.topics[i]) != 0;
    }
    failed = failed || clear_project_topic(d, p, "summary") != 0 ||
             clear_project_topic(d, p, "health") != 0;
    free_topics(&found);
    return failed ? -1 : (long)found.count;
}

/* 1 if a project with this id is in projects[0 .. count - 1]. */
static int has_project(const config_t *projects, size_t count, const char *project_id)
{
    size_t i;
    for (i = 0; i < count; i++) {
        if (strcmp(projects[i].project_id, project_id) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Discovery's messages of p cleared as fresh asks: all of them when the project goes
 * (removed), discovery goes off or its prefix changes; the job entities when per-job entities
 * go off. Returns -1 when a publish failed, else 0. */
static int clear_discovery(daemon_t *d, project_t *p, const config_t *fresh, int removed)
{
    int all = removed || !fresh->discovery || strcmp(d->cfg->ha_prefix, fresh->ha_prefix) != 0;
    int jobs = p->ha.per_job && !fresh->per_job_entities;
    long n;
    if (!d->cfg->discovery || !(all || jobs)) {
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

/* What the reload leaves of p, a project it removes: its topics, then (discovery's hook
 * clearing each job's entity before its state) its device. Returns 0 or -1. */
static int clear_removed_project(daemon_t *d, project_t *p, const config_t *fresh)
{
    long n = clear_project_topics(d, p);
    if (n < 0 || clear_discovery(d, p, fresh, 1) != 0) {
        return -1;
    }
    port_logf(&d->port, M2M_LOG_INFO,
              "reload: project %s removed: cleared its %ld retained job topic%s, summary and "
              "health%s",
              p->cfg.project_id, n, n == 1 ? "" : "s",
              d->cfg->discovery ? " and its Home Assistant device" : "");
    return 0;
}

int clear_leftovers(daemon_t *d, const config_t *fresh, const config_t *projects, size_t count)
{
    int up = d->started && port_mqtt_session_up(&d->port);
    int failed = 0;
    size_t i;

    for (i = 0; i < d->n_projects; i++) {
        project_t *p = d->projects[i];
        if (!has_project(projects, count, p->cfg.project_id)) {
            if (up) {
                failed |= clear_removed_project(d, p, fresh);
            } else {
                port_logf(&d->port, M2M_LOG_WARN,
                          "reload: project %s removed without a broker session: its retained "
                          "topics stay",
                          p->cfg.project_id);
            }
            continue;
        }
        if (!up) {
            continue;
        }
        failed |= clear_discovery(d, p, fresh, 0);
        /* Several projects down to one: its health goes back to B/health alone. */
        if (d->n_projects > 1 && count == 1) {
            failed |= clear_project_topic(d, p, "health");
        }
    }
    if (up && m2m_mqtt_wait_acks(&d->port, 0) != 0) {
        failed = -1;
    }
    if (failed) {
        port_logf(&d->port, M2M_LOG_WARN,
                  "reload: the broker took not every clearing message: some old topics stay");
    }
    return failed ? -1 : 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * session.c - the daemon's MQTT session (daemon.h): opened by the first
 * project's agent and joined by the others, closed with "offline", and its
 * retained job topics refreshed before their MQTT 5 message expiry.
 */
#include <stdint.h>

#include "daemon.h"

/* MQTT 5 with a message expiry: a retained job topic that is not refreshed
 * expires, and an unchanged job is not republished. So every job topic is
 * published again every message_expiry / 2, the first time sooner when a job
 * topic read back at start has less than that left. */
static void schedule_republish(daemon_t *d)
{
    uint64_t half_ms = (uint64_t)d->cfg->message_expiry * 500u;
    uint32_t left = d->port.retained_expiry_min_s;
    d->republish_due_on = d->port.mqtt.protocol_v5 && d->cfg->message_expiry > 0;
    if (left != UINT32_MAX && (uint64_t)left * 500u < half_ms) {
        half_ms = (uint64_t)left * 500u;
    }
    d->republish_at = m2m_time_monotonic_ms(&d->port) + half_ms;
}

void republish_if_due(daemon_t *d, uint64_t now)
{
    size_t i;
    if (d->republish_due_on && now >= d->republish_at) {
        port_logf(&d->port, M2M_LOG_DEBUG,
                  "mqtt: republishing every job topic before its message expiry");
        for (i = 0; i < d->n_projects; i++) {
            m2m_agent_republish_all(&d->projects[i]->agent);
        }
        d->health_sent_valid = 0;
        d->republish_at = now + (uint64_t)d->cfg->message_expiry * 500u;
    }
}

m2m_poll_result_t start_session(daemon_t *d)
{
    m2m_poll_result_t r = m2m_agent_start(&d->projects[0]->agent);
    size_t i;
    if (r == M2M_POLL_OK) {
        for (i = 1; i < d->n_projects; i++) {
            (void)m2m_agent_join(&d->projects[i]->agent);
        }
        if (d->was_started) {
            for (i = 0; i < d->n_projects; i++) {
                d->projects[i]->agent.health.mqtt_reconnects++;
            }
        }
        d->started = 1;
        d->was_started = 1;
        d->health_sent_valid = 0;
        schedule_republish(d);
    } else {
        d->started = 0;
        m2m_mqtt_disconnect(&d->port);
    }
    return r;
}

void stop_session(daemon_t *d)
{
    size_t i;
    if (d->n_projects == 0) {
        m2m_mqtt_disconnect(&d->port); /* a reload that could not set up a project */
        d->started = 0;
        return;
    }
    for (i = 1; i < d->n_projects; i++) {
        m2m_agent_leave(&d->projects[i]->agent);
    }
    m2m_agent_stop(&d->projects[0]->agent);
    d->started = 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * discovery.c - Home Assistant discovery on the daemon's MQTT session
 * (daemon.h): one bridge per project (homeassistant/ha_bridge.h), chained,
 * wired to the session's hooks (port_mqtt_hooks_t, port_posix.h).
 *
 * The bridges publish through m2m_mqtt_publish() like the agents. What is
 * particular to Paho stays here: messages arrive on its thread under
 * ack_lock, so a birth seen there is taken under the same lock before the
 * main thread answers it; and Home Assistant's status topic is subscribed
 * with port_mqtt_subscribe() at each session start.
 */
#include "daemon.h"

static void on_session_started(void *ctx, m2m_port_t *session)
{
    ha_bridge_t *list = (ha_bridge_t *)ctx;
    /* A birth of an earlier session is answered by this start. */
    pthread_mutex_lock(&session->ack_lock);
    ha_bridge_take_births(list);
    pthread_mutex_unlock(&session->ack_lock);
    /* Every project's bridge has the same prefix: one subscription serves
     * them all. */
    if (!session->dry_run &&
        port_mqtt_subscribe(session, ha_bridge_status_topic(list), 1) != M2M_PORT_OK) {
        port_logf(session, M2M_LOG_WARN,
                  "homeassistant: cannot subscribe to %s: discovery is published at each "
                  "connection only",
                  ha_bridge_status_topic(list));
    }
    ha_bridge_session_started(list, session);
}

static void on_publishing(void *ctx, m2m_port_t *session, const char *topic, size_t len)
{
    ha_bridge_before_publish((ha_bridge_t *)ctx, session, topic, len);
}

static void on_published(void *ctx, m2m_port_t *session, const char *topic, const void *payload,
                         size_t len)
{
    ha_bridge_after_publish((ha_bridge_t *)ctx, session, topic, payload, len);
}

static int on_message(void *ctx, const char *topic, const void *payload, size_t len, int retained)
{
    return ha_bridge_on_message((ha_bridge_t *)ctx, topic, payload, len, retained);
}

static void on_read_back(void *ctx, const char *topic, const void *payload, size_t len)
{
    ha_bridge_on_retained((ha_bridge_t *)ctx, topic, payload, len);
}

static void on_service(void *ctx, m2m_port_t *session)
{
    ha_bridge_t *list = (ha_bridge_t *)ctx;
    pthread_mutex_lock(&session->ack_lock);
    ha_bridge_take_births(list);
    pthread_mutex_unlock(&session->ack_lock);
    ha_bridge_service(list, session, port_mqtt_session_up(session));
}

static const port_mqtt_hooks_t discovery_hooks = {
    on_session_started, on_publishing, on_published, on_message, on_read_back, on_service,
};

void fill_discovery(daemon_t *d, const config_t *c)
{
    ha_bridge_t *list = NULL;
    size_t i;
    stop_discovery(d);
    if (!c->discovery) {
        return;
    }
    for (i = d->n_projects; i-- > 0;) {
        project_t *p = d->projects[i];
        ha_settings_t s;
        s.prefix = c->ha_prefix;
        s.base_topic = c->base_topic;
        s.agent_id = c->agent_id;
        s.project_id = p->cfg.project_id;
        s.version = M2M_VERSION;
        s.qos = (int)c->qos;
        s.expire_after_s = ha_expire_after_s(c->poll_interval, c->heartbeat);
        s.health_expire_after_s = ha_health_expire_after_s(c->poll_interval, c->heartbeat);
        s.project_health = d->n_projects > 1;
        /* Every string is bounded by config.c below the bridge's copies. */
        (void)ha_bridge_configure(&p->ha, &s, c->per_job_entities);
        p->ha.next = list;
        list = &p->ha;
    }
    if (list != NULL) {
        port_mqtt_set_hooks(&d->port, &discovery_hooks, list);
    }
}

void stop_discovery(daemon_t *d)
{
    port_mqtt_set_hooks(&d->port, NULL, NULL);
}

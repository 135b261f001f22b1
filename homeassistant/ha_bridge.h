/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ha_bridge.h - Home Assistant discovery as a client of a port's MQTT
 * session: it publishes with m2m_mqtt_publish() and logs with m2m_log()
 * (include/m2m_port.h), and needs nothing from the core or the MQTT client
 * but to be told what happens on the session. The port (or the program that
 * owns the session) calls the functions below:
 *
 * - ha_bridge_session_started() once each new session is up (and the
 *   status topic subscribed): the device message, and every known job's
 *   message, go out.
 * - ha_bridge_before_publish() and ha_bridge_after_publish() around each of
 *   the agent's publishes: with per-job entities, a non-empty job topic of a
 *   job without an entity announces it; a zero-byte job topic (the job is
 *   gone) clears its discovery topic first.
 * - ha_bridge_on_message() for each message on the status topic
 *   (ha_bridge_status_topic(), which the port subscribes to for the whole
 *   session): Home Assistant's birth message ("online") asks for everything
 *   again.
 * - ha_bridge_on_retained() for each retained message the retained
 *   read-back (m2m_mqtt_read_retained()) hands on: job topics of an earlier
 *   run get their entities.
 * - ha_bridge_take_births() then ha_bridge_service() when the session is
 *   idle (m2m_mqtt_service(), the end of a read-back): what the two above
 *   left is published.
 *
 * ha_bridge_on_message(), ha_bridge_on_retained() and
 * ha_bridge_take_births() make no port call, so they may run where the
 * client delivers messages; on a port whose client delivers them on a thread
 * of its own, the three run under one lock (the read-back's job set is left
 * alone by the others while m2m_mqtt_read_retained() runs). Every other
 * call runs where the port's MQTT calls are made, one at a time, and the
 * publishes they make are not to be passed back to
 * ha_bridge_before_publish() or ha_bridge_after_publish().
 *
 * Every discovery message is retained and published at the configured QoS.
 * Several projects over one session: one bridge per project (one device
 * each), chained through next; the calls that take a list serve every
 * bridge on it.
 *
 * The job set grows on the C library's heap (ha_job_set.h): a port without
 * one leaves discovery out.
 */
#ifndef HA_BRIDGE_H
#define HA_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#include "ha_discovery.h"
#include "ha_job_set.h"
#include "m2m_port.h"

#define HA_VERSION_MAX 32

typedef struct ha_bridge {
    ha_settings_t settings; /* points at the copies below */
    char prefix[130];
    char base_topic[130];
    char agent_id[66];
    char project_id[66];
    char version[HA_VERSION_MAX];
    int per_job;                     /* 1: an entity per job */
    char status_topic[HA_TOPIC_MAX]; /* <prefix>/status */

    ha_job_set_t jobs;
    int device_pending; /* the device message is due */
    int jobs_pending;   /* some job is not announced in this session */

    int birth_seen; /* set by ha_bridge_on_message() */
    int birth_due;  /* taken from birth_seen by ha_bridge_take_births() */

    char topic[HA_TOPIC_MAX];
    char payload[HA_PAYLOAD_MAX];

    /* The next project's bridge on the same session, or NULL. */
    struct ha_bridge *next;
} ha_bridge_t;

/* Take the settings (the strings are copied) and whether jobs get
 * entities. A different prefix, base topic, agent or project forgets the
 * known jobs: their entities belong to the old device. Returns 0, or -1 when
 * a string does not fit. */
int ha_bridge_configure(ha_bridge_t *b, const ha_settings_t *s, int per_job);

/* <prefix>/status, where Home Assistant says it is online: the same for
 * every bridge of a session (they share the prefix), so one subscription
 * serves the list. */
const char *ha_bridge_status_topic(const ha_bridge_t *b);

/* A new session is up, publishing through session: the device message and
 * every known job's message of each bridge on list. A birth taken before
 * (ha_bridge_take_births()) is answered by this. */
void ha_bridge_session_started(ha_bridge_t *list, m2m_port_t *session);

/* Before the agent publishes topic (len bytes): a zero-byte job topic
 * clears that job's discovery topic, so that Home Assistant removes the
 * entity before its state topic goes empty. */
void ha_bridge_before_publish(ha_bridge_t *list, m2m_port_t *session, const char *topic,
                              size_t len);

/* After the agent's publish succeeded: a non-empty job topic of a job
 * without an entity (or whose name changed) announces it. */
void ha_bridge_after_publish(ha_bridge_t *list, m2m_port_t *session, const char *topic,
                             const void *payload, size_t len);

/* A message on the status topic (or any other topic: then 0, nothing done).
 * Returns 1 when it was the status topic of a bridge on list. A live
 * "online" is Home Assistant's birth; a retained one is old news (the
 * session start has published everything already). No port call. */
int ha_bridge_on_message(ha_bridge_t *list, const char *topic, const void *payload, size_t len,
                         int retained);

/* A retained message of the read-back: a job topic of an earlier run (with
 * per-job entities) puts its job in the set, to be announced by the next
 * ha_bridge_service(). No port call. */
void ha_bridge_on_retained(ha_bridge_t *list, const char *topic, const void *payload, size_t len);

/* Hand the births ha_bridge_on_message() saw to the next
 * ha_bridge_service() or ha_bridge_session_started(). No port call. */
void ha_bridge_take_births(ha_bridge_t *list);

/* Publish what is due (after Home Assistant's birth, a read-back, or a
 * publish that failed) when session_up is non-zero; a birth is logged and
 * kept due otherwise. */
void ha_bridge_service(ha_bridge_t *list, m2m_port_t *session, int session_up);

/* Clear what b published, with zero-byte retained messages: every job
 * entity b knows of and, when device is non-zero, the device itself; b's
 * job set is emptied either way. For a project that goes or discovery
 * turned off (device 1), and per-job entities turned off (device 0). The
 * caller waits for the acknowledgements (m2m_mqtt_wait_acks()). Returns how
 * many topics were cleared, or -1 when a publish failed (the session is
 * likely gone: what is left stays published). */
long ha_bridge_clear(ha_bridge_t *b, m2m_port_t *session, int device);

/* Free the job set of b. */
void ha_bridge_free(ha_bridge_t *b);

#endif /* HA_BRIDGE_H */

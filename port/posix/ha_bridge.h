/*
 * ha_bridge.h - Home Assistant discovery over the port's MQTT session.
 *
 * The port sees every message the core publishes (m2m_mqtt_publish), so
 * discovery needs nothing from the core: mqtt_paho.c calls the hooks below.
 *
 * - Each new session (m2m_mqtt_connect) subscribes to <prefix>/status and
 *   publishes the device message, and every known job's message.
 * - Home Assistant's birth message ("online" on <prefix>/status) arrives on
 *   Paho's thread: it only sets a flag; ha_bridge_service(), on the main
 *   thread, publishes everything again.
 * - With per-job entities: a non-empty job topic of a job without an entity
 *   announces it; a zero-byte job topic (the job is gone) clears its
 *   discovery topic first. Job topics read back at start
 *   (m2m_mqtt_read_retained) are announced too.
 *
 * Every discovery message is retained and published at the configured QoS.
 *
 * Several projects over one session: one bridge per project (one device
 * each), chained through next; each hook serves every bridge on the list.
 */
#ifndef HA_BRIDGE_H
#define HA_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#include "ha_discovery.h"
#include "port_posix.h"

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

    /* Main thread only, except while m2m_mqtt_read_retained() runs: then
     * Paho's thread adds jobs under port->ack_lock and the main thread
     * leaves the set alone. */
    ha_job_set_t jobs;
    int device_pending; /* the device message is due */
    int jobs_pending;   /* some job is not announced in this session */

    int birth_seen; /* under port->ack_lock: set by Paho's thread */

    char topic[HA_TOPIC_MAX];
    char payload[HA_PAYLOAD_MAX];

    /* The next project's bridge on the same session (port->ha is the
     * first), or NULL. */
    struct ha_bridge *next;
} ha_bridge_t;

/* Take the settings (the strings are copied) and whether jobs get
 * entities. A different prefix, base topic, agent or project forgets the
 * known jobs: their entities belong to the old device. Returns 0, or -1 when
 * a string does not fit. */
int ha_bridge_configure(ha_bridge_t *b, const ha_settings_t *s, int per_job);

/* A new session is up: subscribe to <prefix>/status and publish the device
 * message and every known job's message. */
void ha_bridge_session_started(m2m_port_t *port);

/* Before the core's publish of topic (len bytes): a zero-byte job topic
 * clears that job's discovery topic, so that Home Assistant removes the
 * entity before its state topic goes empty. */
void ha_bridge_before_publish(m2m_port_t *port, const char *topic, size_t len);

/* After the core's publish succeeded: a non-empty job topic of a job
 * without an entity (or whose name changed) announces it. */
void ha_bridge_after_publish(m2m_port_t *port, const char *topic, const void *payload, size_t len);

/* On Paho's thread, port->ack_lock held: a message of the session's own
 * subscription. Returns 1 when it was Home Assistant's status topic (then
 * consumed), else 0. A retained "online" is old news and is ignored: the
 * session start has published everything already. */
int ha_bridge_on_message(m2m_port_t *port, const char *topic, const void *payload, size_t len,
                         int retained);

/* On Paho's thread, port->ack_lock held, during m2m_mqtt_read_retained():
 * a retained job topic of an earlier run; the job gets an entity. */
void ha_bridge_on_retained(m2m_port_t *port, const char *topic, const void *payload, size_t len);

/* On the main thread: publish what is due (after Home Assistant's birth
 * message, a read-back, or a publish that failed). */
void ha_bridge_service(m2m_port_t *port);

/* Free the job set. */
void ha_bridge_free(ha_bridge_t *b);

#endif /* HA_BRIDGE_H */

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * port_posix.h - the Linux gateway port: struct m2m_port and the calls the
 * port's own files (main.c, mqtt_paho.c, ...) share.
 *
 * The m2m_* functions of include/m2m_port.h are implemented in
 * tcp_mbedtls.c (TCP over mbedTLS net sockets), clock_log.c (time, log)
 * and mqtt_paho.c (Paho MQTT C, or the dry run that prints instead).
 */
#ifndef PORT_POSIX_H
#define PORT_POSIX_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include <MQTTClient.h>
#include <mbedtls/net_sockets.h>

#include "m2m_defaults.h"
#include "m2m_port.h"

/* The broker and how to reach it; the strings are the caller's and must
 * outlive every m2m_mqtt_connect() that uses them. NULL or "" = not set. */
typedef struct {
    const char *uri; /* tcp://, mqtt://, ssl:// or mqtts://host[:port] */
    const char *client_id;
    const char *username;
    const char *password; /* never logged */
    const char *ca_file;  /* trust store for ssl:// and mqtts:// */
    uint32_t keepalive_s; /* 5..3600 */
    uint32_t timeout_ms;  /* connect and acknowledgement wait */
    int protocol_v5;      /* 0: MQTT 3.1.1; 1: MQTT 5 (content type, expiry) */
    /* MQTT 5: message expiry interval of every job topic, seconds (0: none). */
    uint32_t message_expiry_s;
    /* B, <base_topic>/<agent_id>: the job topics of every project of the
     * agent are B/<project_id>/jobs/<job_id> (MQTT 5 message expiry). NULL:
     * none recognised. */
    const char *agent_topic;
} port_mqtt_settings_t;

/* Hooks for a client of the MQTT session beside the agents: what it needs to
 * follow the session (the daemon wires Home Assistant discovery here:
 * discovery.c). A NULL member is skipped. Those on the main thread run one
 * at a time, and what they publish with m2m_mqtt_publish() is not shown to
 * publishing and published again. */
typedef struct {
    /* Main thread: m2m_mqtt_connect() opened a session (a dry run's too). */
    void (*session_started)(void *ctx, m2m_port_t *session);
    /* Main thread: m2m_mqtt_publish() is about to publish len bytes on
     * topic ... */
    void (*publishing)(void *ctx, m2m_port_t *session, const char *topic, size_t len);
    /* ... and the client took the message. */
    void (*published)(void *ctx, m2m_port_t *session, const char *topic, const void *payload,
                      size_t len);
    /* Paho's thread, ack_lock held, no port call: a message on a
     * subscription of the session (port_mqtt_subscribe()). Returns 1 when it
     * was the client's; 0 leaves it to the retained read-back, if one runs. */
    int (*message)(void *ctx, const char *topic, const void *payload, size_t len, int retained);
    /* Paho's thread, ack_lock held, no port call: a retained message that
     * m2m_mqtt_read_retained() handed on. */
    void (*read_back)(void *ctx, const char *topic, const void *payload, size_t len);
    /* Main thread, in m2m_mqtt_service() and once a read-back ended: the
     * time to publish what message and read_back left to do. */
    void (*service)(void *ctx, m2m_port_t *session);
} port_mqtt_hooks_t;

/* QoS 1 and 2 messages a session keeps in flight: what the agent may wait
 * for at once (a job topic and an event per job, M2M_PUBLISH_WINDOW jobs)
 * and room for the summary, health and the hooks' messages (Home Assistant
 * discovery). A broker may allow fewer (MQTT 5 receive maximum): publishing
 * then waits. */
#define PORT_MQTT_INFLIGHT (2 * M2M_PUBLISH_WINDOW + 16)

struct m2m_port {
    /* Several projects over one MQTT session: each project's agent has its
     * own port for its API connection, and every m2m_mqtt_* call of that
     * port is served by the session's owner (port_session()). NULL: this
     * port owns its MQTT session. Everything under "MQTT" below is the
     * owner's alone. */
    struct m2m_port *session;

    /* TCP to the API. */
    mbedtls_net_context net;
    uint32_t send_timeout_ms; /* SO_SNDTIMEO of the socket, from connect */

    /* Log. */
    m2m_log_level_t log_level; /* lines above this level are dropped */
    char log_prefix[80];       /* put before each message, e.g. "project p1: " */

    /* MQTT. */
    port_mqtt_settings_t mqtt;
    int dry_run;       /* 1: print messages to dry_run_out, no broker */
    FILE *dry_run_out; /* stdout unless a test sets another stream */
    MQTTClient client; /* valid while client_created */
    int client_created;
    int session_up; /* connected, until disconnect or loss */

    /* Acknowledgements, counted by Paho's thread (mqtt_paho.c). */
    pthread_mutex_t ack_lock;
    pthread_cond_t ack_cond; /* on CLOCK_MONOTONIC */
    unsigned long queued;    /* QoS 1 and 2 messages published in this session */
    unsigned long acked;     /* ... and acknowledged by the broker */
    int session_lost;        /* the broker dropped the session */

    /* Retained read-back (m2m_mqtt_read_retained), under ack_lock. */
    m2m_mqtt_message_fn retained_fn; /* set while reading back */
    void *retained_user;
    unsigned long retained_seen; /* messages handed over so far */
    /* MQTT 5: the smallest message expiry interval left on a job topic read
     * back (seconds), UINT32_MAX when none had one. */
    uint32_t retained_expiry_min_s;

    /* MQTT 5 properties, built at connect: JSON payloads, JSON job topics
     * (with the message expiry) and text (status). */
    MQTTProperties props_json;
    MQTTProperties props_job;
    MQTTProperties props_text;
    int props_built;

    /* The session's hooks and their context (port_mqtt_set_hooks()); NULL:
     * none. Paho's thread reads them under ack_lock. */
    const port_mqtt_hooks_t *hooks;
    void *hooks_ctx;
    int in_hook; /* main thread: a hook is running */
};

/* The port that owns the MQTT session port uses: port->session, or port
 * itself. */
static inline m2m_port_t *port_session(m2m_port_t *port)
{
    return port->session != NULL ? port->session : port;
}

/* Prepare a port: no connection, log level as given, not a dry run.
 * Returns 0, or -1 when the thread primitives could not be created. */
int port_init(m2m_port_t *port, m2m_log_level_t log_level);

/* printf-style log line through m2m_log(). */
void port_logf(m2m_port_t *port, m2m_log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* 1 while the MQTT session is up (always 1 in a dry run after connect),
 * 0 before the first connect, after a disconnect or once the broker
 * dropped the session. */
int port_mqtt_session_up(m2m_port_t *port);

/* Install hooks (NULL: none) with their context on the session of port;
 * takes ack_lock, so Paho's thread never sees a context that is going. */
void port_mqtt_set_hooks(m2m_port_t *port, const port_mqtt_hooks_t *hooks, void *ctx);

/* Subscribe to topic_filter for the rest of the session (MQTT 3.1.1 or 5).
 * Messages arrive on Paho's thread (mqtt_paho.c, on_message). Returns
 * M2M_PORT_OK, or M2M_PORT_ERR_NOT_CONNECTED / M2M_PORT_ERR_IO. */
int32_t port_mqtt_subscribe(m2m_port_t *port, const char *topic_filter, int qos);

/* Sleep up to ms milliseconds; a signal ends it early. */
void port_sleep_ms(uint32_t ms);

#endif /* PORT_POSIX_H */

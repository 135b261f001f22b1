/* SPDX-License-Identifier: Apache-2.0 */
/*
 * port_lwip.h - include/m2m_port.h for a microcontroller that runs lwIP 2.1
 * without an RTOS (NO_SYS=1, raw API): TCP over lwIP's raw API, MQTT
 * through lwIP's own client (src/apps/mqtt), UTC from lwIP's SNTP app, the
 * log on the board's console. Nothing here is about one board: the board
 * gives the port a few hooks (port_lwip_board_t, net_wait.h) and lwIP's
 * usual sys_now().
 *
 * One thread does everything. Every call that waits (connect, receive, a
 * full MQTT window, acknowledgements, service) drives the network itself:
 * the board's netif poll hook, then lwIP's timers (sys_check_timeouts()),
 * then the board's idle hook when nothing arrived.
 * lwIP's callbacks therefore run inside the port's calls, never
 * concurrently with them.
 *
 * The board registers its hooks once (net_wait.h) before any call.
 *
 * No heap: struct m2m_port holds the MQTT client (lwIP's mqtt_client_s,
 * output ring buffer included) and the buffer that assembles a retained
 * message; the caller places it (static storage).
 *
 * What lwipopts.h must say for this port (docs/porting.md): NO_SYS 1,
 * LWIP_TCP, LWIP_UDP, LWIP_DNS (DNS_LOCAL_HOSTLIST to name hosts without a
 * query), SNTP_SET_SYSTEM_TIME_US(sec, us) calling port_lwip_sntp_set_time(),
 * MQTT_OUTPUT_RINGBUF_SIZE of at least PORT_LWIP_MQTT_RINGBUF_MIN,
 * MQTT_VAR_HEADER_BUFFER_LEN of at least PORT_LWIP_MQTT_HEADER_MIN, and two
 * more MEMP_NUM_SYS_TIMEOUT than lwIP's own (the MQTT client's and SNTP's).
 */
#ifndef PORT_LWIP_H
#define PORT_LWIP_H

#include <stddef.h>
#include <stdint.h>

#include "lwip/apps/mqtt.h"
#include "lwip/apps/mqtt_priv.h"
#include "lwip/ip_addr.h"

#include "m2m_defaults.h"
#include "m2m_port.h"
#include "mqtt_framing.h"
#include "net_wait.h"
#include "tcp_stream.h"

/* lwIP's MQTT client sends a PUBLISH only once all of it fits its output
 * ring buffer: the largest payload, the longest topic and 8 bytes of
 * header (fixed header, length, topic length, packet id). */
#define PORT_LWIP_MQTT_RINGBUF_MIN (M2M_PAYLOAD_MAX + M2M_TOPIC_MAX + 8)
/* An incoming PUBLISH whose topic (and packet id) does not fit the
 * client's header buffer ends the session: the longest topic read back. */
#define PORT_LWIP_MQTT_HEADER_MIN (M2M_TOPIC_MAX + 8)

/* Largest retained payload m2m_mqtt_read_retained() hands on, in bytes;
 * a larger one is skipped (and counted). The agent's job payloads are at
 * most M2M_PAYLOAD_MAX. */
#ifndef PORT_LWIP_RETAINED_MAX
#define PORT_LWIP_RETAINED_MAX M2M_PAYLOAD_MAX
#endif

/* The broker and the session; strings are the caller's and must outlive
 * every m2m_mqtt_connect(). NULL or "" = not set. */
typedef struct {
    const char *host;      /* address in dotted form, or a name (local host
                              list or DNS) */
    uint16_t port;         /* usually 1883 */
    const char *client_id; /* required */
    const char *username;
    const char *password; /* never logged */
    uint16_t keepalive_s; /* 0..65535; 0: no keep-alive */
    uint32_t timeout_ms;  /* connect, a full window, and each wait for an
                             acknowledgement without progress */
} port_lwip_mqtt_settings_t;

/* A retained message being assembled from lwIP's fragments. */
typedef struct {
    m2m_mqtt_message_fn fn; /* set while m2m_mqtt_read_retained() runs */
    void *user;
    uint32_t delivered;   /* handed to fn in this read-back */
    uint32_t skipped;     /* too large for the buffer, or not retained */
    uint32_t expected;    /* payload bytes announced */
    uint32_t len;         /* payload bytes received */
    uint8_t state;        /* mqtt_retained.c: idle, collecting, skipping */
    uint8_t request_done; /* SUBACK or UNSUBACK arrived */
    int8_t request_err;   /* its lwIP err_t */
    char topic[M2M_TOPIC_MAX];
    uint8_t payload[PORT_LWIP_RETAINED_MAX];
} port_lwip_inbox_t;

struct m2m_port {
    /* TCP to the API: one connection at a time. */
    tcp_stream_t tcp;
    uint32_t send_timeout_ms; /* from m2m_tcp_connect() */

    /* Log. */
    m2m_log_level_t log_level; /* lines above this level are dropped */

    /* MQTT. */
    port_lwip_mqtt_settings_t mqtt;
    struct mqtt_client_s client;
    uint32_t queued;             /* QoS 1 and 2 publishes handed to lwIP in this
                                    session */
    uint32_t completed;          /* ... whose callback came (acknowledged or
                                    given up) */
    uint32_t failed;             /* ... that lwIP gave up on, not reported yet */
    uint8_t session_up;          /* CONNACK accepted, not lost since */
    uint8_t connect_done;        /* the connect callback has answered */
    uint16_t connect_status;     /* its mqtt_connection_status_t */
    port_lwip_framing_t framing; /* whole packets for the client */
    port_lwip_inbox_t inbox;
};

/* ---- The port's own calls ------------------------------------------------ */

/* Prepare a port context: no connection, no session, log level as given. */
void port_lwip_init(m2m_port_t *port, const port_lwip_mqtt_settings_t *mqtt,
                    m2m_log_level_t log_level);

/* 1 while the MQTT session is up; 0 before the first connect, after a
 * disconnect or once the broker or the network dropped it. */
int port_lwip_session_up(m2m_port_t *port);

/* Log a line made of the given parts (NULL ends the list), through
 * m2m_log(). */
void port_lwip_log(m2m_port_t *port, m2m_log_level_t level, const char *first, ...);

/* Decimal text of v in buf (24 bytes is enough); returns buf. */
const char *port_lwip_num(char buf[24], int64_t v);

/* ---- Time: SNTP ------------------------------------------------------------ */

/* Start lwIP's SNTP client (poll mode) against server (dotted form or a
 * name resolved by lwIP's DNS) on UDP port udp_port (123 for a real
 * server). Returns 0, or -1 when the name does not resolve. */
int port_lwip_sntp_start(const char *server, uint16_t udp_port);

/* 1 once SNTP has answered: m2m_time_utc_ms() is then SNTP's time. */
int port_lwip_time_synced(void);

/* SNTP's answer, seconds and microseconds since 1970 UTC: what lwipopts.h's
 * SNTP_SET_SYSTEM_TIME_US(sec, us) must call. */
void port_lwip_sntp_set_time(uint32_t sec, uint32_t us);

/* The UDP port SNTP asks on (lwipopts.h: #define SNTP_PORT
 * port_lwip_sntp_port). */
extern uint16_t port_lwip_sntp_port;

#endif /* PORT_LWIP_H */

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * m2m_port.h - everything the portable core needs from the platform.
 *
 * A port (port/posix/ for Linux gateways, port/lwip/ for a microcontroller
 * running lwIP without an RTOS, or an RTOS port) defines struct m2m_port and
 * implements every function below. The core never includes an OS header: it
 * reaches the network, the clock, the log and the MQTT client only through
 * these calls, each taking the port context. Other clients of the MQTT
 * session (homeassistant/) use the same calls. See docs/porting.md for the
 * contracts in full and an RTOS example.
 */
#ifndef M2M_PORT_H
#define M2M_PORT_H

#include <stddef.h>
#include <stdint.h>

/* Defined by the port. */
typedef struct m2m_port m2m_port_t;

/* Errors returned by port calls (all negative). */
typedef enum {
    M2M_PORT_OK = 0,
    M2M_PORT_ERR_DNS = -1,          /* host name did not resolve */
    M2M_PORT_ERR_CONNECT = -2,      /* connection refused or unreachable */
    M2M_PORT_ERR_TIMEOUT = -3,      /* connect or send did not finish in time */
    M2M_PORT_ERR_CLOSED = -4,       /* the peer closed the connection */
    M2M_PORT_ERR_IO = -5,           /* any other transport failure (reset, ...) */
    M2M_PORT_ERR_REFUSED = -6,      /* the MQTT broker refused our credentials
                                       or client id: a configuration error */
    M2M_PORT_ERR_NOT_CONNECTED = -7 /* MQTT publish without a session */
} m2m_port_status_t;

/* ---- TCP: one connection at a time per port context ------------------ */

/* Open a TCP connection to host:port, waiting at most timeout_ms.
 * Returns M2M_PORT_OK or a negative m2m_port_status_t. */
int32_t m2m_tcp_connect(m2m_port_t *port, const char *host, uint16_t tcp_port, uint32_t timeout_ms);

/* Send up to len bytes. Returns the bytes sent (> 0; partial sends are
 * normal), 0 when nothing could be sent yet (never on disconnect), or a
 * negative m2m_port_status_t. */
int32_t m2m_tcp_send(m2m_port_t *port, const uint8_t *data, size_t len);

/* Receive up to len bytes, waiting at most timeout_ms for the first one.
 * Returns the bytes received (> 0), 0 when none arrived in time (never on
 * disconnect), M2M_PORT_ERR_CLOSED when the peer closed, or another negative
 * m2m_port_status_t. */
int32_t m2m_tcp_recv(m2m_port_t *port, uint8_t *buf, size_t len, uint32_t timeout_ms);

/* Close the connection (idempotent). */
void m2m_tcp_close(m2m_port_t *port);

/* ---- Time ------------------------------------------------------------ */

/* Milliseconds from an arbitrary origin; only differences mean anything. */
uint64_t m2m_time_monotonic_ms(m2m_port_t *port);

/* UTC wall clock, milliseconds since 1970-01-01T00:00:00Z. */
int64_t m2m_time_utc_ms(m2m_port_t *port);

/* ---- Log ------------------------------------------------------------- */

typedef enum {
    M2M_LOG_ERROR = 0,
    M2M_LOG_WARN = 1,
    M2M_LOG_INFO = 2,
    M2M_LOG_DEBUG = 3
} m2m_log_level_t;

/* One log line (no trailing newline). The core never passes a secret. */
void m2m_log(m2m_port_t *port, m2m_log_level_t level, const char *message);

/* ---- MQTT ------------------------------------------------------------- */

/* Open the MQTT session with a retained last will (will_topic, will_payload
 * at the given QoS). The broker address, client id and credentials are the
 * port's configuration. Returns M2M_PORT_OK, M2M_PORT_ERR_REFUSED when the
 * broker refused the credentials, or another negative status. */
int32_t m2m_mqtt_connect(m2m_port_t *port, const char *will_topic, const char *will_payload,
                         int qos);

/* Publish len bytes of payload (len may be 0: a zero-byte retained message
 * clears a topic). The call queues: it returns once the client has taken the
 * message, so topic and payload may be reused at once; with qos 1 or 2 the
 * broker's acknowledgement comes later (m2m_mqtt_wait_acks). A port keeps a
 * bounded window of unacknowledged messages and may block here while it is
 * full (at most its MQTT timeout). Messages reach the broker in the order of
 * the calls. Returns M2M_PORT_OK or a negative status
 * (M2M_PORT_ERR_NOT_CONNECTED without a session). */
int32_t m2m_mqtt_publish(m2m_port_t *port, const char *topic, const void *payload, size_t len,
                         int qos, int retain);

/* Wait until at most `most` of the QoS 1 and 2 messages published in this
 * session wait for their acknowledgement; most 0 waits for every one, and
 * UINT32_MAX only asks (it never waits). A broker acknowledges in the order of
 * the publishes (MQTT 3.1.1 and 5, 4.6), so the messages still waiting are the
 * newest ones. Returns how many still wait (0..most); M2M_PORT_ERR_TIMEOUT
 * when no acknowledgement arrived for the port's MQTT timeout; or
 * M2M_PORT_ERR_NOT_CONNECTED when the session was lost, and with it any
 * message not acknowledged yet. QoS 0 messages and a dry run never wait. */
int32_t m2m_mqtt_wait_acks(m2m_port_t *port, uint32_t most);

/* Called for each retained message m2m_mqtt_read_retained() receives. topic
 * is NUL-terminated; payload holds len bytes (len 0: a cleared topic). */
typedef void (*m2m_mqtt_message_fn)(void *user, const char *topic, const void *payload, size_t len);

/* Read back what the broker retains under topic_filter (an MQTT filter such
 * as "modelarts/gw/p/jobs/+"): subscribe, hand each retained message to
 * on_message, stop once none arrived for quiet_ms (or after max_ms), then
 * unsubscribe. on_message may run on another thread of the port, but never
 * after this call returns. A port without subscriptions returns M2M_PORT_OK
 * having delivered nothing. Returns M2M_PORT_OK or a negative status. */
int32_t m2m_mqtt_read_retained(m2m_port_t *port, const char *topic_filter,
                               m2m_mqtt_message_fn on_message, void *user, uint32_t quiet_ms,
                               uint32_t max_ms);

/* Serve the session (keep-alive, acknowledgements) for up to wait_ms. */
void m2m_mqtt_service(m2m_port_t *port, uint32_t wait_ms);

/* Close the session cleanly (no last will). Idempotent. */
void m2m_mqtt_disconnect(m2m_port_t *port);

#endif /* M2M_PORT_H */

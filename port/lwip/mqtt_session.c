/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mqtt_session.c - m2m_mqtt_connect, _publish, _wait_acks, _service and
 * _disconnect (include/m2m_port.h) with lwIP's MQTT client.
 *
 * Publishing is pipelined: mqtt_publish() copies the message into the
 * client's output ring buffer and takes one of its MQTT_REQ_MAX_IN_FLIGHT
 * request slots; for QoS 1 the slot's callback comes with the PUBACK (for
 * QoS 0 once TCP has delivered the packet; those are not counted). The port
 * counts QoS 1 and 2 messages queued and acknowledged, and
 * m2m_mqtt_wait_acks() drives the network until few enough wait. While the
 * ring buffer or the slots are full, m2m_mqtt_publish() drives the network
 * until the client takes the message.
 *
 * lwIP's client, when the connection drops, forgets its pending requests
 * without calling their callbacks: the connection callback marks the
 * session lost, and m2m_mqtt_wait_acks() then answers
 * M2M_PORT_ERR_NOT_CONNECTED for everything not acknowledged. A request the
 * broker never answers is failed by the client itself after MQTT_REQ_TIMEOUT
 * (30 s by default).
 *
 * The client is the port's own (struct mqtt_client_s through
 * lwip/apps/mqtt_priv.h) rather than mqtt_client_new()'s, which would
 * take it from lwIP's heap.
 */
#include "port_lwip.h"

#include <string.h>

#include "lwip/altcp.h"

/* The only MQTT packet lwIP's client cannot send: DISCONNECT, so that the
 * broker drops the last will on a clean stop (MQTT 3.1.1, 3.14). */
static const uint8_t disconnect_packet[2] = {0xE0, 0x00};

void port_lwip_init(m2m_port_t *port, const port_lwip_mqtt_settings_t *mqtt,
                    m2m_log_level_t log_level)
{
    memset(port, 0, sizeof *port);
    port->mqtt = *mqtt;
    port->log_level = log_level;
}

int port_lwip_session_up(m2m_port_t *port)
{
    return port->session_up && mqtt_client_is_connected(&port->client);
}

static int is_set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static void on_connection(mqtt_client_t *client, void *arg, mqtt_connection_status_t status)
{
    m2m_port_t *port = (m2m_port_t *)arg;
    (void)client;
    port->connect_status = (uint16_t)status;
    port->connect_done = 1;
    port->session_up = status == MQTT_CONNECT_ACCEPTED;
}

/* Nothing is subscribed outside m2m_mqtt_read_retained(), which installs
 * its own; a message that arrives anyway is dropped. */
static void drop_publish(void *arg, const char *topic, u32_t tot_len)
{
    (void)arg;
    (void)topic;
    (void)tot_len;
}

static void drop_data(void *arg, const u8_t *data, u16_t len, u8_t flags)
{
    (void)arg;
    (void)data;
    (void)len;
    (void)flags;
}

static void on_acknowledged(void *arg, err_t err)
{
    m2m_port_t *port = (m2m_port_t *)arg;
    port->completed++;
    if (err != ERR_OK) {
        port->failed++; /* the client's request timeout */
    }
}

static const char *connack_text(uint16_t status)
{
    switch (status) {
    case MQTT_CONNECT_REFUSED_PROTOCOL_VERSION:
        return "unacceptable protocol version";
    case MQTT_CONNECT_REFUSED_IDENTIFIER:
        return "client identifier rejected";
    case MQTT_CONNECT_REFUSED_SERVER:
        return "server unavailable";
    case MQTT_CONNECT_REFUSED_USERNAME_PASS:
        return "bad user name or password";
    case MQTT_CONNECT_REFUSED_NOT_AUTHORIZED_:
        return "not authorized";
    case MQTT_CONNECT_TIMEOUT:
        return "no CONNACK in time";
    }
    return "no connection";
}

int32_t m2m_mqtt_connect(m2m_port_t *port, const char *will_topic, const char *will_payload,
                         int qos)
{
    struct mqtt_connect_client_info_t info;
    const port_lwip_mqtt_settings_t *s = &port->mqtt;
    uint64_t start;
    ip_addr_t addr;
    char num[24];
    err_t err;

    m2m_mqtt_disconnect(port);
    if (port_lwip_resolve(s->host, &addr, s->timeout_ms) != 0) {
        port_lwip_log(port, M2M_LOG_WARN, "mqtt: cannot resolve ", s->host, NULL);
        return M2M_PORT_ERR_DNS;
    }
    memset(&info, 0, sizeof info);
    info.client_id = s->client_id;
    info.client_user = is_set(s->username) ? s->username : NULL;
    info.client_pass = is_set(s->password) ? s->password : NULL;
    info.keep_alive = s->keepalive_s;
    info.will_topic = will_topic;
    info.will_msg = will_payload;
    info.will_qos = (u8_t)qos;
    info.will_retain = 1;

    port->queued = 0;
    port->completed = 0;
    port->failed = 0;
    port->session_up = 0;
    port->connect_done = 0;
    port->connect_status = MQTT_CONNECT_DISCONNECTED;
    err = mqtt_client_connect(&port->client, &addr, s->port, on_connection, port, &info);
    if (err != ERR_OK) {
        port_lwip_log(port, M2M_LOG_WARN, "mqtt: cannot start a connection to ", s->host,
                      " (lwIP error ", port_lwip_num(num, err), ")", NULL);
        return M2M_PORT_ERR_CONNECT;
    }
    /* After the connect: it wipes the client, callbacks included. */
    mqtt_set_inpub_callback(&port->client, drop_publish, drop_data, port);
    mqtt_framing_arm(port);

    start = port_lwip_now_ms();
    while (!port->connect_done) {
        if (port_lwip_now_ms() - start >= s->timeout_ms) {
            mqtt_disconnect(&port->client);
            port_lwip_log(port, M2M_LOG_WARN, "mqtt: no CONNACK from ", s->host, NULL);
            return M2M_PORT_ERR_TIMEOUT;
        }
        port_lwip_wait();
        /* TCP is up once the client has installed its receive callback:
         * frame what it receives from then on, before the CONNACK. */
        mqtt_framing_attach(port);
    }
    if (port->session_up) {
        port_lwip_log(port, M2M_LOG_INFO, "mqtt: connected to ", s->host, ":",
                      port_lwip_num(num, s->port), " as ", s->client_id, NULL);
        return M2M_PORT_OK;
    }
    port_lwip_log(port, M2M_LOG_WARN, "mqtt: cannot connect to ", s->host, ": ",
                  connack_text(port->connect_status), NULL);
    /* CONNACK 2, 4 and 5: the broker judged our identity, not the network. */
    switch (port->connect_status) {
    case MQTT_CONNECT_REFUSED_IDENTIFIER:
    case MQTT_CONNECT_REFUSED_USERNAME_PASS:
    case MQTT_CONNECT_REFUSED_NOT_AUTHORIZED_:
        return M2M_PORT_ERR_REFUSED;
    case MQTT_CONNECT_TIMEOUT:
        return M2M_PORT_ERR_TIMEOUT;
    default:
        return M2M_PORT_ERR_CONNECT;
    }
}

/* Bytes a PUBLISH takes in the client's ring buffer: fixed header byte,
 * remaining length (1..3 bytes below 64 KB), topic length and topic,
 * packet id, payload. */
static size_t publish_size(size_t topic_len, size_t len, int qos)
{
    size_t remaining = 2 + topic_len + (qos > 0 ? 2u : 0u) + len;
    return 1 + (remaining < 128u ? 1u : remaining < 16384u ? 2u : 3u) + remaining;
}

int32_t m2m_mqtt_publish(m2m_port_t *port, const char *topic, const void *payload, size_t len,
                         int qos, int retain)
{
    uint64_t waited_since = port_lwip_now_ms();
    uint32_t completed = port->completed;

    if (!port_lwip_session_up(port)) {
        return M2M_PORT_ERR_NOT_CONNECTED;
    }
    if (publish_size(strlen(topic), len, qos) > MQTT_OUTPUT_RINGBUF_SIZE) {
        /* lwIP's client never splits a packet: this one could never go. */
        port_lwip_log(port, M2M_LOG_ERROR, "mqtt: a message to ", topic,
                      " is larger than MQTT_OUTPUT_RINGBUF_SIZE", NULL);
        return M2M_PORT_ERR_IO;
    }
    for (;;) {
        /* QoS 0 needs no answer: no callback, not counted. */
        err_t err = mqtt_publish(&port->client, topic, payload, (u16_t)len, (u8_t)qos, (u8_t)retain,
                                 qos > 0 ? on_acknowledged : NULL, port);
        if (err == ERR_OK) {
            port->queued += qos > 0;
            return M2M_PORT_OK;
        }
        if (err == ERR_CONN || !port_lwip_session_up(port)) {
            return M2M_PORT_ERR_NOT_CONNECTED;
        }
        if (err != ERR_MEM) {
            return M2M_PORT_ERR_IO;
        }
        /* The window is full (request slots or ring buffer): wait for an
         * acknowledgement, for at most the MQTT timeout without one. */
        if (port->completed != completed) {
            completed = port->completed;
            waited_since = port_lwip_now_ms();
        } else if (port_lwip_now_ms() - waited_since >= port->mqtt.timeout_ms) {
            return M2M_PORT_ERR_TIMEOUT;
        }
        port_lwip_wait();
    }
}

int32_t m2m_mqtt_wait_acks(m2m_port_t *port, uint32_t most)
{
    uint64_t waited_since = port_lwip_now_ms();
    uint32_t completed = port->completed;
    int32_t result = M2M_PORT_OK;
    char num[24];

    while (port->queued - port->completed > most) {
        if (!port_lwip_session_up(port)) {
            result = M2M_PORT_ERR_NOT_CONNECTED;
            break;
        }
        if (port->completed != completed) {
            completed = port->completed;
            waited_since = port_lwip_now_ms(); /* progress: the broker is alive */
        } else if (port_lwip_now_ms() - waited_since >= port->mqtt.timeout_ms) {
            result = M2M_PORT_ERR_TIMEOUT;
            break;
        }
        port_lwip_wait();
    }
    if (result == M2M_PORT_OK && port->failed > 0) {
        /* The client gave up on some (MQTT_REQ_TIMEOUT): they count as
         * answered but were not acknowledged, so this wait fails once. */
        result = M2M_PORT_ERR_TIMEOUT;
        port->failed = 0;
    }
    if (result != M2M_PORT_OK) {
        port_lwip_log(port, M2M_LOG_DEBUG,
                      "mqtt: ", port_lwip_num(num, (int64_t)(port->queued - port->completed)),
                      " message(s) not acknowledged: ",
                      result == M2M_PORT_ERR_TIMEOUT ? "timed out" : "session lost", NULL);
        return result;
    }
    return (int32_t)(port->queued - port->completed);
}

void m2m_mqtt_service(m2m_port_t *port, uint32_t wait_ms)
{
    (void)port; /* lwIP's client keeps itself alive from its timer */
    port_lwip_wait_ms(wait_ms);
}

/* DISCONNECT written straight to the client's connection once everything
 * queued has left the ring buffer, and given up to a second to be
 * acknowledged by TCP, so that it reaches the broker before the FIN. */
static void send_disconnect(m2m_port_t *port)
{
    struct altcp_pcb *conn = port->client.conn;
    uint64_t start = port_lwip_now_ms();

    while (conn != NULL && port->client.output.get != port->client.output.put &&
           port_lwip_now_ms() - start < 1000u) {
        port_lwip_wait();
        conn = port->client.conn;
    }
    if (conn == NULL || altcp_write(conn, disconnect_packet, sizeof disconnect_packet,
                                    TCP_WRITE_FLAG_COPY) != ERR_OK) {
        return;
    }
    altcp_output(conn);
    /* All of TCP's send buffer free again: everything was acknowledged. */
    while (port->client.conn != NULL && altcp_sndbuf(port->client.conn) < TCP_SND_BUF &&
           port_lwip_now_ms() - start < 1000u) {
        port_lwip_wait();
    }
}

void m2m_mqtt_disconnect(m2m_port_t *port)
{
    if (port_lwip_session_up(port)) {
        send_disconnect(port);
    }
    /* Nothing to do for a client that never connected or is closed. */
    mqtt_disconnect(&port->client);
    port->session_up = 0;
}

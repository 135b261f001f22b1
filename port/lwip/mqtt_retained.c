/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mqtt_retained.c - m2m_mqtt_read_retained() (include/m2m_port.h) with
 * lwIP's MQTT client: subscribe at QoS 0, hand each retained message on,
 * stop after quiet_ms without one (or max_ms), unsubscribe.
 *
 * lwIP's client announces an incoming PUBLISH with its topic and total
 * length (the publish callback), then hands the payload over in fragments
 * (the data callback, MQTT_DATA_FLAG_LAST on the last one). Each payload
 * is assembled in the port's inbox (PORT_LWIP_RETAINED_MAX bytes); a
 * larger one is skipped whole and counted. The callbacks do not say whether
 * the message is retained: the fixed header byte is still at the start of
 * the client's receive buffer when the publish callback runs, and its bit 0
 * is the RETAIN flag (MQTT 3.1.1, 3.3.1.3).
 *
 * QoS 0: a broker queues a limited number of QoS 1 messages for a
 * subscriber (mosquitto: max_queued_messages, 1000) and drops the rest,
 * while thousands of retained job topics may come back at once.
 */
#include "port_lwip.h"

#include <string.h>

enum { INBOX_IDLE = 0, INBOX_COLLECTING, INBOX_SKIPPING };

/* The publish's retain flag, from the fixed header the client keeps at
 * the start of its receive buffer while it calls the publish callback. */
static int incoming_retained(const m2m_port_t *port)
{
    return (port->client.rx_buffer[0] & 0x01u) != 0;
}

static void deliver(port_lwip_inbox_t *in)
{
    in->fn(in->user, in->topic, in->payload, in->len);
    in->delivered++;
    in->state = INBOX_IDLE;
}

static void on_publish(void *arg, const char *topic, u32_t tot_len)
{
    m2m_port_t *port = (m2m_port_t *)arg;
    port_lwip_inbox_t *in = &port->inbox;
    size_t n = strlen(topic);

    in->len = 0;
    in->expected = tot_len;
    if (in->fn == NULL || !incoming_retained(port) || n >= sizeof in->topic ||
        tot_len > sizeof in->payload) {
        in->skipped++;
        in->state = INBOX_SKIPPING;
        return;
    }
    memcpy(in->topic, topic, n + 1);
    in->state = INBOX_COLLECTING;
    if (tot_len == 0) {
        deliver(in); /* a cleared topic */
    }
}

static void on_data(void *arg, const u8_t *data, u16_t len, u8_t flags)
{
    m2m_port_t *port = (m2m_port_t *)arg;
    port_lwip_inbox_t *in = &port->inbox;

    if (in->state == INBOX_COLLECTING) {
        if (len > in->expected - in->len) {
            in->state = INBOX_SKIPPING; /* more than announced: not trusted */
            in->skipped++;
        } else {
            memcpy(in->payload + in->len, data, len);
            in->len += len;
        }
    }
    if ((flags & MQTT_DATA_FLAG_LAST) != 0 || in->len == in->expected) {
        if (in->state == INBOX_COLLECTING) {
            deliver(in);
        }
        in->state = INBOX_IDLE;
    }
}

static void on_request(void *arg, err_t err)
{
    m2m_port_t *port = (m2m_port_t *)arg;
    port->inbox.request_err = (int8_t)err;
    port->inbox.request_done = 1;
}

/* SUBSCRIBE (sub 1) or UNSUBSCRIBE (sub 0) filter, and wait for its
 * acknowledgement. Returns M2M_PORT_OK or a negative status. */
static int32_t sub_unsub(m2m_port_t *port, const char *filter, int sub)
{
    uint64_t start = port_lwip_now_ms();
    port_lwip_inbox_t *in = &port->inbox;
    err_t err;

    in->request_done = 0;
    for (;;) {
        if (!port_lwip_session_up(port)) {
            return M2M_PORT_ERR_NOT_CONNECTED;
        }
        err = mqtt_sub_unsub(&port->client, filter, 0, on_request, port, (u8_t)sub);
        if (err == ERR_OK) {
            break;
        }
        if (err != ERR_MEM || port_lwip_now_ms() - start >= port->mqtt.timeout_ms) {
            return err == ERR_MEM ? M2M_PORT_ERR_TIMEOUT : M2M_PORT_ERR_IO;
        }
        port_lwip_wait(); /* the request slots are taken: wait for one */
    }
    while (!in->request_done) {
        if (!port_lwip_session_up(port)) {
            return M2M_PORT_ERR_NOT_CONNECTED;
        }
        if (port_lwip_now_ms() - start >= port->mqtt.timeout_ms) {
            return M2M_PORT_ERR_TIMEOUT;
        }
        port_lwip_wait();
    }
    return in->request_err == ERR_OK ? M2M_PORT_OK : M2M_PORT_ERR_IO;
}

int32_t m2m_mqtt_read_retained(m2m_port_t *port, const char *topic_filter,
                               m2m_mqtt_message_fn on_message, void *user, uint32_t quiet_ms,
                               uint32_t max_ms)
{
    port_lwip_inbox_t *in = &port->inbox;
    uint64_t start;
    uint64_t last_seen;
    uint32_t seen;
    int32_t rc;
    char num[24];

    if (!port_lwip_session_up(port)) {
        return M2M_PORT_ERR_NOT_CONNECTED;
    }
    in->fn = on_message;
    in->user = user;
    in->delivered = 0;
    in->skipped = 0;
    in->state = INBOX_IDLE;
    mqtt_set_inpub_callback(&port->client, on_publish, on_data, port);

    rc = sub_unsub(port, topic_filter, 1);
    start = port_lwip_now_ms();
    last_seen = start;
    seen = 0;
    /* The broker sends what it retains right after the SUBACK: wait until
     * it has been quiet for quiet_ms. */
    while (rc == M2M_PORT_OK && port_lwip_now_ms() - last_seen < quiet_ms &&
           port_lwip_now_ms() - start < max_ms) {
        if (!port_lwip_session_up(port)) {
            rc = M2M_PORT_ERR_NOT_CONNECTED;
            break;
        }
        port_lwip_wait();
        if (in->delivered + in->skipped != seen) {
            seen = in->delivered + in->skipped;
            last_seen = port_lwip_now_ms();
        }
    }
    if (rc == M2M_PORT_OK) {
        /* After the UNSUBACK nothing more comes for the filter. */
        rc = sub_unsub(port, topic_filter, 0);
    }
    /* on_message is never called after this returns. */
    in->fn = NULL;
    in->user = NULL;
    if (in->skipped > 0) {
        port_lwip_log(port, M2M_LOG_WARN, "mqtt: ", port_lwip_num(num, in->skipped),
                      " message(s) under ", topic_filter,
                      " skipped in the read-back (not retained, or larger than "
                      "PORT_LWIP_RETAINED_MAX)",
                      NULL);
    }
    if (rc != M2M_PORT_OK) {
        port_lwip_log(port, M2M_LOG_WARN, "mqtt: reading back ", topic_filter, " failed", NULL);
    }
    return rc;
}

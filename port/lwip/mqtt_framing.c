/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mqtt_framing.c - lwIP's MQTT client fed whole packets (mqtt_framing.h).
 *
 * lwIP 2.1's mqtt_parse_incoming() copies each piece of a packet's
 * variable header and payload to the start of its receive buffer. When a
 * packet is split between two TCP segments (two calls), the second piece
 * overwrites the first before it was handed on: the topic of a PUBLISH is
 * lost, and the message with it (later lwIP releases keep the offset). A
 * retained read-back receives hundreds of PUBLISH packets back to back, and
 * segments end wherever they end, so some were lost on every read-back.
 *
 * The port therefore puts itself between TCP and the client: the client's
 * receive callback is replaced once the connection is up, received bytes go
 * into a staging buffer, and the client is called with what ends on a safe
 * boundary only: whole packets, and, for a packet larger than the staging
 * buffer, pieces of exactly as many bytes as the client's receive buffer
 * takes at a time (it hands each full buffer on before the next piece, so
 * nothing is overwritten; mqtt_frames.c finds the cuts). The bytes are handed over as a PBUF_REF
 * pbuf over the staging buffer, no copy; lwIP's own callback acknowledges them to TCP (tcp_recved),
 * so the window stays shut for what is staged, which is at most PORT_LWIP_MQTT_STAGE bytes.
 */
#include "mqtt_framing.h"

#include <string.h>

#include "lwip/altcp.h"
#include "lwip/pbuf.h"

#include "port_lwip.h"

/* The port whose client this is: the client is a member of the port. */
static m2m_port_t *port_of(void *client)
{
    return (m2m_port_t *)(void *)((char *)client - offsetof(m2m_port_t, client));
}

/* Hand the first n staged bytes to the client. Returns 0, or -1 when the
 * connection is gone (closed by the client, or no pbuf for the hand-over). */
static int hand_over(m2m_port_t *port, struct altcp_pcb *conn, size_t n)
{
    port_lwip_framing_t *f = &port->framing;
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)n, PBUF_REF);
    if (p == NULL) {
        return -1;
    }
    p->payload = f->stage;
    (void)f->client_recv(&port->client, conn, p, ERR_OK);
    if (port->client.conn != conn) {
        return -1; /* the client closed the connection meanwhile */
    }
    memmove(f->stage, f->stage + n, f->staged - n);
    f->staged -= n;
    return 0;
}

static err_t framed_recv(void *arg, struct altcp_pcb *conn, struct pbuf *p, err_t err)
{
    m2m_port_t *port = port_of(arg);
    port_lwip_framing_t *f = &port->framing;
    u16_t offset = 0;

    if (p == NULL || err != ERR_OK) {
        /* Closed by the peer, or an error: the client's own handling. */
        f->staged = 0;
        f->frames.packet_left = 0;
        return f->client_recv(arg, conn, p, err);
    }
    while (offset < p->tot_len) {
        size_t room = sizeof f->stage - f->staged;
        size_t left = (size_t)p->tot_len - offset;
        u16_t n = (u16_t)(left < room ? left : room);
        long safe;
        offset += pbuf_copy_partial(p, f->stage + f->staged, n, offset);
        f->staged += n;
        safe = mqtt_frames_safe_prefix(&f->frames, f->stage, f->staged, sizeof f->stage,
                                       MQTT_VAR_HEADER_BUFFER_LEN);
        if (safe < 0 || (safe > 0 && hand_over(port, conn, (size_t)safe) != 0) ||
            (safe == 0 && f->staged == sizeof f->stage)) {
            /* A malformed packet, or no way forward: end the session as the
             * client would, and let the agent reconnect. */
            pbuf_free(p);
            if (port->client.conn == conn) {
                port->session_up = 0;
                mqtt_disconnect(&port->client);
            }
            return ERR_OK; /* as the client's own callback after a close */
        }
    }
    pbuf_free(p);
    return ERR_OK;
}

void mqtt_framing_arm(m2m_port_t *port)
{
    port_lwip_framing_t *f = &port->framing;
    f->staged = 0;
    f->frames.packet_left = 0;
    f->client_recv = NULL;
    f->initial_recv = port->client.conn != NULL ? port->client.conn->recv : NULL;
}

void mqtt_framing_attach(m2m_port_t *port)
{
    port_lwip_framing_t *f = &port->framing;
    struct altcp_pcb *conn = port->client.conn;
    /* Until TCP is up, the connection's callback is lwIP's default; the
     * client installs its own when it connects. */
    if (conn == NULL || conn->recv == NULL || conn->recv == f->initial_recv ||
        conn->recv == framed_recv) {
        return;
    }
    f->client_recv = conn->recv;
    altcp_recv(conn, framed_recv);
}

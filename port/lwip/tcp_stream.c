/* SPDX-License-Identifier: Apache-2.0 */
/* tcp_stream.c - a blocking TCP stream over lwIP's raw API; see tcp_stream.h. */
#include "tcp_stream.h"

#include <string.h>

#include "net_wait.h"

/* lwIP calls these from inside port_lwip_wait(), on our own thread. */

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    tcp_stream_t *s = (tcp_stream_t *)arg;
    (void)pcb;
    (void)err; /* always ERR_OK in lwIP 2.1: failures come through on_error */
    s->connected = 1;
    return ERR_OK;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    tcp_stream_t *s = (tcp_stream_t *)arg;
    (void)pcb;
    (void)err;
    if (p == NULL) {
        s->peer_closed = 1;
        return ERR_OK;
    }
    /* Kept until read: the window reopens as the application reads
     * (tcp_recved() in tcp_stream_recv()), which is TCP's flow control. */
    if (s->rx == NULL) {
        s->rx = p;
    } else {
        pbuf_cat(s->rx, p);
    }
    return ERR_OK;
}

/* lwIP has freed the pcb already (reset, abort, out of memory). */
static void on_error(void *arg, err_t err)
{
    tcp_stream_t *s = (tcp_stream_t *)arg;
    s->pcb = NULL;
    s->error = err;
}

static int expired(uint64_t start, uint32_t timeout_ms)
{
    return port_lwip_now_ms() - start >= timeout_ms;
}

int32_t tcp_stream_connect(tcp_stream_t *s, const ip_addr_t *addr, uint16_t port,
                           uint32_t timeout_ms)
{
    uint64_t start = port_lwip_now_ms();

    memset(s, 0, sizeof *s);
    s->pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
    if (s->pcb == NULL) {
        return TCP_STREAM_ERR_IO;
    }
    tcp_arg(s->pcb, s);
    tcp_recv(s->pcb, on_recv);
    tcp_err(s->pcb, on_error);
    if (tcp_connect(s->pcb, addr, port, on_connected) != ERR_OK) {
        tcp_abort(s->pcb);
        s->pcb = NULL;
        return TCP_STREAM_ERR_IO;
    }
    while (!s->connected) {
        if (s->pcb == NULL) {
            /* A reset answers a refused connection. */
            return s->error == ERR_RST ? TCP_STREAM_ERR_CONNECT : TCP_STREAM_ERR_IO;
        }
        if (expired(start, timeout_ms)) {
            tcp_stream_close(s);
            return TCP_STREAM_ERR_TIMEOUT;
        }
        port_lwip_wait();
    }
    return TCP_STREAM_OK;
}

int32_t tcp_stream_send(tcp_stream_t *s, const void *data, size_t len, uint32_t timeout_ms)
{
    uint64_t start = port_lwip_now_ms();

    for (;;) {
        size_t room;
        err_t err;

        if (s->pcb == NULL) {
            return s->error == ERR_CLSD ? TCP_STREAM_ERR_CLOSED : TCP_STREAM_ERR_IO;
        }
        room = tcp_sndbuf(s->pcb);
        if (room > len) {
            room = len;
        }
        if (room > 0xFFFFu) {
            room = 0xFFFFu;
        }
        if (room > 0 && tcp_sndqueuelen(s->pcb) < TCP_SND_QUEUELEN) {
            err = tcp_write(s->pcb, data, (u16_t)room, TCP_WRITE_FLAG_COPY);
            if (err == ERR_OK) {
                tcp_output(s->pcb);
                return (int32_t)room;
            }
            if (err != ERR_MEM) {
                return TCP_STREAM_ERR_IO;
            }
        }
        /* No room: what is queued must be acknowledged first. */
        if (expired(start, timeout_ms)) {
            return 0;
        }
        port_lwip_wait();
    }
}

int32_t tcp_stream_recv(tcp_stream_t *s, void *buf, size_t len, uint32_t timeout_ms)
{
    uint64_t start = port_lwip_now_ms();
    u16_t n;

    while (s->rx == NULL) {
        if (s->peer_closed) {
            return TCP_STREAM_ERR_CLOSED;
        }
        if (s->pcb == NULL) {
            return TCP_STREAM_ERR_IO;
        }
        if (expired(start, timeout_ms)) {
            return 0;
        }
        port_lwip_wait();
    }
    if (len > s->rx->tot_len) {
        len = s->rx->tot_len;
    }
    n = pbuf_copy_partial(s->rx, buf, (u16_t)len, 0);
    s->rx = pbuf_free_header(s->rx, n);
    if (s->pcb != NULL) {
        tcp_recved(s->pcb, n);
    }
    return (int32_t)n;
}

void tcp_stream_close(tcp_stream_t *s)
{
    if (s->pcb != NULL) {
        /* No more callbacks into s, which the caller may reuse. */
        tcp_arg(s->pcb, NULL);
        tcp_recv(s->pcb, NULL);
        tcp_err(s->pcb, NULL);
        if (tcp_close(s->pcb) != ERR_OK) {
            tcp_abort(s->pcb);
        }
        s->pcb = NULL;
    }
    if (s->rx != NULL) {
        pbuf_free(s->rx);
        s->rx = NULL;
    }
    s->connected = 0;
}

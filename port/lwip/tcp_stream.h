/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tcp_stream.h - one TCP connection over lwIP's raw API as a blocking
 * stream with timeouts: connect, send, receive, close. The calls wait by
 * driving the network (port_lwip_wait(), net_wait.h), so they suit a
 * single-threaded board without an RTOS and mbedTLS's BIO callbacks alike.
 *
 * Return values follow the port contract of include/m2m_port.h: the count
 * of bytes moved (> 0), 0 for "nothing yet" (never a disconnect), or a
 * negative tcp_stream_status_t, whose values are those of m2m_port_status_t.
 */
#ifndef PORT_LWIP_TCP_STREAM_H
#define PORT_LWIP_TCP_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"

typedef enum {
    TCP_STREAM_OK = 0,
    TCP_STREAM_ERR_CONNECT = -2, /* refused or unreachable */
    TCP_STREAM_ERR_TIMEOUT = -3, /* the connection did not open in time */
    TCP_STREAM_ERR_CLOSED = -4,  /* the peer closed (FIN), everything read */
    TCP_STREAM_ERR_IO = -5       /* reset, out of memory, not connected */
} tcp_stream_status_t;

typedef struct {
    struct tcp_pcb *pcb; /* NULL once lwIP dropped the connection */
    struct pbuf *rx;     /* received, not yet read */
    err_t error;         /* why lwIP dropped it (ERR_RST, ERR_ABRT, ...) */
    uint8_t connected;
    uint8_t peer_closed; /* FIN received: rx holds the last bytes */
} tcp_stream_t;

/* Connects to addr:port, waiting at most timeout_ms. Returns TCP_STREAM_OK,
 * TCP_STREAM_ERR_CONNECT (refused, unreachable), TCP_STREAM_ERR_TIMEOUT or
 * TCP_STREAM_ERR_IO. s needs no initialisation. */
int32_t tcp_stream_connect(tcp_stream_t *s, const ip_addr_t *addr, uint16_t port,
                           uint32_t timeout_ms);

/* Queues up to len bytes for sending, waiting at most timeout_ms for room
 * in lwIP's send buffer. Returns the count queued (> 0, partial writes are
 * normal), 0 when there was no room in time, or TCP_STREAM_ERR_CLOSED /
 * TCP_STREAM_ERR_IO. */
int32_t tcp_stream_send(tcp_stream_t *s, const void *data, size_t len, uint32_t timeout_ms);

/* Reads up to len bytes, waiting at most timeout_ms for the first. Returns
 * the count (> 0), 0 when nothing arrived in time, TCP_STREAM_ERR_CLOSED
 * when the peer closed and everything was read, or TCP_STREAM_ERR_IO. */
int32_t tcp_stream_recv(tcp_stream_t *s, void *buf, size_t len, uint32_t timeout_ms);

/* Closes the connection (FIN; a reset if lwIP has no memory for the FIN)
 * and drops unread data. Idempotent. */
void tcp_stream_close(tcp_stream_t *s);

#endif /* PORT_LWIP_TCP_STREAM_H */

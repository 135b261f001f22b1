/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tcp_port.c - m2m_tcp_* (include/m2m_port.h) on lwIP's raw API, through
 * tcp_stream.h: the name resolved by lwIP (local host list or DNS), then one
 * connection per port context.
 *
 * A send waits for room in lwIP's send buffer for at most the timeout given
 * to connect, then reports M2M_PORT_ERR_TIMEOUT: a peer that stopped
 * acknowledging must end the poll, not keep mbedTLS retrying a write.
 */
#include "port_lwip.h"

#include "lwip/tcp.h"

int32_t m2m_tcp_connect(m2m_port_t *port, const char *host, uint16_t tcp_port, uint32_t timeout_ms)
{
    uint64_t start = port_lwip_now_ms();
    uint64_t spent;
    ip_addr_t addr;
    int32_t rc;

    m2m_tcp_close(port);
    if (port_lwip_resolve(host, &addr, timeout_ms) != 0) {
        port_lwip_log(port, M2M_LOG_DEBUG, "tcp: cannot resolve ", host, NULL);
        return M2M_PORT_ERR_DNS;
    }
    spent = port_lwip_now_ms() - start;
    if (spent >= timeout_ms) {
        return M2M_PORT_ERR_TIMEOUT;
    }
    rc = tcp_stream_connect(&port->tcp, &addr, tcp_port, timeout_ms - (uint32_t)spent);
    if (rc != TCP_STREAM_OK) {
        char num[24];
        port_lwip_log(port, M2M_LOG_DEBUG, "tcp: connect to ", host, " failed (",
                      port_lwip_num(num, rc), ")", NULL);
        return rc; /* tcp_stream's statuses are m2m_port_status_t values */
    }
    /* Requests go out in a few small TLS records: no Nagle delay. */
    tcp_nagle_disable(port->tcp.pcb);
    port->send_timeout_ms = timeout_ms;
    return M2M_PORT_OK;
}

int32_t m2m_tcp_send(m2m_port_t *port, const uint8_t *data, size_t len)
{
    int32_t n = tcp_stream_send(&port->tcp, data, len, port->send_timeout_ms);
    return n == 0 ? M2M_PORT_ERR_TIMEOUT : n;
}

int32_t m2m_tcp_recv(m2m_port_t *port, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    return tcp_stream_recv(&port->tcp, buf, len, timeout_ms);
}

void m2m_tcp_close(m2m_port_t *port)
{
    tcp_stream_close(&port->tcp);
}

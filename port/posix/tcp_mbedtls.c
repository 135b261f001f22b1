/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tcp_mbedtls.c - m2m_tcp_* (include/m2m_port.h) on mbedTLS net sockets.
 *
 * mbedtls_net_connect() has no timeout, so the connection is opened here:
 * getaddrinfo, then a non-blocking connect to each address in turn, all
 * within one deadline, and the connected socket is handed to the
 * mbedtls_net_context in blocking mode. Receives wait with
 * mbedtls_net_recv_timeout(); sends are bounded by SO_SNDTIMEO.
 *
 * Name resolution uses the system resolver and its own timeouts
 * (/etc/resolv.conf), which the connect deadline does not cover.
 */
#include "port_posix.h"
#include "sd_notify.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <mbedtls/ssl.h>

/* Milliseconds left until deadline (monotonic), 0 when it has passed. */
static int remaining_ms(m2m_port_t *port, uint64_t deadline)
{
    uint64_t now = m2m_time_monotonic_ms(port);
    if (now >= deadline) {
        return 0;
    }
    return deadline - now > INT_MAX ? INT_MAX : (int)(deadline - now);
}

/* One address: 0 connected, else a negative m2m_port_status_t. */
static int32_t connect_one(m2m_port_t *port, const struct addrinfo *ai, uint64_t deadline,
                           int *fd_out)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    int flags;
    int err = 0;
    socklen_t len = sizeof err;

    if (fd < 0) {
        return M2M_PORT_ERR_IO;
    }
    flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        close(fd);
        return M2M_PORT_ERR_IO;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
            err = errno;
        } else {
            struct pollfd pfd;
            int rc;
            pfd.fd = fd;
            pfd.events = POLLOUT;
            do {
                pfd.revents = 0;
                rc = poll(&pfd, 1, remaining_ms(port, deadline));
            } while (rc < 0 && errno == EINTR);
            if (rc == 0) {
                close(fd);
                return M2M_PORT_ERR_TIMEOUT;
            }
            if (rc < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
                err = rc < 0 ? errno : EIO;
            }
        }
    }
    if (err != 0) {
        close(fd);
        port_logf(port, M2M_LOG_DEBUG, "tcp: connect failed: %s", strerror(err));
        return err == ETIMEDOUT ? M2M_PORT_ERR_TIMEOUT : M2M_PORT_ERR_CONNECT;
    }
    /* Blocking again: mbedtls_net_recv_timeout() waits with select() and
     * sends are bounded by SO_SNDTIMEO. */
    if (fcntl(fd, F_SETFL, flags) < 0) {
        close(fd);
        return M2M_PORT_ERR_IO;
    }
    *fd_out = fd;
    return M2M_PORT_OK;
}

int32_t m2m_tcp_connect(m2m_port_t *port, const char *host, uint16_t tcp_port, uint32_t timeout_ms)
{
    struct addrinfo hints;
    struct addrinfo *list = NULL;
    struct addrinfo *ai;
    char service[8];
    uint64_t deadline = m2m_time_monotonic_ms(port) + timeout_ms;
    int32_t result = M2M_PORT_ERR_CONNECT;
    int fd = -1;
    int rc;

    m2m_tcp_close(port);
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    snprintf(service, sizeof service, "%u", (unsigned)tcp_port);
    rc = getaddrinfo(host, service, &hints, &list);
    if (rc != 0) {
        port_logf(port, M2M_LOG_DEBUG, "tcp: cannot resolve %s: %s", host, gai_strerror(rc));
        return M2M_PORT_ERR_DNS;
    }
    for (ai = list; ai != NULL; ai = ai->ai_next) {
        if (remaining_ms(port, deadline) == 0) {
            result = M2M_PORT_ERR_TIMEOUT;
            break;
        }
        result = connect_one(port, ai, deadline, &fd);
        if (result == M2M_PORT_OK || result == M2M_PORT_ERR_TIMEOUT) {
            break;
        }
    }
    freeaddrinfo(list);
    if (result != M2M_PORT_OK) {
        return result;
    }

    {
        struct timeval tv;
        int one = 1;
        tv.tv_sec = (time_t)(timeout_ms / 1000u);
        tv.tv_usec = (suseconds_t)(timeout_ms % 1000u) * 1000;
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        /* Requests go out in a few small TLS records: no Nagle delay. */
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    port->net.fd = fd;
    port->send_timeout_ms = timeout_ms;
    return M2M_PORT_OK;
}

int32_t m2m_tcp_send(m2m_port_t *port, const uint8_t *data, size_t len)
{
    int ret;
    if (port->net.fd < 0) {
        return M2M_PORT_ERR_IO;
    }
    if (len > INT32_MAX) {
        len = INT32_MAX;
    }
    errno = 0;
    ret = mbedtls_net_send(&port->net, data, len);
    if (ret > 0) {
        sdnotify_watchdog_progress(); /* bytes moved: the poll is not stuck */
        return (int32_t)ret;
    }
    if (ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
        return 0; /* interrupted by a signal before anything was sent */
    }
    if (ret == MBEDTLS_ERR_NET_SEND_FAILED && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return M2M_PORT_ERR_TIMEOUT; /* SO_SNDTIMEO expired */
    }
    return M2M_PORT_ERR_IO;
}

int32_t m2m_tcp_recv(m2m_port_t *port, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    int ret;
    if (port->net.fd < 0) {
        return M2M_PORT_ERR_IO;
    }
    if (len > INT32_MAX) {
        len = INT32_MAX;
    }
    /* mbedTLS reads a timeout of 0 as "wait forever". */
    ret = mbedtls_net_recv_timeout(&port->net, buf, len, timeout_ms == 0 ? 1 : timeout_ms);
    if (ret > 0) {
        sdnotify_watchdog_progress(); /* bytes moved: the poll is not stuck */
        return (int32_t)ret;
    }
    if (ret == 0) {
        return M2M_PORT_ERR_CLOSED;
    }
    if (ret == MBEDTLS_ERR_SSL_TIMEOUT || ret == MBEDTLS_ERR_SSL_WANT_READ) {
        return 0;
    }
    return M2M_PORT_ERR_IO;
}

void m2m_tcp_close(m2m_port_t *port)
{
    mbedtls_net_free(&port->net); /* closes the socket once; fd becomes -1 */
}

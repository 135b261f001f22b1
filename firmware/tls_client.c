/* SPDX-License-Identifier: Apache-2.0 */
/* tls_client.c - mbedTLS over the port's TCP; see include/tls_client.h. */
#include "tls_client.h"

#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/x509.h>

#include "m2m_defaults.h"
#include "strbuf.h"

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    tls_client_t *c = (tls_client_t *)ctx;
    int32_t n = m2m_tcp_send(c->port, buf, len);
    if (n > 0) {
        return (int)n;
    }
    if (n == 0) {
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    }
    c->port_error = n;
    return MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    tls_client_t *c = (tls_client_t *)ctx;
    int32_t n = m2m_tcp_recv(c->port, buf, len, c->timeout_ms);
    if (n > 0) {
        return (int)n;
    }
    if (n == 0) {
        c->port_error = M2M_PORT_ERR_TIMEOUT;
        return MBEDTLS_ERR_SSL_TIMEOUT;
    }
    if (n == M2M_PORT_ERR_CLOSED) {
        return 0; /* end of stream, as mbedTLS expects it */
    }
    c->port_error = n;
    return MBEDTLS_ERR_NET_RECV_FAILED;
}

static tls_client_status_t from_port(int32_t port_error)
{
    switch (port_error) {
    case M2M_PORT_ERR_DNS:
        return TLS_CLIENT_ERR_DNS;
    case M2M_PORT_ERR_CONNECT:
        return TLS_CLIENT_ERR_CONNECT;
    case M2M_PORT_ERR_TIMEOUT:
        return TLS_CLIENT_ERR_TIMEOUT;
    case M2M_PORT_ERR_CLOSED:
        return TLS_CLIENT_ERR_CLOSED;
    default:
        return TLS_CLIENT_ERR_IO;
    }
}

/* Map an mbedTLS error of a read, write or handshake onto our classes. */
static tls_client_status_t from_mbedtls(tls_client_t *c, int ret)
{
    c->last_mbedtls_error = ret;
    switch (ret) {
    case MBEDTLS_ERR_SSL_TIMEOUT:
        return TLS_CLIENT_ERR_TIMEOUT;
    case MBEDTLS_ERR_NET_SEND_FAILED:
    case MBEDTLS_ERR_NET_RECV_FAILED:
        return from_port(c->port_error);
    case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
    case MBEDTLS_ERR_SSL_CONN_EOF:
    case 0:
        return TLS_CLIENT_ERR_CLOSED;
    case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
        return TLS_CLIENT_ERR_VERIFY;
    default:
        return TLS_CLIENT_ERR_HANDSHAKE;
    }
}

void tls_client_init(tls_client_t *c, mbedtls_ssl_context *ssl, m2m_port_t *port,
                     uint32_t timeout_ms)
{
    c->ssl = ssl;
    c->port = port;
    c->timeout_ms = timeout_ms;
    c->open = 0;
    c->last_mbedtls_error = 0;
    c->verify_flags = 0;
    c->port_error = 0;
    c->resumed = 0;
    tls_client_forget_session(c);
}

/* Which host and port a saved session belongs to: a session is offered to
 * the server it came from only, never to another host (the IAM endpoint
 * shares this client). Never 0, which means "no session saved". */
static uint32_t peer_id(const char *host, uint16_t port)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    const unsigned char *p = (const unsigned char *)host;
    for (; *p != '\0'; p++) {
        h = (h ^ *p) * 16777619u;
    }
    h = (h ^ (uint32_t)(port >> 8)) * 16777619u;
    h = (h ^ (uint32_t)(port & 0xffu)) * 16777619u;
    return h == 0 ? 1u : h;
}

void tls_client_forget_session(tls_client_t *c)
{
    mbedtls_ssl_session_free(&c->session); /* zeroed memory is an empty session */
    mbedtls_ssl_session_init(&c->session);
    c->session_peer = 0;
}

/* A resumed session keeps the master secret of the one offered; a full
 * handshake makes a new one. */
static int same_master(const mbedtls_ssl_session *a, const mbedtls_ssl_session *b)
{
    unsigned char diff = 0;
    size_t i;
    for (i = 0; i < sizeof a->master; i++) {
        diff |= (unsigned char)(a->master[i] ^ b->master[i]);
    }
    return diff == 0;
}

static tls_client_status_t open_once(tls_client_t *c, const char *host, uint16_t port, int offer)
{
    int32_t rc;
    int ret;

    tls_client_close(c);
    c->last_mbedtls_error = 0;
    c->verify_flags = 0;
    c->port_error = 0;
    rc = m2m_tcp_connect(c->port, host, port, c->timeout_ms);
    if (rc != M2M_PORT_OK) {
        return from_port(rc);
    }
    ret = mbedtls_ssl_session_reset(c->ssl);
    if (ret == 0) {
        ret = mbedtls_ssl_set_hostname(c->ssl, host);
    }
    if (ret != 0) {
        m2m_tcp_close(c->port);
        c->last_mbedtls_error = ret;
        return TLS_CLIENT_ERR_HANDSHAKE;
    }
    /* A session mbedTLS cannot take is simply not offered. */
    offer = offer && mbedtls_ssl_set_session(c->ssl, &c->session) == 0;
    mbedtls_ssl_set_bio(c->ssl, c, bio_send, bio_recv, NULL);
    do {
        ret = mbedtls_ssl_handshake(c->ssl);
    } while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    if (ret != 0) {
        tls_client_status_t st = from_mbedtls(c, ret);
        c->verify_flags = mbedtls_ssl_get_verify_result(c->ssl);
        m2m_tcp_close(c->port);
        /* A failed handshake that leaves verification flags set is a
         * verification failure whatever mbedTLS called it. */
        if (st == TLS_CLIENT_ERR_HANDSHAKE && c->verify_flags != 0 &&
            c->verify_flags != (uint32_t)-1) {
            st = TLS_CLIENT_ERR_VERIFY;
        }
        return st;
    }
    c->open = 1;
    c->resumed = offer && same_master(mbedtls_ssl_get_session_pointer(c->ssl), &c->session);
    m2m_log(c->port, M2M_LOG_DEBUG, c->resumed ? "tls: session resumed" : "tls: full handshake");
    /* Keep the newest session: a server may have issued a new ticket. */
    mbedtls_ssl_session_free(&c->session);
    c->session_peer = mbedtls_ssl_get_session(c->ssl, &c->session) == 0 ? peer_id(host, port) : 0;
    return TLS_CLIENT_OK;
}

tls_client_status_t tls_client_open(tls_client_t *c, const char *host, uint16_t port)
{
    int offer = c->session_peer != 0 && c->session_peer == peer_id(host, port);
    tls_client_status_t st = open_once(c, host, port, offer);
    if (offer && (st == TLS_CLIENT_ERR_HANDSHAKE || st == TLS_CLIENT_ERR_CLOSED ||
                  st == TLS_CLIENT_ERR_IO)) {
        /* Some servers abort on a session they cannot resume instead of
         * declining it: once more without it, as a full handshake. */
        tls_client_forget_session(c);
        st = open_once(c, host, port, 0);
    }
    return st;
}

tls_client_status_t tls_client_write_all(tls_client_t *c, const void *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data;
    while (len > 0) {
        int ret = mbedtls_ssl_write(c->ssl, p, len);
        if (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) {
            continue;
        }
        if (ret <= 0) {
            return from_mbedtls(c, ret);
        }
        p += ret;
        len -= (size_t)ret;
    }
    return TLS_CLIENT_OK;
}

int32_t tls_client_read(tls_client_t *c, uint8_t *buf, size_t len)
{
    int ret;
    do {
        ret = mbedtls_ssl_read(c->ssl, buf, len);
    } while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    if (ret > 0) {
        return ret;
    }
    return from_mbedtls(c, ret);
}

void tls_client_close(tls_client_t *c)
{
    if (c->open) {
        /* Best effort: the peer may already be gone. */
        (void)mbedtls_ssl_close_notify(c->ssl);
        m2m_tcp_close(c->port);
        c->open = 0;
    }
}

const char *tls_client_strerror(tls_client_status_t st)
{
#if M2M_STRERROR_TEXT
    switch (st) {
    case TLS_CLIENT_OK:
        return "ok";
    case TLS_CLIENT_ERR_DNS:
        return "host name did not resolve";
    case TLS_CLIENT_ERR_CONNECT:
        return "connection refused or unreachable";
    case TLS_CLIENT_ERR_TIMEOUT:
        return "timed out";
    case TLS_CLIENT_ERR_HANDSHAKE:
        return "TLS handshake failed";
    case TLS_CLIENT_ERR_VERIFY:
        return "server certificate not trusted (chain or host name)";
    case TLS_CLIENT_ERR_IO:
        return "connection reset";
    case TLS_CLIENT_ERR_CLOSED:
        return "connection closed by the server";
    }
    return "unknown error";
#else
    return strbuf_status_code((int)st);
#endif
}

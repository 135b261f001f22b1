/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tls_client.h - one TLS client connection: mbedTLS over the port's TCP.
 *
 * The port prepares the mbedTLS configuration (CA chain, verification mode,
 * random generator) and the SSL context; this module binds them to the
 * port's TCP calls as mbedTLS's BIO, runs the handshake with the server name
 * set for SNI and verification, and reads and writes with a deadline.
 *
 * Session resumption: after each handshake the session is kept (a copy whose
 * certificate and ticket mbedTLS allocates) and offered to the next handshake
 * with the same host and port: a session ticket if the server issued one and
 * the configuration allows tickets, else the session ID. A server that
 * declines gets a full handshake in the same connection; one that aborts the
 * resumed handshake is tried once more, fully. Free the kept session with
 * tls_client_forget_session() before the client's memory goes.
 */
#ifndef TLS_CLIENT_H
#define TLS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/ssl.h>

#include "m2m_port.h"

typedef enum {
    TLS_CLIENT_OK = 0,
    TLS_CLIENT_ERR_DNS = -1,
    TLS_CLIENT_ERR_CONNECT = -2,
    TLS_CLIENT_ERR_TIMEOUT = -3,
    TLS_CLIENT_ERR_HANDSHAKE = -4, /* TLS failed before verification */
    TLS_CLIENT_ERR_VERIFY = -5,    /* the certificate chain or host name */
    TLS_CLIENT_ERR_IO = -6,        /* reset or another transport failure */
    TLS_CLIENT_ERR_CLOSED = -7     /* the peer closed the connection */
} tls_client_status_t;

typedef struct {
    mbedtls_ssl_context *ssl; /* set up by the port with its configuration */
    m2m_port_t *port;
    uint32_t timeout_ms;         /* per network operation */
    int open;                    /* 1 while connected */
    int last_mbedtls_error;      /* the last mbedTLS error code, for logs */
    uint32_t verify_flags;       /* mbedtls_ssl_get_verify_result() after a
                                    failed verification */
    int32_t port_error;          /* the port's status of the last failed
                                    transport call */
    int resumed;                 /* 1 when the last handshake resumed a session */
    uint32_t session_peer;       /* host and port the kept session belongs to;
                                    0 when none is kept */
    mbedtls_ssl_session session; /* the kept session */
} tls_client_t;

/* Bind to an SSL context the port has set up (mbedtls_ssl_setup done). c is
 * zeroed memory or a client initialized before, whose kept session is freed
 * (a new configuration starts with a full handshake). */
void tls_client_init(tls_client_t *c, mbedtls_ssl_context *ssl, m2m_port_t *port,
                     uint32_t timeout_ms);

/* Connect to host:port and complete the handshake. host is sent as SNI and
 * checked against the certificate (unless the configuration disabled
 * verification). Returns TLS_CLIENT_OK or an error. */
tls_client_status_t tls_client_open(tls_client_t *c, const char *host, uint16_t port);

/* Send all of data. Returns TLS_CLIENT_OK or an error. */
tls_client_status_t tls_client_write_all(tls_client_t *c, const void *data, size_t len);

/* Read up to len bytes. Returns the count (> 0), or an error; a peer that
 * closed (close_notify or end of stream) gives TLS_CLIENT_ERR_CLOSED. */
int32_t tls_client_read(tls_client_t *c, uint8_t *buf, size_t len);

/* Send close_notify (best effort) and close the TCP connection. The session
 * stays kept for the next tls_client_open(). */
void tls_client_close(tls_client_t *c);

/* Free the kept session: the next handshake is a full one. Call it before
 * the client's memory is released or reused (shutdown). */
void tls_client_forget_session(tls_client_t *c);

const char *tls_client_strerror(tls_client_status_t st);

#endif /* TLS_CLIENT_H */

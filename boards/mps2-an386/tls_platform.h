/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tls_platform.h - what mbedTLS needs from the board besides entropy
 * (entropy.h): its memory, a static pool, and the UTC clock.
 */
#ifndef MPS2_TLS_PLATFORM_H
#define MPS2_TLS_PLATFORM_H

#include <stddef.h>

/* The pool's size in bytes. It holds the record buffers of one TLS context
 * (MBEDTLS_SSL_IN_CONTENT_LEN + MBEDTLS_SSL_OUT_CONTENT_LEN plus about 2 x
 * 90 bytes: 20.6 KB), the parsed CA certificates, and the handshake's peak
 * (about 10 KB against a P-256 ECDSA server, 14 KB against RSA-2048). The
 * measured peak is in README.md; override with -DTLS_POOL_SIZE=... */
#ifndef TLS_POOL_SIZE
#define TLS_POOL_SIZE (48u * 1024u)
#endif

/* Hands mbedTLS the pool. Call once, before any other mbedTLS call. */
void tls_platform_init(void);

/* The pool's high-water mark: the bytes from its start to the last byte any
 * allocation (or allocator header) has touched since tls_platform_init().
 * With a first-fit pool this is the pool size the run needed, fragmentation
 * included. */
size_t tls_pool_peak_bytes(void);

#endif /* MPS2_TLS_PLATFORM_H */

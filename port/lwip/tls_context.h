/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tls_context.h - the mbedTLS objects a microcontroller port hands the
 * agent (include/tls_config.h): entropy from the board's
 * mbedtls_hardware_poll() (its TRNG), the CA chain from PEM text, a
 * verifying TLS 1.2 client with max_fragment_length, and the SSL context.
 *
 * The board must have given mbedTLS its memory first (a static pool:
 * mbedtls_memory_buffer_alloc_init()). UTC for certificate validity is the
 * port's (m2m_time_utc_ms(), SNTP): the configuration needs
 * MBEDTLS_PLATFORM_TIME_ALT.
 */
#ifndef PORT_LWIP_TLS_CONTEXT_H
#define PORT_LWIP_TLS_CONTEXT_H

#include <stddef.h>

#include "tls_config.h"

typedef enum {
    TLS_CONTEXT_OK = 0,
    TLS_CONTEXT_ERR_ENTROPY = -1, /* the DRBG could not be seeded */
    TLS_CONTEXT_ERR_CA = -2,      /* no CA certificate in the PEM text */
    TLS_CONTEXT_ERR_SSL = -3      /* configuration or context refused (memory) */
} tls_context_status_t;

typedef struct {
    tls_config_t cfg;  /* cfg.ssl for m2m_agent_init() */
    int mbedtls_error; /* the mbedTLS code of the last failure, 0 if none */
} tls_context_t;

/* Set t up: seed the DRBG, parse ca_pem (NUL-terminated PEM text, one or
 * more certificates), configure a verifying TLS 1.2 client with session
 * tickets and, when max_frag_code is not MBEDTLS_SSL_MAX_FRAG_LEN_NONE, the
 * max_fragment_length extension (a server that honours it sends smaller
 * records), and set up the SSL context. Returns TLS_CONTEXT_OK or an error
 * (t->mbedtls_error says more). */
tls_context_status_t tls_context_init(tls_context_t *t, const char *ca_pem,
                                      unsigned char max_frag_code);

/* 32 random bits from the DRBG (for backoff jitter); 0 if it failed. */
uint32_t tls_context_random(tls_context_t *t);

#endif /* PORT_LWIP_TLS_CONTEXT_H */

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tls_config.h - the mbedTLS objects behind the agent's API connection, set
 * up the same way on every port: a CTR-DRBG seeded from the port's entropy,
 * the CA chain, a TLS 1.2 client configuration that verifies the server, and
 * the SSL context m2m_agent_init() takes (tls_client.h then sets SNI and the
 * BIO on every connection).
 *
 * What differs between ports stays with them: where the CA chain comes from
 * (a file, PEM text in flash), where entropy comes from (the system, a TRNG
 * behind mbedtls_hardware_poll()), mbedTLS's memory and clock.
 *
 * The sequence: tls_config_init(), the port parses its CA chain into t->ca,
 * tls_config_client(), mbedtls_ssl_setup(&t->ssl, &t->conf) (and for each
 * further SSL context a port makes over the configuration), and
 * tls_config_free() at the end.
 */
#ifndef TLS_CONFIG_H
#define TLS_CONFIG_H

#include <stdint.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

typedef struct {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt ca; /* the port's CA chain; empty when nothing is verified */
    mbedtls_ssl_config conf;
    mbedtls_ssl_context ssl; /* for m2m_agent_init() */
} tls_config_t;

/* Initialise every object of t, then seed the DRBG from mbedTLS's entropy
 * sources (the port's) with the project's personalization string. Returns 0
 * or the mbedTLS error of the seeding; t is ready for tls_config_free() in
 * either case. */
int tls_config_init(tls_config_t *t);

/* Configure t->conf as the agent's TLS client: TLS 1.2 at least, t->drbg as
 * its random generator, session tickets when the mbedTLS configuration has
 * them (resumption across polls without a server-side cache), and
 * max_frag_code (an MBEDTLS_SSL_MAX_FRAG_LEN_* value) as the
 * max_fragment_length extension when it is not
 * MBEDTLS_SSL_MAX_FRAG_LEN_NONE and the configuration has the extension.
 * verify non-zero: the server's chain must verify against t->ca (and its
 * name against the one tls_client.h sets); 0: nothing is verified (a
 * gateway's insecure option only). Returns 0 or the mbedTLS error
 * (mbedtls_ssl_config_defaults() or mbedtls_ssl_conf_max_frag_len()). */
int tls_config_client(tls_config_t *t, int verify, unsigned char max_frag_code);

/* 32 random bits from the DRBG into *out (backoff jitter needs spread, not
 * secrecy). Returns 0, or -1 when the DRBG failed (*out untouched). */
int tls_config_random(tls_config_t *t, uint32_t *out);

/* Free every object of t (after tls_config_init(), in any state). */
void tls_config_free(tls_config_t *t);

#endif /* TLS_CONFIG_H */

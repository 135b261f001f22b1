/*
 * tls_setup.h - the mbedTLS objects behind the API connection: entropy
 * (the system source, /dev/urandom or getrandom), a CTR-DRBG, the CA chain,
 * the client configuration and the SSL context handed to the agent.
 */
#ifndef TLS_SETUP_H
#define TLS_SETUP_H

#include <stddef.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

typedef enum {
    TLS_SETUP_OK = 0,
    TLS_SETUP_ERR_CA_FILE = -1, /* the CA file is unreadable or holds no
                                   usable certificate: a configuration error */
    TLS_SETUP_ERR_RNG = -2,     /* the random generator could not be seeded */
    TLS_SETUP_ERR_SSL = -3      /* mbedTLS refused the configuration */
} tls_setup_status_t;

typedef struct {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_x509_crt ca;
    mbedtls_ssl_config conf;
    mbedtls_ssl_context ssl; /* for m2m_agent_init() */
    int ready;               /* 1 between a successful init and free */
} tls_setup_t;

/* Build everything. With insecure = 1 the server is not verified and
 * ca_file is not read. On failure err holds a message naming the file or
 * the mbedTLS error, and nothing needs freeing. */
tls_setup_status_t tls_setup_init(tls_setup_t *t, const char *ca_file, int insecure, char *err,
                                  size_t err_size);

/* Free everything (idempotent). */
void tls_setup_free(tls_setup_t *t);

const char *tls_setup_strerror(tls_setup_status_t st);

#endif /* TLS_SETUP_H */

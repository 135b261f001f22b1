/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tls_setup.h - the mbedTLS objects behind the API connection
 * (include/tls_config.h) on a Linux gateway: entropy from the system
 * (/dev/urandom or getrandom), the CA chain from a file, verification off
 * with the insecure option, and error messages for the log.
 */
#ifndef TLS_SETUP_H
#define TLS_SETUP_H

#include <stddef.h>

#include "tls_config.h"

typedef enum {
    TLS_SETUP_OK = 0,
    TLS_SETUP_ERR_CA_FILE = -1, /* the CA file is unreadable or holds no
                                   usable certificate: a configuration error */
    TLS_SETUP_ERR_RNG = -2,     /* the random generator could not be seeded */
    TLS_SETUP_ERR_SSL = -3      /* mbedTLS refused the configuration */
} tls_setup_status_t;

typedef struct {
    tls_config_t cfg; /* cfg.ssl for m2m_agent_init() */
    int ready;        /* 1 between a successful init and free */
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

/* SPDX-License-Identifier: Apache-2.0 */
/* tls_setup.c - the API connection's mbedTLS objects on Linux; see tls_setup.h. */
#include "tls_setup.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/error.h>

static void describe(int ret, const char *what, char *err, size_t err_size)
{
    char text[128];
    mbedtls_strerror(ret, text, sizeof text);
    snprintf(err, err_size, "%s: %s (-0x%04x)", what, text, (unsigned)-ret);
}

tls_setup_status_t tls_setup_init(tls_setup_t *t, const char *ca_file, int insecure, char *err,
                                  size_t err_size)
{
    int ret;

    memset(t, 0, sizeof *t);
    ret = tls_config_init(&t->cfg);
    if (ret != 0) {
        describe(ret, "cannot seed the random generator", err, err_size);
        tls_config_free(&t->cfg);
        return TLS_SETUP_ERR_RNG;
    }
    if (!insecure) {
        /* A positive result counts certificates that did not parse; the
         * bundle is still usable if any did. */
        ret = mbedtls_x509_crt_parse_file(&t->cfg.ca, ca_file);
        if (ret < 0 || t->cfg.ca.version == 0) {
            char what[1100];
            snprintf(what, sizeof what, "modelarts.ca_file = %s: no usable CA certificate",
                     ca_file);
            if (ret < 0) {
                describe(ret, what, err, err_size);
            } else {
                snprintf(err, err_size, "%s", what);
            }
            tls_config_free(&t->cfg);
            return TLS_SETUP_ERR_CA_FILE;
        }
    }
    /* Records of any size: a gateway has the memory for 16 KB ones. */
    ret = tls_config_client(&t->cfg, !insecure, MBEDTLS_SSL_MAX_FRAG_LEN_NONE);
    if (ret != 0) {
        describe(ret, "mbedtls_ssl_config_defaults", err, err_size);
        tls_config_free(&t->cfg);
        return TLS_SETUP_ERR_SSL;
    }
    ret = mbedtls_ssl_setup(&t->cfg.ssl, &t->cfg.conf);
    if (ret != 0) {
        describe(ret, "mbedtls_ssl_setup", err, err_size);
        tls_config_free(&t->cfg);
        return TLS_SETUP_ERR_SSL;
    }
    t->ready = 1;
    return TLS_SETUP_OK;
}

void tls_setup_free(tls_setup_t *t)
{
    if (t->ready) {
        tls_config_free(&t->cfg);
        t->ready = 0;
    }
}

const char *tls_setup_strerror(tls_setup_status_t st)
{
    switch (st) {
    case TLS_SETUP_OK:
        return "ok";
    case TLS_SETUP_ERR_CA_FILE:
        return "unusable CA file";
    case TLS_SETUP_ERR_RNG:
        return "random generator not seeded";
    case TLS_SETUP_ERR_SSL:
        return "TLS configuration refused";
    }
    return "unknown TLS setup status";
}

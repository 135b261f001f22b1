/* tls_setup.c - mbedTLS entropy, DRBG, CA chain and SSL context; see tls_setup.h. */
#include "tls_setup.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/error.h>

static const char personalization[] = "modelarts2mqtt";

static void describe(int ret, const char *what, char *err, size_t err_size)
{
    char text[128];
    mbedtls_strerror(ret, text, sizeof text);
    snprintf(err, err_size, "%s: %s (-0x%04x)", what, text, (unsigned)-ret);
}

static void free_parts(tls_setup_t *t)
{
    mbedtls_ssl_free(&t->ssl);
    mbedtls_ssl_config_free(&t->conf);
    mbedtls_x509_crt_free(&t->ca);
    mbedtls_ctr_drbg_free(&t->drbg);
    mbedtls_entropy_free(&t->entropy);
}

tls_setup_status_t tls_setup_init(tls_setup_t *t, const char *ca_file, int insecure, char *err,
                                  size_t err_size)
{
    int ret;

    memset(t, 0, sizeof *t);
    mbedtls_entropy_init(&t->entropy);
    mbedtls_ctr_drbg_init(&t->drbg);
    mbedtls_x509_crt_init(&t->ca);
    mbedtls_ssl_config_init(&t->conf);
    mbedtls_ssl_init(&t->ssl);

    ret = mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy,
                                (const unsigned char *)personalization, sizeof personalization - 1);
    if (ret != 0) {
        describe(ret, "cannot seed the random generator", err, err_size);
        free_parts(t);
        return TLS_SETUP_ERR_RNG;
    }
    if (!insecure) {
        /* A positive result counts certificates that did not parse; the
         * bundle is still usable if any did. */
        ret = mbedtls_x509_crt_parse_file(&t->ca, ca_file);
        if (ret < 0 || t->ca.version == 0) {
            char what[1100];
            snprintf(what, sizeof what, "modelarts.ca_file = %s: no usable CA certificate",
                     ca_file);
            if (ret < 0) {
                describe(ret, what, err, err_size);
            } else {
                snprintf(err, err_size, "%s", what);
            }
            free_parts(t);
            return TLS_SETUP_ERR_CA_FILE;
        }
    }
    ret = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                      MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret != 0) {
        describe(ret, "mbedtls_ssl_config_defaults", err, err_size);
        free_parts(t);
        return TLS_SETUP_ERR_SSL;
    }
    mbedtls_ssl_conf_authmode(&t->conf,
                              insecure ? MBEDTLS_SSL_VERIFY_NONE : MBEDTLS_SSL_VERIFY_REQUIRED);
    if (!insecure) {
        mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
    }
    mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
    /* TLS 1.2 at least: the API and every current server speak it. */
    mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
#if defined(MBEDTLS_SSL_SESSION_TICKETS)
    /* Resumption across polls (tls_client.h): a ticket needs no server-side
     * cache; a server without tickets is offered the session ID instead. */
    mbedtls_ssl_conf_session_tickets(&t->conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
#endif
    ret = mbedtls_ssl_setup(&t->ssl, &t->conf);
    if (ret != 0) {
        describe(ret, "mbedtls_ssl_setup", err, err_size);
        free_parts(t);
        return TLS_SETUP_ERR_SSL;
    }
    t->ready = 1;
    return TLS_SETUP_OK;
}

void tls_setup_free(tls_setup_t *t)
{
    if (t->ready) {
        free_parts(t);
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

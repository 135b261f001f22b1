/* SPDX-License-Identifier: Apache-2.0 */
/* tls_config.c - the agent's mbedTLS client set up; see include/tls_config.h. */
#include "tls_config.h"

static const char personalization[] = "modelarts2mqtt";

int tls_config_init(tls_config_t *t)
{
    mbedtls_entropy_init(&t->entropy);
    mbedtls_ctr_drbg_init(&t->drbg);
    mbedtls_x509_crt_init(&t->ca);
    mbedtls_ssl_config_init(&t->conf);
    mbedtls_ssl_init(&t->ssl);
    return mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy,
                                 (const unsigned char *)personalization,
                                 sizeof personalization - 1);
}

int tls_config_client(tls_config_t *t, int verify, unsigned char max_frag_code)
{
    int ret = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT,
                                          MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret != 0) {
        return ret;
    }
    mbedtls_ssl_conf_authmode(&t->conf,
                              verify ? MBEDTLS_SSL_VERIFY_REQUIRED : MBEDTLS_SSL_VERIFY_NONE);
    if (verify) {
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
#if defined(MBEDTLS_SSL_MAX_FRAGMENT_LENGTH)
    /* A server that honours it sends smaller records, so a board's input
     * buffer may be smaller than 16 KB. */
    if (max_frag_code != MBEDTLS_SSL_MAX_FRAG_LEN_NONE) {
        ret = mbedtls_ssl_conf_max_frag_len(&t->conf, max_frag_code);
    }
#else
    (void)max_frag_code;
#endif
    return ret;
}

int tls_config_random(tls_config_t *t, uint32_t *out)
{
    unsigned char b[4];
    if (mbedtls_ctr_drbg_random(&t->drbg, b, sizeof b) != 0) {
        return -1;
    }
    *out = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    return 0;
}

void tls_config_free(tls_config_t *t)
{
    mbedtls_ssl_free(&t->ssl);
    mbedtls_ssl_config_free(&t->conf);
    mbedtls_x509_crt_free(&t->ca);
    mbedtls_ctr_drbg_free(&t->drbg);
    mbedtls_entropy_free(&t->entropy);
}

/* tls_context.c - mbedTLS set up for the agent; see tls_context.h. */
#include "tls_context.h"

#include <string.h>

#include "mbedtls/platform.h"
#include "mbedtls/platform_time.h"

#include "m2m_port.h"

static const char personalization[] = "modelarts2mqtt";

/* Certificate validity and session ticket ages: the port's UTC (SNTP). */
static mbedtls_time_t utc_seconds(mbedtls_time_t *now)
{
    mbedtls_time_t t = (mbedtls_time_t)(m2m_time_utc_ms(NULL) / 1000);
    if (now != NULL) {
        *now = t;
    }
    return t;
}

tls_context_status_t tls_context_init(tls_context_t *t, const char *ca_pem,
                                      unsigned char max_frag_code)
{
    int ret;

    memset(t, 0, sizeof *t);
    mbedtls_platform_set_time(utc_seconds);
    mbedtls_entropy_init(&t->entropy);
    mbedtls_ctr_drbg_init(&t->drbg);
    mbedtls_x509_crt_init(&t->ca);
    mbedtls_ssl_config_init(&t->conf);
    mbedtls_ssl_init(&t->ssl);

    ret = mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy,
                                (const unsigned char *)personalization, sizeof personalization - 1);
    if (ret != 0) {
        t->mbedtls_error = ret;
        return TLS_CONTEXT_ERR_ENTROPY;
    }
    /* PEM is parsed with its terminating NUL counted. A positive result
     * counts certificates that did not parse: usable if any did. */
    ret = mbedtls_x509_crt_parse(&t->ca, (const unsigned char *)ca_pem, strlen(ca_pem) + 1);
    if (ret < 0 || t->ca.version == 0) {
        t->mbedtls_error = ret;
        return TLS_CONTEXT_ERR_CA;
    }
    ret = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                      MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret != 0) {
        t->mbedtls_error = ret;
        return TLS_CONTEXT_ERR_SSL;
    }
    mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
    mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
    mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
#if defined(MBEDTLS_SSL_SESSION_TICKETS)
    /* Resumption across polls (tls_client.h) without a server-side cache. */
    mbedtls_ssl_conf_session_tickets(&t->conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
#endif
#if defined(MBEDTLS_SSL_MAX_FRAGMENT_LENGTH)
    if (max_frag_code != MBEDTLS_SSL_MAX_FRAG_LEN_NONE) {
        ret = mbedtls_ssl_conf_max_frag_len(&t->conf, max_frag_code);
        if (ret != 0) {
            t->mbedtls_error = ret;
            return TLS_CONTEXT_ERR_SSL;
        }
    }
#else
    (void)max_frag_code;
#endif
    ret = mbedtls_ssl_setup(&t->ssl, &t->conf);
    if (ret != 0) {
        t->mbedtls_error = ret;
        return TLS_CONTEXT_ERR_SSL;
    }
    return TLS_CONTEXT_OK;
}

uint32_t tls_context_random(tls_context_t *t)
{
    unsigned char b[4];
    if (mbedtls_ctr_drbg_random(&t->drbg, b, sizeof b) != 0) {
        return 0;
    }
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* SPDX-License-Identifier: Apache-2.0 */
/* tls_context.c - mbedTLS set up for the agent; see tls_context.h. */
#include "tls_context.h"

#include <string.h>

#include "mbedtls/platform.h"
#include "mbedtls/platform_time.h"

#include "m2m_port.h"

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
    ret = tls_config_init(&t->cfg);
    if (ret != 0) {
        t->mbedtls_error = ret;
        return TLS_CONTEXT_ERR_ENTROPY;
    }
    /* PEM is parsed with its terminating NUL counted. A positive result
     * counts certificates that did not parse: usable if any did. */
    ret = mbedtls_x509_crt_parse(&t->cfg.ca, (const unsigned char *)ca_pem, strlen(ca_pem) + 1);
    if (ret < 0 || t->cfg.ca.version == 0) {
        t->mbedtls_error = ret;
        return TLS_CONTEXT_ERR_CA;
    }
    ret = tls_config_client(&t->cfg, 1, max_frag_code);
    if (ret == 0) {
        ret = mbedtls_ssl_setup(&t->cfg.ssl, &t->cfg.conf);
    }
    if (ret != 0) {
        t->mbedtls_error = ret;
        return TLS_CONTEXT_ERR_SSL;
    }
    return TLS_CONTEXT_OK;
}

uint32_t tls_context_random(tls_context_t *t)
{
    uint32_t r = 0;
    (void)tls_config_random(&t->cfg, &r);
    return r;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tls_config_check.c - compiled (never linked) by boards/cortex-m4.mk to show
 * that mbedtls_config.h is a configuration mbedTLS 2.28 accepts
 * (check_config.h runs on it) and that it offers what an RTOS port needs to
 * set up the SSL context the core is given (include/tls_config.h): a
 * verifying TLS 1.2 client with SNI, a CA chain, a random generator and a
 * smaller maximum fragment.
 */
#include <stddef.h>

#include <mbedtls/platform.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "tls_config.h"

int m2m_tls_setup(tls_config_t *t, const unsigned char *ca_pem, size_t ca_len);

int m2m_tls_setup(tls_config_t *t, const unsigned char *ca_pem, size_t ca_len)
{
    int ret = tls_config_init(t);
    /* ca_len counts the PEM's terminating NUL, as mbedtls_x509_crt_parse()
     * requires. */
    if (ret == 0) {
        ret = mbedtls_x509_crt_parse(&t->ca, ca_pem, ca_len);
    }
    if (ret == 0) {
        ret = tls_config_client(t, 1, MBEDTLS_SSL_MAX_FRAG_LEN_4096);
    }
    if (ret == 0) {
        ret = mbedtls_ssl_setup(&t->ssl, &t->conf);
    }
    return ret;
}

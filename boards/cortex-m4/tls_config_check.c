/*
 * tls_config_check.c - compiled (never linked) by boards/cortex-m4.mk to show
 * that mbedtls_config.h is a configuration mbedTLS 2.28 accepts
 * (check_config.h runs on it) and that it offers what an RTOS port needs to
 * set up the SSL context the core is given: a verifying TLS 1.2 client with
 * SNI, a CA chain, a random generator and a smaller maximum fragment.
 */
#include <stddef.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/platform.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

int m2m_tls_setup(mbedtls_ssl_context *ssl, mbedtls_ssl_config *conf, mbedtls_x509_crt *ca,
                  mbedtls_entropy_context *entropy, mbedtls_ctr_drbg_context *drbg,
                  const unsigned char *ca_pem, size_t ca_len);

int m2m_tls_setup(mbedtls_ssl_context *ssl, mbedtls_ssl_config *conf, mbedtls_x509_crt *ca,
                  mbedtls_entropy_context *entropy, mbedtls_ctr_drbg_context *drbg,
                  const unsigned char *ca_pem, size_t ca_len)
{
    static const char personalization[] = "modelarts2mqtt";
    int ret;

    mbedtls_ssl_init(ssl);
    mbedtls_ssl_config_init(conf);
    mbedtls_x509_crt_init(ca);
    mbedtls_entropy_init(entropy);
    mbedtls_ctr_drbg_init(drbg);

    /* ca_len counts the PEM's terminating NUL, as mbedtls_x509_crt_parse()
     * requires. */
    ret = mbedtls_x509_crt_parse(ca, ca_pem, ca_len);
    if (ret == 0) {
        ret = mbedtls_ctr_drbg_seed(drbg, mbedtls_entropy_func, entropy,
                                    (const unsigned char *)personalization,
                                    sizeof(personalization) - 1);
    }
    if (ret == 0) {
        ret = mbedtls_ssl_config_defaults(conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                          MBEDTLS_SSL_PRESET_DEFAULT);
    }
    if (ret != 0) {
        return ret;
    }
    mbedtls_ssl_conf_authmode(conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(conf, ca, NULL);
    mbedtls_ssl_conf_rng(conf, mbedtls_ctr_drbg_random, drbg);
    mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    ret = mbedtls_ssl_conf_max_frag_len(conf, MBEDTLS_SSL_MAX_FRAG_LEN_4096);
    if (ret == 0) {
        ret = mbedtls_ssl_setup(ssl, conf);
    }
    return ret;
}

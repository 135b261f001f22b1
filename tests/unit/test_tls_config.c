/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_tls_config.c - the agent's mbedTLS client as every port sets it up
 * (firmware/tls_config.c): what the configuration requires of the server,
 * the DRBG behind it, and max_fragment_length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tls_config.h"

static tls_config_t t;

static int set_up(void **state)
{
    (void)state;
    return tls_config_init(&t);
}

static int tear_down(void **state)
{
    (void)state;
    tls_config_free(&t);
    return 0;
}

static void a_verifying_client_requires_the_chain_of_its_ca(void **state)
{
    (void)state;
    assert_int_equal(tls_config_client(&t, 1, MBEDTLS_SSL_MAX_FRAG_LEN_NONE), 0);
    assert_int_equal(t.conf.endpoint, MBEDTLS_SSL_IS_CLIENT);
    assert_int_equal(t.conf.authmode, MBEDTLS_SSL_VERIFY_REQUIRED);
    assert_ptr_equal(t.conf.ca_chain, &t.ca);
    assert_ptr_equal(t.conf.p_rng, &t.drbg);
    /* TLS 1.2 at least. */
    assert_int_equal(t.conf.min_major_ver, MBEDTLS_SSL_MAJOR_VERSION_3);
    assert_int_equal(t.conf.min_minor_ver, MBEDTLS_SSL_MINOR_VERSION_3);
#if defined(MBEDTLS_SSL_SESSION_TICKETS)
    assert_int_equal(t.conf.session_tickets, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
#endif
#if defined(MBEDTLS_SSL_MAX_FRAGMENT_LENGTH)
    assert_int_equal(t.conf.mfl_code, MBEDTLS_SSL_MAX_FRAG_LEN_NONE);
#endif
    assert_int_equal(mbedtls_ssl_setup(&t.ssl, &t.conf), 0);
}

static void without_verification_no_chain_is_asked_for(void **state)
{
    (void)state;
    assert_int_equal(tls_config_client(&t, 0, MBEDTLS_SSL_MAX_FRAG_LEN_NONE), 0);
    assert_int_equal(t.conf.authmode, MBEDTLS_SSL_VERIFY_NONE);
    assert_null(t.conf.ca_chain);
}

static void max_fragment_length_is_offered_when_asked(void **state)
{
    (void)state;
#if defined(MBEDTLS_SSL_MAX_FRAGMENT_LENGTH)
    assert_int_equal(tls_config_client(&t, 1, MBEDTLS_SSL_MAX_FRAG_LEN_4096), 0);
    assert_int_equal(t.conf.mfl_code, MBEDTLS_SSL_MAX_FRAG_LEN_4096);
    /* Not a length the extension knows. */
    assert_int_not_equal(tls_config_client(&t, 1, 42), 0);
#else
    skip();
#endif
}

static void the_drbg_gives_different_words(void **state)
{
    uint32_t a = 0;
    uint32_t b = 0;
    int differ = 0;
    int i;
    (void)state;
    for (i = 0; i < 4 && !differ; i++) {
        assert_int_equal(tls_config_random(&t, &a), 0);
        assert_int_equal(tls_config_random(&t, &b), 0);
        differ = a != b;
    }
    assert_true(differ);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_verifying_client_requires_the_chain_of_its_ca, set_up,
                                        tear_down),
        cmocka_unit_test_setup_teardown(without_verification_no_chain_is_asked_for, set_up,
                                        tear_down),
        cmocka_unit_test_setup_teardown(max_fragment_length_is_offered_when_asked, set_up,
                                        tear_down),
        cmocka_unit_test_setup_teardown(the_drbg_gives_different_words, set_up, tear_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

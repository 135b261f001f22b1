/* SPDX-License-Identifier: Apache-2.0 */
/* test_decimal.c - unsigned decimal numbers from text (firmware/decimal.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "decimal.h"

static const struct {
    const char *text;
    int ok;
    uint64_t value;
} cases[] = {
    {"0", 1, 0},
    {"7", 1, 7},
    {"000123", 1, 123},
    {"4294967295", 1, 4294967295u},
    {"4294967296", 1, 4294967296u},
    {"18446744073709551615", 1, UINT64_MAX},
    {"018446744073709551615", 1, UINT64_MAX},
    {"18446744073709551616", 0, 0},
    {"18446744073709551620", 0, 0},
    {"99999999999999999999", 0, 0},
    {"", 0, 0},
    {"-1", 0, 0},
    {"+1", 0, 0},
    {" 1", 0, 0},
    {"1 ", 0, 0},
    {"1x", 0, 0},
    {"0x10", 0, 0},
};

static void digits_only_up_to_the_64_bit_maximum(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t v = 42;
        int rc = decimal_parse_u64(cases[i].text, &v);
        if (cases[i].ok) {
            assert_int_equal(rc, 0);
            assert_true(v == cases[i].value);
        } else {
            assert_int_equal(rc, -1);
            assert_true(v == 42); /* untouched */
        }
    }
}

static void null_is_refused(void **state)
{
    uint64_t v = 42;
    (void)state;
    assert_int_equal(decimal_parse_u64(NULL, &v), -1);
    assert_true(v == 42);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(digits_only_up_to_the_64_bit_maximum),
        cmocka_unit_test(null_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

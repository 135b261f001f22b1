/* SPDX-License-Identifier: Apache-2.0 */
/* test_log_level.c - the log level names both ports write
 * (firmware/log_level.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "log_level.h"

static void every_level_has_its_word(void **state)
{
    (void)state;
    assert_string_equal(log_level_name(M2M_LOG_ERROR), "error");
    assert_string_equal(log_level_name(M2M_LOG_WARN), "warning");
    assert_string_equal(log_level_name(M2M_LOG_INFO), "info");
    assert_string_equal(log_level_name(M2M_LOG_DEBUG), "debug");
}

static void a_value_outside_the_levels_is_log(void **state)
{
    (void)state;
    assert_string_equal(log_level_name((m2m_log_level_t)4), "log");
    assert_string_equal(log_level_name((m2m_log_level_t)-1), "log");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_level_has_its_word),
        cmocka_unit_test(a_value_outside_the_levels_is_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

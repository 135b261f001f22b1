/* SPDX-License-Identifier: Apache-2.0 */
/* test_strbuf.c - bounded text building (firmware/strbuf.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "strbuf.h"

#define CANARY 0xA5
#define CANARY_LEN 16

static void init_starts_empty_and_terminated(void **state)
{
    char buf[8];
    strbuf_t sb;
    (void)state;

    memset(buf, 'x', sizeof buf);
    strbuf_init(&sb, buf, sizeof buf);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(strbuf_result(&sb), 0);
}

static void appends_concatenate_and_stay_terminated(void **state)
{
    char buf[32];
    strbuf_t sb;
    (void)state;

    strbuf_init(&sb, buf, sizeof buf);
    strbuf_append(&sb, "ab", 2);
    strbuf_puts(&sb, "cd");
    strbuf_putc(&sb, 'e');
    strbuf_append(&sb, "f\0g", 3); /* bytes as they are, NUL included */
    assert_int_equal(strbuf_result(&sb), 8);
    assert_memory_equal(buf, "abcdef\0g", 9);
}

static void puts_null_appends_nothing(void **state)
{
    char buf[8];
    strbuf_t sb;
    (void)state;

    strbuf_init(&sb, buf, sizeof buf);
    strbuf_puts(&sb, NULL);
    strbuf_puts(&sb, "");
    assert_int_equal(strbuf_result(&sb), 0);
    assert_string_equal(buf, "");
}

static void integers_are_exact_over_the_whole_range(void **state)
{
    static const struct {
        int64_t v;
        const char *text;
    } cases[] = {
        {0, "0"},
        {7, "7"},
        {-1, "-1"},
        {10, "10"},
        {-10, "-10"},
        {1524189990635LL, "1524189990635"},
        {INT64_MAX, "9223372036854775807"},
        {INT64_MIN, "-9223372036854775808"},
        {INT64_MIN + 1, "-9223372036854775807"},
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        strbuf_t sb;

        strbuf_init(&sb, buf, sizeof buf);
        strbuf_int(&sb, cases[i].v);
        assert_int_equal(strbuf_result(&sb), (long)strlen(cases[i].text));
        assert_string_equal(buf, cases[i].text);
    }
}

static void unsigned_integers_reach_uint64_max(void **state)
{
    char buf[32];
    strbuf_t sb;
    (void)state;

    strbuf_init(&sb, buf, sizeof buf);
    strbuf_uint(&sb, 0);
    strbuf_putc(&sb, ' ');
    strbuf_uint(&sb, UINT64_MAX);
    assert_string_equal(buf, "0 18446744073709551615");
}

/* Above 32 bits the digits come from shifts and adds, not a 64-bit division:
 * every power of ten and its neighbours, every power of two and its
 * neighbours, and a pseudo-random sweep match the C library's printf. */
static void unsigned_digits_match_printf_across_64_bits(void **state)
{
    uint64_t seed = 0x9E3779B97F4A7C15u;
    uint64_t v;
    int i;
    (void)state;

    for (i = 0; i < 200000; i++) {
        char want[32];
        char buf[32];
        strbuf_t sb;
        int k = i % 3;
        if (i < 64 * 3) {
            v = ((uint64_t)1 << (i / 3)) + (uint64_t)k - 1u;
        } else if (i < 64 * 3 + 20 * 3) {
            uint64_t p = 1;
            int e;
            for (e = 0; e < (i - 64 * 3) / 3; e++) {
                p *= 10u;
            }
            v = p + (uint64_t)k - 1u;
        } else {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            v = seed >> (seed & 31u);
        }
        snprintf(want, sizeof want, "%llu", (unsigned long long)v);
        strbuf_init(&sb, buf, sizeof buf);
        strbuf_uint(&sb, v);
        assert_string_equal(buf, want);
    }
}

static void exact_fit_succeeds_one_byte_less_overflows(void **state)
{
    char buf[6];
    strbuf_t sb;
    (void)state;

    strbuf_init(&sb, buf, 6); /* five bytes and the NUL */
    strbuf_append(&sb, "abcde", 5);
    assert_int_equal(strbuf_result(&sb), 5);
    assert_string_equal(buf, "abcde");

    strbuf_init(&sb, buf, 5);
    strbuf_append(&sb, "abcde", 5);
    assert_int_equal(strbuf_result(&sb), -1);
    assert_string_equal(buf, "");
}

static void overflow_is_sticky(void **state)
{
    char buf[8];
    strbuf_t sb;
    (void)state;

    strbuf_init(&sb, buf, sizeof buf);
    strbuf_puts(&sb, "abc");
    strbuf_puts(&sb, "defghijk"); /* does not fit */
    strbuf_putc(&sb, 'z');        /* would fit, but the text is already lost */
    assert_int_equal(strbuf_result(&sb), -1);
    assert_string_equal(buf, "abc");
}

static void zero_capacity_overflows_without_writing(void **state)
{
    unsigned char mem[CANARY_LEN];
    strbuf_t sb;
    size_t i;
    (void)state;

    memset(mem, CANARY, sizeof mem);
    strbuf_init(&sb, (char *)mem, 0);
    strbuf_putc(&sb, 'a');
    assert_int_equal(strbuf_result(&sb), -1);
    for (i = 0; i < sizeof mem; i++) {
        assert_int_equal(mem[i], CANARY);
    }
}

/* Builds the same text into every capacity from 0 to one past what it
 * needs: never a byte past the capacity, -1 until it fits. */
static long build_text(char *buf, size_t cap)
{
    strbuf_t sb;

    strbuf_init(&sb, buf, cap);
    strbuf_puts(&sb, "id=");
    strbuf_int(&sb, INT64_MIN);
    strbuf_putc(&sb, ',');
    strbuf_uint(&sb, UINT64_MAX);
    strbuf_append(&sb, " end", 4);
    return strbuf_result(&sb);
}

static void never_writes_past_capacity(void **state)
{
    unsigned char mem[128];
    char big[128];
    long need = build_text(big, sizeof big);
    size_t cap, i;
    (void)state;

    assert_true(need > 0);
    for (cap = 0; cap <= (size_t)need + 1; cap++) {
        long r;

        memset(mem, CANARY, sizeof mem);
        r = build_text((char *)mem, cap);
        assert_int_equal(r, cap > (size_t)need ? need : -1);
        for (i = cap; i < sizeof mem; i++) {
            assert_int_equal(mem[i], CANARY);
        }
        if (cap > 0) {
            assert_non_null(memchr(mem, '\0', cap));
            assert_memory_equal(mem, big, strlen((char *)mem));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_starts_empty_and_terminated),
        cmocka_unit_test(appends_concatenate_and_stay_terminated),
        cmocka_unit_test(puts_null_appends_nothing),
        cmocka_unit_test(integers_are_exact_over_the_whole_range),
        cmocka_unit_test(unsigned_integers_reach_uint64_max),
        cmocka_unit_test(unsigned_digits_match_printf_across_64_bits),
        cmocka_unit_test(exact_fit_succeeds_one_byte_less_overflows),
        cmocka_unit_test(overflow_is_sticky),
        cmocka_unit_test(zero_capacity_overflows_without_writing),
        cmocka_unit_test(never_writes_past_capacity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* test_backoff.c - the wait before the next poll and the next session start
 * (firmware/backoff.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "backoff.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define SAMPLES 20000u

/* A fixed xorshift32 sequence: the random values a test draws are the same on
 * every run, and they cover the whole 32-bit range. */
static uint32_t next_random(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

/* ---- backoff_delay_ms -------------------------------------------------------- */

static const struct {
    uint32_t attempt, base, cap, ceiling;
} ceilings[] = {
    {0, 1000, 300000, 1000},
    {1, 1000, 300000, 2000},
    {2, 1000, 300000, 4000},
    {8, 1000, 300000, 256000},
    {9, 1000, 300000, 300000}, /* 512000 is over the cap */
    {31, 1000, 300000, 300000},
    {32, 1000, 300000, 300000}, /* a shift by 32 would be undefined */
    {63, 1000, 300000, 300000},
    {64, 1000, 300000, 300000},
    {1000, 1000, 300000, 300000},
    {UINT32_MAX, 1000, 300000, 300000},
    {31, 1, UINT32_MAX, 0x80000000u}, /* the largest power that fits */
    {32, 1, UINT32_MAX, UINT32_MAX},
    {22, 1000, UINT32_MAX, 4194304000u}, /* 1000 * 2^22 still fits 32 bits */
    {23, 1000, UINT32_MAX, UINT32_MAX},  /* 1000 * 2^23 does not */
    {0, 500000, 300000, 300000},         /* base over the cap */
    {5, 0, 300000, 0},
    {5, 1000, 0, 0},
};

static void delay_ceiling_doubles_and_saturates_at_the_cap(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < ARRAY_LEN(ceilings); i++) {
        uint32_t c = ceilings[i].ceiling;
        uint32_t a = ceilings[i].attempt, b = ceilings[i].base, cap = ceilings[i].cap;
        if (c == 0) {
            assert_int_equal(backoff_delay_ms(a, b, cap, 12345u), 0);
            assert_int_equal(backoff_delay_ms(a, b, cap, UINT32_MAX), 0);
            continue;
        }
        /* random = ceiling - 1 is the largest delay, ceiling wraps to 0:
         * together they pin the ceiling exactly. */
        assert_int_equal(backoff_delay_ms(a, b, cap, c - 1u), c - 1u);
        if (c != UINT32_MAX) {
            assert_int_equal(backoff_delay_ms(a, b, cap, c), 0);
        }
        assert_int_equal(backoff_delay_ms(a, b, cap, 0), 0);
    }
}

static void delay_is_always_below_the_ceiling_and_spreads_over_it(void **state)
{
    static const uint32_t attempts[] = {0, 1, 3, 8, 9, 63, 1000};
    size_t i;
    (void)state;
    for (i = 0; i < ARRAY_LEN(attempts); i++) {
        uint32_t ceiling = attempts[i] >= 9 ? 300000u : 1000u << attempts[i];
        uint32_t s = 0x9E3779B9u;
        uint32_t lo = UINT32_MAX, hi = 0;
        uint32_t n;
        for (n = 0; n < SAMPLES; n++) {
            uint32_t d = backoff_delay_ms(attempts[i], 1000, 300000, next_random(&s));
            assert_true(d < ceiling);
            lo = d < lo ? d : lo;
            hi = d > hi ? d : hi;
        }
        /* Full jitter: the draws reach both ends of [0, ceiling). */
        assert_true(lo < ceiling / 100u + 1u);
        assert_true(hi >= ceiling - ceiling / 100u - 1u);
    }
}

/* ---- backoff_wait_after_poll_ms: success and transient ----------------------- */

static uint32_t wait_transient(uint32_t failures, uint32_t random_value)
{
    return backoff_wait_after_poll_ms(BACKOFF_POLL_TRANSIENT, 0, -1, -1, 1700000000000LL, failures,
                                      30000, random_value);
}

static void success_waits_the_poll_interval_whatever_else_is_given(void **state)
{
    static const uint32_t intervals[] = {1000, 30000, 86400000};
    size_t i;
    (void)state;
    for (i = 0; i < ARRAY_LEN(intervals); i++) {
        assert_int_equal(
            backoff_wait_after_poll_ms(BACKOFF_POLL_OK, 0, -1, -1, 1, 0, intervals[i], 777u),
            intervals[i]);
        /* A stale Retry-After or failure count does not slow a success. */
        assert_int_equal(
            backoff_wait_after_poll_ms(BACKOFF_POLL_OK, 1, 60, -1, 1, 5, intervals[i], UINT32_MAX),
            intervals[i]);
    }
}

static void first_transient_retry_waits_exactly_the_floor(void **state)
{
    uint32_t s = 1u;
    uint32_t n;
    (void)state;
    /* Ceiling 1000 ms, floor 1000 ms: every draw becomes one second. */
    for (n = 0; n < 1000; n++) {
        assert_int_equal(wait_transient(1, next_random(&s)), M2M_RETRY_MIN_MS);
    }
    assert_int_equal(wait_transient(1, 0), M2M_RETRY_MIN_MS);
    /* 0 failures (not a failure at all) is paced like the first. */
    assert_int_equal(wait_transient(0, 999), M2M_RETRY_MIN_MS);
}

static void transient_draws_of_zero_are_raised_to_the_floor(void **state)
{
    static const uint32_t failures[] = {2, 3, 5, 10, 63, 1000, UINT32_MAX};
    size_t i;
    (void)state;
    for (i = 0; i < ARRAY_LEN(failures); i++) {
        assert_int_equal(wait_transient(failures[i], 0), M2M_RETRY_MIN_MS);
        assert_int_equal(wait_transient(failures[i], 17), M2M_RETRY_MIN_MS);
    }
}

static void transient_wait_follows_the_jittered_draw_above_the_floor(void **state)
{
    static const struct {
        uint32_t failures, random_value, wait;
    } cases[] = {
        {2, 1500, 1500},        {2, 1999, 1999},    {2, 2000, 1000}, /* wraps, then floor */
        {3, 3999, 3999},        {4, 7000, 7000},    {9, 255999, 255999},
        {10, 299999, 299999},   {10, 300000, 1000}, {64, 299999, 299999}, /* attempt 63 */
        {1001, 123456, 123456},                                           /* attempt 1000 */
    };
    size_t i;
    (void)state;
    for (i = 0; i < ARRAY_LEN(cases); i++) {
        assert_int_equal(wait_transient(cases[i].failures, cases[i].random_value), cases[i].wait);
    }
}

static void transient_wait_stays_within_floor_and_growing_ceiling(void **state)
{
    uint32_t failures;
    (void)state;
    for (failures = 1; failures <= 70; failures++) {
        uint32_t ceiling = failures - 1u >= 9u ? M2M_BACKOFF_CAP_MS : 1000u << (failures - 1u);
        uint32_t s = 0xC0FFEEu + failures;
        uint32_t hi = 0;
        uint32_t n;
        for (n = 0; n < 2000; n++) {
            uint32_t w = wait_transient(failures, next_random(&s));
            assert_true(w >= M2M_RETRY_MIN_MS);
            assert_true(w <= M2M_BACKOFF_CAP_MS);
            assert_true(w < ceiling || w == M2M_RETRY_MIN_MS);
            hi = w > hi ? w : hi;
        }
        /* The ceiling really grows: late draws reach near it. */
        if (ceiling > 2u * M2M_RETRY_MIN_MS) {
            assert_true(hi > ceiling - ceiling / 20u);
        }
    }
}

/* ---- 429 and Retry-After ------------------------------------------------------- */

#define NOW 1700000000000LL

static void retry_after_is_obeyed_in_both_forms_within_bounds(void **state)
{
    static const struct {
        const char *what;
        int64_t seconds, date_ms, now_ms;
        uint32_t wait;
    } cases[] = {
        {"delay 2 s", 2, -1, NOW, 2000},
        {"delay 120 s", 120, -1, NOW, 120000},
        {"delay 0 s: the floor", 0, -1, NOW, M2M_RETRY_MIN_MS},
        {"delay at the cap", 3600, -1, NOW, M2M_RETRY_AFTER_CAP_MS},
        {"delay over the cap", 7200, -1, NOW, M2M_RETRY_AFTER_CAP_MS},
        {"delay clamped by the parser", 2147483647, -1, NOW, M2M_RETRY_AFTER_CAP_MS},
        {"delay INT64_MAX", INT64_MAX, -1, NOW, M2M_RETRY_AFTER_CAP_MS},
        {"date 2.5 s ahead", -1, NOW + 2500, NOW, 2500},
        {"date 10 min ahead", -1, NOW + 600000, NOW, 600000},
        {"date now", -1, NOW, NOW, M2M_RETRY_MIN_MS},
        {"date in the past", -1, NOW - 60000, NOW, M2M_RETRY_MIN_MS},
        {"date 0.3 s ahead: the floor", -1, NOW + 300, NOW, M2M_RETRY_MIN_MS},
        {"date two days ahead", -1, NOW + 172800000LL, NOW, M2M_RETRY_AFTER_CAP_MS},
        {"date year 9999", -1, 253402300799000LL, NOW, M2M_RETRY_AFTER_CAP_MS},
        {"delay wins over a date", 3, NOW + 600000, NOW, 3000},
    };
    size_t i;
    (void)state;
    for (i = 0; i < ARRAY_LEN(cases); i++) {
        /* The same answer whatever the failure count and random draw. */
        uint32_t a = backoff_wait_after_poll_ms(BACKOFF_POLL_TRANSIENT, 1, cases[i].seconds,
                                                cases[i].date_ms, cases[i].now_ms, 1, 30000, 0);
        uint32_t b =
            backoff_wait_after_poll_ms(BACKOFF_POLL_TRANSIENT, 1, cases[i].seconds,
                                       cases[i].date_ms, cases[i].now_ms, 40, 30000, UINT32_MAX);
        if (a != cases[i].wait || b != cases[i].wait) {
            fail_msg("%s: waits %u and %u, expected %u", cases[i].what, (unsigned)a, (unsigned)b,
                     (unsigned)cases[i].wait);
        }
    }
}

static void a_429_without_usable_retry_after_backs_off(void **state)
{
    (void)state;
    /* No Retry-After. */
    assert_int_equal(
        backoff_wait_after_poll_ms(BACKOFF_POLL_TRANSIENT, 1, -1, -1, NOW, 3, 30000, 3999), 3999);
    /* A date but no wall clock to compare it with. */
    assert_int_equal(
        backoff_wait_after_poll_ms(BACKOFF_POLL_TRANSIENT, 1, -1, NOW + 600000, 0, 3, 30000, 2500),
        2500);
    assert_int_equal(
        backoff_wait_after_poll_ms(BACKOFF_POLL_TRANSIENT, 1, -1, NOW + 600000, -5, 2, 30000, 1500),
        1500);
}

static void retry_after_of_other_statuses_is_ignored(void **state)
{
    (void)state;
    /* is_429 0 (a 503 with Retry-After, say): the backoff applies. */
    assert_int_equal(
        backoff_wait_after_poll_ms(BACKOFF_POLL_TRANSIENT, 0, 120, -1, NOW, 2, 30000, 1234), 1234);
    assert_int_equal(
        backoff_wait_after_poll_ms(BACKOFF_POLL_TRANSIENT, 0, -1, NOW + 600000, NOW, 1, 30000, 5),
        M2M_RETRY_MIN_MS);
}

/* ---- refused --------------------------------------------------------------------- */

static void refused_doubles_the_interval_up_to_its_cap(void **state)
{
    static const struct {
        uint32_t interval, failures, wait;
    } cases[] = {
        {1000, 0, 1000},
        {1000, 1, 2000},
        {1000, 2, 4000},
        {1000, 3, 8000},
        {1000, 9, 512000},
        {1000, 10, M2M_REFUSED_CAP_MS},
        {1000, 63, M2M_REFUSED_CAP_MS},
        {1000, 1000, M2M_REFUSED_CAP_MS},
        {1000, UINT32_MAX, M2M_REFUSED_CAP_MS},
        {30000, 1, 60000},
        {30000, 4, 480000},
        {30000, 5, M2M_REFUSED_CAP_MS},
        {450001, 1, M2M_REFUSED_CAP_MS},
        /* An interval at or over the cap: never less than the interval. */
        {M2M_REFUSED_CAP_MS, 3, M2M_REFUSED_CAP_MS},
        {3600000, 1, 3600000},
        {86400000, UINT32_MAX, 86400000},
        /* Below the floor (not a valid interval): the floor doubles. */
        {0, 1, 2000},
        {500, 2, 4000},
    };
    size_t i;
    (void)state;
    for (i = 0; i < ARRAY_LEN(cases); i++) {
        uint32_t a = backoff_wait_after_poll_ms(BACKOFF_POLL_REFUSED, 0, -1, -1, NOW,
                                                cases[i].failures, cases[i].interval, 0);
        /* No jitter, and a refusal's Retry-After changes nothing. */
        uint32_t b = backoff_wait_after_poll_ms(BACKOFF_POLL_REFUSED, 1, 5, NOW + 5000, NOW,
                                                cases[i].failures, cases[i].interval, UINT32_MAX);
        if (a != cases[i].wait || b != cases[i].wait) {
            fail_msg("interval %u, %u failures: waits %u and %u, expected %u",
                     (unsigned)cases[i].interval, (unsigned)cases[i].failures, (unsigned)a,
                     (unsigned)b, (unsigned)cases[i].wait);
        }
    }
}

static void refused_gaps_grow_until_the_cap(void **state)
{
    uint32_t failures;
    uint32_t previous = 0;
    (void)state;
    for (failures = 1; failures < 40; failures++) {
        uint32_t w =
            backoff_wait_after_poll_ms(BACKOFF_POLL_REFUSED, 0, -1, -1, NOW, failures, 5000, 0);
        assert_true(w >= 5000u && w <= M2M_REFUSED_CAP_MS);
        assert_true(w > previous || w == M2M_REFUSED_CAP_MS);
        previous = w;
    }
    assert_int_equal(previous, M2M_REFUSED_CAP_MS);
}

static void an_unknown_outcome_is_paced_as_refused(void **state)
{
    (void)state;
    assert_int_equal(backoff_wait_after_poll_ms((backoff_outcome_t)7, 0, -1, -1, NOW, 2, 1000, 0),
                     4000);
}

/* ---- backoff_after_poll: what a poll left in the agent ----------------------- */

/* An agent as a poll leaves it: only the fields the pacing reads are set. */
static m2m_agent_t polled_agent;

static m2m_agent_t *after_poll(int http_status, int64_t retry_seconds, int64_t retry_date_s,
                               uint32_t failures)
{
    memset(&polled_agent, 0, sizeof polled_agent);
    polled_agent.health.http_status = http_status;
    polled_agent.retry_after_seconds = retry_seconds;
    polled_agent.retry_after_date = retry_date_s;
    polled_agent.health.consecutive_failures = failures;
    return &polled_agent;
}

static void a_successful_poll_keeps_the_interval_and_gives_no_reason(void **state)
{
    backoff_retry_t r;
    (void)state;
    r = backoff_after_poll(after_poll(200, -1, -1, 0), M2M_POLL_OK, NOW, 30000, 12345u);
    assert_int_equal(r.wait_ms, 30000);
    assert_null(r.reason);
}

static void each_failure_is_paced_as_backoff_wait_after_poll_says(void **state)
{
    static const struct {
        m2m_poll_result_t result;
        int http_status;
        int64_t seconds, date_s;
        uint32_t failures;
        backoff_outcome_t outcome;
        int is_429;
        const char *reason;
    } cases[] = {
        {M2M_POLL_TRANSIENT, 500, -1, -1, 3, BACKOFF_POLL_TRANSIENT, 0, "transient"},
        {M2M_POLL_TRANSIENT, 0, -1, -1, 1, BACKOFF_POLL_TRANSIENT, 0, "transient"},
        {M2M_POLL_TRANSIENT, 429, -1, -1, 2, BACKOFF_POLL_TRANSIENT, 1, "HTTP 429"},
        {M2M_POLL_TRANSIENT, 429, 7, -1, 2, BACKOFF_POLL_TRANSIENT, 1, "HTTP 429, Retry-After"},
        {M2M_POLL_REFUSED, 403, -1, -1, 4, BACKOFF_POLL_REFUSED, 0, "refused"},
        /* A configuration the API cannot take is paced as a refusal. */
        {M2M_POLL_CONFIG, 0, -1, -1, 2, BACKOFF_POLL_REFUSED, 0, "configuration"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < ARRAY_LEN(cases); i++) {
        backoff_retry_t r = backoff_after_poll(
            after_poll(cases[i].http_status, cases[i].seconds, cases[i].date_s, cases[i].failures),
            cases[i].result, NOW, 30000, 0xdeadbeefu);
        assert_int_equal(r.wait_ms, backoff_wait_after_poll_ms(
                                        cases[i].outcome, cases[i].is_429, cases[i].seconds, -1,
                                        NOW, cases[i].failures, 30000, 0xdeadbeefu));
        assert_string_equal(r.reason, cases[i].reason);
    }
}

static void a_retry_after_date_in_seconds_counts_from_now(void **state)
{
    backoff_retry_t r;
    (void)state;
    /* The agent keeps the date in epoch seconds; NOW is in ms. */
    r = backoff_after_poll(after_poll(429, -1, NOW / 1000 + 42, 1), M2M_POLL_TRANSIENT, NOW, 30000,
                           0);
    assert_int_equal(r.wait_ms, 42000);
    assert_string_equal(r.reason, "HTTP 429, Retry-After");
    /* Without a wall clock the date cannot be used: the backoff applies. */
    r = backoff_after_poll(after_poll(429, -1, NOW / 1000 + 42, 1), M2M_POLL_TRANSIENT, 0, 30000,
                           0);
    assert_int_equal(r.wait_ms, M2M_RETRY_MIN_MS);
    /* A date too large to scale to ms is no date. */
    r = backoff_after_poll(after_poll(429, -1, INT64_MAX / 100, 1), M2M_POLL_TRANSIENT, NOW, 30000,
                           0);
    assert_string_equal(r.reason, "HTTP 429");
    assert_int_equal(r.wait_ms, M2M_RETRY_MIN_MS);
}

/* ---- backoff_session_retry_ms and backoff_clock_jitter ------------------------ */

static void session_retries_back_off_within_floor_and_interval(void **state)
{
    uint32_t s = 99;
    uint32_t failures;
    (void)state;
    for (failures = 0; failures < 40; failures++) {
        uint32_t i;
        for (i = 0; i < 200; i++) {
            uint32_t rnd = next_random(&s);
            uint32_t w = backoff_session_retry_ms(failures, 30000, rnd);
            uint32_t d = backoff_delay_ms(failures, M2M_BACKOFF_BASE_MS, 30000, rnd);
            assert_int_equal(w, d < M2M_RETRY_MIN_MS ? M2M_RETRY_MIN_MS : d);
            assert_true(w >= M2M_RETRY_MIN_MS && w <= 30000);
        }
    }
    /* An interval below the floor still waits the floor. */
    assert_int_equal(backoff_session_retry_ms(5, 500, UINT32_MAX), M2M_RETRY_MIN_MS);
}

static void clock_jitter_sets_neighbouring_milliseconds_apart(void **state)
{
    uint64_t ms;
    (void)state;
    for (ms = 1000; ms < 1100; ms++) {
        uint32_t a = backoff_clock_jitter(ms);
        uint32_t b = backoff_clock_jitter(ms + 1);
        uint32_t gap = a > b ? a - b : b - a;
        assert_true(gap > 1000000u);
        /* Full jitter over five minutes lands apart too. */
        assert_int_not_equal(a % 300000u, b % 300000u);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(delay_ceiling_doubles_and_saturates_at_the_cap),
        cmocka_unit_test(delay_is_always_below_the_ceiling_and_spreads_over_it),
        cmocka_unit_test(success_waits_the_poll_interval_whatever_else_is_given),
        cmocka_unit_test(first_transient_retry_waits_exactly_the_floor),
        cmocka_unit_test(transient_draws_of_zero_are_raised_to_the_floor),
        cmocka_unit_test(transient_wait_follows_the_jittered_draw_above_the_floor),
        cmocka_unit_test(transient_wait_stays_within_floor_and_growing_ceiling),
        cmocka_unit_test(retry_after_is_obeyed_in_both_forms_within_bounds),
        cmocka_unit_test(a_429_without_usable_retry_after_backs_off),
        cmocka_unit_test(retry_after_of_other_statuses_is_ignored),
        cmocka_unit_test(refused_doubles_the_interval_up_to_its_cap),
        cmocka_unit_test(refused_gaps_grow_until_the_cap),
        cmocka_unit_test(an_unknown_outcome_is_paced_as_refused),
        cmocka_unit_test(a_successful_poll_keeps_the_interval_and_gives_no_reason),
        cmocka_unit_test(each_failure_is_paced_as_backoff_wait_after_poll_says),
        cmocka_unit_test(a_retry_after_date_in_seconds_counts_from_now),
        cmocka_unit_test(session_retries_back_off_within_floor_and_interval),
        cmocka_unit_test(clock_jitter_sets_neighbouring_milliseconds_apart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

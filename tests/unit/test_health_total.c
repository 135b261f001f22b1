/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_health_total.c - B/health of several projects (firmware/
 * health_total.c): how each key combines the projects' health, and the
 * payload with "projects" and "failing".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "health_total.h"

static health_t ok_health(uint32_t jobs, int64_t last_success_at, int64_t next_poll_at)
{
    health_t h;
    memset(&h, 0, sizeof h);
    h.poll_ok = 1;
    h.http_status = 200;
    h.latency_ms = 40;
    h.pages = 2;
    h.jobs = jobs;
    h.tracked = jobs;
    h.capacity = 100;
    h.last_success_at = last_success_at;
    h.next_poll_at = next_poll_at;
    h.mqtt_reconnects = 1;
    h.version = "1.2.3";
    return h;
}

static health_t failed_health(int http_status, const char *code, uint32_t failures)
{
    health_t h = ok_health(0, 0, 0);
    h.poll_ok = 0;
    h.http_status = http_status;
    h.error_class = "transient";
    h.error_code = code;
    h.error_message = "Internal error.";
    h.consecutive_failures = failures;
    return h;
}

static void every_key_combines_as_documented(void **state)
{
    health_t a = ok_health(7, 5000, 9000);
    health_t b = failed_health(500, "ModelArts.0010", 2);
    health_t c = failed_health(429, "APIG.0308", 5);
    const health_t *parts[] = {&a, &b, &c};
    health_t t;
    (void)state;
    b.last_success_at = 3000;
    b.next_poll_at = 7000;
    c.last_success_at = 4000;
    c.untracked = 3;
    c.token_expires_at = 123;
    c.token_renewals = 2;
    a.token_renewals = 1;
    health_total(&t, parts, 3);
    assert_int_equal(t.poll_ok, 0);
    /* The first failing project's error, in configuration order. */
    assert_int_equal(t.http_status, 500);
    assert_string_equal(t.error_class, "transient");
    assert_string_equal(t.error_code, "ModelArts.0010");
    assert_int_equal(t.latency_ms, 120); /* sum: one round of polls */
    assert_int_equal(t.pages, 6);
    assert_int_equal(t.jobs, 7);
    assert_int_equal(t.tracked, 7);
    assert_int_equal(t.capacity, 300);
    assert_int_equal(t.untracked, 3);
    assert_int_equal(t.consecutive_failures, 5); /* the largest */
    assert_int_equal(t.last_success_at, 3000);   /* the oldest */
    assert_int_equal(t.next_poll_at, 7000);      /* the soonest that is set */
    assert_int_equal(t.token_expires_at, 123);
    assert_int_equal(t.token_renewals, 3);
    assert_int_equal(t.mqtt_reconnects, 1);
    assert_string_equal(t.version, "1.2.3");
}

static void all_ok_shows_the_first_projects_status_and_no_error(void **state)
{
    health_t a = ok_health(1, 5000, 9000);
    health_t b = ok_health(2, 6000, 8000);
    const health_t *parts[] = {&a, &b};
    health_t t;
    (void)state;
    health_total(&t, parts, 2);
    assert_int_equal(t.poll_ok, 1);
    assert_int_equal(t.http_status, 200);
    assert_null(t.error_class);
    assert_int_equal(t.last_success_at, 5000);
    assert_int_equal(t.next_poll_at, 8000);
}

static void a_project_that_never_succeeded_makes_last_success_null(void **state)
{
    health_t a = ok_health(1, 5000, 0);
    health_t b = failed_health(503, "x", 1); /* last_success_at 0 */
    const health_t *parts[] = {&a, &b};
    health_t t;
    (void)state;
    health_total(&t, parts, 2);
    assert_int_equal(t.last_success_at, 0);
    assert_int_equal(t.next_poll_at, 0); /* none set */
}

static void the_payload_adds_projects_and_failing_ids(void **state)
{
    static char buf[M2M_PAYLOAD_MAX];
    static char single[M2M_PAYLOAD_MAX];
    health_t a = ok_health(1, 5000, 9000);
    health_t b = failed_health(500, "x", 1);
    health_t c = failed_health(500, "y", 1);
    const health_t *parts[] = {&a, &b, &c};
    const char *ids[] = {"p-a", "p_b", "pc"};
    health_t t;
    long len;
    long single_len;
    (void)state;
    health_total(&t, parts, 3);
    len = health_total_payload(buf, sizeof buf, &t, parts, ids, 3);
    single_len = payload_health(single, sizeof single, &t);
    assert_true(len > single_len);
    assert_int_equal((long)strlen(buf), len);
    /* payload_health()'s object, then the two keys. */
    assert_memory_equal(buf, single, (size_t)single_len - 1);
    assert_string_equal(buf + single_len - 1, ",\"projects\":3,\"failing\":[\"p_b\",\"pc\"]}");

    parts[1] = &a;
    parts[2] = &a;
    health_total(&t, parts, 3);
    len = health_total_payload(buf, sizeof buf, &t, parts, ids, 3);
    assert_non_null(strstr(buf, ",\"projects\":3,\"failing\":[]}"));
}

static void a_payload_that_does_not_fit_is_refused(void **state)
{
    static char buf[M2M_PAYLOAD_MAX];
    health_t a = ok_health(1, 5000, 9000);
    health_t b = failed_health(500, "x", 1);
    const health_t *parts[] = {&a, &b};
    const char *ids[] = {"p1", "p2"};
    health_t t;
    long full;
    size_t cap;
    (void)state;
    health_total(&t, parts, 2);
    full = health_total_payload(buf, sizeof buf, &t, parts, ids, 2);
    assert_true(full > 0);
    /* Every size below the payload and its NUL fails; the exact size fits. */
    for (cap = 0; cap <= (size_t)full; cap++) {
        assert_int_equal(health_total_payload(buf, cap, &t, parts, ids, 2), -1);
    }
    assert_int_equal(health_total_payload(buf, (size_t)full + 1, &t, parts, ids, 2), full);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_key_combines_as_documented),
        cmocka_unit_test(all_ok_shows_the_first_projects_status_and_no_error),
        cmocka_unit_test(a_project_that_never_succeeded_makes_last_success_null),
        cmocka_unit_test(the_payload_adds_projects_and_failing_ids),
        cmocka_unit_test(a_payload_that_does_not_fit_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

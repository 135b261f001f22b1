/* SPDX-License-Identifier: Apache-2.0 */
/* test_payloads.c - the MQTT payloads (firmware/payloads.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "payloads.h"

#define CANARY 0xA5
#define ALL_FIELDS 0xFFu

/* The sample job of the API reference's list response. */
static job_record_t sample_job(void)
{
    job_record_t j;

    memset(&j, 0, sizeof j);
    j.job_id = 10;
    j.job_name = "testModelArtsJob";
    j.job_name_len = strlen(j.job_name);
    j.version_id = 10;
    j.status = 10;
    j.create_time = 1524189990635LL;
    j.duration = 532003;
    j.job_desc = "This is ModelArts job";
    j.job_desc_len = strlen(j.job_desc);
    j.version_count = 5;
    j.present = ALL_FIELDS;
    return j;
}

static void assert_payload(long len, const char *buf, const char *expected)
{
    assert_string_equal(buf, expected);
    assert_int_equal(len, (long)strlen(expected));
}

static void job_sample_is_written_byte_for_byte(void **state)
{
    char buf[M2M_PAYLOAD_MAX];
    job_record_t j = sample_job();
    long len = payload_job(buf, sizeof buf, &j);
    (void)state;

    assert_payload(len, buf,
                   "{\"job_id\":10,\"job_name\":\"testModelArtsJob\",\"version_id\":10,"
                   "\"status\":10,\"create_time\":1524189990635,\"duration\":532003,"
                   "\"job_desc\":\"This is ModelArts job\",\"version_count\":5,"
                   "\"status_name\":\"COMPLETED\",\"phase\":\"succeeded\",\"terminal\":true}");
}

static void job_absent_fields_are_null(void **state)
{
    char buf[M2M_PAYLOAD_MAX];
    job_record_t j = sample_job();
    long len;
    (void)state;

    j.present = JOB_HAS_JOB_ID | JOB_HAS_STATUS;
    j.status = 8;
    len = payload_job(buf, sizeof buf, &j);
    assert_payload(len, buf,
                   "{\"job_id\":10,\"job_name\":null,\"version_id\":null,\"status\":8,"
                   "\"create_time\":null,\"duration\":null,\"job_desc\":null,"
                   "\"version_count\":null,\"status_name\":\"RUNNING\",\"phase\":\"running\","
                   "\"terminal\":false}");
}

static void job_without_status_reads_unknown(void **state)
{
    char buf[M2M_PAYLOAD_MAX];
    job_record_t j = sample_job();
    long len;
    (void)state;

    j.present = JOB_HAS_JOB_ID;
    j.status = 11; /* not present: must not be used */
    len = payload_job(buf, sizeof buf, &j);
    assert_payload(len, buf,
                   "{\"job_id\":10,\"job_name\":null,\"version_id\":null,\"status\":null,"
                   "\"create_time\":null,\"duration\":null,\"job_desc\":null,"
                   "\"version_count\":null,\"status_name\":\"UNKNOWN\",\"phase\":\"unknown\","
                   "\"terminal\":false}");
}

static void job_extreme_integers_and_escaped_strings(void **state)
{
    char buf[M2M_PAYLOAD_MAX];
    job_record_t j = sample_job();
    long len;
    (void)state;

    j.job_id = INT64_MAX;
    j.version_id = INT64_MIN;
    j.create_time = 0;
    j.duration = -1;
    j.status = 23;
    j.job_name = "a\"b\\c\n\xE4\xB8\xAD\x80";
    j.job_name_len = strlen(j.job_name);
    j.job_desc = "";
    j.job_desc_len = 0;
    len = payload_job(buf, sizeof buf, &j);
    assert_payload(len, buf,
                   "{\"job_id\":9223372036854775807,\"job_name\":\"a\\\"b\\\\c\\n\xE4\xB8\xAD"
                   "\xEF\xBF\xBD\",\"version_id\":-9223372036854775808,\"status\":23,"
                   "\"create_time\":0,\"duration\":-1,\"job_desc\":\"\",\"version_count\":5,"
                   "\"status_name\":\"CODE_23\",\"phase\":\"unknown\",\"terminal\":false}");
}

static void job_name_length_is_respected(void **state)
{
    char buf[M2M_PAYLOAD_MAX];
    char text[] = "nameXXXX"; /* as in a parsed record: not NUL-terminated at 4 */
    job_record_t j = sample_job();
    (void)state;

    j.job_name = text;
    j.job_name_len = 4;
    assert_true(payload_job(buf, sizeof buf, &j) > 0);
    assert_non_null(strstr(buf, "\"job_name\":\"name\","));
}

static void event_added_is_written_byte_for_byte(void **state)
{
    char buf[M2M_PAYLOAD_MAX];
    event_t ev = {EVENT_ADDED, 42, "train", 5, 99, 8, 1700000000123LL, NULL, 0};
    long len = payload_event(buf, sizeof buf, &ev);
    (void)state;

    assert_payload(len, buf,
                   "{\"type\":\"added\",\"job_id\":42,\"job_name\":\"train\",\"from\":null,"
                   "\"from_name\":null,\"to\":8,\"to_name\":\"RUNNING\",\"phase\":\"running\","
                   "\"at\":1700000000123}");
}

static void event_transition_is_written_byte_for_byte(void **state)
{
    char buf[M2M_PAYLOAD_MAX];
    event_t ev = {EVENT_TRANSITION, 42, "tr\"ain", 6, 8, 10, 1700000000123LL, NULL, 0};
    long len = payload_event(buf, sizeof buf, &ev);
    (void)state;

    assert_payload(len, buf,
                   "{\"type\":\"transition\",\"job_id\":42,\"job_name\":\"tr\\\"ain\","
                   "\"from\":8,\"from_name\":\"RUNNING\",\"to\":10,\"to_name\":\"COMPLETED\","
                   "\"phase\":\"succeeded\",\"at\":1700000000123}");
}

static void event_removed_takes_the_phase_of_from(void **state)
{
    char buf[M2M_PAYLOAD_MAX];
    event_t ev = {EVENT_REMOVED, INT64_MAX, NULL, 0, 12, 8, 5, NULL, 0};
    long len = payload_event(buf, sizeof buf, &ev);
    (void)state;

    assert_payload(len, buf,
                   "{\"type\":\"removed\",\"job_id\":9223372036854775807,\"job_name\":null,"
                   "\"from\":12,\"from_name\":\"KILLED\",\"to\":null,\"to_name\":null,"
                   "\"phase\":\"canceled\",\"at\":5}");
}

static void event_with_unknown_codes(void **state)
{
    char buf[M2M_PAYLOAD_MAX];
    event_t ev = {EVENT_TRANSITION, 1, "", 0, -1, 65535, 0, NULL, 0};
    long len = payload_event(buf, sizeof buf, &ev);
    (void)state;

    assert_payload(len, buf,
                   "{\"type\":\"transition\",\"job_id\":1,\"job_name\":\"\",\"from\":-1,"
                   "\"from_name\":\"CODE_-1\",\"to\":65535,\"to_name\":\"CODE_65535\","
                   "\"phase\":\"unknown\",\"at\":0}");
}

static void event_of_unknown_type_is_refused(void **state)
{
    char buf[M2M_PAYLOAD_MAX];
    event_t ev = {(event_type_t)3, 1, NULL, 0, 1, 1, 0, NULL, 0};
    (void)state;

    assert_int_equal(payload_event(buf, sizeof buf, &ev), -1);
}

static void summary_empty_has_all_eight_phases(void **state)
{
    char buf[M2M_PAYLOAD_MAX];
    summary_t s;
    long len;
    (void)state;

    memset(&s, 0x5A, sizeof s); /* summary_clear must reset everything */
    summary_clear(&s, 0);
    s.updated_at = 1700000000000LL;
    len = payload_summary(buf, sizeof buf, &s);
    assert_payload(len, buf,
                   "{\"pending\":0,\"running\":0,\"stopping\":0,\"review\":0,\"succeeded\":0,"
                   "\"failed\":0,\"canceled\":0,\"unknown\":0,\"total\":0,\"by_status\":{},"
                   "\"job_total_count\":null,\"job_count_limit\":null,\"quotas\":null,"
                   "\"updated_at\":1700000000000}");
}

static void summary_counts_by_phase_and_status_in_code_order(void **state)
{
    static const int64_t statuses[] = {8, 8, 10, 1, 8, 20, 13, 9, 18, 11, 0, 31, 10};
    char buf[M2M_PAYLOAD_MAX];
    summary_t s;
    size_t i;
    long len;
    (void)state;

    summary_clear(&s, 0);
    for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        summary_count(&s, statuses[i]);
    }
    s.has_job_total_count = 1;
    s.job_total_count = 13;
    s.has_job_count_limit = 1;
    s.job_count_limit = 500;
    s.has_quotas = 1;
    s.quotas = 0;
    s.updated_at = 7;
    len = payload_summary(buf, sizeof buf, &s);
    assert_payload(len, buf,
                   "{\"pending\":1,\"running\":3,\"stopping\":1,\"review\":1,\"succeeded\":3,"
                   "\"failed\":1,\"canceled\":1,\"unknown\":2,\"total\":13,\"by_status\":{"
                   "\"UNKNOWN\":1,\"INIT\":1,\"RUNNING\":3,\"KILLING\":1,\"COMPLETED\":2,"
                   "\"FAILED\":1,\"CANCELED\":1,\"CHECK_INIT\":1,"
                   "\"CHECK_RUNNING_COMPLETED\":1,\"CODE_31\":1},"
                   "\"job_total_count\":13,\"job_count_limit\":500,\"quotas\":0,"
                   "\"updated_at\":7}");
}

static void summary_extra_codes_use_slots_then_other(void **state)
{
    /* 40, 32, -5 and 1000 take the four slots; 77 and 78 find none. */
    static const int64_t statuses[] = {40, 32, 40, -5, 1000, 77, 32, 78, 8, INT64_MIN};
    char buf[M2M_PAYLOAD_MAX];
    summary_t s;
    size_t i;
    long len;
    (void)state;

    assert_int_equal(M2M_STATUS_COUNTED, 32);
    assert_int_equal(M2M_STATUS_EXTRA_SLOTS, 4);
    summary_clear(&s, 0);
    for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        summary_count(&s, statuses[i]);
    }
    len = payload_summary(buf, sizeof buf, &s);
    assert_payload(len, buf,
                   "{\"pending\":0,\"running\":1,\"stopping\":0,\"review\":0,\"succeeded\":0,"
                   "\"failed\":0,\"canceled\":0,\"unknown\":9,\"total\":10,\"by_status\":{"
                   "\"CODE_-5\":1,\"RUNNING\":1,\"CODE_32\":2,\"CODE_40\":2,\"CODE_1000\":1,"
                   "\"OTHER\":3},\"job_total_count\":null,\"job_count_limit\":null,"
                   "\"quotas\":null,\"updated_at\":0}");
}

static void summary_extra_slot_at_int64_max(void **state)
{
    char buf[M2M_PAYLOAD_MAX];
    summary_t s;
    (void)state;

    summary_clear(&s, 0);
    summary_count(&s, INT64_MAX);
    summary_count(&s, INT64_MIN);
    assert_true(payload_summary(buf, sizeof buf, &s) > 0);
    assert_non_null(strstr(buf, "\"by_status\":{\"CODE_-9223372036854775808\":1,"
                                "\"CODE_9223372036854775807\":1},"));
}

static health_t sample_health(void)
{
    health_t h;

    memset(&h, 0, sizeof h);
    h.poll_ok = 1;
    h.http_status = 200;
    h.latency_ms = 350;
    h.pages = 2;
    h.jobs = 57;
    h.last_success_at = 1700000000000LL;
    h.next_poll_at = 1700000060000LL;
    h.mqtt_reconnects = 1;
    h.tracked = 57;
    h.capacity = 10000;
    h.version = "0.1.0";
    h.token_expires_at = 1700086400000LL;
    h.token_renewals = 2;
    return h;
}

static void health_ok_is_written_byte_for_byte(void **state)
{
    char buf[M2M_PAYLOAD_MAX];
    health_t h = sample_health();
    long len = payload_health(buf, sizeof buf, &h);
    (void)state;

    assert_payload(len, buf,
                   "{\"poll_ok\":true,\"http_status\":200,\"error_class\":null,"
                   "\"error_code\":null,\"error_message\":null,\"latency_ms\":350,\"pages\":2,"
                   "\"jobs\":57,\"consecutive_failures\":0,\"last_success_at\":1700000000000,"
                   "\"next_poll_at\":1700000060000,\"mqtt_reconnects\":1,\"tracked\":57,"
                   "\"capacity\":10000,\"untracked\":0,\"version\":\"0.1.0\","
                   "\"token_expires_at\":1700086400000,\"token_renewals\":2}");
}

static void health_failure_with_nulls(void **state)
{
    char buf[M2M_PAYLOAD_MAX];
    health_t h = sample_health();
    long len;
    (void)state;

    h.poll_ok = 0;
    h.http_status = 0; /* no response at all */
    h.error_class = "transient";
    h.error_code = ""; /* "" is null too */
    h.error_message = "connect: \"refused\"";
    h.pages = 0;
    h.jobs = 0;
    h.consecutive_failures = 3;
    h.last_success_at = 0;
    h.next_poll_at = 0;
    h.untracked = 4294967295u;
    h.token_expires_at = 0; /* no IAM token: null */
    h.token_renewals = 0;
    len = payload_health(buf, sizeof buf, &h);
    assert_payload(len, buf,
                   "{\"poll_ok\":false,\"http_status\":null,\"error_class\":\"transient\","
                   "\"error_code\":null,\"error_message\":\"connect: \\\"refused\\\"\","
                   "\"latency_ms\":350,\"pages\":0,\"jobs\":0,\"consecutive_failures\":3,"
                   "\"last_success_at\":null,\"next_poll_at\":null,\"mqtt_reconnects\":1,"
                   "\"tracked\":57,\"capacity\":10000,\"untracked\":4294967295,"
                   "\"version\":\"0.1.0\",\"token_expires_at\":null,\"token_renewals\":0}");
}

/* Every payload at every capacity from 0 to one past its length: -1 until
 * it fits, never a byte past the capacity. */
typedef long (*payload_fn)(char *buf, size_t cap, const void *arg);

static long job_fn(char *buf, size_t cap, const void *arg)
{
    return payload_job(buf, cap, (const job_record_t *)arg);
}

static long event_fn(char *buf, size_t cap, const void *arg)
{
    return payload_event(buf, cap, (const event_t *)arg);
}

static long summary_fn(char *buf, size_t cap, const void *arg)
{
    return payload_summary(buf, cap, (const summary_t *)arg);
}

static long health_fn(char *buf, size_t cap, const void *arg)
{
    return payload_health(buf, cap, (const health_t *)arg);
}

static void check_every_capacity(payload_fn fn, const void *arg)
{
    static unsigned char mem[M2M_PAYLOAD_MAX + 16];
    static char full[M2M_PAYLOAD_MAX];
    long need = fn(full, sizeof full, arg);
    size_t cap, i;

    assert_true(need > 0);
    for (cap = 0; cap <= (size_t)need + 1; cap++) {
        memset(mem, CANARY, sizeof mem);
        assert_int_equal(fn((char *)mem, cap, arg), cap > (size_t)need ? need : -1);
        for (i = cap; i < sizeof mem; i++) {
            if (mem[i] != CANARY) {
                fail_msg("cap %zu: byte %zu written", cap, i);
            }
        }
    }
    assert_string_equal((char *)mem, full);
}

static void payloads_overflow_at_every_size_never_write_past(void **state)
{
    job_record_t j = sample_job();
    event_t ev = {EVENT_TRANSITION, 42, "n\xC3\xA9\x01", 4, 8, 10, 1700000000123LL, NULL, 0};
    summary_t s;
    health_t h = sample_health();
    (void)state;

    summary_clear(&s, 0);
    summary_count(&s, 8);
    summary_count(&s, 99);
    summary_count(&s, 10);
    h.error_message = "bad\tthing";
    check_every_capacity(job_fn, &j);
    check_every_capacity(event_fn, &ev);
    check_every_capacity(summary_fn, &s);
    check_every_capacity(health_fn, &h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(job_sample_is_written_byte_for_byte),
        cmocka_unit_test(job_absent_fields_are_null),
        cmocka_unit_test(job_without_status_reads_unknown),
        cmocka_unit_test(job_extreme_integers_and_escaped_strings),
        cmocka_unit_test(job_name_length_is_respected),
        cmocka_unit_test(event_added_is_written_byte_for_byte),
        cmocka_unit_test(event_transition_is_written_byte_for_byte),
        cmocka_unit_test(event_removed_takes_the_phase_of_from),
        cmocka_unit_test(event_with_unknown_codes),
        cmocka_unit_test(event_of_unknown_type_is_refused),
        cmocka_unit_test(summary_empty_has_all_eight_phases),
        cmocka_unit_test(summary_counts_by_phase_and_status_in_code_order),
        cmocka_unit_test(summary_extra_codes_use_slots_then_other),
        cmocka_unit_test(summary_extra_slot_at_int64_max),
        cmocka_unit_test(health_ok_is_written_byte_for_byte),
        cmocka_unit_test(health_failure_with_nulls),
        cmocka_unit_test(payloads_overflow_at_every_size_never_write_past),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

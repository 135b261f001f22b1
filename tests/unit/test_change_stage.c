/* test_change_stage.c - changes held until the poll is complete. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "change_stage.h"

static change_head_t head_for(int64_t job_id, size_t len, uint8_t kind)
{
    change_head_t h;
    memset(&h, 0, sizeof h);
    h.before.job_id = job_id;
    h.before.status = 8;
    h.payload_len = (uint16_t)len;
    h.kind = kind;
    h.event = kind == JOB_TABLE_CHANGED;
    return h;
}

static void records_come_back_in_push_order_nul_terminated(void **state)
{
    static uint8_t buf[4096];
    change_stage_t s;
    change_head_t h, out;
    size_t pos = 0;
    char *payload;
    (void)state;

    change_stage_init(&s, buf, sizeof buf);
    h = head_for(11, 5, JOB_TABLE_NEW);
    assert_int_equal(change_stage_push(&s, &h, "first"), 0);
    h = head_for(-3, 6, JOB_TABLE_CHANGED);
    assert_int_equal(change_stage_push(&s, &h, "second"), 0);
    h = head_for(INT64_MAX, 0, JOB_TABLE_FULL);
    assert_int_equal(change_stage_push(&s, &h, ""), 0);
    assert_int_equal(s.count, 3);

    assert_int_equal(change_stage_next(&s, &pos, &out, &payload), 1);
    assert_int_equal(out.before.job_id, 11);
    assert_int_equal(out.kind, JOB_TABLE_NEW);
    assert_string_equal(payload, "first");
    assert_int_equal(change_stage_next(&s, &pos, &out, &payload), 1);
    assert_int_equal(out.before.job_id, -3);
    assert_int_equal(out.before.status, 8);
    assert_int_equal(out.event, 1);
    assert_string_equal(payload, "second");
    assert_int_equal(change_stage_next(&s, &pos, &out, &payload), 1);
    assert_true(out.before.job_id == INT64_MAX);
    assert_string_equal(payload, "");
    assert_int_equal(change_stage_next(&s, &pos, &out, &payload), 0);
}

static void a_record_that_does_not_fit_is_refused_and_nothing_changes(void **state)
{
    static uint8_t buf[CHANGE_STAGE_RECORD_SIZE(100) + CHANGE_STAGE_RECORD_SIZE(50)];
    static char payload[M2M_PAYLOAD_MAX + 1];
    change_stage_t s;
    change_head_t h;
    size_t used;
    (void)state;

    memset(payload, 'x', sizeof payload);
    change_stage_init(&s, buf, sizeof buf);
    h = head_for(1, 100, JOB_TABLE_NEW);
    assert_int_equal(change_stage_push(&s, &h, payload), 0);
    assert_true(change_stage_fits(&s, 50));
    assert_false(change_stage_fits(&s, 51));
    h = head_for(2, 51, JOB_TABLE_NEW);
    used = s.used;
    assert_int_equal(change_stage_push(&s, &h, payload), -1);
    assert_int_equal(s.used, used);
    assert_int_equal(s.count, 1);
    h = head_for(2, 50, JOB_TABLE_NEW);
    assert_int_equal(change_stage_push(&s, &h, payload), 0);
    assert_int_equal(s.used, sizeof buf);
    assert_false(change_stage_fits(&s, 0));
}

static void a_payload_over_the_maximum_is_refused_whatever_the_room(void **state)
{
    static uint8_t buf[2 * CHANGE_STAGE_MIN];
    static char payload[M2M_PAYLOAD_MAX + 2];
    change_stage_t s;
    change_head_t h;
    (void)state;

    change_stage_init(&s, buf, sizeof buf);
    assert_true(change_stage_fits(&s, M2M_PAYLOAD_MAX));
    assert_false(change_stage_fits(&s, M2M_PAYLOAD_MAX + 1));
    h = head_for(1, M2M_PAYLOAD_MAX + 1, JOB_TABLE_NEW);
    assert_int_equal(change_stage_push(&s, &h, payload), -1);
}

static void clear_empties_and_no_storage_holds_nothing(void **state)
{
    static uint8_t buf[1024];
    change_stage_t s;
    change_head_t h, out;
    size_t pos = 0;
    char *payload;
    (void)state;

    change_stage_init(&s, buf, sizeof buf);
    h = head_for(1, 3, JOB_TABLE_NEW);
    assert_int_equal(change_stage_push(&s, &h, "abc"), 0);
    change_stage_clear(&s);
    assert_int_equal(change_stage_next(&s, &pos, &out, &payload), 0);
    change_stage_init(&s, NULL, 4096);
    assert_false(change_stage_fits(&s, 0));
    assert_int_equal(change_stage_push(&s, &h, "abc"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(records_come_back_in_push_order_nul_terminated),
        cmocka_unit_test(a_record_that_does_not_fit_is_refused_and_nothing_changes),
        cmocka_unit_test(a_payload_over_the_maximum_is_refused_whatever_the_room),
        cmocka_unit_test(clear_empties_and_no_storage_holds_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

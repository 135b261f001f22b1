/* SPDX-License-Identifier: Apache-2.0 */
/* test_job_status.c - JOBSTAT names and phases (firmware/job_status.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "job_status.h"

/* The ModelArts table (0..21) and the SDK's 22, with DESIGN.md's phases. */
static const struct {
    int64_t code;
    const char *name;
    job_phase_t phase;
} known[] = {
    {0, "UNKNOWN", JOB_PHASE_UNKNOWN},
    {1, "INIT", JOB_PHASE_PENDING},
    {2, "IMAGE_CREATING", JOB_PHASE_PENDING},
    {3, "IMAGE_FAILED", JOB_PHASE_FAILED},
    {4, "SUBMIT_TRYING", JOB_PHASE_PENDING},
    {5, "SUBMIT_FAILED", JOB_PHASE_FAILED},
    {6, "DELETE_FAILED", JOB_PHASE_FAILED},
    {7, "WAITING", JOB_PHASE_PENDING},
    {8, "RUNNING", JOB_PHASE_RUNNING},
    {9, "KILLING", JOB_PHASE_STOPPING},
    {10, "COMPLETED", JOB_PHASE_SUCCEEDED},
    {11, "FAILED", JOB_PHASE_FAILED},
    {12, "KILLED", JOB_PHASE_CANCELED},
    {13, "CANCELED", JOB_PHASE_CANCELED},
    {14, "LOST", JOB_PHASE_FAILED},
    {15, "SCALING", JOB_PHASE_RUNNING},
    {16, "SUBMIT_MODEL_FAILED", JOB_PHASE_FAILED},
    {17, "DEPLOY_SERVICE_FAILED", JOB_PHASE_FAILED},
    {18, "CHECK_INIT", JOB_PHASE_REVIEW},
    {19, "CHECK_RUNNING", JOB_PHASE_REVIEW},
    {20, "CHECK_RUNNING_COMPLETED", JOB_PHASE_SUCCEEDED},
    {21, "CHECK_FAILED", JOB_PHASE_FAILED},
    {22, "MOUNT_FAILED", JOB_PHASE_FAILED},
};

static void every_known_code_has_its_name_and_phase(void **state)
{
    size_t i;
    (void)state;

    assert_int_equal(sizeof known / sizeof known[0], 23);
    for (i = 0; i < sizeof known / sizeof known[0]; i++) {
        char buf[JOB_STATUS_NAME_MAX];
        const char *name = job_status_name(known[i].code, buf);

        assert_ptr_equal(name, buf);
        assert_string_equal(name, known[i].name);
        assert_int_equal(job_status_phase(known[i].code), known[i].phase);
    }
}

static void unknown_codes_are_named_code_n_with_phase_unknown(void **state)
{
    static const struct {
        int64_t code;
        const char *name;
    } cases[] = {
        {23, "CODE_23"},
        {-1, "CODE_-1"},
        {100, "CODE_100"},
        {65535, "CODE_65535"},
        {INT64_MAX, "CODE_9223372036854775807"},
        {INT64_MIN, "CODE_-9223372036854775808"},
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[JOB_STATUS_NAME_MAX];

        assert_string_equal(job_status_name(cases[i].code, buf), cases[i].name);
        assert_true(strlen(buf) < JOB_STATUS_NAME_MAX);
        assert_int_equal(job_status_phase(cases[i].code), JOB_PHASE_UNKNOWN);
    }
}

static void phase_names_and_terminal_flags(void **state)
{
    static const struct {
        job_phase_t phase;
        const char *name;
        int terminal;
    } cases[] = {
        {JOB_PHASE_PENDING, "pending", 0},     {JOB_PHASE_RUNNING, "running", 0},
        {JOB_PHASE_STOPPING, "stopping", 0},   {JOB_PHASE_REVIEW, "review", 0},
        {JOB_PHASE_SUCCEEDED, "succeeded", 1}, {JOB_PHASE_FAILED, "failed", 1},
        {JOB_PHASE_CANCELED, "canceled", 1},   {JOB_PHASE_UNKNOWN, "unknown", 0},
    };
    size_t i;
    (void)state;

    assert_int_equal(sizeof cases / sizeof cases[0], JOB_PHASE_COUNT);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_string_equal(job_phase_name(cases[i].phase), cases[i].name);
        assert_int_equal(job_phase_terminal(cases[i].phase), cases[i].terminal);
    }
}

static void out_of_range_phase_is_named_unknown(void **state)
{
    (void)state;
    assert_string_equal(job_phase_name((job_phase_t)JOB_PHASE_COUNT), "unknown");
    assert_string_equal(job_phase_name((job_phase_t)200), "unknown");
    assert_false(job_phase_terminal((job_phase_t)200));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_known_code_has_its_name_and_phase),
        cmocka_unit_test(unknown_codes_are_named_code_n_with_phase_unknown),
        cmocka_unit_test(phase_names_and_terminal_flags),
        cmocka_unit_test(out_of_range_phase_is_named_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

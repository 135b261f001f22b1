/* SPDX-License-Identifier: Apache-2.0 */
/* test_job_record_v2.c - one v2 job (firmware/job_record_v2.c): the filtered item, the agent's
 * own payload read back, UUIDs, phases (firmware/job_status.c) and the v2 payload
 * (firmware/payloads.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "job_record.h"
#include "job_status.h"
#include "payloads.h"

static job_record_parser_t parser;
static char text[4096];

/* An item as the splitter hands it out (the documented sample's members). */
static const char item[] =
    "{\"kind\":\"job\",\"metadata\":{\"id\":\"3FAF5C03-aaa1-4cbe-879d-24b05d997347\","
    "\"name\":\"trainjob--py14_mem06-byd-108\",\"description\":\"r\\u00e9sum\\u00e9\","
    "\"create_time\":1636447346315,\"workspace_id\":\"0\",\"user_name\":\"ei_modelarts\"},"
    "\"status\":{\"phase\":\"Abnormal\",\"secondary_phase\":\"CreateFailed\",\"duration\":0,"
    "\"start_time\":0}}";

static job_record_status_t parse(const char *json, job_record_v2_t *out)
{
    size_t len = strlen(json);
    assert_true(len < sizeof text);
    memcpy(text, json, len + 1);
    return job_record_parse_v2(&parser, text, len, out);
}

static void assert_text(job_text_t t, const char *expected)
{
    assert_non_null(t.p);
    assert_int_equal(t.len, strlen(expected));
    assert_memory_equal(t.p, expected, t.len);
}

static void the_documented_item_gives_every_field(void **state)
{
    static const uint8_t id[16] = {0x3f, 0xaf, 0x5c, 0x03, 0xaa, 0xa1, 0x4c, 0xbe,
                                   0x87, 0x9d, 0x24, 0xb0, 0x5d, 0x99, 0x73, 0x47};
    job_record_v2_t j;
    (void)state;
    assert_int_equal(parse(item, &j), JOB_RECORD_OK);
    assert_memory_equal(j.id, id, 16);
    assert_text(j.name, "trainjob--py14_mem06-byd-108");
    assert_text(j.description, "r\xC3\xA9sum\xC3\xA9");
    assert_text(j.user_name, "ei_modelarts");
    assert_text(j.kind, "job");
    assert_text(j.phase, "Abnormal");
    assert_text(j.secondary_phase, "CreateFailed");
    assert_true(j.create_time == 1636447346315LL);
    assert_int_equal(j.duration, 0);
    assert_int_equal(j.present, 0x3ff);
}

static void the_payload_reads_back_to_the_same_fingerprint(void **state)
{
    char buf[M2M_PAYLOAD_MAX];
    job_record_v2_t a, b;
    uint64_t fa;
    long n;
    (void)state;
    assert_int_equal(parse(item, &a), JOB_RECORD_OK);
    fa = job_record_v2_fingerprint(&a);
    n = payload_job_v2(buf, sizeof buf, &a);
    assert_true(n > 0);
    assert_string_equal(buf, "{\"job_id\":\"3faf5c03-aaa1-4cbe-879d-24b05d997347\","
                             "\"job_name\":\"trainjob--py14_mem06-byd-108\","
                             "\"job_desc\":\"r\xC3\xA9sum\xC3\xA9\",\"create_time\":1636447346315,"
                             "\"duration\":0,\"start_time\":0,\"user_name\":\"ei_modelarts\","
                             "\"kind\":\"job\",\"status_name\":\"Abnormal\","
                             "\"secondary_phase\":\"CreateFailed\",\"phase\":\"failed\","
                             "\"terminal\":true,\"api\":\"v2\"}");
    assert_int_equal(parse(buf, &b), JOB_RECORD_OK);
    assert_true(job_record_v2_fingerprint(&b) == fa);
}

static void absent_and_null_members_are_null_in_the_payload(void **state)
{
    char buf[M2M_PAYLOAD_MAX];
    job_record_v2_t j;
    (void)state;
    assert_int_equal(parse("{\"metadata\":{\"id\":\"00000000-0000-0000-0000-000000000001\","
                           "\"name\":null},\"status\":{\"phase\":\"Suspended\"}}",
                           &j),
                     JOB_RECORD_OK);
    assert_true(payload_job_v2(buf, sizeof buf, &j) > 0);
    assert_string_equal(buf, "{\"job_id\":\"00000000-0000-0000-0000-000000000001\","
                             "\"job_name\":null,\"job_desc\":null,\"create_time\":null,"
                             "\"duration\":null,\"start_time\":null,\"user_name\":null,"
                             "\"kind\":null,\"status_name\":\"Suspended\","
                             "\"secondary_phase\":null,\"phase\":\"unknown\",\"terminal\":false,"
                             "\"api\":\"v2\"}");
}

static void every_field_moves_the_fingerprint(void **state)
{
    static const char *const changed[] = {
        "\"id\":\"3FAF5C03-aaa1-4cbe-879d-24b05d997348\"",
        "\"name\":\"trainjob--py14_mem06-byd-109\"",
        "\"description\":\"resume\"",
        "\"create_time\":1636447346316",
        "\"workspace_id\":\"0\",\"user_name\":\"ei\"",
        "\"kind\":\"job2\"",
        "\"phase\":\"Failed\"",
        "\"secondary_phase\":\"Failed\"",
        "\"duration\":1,",
        "\"start_time\":1}",
    };
    static const char *const original[] = {
        "\"id\":\"3FAF5C03-aaa1-4cbe-879d-24b05d997347\"",
        "\"name\":\"trainjob--py14_mem06-byd-108\"",
        "\"description\":\"r\\u00e9sum\\u00e9\"",
        "\"create_time\":1636447346315",
        "\"workspace_id\":\"0\",\"user_name\":\"ei_modelarts\"",
        "\"kind\":\"job\"",
        "\"phase\":\"Abnormal\"",
        "\"secondary_phase\":\"CreateFailed\"",
        "\"duration\":0,",
        "\"start_time\":0}",
    };
    job_record_v2_t j;
    uint64_t base;
    size_t i;
    (void)state;
    assert_int_equal(parse(item, &j), JOB_RECORD_OK);
    base = job_record_v2_fingerprint(&j);
    for (i = 0; i < sizeof changed / sizeof changed[0]; i++) {
        char json[sizeof item + 64];
        const char *at = strstr(item, original[i]);
        size_t pre;
        assert_non_null(at);
        pre = (size_t)(at - item);
        memcpy(json, item, pre);
        strcpy(json + pre, changed[i]);
        strcat(json, at + strlen(original[i]));
        assert_int_equal(parse(json, &j), JOB_RECORD_OK);
        assert_true(job_record_v2_fingerprint(&j) != base);
    }
}

static void a_missing_or_malformed_id_or_phase_is_refused(void **state)
{
    static const struct {
        const char *json;
        job_record_status_t st;
    } cases[] = {
        {"{\"status\":{\"phase\":\"Running\"}}", JOB_RECORD_ERR_NO_ID},
        {"{\"metadata\":{\"id\":\"00000000-0000-0000-0000-00000000000\"},\"status\":{\"phase\":"
         "\"Running\"}}",
         JOB_RECORD_ERR_BAD_ID},
        {"{\"metadata\":{\"id\":\"00000000-0000-0000-0000-00000000000g\"},\"status\":{\"phase\":"
         "\"Running\"}}",
         JOB_RECORD_ERR_BAD_ID},
        {"{\"metadata\":{\"id\":\"00000000+0000-0000-0000-000000000000\"},\"status\":{\"phase\":"
         "\"Running\"}}",
         JOB_RECORD_ERR_BAD_ID},
        {"{\"metadata\":{\"id\":42},\"status\":{\"phase\":\"Running\"}}", JOB_RECORD_ERR_TYPE},
        {"{\"metadata\":{\"id\":\"00000000-0000-0000-0000-000000000000\"}}",
         JOB_RECORD_ERR_NO_STATUS},
        {"{\"metadata\":{\"id\":\"00000000-0000-0000-0000-000000000000\",\"create_time\":\"x\"},"
         "\"status\":{\"phase\":\"Running\"}}",
         JOB_RECORD_ERR_TYPE},
        {"{\"metadata\":{\"id\":\"00000000-0000-0000-0000-000000000000\"},\"status\":{\"phase\":"
         "\"Running\",\"duration\":1.5}}",
         JOB_RECORD_ERR_NUMBER},
        {"[1]", JOB_RECORD_ERR_NOT_OBJECT},
        {"{\"metadata\":{\"id\":\"00000000-0000-0000-0000-000000000000\"},\"status\":{\"phase\":"
         "\"Running\"}} x",
         JOB_RECORD_ERR_JSON},
    };
    job_record_v2_t j;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(parse(cases[i].json, &j), cases[i].st);
    }
}

static void uuids_round_trip_in_lower_case(void **state)
{
    uint8_t id[16];
    char out[37];
    (void)state;
    assert_int_equal(job_uuid_parse("FFFFFFFF-0000-1111-aBcD-0123456789ef", 36, id), 0);
    assert_string_equal(job_uuid_format(id, out), "ffffffff-0000-1111-abcd-0123456789ef");
    assert_int_equal(job_uuid_parse("ffffffff-0000-1111-abcd-0123456789ef0", 37, id), -1);
    assert_int_equal(job_uuid_parse("ffffffff00000-1111-abcd-0123456789ef", 36, id), -1);
}

static void phases_have_codes_names_and_phases(void **state)
{
    static const struct {
        const char *name;
        job_phase_t phase;
    } table[] = {
        {"Creating", JOB_PHASE_PENDING},    {"Pending", JOB_PHASE_PENDING},
        {"Running", JOB_PHASE_RUNNING},     {"Terminating", JOB_PHASE_STOPPING},
        {"Completed", JOB_PHASE_SUCCEEDED}, {"Failed", JOB_PHASE_FAILED},
        {"Terminated", JOB_PHASE_CANCELED}, {"Abnormal", JOB_PHASE_FAILED},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof table / sizeof table[0]; i++) {
        int64_t code = job_v2_phase_code(table[i].name, strlen(table[i].name));
        assert_int_equal(code, (int64_t)i + 1);
        assert_string_equal(job_v2_phase_name(code), table[i].name);
        assert_int_equal(job_v2_phase(code), table[i].phase);
    }
    assert_int_equal(job_v2_phase_code("running", 7), JOB_V2_OTHER);
    assert_int_equal(job_v2_phase_code("Runnin", 6), JOB_V2_OTHER);
    assert_string_equal(job_v2_phase_name(JOB_V2_OTHER), "Other");
    assert_string_equal(job_v2_phase_name(99), "Other");
    assert_int_equal(job_v2_phase(JOB_V2_OTHER), JOB_PHASE_UNKNOWN);
}

#if M2M_WITH_V2 /* the MCU configuration names v1 statuses only */
static void v2_summary_counts_by_phase_name(void **state)
{
    char buf[M2M_PAYLOAD_MAX];
    summary_t s;
    (void)state;
    summary_clear(&s, 1);
    summary_count(&s, JOB_V2_RUNNING);
    summary_count(&s, JOB_V2_RUNNING);
    summary_count(&s, JOB_V2_ABNORMAL);
    summary_count(&s, JOB_V2_OTHER);
    assert_true(payload_summary(buf, sizeof buf, &s) > 0);
    assert_non_null(strstr(buf, "{\"pending\":0,\"running\":2,\"stopping\":0,\"review\":0,"
                                "\"succeeded\":0,\"failed\":1,\"canceled\":0,\"unknown\":1,"
                                "\"total\":4,\"by_status\":{\"Other\":1,\"Running\":2,"
                                "\"Abnormal\":1},"));
}

#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_documented_item_gives_every_field),
        cmocka_unit_test(the_payload_reads_back_to_the_same_fingerprint),
        cmocka_unit_test(absent_and_null_members_are_null_in_the_payload),
        cmocka_unit_test(every_field_moves_the_fingerprint),
        cmocka_unit_test(a_missing_or_malformed_id_or_phase_is_refused),
        cmocka_unit_test(uuids_round_trip_in_lower_case),
        cmocka_unit_test(phases_have_codes_names_and_phases),
#if M2M_WITH_V2
        cmocka_unit_test(v2_summary_counts_by_phase_name),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

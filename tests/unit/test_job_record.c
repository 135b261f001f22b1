/* SPDX-License-Identifier: Apache-2.0 */
/* test_job_record.c - one job parsed with jsmn (firmware/job_record.c) and the JSON integer and
 * string decoding it shares with the stream (firmware/json_text.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "job_record.h"
#include "job_stream.h"

static job_record_parser_t parser;
static char text[4096];

/* Parse a copy of json (job_record_parse decodes strings in place). */
static job_record_status_t parse(const char *json, job_record_t *out)
{
    size_t len = strlen(json);
    assert_true(len < sizeof text);
    memcpy(text, json, len + 1);
    return job_record_parse(&parser, text, len, out);
}

static void assert_text(const char *got, size_t got_len, const char *expected)
{
    assert_non_null(got);
    assert_int_equal(got_len, strlen(expected));
    assert_memory_equal(got, expected, got_len);
}

/* ---- fields ------------------------------------------------------------------------------ */

static const char sample_job[] = "{\n"
                                 "    \"job_id\": 10,\n"
                                 "    \"job_name\": \"testModelArtsJob\",\n"
                                 "    \"version_id\": 10,\n"
                                 "    \"status\": 10,\n"
                                 "    \"create_time\": 1524189990635,\n"
                                 "    \"duration\": 532003,\n"
                                 "    \"job_desc\": \"This is ModelArts job\",\n"
                                 "    \"version_count\": 5\n"
                                 "}";

static void assert_sample_job(const job_record_t *j)
{
    assert_int_equal(j->present, 0xFF);
    assert_true(j->job_id == 10);
    assert_true(j->version_id == 10);
    assert_true(j->status == 10);
    assert_true(j->create_time == 1524189990635LL);
    assert_true(j->duration == 532003);
    assert_true(j->version_count == 5);
    assert_text(j->job_name, j->job_name_len, "testModelArtsJob");
    assert_text(j->job_desc, j->job_desc_len, "This is ModelArts job");
}

static void api_sample_job_gives_all_eight_fields(void **state)
{
    job_record_t j;
    (void)state;

    assert_int_equal(parse(sample_job, &j), JOB_RECORD_OK);
    assert_sample_job(&j);
}

static void fields_in_any_order_give_the_same_record(void **state)
{
    static const char *const orders[] = {
        "{\"version_count\":5,\"job_desc\":\"This is ModelArts job\",\"duration\":532003,"
        "\"create_time\":1524189990635,\"status\":10,\"version_id\":10,"
        "\"job_name\":\"testModelArtsJob\",\"job_id\":10}",
        "{\"status\":10,\"job_id\":10,\"create_time\":1524189990635,\"job_desc\":"
        "\"This is ModelArts job\",\"version_id\":10,\"version_count\":5,"
        "\"job_name\":\"testModelArtsJob\",\"duration\":532003}",
        "{\"job_desc\":\"This is ModelArts job\",\"version_id\":10,\"job_id\":10,"
        "\"duration\":532003,\"job_name\":\"testModelArtsJob\",\"version_count\":5,"
        "\"status\":10,\"create_time\":1524189990635}",
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof orders / sizeof orders[0]; i++) {
        job_record_t j;
        assert_int_equal(parse(orders[i], &j), JOB_RECORD_OK);
        assert_sample_job(&j);
    }
}

static void unknown_keys_with_nested_values_are_skipped(void **state)
{
    static const char *const jobs[] = {
        /* Nested values hold keys named like the fields: only the top level counts. */
        "{\"meta\":{\"job_id\":99,\"status\":\"x\",\"inner\":{\"job_name\":7}},\"job_id\":1,"
        "\"spec\":[[1,2,[3]],{\"status\":[]},\"job_name\"],\"status\":2,"
        "\"job_name\":\"n\",\"tags\":[],\"empty\":{},\"s\":\"}]{[\\\"\\\\\",\"b\":true,"
        "\"f\":false,\"z\":null,\"x\":-1.5e-3}",
        "{\"job_id\":1,\"status\":2,\"job_name\":\"n\",\"deep\":{\"a\":{\"b\":{\"c\":[{\"d\":"
        "[[[{\"job_id\":5}]]]}]}}}}",
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof jobs / sizeof jobs[0]; i++) {
        job_record_t j;
        assert_int_equal(parse(jobs[i], &j), JOB_RECORD_OK);
        assert_true(j.job_id == 1);
        assert_true(j.status == 2);
        assert_text(j.job_name, j.job_name_len, "n");
        assert_int_equal(j.present, JOB_HAS_JOB_ID | JOB_HAS_STATUS | JOB_HAS_JOB_NAME);
    }
}

static void null_fields_are_absent(void **state)
{
    job_record_t j;
    (void)state;

    assert_int_equal(parse("{\"job_id\":1,\"status\":2,\"job_name\":null,\"job_desc\":null,"
                           "\"version_id\":null,\"create_time\":null,\"duration\":null,"
                           "\"version_count\":null}",
                           &j),
                     JOB_RECORD_OK);
    assert_int_equal(j.present, JOB_HAS_JOB_ID | JOB_HAS_STATUS);
    assert_null(j.job_name);
    assert_null(j.job_desc);
    assert_int_equal(parse("{\"job_id\":null,\"status\":2}", &j), JOB_RECORD_ERR_NO_ID);
    assert_int_equal(parse("{\"job_id\":1,\"status\":null}", &j), JOB_RECORD_ERR_NO_STATUS);
}

static void duplicate_keys_keep_the_last_value(void **state)
{
    job_record_t j;
    (void)state;

    assert_int_equal(parse("{\"job_id\":1,\"status\":2,\"job_id\":3,\"job_name\":\"a\","
                           "\"job_name\":null,\"status\":4}",
                           &j),
                     JOB_RECORD_OK);
    assert_true(j.job_id == 3);
    assert_true(j.status == 4);
    assert_int_equal(j.present & JOB_HAS_JOB_NAME, 0);
}

static void escaped_keys_match_their_decoded_name(void **state)
{
    job_record_t j;
    (void)state;

    assert_int_equal(parse("{\"job\\u005fid\":5,\"\\u0073tatus\":1}", &j), JOB_RECORD_OK);
    assert_true(j.job_id == 5);
    assert_true(j.status == 1);
}

static void required_fields_missing_are_refused(void **state)
{
    job_record_t j;
    (void)state;

    assert_int_equal(parse("{}", &j), JOB_RECORD_ERR_NO_ID);
    assert_int_equal(parse("{\"status\":1}", &j), JOB_RECORD_ERR_NO_ID);
    assert_int_equal(parse("{\"job_id\":1}", &j), JOB_RECORD_ERR_NO_STATUS);
    assert_int_equal(parse("{\"x\":{\"job_id\":1,\"status\":2}}", &j), JOB_RECORD_ERR_NO_ID);
}

/* ---- integers ---------------------------------------------------------------------------- */

static void job_id_is_exact_over_64_bits(void **state)
{
    static const struct {
        const char *value;
        job_record_status_t st;
        int64_t expected;
    } cases[] = {
        {"9223372036854775807", JOB_RECORD_OK, INT64_MAX},
        {"-9223372036854775808", JOB_RECORD_OK, INT64_MIN},
        {"9007199254740993", JOB_RECORD_OK, 9007199254740993LL}, /* 2^53 + 1 */
        {"0", JOB_RECORD_OK, 0},
        {"-0", JOB_RECORD_OK, 0},
        {"-1", JOB_RECORD_OK, -1},
        {"9223372036854775808", JOB_RECORD_ERR_NUMBER, 0},
        {"-9223372036854775809", JOB_RECORD_ERR_NUMBER, 0},
        {"18446744073709551616", JOB_RECORD_ERR_NUMBER, 0},
        {"99999999999999999999999", JOB_RECORD_ERR_NUMBER, 0},
        {"1.5", JOB_RECORD_ERR_NUMBER, 0},
        {"1.0", JOB_RECORD_ERR_NUMBER, 0},
        {"1e3", JOB_RECORD_ERR_NUMBER, 0},
        {"1E3", JOB_RECORD_ERR_NUMBER, 0},
        {"007", JOB_RECORD_ERR_NUMBER, 0},
        {"-01", JOB_RECORD_ERR_NUMBER, 0},
        {"-", JOB_RECORD_ERR_NUMBER, 0},
        {"1x", JOB_RECORD_ERR_NUMBER, 0},
        {"+1", JOB_RECORD_ERR_JSON, 0}, /* not a JSON value: jsmn refuses it */
        {"true", JOB_RECORD_ERR_TYPE, 0},
        {"\"1\"", JOB_RECORD_ERR_TYPE, 0},
        {"[1]", JOB_RECORD_ERR_TYPE, 0},
        {"{}", JOB_RECORD_ERR_TYPE, 0},
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[128];
        job_record_t j;
        job_record_status_t st;
        snprintf(json, sizeof json, "{\"status\":1,\"job_id\":%s}", cases[i].value);
        st = parse(json, &j);
        if (st != cases[i].st) {
            print_error("job_id %s: got \"%s\"\n", cases[i].value, job_record_strerror(st));
        }
        assert_int_equal(st, cases[i].st);
        if (st == JOB_RECORD_OK) {
            assert_true(j.job_id == cases[i].expected);
        }
    }
}

static void every_integer_field_is_exact_over_64_bits(void **state)
{
    job_record_t j;
    (void)state;

    assert_int_equal(parse("{\"job_id\":-9223372036854775808,\"status\":9223372036854775807,"
                           "\"version_id\":9223372036854775806,\"create_time\":-2,"
                           "\"duration\":9223372036854775807,"
                           "\"version_count\":-9223372036854775807}",
                           &j),
                     JOB_RECORD_OK);
    assert_true(j.job_id == INT64_MIN);
    assert_true(j.status == INT64_MAX);
    assert_true(j.version_id == INT64_MAX - 1);
    assert_true(j.create_time == -2);
    assert_true(j.duration == INT64_MAX);
    assert_true(j.version_count == INT64_MIN + 1);
}

static void json_parse_int64_takes_only_json_integers(void **state)
{
    static const struct {
        const char *text;
        int ok;
        int64_t v;
    } cases[] = {
        {"0", 1, 0},
        {"-0", 1, 0},
        {"7", 1, 7},
        {"-7", 1, -7},
        {"1234567890123456789", 1, 1234567890123456789LL},
        {"9223372036854775807", 1, INT64_MAX},
        {"-9223372036854775808", 1, INT64_MIN},
        {"9223372036854775808", 0, 0},
        {"-9223372036854775809", 0, 0},
        {"9999999999999999999", 0, 0},
        {"10000000000000000000", 0, 0},
        {"", 0, 0},
        {"-", 0, 0},
        {"+1", 0, 0},
        {"01", 0, 0},
        {"-00", 0, 0},
        {"1.5", 0, 0},
        {"1e3", 0, 0},
        {" 1", 0, 0},
        {"1 ", 0, 0},
        {"0x10", 0, 0},
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = 12345;
        int r = json_parse_int64(cases[i].text, strlen(cases[i].text), &v);
        assert_int_equal(r, cases[i].ok ? 0 : -1);
        if (cases[i].ok) {
            assert_true(v == cases[i].v);
        } else {
            assert_true(v == 12345); /* untouched on failure */
        }
    }
    /* The length bounds the read: digits past it are not part of the number. */
    {
        int64_t v;
        assert_int_equal(json_parse_int64("123456", 3, &v), 0);
        assert_true(v == 123);
    }
}

/* ---- strings ----------------------------------------------------------------------------- */

typedef struct {
    const char *in;  /* the string body, without quotes */
    const char *out; /* NULL: refused */
    size_t out_len;  /* 0: strlen(out) */
} decode_case_t;

static const decode_case_t decode_cases[] = {
    {"plain text", "plain text", 0},
    {"", "", 0},
    {"\\\"\\\\\\/\\b\\f\\n\\r\\t", "\"\\/\b\f\n\r\t", 0},
    {"caf\\u00e9", "caf\xC3\xA9", 0},
    {"\\u00E9\\u20AC", "\xC3\xA9\xE2\x82\xAC", 0},
    {"\\u0041\\u007f\\u0080\\u07ff\\u0800\\uffff", "A\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF",
     0},
    {"\\ud83d\\ude00", "\xF0\x9F\x98\x80", 0},
    {"\\uD83D\\uDE00!", "\xF0\x9F\x98\x80!", 0},
    {"\\udbff\\udfff", "\xF4\x8F\xBF\xBF", 0},
    {"a\\ud83db",
     "a\xEF\xBF\xBD"
     "b",
     0}, /* lone high surrogate */
    {"a\\ude00b",
     "a\xEF\xBF\xBD"
     "b",
     0},                            /* lone low surrogate */
    {"\\ud83d", "\xEF\xBF\xBD", 0}, /* high surrogate at the end */
    {"\\ud83d\\u0041",
     "\xEF\xBF\xBD"
     "A",
     0}, /* high surrogate, then not a low one */
    {"\\ud83d\\ud83d\\ude00", "\xEF\xBF\xBD\xF0\x9F\x98\x80", 0},
    {"\\ude00\\ud83d", "\xEF\xBF\xBD\xEF\xBF\xBD", 0},
    {"\\u0000", "", 1}, /* U+0000 is one NUL byte */
    {"\xE6\x97\xA5\xE6\x9C\xAC \xFF\x80", "\xE6\x97\xA5\xE6\x9C\xAC \xFF\x80", 0},
    {"\\q", NULL, 0},
    {"\\", NULL, 0},
    {"ab\\", NULL, 0},
    {"\\u12", NULL, 0},
    {"\\u12g4", NULL, 0},
    {"\\ud83d\\u12", NULL, 0},
    {"tab\there", NULL, 0},
    {"nl\n", NULL, 0},
    {"\x1f", NULL, 0},
};

static void json_decode_string_resolves_every_escape(void **state)
{
    size_t i;
    (void)state;

    for (i = 0; i < sizeof decode_cases / sizeof decode_cases[0]; i++) {
        const decode_case_t *c = &decode_cases[i];
        size_t in_len = strlen(c->in);
        char out[256];
        char inplace[256];
        long n;

        memset(out, '#', sizeof out);
        n = json_decode_string(c->in, in_len, out);
        if (c->out == NULL) {
            assert_int_equal(n, -1);
            continue;
        }
        {
            size_t expected_len = c->out_len ? c->out_len : strlen(c->out);
            assert_int_equal(n, (long)expected_len);
            assert_memory_equal(out, c->out, expected_len);
            assert_true((size_t)n <= in_len);
            assert_int_equal(out[n], '#'); /* nothing written past the result */
            /* In place gives the same bytes. */
            memcpy(inplace, c->in, in_len);
            assert_int_equal(json_decode_string(inplace, in_len, inplace), n);
            assert_memory_equal(inplace, c->out, expected_len);
        }
    }
}

static void json_decode_string_never_grows_its_input(void **state)
{
    /* Worst cases for the output/input ratio: 3 bytes out of a 6-byte escape, 4 of 12. */
    static const char *const inputs[] = {"\\uffff\\uffff\\uffff", "\\ud83d\\ude00\\ud83d\\ude00",
                                         "\\ud800\\ud800", "\\u0800x\\u0800"};
    size_t i;
    (void)state;

    for (i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        char buf[64];
        size_t len = strlen(inputs[i]);
        long n;
        memcpy(buf, inputs[i], len);
        n = json_decode_string(buf, len, buf);
        assert_true(n > 0 && (size_t)n <= len);
    }
}

static void job_strings_are_decoded_in_place(void **state)
{
    job_record_t j;
    (void)state;

    assert_int_equal(parse("{\"job_id\":1,\"status\":2,\"job_name\":\"caf\\u00e9 \\\"x\\\" "
                           "\\ud83d\\ude00\",\"job_desc\":\"line\\nlone \\ud800 end\"}",
                           &j),
                     JOB_RECORD_OK);
    assert_text(j.job_name, j.job_name_len, "caf\xC3\xA9 \"x\" \xF0\x9F\x98\x80");
    assert_text(j.job_desc, j.job_desc_len, "line\nlone \xEF\xBF\xBD end");
    /* The decoded text lies inside the caller's buffer. */
    assert_true(j.job_name > text && j.job_name < text + sizeof text);
    assert_true(j.job_desc > text && j.job_desc < text + sizeof text);
}

static void bad_job_strings_are_refused(void **state)
{
    job_record_t j;
    (void)state;

    assert_int_equal(parse("{\"job_id\":1,\"status\":2,\"job_name\":\"a\x01z\"}", &j),
                     JOB_RECORD_ERR_STRING);
    assert_int_equal(parse("{\"job_id\":1,\"status\":2,\"job_desc\":\"tab\there\"}", &j),
                     JOB_RECORD_ERR_STRING);
    /* jsmn itself refuses an unknown escape. */
    assert_int_equal(parse("{\"job_id\":1,\"status\":2,\"job_name\":\"\\x41\"}", &j),
                     JOB_RECORD_ERR_JSON);
}

/* ---- types and structure ----------------------------------------------------------------- */

static void fields_of_the_wrong_type_are_refused(void **state)
{
    static const char *const jobs[] = {
        "{\"job_id\":1,\"status\":\"10\"}",
        "{\"job_id\":\"1\",\"status\":10}",
        "{\"job_id\":1,\"status\":true}",
        "{\"job_id\":1,\"status\":[10]}",
        "{\"job_id\":1,\"status\":{\"code\":10}}",
        "{\"job_id\":1,\"status\":2,\"job_name\":42}",
        "{\"job_id\":1,\"status\":2,\"job_name\":false}",
        "{\"job_id\":1,\"status\":2,\"job_name\":[\"a\"]}",
        "{\"job_id\":1,\"status\":2,\"job_desc\":{}}",
        "{\"job_id\":1,\"status\":2,\"version_id\":\"3\"}",
        "{\"job_id\":1,\"status\":2,\"create_time\":false}",
        "{\"job_id\":1,\"status\":2,\"duration\":[]}",
        "{\"job_id\":1,\"status\":2,\"version_count\":\"5\"}",
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof jobs / sizeof jobs[0]; i++) {
        job_record_t j;
        job_record_status_t st = parse(jobs[i], &j);
        if (st != JOB_RECORD_ERR_TYPE) {
            print_error("%s: got \"%s\"\n", jobs[i], job_record_strerror(st));
        }
        assert_int_equal(st, JOB_RECORD_ERR_TYPE);
    }
}

static void malformed_json_is_refused(void **state)
{
    static const struct {
        const char *json;
        job_record_status_t st;
    } cases[] = {
        {"", JOB_RECORD_ERR_NOT_OBJECT},
        {"   ", JOB_RECORD_ERR_NOT_OBJECT},
        {"[1,2]", JOB_RECORD_ERR_NOT_OBJECT},
        {"\"job\"", JOB_RECORD_ERR_NOT_OBJECT},
        {"17 ", JOB_RECORD_ERR_NOT_OBJECT},
        {"17", JOB_RECORD_ERR_JSON}, /* jsmn wants a delimiter after a primitive */
        {"{\"job_id\":1,\"status\":2", JOB_RECORD_ERR_JSON},
        {"{\"job_id\":1,\"status\":2]", JOB_RECORD_ERR_JSON},
        {"{\"job_id\":1,\"status\":2} x", JOB_RECORD_ERR_JSON},
        {"{\"job_id\":1,\"status\":2}{}", JOB_RECORD_ERR_JSON},
        {"{\"job_id\":1 \"status\":2}", JOB_RECORD_ERR_JSON},
        {"{\"job_id\" \"status\":2}", JOB_RECORD_ERR_JSON},
        {"{\"job_id\":1,\"status\"}", JOB_RECORD_ERR_JSON},
        {"{job_id:1,\"status\":2}", JOB_RECORD_ERR_JSON},
        {"{\"job_id\":1,\"status\":2,\"x\":tru}", JOB_RECORD_ERR_JSON},
        {"{\"job_id\":1,\"status\":2,\"x\":01}", JOB_RECORD_ERR_JSON},
        {"{\"job_id\":1,\"status\":2,\"x\":[1x]}", JOB_RECORD_ERR_JSON},
        {"{\"job_id\":1,\"status\":2,\"x\":[\"a\":1]}", JOB_RECORD_ERR_JSON},
        {"{\"job_id\":1,\"status\":2,\"x\":{\"a\" \"b\"}}", JOB_RECORD_ERR_JSON},
        {"{\"job_id\":1,\"status\":2,\"x\":{\"a\":1 \"b\":2}}", JOB_RECORD_ERR_JSON},
        {"{\"job_id\":1,\"status\":2,\"x\":[}", JOB_RECORD_ERR_JSON},
        {"{\"job_id\":1,\"status\":2,\"job_name\":nul}", JOB_RECORD_ERR_JSON},
        {"{\"job_id\":nulll,\"status\":2}", JOB_RECORD_ERR_JSON},
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        job_record_t j;
        job_record_status_t st = parse(cases[i].json, &j);
        if (st != cases[i].st) {
            print_error("%s: got \"%s\"\n", cases[i].json, job_record_strerror(st));
        }
        assert_int_equal(st, cases[i].st);
    }
}

static void trailing_whitespace_is_accepted(void **state)
{
    job_record_t j;
    (void)state;

    assert_int_equal(parse(" \n{\"job_id\":1,\"status\":2}\r\n\t ", &j), JOB_RECORD_OK);
}

static void text_after_a_nul_is_not_ignored(void **state)
{
    static const char json[] = "{\"job_id\":1,\"status\":2}\0{\"x\":1}";
    job_record_t j;
    (void)state;

    memcpy(text, json, sizeof json);
    assert_int_equal(job_record_parse(&parser, text, sizeof json - 1, &j), JOB_RECORD_ERR_JSON);
    /* The length bounds the read. */
    assert_int_equal(job_record_parse(&parser, text, strlen(text), &j), JOB_RECORD_OK);
}

static void too_many_tokens_are_refused(void **state)
{
    char json[2048];
    size_t at;
    int i;
    job_record_t j;
    (void)state;

    at = (size_t)snprintf(json, sizeof json, "{\"job_id\":1,\"status\":2");
    for (i = 0; i < M2M_JOB_TOKENS_MAX / 2; i++) {
        at += (size_t)snprintf(json + at, sizeof json - at, ",\"k%d\":%d", i, i);
    }
    snprintf(json + at, sizeof json - at, "}");
    assert_int_equal(parse(json, &j), JOB_RECORD_ERR_TOKENS);

    /* Exactly M2M_JOB_TOKENS_MAX tokens still fit: the object and (max - 1) / 2 pairs. */
    at = (size_t)snprintf(json, sizeof json, "{\"job_id\":1,\"status\":2");
    for (i = 0; i < (M2M_JOB_TOKENS_MAX - 1) / 2 - 2; i++) {
        at += (size_t)snprintf(json + at, sizeof json - at, ",\"k%d\":%d", i, i);
    }
    snprintf(json + at, sizeof json - at, "}");
    assert_int_equal(parse(json, &j), JOB_RECORD_OK);
}

/* ---- fingerprint ------------------------------------------------------------------------- */

static uint64_t fingerprint_of(const char *json)
{
    job_record_t j;
    assert_int_equal(parse(json, &j), JOB_RECORD_OK);
    return job_record_fingerprint(&j);
}

#define BASE_JOB                                                                                   \
    "{\"job_id\":10,\"job_name\":\"ab\",\"version_id\":11,\"status\":7,\"create_time\":12,"        \
    "\"duration\":13,\"job_desc\":\"c\",\"version_count\":14}"

static void fingerprint_changes_with_every_field(void **state)
{
    static const char *const changed[] = {
        "{\"job_id\":11,\"job_name\":\"ab\",\"version_id\":11,\"status\":7,\"create_time\":12,"
        "\"duration\":13,\"job_desc\":\"c\",\"version_count\":14}",
        "{\"job_id\":10,\"job_name\":\"aB\",\"version_id\":11,\"status\":7,\"create_time\":12,"
        "\"duration\":13,\"job_desc\":\"c\",\"version_count\":14}",
        "{\"job_id\":10,\"job_name\":\"ab\",\"version_id\":12,\"status\":7,\"create_time\":12,"
        "\"duration\":13,\"job_desc\":\"c\",\"version_count\":14}",
        "{\"job_id\":10,\"job_name\":\"ab\",\"version_id\":11,\"status\":8,\"create_time\":12,"
        "\"duration\":13,\"job_desc\":\"c\",\"version_count\":14}",
        "{\"job_id\":10,\"job_name\":\"ab\",\"version_id\":11,\"status\":7,\"create_time\":-12,"
        "\"duration\":13,\"job_desc\":\"c\",\"version_count\":14}",
        "{\"job_id\":10,\"job_name\":\"ab\",\"version_id\":11,\"status\":7,\"create_time\":12,"
        "\"duration\":14,\"job_desc\":\"c\",\"version_count\":14}",
        "{\"job_id\":10,\"job_name\":\"ab\",\"version_id\":11,\"status\":7,\"create_time\":12,"
        "\"duration\":13,\"job_desc\":\"d\",\"version_count\":14}",
        "{\"job_id\":10,\"job_name\":\"ab\",\"version_id\":11,\"status\":7,\"create_time\":12,"
        "\"duration\":13,\"job_desc\":\"c\",\"version_count\":15}",
        /* The same values split differently between the two strings. */
        "{\"job_id\":10,\"job_name\":\"a\",\"version_id\":11,\"status\":7,\"create_time\":12,"
        "\"duration\":13,\"job_desc\":\"bc\",\"version_count\":14}",
        /* Absent versus zero or empty. */
        "{\"job_id\":10,\"job_name\":\"ab\",\"version_id\":11,\"status\":7,\"create_time\":12,"
        "\"duration\":13,\"job_desc\":\"c\"}",
        "{\"job_id\":10,\"job_name\":\"ab\",\"version_id\":11,\"status\":7,\"create_time\":12,"
        "\"duration\":13,\"job_desc\":\"c\",\"version_count\":0}",
        "{\"job_id\":10,\"job_name\":\"ab\",\"version_id\":11,\"status\":7,\"create_time\":12,"
        "\"duration\":13,\"version_count\":14}",
        "{\"job_id\":10,\"job_name\":\"ab\",\"version_id\":11,\"status\":7,\"create_time\":12,"
        "\"duration\":13,\"job_desc\":\"\",\"version_count\":14}",
    };
    uint64_t base = fingerprint_of(BASE_JOB);
    uint64_t seen[sizeof changed / sizeof changed[0]];
    size_t i;
    size_t k;
    (void)state;

    assert_true(base < (1ull << 40));
    for (i = 0; i < sizeof changed / sizeof changed[0]; i++) {
        seen[i] = fingerprint_of(changed[i]);
        assert_true(seen[i] < (1ull << 40));
        assert_true(seen[i] != base);
        for (k = 0; k < i; k++) {
            assert_true(seen[k] != seen[i]);
        }
    }
}

static void fingerprint_ignores_layout_order_and_unknown_fields(void **state)
{
    uint64_t base;
    (void)state;

    base = fingerprint_of(BASE_JOB);
    assert_true(fingerprint_of(BASE_JOB) == base);
    assert_true(fingerprint_of("{ \"version_count\" : 14 , \"job_desc\":\"\\u0063\",\n"
                               "\"duration\":13,\"create_time\":12,\"status\":7,\"extra\":[1],"
                               "\"version_id\":11,\"job_name\":\"a\\u0062\",\"job_id\":10 }") ==
                base);
}

static void fingerprint_spreads_over_40_bits(void **state)
{
    /* 4096 jobs differing in job_id only: no collisions, and the top bits are used. */
    static uint64_t prints[4096];
    uint64_t high_bits = 0;
    size_t i;
    size_t k;
    (void)state;

    for (i = 0; i < sizeof prints / sizeof prints[0]; i++) {
        job_record_t j;
        memset(&j, 0, sizeof j);
        j.job_id = (int64_t)i;
        j.status = 1;
        j.present = JOB_HAS_JOB_ID | JOB_HAS_STATUS;
        prints[i] = job_record_fingerprint(&j);
        assert_true(prints[i] < (1ull << 40));
        high_bits |= prints[i] >> 32;
    }
    assert_int_equal(high_bits, 0xFF);
    for (i = 0; i < sizeof prints / sizeof prints[0]; i++) {
        for (k = 0; k < i; k++) {
            assert_true(prints[i] != prints[k]);
        }
    }
}

/* ---- with the stream --------------------------------------------------------------------- */

typedef struct {
    unsigned jobs;
    job_record_t last;
    job_record_status_t worst;
} parsed_t;

static int parse_streamed_job(void *user, char *job, size_t len)
{
    parsed_t *p = user;
    job_record_status_t st = job_record_parse(&parser, job, len, &p->last);
    if (st != JOB_RECORD_OK) {
        p->worst = st;
    }
    p->jobs++;
    return 0;
}

static job_stream_t stream;

static void jobs_handed_out_by_the_stream_parse(void **state)
{
    static const char body[] = "{\n  \"is_success\": true,\n  \"jobs\": [\n    {\n"
                               "      \"job_id\": 9223372036854775807,\n"
                               "      \"job_name\": \"\\u6a21\\u578b {v2}\",\n"
                               "      \"status\": 10,\n      \"meta\": {\"a\": [\"]\"]}\n"
                               "    },\n    " BASE_JOB "\n  ]\n}\n";
    parsed_t p;
    (void)state;

    memset(&p, 0, sizeof p);
    job_stream_init(&stream, parse_streamed_job, &p);
    assert_int_equal(job_stream_feed(&stream, (const uint8_t *)body, sizeof body - 1),
                     JOB_STREAM_OK);
    assert_int_equal(job_stream_finish(&stream), JOB_STREAM_OK);
    assert_int_equal(p.jobs, 2);
    assert_int_equal(p.worst, JOB_RECORD_OK);
    assert_true(p.last.job_id == 10);
    assert_text(p.last.job_name, p.last.job_name_len, "ab");

    /* The first job, alone, as the stream handed it out. */
    memset(&p, 0, sizeof p);
    job_stream_init(&stream, parse_streamed_job, &p);
    {
        static const char one[] = "{\"jobs\":[{\"job_id\":9223372036854775807,"
                                  "\"job_name\":\"\\u6a21\\u578b {v2}\",\"status\":10}]}";
        assert_int_equal(job_stream_feed(&stream, (const uint8_t *)one, sizeof one - 1),
                         JOB_STREAM_OK);
    }
    assert_int_equal(p.worst, JOB_RECORD_OK);
    assert_true(p.last.job_id == INT64_MAX);
    assert_text(p.last.job_name, p.last.job_name_len, "\xE6\xA8\xA1\xE5\x9E\x8B {v2}");
}

static void every_status_has_its_own_description(void **state)
{
    int a;
    int b;
    (void)state;

    for (a = JOB_RECORD_ERR_NO_STATUS; a <= JOB_RECORD_OK; a++) {
        const char *t = job_record_strerror((job_record_status_t)a);
        assert_non_null(t);
        assert_true(strlen(t) > 0);
        for (b = JOB_RECORD_ERR_NO_STATUS; b < a; b++) {
            assert_string_not_equal(t, job_record_strerror((job_record_status_t)b));
        }
    }
    assert_non_null(job_record_strerror((job_record_status_t)99));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(api_sample_job_gives_all_eight_fields),
        cmocka_unit_test(fields_in_any_order_give_the_same_record),
        cmocka_unit_test(unknown_keys_with_nested_values_are_skipped),
        cmocka_unit_test(null_fields_are_absent),
        cmocka_unit_test(duplicate_keys_keep_the_last_value),
        cmocka_unit_test(escaped_keys_match_their_decoded_name),
        cmocka_unit_test(required_fields_missing_are_refused),
        cmocka_unit_test(job_id_is_exact_over_64_bits),
        cmocka_unit_test(every_integer_field_is_exact_over_64_bits),
        cmocka_unit_test(json_parse_int64_takes_only_json_integers),
        cmocka_unit_test(json_decode_string_resolves_every_escape),
        cmocka_unit_test(json_decode_string_never_grows_its_input),
        cmocka_unit_test(job_strings_are_decoded_in_place),
        cmocka_unit_test(bad_job_strings_are_refused),
        cmocka_unit_test(fields_of_the_wrong_type_are_refused),
        cmocka_unit_test(malformed_json_is_refused),
        cmocka_unit_test(trailing_whitespace_is_accepted),
        cmocka_unit_test(text_after_a_nul_is_not_ignored),
        cmocka_unit_test(too_many_tokens_are_refused),
        cmocka_unit_test(fingerprint_changes_with_every_field),
        cmocka_unit_test(fingerprint_ignores_layout_order_and_unknown_fields),
        cmocka_unit_test(fingerprint_spreads_over_40_bits),
        cmocka_unit_test(jobs_handed_out_by_the_stream_parse),
        cmocka_unit_test(every_status_has_its_own_description),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

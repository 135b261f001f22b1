/* SPDX-License-Identifier: Apache-2.0 */
/* test_job_stream.c - the streaming reader of a list-call body (firmware/job_stream.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "job_stream.h"
#include "stream_feed.h"

/* ---- running a body ---------------------------------------------------------------------- */

#define JOBS_TEXT_MAX (64 * 1024)

/* Everything a body produced, to compare runs over different splits. */
typedef struct {
    job_stream_status_t feed_status; /* the first error of a feed, or OK */
    job_stream_status_t finish_status;
    int8_t is_success;
    uint8_t has_jobs;
    uint8_t has_job_total_count;
    uint8_t has_job_count_limit;
    uint8_t has_quotas;
    int64_t job_total_count;
    int64_t job_count_limit;
    int64_t quotas;
    uint32_t jobs_seen;
    char error_code[64];
    char error_message[M2M_API_TEXT_MAX];
    unsigned jobs; /* handler calls */
    size_t longest_job;
    int job_not_terminated;        /* a job text lacked its NUL at job[len] */
    char jobs_text[JOBS_TEXT_MAX]; /* every job, each followed by '\n' */
    size_t jobs_text_len;
    unsigned stop_after; /* the handler returns 7 on this call (1-based); 0 never */
} outcome_t;

static int collect_job(void *user, char *job, size_t len)
{
    outcome_t *o = user;
    o->jobs++;
    if (len > o->longest_job) {
        o->longest_job = len;
    }
    if (job[len] != '\0') {
        o->job_not_terminated = 1;
    }
    if (o->jobs_text_len + len + 1 <= sizeof o->jobs_text) {
        memcpy(o->jobs_text + o->jobs_text_len, job, len);
        o->jobs_text_len += len;
        o->jobs_text[o->jobs_text_len++] = '\n';
    }
    return o->jobs == o->stop_after ? 7 : 0;
}

static job_stream_t stream;

static void run_split(const char *body, size_t len, feed_t how, outcome_t *o)
{
    job_stream_t *s = &stream;
    unsigned stop_after = o->stop_after;

    memset(o, 0, sizeof *o);
    o->stop_after = stop_after;
    job_stream_init(s, collect_job, o);
    o->feed_status = feed_all(s, body, len, how);
    o->finish_status = job_stream_finish(s);
    o->is_success = s->is_success;
    o->has_jobs = s->has_jobs;
    o->has_job_total_count = s->has_job_total_count;
    o->has_job_count_limit = s->has_job_count_limit;
    o->has_quotas = s->has_quotas;
    o->job_total_count = s->job_total_count;
    o->job_count_limit = s->job_count_limit;
    o->quotas = s->quotas;
    o->jobs_seen = s->jobs_seen;
    memcpy(o->error_code, s->error_code, sizeof o->error_code);
    memcpy(o->error_message, s->error_message, sizeof o->error_message);
}

static outcome_t whole_run;
static outcome_t other_run;

static void run(const char *body, outcome_t *o)
{
    run_split(body, strlen(body), whole, o);
}

static void assert_same_outcome(const outcome_t *a, const outcome_t *b)
{
    assert_int_equal(a->feed_status, b->feed_status);
    assert_int_equal(a->finish_status, b->finish_status);
    assert_int_equal(a->is_success, b->is_success);
    assert_int_equal(a->has_jobs, b->has_jobs);
    assert_int_equal(a->has_job_total_count, b->has_job_total_count);
    assert_int_equal(a->has_job_count_limit, b->has_job_count_limit);
    assert_int_equal(a->has_quotas, b->has_quotas);
    assert_true(a->job_total_count == b->job_total_count);
    assert_true(a->job_count_limit == b->job_count_limit);
    assert_true(a->quotas == b->quotas);
    assert_int_equal(a->jobs_seen, b->jobs_seen);
    assert_int_equal(a->jobs, b->jobs);
    assert_string_equal(a->error_code, b->error_code);
    assert_string_equal(a->error_message, b->error_message);
    assert_int_equal(a->jobs_text_len, b->jobs_text_len);
    assert_memory_equal(a->jobs_text, b->jobs_text, a->jobs_text_len);
}

/* The body fed whole, byte by byte and split in two at every boundary gives one outcome. */
static void assert_split_invariant(const char *body)
{
    size_t len = strlen(body);
    size_t k;
    run_split(body, len, whole, &whole_run);
    run_split(body, len, bytewise, &other_run);
    assert_same_outcome(&whole_run, &other_run);
    for (k = 1; k < len; k++) {
        run_split(body, len, split_at(k), &other_run);
        assert_same_outcome(&whole_run, &other_run);
    }
}

/* ---- bodies ------------------------------------------------------------------------------ */

/* The API page's samples, as printed. */
static const char sample_success[] = "{\n"
                                     "    \"is_success\": true,\n"
                                     "    \"quotas\": 5,\n"
                                     "    \"job_total_count\": 1,\n"
                                     "    \"job_count_limit\": 3,\n"
                                     "    \"jobs\": [\n"
                                     "        {\n"
                                     "            \"job_id\": 10,\n"
                                     "            \"job_name\": \"testModelArtsJob\",\n"
                                     "            \"version_id\": 10,\n"
                                     "            \"status\": 10,\n"
                                     "            \"create_time\": 1524189990635,\n"
                                     "            \"duration\": 532003,\n"
                                     "            \"job_desc\": \"This is ModelArts job\",\n"
                                     "            \"version_count\": 5\n"
                                     "        }\n"
                                     "    ]\n"
                                     "}\n";

static const char sample_success_job[] = "{\n"
                                         "            \"job_id\": 10,\n"
                                         "            \"job_name\": \"testModelArtsJob\",\n"
                                         "            \"version_id\": 10,\n"
                                         "            \"status\": 10,\n"
                                         "            \"create_time\": 1524189990635,\n"
                                         "            \"duration\": 532003,\n"
                                         "            \"job_desc\": \"This is ModelArts job\",\n"
                                         "            \"version_count\": 5\n"
                                         "        }";

static const char sample_failure[] = "{\n"
                                     "    \"is_success\": false,\n"
                                     "    \"error_message\": \"Error string\",\n"
                                     "    \"error_code\": \"ModelArts.0105\"\n"
                                     "\n"
                                     "}";

static const char apig_error[] = "{\"error_msg\":\"Incorrect IAM authentication information: "
                                 "verify aksk signature fail\",\"error_code\":\"APIG.0301\","
                                 "\"request_id\":\"8c1e2e3a6f7b4c5d9e0f1a2b3c4d5e6f\"}";

#define JOB_A "{\"job_id\":1,\"job_name\":\"a\",\"status\":7}"
#define JOB_B "{\"job_id\":2,\"job_name\":\"b\",\"status\":10}"

/* The same content with "jobs" and the counts in every position. */
static const char *const key_orders[] = {
    "{\"jobs\":[" JOB_A "," JOB_B "],\"is_success\":true,\"job_total_count\":2,"
    "\"job_count_limit\":3,\"quotas\":4}",
    "{\"is_success\":true,\"jobs\":[" JOB_A "," JOB_B "],\"job_total_count\":2,"
    "\"job_count_limit\":3,\"quotas\":4}",
    "{\"is_success\":true,\"job_total_count\":2,\"job_count_limit\":3,\"quotas\":4,"
    "\"jobs\":[" JOB_A "," JOB_B "]}",
    "{\"quotas\":4,\"job_count_limit\":3,\"jobs\":[" JOB_A "," JOB_B "],\"job_total_count\":2,"
    "\"is_success\":true}",
    "{\"job_count_limit\":3,\"quotas\":4,\"job_total_count\":2,\"is_success\":true,"
    "\"jobs\":[" JOB_A "," JOB_B "]}",
    " \r\n\t{ \"jobs\" : [ " JOB_A " ,\n " JOB_B " ] ,\n \"quotas\" : 4 , \"is_success\" :\ttrue,"
    "\"job_total_count\":2 , \"job_count_limit\" : 3 }\r\n ",
};

/* Unknown top-level values of every type, strings holding brackets, quotes and escapes. */
static const char unknown_fields[] =
    "{\"meta\":{\"a\":[1,2,{\"b\":\"}]{[\\\"\\\\\"}],\"c\":null,\"d\":-1.5e+3},"
    "\"jobs\":[" JOB_A "],"
    "\"list\":[[],[[]],{},\"]\",true,false,null,0,-0.0,1E-7],"
    "\"text\":\"quotas \\\"jobs\\\": [ { \\u00e9 \\ud83d\\ude00\","
    "\"is_success\":true,\"quotas\":9}";

/* Job elements with nested unknown values and strings holding every bracket and escape. */
static const char nested_job_1[] = "{\"job_id\":1,\"x\":{\"y\":[{\"z\":\"}\"},\"]\\\"{[\"]},"
                                   "\"job_name\":\"\\\\\",\"status\":2}";
static const char nested_job_2[] =
    "{\"job_desc\":\"a \\\"quoted\\\" {brace} [bracket] \\\\\",\"job_id\":2,"
    "\"empty\":{},\"arr\":[[],[{}]],\"status\":3,\"u\":\"\\u007d\\u005d\"}";

static char nested_body[1024];

static const char *nested_jobs_body(void)
{
    snprintf(nested_body, sizeof nested_body, "{\"is_success\":true,\"jobs\":[%s,\n%s]}",
             nested_job_1, nested_job_2);
    return nested_body;
}

/* ---- success and failure bodies --------------------------------------------------------- */

static void api_sample_success_body_gives_fields_and_its_job(void **state)
{
    outcome_t *o = &whole_run;
    (void)state;

    run(sample_success, o);
    assert_int_equal(o->feed_status, JOB_STREAM_OK);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->is_success, 1);
    assert_int_equal(o->has_jobs, 1);
    assert_int_equal(o->has_quotas, 1);
    assert_true(o->quotas == 5);
    assert_int_equal(o->has_job_total_count, 1);
    assert_true(o->job_total_count == 1);
    assert_int_equal(o->has_job_count_limit, 1);
    assert_true(o->job_count_limit == 3);
    assert_int_equal(o->jobs_seen, 1);
    assert_int_equal(o->jobs, 1);
    assert_int_equal(o->job_not_terminated, 0);
    assert_string_equal(o->error_code, "");
    assert_string_equal(o->error_message, "");
    /* The element's raw bytes, from '{' to its '}', exactly. */
    assert_int_equal(o->jobs_text_len, strlen(sample_success_job) + 1);
    assert_memory_equal(o->jobs_text, sample_success_job, strlen(sample_success_job));
}

static void api_sample_failure_body_gives_error_message_and_code(void **state)
{
    outcome_t *o = &whole_run;
    (void)state;

    run(sample_failure, o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->is_success, 0);
    assert_string_equal(o->error_message, "Error string");
    assert_string_equal(o->error_code, "ModelArts.0105");
    assert_int_equal(o->has_jobs, 0);
    assert_int_equal(o->has_quotas, 0);
    assert_int_equal(o->has_job_total_count, 0);
    assert_int_equal(o->has_job_count_limit, 0);
    assert_int_equal(o->jobs_seen, 0);
}

static void apig_error_body_gives_error_msg_as_the_message(void **state)
{
    outcome_t *o = &whole_run;
    (void)state;

    run(apig_error, o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->is_success, -1);
    assert_string_equal(o->error_code, "APIG.0301");
    assert_string_equal(o->error_message,
                        "Incorrect IAM authentication information: verify aksk signature fail");
}

static void empty_object_and_empty_jobs_are_complete_bodies(void **state)
{
    outcome_t *o = &whole_run;
    (void)state;

    run("{}", o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->is_success, -1);
    assert_int_equal(o->has_jobs, 0);
    run("{\"jobs\":[]}", o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->has_jobs, 1);
    assert_int_equal(o->jobs_seen, 0);
}

/* ---- key order, layout, unknown values -------------------------------------------------- */

static void keys_in_any_order_give_the_same_result(void **state)
{
    size_t i;
    (void)state;

    run(key_orders[0], &whole_run);
    assert_int_equal(whole_run.finish_status, JOB_STREAM_OK);
    assert_int_equal(whole_run.jobs, 2);
    assert_string_equal(whole_run.jobs_text, JOB_A "\n" JOB_B "\n");
    assert_true(whole_run.quotas == 4 && whole_run.job_total_count == 2 &&
                whole_run.job_count_limit == 3 && whole_run.is_success == 1);
    for (i = 1; i < sizeof key_orders / sizeof key_orders[0]; i++) {
        run(key_orders[i], &other_run);
        assert_same_outcome(&whole_run, &other_run);
    }
}

static void pretty_printed_and_compact_bodies_agree_on_fields(void **state)
{
    static const char compact[] =
        "{\"is_success\":true,\"quotas\":5,\"job_total_count\":1,\"job_count_limit\":3,"
        "\"jobs\":[{\"job_id\":10}]}";
    (void)state;

    run(sample_success, &whole_run);
    run(compact, &other_run);
    assert_int_equal(other_run.finish_status, JOB_STREAM_OK);
    assert_int_equal(whole_run.is_success, other_run.is_success);
    assert_true(whole_run.quotas == other_run.quotas);
    assert_true(whole_run.job_total_count == other_run.job_total_count);
    assert_true(whole_run.job_count_limit == other_run.job_count_limit);
    assert_int_equal(whole_run.jobs_seen, other_run.jobs_seen);
}

static void unknown_top_level_values_are_skipped(void **state)
{
    outcome_t *o = &whole_run;
    (void)state;

    run(unknown_fields, o);
    assert_int_equal(o->feed_status, JOB_STREAM_OK);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->is_success, 1);
    assert_int_equal(o->has_quotas, 1);
    assert_true(o->quotas == 9);
    assert_int_equal(o->jobs, 1);
    assert_string_equal(o->jobs_text, JOB_A "\n");
}

static void jobs_with_nested_unknown_values_are_handed_out_whole(void **state)
{
    outcome_t *o = &whole_run;
    char expected[1024];
    (void)state;

    run(nested_jobs_body(), o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->jobs, 2);
    snprintf(expected, sizeof expected, "%s\n%s\n", nested_job_1, nested_job_2);
    assert_string_equal(o->jobs_text, expected);
}

static void every_split_of_a_body_gives_the_same_result(void **state)
{
    size_t i;
    (void)state;

    assert_split_invariant(sample_success);
    assert_split_invariant(sample_failure);
    assert_split_invariant(apig_error);
    assert_split_invariant(unknown_fields);
    assert_split_invariant(nested_jobs_body());
    for (i = 0; i < sizeof key_orders / sizeof key_orders[0]; i++) {
        assert_split_invariant(key_orders[i]);
    }
    /* Bodies that end in an error give the same error at the same point too. */
    assert_split_invariant("{\"jobs\":[" JOB_A ",{\"a\":\"\x01\"}]}");
    assert_split_invariant("{\"quotas\":18446744073709551616}");
    assert_split_invariant("{\"jobs\":[" JOB_A ",7]}");
    assert_split_invariant("{\"error_message\":\"\\ud83d\\ude00 \\u00e9\\n\"} x");
}

/* ---- field values ------------------------------------------------------------------------ */

static void error_text_escapes_are_decoded_to_utf8(void **state)
{
    outcome_t *o = &whole_run;
    (void)state;

    run("{\"error_message\":\"a\\\"b\\\\c\\/d\\n\\u00e9\\u20ac\\ud83d\\ude00|\\ud83d|\\ude00\","
        "\"error_code\":\"\\u0041PIG.0301\"}",
        o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_string_equal(o->error_message, "a\"b\\c/d\n\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80|"
                                          "\xEF\xBF\xBD|\xEF\xBF\xBD");
    assert_string_equal(o->error_code, "APIG.0301");
}

/* A message of n two-byte characters (U+00E9), as raw UTF-8 or as \u00e9 escapes. */
static char long_text_body[16 * 1024];

static const char *long_message_body(size_t n, int escaped)
{
    size_t i;
    size_t at = (size_t)snprintf(long_text_body, sizeof long_text_body, "{\"error_message\":\"");
    for (i = 0; i < n; i++) {
        at += (size_t)snprintf(long_text_body + at, sizeof long_text_body - at, "%s",
                               escaped ? "\\u00e9" : "\xC3\xA9");
    }
    snprintf(long_text_body + at, sizeof long_text_body - at, "\",\"quotas\":1}");
    return long_text_body;
}

static void long_error_text_is_cut_at_a_utf8_boundary(void **state)
{
    outcome_t *o = &whole_run;
    static const size_t counts[] = {10, 79, 80, 81, 200, 2000};
    size_t i;
    int escaped;
    (void)state;

    for (escaped = 0; escaped <= 1; escaped++) {
        for (i = 0; i < sizeof counts / sizeof counts[0]; i++) {
            size_t n = counts[i];
            size_t keep = n * 2 < M2M_API_TEXT_MAX ? n * 2 : (M2M_API_TEXT_MAX - 1) & ~(size_t)1;
            size_t k;
            run(long_message_body(n, escaped), o);
            assert_int_equal(o->finish_status, JOB_STREAM_OK);
            assert_int_equal(o->has_quotas, 1);
            assert_int_equal(strlen(o->error_message), keep);
            for (k = 0; k < keep; k += 2) {
                assert_memory_equal(o->error_message + k, "\xC3\xA9", 2);
            }
        }
    }
    /* An odd cut: one ASCII byte first, so the buffer's end falls inside a character. */
    run("{\"error_code\":\"x\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
        "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
        "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
        "\xC3\xA9\xC3\xA9\"}",
        o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(strlen(o->error_code), 63); /* 'x' and 31 whole characters */
    assert_memory_equal(o->error_code + 61, "\xC3\xA9", 2);
}

static void duplicate_top_level_keys_keep_the_last_value(void **state)
{
    outcome_t *o = &whole_run;
    (void)state;

    run("{\"quotas\":1,\"is_success\":true,\"error_code\":\"A\",\"quotas\":2,"
        "\"is_success\":false,\"error_code\":\"B\",\"job_total_count\":5,\"job_total_count\":null,"
        "\"error_msg\":\"m1\",\"error_message\":\"m2\"}",
        o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_true(o->quotas == 2);
    assert_int_equal(o->is_success, 0);
    assert_string_equal(o->error_code, "B");
    assert_int_equal(o->has_job_total_count, 0);
    assert_string_equal(o->error_message, "m2");
}

static void known_fields_of_another_type_are_absent(void **state)
{
    static const char *const bodies[] = {
        "{\"quotas\":null,\"job_total_count\":{\"a\":1},\"job_count_limit\":\"3\","
        "\"is_success\":null,\"error_code\":7,\"error_message\":[\"x\"]}",
        "{\"quotas\":true,\"job_total_count\":[1],\"job_count_limit\":false,"
        "\"is_success\":\"true\",\"error_code\":{},\"error_msg\":null}",
        "{\"quotas\":{\"quotas\":5},\"is_success\":{\"is_success\":true},"
        "\"error_code\":[\"error_code\"]}",
    };
    outcome_t *o = &whole_run;
    size_t i;
    (void)state;

    for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        run(bodies[i], o);
        assert_int_equal(o->finish_status, JOB_STREAM_OK);
        assert_int_equal(o->has_quotas, 0);
        assert_int_equal(o->has_job_total_count, 0);
        assert_int_equal(o->has_job_count_limit, 0);
        assert_int_equal(o->is_success, -1);
        assert_string_equal(o->error_code, "");
        assert_string_equal(o->error_message, "");
    }
}

static void null_jobs_is_absent(void **state)
{
    outcome_t *o = &whole_run;
    (void)state;

    run("{\"jobs\":null,\"is_success\":true}", o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->has_jobs, 0);
    assert_int_equal(o->jobs_seen, 0);
}

static void top_level_integers_are_exact_over_64_bits(void **state)
{
    outcome_t *o = &whole_run;
    (void)state;

    run("{\"job_total_count\":9223372036854775807,\"job_count_limit\":-9223372036854775808,"
        "\"quotas\":-0}",
        o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_true(o->job_total_count == INT64_MAX);
    assert_true(o->job_count_limit == INT64_MIN);
    assert_true(o->quotas == 0 && o->has_quotas == 1);
}

static void keys_too_long_for_the_buffer_never_match(void **state)
{
    outcome_t *o = &whole_run;
    (void)state;

    /* Longer than the 24-byte key buffer, sharing a known key's prefix. */
    run("{\"quotas_and_a_long_tail_beyond_the_buffer\":5,"
        "\"jobs_and_a_long_tail_beyond_the_key_buffer\":7,\"job_total_count_with_suffix\":3}",
        o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->has_quotas, 0);
    assert_int_equal(o->has_jobs, 0);
    assert_int_equal(o->has_job_total_count, 0);
    /* A prefix of a known key is not that key either. */
    run("{\"quota\":5,\"job\":[1],\"is_succes\":true}", o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->has_quotas, 0);
    assert_int_equal(o->is_success, -1);
}

static void escaped_keys_match_their_decoded_name(void **state)
{
    outcome_t *o = &whole_run;
    (void)state;

    run("{\"\\u0071uotas\":5,\"job\\u0073\":[" JOB_A "]}", o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->has_quotas, 1);
    assert_true(o->quotas == 5);
    assert_int_equal(o->jobs, 1);
}

static void nested_keys_named_like_top_level_fields_are_ignored(void **state)
{
    outcome_t *o = &whole_run;
    (void)state;

    run("{\"x\":{\"quotas\":5,\"jobs\":7,\"is_success\":true,\"error_code\":\"E\"},"
        "\"y\":[{\"jobs\":[1]}]}",
        o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->has_quotas, 0);
    assert_int_equal(o->has_jobs, 0);
    assert_int_equal(o->is_success, -1);
    assert_string_equal(o->error_code, "");
}

/* ---- errors ------------------------------------------------------------------------------ */

/* A body holding NUL bytes, with its length. */
#define WITH_NUL(text) text, sizeof(text) - 1

typedef struct {
    const char *body;
    size_t len; /* 0: strlen(body) */
    job_stream_status_t expected;
} error_case_t;

static const error_case_t error_cases[] = {
    /* ERR_SYNTAX */
    {"{\"a\":tru}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":nul}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":truex}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":1,}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{,\"a\":1}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\" 1}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\"::1}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":1 \"b\":2}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{a:1}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{'a':1}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":\"x\x01\"}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":\"x\ny\"}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":\"\\q\"}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":\"\\u12G4\"}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":\"\\u12\"}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":01}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":-}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":+1}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":1.}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":.5}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":1e}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":1e+}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":1.5.5}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":[1,]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":[1 2]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":[}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":{]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":{\"b\":1]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"a\":1]", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"jobs\":[{\"a\":\"\x01\"}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"jobs\":[{\"a\":\"\\\x1f\"}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"jobs\":[{\"a\":[}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"jobs\":[{\"a\":{]}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"jobs\":[{\"a\":1\x02}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"jobs\":[{\"a\":1 \\ }]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"jobs\":[{},]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"jobs\":[{} {}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"jobs\":[{}}", 0, JOB_STREAM_ERR_SYNTAX},
    /* NUL bytes anywhere */
    {WITH_NUL("\0{}"), JOB_STREAM_ERR_SYNTAX},
    {WITH_NUL("{\0}"), JOB_STREAM_ERR_SYNTAX},
    {WITH_NUL("{}\0"), JOB_STREAM_ERR_SYNTAX},
    {WITH_NUL("{\"a\0\":1}"), JOB_STREAM_ERR_SYNTAX},
    {WITH_NUL("{\"a\":\"\\\0\"}"), JOB_STREAM_ERR_SYNTAX},
    {WITH_NUL("{\"a\":1\0}"), JOB_STREAM_ERR_SYNTAX},
    {WITH_NUL("{\"jobs\":[{\"a\":\"\0\"}]}"), JOB_STREAM_ERR_SYNTAX},
    {WITH_NUL("{\"jobs\":[{\"a\":1\0}]}"), JOB_STREAM_ERR_SYNTAX},
    {WITH_NUL("{\"jobs\":[{\"a\":\"\\\0\"}]}"), JOB_STREAM_ERR_SYNTAX},
    {WITH_NUL("{\"jobs\":[\0{}]}"), JOB_STREAM_ERR_SYNTAX},
    /* ERR_NOT_OBJECT */
    {"[]", 0, JOB_STREAM_ERR_NOT_OBJECT},
    {"\"x\"", 0, JOB_STREAM_ERR_NOT_OBJECT},
    {"17", 0, JOB_STREAM_ERR_NOT_OBJECT},
    {"null", 0, JOB_STREAM_ERR_NOT_OBJECT},
    {"  <html>", 0, JOB_STREAM_ERR_NOT_OBJECT},
    {"\xEF\xBB\xBF{}", 0, JOB_STREAM_ERR_NOT_OBJECT},
    /* ERR_JOBS_NOT_ARRAY */
    {"{\"jobs\":{}}", 0, JOB_STREAM_ERR_JOBS_NOT_ARRAY},
    {"{\"jobs\":{\"job_id\":1}}", 0, JOB_STREAM_ERR_JOBS_NOT_ARRAY},
    {"{\"jobs\":\"[]\"}", 0, JOB_STREAM_ERR_JOBS_NOT_ARRAY},
    {"{\"jobs\":1}", 0, JOB_STREAM_ERR_JOBS_NOT_ARRAY},
    {"{\"jobs\":true}", 0, JOB_STREAM_ERR_JOBS_NOT_ARRAY},
    {"{\"jobs\":false}", 0, JOB_STREAM_ERR_JOBS_NOT_ARRAY},
    /* ERR_JOB_NOT_OBJECT */
    {"{\"jobs\":[1]}", 0, JOB_STREAM_ERR_JOB_NOT_OBJECT},
    {"{\"jobs\":[[]]}", 0, JOB_STREAM_ERR_JOB_NOT_OBJECT},
    {"{\"jobs\":[\"{}\"]}", 0, JOB_STREAM_ERR_JOB_NOT_OBJECT},
    {"{\"jobs\":[null]}", 0, JOB_STREAM_ERR_JOB_NOT_OBJECT},
    {"{\"jobs\":[{}, true]}", 0, JOB_STREAM_ERR_JOB_NOT_OBJECT},
    /* ERR_NUMBER */
    {"{\"quotas\":1.5}", 0, JOB_STREAM_ERR_NUMBER},
    {"{\"quotas\":1e3}", 0, JOB_STREAM_ERR_NUMBER},
    {"{\"quotas\":1.0}", 0, JOB_STREAM_ERR_NUMBER},
    {"{\"job_total_count\":9223372036854775808}", 0, JOB_STREAM_ERR_NUMBER},
    {"{\"job_count_limit\":-9223372036854775809}", 0, JOB_STREAM_ERR_NUMBER},
    {"{\"quotas\":123456789012345678901234567890}", 0, JOB_STREAM_ERR_NUMBER},
    /* ERR_TRAILING */
    {"{} x", 0, JOB_STREAM_ERR_TRAILING},
    {"{}{}", 0, JOB_STREAM_ERR_TRAILING},
    {"{\"jobs\":[]}]", 0, JOB_STREAM_ERR_TRAILING},
    /* ERR_TRUNCATED */
    {"", 0, JOB_STREAM_ERR_TRUNCATED},
    {"   ", 0, JOB_STREAM_ERR_TRUNCATED},
    {"{", 0, JOB_STREAM_ERR_TRUNCATED},
    {"{\"jobs\":[{\"job_id\":1}", 0, JOB_STREAM_ERR_TRUNCATED},
    {"{\"error_message\":\"abc", 0, JOB_STREAM_ERR_TRUNCATED},
    {"{\"quotas\":12", 0, JOB_STREAM_ERR_TRUNCATED},
    {"{\"a\":\"\\u00", 0, JOB_STREAM_ERR_TRUNCATED},
};

static void hostile_bodies_give_their_specific_error(void **state)
{
    size_t i;
    (void)state;

    for (i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
        const error_case_t *c = &error_cases[i];
        size_t len = c->len ? c->len : strlen(c->body);
        size_t k;
        run_split(c->body, len, whole, &whole_run);
        if (whole_run.finish_status != c->expected) {
            print_error("case %zu: got \"%s\", expected \"%s\"\n", i,
                        job_stream_strerror(whole_run.finish_status),
                        job_stream_strerror(c->expected));
        }
        assert_int_equal(whole_run.finish_status, c->expected);
        if (c->expected != JOB_STREAM_ERR_TRUNCATED) {
            assert_int_equal(whole_run.feed_status, c->expected);
        }
        /* The same error whatever the split. */
        run_split(c->body, len, bytewise, &other_run);
        assert_same_outcome(&whole_run, &other_run);
        for (k = 1; k < len; k++) {
            run_split(c->body, len, split_at(k), &other_run);
            assert_same_outcome(&whole_run, &other_run);
        }
    }
}

static void a_body_cut_at_any_point_is_truncated(void **state)
{
    const char *bodies[] = {sample_success, sample_failure, apig_error, unknown_fields,
                            nested_jobs_body()};
    size_t b;
    (void)state;

    for (b = 0; b < sizeof bodies / sizeof bodies[0]; b++) {
        const char *body = bodies[b];
        size_t full = strlen(body);
        size_t cut;
        /* The body is complete once its closing brace is in. */
        size_t complete = (size_t)(strrchr(body, '}') - body) + 1;
        for (cut = 0; cut < complete; cut++) {
            run_split(body, cut, whole, &whole_run);
            assert_int_equal(whole_run.feed_status, JOB_STREAM_OK);
            assert_int_equal(whole_run.finish_status, JOB_STREAM_ERR_TRUNCATED);
        }
        for (cut = complete; cut <= full; cut++) {
            run_split(body, cut, whole, &whole_run);
            assert_int_equal(whole_run.finish_status, JOB_STREAM_OK);
        }
    }
}

static char big_body[3 * 1024 * 1024];

static size_t job_of_size(char *out, size_t size)
{
    /* {"job_id":1,"status":2,"pad":"xxx..."} of exactly size bytes */
    static const char head[] = "{\"job_id\":1,\"status\":2,\"pad\":\"";
    size_t pad = size - (sizeof head - 1) - 2;
    memcpy(out, head, sizeof head - 1);
    memset(out + sizeof head - 1, 'x', pad);
    memcpy(out + sizeof head - 1 + pad, "\"}", 2);
    return size;
}

static void job_over_the_job_buffer_is_too_large(void **state)
{
    size_t at;
    (void)state;

    at = (size_t)sprintf(big_body, "{\"jobs\":[");
    at += job_of_size(big_body + at, M2M_JOB_MAX);
    at += (size_t)sprintf(big_body + at, "]}");
    run_split(big_body, at, whole, &whole_run);
    assert_int_equal(whole_run.finish_status, JOB_STREAM_OK);
    assert_int_equal(whole_run.longest_job, M2M_JOB_MAX);
    run_split(big_body, at, bytewise, &other_run);
    assert_same_outcome(&whole_run, &other_run);

    at = (size_t)sprintf(big_body, "{\"jobs\":[");
    at += job_of_size(big_body + at, M2M_JOB_MAX + 1);
    at += (size_t)sprintf(big_body + at, "]}");
    run_split(big_body, at, whole, &whole_run);
    assert_int_equal(whole_run.feed_status, JOB_STREAM_ERR_JOB_TOO_LARGE);
    assert_int_equal(whole_run.finish_status, JOB_STREAM_ERR_JOB_TOO_LARGE);
    assert_int_equal(whole_run.jobs, 0);
    run_split(big_body, at, bytewise, &other_run);
    assert_same_outcome(&whole_run, &other_run);
}

/* {"a": then levels-1 more containers, so the deepest has depth `levels` + 1... built so the
 * deepest container sits at exactly `depth` (the top-level object is 1). */
static size_t nested_body_of_depth(char *out, unsigned depth, int in_job)
{
    size_t at = 0;
    unsigned d;
    unsigned first = in_job ? 4 : 2; /* the depth of the first container opened below */
    at += (size_t)sprintf(out, in_job ? "{\"jobs\":[{\"job_id\":1,\"a\":" : "{\"a\":");
    for (d = first; d <= depth; d++) {
        at += (size_t)sprintf(out + at, (d & 1) ? "[" : "{\"k\":");
    }
    at += (size_t)sprintf(out + at, "\"}]{[\"");
    for (d = depth; d >= first; d--) {
        out[at++] = (d & 1) ? ']' : '}';
    }
    at += (size_t)sprintf(out + at, in_job ? "}]}" : "}");
    return at;
}

static void nesting_over_the_limit_is_too_deep(void **state)
{
    int in_job;
    (void)state;

    for (in_job = 0; in_job <= 1; in_job++) {
        size_t len = nested_body_of_depth(big_body, M2M_JSON_DEPTH_MAX, in_job);
        run_split(big_body, len, whole, &whole_run);
        assert_int_equal(whole_run.finish_status, JOB_STREAM_OK);
        assert_int_equal(whole_run.jobs, (unsigned)in_job);

        len = nested_body_of_depth(big_body, M2M_JSON_DEPTH_MAX + 1, in_job);
        run_split(big_body, len, whole, &whole_run);
        assert_int_equal(whole_run.feed_status, JOB_STREAM_ERR_TOO_DEEP);
        assert_int_equal(whole_run.finish_status, JOB_STREAM_ERR_TOO_DEEP);
        run_split(big_body, len, bytewise, &other_run);
        assert_same_outcome(&whole_run, &other_run);
    }
}

/* Megabytes of junk: the error comes within the first small feed and the rest is refused. */
static void assert_refused_early(size_t len, job_stream_status_t expected)
{
    job_stream_t *s = &stream;
    const size_t chunk = 4096;
    job_stream_status_t st = JOB_STREAM_OK;
    size_t at = 0;

    job_stream_init(s, NULL, NULL);
    while (at < len && st == JOB_STREAM_OK) {
        st = job_stream_feed(s, (const uint8_t *)big_body + at, chunk);
        at += chunk;
    }
    assert_int_equal(st, expected);
    assert_true(at <= chunk);
    assert_int_equal(job_stream_feed(s, (const uint8_t *)big_body + at, chunk),
                     JOB_STREAM_ERR_STATE);
    assert_int_equal(job_stream_finish(s), expected);
}

static void megabytes_of_junk_are_refused_at_once(void **state)
{
    const size_t mb2 = 2u * 1024u * 1024u;
    size_t i;
    uint32_t x = 12345;
    (void)state;

    memset(big_body, '[', mb2);
    assert_refused_early(mb2, JOB_STREAM_ERR_NOT_OBJECT);

    memcpy(big_body, "{\"a\":", 5);
    assert_refused_early(mb2, JOB_STREAM_ERR_TOO_DEEP);

    memset(big_body, '[', mb2);
    memcpy(big_body, "{\"jobs\":[{\"a\":", 14);
    assert_refused_early(mb2, JOB_STREAM_ERR_TOO_DEEP);

    memset(big_body, '[', mb2);
    memcpy(big_body, "{\"jobs\":[", 9);
    assert_refused_early(mb2, JOB_STREAM_ERR_JOB_NOT_OBJECT);

    memcpy(big_body, "{\"jobs\":[{\"p\":\"", 15);
    memset(big_body + 15, 'x', mb2 - 15);
    assert_refused_early(mb2, JOB_STREAM_ERR_JOB_TOO_LARGE);

    for (i = 0; i < mb2; i++) {
        x = x * 1103515245u + 12345u;
        big_body[i] = (char)(x >> 16);
    }
    big_body[0] = '{';
    job_stream_init(&stream, NULL, NULL);
    assert_true(job_stream_feed(&stream, (const uint8_t *)big_body, 4096) < 0);
}

static void long_unknown_string_uses_no_memory_and_finishes(void **state)
{
    const size_t mb2 = 2u * 1024u * 1024u;
    size_t at;
    (void)state;

    at = (size_t)sprintf(big_body, "{\"error_message\":\"");
    memset(big_body + at, 'e', mb2);
    at += mb2;
    at += (size_t)sprintf(big_body + at, "\",\"x\":\"");
    memset(big_body + at, 'x', 1000);
    at += 1000;
    at += (size_t)sprintf(big_body + at, "\",\"quotas\":3}");
    run_split(big_body, at, whole, &whole_run);
    assert_int_equal(whole_run.finish_status, JOB_STREAM_OK);
    assert_int_equal(strlen(whole_run.error_message), M2M_API_TEXT_MAX - 1);
    assert_true(whole_run.quotas == 3);
}

static void handler_can_stop_the_stream(void **state)
{
    outcome_t *o = &whole_run;
    (void)state;

    o->stop_after = 1;
    run_split(key_orders[0], strlen(key_orders[0]), whole, o);
    assert_int_equal(o->feed_status, JOB_STREAM_ERR_CALLBACK);
    assert_int_equal(o->finish_status, JOB_STREAM_ERR_CALLBACK);
    assert_int_equal(stream.callback_result, 7);
    assert_int_equal(o->jobs, 1);
    assert_int_equal(job_stream_feed(&stream, (const uint8_t *)"}", 1), JOB_STREAM_ERR_STATE);
    o->stop_after = 0;
}

static void feeding_after_an_error_is_refused(void **state)
{
    (void)state;

    job_stream_init(&stream, NULL, NULL);
    assert_int_equal(job_stream_feed(&stream, (const uint8_t *)"x", 1), JOB_STREAM_ERR_NOT_OBJECT);
    assert_int_equal(job_stream_feed(&stream, (const uint8_t *)"{}", 2), JOB_STREAM_ERR_STATE);
    assert_int_equal(job_stream_finish(&stream), JOB_STREAM_ERR_NOT_OBJECT);
    /* init makes the stream usable again */
    job_stream_init(&stream, NULL, NULL);
    assert_int_equal(job_stream_feed(&stream, (const uint8_t *)"{}", 2), JOB_STREAM_OK);
    assert_int_equal(job_stream_finish(&stream), JOB_STREAM_OK);
}

static void jobs_are_counted_without_a_handler(void **state)
{
    (void)state;

    job_stream_init(&stream, NULL, NULL);
    assert_int_equal(
        job_stream_feed(&stream, (const uint8_t *)key_orders[2], strlen(key_orders[2])),
        JOB_STREAM_OK);
    assert_int_equal(job_stream_finish(&stream), JOB_STREAM_OK);
    assert_int_equal(stream.jobs_seen, 2);
}

/* ---- memory does not grow with per_page ------------------------------------------------- */

static size_t synthetic_page(char *out, size_t cap, unsigned jobs)
{
    size_t at = (size_t)snprintf(out, cap,
                                 "{\"is_success\":true,\"job_total_count\":%u,"
                                 "\"job_count_limit\":10000,\"jobs\":[",
                                 jobs);
    unsigned i;
    for (i = 0; i < jobs; i++) {
        at += (size_t)snprintf(out + at, cap - at,
                               "%s{\"job_id\":%u,\"job_name\":\"resnet50-imagenet-%05u\","
                               "\"version_id\":%u,\"status\":%u,\"create_time\":1524189990%03u,"
                               "\"duration\":%u,\"job_desc\":\"Nightly fine-tuning run %u of "
                               "the \\\"vision\\\" team {batch 256}\",\"version_count\":%u}",
                               i ? "," : "", 100000 + i, i, 200000 + i, i % 23, i % 1000, i * 1000,
                               i, 1 + i % 9);
    }
    at += (size_t)snprintf(out + at, cap - at, "],\"quotas\":10000}");
    return at;
}

static void memory_does_not_grow_with_per_page(void **state)
{
    static const unsigned pages[] = {1, 10, 1000};
    size_t i;
    (void)state;

    /* The context is one fixed size: one job buffer and a bit per nesting level. */
    assert_true(sizeof(job_stream_t) < M2M_JOB_MAX + 512);
    for (i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        size_t len = synthetic_page(big_body, sizeof big_body, pages[i]);
        run_split(big_body, len, whole, &whole_run);
        assert_int_equal(whole_run.finish_status, JOB_STREAM_OK);
        assert_int_equal(whole_run.jobs, pages[i]);
        assert_int_equal(whole_run.jobs_seen, pages[i]);
        assert_true(whole_run.longest_job <= M2M_JOB_MAX);
        assert_int_equal(whole_run.job_not_terminated, 0);
        assert_true(whole_run.job_total_count == pages[i]);
        /* In 512-byte reads, as the agent feeds it. */
        {
            job_stream_t *s = &stream;
            size_t at;
            memset(&other_run, 0, sizeof other_run);
            job_stream_init(s, collect_job, &other_run);
            for (at = 0; at < len; at += M2M_RECV_CHUNK) {
                size_t n = len - at < M2M_RECV_CHUNK ? len - at : M2M_RECV_CHUNK;
                assert_int_equal(job_stream_feed(s, (const uint8_t *)big_body + at, n),
                                 JOB_STREAM_OK);
            }
            assert_int_equal(job_stream_finish(s), JOB_STREAM_OK);
            assert_int_equal(other_run.jobs, pages[i]);
            assert_int_equal(other_run.jobs_text_len, whole_run.jobs_text_len);
            assert_memory_equal(other_run.jobs_text, whole_run.jobs_text, whole_run.jobs_text_len);
        }
    }
}

static void every_status_has_its_own_description(void **state)
{
    int a;
    int b;
    (void)state;

    for (a = JOB_STREAM_ERR_STATE; a <= JOB_STREAM_OK; a++) {
        const char *text = job_stream_strerror((job_stream_status_t)a);
        assert_non_null(text);
        assert_true(strlen(text) > 0);
        for (b = JOB_STREAM_ERR_STATE; b < a; b++) {
            assert_string_not_equal(text, job_stream_strerror((job_stream_status_t)b));
        }
    }
    assert_non_null(job_stream_strerror((job_stream_status_t)42));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(api_sample_success_body_gives_fields_and_its_job),
        cmocka_unit_test(api_sample_failure_body_gives_error_message_and_code),
        cmocka_unit_test(apig_error_body_gives_error_msg_as_the_message),
        cmocka_unit_test(empty_object_and_empty_jobs_are_complete_bodies),
        cmocka_unit_test(keys_in_any_order_give_the_same_result),
        cmocka_unit_test(pretty_printed_and_compact_bodies_agree_on_fields),
        cmocka_unit_test(unknown_top_level_values_are_skipped),
        cmocka_unit_test(jobs_with_nested_unknown_values_are_handed_out_whole),
        cmocka_unit_test(every_split_of_a_body_gives_the_same_result),
        cmocka_unit_test(error_text_escapes_are_decoded_to_utf8),
        cmocka_unit_test(long_error_text_is_cut_at_a_utf8_boundary),
        cmocka_unit_test(duplicate_top_level_keys_keep_the_last_value),
        cmocka_unit_test(known_fields_of_another_type_are_absent),
        cmocka_unit_test(null_jobs_is_absent),
        cmocka_unit_test(top_level_integers_are_exact_over_64_bits),
        cmocka_unit_test(keys_too_long_for_the_buffer_never_match),
        cmocka_unit_test(escaped_keys_match_their_decoded_name),
        cmocka_unit_test(nested_keys_named_like_top_level_fields_are_ignored),
        cmocka_unit_test(hostile_bodies_give_their_specific_error),
        cmocka_unit_test(a_body_cut_at_any_point_is_truncated),
        cmocka_unit_test(job_over_the_job_buffer_is_too_large),
        cmocka_unit_test(nesting_over_the_limit_is_too_deep),
        cmocka_unit_test(megabytes_of_junk_are_refused_at_once),
        cmocka_unit_test(long_unknown_string_uses_no_memory_and_finishes),
        cmocka_unit_test(handler_can_stop_the_stream),
        cmocka_unit_test(feeding_after_an_error_is_refused),
        cmocka_unit_test(jobs_are_counted_without_a_handler),
        cmocka_unit_test(memory_does_not_grow_with_per_page),
        cmocka_unit_test(every_status_has_its_own_description),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

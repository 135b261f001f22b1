/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_hostile_input.c - every kind of hostile input the agent can receive,
 * one test each, through the real entry points (HTTP parser, job splitter,
 * job parser, JSON writer): each is refused with its specific error within
 * fixed bounds, never a crash or an unbounded read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http_response.h"
#include "job_record.h"
#include "job_stream.h"
#include "json_writer.h"

/* Feed text whole to a fresh parser; the first error, or the final status. */
static http_response_status_t http_feed_all(const char *text, size_t len, size_t *consumed)
{
    static http_response_t r;
    size_t off = 0;
    http_response_init(&r);
    for (;;) {
        size_t used = 0;
        const uint8_t *body;
        size_t body_len;
        http_response_status_t st =
            http_response_feed(&r, (const uint8_t *)text + off, len - off, &used, &body, &body_len);
        off += used;
        if (st < 0 || st == HTTP_RESPONSE_DONE || st == HTTP_RESPONSE_NEED_MORE) {
            *consumed = off;
            return st;
        }
    }
}

static job_stream_status_t stream_all(const char *text, size_t len)
{
    static job_stream_t s;
    job_stream_status_t st;
    job_stream_init(&s, NULL, NULL);
    st = job_stream_feed(&s, (const uint8_t *)text, len);
    return st != JOB_STREAM_OK ? st : job_stream_finish(&s);
}

static void header_line_over_the_limit_is_refused(void **state)
{
    static char text[M2M_HTTP_LINE_MAX + 64];
    size_t used;
    (void)state;
    strcpy(text, "HTTP/1.1 200 OK\r\nX-Long: ");
    memset(text + strlen(text), 'a', M2M_HTTP_LINE_MAX);
    assert_int_equal(http_feed_all(text, strlen(text), &used), HTTP_RESPONSE_ERR_LINE_TOO_LONG);
    assert_true(used <= 17 + M2M_HTTP_LINE_MAX + 1);
}

static void header_count_over_the_limit_is_refused(void **state)
{
    static char text[(M2M_HTTP_HEADERS_MAX + 2) * 8 + 64];
    size_t used;
    int i;
    (void)state;
    strcpy(text, "HTTP/1.1 200 OK\r\n");
    for (i = 0; i < M2M_HTTP_HEADERS_MAX + 1; i++) {
        strcat(text, "A: b\r\n");
    }
    assert_int_equal(http_feed_all(text, strlen(text), &used), HTTP_RESPONSE_ERR_TOO_MANY_HEADERS);
}

static void chunk_size_that_overflows_is_refused(void **state)
{
    static const char text[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                               "10000000000000001\r\n";
    size_t used;
    (void)state;
    assert_int_equal(http_feed_all(text, sizeof text - 1, &used),
                     HTTP_RESPONSE_ERR_CHUNK_TOO_LARGE);
}

static void content_length_over_the_limit_is_refused(void **state)
{
    static const char text[] = "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n";
    size_t used;
    http_response_status_t st;
    (void)state;
    st = http_feed_all(text, sizeof text - 1, &used);
    assert_true(st == HTTP_RESPONSE_ERR_BODY_TOO_LARGE || st == HTTP_RESPONSE_ERR_CONTENT_LENGTH);
}

static void nul_byte_in_a_header_is_refused(void **state)
{
    static const char text[] = "HTTP/1.1 200 OK\r\nX-A: b\0c\r\n\r\n";
    size_t used;
    (void)state;
    assert_true(http_feed_all(text, sizeof text - 1, &used) < 0);
}

static void nesting_deeper_than_the_limit_is_refused(void **state)
{
    static char text[M2M_JSON_DEPTH_MAX * 8 + 64];
    int i;
    (void)state;
    strcpy(text, "{\"x\":");
    for (i = 0; i < M2M_JSON_DEPTH_MAX + 1; i++) {
        strcat(text, "[");
    }
    assert_int_equal(stream_all(text, strlen(text)), JOB_STREAM_ERR_TOO_DEEP);
}

static void job_object_larger_than_its_buffer_is_refused(void **state)
{
    static char text[M2M_JOB_MAX + 128];
    size_t n;
    (void)state;
    strcpy(text, "{\"jobs\":[{\"job_id\":1,\"job_desc\":\"");
    n = strlen(text);
    memset(text + n, 'd', M2M_JOB_MAX);
    strcpy(text + n + M2M_JOB_MAX, "\"}]}");
    assert_int_equal(stream_all(text, strlen(text)), JOB_STREAM_ERR_JOB_TOO_LARGE);
}

static void megabytes_of_junk_are_refused_at_once(void **state)
{
    const size_t len = 4u << 20;
    char *junk = malloc(len);
    static job_stream_t s;
    (void)state;
    assert_non_null(junk);
    memset(junk, '#', len);
    job_stream_init(&s, NULL, NULL);
    /* The first byte already decides: the rest is never looked at. */
    assert_int_equal(job_stream_feed(&s, (const uint8_t *)junk, 1), JOB_STREAM_ERR_NOT_OBJECT);
    assert_int_equal(job_stream_feed(&s, (const uint8_t *)junk, len), JOB_STREAM_ERR_STATE);
    free(junk);
}

static void nul_byte_in_the_body_is_refused(void **state)
{
    static const char text[] = "{\"jobs\":[{\"job_id\":1,\"status\":8,\"job_name\":\"a\0b\"}]}";
    (void)state;
    assert_int_equal(stream_all(text, sizeof text - 1), JOB_STREAM_ERR_SYNTAX);
}

static void invalid_utf8_in_a_job_name_is_published_as_replacement_characters(void **state)
{
    char out[64];
    json_writer_t w;
    (void)state;
    json_writer_init(&w, out, sizeof out);
    json_string(&w, "a\xff\xc0\x80z", 5);
    assert_true(json_writer_result(&w) > 0);
    assert_string_equal(out, "\"a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBDz\"");
}

static void number_beyond_64_bits_is_refused(void **state)
{
    static const char top[] = "{\"job_total_count\":9223372036854775808,\"jobs\":[]}";
    char job[] = "{\"job_id\":18446744073709551616,\"status\":8}";
    static job_record_parser_t p;
    job_record_t rec;
    (void)state;
    assert_int_equal(stream_all(top, sizeof top - 1), JOB_STREAM_ERR_NUMBER);
    assert_int_equal(job_record_parse(&p, job, strlen(job), &rec), JOB_RECORD_ERR_NUMBER);
}

static void jobs_that_is_not_an_array_is_refused(void **state)
{
    static const char text[] = "{\"is_success\":true,\"jobs\":{\"job_id\":1}}";
    (void)state;
    assert_int_equal(stream_all(text, sizeof text - 1), JOB_STREAM_ERR_JOBS_NOT_ARRAY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_line_over_the_limit_is_refused),
        cmocka_unit_test(header_count_over_the_limit_is_refused),
        cmocka_unit_test(chunk_size_that_overflows_is_refused),
        cmocka_unit_test(content_length_over_the_limit_is_refused),
        cmocka_unit_test(nul_byte_in_a_header_is_refused),
        cmocka_unit_test(nesting_deeper_than_the_limit_is_refused),
        cmocka_unit_test(job_object_larger_than_its_buffer_is_refused),
        cmocka_unit_test(megabytes_of_junk_are_refused_at_once),
        cmocka_unit_test(nul_byte_in_the_body_is_refused),
        cmocka_unit_test(invalid_utf8_in_a_job_name_is_published_as_replacement_characters),
        cmocka_unit_test(number_beyond_64_bits_is_refused),
        cmocka_unit_test(jobs_that_is_not_an_array_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

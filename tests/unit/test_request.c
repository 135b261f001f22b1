/* SPDX-License-Identifier: Apache-2.0 */
/* test_request.c - the list call's request: target, query encoding, head. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "request.h"

static void encode(const char *in, char *out, size_t cap)
{
    strbuf_t sb;
    strbuf_init(&sb, out, cap);
    percent_encode(&sb, in, strlen(in));
    assert_false(sb.overflow);
}

static void test_unreserved_bytes_are_kept(void **state)
{
    char out[128];
    (void)state;
    encode("AZaz09-_.~", out, sizeof out);
    assert_string_equal(out, "AZaz09-_.~");
}

static void test_reserved_and_space_are_percent_encoded_upper_case(void **state)
{
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        {"a b", "a%20b"},
        {"+", "%2B"},
        {"/", "%2F"},
        {"%", "%25"},
        {"=", "%3D"},
        {"&", "%26"},
        {"?#[]@!$'()*,;:", "%3F%23%5B%5D%40%21%24%27%28%29%2A%2C%3B%3A"},
        {"\xc3\xa9", "%C3%A9"},                             /* é */
        {"\xe4\xb8\xad\xe6\x96\x87", "%E4%B8%AD%E6%96%87"}, /* 中文 */
        {"\x01\x7f\xff", "%01%7F%FF"},
        {"", ""},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[128];
        encode(cases[i].in, out, sizeof out);
        assert_string_equal(out, cases[i].out);
    }
}

static void test_target_sends_only_configured_parameters_in_name_order(void **state)
{
    char buf[512];
    strbuf_t sb;
    list_query_t q;
    (void)state;
    memset(&q, 0, sizeof q);
    q.project_id = "p1";
    q.per_page = 100;
    q.page = 3;
    strbuf_init(&sb, buf, sizeof buf);
    request_list_target(&sb, &q);
    assert_string_equal(buf, "/v1/p1/training-jobs?page=3&per_page=100");

    q.sort_by = "create_time";
    q.order = "desc";
    q.search_content = "my job+1/~";
    q.workspace_id = "0";
    q.status = "8";
    strbuf_init(&sb, buf, sizeof buf);
    request_list_target(&sb, &q);
    assert_string_equal(buf, "/v1/p1/training-jobs?order=desc&page=3&per_page=100"
                             "&search_content=my%20job%2B1%2F~&sortBy=create_time&status=8"
                             "&workspace_id=0");
}

static void test_empty_strings_are_not_sent(void **state)
{
    char buf[256];
    strbuf_t sb;
    list_query_t q;
    (void)state;
    memset(&q, 0, sizeof q);
    q.project_id = "p";
    q.search_content = "";
    q.order = "";
    strbuf_init(&sb, buf, sizeof buf);
    request_list_target(&sb, &q);
    assert_string_equal(buf, "/v1/p/training-jobs");
}

static void test_head_has_host_with_port_only_when_not_443(void **state)
{
    char buf[512];
    list_query_t q;
    long n;
    (void)state;
    memset(&q, 0, sizeof q);
    q.project_id = "p";
    q.page = 1;
    n = request_list_head(buf, sizeof buf, &q, "modelarts.example.com", 443, "1.0");
    assert_true(n > 0);
    assert_int_equal((size_t)n, strlen(buf));
    assert_string_equal(buf, "GET /v1/p/training-jobs?page=1 HTTP/1.1\r\n"
                             "Host: modelarts.example.com\r\n"
                             "User-Agent: modelarts2mqtt/1.0\r\n"
                             "Accept: application/json\r\n"
                             "Connection: keep-alive\r\n");
    n = request_list_head(buf, sizeof buf, &q, "localhost", 8443, "1.0");
    assert_true(n > 0);
    assert_non_null(strstr(buf, "\r\nHost: localhost:8443\r\n"));
}

static void test_head_that_does_not_fit_fails_without_overrun(void **state)
{
    char buf[64];
    list_query_t q;
    size_t cap;
    (void)state;
    memset(&q, 0, sizeof q);
    q.project_id = "project";
    q.page = 1;
    for (cap = 1; cap < 40; cap++) {
        memset(buf, 'Z', sizeof buf);
        assert_int_equal(request_list_head(buf, cap, &q, "h", 443, "1"), -1);
        assert_int_equal(buf[cap], 'Z');
    }
}

static void test_search_body_holds_the_filters_in_order(void **state)
{
    char buf[512];
    search_query_t q;
    long n;
    (void)state;
    memset(&q, 0, sizeof q);
    q.offset = 3;
    q.limit = 50;
    q.sort_by = "create_time";
    q.order = "asc";
    q.phases = "Running,Pending";
    q.name_like = "res\"net";
    q.workspace_id = "0";
    n = request_search_body(buf, sizeof buf, &q);
    assert_string_equal(buf, "{\"offset\":3,\"limit\":50,\"sort_by\":\"create_time\",\"order\":"
                             "\"asc\",\"filters\":[{\"key\":\"phase\",\"operator\":\"in\","
                             "\"value\":[\"Running\",\"Pending\"]},{\"key\":\"name\",\"operator\":"
                             "\"like\",\"value\":[\"res\\\"net\"]}],\"workspace_id\":\"0\"}");
    assert_int_equal(n, (long)strlen(buf));
    /* Nothing optional: offset and limit alone; too small a buffer: -1. */
    memset(&q, 0, sizeof q);
    q.limit = 1;
    assert_true(request_search_body(buf, sizeof buf, &q) > 0);
    assert_string_equal(buf, "{\"offset\":0,\"limit\":1}");
    assert_int_equal(request_search_body(buf, 10, &q), -1);
}

static void test_search_head_is_a_post_with_its_length(void **state)
{
    char buf[512];
    long n = request_search_head(buf, sizeof buf, "p 1", "h.example", 8443, "9.9", 123);
    (void)state;
    assert_true(n > 0);
    assert_string_equal(buf, "POST /v2/p%201/training-job-searches HTTP/1.1\r\n"
                             "Host: h.example:8443\r\nUser-Agent: modelarts2mqtt/9.9\r\n"
                             "Accept: application/json\r\n"
                             "Content-Type: application/json;charset=UTF-8\r\n"
                             "Content-Length: 123\r\nConnection: keep-alive\r\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unreserved_bytes_are_kept),
        cmocka_unit_test(test_reserved_and_space_are_percent_encoded_upper_case),
        cmocka_unit_test(test_target_sends_only_configured_parameters_in_name_order),
        cmocka_unit_test(test_empty_strings_are_not_sent),
        cmocka_unit_test(test_head_has_host_with_port_only_when_not_443),
        cmocka_unit_test(test_head_that_does_not_fit_fails_without_overrun),
        cmocka_unit_test(test_search_body_holds_the_filters_in_order),
        cmocka_unit_test(test_search_head_is_a_post_with_its_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

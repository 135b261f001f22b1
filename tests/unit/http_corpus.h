/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http_corpus.h - HTTP responses shared by test_http_response.c and
 * test_http_llhttp.c, each with what the parser must make of it.
 *
 * The valid responses are shaped like real ModelArts and API Gateway replies
 * (header set, error bodies and codes from the API reference). Every entry is
 * fed whole, byte by byte and split in two at every byte boundary. Entries
 * with not_in_llhttp set are left out of the differential test, with the reason
 * (a difference by design or an llhttp 8.1 quirk); the limits of this parser
 * (M2M_HTTP_LINE_MAX, M2M_HTTP_HEADERS_MAX) are built at run time in
 * test_http_response.c.
 */
#ifndef HTTP_CORPUS_H
#define HTTP_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "http_response.h"

typedef struct {
    const char *name;
    const char *raw;
    size_t raw_len;
    http_response_status_t result; /* DONE, or the error from feed or finish */
    int status_code;               /* 0: HEADERS is never returned */
    int http10;                    /* HTTP/1.0 (http_minor 0) */
    int chunked;
    int close; /* keep_alive expected 0 */
    int has_content_length;
    uint64_t content_length;
    int content_type_json;
    int has_retry_after; /* else both retry fields must be -1 */
    int64_t retry_after_seconds;
    int64_t retry_after_date;
    const char *body;
    size_t body_len;
    size_t used;               /* bytes used up to DONE; 0: raw_len */
    const char *not_in_llhttp; /* why the differential test skips it */
} http_case_t;

#define RAW(s) .raw = s, .raw_len = sizeof(s) - 1
#define BODY(s) .body = s, .body_len = sizeof(s) - 1

static const http_case_t http_corpus[] = {
    {
        .name = "modelarts_200_json_content_length",
        RAW("HTTP/1.1 200 OK\r\n"
            "Date: Tue, 28 Nov 2023 07:15:02 GMT\r\n"
            "Content-Type: application/json;charset=utf-8\r\n"
            "Content-Length: 396\r\n"
            "Connection: keep-alive\r\n"
            "Server: api-gateway\r\n"
            "X-Request-Id: 5f2d8c1e9a7b4d3e8f6a2b1c0d9e8f7a\r\n"
            "X-Frame-Options: SAMEORIGIN\r\n"
            "Strict-Transport-Security: max-age=31536000; includeSubdomains;\r\n"
            "X-XSS-Protection: 1; mode=block;\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "\r\n"
            "{\"is_success\":true,\"quotas\":5,\"job_total_count\":2,\"job_count_limit\":500,\"jo"
            "bs\":[{\"job_id\":10,\"job_name\":\"testModelArtsJob\",\"version_id\":10,\"status\":"
            "10,\"create_time\":1524189990635,\"duration\":532003,\"job_desc\":\"This is ModelArt"
            "s job\",\"version_count\":5},{\"job_id\":11,\"job_name\":\"resnet50-finetune\",\"ver"
            "sion_id\":3,\"status\":8,\"create_time\":1524190090000,\"duration\":0,\"job_desc\":"
            "\"\",\"version_count\":1}]}"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .has_content_length = 1,
        .content_length = 396,
        .content_type_json = 1,
        BODY("{\"is_success\":true,\"quotas\":5,\"job_total_count\":2,\"job_count_limit\":500,\"jo"
             "bs\":[{\"job_id\":10,\"job_name\":\"testModelArtsJob\",\"version_id\":10,\"status\":"
             "10,\"create_time\":1524189990635,\"duration\":532003,\"job_desc\":\"This is ModelArt"
             "s job\",\"version_count\":5},{\"job_id\":11,\"job_name\":\"resnet50-finetune\",\"ver"
             "sion_id\":3,\"status\":8,\"create_time\":1524190090000,\"duration\":0,\"job_desc\":"
             "\"\",\"version_count\":1}]}"),
    },
    {
        .name = "modelarts_200_chunked_extensions_trailers",
        RAW("HTTP/1.1 200 OK\r\n"
            "Date: Tue, 28 Nov 2023 07:15:02 GMT\r\n"
            "Content-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n"
            "Server: api-gateway\r\n"
            "X-Request-Id: 5f2d8c1e9a7b4d3e8f6a2b1c0d9e8f7a\r\n"
            "X-Frame-Options: SAMEORIGIN\r\n"
            "Strict-Transport-Security: max-age=31536000; includeSubdomains;\r\n"
            "X-XSS-Protection: 1; mode=block;\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "\r\n"
            "1a;name=value\r\n"
            "{\"is_success\":true,\"quotas\r\n"
            "100;a;b=\"x y\"\r\n"
            "\":5,\"job_total_count\":2,\"job_count_limit\":500,\"jobs\":[{\"job_id\":10,\"job_na"
            "me\":\"testModelArtsJob\",\"version_id\":10,\"status\":10,\"create_time\":1524189990"
            "635,\"duration\":532003,\"job_desc\":\"This is ModelArts job\",\"version_count\":5},"
            "{\"job_id\":11,\"job_name\":\"resnet\r\n"
            "72\r\n"
            "50-finetune\",\"version_id\":3,\"status\":8,\"create_time\":1524190090000,\"duration"
            "\":0,\"job_desc\":\"\",\"version_count\":1}]}\r\n"
            "0;final\r\n"
            "X-Checksum: 9f86d081\r\n"
            "Server-Timing: db;dur=53\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .chunked = 1,
        .content_type_json = 1,
        BODY("{\"is_success\":true,\"quotas\":5,\"job_total_count\":2,\"job_count_limit\":500,\"jo"
             "bs\":[{\"job_id\":10,\"job_name\":\"testModelArtsJob\",\"version_id\":10,\"status\":"
             "10,\"create_time\":1524189990635,\"duration\":532003,\"job_desc\":\"This is ModelArt"
             "s job\",\"version_count\":5},{\"job_id\":11,\"job_name\":\"resnet50-finetune\",\"ver"
             "sion_id\":3,\"status\":8,\"create_time\":1524190090000,\"duration\":0,\"job_desc\":"
             "\"\",\"version_count\":1}]}"),
    },
    {
        .name = "apig_401_error_body",
        RAW("HTTP/1.1 401 Unauthorized\r\n"
            "Date: Tue, 28 Nov 2023 07:15:02 GMT\r\n"
            "Content-Type: application/json\r\n"
            "Content-Length: 149\r\n"
            "Connection: keep-alive\r\n"
            "Server: api-gateway\r\n"
            "X-Request-Id: 5f2d8c1e9a7b4d3e8f6a2b1c0d9e8f7a\r\n"
            "X-Frame-Options: SAMEORIGIN\r\n"
            "Strict-Transport-Security: max-age=31536000; includeSubdomains;\r\n"
            "X-XSS-Protection: 1; mode=block;\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "\r\n"
            "{\"error_msg\":\"Incorrect IAM authentication information: decrypt token fail\",\"er"
            "ror_code\":\"APIG.0301\",\"request_id\":\"2b4c2f0e7e5a4b3c8d9e1f2a3b4c5d6e\"}"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 401,
        .has_content_length = 1,
        .content_length = 149,
        .content_type_json = 1,
        BODY("{\"error_msg\":\"Incorrect IAM authentication information: decrypt token fail\",\"er"
             "ror_code\":\"APIG.0301\",\"request_id\":\"2b4c2f0e7e5a4b3c8d9e1f2a3b4c5d6e\"}"),
    },
    {
        .name = "modelarts_429_retry_after_seconds",
        RAW("HTTP/1.1 429 Too Many Requests\r\n"
            "Date: Tue, 28 Nov 2023 07:15:02 GMT\r\n"
            "Content-Type: application/json;charset=utf-8\r\n"
            "Content-Length: 103\r\n"
            "Retry-After: 120\r\n"
            "Server: api-gateway\r\n"
            "X-Request-Id: 5f2d8c1e9a7b4d3e8f6a2b1c0d9e8f7a\r\n"
            "X-Frame-Options: SAMEORIGIN\r\n"
            "Strict-Transport-Security: max-age=31536000; includeSubdomains;\r\n"
            "X-XSS-Protection: 1; mode=block;\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "\r\n"
            "{\"is_success\":false,\"error_message\":\"Too many requests, try again later\",\"err"
            "or_code\":\"ModelArts.2799\"}"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 429,
        .has_content_length = 1,
        .content_length = 103,
        .content_type_json = 1,
        .has_retry_after = 1,
        .retry_after_seconds = 120,
        .retry_after_date = -1,
        BODY("{\"is_success\":false,\"error_message\":\"Too many requests, try again later\",\"err"
             "or_code\":\"ModelArts.2799\"}"),
    },
    {
        .name = "apig_429_retry_after_date",
        RAW("HTTP/1.1 429 Too Many Requests\r\n"
            "Date: Tue, 28 Nov 2023 07:15:02 GMT\r\n"
            "content-type: application/json\r\n"
            "content-length: 181\r\n"
            "retry-after: Wed, 21 Oct 2015 07:28:00 GMT\r\n"
            "\r\n"
            "{\"error_msg\":\"The throttling threshold has been reached: policy user over ratelim"
            "it,limit:10,time:1 minute\",\"error_code\":\"APIG.0308\",\"request_id\":\"9c1d2e3f4a"
            "5b6c7d8e9f0a1b2c3d4e5f\"}"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 429,
        .has_content_length = 1,
        .content_length = 181,
        .content_type_json = 1,
        .has_retry_after = 1,
        .retry_after_seconds = -1,
        .retry_after_date = 1445412480,
        BODY("{\"error_msg\":\"The throttling threshold has been reached: policy user over ratelim"
             "it,limit:10,time:1 minute\",\"error_code\":\"APIG.0308\",\"request_id\":\"9c1d2e3f4a"
             "5b6c7d8e9f0a1b2c3d4e5f\"}"),
    },
    {
        .name = "modelarts_503_connection_close",
        RAW("HTTP/1.1 503 Service Unavailable\r\n"
            "Date: Tue, 28 Nov 2023 07:15:02 GMT\r\n"
            "Content-Type: application/json;charset=utf-8\r\n"
            "Content-Length: 108\r\n"
            "Connection: close\r\n"
            "\r\n"
            "{\"is_success\":false,\"error_message\":\"The gateway is unavailable, retry later\","
            "\"error_code\":\"ModelArts.4700\"}"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 503,
        .close = 1,
        .has_content_length = 1,
        .content_length = 108,
        .content_type_json = 1,
        BODY("{\"is_success\":false,\"error_message\":\"The gateway is unavailable, retry later\","
             "\"error_code\":\"ModelArts.4700\"}"),
    },
    {
        .name = "no_content_204",
        RAW("HTTP/1.1 204 No Content\r\n"
            "Date: Tue, 28 Nov 2023 07:15:02 GMT\r\n"
            "Server: api-gateway\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 204,
    },
    {
        .name = "not_modified_304_content_length_is_no_body",
        RAW("HTTP/1.1 304 Not Modified\r\n"
            "Date: Tue, 28 Nov 2023 07:15:02 GMT\r\n"
            "Content-Length: 1234\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 304,
        .has_content_length = 1,
        .content_length = 1234,
    },
    {
        .name = "continue_100_then_200",
        RAW("HTTP/1.1 100 Continue\r\n"
            "\r\n"
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: application/json;charset=utf-8\r\n"
            "Content-Length: 103\r\n"
            "\r\n"
            "{\"is_success\":false,\"error_message\":\"Too many requests, try again later\",\"err"
            "or_code\":\"ModelArts.2799\"}"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .has_content_length = 1,
        .content_length = 103,
        .content_type_json = 1,
        BODY("{\"is_success\":false,\"error_message\":\"Too many requests, try again later\",\"err"
             "or_code\":\"ModelArts.2799\"}"),
    },
    {
        .name = "processing_102_with_headers_then_200",
        RAW("HTTP/1.1 102 Processing\r\n"
            "Retry-After: 5\r\n"
            "Content-Type: text/plain\r\n"
            "\r\n"
            "HTTP/1.1 200 OK\r\n"
            "Content-Length: 2\r\n"
            "\r\n"
            "ok"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .has_content_length = 1,
        .content_length = 2,
        BODY("ok"),
    },
    {
        .name = "http10_read_until_close",
        RAW("HTTP/1.0 200 OK\r\n"
            "Content-Type: application/json\r\n"
            "\r\n"
            "{\"is_success\":true,\"quotas\":5,\"job_total_count\":2,\"job_count_limit\":500,\"jo"
            "bs\":[{\"job_id\":10,\"job_name\":\"testModelArtsJob\",\"version_id\":10,\"status\":"
            "10,\"create_time\":1524189990635,\"duration\":532003,\"job_desc\":\"This is ModelArt"
            "s job\",\"version_count\":5},{\"job_id\":11,\"job_name\":\"resnet50-finetune\",\"ver"
            "sion_id\":3,\"status\":8,\"create_time\":1524190090000,\"duration\":0,\"job_desc\":"
            "\"\",\"version_count\":1}]}"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .http10 = 1,
        .close = 1,
        .content_type_json = 1,
        BODY("{\"is_success\":true,\"quotas\":5,\"job_total_count\":2,\"job_count_limit\":500,\"jo"
             "bs\":[{\"job_id\":10,\"job_name\":\"testModelArtsJob\",\"version_id\":10,\"status\":"
             "10,\"create_time\":1524189990635,\"duration\":532003,\"job_desc\":\"This is ModelArt"
             "s job\",\"version_count\":5},{\"job_id\":11,\"job_name\":\"resnet50-finetune\",\"ver"
             "sion_id\":3,\"status\":8,\"create_time\":1524190090000,\"duration\":0,\"job_desc\":"
             "\"\",\"version_count\":1}]}"),
    },
    {
        .name = "http11_read_until_close_keep_alive_ignored",
        RAW("HTTP/1.1 200 OK\r\n"
            "Connection: keep-alive\r\n"
            "Content-Type: text/html\r\n"
            "\r\n"
            "<html>bye</html>"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .close = 1,
        BODY("<html>bye</html>"),
    },
    {
        .name = "http10_keep_alive_content_length",
        RAW("HTTP/1.0 200 OK\r\n"
            "Connection: Keep-Alive\r\n"
            "Content-Length: 5\r\n"
            "\r\n"
            "hello"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .http10 = 1,
        .has_content_length = 1,
        .content_length = 5,
        BODY("hello"),
    },
    {
        .name = "http10_content_length_closes",
        RAW("HTTP/1.0 200 OK\r\n"
            "Content-Length: 5\r\n"
            "\r\n"
            "hello"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .http10 = 1,
        .close = 1,
        .has_content_length = 1,
        .content_length = 5,
        BODY("hello"),
    },
    {
        .name = "connection_token_list_with_close",
        RAW("HTTP/1.1 200 OK\r\n"
            "Connection: Upgrade, CLOSE\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .close = 1,
        .has_content_length = 1,
        .content_length = 0,
    },
    {
        .name = "content_length_zero",
        RAW("HTTP/1.1 200 OK\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .has_content_length = 1,
        .content_length = 0,
    },
    {
        .name = "header_names_any_case_values_with_ows",
        RAW("HTTP/1.1 200 OK\r\n"
            "CONTENT-type: \t Application/Problem+JSON ; charset=utf-8 \t\r\n"
            "TRANSFER-encoding: \t Chunked  \r\n"
            "\r\n"
            "5\r\n"
            "hello\r\n"
            "0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .chunked = 1,
        .content_type_json = 1,
        BODY("hello"),
    },
    {
        .name = "transfer_encoding_chunked_then_tab",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\t\r\n"
            "\r\n"
            "5\r\n"
            "hello\r\n"
            "0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .chunked = 1,
        BODY("hello"),
        .not_in_llhttp =
            "llhttp 8.1 does not strip a trailing HT after chunked and reads the body until close",
    },
    {
        .name = "content_type_not_json",
        RAW("HTTP/1.1 200 OK\r\n"
            "Content-Type: application/jsonp\r\n"
            "Content-Length: 2\r\n"
            "\r\n"
            "{}"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .has_content_length = 1,
        .content_length = 2,
        BODY("{}"),
    },
    {
        .name = "status_line_without_reason",
        RAW("HTTP/1.1 200\r\n"
            "Content-Length: 2\r\n"
            "\r\n"
            "ok"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .has_content_length = 1,
        .content_length = 2,
        BODY("ok"),
    },
    {
        .name = "status_line_with_empty_reason",
        RAW("HTTP/1.1 404 \r\n"
            "Content-Length: 2\r\n"
            "\r\n"
            "no"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 404,
        .has_content_length = 1,
        .content_length = 2,
        BODY("no"),
    },
    {
        .name = "empty_lines_before_status_line",
        RAW("\r\n"
            "\r\n"
            "HTTP/1.1 200 OK\r\n"
            "Content-Length: 2\r\n"
            "\r\n"
            "ok"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .has_content_length = 1,
        .content_length = 2,
        BODY("ok"),
    },
    {
        .name = "obs_text_in_reason_and_value",
        RAW("HTTP/1.1 200 \303\211xito\r\n"
            "X-Note: caf\303\251\r\n"
            "Content-Length: 2\r\n"
            "\r\n"
            "ok"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .has_content_length = 1,
        .content_length = 2,
        BODY("ok"),
    },
    {
        .name = "empty_header_value",
        RAW("HTTP/1.1 200 OK\r\n"
            "X-Empty:\r\n"
            "X-Blank: \t \r\n"
            "Content-Length: 2\r\n"
            "\r\n"
            "ok"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .has_content_length = 1,
        .content_length = 2,
        BODY("ok"),
    },
    {
        .name = "bare_lf_after_status_line",
        RAW("HTTP/1.1 200 OK\n"
            "Content-Length: 2\r\n"
            "\r\n"
            "ok"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .has_content_length = 1,
        .content_length = 2,
        BODY("ok"),
    },
    {
        .name = "chunk_size_leading_zeros",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "00000000000000000005\r\n"
            "hello\r\n"
            "000\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .chunked = 1,
        BODY("hello"),
    },
    {
        .name = "chunk_size_upper_case_hex",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "1A\r\n"
            "abcdefghijklmnopqrstuvwxyz\r\n"
            "0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .chunked = 1,
        BODY("abcdefghijklmnopqrstuvwxyz"),
    },
    {
        .name = "keep_alive_second_response_left_unused",
        RAW("HTTP/1.1 200 OK\r\n"
            "Content-Length: 2\r\n"
            "\r\n"
            "okHTTP/1.1 204 No Content\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .has_content_length = 1,
        .content_length = 2,
        .used = 40,
        BODY("ok"),
    },
    {
        .name = "chunked_then_next_response_left_unused",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "2\r\n"
            "ok\r\n"
            "0\r\n"
            "\r\n"
            "HTTP/1.1 204 No Content\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .chunked = 1,
        .used = 59,
        BODY("ok"),
    },
    {
        .name = "retry_after_unparseable",
        RAW("HTTP/1.1 503 Service Unavailable\r\n"
            "Retry-After: soon\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 503,
        .has_content_length = 1,
        .content_length = 0,
        .has_retry_after = 1,
        .retry_after_seconds = -1,
        .retry_after_date = -1,
    },
    {
        .name = "retry_after_obsolete_date_form",
        RAW("HTTP/1.1 503 Service Unavailable\r\n"
            "Retry-After: Sunday, 06-Nov-94 08:49:37 GMT\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 503,
        .has_content_length = 1,
        .content_length = 0,
        .has_retry_after = 1,
        .retry_after_seconds = -1,
        .retry_after_date = -1,
    },
    {
        .name = "bare_lf_line_ends_everywhere",
        RAW("HTTP/1.1 200 OK\n"
            "Transfer-Encoding: chunked\n"
            "X-A: 1\n"
            "\n"
            "5;x=y\n"
            "hello\n"
            "0\n"
            "X-T: 1\n"
            "\n"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .chunked = 1,
        BODY("hello"),
        .not_in_llhttp =
            "llhttp 8.1 refuses a bare LF after a header value, a chunk size or chunk data",
    },
    {
        .name = "bare_lf_after_chunk_data",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "2\r\n"
            "ok\n"
            "0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .chunked = 1,
        BODY("ok"),
        .not_in_llhttp =
            "llhttp 8.1 refuses a bare LF after a header value, a chunk size or chunk data",
    },
    {
        .name = "duplicate_content_length_same_value",
        RAW("HTTP/1.1 200 OK\r\n"
            "Content-Length: 2\r\n"
            "Content-Length: 2\r\n"
            "\r\n"
            "ok"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .has_content_length = 1,
        .content_length = 2,
        BODY("ok"),
        .not_in_llhttp =
            "llhttp refuses any repeated Content-Length; RFC 9110 8.6 allows identical ones",
    },
    {
        .name = "chunked_wins_over_content_length",
        RAW("HTTP/1.1 200 OK\r\n"
            "Content-Length: 100\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "2\r\n"
            "ok\r\n"
            "0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .chunked = 1,
        .close = 1,
        .has_content_length = 1,
        .content_length = 100,
        BODY("ok"),
        .not_in_llhttp = "llhttp refuses Content-Length with Transfer-Encoding; here chunked "
                         "decides (RFC 9112 6.3) and the connection is not reused",
    },
    {
        .name = "content_length_with_tab_ows",
        RAW("HTTP/1.1 200 OK\r\n"
            "Content-Length:\t2\t\r\n"
            "\r\n"
            "ok"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .has_content_length = 1,
        .content_length = 2,
        BODY("ok"),
        .not_in_llhttp =
            "llhttp 8.1 refuses HT around a Content-Length value; HT is OWS in RFC 9110",
    },
    {
        .name = "chunk_extension_after_whitespace",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "2 ;a=b\r\n"
            "ok\r\n"
            "0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .chunked = 1,
        BODY("ok"),
        .not_in_llhttp = "llhttp 8.1 refuses BWS before ';' (RFC 9112 7.1.1 allows it)",
    },
    {
        .name = "chunk_extensions_two_with_values",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "2;a=b;c=d\r\n"
            "ok\r\n"
            "0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 200,
        .chunked = 1,
        BODY("ok"),
        .not_in_llhttp = "llhttp 8.1 refuses an unquoted extension value followed by ';'",
    },
    {
        .name = "retry_after_huge_delta_clamped",
        RAW("HTTP/1.1 429 Too Many Requests\r\n"
            "Retry-After: 99999999999999999999\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_DONE,
        .status_code = 429,
        .has_content_length = 1,
        .content_length = 0,
        .has_retry_after = 1,
        .retry_after_seconds = 2147483647,
        .retry_after_date = -1,
    },
    {
        .name = "status_http_1_2",
        RAW("HTTP/1.2 200 OK\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_STATUS_LINE,
    },
    {
        .name = "status_lower_case_protocol",
        RAW("http/1.1 200 OK\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_STATUS_LINE,
    },
    {
        .name = "status_not_http",
        RAW("ICY 200 OK\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_STATUS_LINE,
    },
    {
        .name = "status_code_four_digits",
        RAW("HTTP/1.1 2000 OK\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_STATUS_LINE,
    },
    {
        .name = "status_code_not_numeric",
        RAW("HTTP/1.1 2x0 OK\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_STATUS_LINE,
    },
    {
        .name = "status_no_space_after_version",
        RAW("HTTP/1.1200 OK\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_STATUS_LINE,
    },
    {
        .name = "status_no_space_after_code",
        RAW("HTTP/1.1 200OK\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_STATUS_LINE,
    },
    {
        .name = "status_tab_after_code",
        RAW("HTTP/1.1 200\tOK\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_STATUS_LINE,
    },
    {
        .name = "status_version_only",
        RAW("HTTP/1.1\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_STATUS_LINE,
    },
    {
        .name = "status_http_2",
        RAW("HTTP/2.0 200 OK\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_STATUS_LINE,
        .not_in_llhttp =
            "llhttp accepts HTTP/2.0 on an HTTP/1 stream; only 1.0 and 1.1 are accepted here",
    },
    {
        .name = "status_code_two_digits",
        RAW("HTTP/1.1 20 OK\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_STATUS_LINE,
        .not_in_llhttp = "llhttp accepts status codes of fewer than three digits",
    },
    {
        .name = "status_code_below_100",
        RAW("HTTP/1.1 099 Odd\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_STATUS_LINE,
        .not_in_llhttp = "llhttp accepts status codes below 100",
    },
    {
        .name = "status_control_byte_in_reason",
        RAW("HTTP/1.1 200 O\001K\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_STATUS_LINE,
        .not_in_llhttp = "llhttp accepts control bytes in the reason phrase",
    },
    {
        .name = "status_nul_byte",
        RAW("HTTP/1.1 200 O\000K\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_STATUS_LINE,
        .not_in_llhttp = "llhttp accepts control bytes in the reason phrase",
    },
    {
        .name = "status_bare_cr",
        RAW("HTTP/1.1 200 OK\rContent-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_STATUS_LINE,
        .not_in_llhttp =
            "llhttp 8.1 does not check the byte after the CR that ends the status line",
    },
    {
        .name = "header_space_before_colon",
        RAW("HTTP/1.1 200 OK\r\n"
            "Content-Length : 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_HEADER,
    },
    {
        .name = "header_without_colon",
        RAW("HTTP/1.1 200 OK\r\n"
            "NoColon\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_HEADER,
    },
    {
        .name = "header_first_line_starts_with_space",
        RAW("HTTP/1.1 200 OK\r\n"
            " X: 1\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_HEADER,
    },
    {
        .name = "header_control_byte_in_value",
        RAW("HTTP/1.1 200 OK\r\n"
            "X-A: a\001b\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_HEADER,
    },
    {
        .name = "header_del_in_value",
        RAW("HTTP/1.1 200 OK\r\n"
            "X-A: a\177b\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_HEADER,
    },
    {
        .name = "header_bare_cr_in_value",
        RAW("HTTP/1.1 200 OK\r\n"
            "X-A: a\rb\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_HEADER,
    },
    {
        .name = "header_nul_in_name",
        RAW("HTTP/1.1 200 OK\r\n"
            "X\000A: 1\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_HEADER,
    },
    {
        .name = "header_utf8_in_name",
        RAW("HTTP/1.1 200 OK\r\n"
            "X-\303\251: 1\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_HEADER,
    },
    {
        .name = "header_obs_fold",
        RAW("HTTP/1.1 200 OK\r\n"
            "X-A: a\r\n"
            " b\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_HEADER,
        .not_in_llhttp =
            "llhttp unfolds obs-fold; RFC 9112 5.2 lets a recipient reject it, as done here",
    },
    {
        .name = "header_empty_name",
        RAW("HTTP/1.1 200 OK\r\n"
            ": x\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_HEADER,
        .not_in_llhttp = "llhttp 8.1 accepts an empty field name",
    },
    {
        .name = "header_space_inside_name",
        RAW("HTTP/1.1 200 OK\r\n"
            "X A: 1\r\n"
            "Content-Length: 0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_HEADER,
        .not_in_llhttp = "llhttp 8.1 accepts a space inside a response field name",
    },
    {
        .name = "trailer_without_colon",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "2\r\n"
            "ok\r\n"
            "0\r\n"
            "bad trailer\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_HEADER,
        .status_code = 200,
        .chunked = 1,
        BODY("ok"),
    },
    {
        .name = "trailer_obs_fold",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "0\r\n"
            " x: 1\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_HEADER,
        .status_code = 200,
        .chunked = 1,
        .not_in_llhttp = "llhttp 8.1 accepts a trailer line starting with SP",
    },
    {
        .name = "content_length_plus_sign",
        RAW("HTTP/1.1 200 OK\r\n"
            "Content-Length: +2\r\n"
            "\r\n"
            "ok"),
        .result = HTTP_RESPONSE_ERR_CONTENT_LENGTH,
    },
    {
        .name = "content_length_negative",
        RAW("HTTP/1.1 200 OK\r\n"
            "Content-Length: -1\r\n"
            "\r\n"
            "ok"),
        .result = HTTP_RESPONSE_ERR_CONTENT_LENGTH,
    },
    {
        .name = "content_length_empty",
        RAW("HTTP/1.1 200 OK\r\n"
            "Content-Length: \r\n"
            "\r\n"
            "ok"),
        .result = HTTP_RESPONSE_ERR_CONTENT_LENGTH,
    },
    {
        .name = "content_length_two_numbers",
        RAW("HTTP/1.1 200 OK\r\n"
            "Content-Length: 2 2\r\n"
            "\r\n"
            "ok"),
        .result = HTTP_RESPONSE_ERR_CONTENT_LENGTH,
    },
    {
        .name = "content_length_list",
        RAW("HTTP/1.1 200 OK\r\n"
            "Content-Length: 2, 2\r\n"
            "\r\n"
            "ok"),
        .result = HTTP_RESPONSE_ERR_CONTENT_LENGTH,
    },
    {
        .name = "content_length_hex",
        RAW("HTTP/1.1 200 OK\r\n"
            "Content-Length: 0x10\r\n"
            "\r\n"
            "ok"),
        .result = HTTP_RESPONSE_ERR_CONTENT_LENGTH,
    },
    {
        .name = "content_length_conflicting",
        RAW("HTTP/1.1 200 OK\r\n"
            "Content-Length: 2\r\n"
            "Content-Length: 3\r\n"
            "\r\n"
            "ok"),
        .result = HTTP_RESPONSE_ERR_CONTENT_LENGTH,
    },
    {
        .name = "content_length_overflows_64_bits",
        RAW("HTTP/1.1 200 OK\r\n"
            "Content-Length: 99999999999999999999999\r\n"
            "\r\n"
            "ok"),
        .result = HTTP_RESPONSE_ERR_BODY_TOO_LARGE,
    },
    {
        .name = "content_length_max_uint64",
        RAW("HTTP/1.1 200 OK\r\n"
            "Content-Length: 18446744073709551615\r\n"
            "\r\n"
            "ok"),
        .result = HTTP_RESPONSE_ERR_BODY_TOO_LARGE,
        .not_in_llhttp = "M2M_HTTP_BODY_MAX is this parser's limit; llhttp has none",
    },
    {
        .name = "chunk_size_empty",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "\r\n"
            "ok\r\n"
            "0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_CHUNK_SIZE,
        .status_code = 200,
        .chunked = 1,
    },
    {
        .name = "chunk_size_not_hex",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "g\r\n"
            "ok\r\n"
            "0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_CHUNK_SIZE,
        .status_code = 200,
        .chunked = 1,
    },
    {
        .name = "chunk_size_negative",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "-2\r\n"
            "ok\r\n"
            "0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_CHUNK_SIZE,
        .status_code = 200,
        .chunked = 1,
    },
    {
        .name = "chunk_size_0x_prefix",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "0x2\r\n"
            "ok\r\n"
            "0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_CHUNK_SIZE,
        .status_code = 200,
        .chunked = 1,
    },
    {
        .name = "chunk_size_trailing_space",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "2 \r\n"
            "ok\r\n"
            "0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_CHUNK_SIZE,
        .status_code = 200,
        .chunked = 1,
    },
    {
        .name = "chunk_size_bare_cr",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "2\rok\r\n"
            "0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_CHUNK_SIZE,
        .status_code = 200,
        .chunked = 1,
    },
    {
        .name = "chunk_size_17_hex_digits",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "FFFFFFFFFFFFFFFFF\r\n"
            "ok\r\n"
            "0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_CHUNK_TOO_LARGE,
        .status_code = 200,
        .chunked = 1,
    },
    {
        .name = "chunk_size_over_body_max",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "1000001\r\n"
            "ok\r\n"
            "0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_CHUNK_TOO_LARGE,
        .status_code = 200,
        .chunked = 1,
        .not_in_llhttp = "M2M_HTTP_BODY_MAX is this parser's limit; llhttp has none",
    },
    {
        .name = "chunk_data_longer_than_size",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "2\r\n"
            "okX\r\n"
            "0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_CHUNK_END,
        .status_code = 200,
        .chunked = 1,
        BODY("ok"),
    },
    {
        .name = "chunk_data_cr_without_lf",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "2\r\n"
            "ok\rX0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_CHUNK_END,
        .status_code = 200,
        .chunked = 1,
        BODY("ok"),
        .not_in_llhttp = "llhttp 8.1 does not check the byte after the CR that ends chunk data",
    },
    {
        .name = "transfer_encoding_identity_with_length",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: identity\r\n"
            "Content-Length: 2\r\n"
            "\r\n"
            "ok"),
        .result = HTTP_RESPONSE_ERR_TRANSFER_ENCODING,
    },
    {
        .name = "transfer_encoding_gzip",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: gzip\r\n"
            "\r\n"
            "ok"),
        .result = HTTP_RESPONSE_ERR_TRANSFER_ENCODING,
        .not_in_llhttp =
            "llhttp reads a response with a non-chunked coding until close; refused here",
    },
    {
        .name = "transfer_encoding_gzip_chunked",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: gzip, chunked\r\n"
            "\r\n"
            "2\r\n"
            "ok\r\n"
            "0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_TRANSFER_ENCODING,
        .not_in_llhttp = "llhttp accepts codings before chunked; only chunked is accepted here",
    },
    {
        .name = "transfer_encoding_chunked_twice",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "2\r\n"
            "ok\r\n"
            "0\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_TRANSFER_ENCODING,
        .not_in_llhttp = "llhttp accepts chunked applied twice (RFC 9112 7 forbids it)",
    },
    {
        .name = "truncated_empty_stream",
        RAW(""),
        .result = HTTP_RESPONSE_ERR_TRUNCATED,
    },
    {
        .name = "truncated_in_status_line",
        RAW("HTTP/1.1 200"),
        .result = HTTP_RESPONSE_ERR_TRUNCATED,
    },
    {
        .name = "truncated_in_headers",
        RAW("HTTP/1.1 200 OK\r\n"
            "Content-Length: 5\r\n"),
        .result = HTTP_RESPONSE_ERR_TRUNCATED,
    },
    {
        .name = "truncated_content_length_body",
        RAW("HTTP/1.1 200 OK\r\n"
            "Content-Length: 5\r\n"
            "\r\n"
            "hel"),
        .result = HTTP_RESPONSE_ERR_TRUNCATED,
        .status_code = 200,
        .has_content_length = 1,
        .content_length = 5,
        BODY("hel"),
    },
    {
        .name = "truncated_in_chunk_data",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "5\r\n"
            "hel"),
        .result = HTTP_RESPONSE_ERR_TRUNCATED,
        .status_code = 200,
        .chunked = 1,
        BODY("hel"),
    },
    {
        .name = "truncated_before_last_chunk",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "5\r\n"
            "hello\r\n"),
        .result = HTTP_RESPONSE_ERR_TRUNCATED,
        .status_code = 200,
        .chunked = 1,
        BODY("hello"),
    },
    {
        .name = "truncated_in_trailers",
        RAW("HTTP/1.1 200 OK\r\n"
            "Transfer-Encoding: chunked\r\n"
            "\r\n"
            "5\r\n"
            "hello\r\n"
            "0\r\n"
            "X-T: 1\r\n"),
        .result = HTTP_RESPONSE_ERR_TRUNCATED,
        .status_code = 200,
        .chunked = 1,
        BODY("hello"),
    },
    {
        .name = "truncated_after_100_continue",
        RAW("HTTP/1.1 100 Continue\r\n"
            "\r\n"),
        .result = HTTP_RESPONSE_ERR_TRUNCATED,
    },
};

#define HTTP_CORPUS_LEN (sizeof http_corpus / sizeof http_corpus[0])

#endif /* HTTP_CORPUS_H */

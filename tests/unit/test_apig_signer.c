/* SPDX-License-Identifier: Apache-2.0 */
/* test_apig_signer.c - SDK-HMAC-SHA256 signing against the official SDK
 * vectors (tests/vectors/apig-vectors.json, or the file named by
 * M2M_VECTORS), and the signer's own rules: dates, query order, canonical
 * URI, argument errors, bounded output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <mbedtls/sha256.h>

#include "apig_signer.h"
#include "job_record.h"
#include "m2m_jsmn.h"

#define VECTORS_DEFAULT "tests/vectors/apig-vectors.json"
#define VECTORS_MIN 9
#define VECTORS_MAX 64
#define JSON_MAX 131072
#define TOKENS_MAX 4096
#define ARENA_MAX 131072
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* ---- the vector file ------------------------------------------------------ */

typedef struct {
    const char *id;
    const char *method;
    const char *host;
    const char *path;
    const char *body;
    size_t body_len;
    const char *ak;
    const char *sk;
    const char *canonical_request;
    const char *string_to_sign;
    const char *signature;
    const char *authorization;
    const char *target_sent;        /* optional */
    const char *upstream_signature; /* optional */
    apig_param_t query[APIG_SIGNER_ITEMS_MAX];
    size_t query_count;
    apig_header_t headers[APIG_SIGNER_ITEMS_MAX];
    size_t header_count;
    const char *signed_names[APIG_SIGNER_ITEMS_MAX];
    size_t signed_count;
} vector_t;

static char json[JSON_MAX];
static jsmntok_t tokens[TOKENS_MAX];
static char arena[ARENA_MAX];
static size_t arena_used;
static vector_t vectors[VECTORS_MAX];

/* Index of the token after t[i] and everything inside it. */
static int next_sibling(const jsmntok_t *t, int n, int i)
{
    int j = i + 1;
    while (j < n && t[j].start < t[i].end) {
        j++;
    }
    return j;
}

static int key_is(const jsmntok_t *t, const char *name)
{
    size_t len = strlen(name);
    return t->type == JSMN_STRING && (size_t)(t->end - t->start) == len &&
           memcmp(json + t->start, name, len) == 0;
}

/* Decode the JSON string token t into the arena; returns the text, NUL-terminated. */
static const char *text_of(const jsmntok_t *t, size_t *out_len)
{
    size_t raw = (size_t)(t->end - t->start);
    char *out = arena + arena_used;
    long n;
    if (t->type != JSMN_STRING) {
        fail_msg("vector file: expected a JSON string at byte %d", t->start);
    }
    if (arena_used + raw + 1 > sizeof arena) {
        fail_msg("vector file: text arena of %zu bytes exhausted", sizeof arena);
    }
    n = json_decode_string(json + t->start, raw, out);
    if (n < 0) {
        fail_msg("vector file: bad JSON string at byte %d", t->start);
    }
    out[n] = '\0';
    arena_used += (size_t)n + 1;
    if (out_len != NULL) {
        *out_len = (size_t)n;
    }
    return out;
}

static void read_query(vector_t *v, int n, int at)
{
    int i = at + 1;
    int k;
    if (tokens[at].type != JSMN_ARRAY || tokens[at].size > APIG_SIGNER_ITEMS_MAX) {
        fail_msg("vector %s: query must be an array of at most %d pairs", v->id,
                 APIG_SIGNER_ITEMS_MAX);
    }
    for (k = 0; k < tokens[at].size; k++) {
        if (tokens[i].type != JSMN_ARRAY || tokens[i].size != 2) {
            fail_msg("vector %s: query pair %d is not [key, value]", v->id, k);
        }
        v->query[k].key = text_of(&tokens[i + 1], NULL);
        v->query[k].value = text_of(&tokens[i + 2], NULL);
        i = next_sibling(tokens, n, i);
    }
    v->query_count = (size_t)tokens[at].size;
}

static void read_headers(vector_t *v, int n, int at)
{
    int i = at + 1;
    int k;
    if (tokens[at].type != JSMN_OBJECT || tokens[at].size > APIG_SIGNER_ITEMS_MAX) {
        fail_msg("vector %s: headers must be an object of at most %d", v->id,
                 APIG_SIGNER_ITEMS_MAX);
    }
    for (k = 0; k < tokens[at].size; k++) {
        v->headers[k].name = text_of(&tokens[i], NULL);
        v->headers[k].value = text_of(&tokens[i + 1], NULL);
        i = next_sibling(tokens, n, i + 1);
    }
    v->header_count = (size_t)tokens[at].size;
}

static void read_signed_names(vector_t *v, int at)
{
    int k;
    if (tokens[at].type != JSMN_ARRAY || tokens[at].size > APIG_SIGNER_ITEMS_MAX) {
        fail_msg("vector %s: signed_headers must be an array of at most %d", v->id,
                 APIG_SIGNER_ITEMS_MAX);
    }
    for (k = 0; k < tokens[at].size; k++) {
        v->signed_names[k] = text_of(&tokens[at + 1 + k], NULL);
    }
    v->signed_count = (size_t)tokens[at].size;
}

static void require(const vector_t *v, const char *value, const char *field)
{
    if (value == NULL) {
        fail_msg("vector %s: field \"%s\" missing", v->id != NULL ? v->id : "?", field);
    }
}

static void read_vector(vector_t *v, int n, int at)
{
    int i = at + 1;
    int k;
    memset(v, 0, sizeof *v);
    if (tokens[at].type != JSMN_OBJECT) {
        fail_msg("vector file: element at byte %d is not an object", tokens[at].start);
    }
    for (k = 0; k < tokens[at].size; k++) {
        const jsmntok_t *key = &tokens[i];
        const jsmntok_t *val = &tokens[i + 1];
        if (key_is(key, "id")) {
            v->id = text_of(val, NULL);
        } else if (key_is(key, "method")) {
            v->method = text_of(val, NULL);
        } else if (key_is(key, "host")) {
            v->host = text_of(val, NULL);
        } else if (key_is(key, "path")) {
            v->path = text_of(val, NULL);
        } else if (key_is(key, "body")) {
            v->body = text_of(val, &v->body_len);
        } else if (key_is(key, "ak")) {
            v->ak = text_of(val, NULL);
        } else if (key_is(key, "sk")) {
            v->sk = text_of(val, NULL);
        } else if (key_is(key, "canonical_request")) {
            v->canonical_request = text_of(val, NULL);
        } else if (key_is(key, "string_to_sign")) {
            v->string_to_sign = text_of(val, NULL);
        } else if (key_is(key, "signature")) {
            v->signature = text_of(val, NULL);
        } else if (key_is(key, "authorization")) {
            v->authorization = text_of(val, NULL);
        } else if (key_is(key, "request_target_sent_by_sdk")) {
            v->target_sent = text_of(val, NULL);
        } else if (key_is(key, "upstream_expected_signature")) {
            v->upstream_signature = text_of(val, NULL);
        } else if (key_is(key, "query")) {
            read_query(v, n, i + 1);
        } else if (key_is(key, "headers")) {
            read_headers(v, n, i + 1);
        } else if (key_is(key, "signed_headers")) {
            read_signed_names(v, i + 1);
        }
        i = next_sibling(tokens, n, i + 1);
    }
    require(v, v->id, "id");
    require(v, v->method, "method");
    require(v, v->host, "host");
    require(v, v->path, "path");
    require(v, v->body, "body");
    require(v, v->ak, "ak");
    require(v, v->sk, "sk");
    require(v, v->canonical_request, "canonical_request");
    require(v, v->string_to_sign, "string_to_sign");
    require(v, v->signature, "signature");
    require(v, v->authorization, "authorization");
    if (v->signed_count == 0 || v->header_count == 0) {
        fail_msg("vector %s: headers or signed_headers missing", v->id);
    }
}

static size_t load_vectors(void)
{
    const char *path = getenv("M2M_VECTORS");
    FILE *f;
    size_t len;
    jsmn_parser parser;
    int n;
    int i;
    int k;
    if (path == NULL || path[0] == '\0') {
        path = VECTORS_DEFAULT;
    }
    f = fopen(path, "rb");
    if (f == NULL) {
        fail_msg("cannot open the signing vectors %s (run from the repository root or set "
                 "M2M_VECTORS)",
                 path);
    }
    len = fread(json, 1, sizeof json, f);
    fclose(f);
    if (len == 0 || len >= sizeof json) {
        fail_msg("signing vectors %s: empty, unreadable or larger than %zu bytes", path,
                 sizeof json - 1);
    }
    jsmn_init(&parser);
    n = jsmn_parse(&parser, json, len, tokens, TOKENS_MAX);
    if (n < 1 || tokens[0].type != JSMN_ARRAY) {
        fail_msg("signing vectors %s: not a JSON array (jsmn %d)", path, n);
    }
    if (tokens[0].size < VECTORS_MIN || tokens[0].size > VECTORS_MAX) {
        fail_msg("signing vectors %s: %d vectors, expected %d..%d", path, tokens[0].size,
                 VECTORS_MIN, VECTORS_MAX);
    }
    arena_used = 0;
    for (k = 0, i = 1; k < tokens[0].size; k++) {
        read_vector(&vectors[k], n, i);
        i = next_sibling(tokens, n, i);
    }
    return (size_t)tokens[0].size;
}

/* ---- helpers ---------------------------------------------------------------- */

static int lower_equal(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
        if (x != *b) {
            return 0;
        }
    }
    return *a == *b;
}

static int is_signed(const vector_t *v, const char *name)
{
    size_t i;
    for (i = 0; i < v->signed_count; i++) {
        if (lower_equal(name, v->signed_names[i])) {
            return 1;
        }
    }
    return 0;
}

static apig_request_t make_request(const char *method, const char *path, const char *query,
                                   const apig_header_t *headers, size_t count)
{
    apig_request_t req;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = path;
    req.canonical_query = query;
    req.headers = headers;
    req.header_count = count;
    return req;
}

static void canonical_request_of(const apig_request_t *req, char *out, size_t cap)
{
    strbuf_t sb;
    strbuf_init(&sb, out, cap);
    assert_int_equal(apig_canonical_request(&sb, req), APIG_SIGNER_OK);
}

static void canonical_query_of(const apig_param_t *params, size_t n, char *out, size_t cap)
{
    strbuf_t sb;
    strbuf_init(&sb, out, cap);
    assert_int_equal(apig_canonical_query(&sb, params, n), APIG_SIGNER_OK);
}

/* ---- the official vectors ------------------------------------------------------ */

static void check_vector(const vector_t *v)
{
    apig_header_t signed_headers[APIG_SIGNER_ITEMS_MAX];
    size_t count = 0;
    size_t i;
    char query[1024];
    char text[4096];
    char authorization[512];
    char signature[APIG_HEX_SHA256_LEN];
    strbuf_t sb;
    apig_request_t req;

    for (i = 0; i < v->header_count; i++) {
        if (is_signed(v, v->headers[i].name)) {
            signed_headers[count++] = v->headers[i];
        }
    }
    if (is_signed(v, "host")) {
        signed_headers[count].name = "Host";
        signed_headers[count].value = v->host;
        count++;
    }
    if (count != v->signed_count) {
        fail_msg("vector %s: %zu of %zu signed headers have a value", v->id, count,
                 v->signed_count);
    }

    canonical_query_of(v->query, v->query_count, query, sizeof query);
    req = make_request(v->method, v->path, query, signed_headers, count);
    req.body = v->body;
    req.body_len = v->body_len;

    canonical_request_of(&req, text, sizeof text);
    assert_string_equal(text, v->canonical_request);

    strbuf_init(&sb, text, sizeof text);
    assert_int_equal(apig_string_to_sign(&sb, &req), APIG_SIGNER_OK);
    assert_string_equal(text, v->string_to_sign);

    assert_int_equal(apig_sign(&req, v->ak, v->sk, authorization, sizeof authorization, signature),
                     APIG_SIGNER_OK);
    assert_string_equal(signature, v->signature);
    assert_string_equal(authorization, v->authorization);
    if (v->upstream_signature != NULL) {
        assert_string_equal(signature, v->upstream_signature);
    }

    /* The query the agent sends is the canonical one, as the Python SDK's. */
    if (v->target_sent != NULL) {
        strbuf_init(&sb, text, sizeof text);
        strbuf_puts(&sb, v->path);
        if (query[0] != '\0') {
            strbuf_putc(&sb, '?');
            strbuf_puts(&sb, query);
        }
        assert_string_equal(text, v->target_sent);
    }
}

static void test_every_official_vector_is_reproduced_byte_for_byte(void **state)
{
    size_t n = load_vectors();
    size_t i;
    (void)state;
    for (i = 0; i < n; i++) {
        print_message("vector %s\n", vectors[i].id);
        check_vector(&vectors[i]);
        print_message("vector %s reproduced\n", vectors[i].id);
    }
}

/* ---- X-Sdk-Date ---------------------------------------------------------------- */

static void test_format_date_gives_utc_civil_time(void **state)
{
    static const struct {
        int64_t ms;
        const char *date;
    } cases[] = {
        {0, "19700101T000000Z"},
        {INT64_C(951827696000), "20000229T123456Z"},  /* leap day of a 400-year leap */
        {INT64_C(951868800000), "20000301T000000Z"},  /* the day after */
        {INT64_C(94694399000), "19721231T235959Z"},   /* end of a leap year */
        {INT64_C(1710490150000), "20240315T080910Z"}, /* the vectors' date */
        {INT64_C(1710490150999), "20240315T080910Z"}, /* milliseconds truncate */
        {INT64_C(2147483648000), "20380119T031408Z"}, /* one past INT32_MAX seconds */
        {INT64_C(4107542399000), "21000228T235959Z"}, /* 2100 is not leap */
        {INT64_C(4107542400000), "21000301T000000Z"},
        {INT64_C(253402300799000), "99991231T235959Z"},
        {INT64_C(253402300799999), "99991231T235959Z"},
        {-1, "19700101T000000Z"},        /* clamped */
        {INT64_MAX, "99991231T235959Z"}, /* clamped */
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[APIG_DATE_LEN + 1];
        out[APIG_DATE_LEN] = 'Z';
        assert_ptr_equal(apig_format_date(cases[i].ms, out), out);
        assert_string_equal(out, cases[i].date);
        assert_int_equal(out[APIG_DATE_LEN], 'Z');
    }
}

/* ---- canonical query -------------------------------------------------------------- */

static void test_query_sorts_raw_key_then_value_upper_case_first(void **state)
{
    static const apig_param_t params[] = {
        {"b", "2"}, {"a", "z"}, {"B", "1"}, {"a", "y"}, {"a", "Y"}, {"A", "x"}, {"a", "y"},
    };
    char out[256];
    (void)state;
    canonical_query_of(params, sizeof params / sizeof params[0], out, sizeof out);
    assert_string_equal(out, "A=x&B=1&a=Y&a=y&a=y&a=z&b=2");
}

static void test_query_sorts_before_encoding(void **state)
{
    /* Raw "a." < "a/" but encoded "a%2F" < "a."; the raw order wins. */
    static const apig_param_t params[] = {{"a/", "2"}, {"a.", "1"}, {"k y", "a+b ~"}};
    char out[256];
    (void)state;
    canonical_query_of(params, 3, out, sizeof out);
    assert_string_equal(out, "a.=1&a%2F=2&k%20y=a%2Bb%20~");
}

static void test_query_empty_value_keeps_the_equals_sign(void **state)
{
    static const apig_param_t params[] = {{"search_content", ""}, {"flag", ""}};
    char out[64];
    (void)state;
    canonical_query_of(params, 2, out, sizeof out);
    assert_string_equal(out, "flag=&search_content=");
    canonical_query_of(params, 0, out, sizeof out);
    assert_string_equal(out, "");
}

static void test_query_rejects_too_many_or_missing_parts(void **state)
{
    apig_param_t params[APIG_SIGNER_ITEMS_MAX + 1];
    char out[512];
    strbuf_t sb;
    size_t i;
    (void)state;
    for (i = 0; i < APIG_SIGNER_ITEMS_MAX + 1; i++) {
        params[i].key = "k";
        params[i].value = "v";
    }
    strbuf_init(&sb, out, sizeof out);
    assert_int_equal(apig_canonical_query(&sb, params, APIG_SIGNER_ITEMS_MAX), APIG_SIGNER_OK);
    strbuf_init(&sb, out, sizeof out);
    assert_int_equal(apig_canonical_query(&sb, params, APIG_SIGNER_ITEMS_MAX + 1),
                     APIG_SIGNER_ERR_ARGUMENT);
    params[3].value = NULL;
    strbuf_init(&sb, out, sizeof out);
    assert_int_equal(apig_canonical_query(&sb, params, 4), APIG_SIGNER_ERR_ARGUMENT);
    params[3].value = "v";
    params[2].key = "";
    strbuf_init(&sb, out, sizeof out);
    assert_int_equal(apig_canonical_query(&sb, params, 4), APIG_SIGNER_ERR_ARGUMENT);
}

/* ---- canonical request ------------------------------------------------------------ */

static const apig_header_t date_only[] = {{"X-Sdk-Date", "20240315T080910Z"}};

/* The second line of a canonical request. */
static void canonical_uri_of(const char *path, char *out, size_t cap)
{
    char text[1024];
    apig_request_t req = make_request("GET", path, NULL, date_only, 1);
    const char *start;
    const char *end;
    canonical_request_of(&req, text, sizeof text);
    start = strchr(text, '\n') + 1;
    end = strchr(start, '\n');
    assert_true((size_t)(end - start) < cap);
    memcpy(out, start, (size_t)(end - start));
    out[end - start] = '\0';
}

static void test_canonical_uri_encodes_segments_and_ends_in_one_slash(void **state)
{
    static const struct {
        const char *path;
        const char *uri;
    } cases[] = {
        {"/v1/p/training-jobs/", "/v1/p/training-jobs/"},
        {"/v1/p/training-jobs", "/v1/p/training-jobs/"},
        {"/", "/"},
        {"", "/"},
        {"/v1/a b/c~d", "/v1/a%20b/c~d/"},
        {"/v1/%41", "/v1/%2541/"},
        {"/a//b", "/a//b/"},
        {"/\xc3\xa9t\xc3\xa9 + \"long\" segment=*", /* longer than one encoding chunk */
         "/%C3%A9t%C3%A9%20%2B%20%22long%22%20segment%3D%2A/"},
        {"/\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad/x",
         "/%E4%B8%AD%E4%B8%AD%E4%B8%AD%E4%B8%AD%E4%B8%AD%E4%B8%AD/x/"}, /* every byte escaped */
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char uri[256];
        canonical_uri_of(cases[i].path, uri, sizeof uri);
        assert_string_equal(uri, cases[i].uri);
    }
}

static void test_headers_sorted_by_lower_case_name_values_trimmed(void **state)
{
    static const apig_header_t headers[] = {
        {"X-Sdk-Date", " 20240315T080910Z\t"},
        {"x-Project-ID", "p"},
        {"Host", "h"},
        {"Content-Type", "  application/json;  charset=utf8  "},
    };
    char text[1024];
    apig_request_t req = make_request("get", "/v1/p/training-jobs", "a=1", headers, 4);
    strbuf_t sb;
    (void)state;
    canonical_request_of(&req, text, sizeof text);
    assert_string_equal(text, "GET\n/v1/p/training-jobs/\na=1\n"
                              "content-type:application/json;  charset=utf8\n"
                              "host:h\nx-project-id:p\nx-sdk-date:20240315T080910Z\n\n"
                              "content-type;host;x-project-id;x-sdk-date\n" EMPTY_SHA256);
    /* The trimmed date is the one in the string to sign. */
    strbuf_init(&sb, text, sizeof text);
    assert_int_equal(apig_string_to_sign(&sb, &req), APIG_SIGNER_OK);
    assert_memory_equal(text, "SDK-HMAC-SHA256\n20240315T080910Z\n", 33);
}

/* The canonical request goes to a strbuf for apig_canonical_request and
 * straight into SHA-256 for signing; both must be the same bytes. */
static void test_streamed_hash_matches_the_written_canonical_request(void **state)
{
    static const apig_header_t headers[] = {
        {"X-Sdk-Date", "20240315T080910Z"},
        {"Host", "modelarts.cn-north-4.myhuaweicloud.com"},
    };
    static const char body[] = "{\"k\":\"v\"}";
    char text[2048];
    char expect[APIG_HEX_SHA256_LEN];
    unsigned char digest[32];
    strbuf_t sb;
    size_t i;
    /* Segments longer than one encoding step, all bytes or some escaped. */
    apig_request_t req = make_request("POST",
                                      "/v1/a b c d e f g h i j/\xe4\xb8\xad/x=y&z/"
                                      "\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad"
                                      "\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad"
                                      "\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad",
                                      "q=%20", headers, 2);
    (void)state;
    req.body = body;
    req.body_len = sizeof body - 1;
    canonical_request_of(&req, text, sizeof text);
    assert_int_equal(mbedtls_sha256_ret((const unsigned char *)text, strlen(text), digest, 0), 0);
    for (i = 0; i < 32; i++) {
        snprintf(expect + 2 * i, 3, "%02x", digest[i]);
    }
    strbuf_init(&sb, text, sizeof text);
    assert_int_equal(apig_string_to_sign(&sb, &req), APIG_SIGNER_OK);
    assert_string_equal(text + strlen("SDK-HMAC-SHA256\n20240315T080910Z\n"), expect);
}

/* ---- errors ------------------------------------------------------------------------- */

static void expect_argument_error(const apig_request_t *req)
{
    char text[1024];
    char authorization[256];
    strbuf_t sb;
    strbuf_init(&sb, text, sizeof text);
    assert_int_equal(apig_canonical_request(&sb, req), APIG_SIGNER_ERR_ARGUMENT);
    strbuf_init(&sb, text, sizeof text);
    assert_int_equal(apig_string_to_sign(&sb, req), APIG_SIGNER_ERR_ARGUMENT);
    assert_int_equal(apig_sign(req, "ak", "sk", authorization, sizeof authorization, NULL),
                     APIG_SIGNER_ERR_ARGUMENT);
}

static void test_missing_x_sdk_date_is_an_argument_error(void **state)
{
    static const apig_header_t no_date[] = {{"Host", "h"}, {"X-Project-Id", "p"}};
    static const apig_header_t blank_date[] = {{"Host", "h"}, {"X-Sdk-Date", " \t "}};
    apig_request_t req;
    (void)state;
    req = make_request("GET", "/", NULL, no_date, 2);
    expect_argument_error(&req);
    req = make_request("GET", "/", NULL, blank_date, 2);
    expect_argument_error(&req);
}

static void test_malformed_requests_are_argument_errors(void **state)
{
    static const apig_header_t twice[] = {{"Host", "a"}, {"X-Sdk-Date", "d"}, {"host", "b"}};
    static const apig_header_t null_value[] = {{"X-Sdk-Date", "d"}, {"Host", NULL}};
    apig_header_t many[APIG_SIGNER_ITEMS_MAX + 1];
    char names[APIG_SIGNER_ITEMS_MAX + 1][8];
    char authorization[256];
    apig_request_t req;
    size_t i;
    (void)state;
    for (i = 0; i < APIG_SIGNER_ITEMS_MAX + 1; i++) {
        snprintf(names[i], sizeof names[i], "h%02u", (unsigned)i);
        many[i].name = names[i];
        many[i].value = "v";
    }
    many[0].name = "X-Sdk-Date";

    req = make_request("GET", "/", NULL, many, APIG_SIGNER_ITEMS_MAX);
    assert_int_equal(apig_sign(&req, "ak", "sk", authorization, sizeof authorization, NULL),
                     APIG_SIGNER_OK);
    req.header_count = APIG_SIGNER_ITEMS_MAX + 1;
    expect_argument_error(&req);
    req.header_count = 0;
    expect_argument_error(&req);

    req = make_request("GET", "/", NULL, twice, 3);
    expect_argument_error(&req);
    req = make_request("GET", "/", NULL, null_value, 2);
    expect_argument_error(&req);
    req = make_request(NULL, "/", NULL, date_only, 1);
    expect_argument_error(&req);
    req = make_request("GET", NULL, NULL, date_only, 1);
    expect_argument_error(&req);
    req = make_request("POST", "/", NULL, date_only, 1);
    req.body_len = 3; /* and no body */
    expect_argument_error(&req);

    req = make_request("GET", "/", NULL, date_only, 1);
    assert_int_equal(apig_sign(&req, NULL, "sk", authorization, sizeof authorization, NULL),
                     APIG_SIGNER_ERR_ARGUMENT);
    assert_int_equal(apig_sign(&req, "ak", "", authorization, sizeof authorization, NULL),
                     APIG_SIGNER_ERR_ARGUMENT);
    assert_int_equal(apig_sign(NULL, "ak", "sk", authorization, sizeof authorization, NULL),
                     APIG_SIGNER_ERR_ARGUMENT);
}

/* ---- bounded output ------------------------------------------------------------------ */

static const apig_header_t bounded_headers[] = {
    {"X-Sdk-Date", "20240315T080910Z"},
    {"Host", "modelarts.cn-north-4.myhuaweicloud.com"},
    {"X-Project-Id", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"},
};

typedef apig_signer_status_t (*text_writer_t)(strbuf_t *sb, const apig_request_t *req);

static apig_signer_status_t write_query(strbuf_t *sb, const apig_request_t *req)
{
    static const apig_param_t params[] = {{"per_page", "10"}, {"search_content", "a b"}};
    (void)req;
    return apig_canonical_query(sb, params, 2);
}

/* Every capacity below the needed one fails with ERR_SPACE and leaves the
 * bytes from buf[cap] on untouched; the needed one succeeds. */
static void check_every_size(text_writer_t write, const apig_request_t *req)
{
    char full[2048];
    char buf[2048 + 8];
    strbuf_t sb;
    size_t need;
    size_t cap;
    size_t k;
    strbuf_init(&sb, full, sizeof full);
    assert_int_equal(write(&sb, req), APIG_SIGNER_OK);
    need = sb.len + 1;
    for (cap = 1; cap <= need; cap++) {
        memset(buf, 'Z', sizeof buf);
        strbuf_init(&sb, buf, cap);
        if (cap < need) {
            assert_int_equal(write(&sb, req), APIG_SIGNER_ERR_SPACE);
        } else {
            assert_int_equal(write(&sb, req), APIG_SIGNER_OK);
            assert_string_equal(buf, full);
        }
        for (k = cap; k < cap + 8; k++) {
            assert_int_equal(buf[k], 'Z');
        }
    }
}

static void test_too_small_text_buffers_fail_without_overrun(void **state)
{
    apig_request_t req = make_request("GET", "/v1/p/training-jobs", "page=1", bounded_headers, 3);
    (void)state;
    check_every_size(apig_canonical_request, &req);
    check_every_size(apig_string_to_sign, &req);
    check_every_size(write_query, &req);
}

static void test_too_small_authorization_fails_at_every_size_without_overrun(void **state)
{
    apig_request_t req = make_request("GET", "/v1/p/training-jobs", "page=1", bounded_headers, 3);
    char full[512];
    char buf[512 + 8];
    char signature[APIG_HEX_SHA256_LEN + 1];
    size_t need;
    size_t cap;
    size_t k;
    (void)state;
    assert_int_equal(apig_sign(&req, "AK", "SK", full, sizeof full, NULL), APIG_SIGNER_OK);
    need = strlen(full) + 1;
    for (cap = 0; cap <= need; cap++) {
        memset(buf, 'Z', sizeof buf);
        memset(signature, 'Z', sizeof signature);
        if (cap < need) {
            assert_int_equal(apig_sign(&req, "AK", "SK", buf, cap, signature),
                             APIG_SIGNER_ERR_SPACE);
            if (cap > 0) {
                assert_int_equal(buf[0], '\0');
            }
            assert_int_equal(signature[0], 'Z');
        } else {
            assert_int_equal(apig_sign(&req, "AK", "SK", buf, cap, signature), APIG_SIGNER_OK);
            assert_string_equal(buf, full);
            assert_string_equal(signature, strstr(full, "Signature=") + strlen("Signature="));
        }
        for (k = cap; k < cap + 8; k++) {
            assert_int_equal(buf[k], 'Z');
        }
        assert_int_equal(signature[APIG_HEX_SHA256_LEN], 'Z');
    }
}

static void test_strerror_names_each_status(void **state)
{
    static const apig_signer_status_t all[] = {APIG_SIGNER_OK, APIG_SIGNER_ERR_ARGUMENT,
                                               APIG_SIGNER_ERR_SPACE, APIG_SIGNER_ERR_CRYPTO};
    size_t i;
    size_t j;
    (void)state;
    for (i = 0; i < 4; i++) {
        assert_non_null(apig_signer_strerror(all[i]));
        for (j = 0; j < i; j++) {
            assert_string_not_equal(apig_signer_strerror(all[i]), apig_signer_strerror(all[j]));
        }
    }
    assert_non_null(apig_signer_strerror((apig_signer_status_t)42));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_official_vector_is_reproduced_byte_for_byte),
        cmocka_unit_test(test_format_date_gives_utc_civil_time),
        cmocka_unit_test(test_query_sorts_raw_key_then_value_upper_case_first),
        cmocka_unit_test(test_query_sorts_before_encoding),
        cmocka_unit_test(test_query_empty_value_keeps_the_equals_sign),
        cmocka_unit_test(test_query_rejects_too_many_or_missing_parts),
        cmocka_unit_test(test_canonical_uri_encodes_segments_and_ends_in_one_slash),
        cmocka_unit_test(test_headers_sorted_by_lower_case_name_values_trimmed),
        cmocka_unit_test(test_streamed_hash_matches_the_written_canonical_request),
        cmocka_unit_test(test_missing_x_sdk_date_is_an_argument_error),
        cmocka_unit_test(test_malformed_requests_are_argument_errors),
        cmocka_unit_test(test_too_small_text_buffers_fail_without_overrun),
        cmocka_unit_test(test_too_small_authorization_fails_at_every_size_without_overrun),
        cmocka_unit_test(test_strerror_names_each_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

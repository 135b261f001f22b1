/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_iam_token.c - the IAM token request, the token.expires_at scanner and
 * the ISO 8601 time parser (firmware/iam_token.c).
 *
 * Expected times were computed independently (Python's datetime with UTC);
 * the scanner runs over realistic token bodies, whole, one byte at a time and
 * split in two at every byte boundary, each piece in its own heap block of
 * exactly its size so that AddressSanitizer sees any read past it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "iam_token.h"

#define CANARY 0xA5
#define CANARY_LEN 16

/* ---- the request ------------------------------------------------------------------ */

static const char sample_body[] =
    "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":"
    "\"edge-agent\",\"password\":\"s3cr3t-Pw\",\"domain\":{\"name\":"
    "\"OTC-EU-DE-00000000001000000001\"}}}},\"scope\":{\"project\":{\"id\":"
    "\"0123456789abcdef0123456789abcdef\"}}}}";

static long sample_request(char *buf, size_t cap, uint16_t port)
{
    return iam_token_request(buf, cap, "iam.eu-de.otc.t-systems.com", port, "1.2.0", "edge-agent",
                             "OTC-EU-DE-00000000001000000001", "s3cr3t-Pw",
                             "0123456789abcdef0123456789abcdef");
}

/* The value of Content-Length in a request head, or -1. */
static long content_length_of(const char *req)
{
    const char *p = strstr(req, "\r\nContent-Length: ");
    return p != NULL ? strtol(p + 18, NULL, 10) : -1;
}

/* The body: what follows the blank line. */
static const char *body_of(const char *req)
{
    const char *p = strstr(req, "\r\n\r\n");
    assert_non_null(p);
    return p + 4;
}

static void request_bytes_are_exact(void **state)
{
    static const char head[] = "POST /v3/auth/tokens HTTP/1.1\r\n"
                               "Host: iam.eu-de.otc.t-systems.com\r\n"
                               "User-Agent: modelarts2mqtt/1.2.0\r\n"
                               "Content-Type: application/json;charset=utf8\r\n"
                               "Accept: application/json\r\n"
                               "Content-Length: 224\r\n"
                               "Connection: close\r\n"
                               "\r\n";
    char buf[1024], want[1024];
    long n;
    (void)state;

    assert_int_equal(strlen(sample_body), 224);
    snprintf(want, sizeof want, "%s%s", head, sample_body);
    n = sample_request(buf, sizeof buf, 443);
    assert_int_equal(n, (long)strlen(want));
    assert_string_equal(buf, want);
    assert_int_equal(content_length_of(buf), (long)strlen(body_of(buf)));
}

static void host_carries_a_port_other_than_443(void **state)
{
    char buf[1024];
    (void)state;
    assert_true(sample_request(buf, sizeof buf, 8443) > 0);
    assert_non_null(strstr(buf, "\r\nHost: iam.eu-de.otc.t-systems.com:8443\r\n"));
    assert_true(sample_request(buf, sizeof buf, 80) > 0);
    assert_non_null(strstr(buf, "\r\nHost: iam.eu-de.otc.t-systems.com:80\r\n"));
    assert_string_equal(body_of(buf), sample_body);
}

/* Quote, backslash and control bytes in any credential are escaped, and the
 * Content-Length counts the escaped body. */
static void credentials_are_escaped(void **state)
{
    static const char want_body[] =
        "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":"
        "\"u\\\"ser\",\"password\":\"p\\\"w\\\\d\\u0001\\n\\t}{\",\"domain\":{\"name\":"
        "\"d\\\\om\"}}}},\"scope\":{\"project\":{\"id\":\"p\\u001f\"}}}}";
    char buf[1024];
    long n;
    (void)state;
    n = iam_token_request(buf, sizeof buf, "iam.example", 443, "1.2.0", "u\"ser", "d\\om",
                          "p\"w\\d\x01\n\t}{", "p\x1f");
    assert_true(n > 0);
    assert_int_equal((size_t)n, strlen(buf));
    assert_string_equal(body_of(buf), want_body);
    assert_int_equal(content_length_of(buf), (long)strlen(want_body));
}

/* Every capacity below the length plus the NUL gives -1 and writes nothing
 * past cap; the exact capacity gives the same text as a large buffer. */
static void too_small_buffer_is_refused_at_every_size(void **state)
{
    char full[1024];
    long n = sample_request(full, sizeof full, 8443);
    size_t cap, i;
    (void)state;
    assert_true(n > 0);
    for (cap = 0; cap <= (size_t)n + 1; cap++) {
        char *buf = malloc(cap + CANARY_LEN);
        long got;
        assert_non_null(buf);
        memset(buf, CANARY, cap + CANARY_LEN);
        got = sample_request(buf, cap, 8443);
        for (i = cap; i < cap + CANARY_LEN; i++) {
            assert_int_equal((unsigned char)buf[i], CANARY);
        }
        if (cap <= (size_t)n) {
            assert_int_equal(got, -1);
        } else {
            assert_int_equal(got, n);
            assert_string_equal(buf, full);
        }
        free(buf);
    }
    /* The same with the buffer an exact heap block, for AddressSanitizer. */
    for (cap = 1; cap <= (size_t)n; cap++) {
        char *buf = malloc(cap);
        assert_non_null(buf);
        assert_int_equal(sample_request(buf, cap, 8443), -1);
        free(buf);
    }
}

static void null_argument_is_refused(void **state)
{
    char buf[1024];
    (void)state;
    assert_int_equal(iam_token_request(buf, sizeof buf, NULL, 443, "1", "u", "d", "p", "x"), -1);
    assert_int_equal(iam_token_request(buf, sizeof buf, "h", 443, NULL, "u", "d", "p", "x"), -1);
    assert_int_equal(iam_token_request(buf, sizeof buf, "h", 443, "1", NULL, "d", "p", "x"), -1);
    assert_int_equal(iam_token_request(buf, sizeof buf, "h", 443, "1", "u", NULL, "p", "x"), -1);
    assert_int_equal(iam_token_request(buf, sizeof buf, "h", 443, "1", "u", "d", NULL, "x"), -1);
    assert_int_equal(iam_token_request(buf, sizeof buf, "h", 443, "1", "u", "d", "p", NULL), -1);
}

/* ---- the expiry scanner -------------------------------------------------------------- */

typedef struct {
    char *buf;
    size_t len;
    size_t cap;
} text_t;

static void text_puts(text_t *t, const char *s)
{
    size_t n = strlen(s);
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->buf = realloc(t->buf, t->cap);
        assert_non_null(t->buf);
    }
    memcpy(t->buf + t->len, s, n + 1);
    t->len += n;
}

/* The expected expiry of the realistic bodies: 2026-11-29T15:16:45.123Z. */
#define EXPIRY_MS (1795965405LL * 1000 + 123)

/* A catalog of `entries` services shaped like IAM's, each with decoys: an
 * "expires_at" of its own, strings holding braces, brackets, quotes,
 * backslashes and the text of a token expiry. */
static void put_catalog(text_t *t, int entries)
{
    int i;
    char item[1024];
    text_puts(t, "\"catalog\":[");
    for (i = 0; i < entries; i++) {
        snprintf(
            item, sizeof item,
            "%s{\"endpoints\":[{\"id\":\"%032x\",\"interface\":\"public\","
            "\"region\":\"eu-de\",\"region_id\":\"eu-de\",\"url\":"
            "\"https://svc%d.eu-de.otc.t-systems.com/v1/{project_id}\"}],"
            "\"expires_at\":\"1999-01-01T00:00:00Z\",\"id\":\"%032x\","
            "\"name\":\"svc%d }{\\\"token\\\":{\\\"expires_at\\\":\\\"2000-01-01T00:00:00Z\\\"}\","
            "\"type\":\"type%d\\\\\",\"token\":{\"expires_at\":\"2001-01-01T00:00:00Z\"}}",
            i == 0 ? "" : ",", (unsigned)i * 2654435761u, i, (unsigned)i * 40503u, i, i);
        text_puts(t, item);
    }
    text_puts(t, "]");
}

/* The members of "token" in the order given by order[]: 'e' expires_at,
 * 'c' catalog, 'u' user, 'r' roles, 'p' project, 'i' issued_at, 'm' methods. */
static void put_token_members(text_t *t, const char *order)
{
    const char *o;
    for (o = order; *o != '\0'; o++) {
        if (o != order) {
            text_puts(t, ",");
        }
        switch (*o) {
        case 'e':
            text_puts(t, "\"expires_at\":\"2026-11-29T15:16:45.123000Z\"");
            break;
        case 'c':
            put_catalog(t, 16);
            break;
        case 'u':
            text_puts(t,
                      "\"user\":{\"domain\":{\"id\":\"d1\",\"name\":\"OTC-EU-DE\",\"expires_at\":"
                      "\"2002-01-01T00:00:00Z\"},\"id\":\"u1\",\"name\":\"edge-agent\","
                      "\"password_expires_at\":\"2003-01-01T00:00:00Z\"}");
            break;
        case 'r':
            text_puts(t, "\"roles\":[{\"id\":\"r1\",\"name\":\"te_admin\"},{\"id\":\"r2\","
                         "\"name\":\"op_gated_expires_at\"}]");
            break;
        case 'p':
            text_puts(t, "\"project\":{\"domain\":{\"id\":\"d1\",\"name\":\"OTC-EU-DE\"},"
                         "\"id\":\"0123456789abcdef0123456789abcdef\",\"name\":\"eu-de\"}");
            break;
        case 'i':
            text_puts(t, "\"issued_at\" : \"2026-11-28T15:16:45.123000Z\"");
            break;
        default:
            text_puts(t, "\"methods\":[\"password\",\"expires_at\"]");
            break;
        }
    }
}

/* {"token":{...}} with the members in `order`, optionally after top-level
 * decoys (their own "expires_at", an object holding one, a string "token"),
 * and a top-level "expires_at" after it. */
static void build_body(text_t *t, const char *order, int decoys_before)
{
    text_puts(t, "{");
    if (decoys_before) {
        text_puts(t, "\"expires_at\":\"2004-01-01T00:00:00Z\",\"meta\":{\"token\":{\"expires_at\":"
                     "\"2005-01-01T00:00:00Z\"}},\"note\":\"token\",\"list\":[\"token\",{\"token\":"
                     "{\"expires_at\":\"2006-01-01T00:00:00Z\"}}],\"n\":-1.5e3,\"b\":true,"
                     "\"z\":null,");
    }
    text_puts(t, " \"token\" :\n {");
    put_token_members(t, order);
    text_puts(t, "}\n,\"expires_at\":\"2007-01-01T00:00:00Z\"}\r\n");
}

/* Scans len bytes of body: the first piece of `first` bytes, then pieces of
 * `step` bytes, each in its own heap block. */
static int64_t scan(const char *body, size_t len, size_t first, size_t step)
{
    iam_expiry_t e;
    size_t pos = 0, n = first;
    iam_expiry_init(&e);
    iam_expiry_feed(&e, NULL, 0);
    for (;;) {
        uint8_t *piece;
        if (n > len - pos) {
            n = len - pos;
        }
        piece = malloc(n > 0 ? n : 1);
        assert_non_null(piece);
        memcpy(piece, body + pos, n);
        iam_expiry_feed(&e, piece, n);
        free(piece);
        pos += n;
        n = step;
        if (pos == len) {
            break;
        }
    }
    return iam_expiry_result(&e);
}

/* The same result fed whole, byte by byte and in two pieces split at every
 * byte boundary. */
static void check_scan_all_splits(const char *body, size_t len, int64_t want)
{
    size_t k;
    int64_t got = scan(body, len, len, len);
    if (got != want) {
        print_message("body of %zu bytes: got %lld, expected %lld\n", len, (long long)got,
                      (long long)want);
    }
    assert_int_equal(got, want);
    assert_int_equal(scan(body, len, 1, 1), want);
    for (k = 0; k <= len; k++) {
        if (scan(body, len, k, len) != want) {
            print_message("split at %zu\n", k);
            fail();
        }
    }
}

/* A realistic token body of several KB, whatever the order of the members of
 * token (expiry first, last, before or after the catalog) and with decoys
 * before token at the top level. */
static void expiry_found_in_realistic_bodies_at_every_split(void **state)
{
    static const char *const orders[] = {"ecmiupr", "mciuepr", "cmiupre", "pruimce", "e"};
    size_t i;
    int decoys;
    (void)state;
    for (i = 0; i < sizeof orders / sizeof orders[0]; i++) {
        for (decoys = 0; decoys <= 1; decoys++) {
            text_t t = {0};
            build_body(&t, orders[i], decoys);
            if (strchr(orders[i], 'c') != NULL) {
                assert_true(t.len > 4000);
            }
            check_scan_all_splits(t.buf, t.len, EXPIRY_MS);
            free(t.buf);
        }
    }
}

/* Without token.expires_at the result is -1, however many lookalikes the
 * body holds. */
static void expiry_missing_gives_minus_one(void **state)
{
    text_t t = {0};
    (void)state;
    build_body(&t, "mciupr", 1);
    check_scan_all_splits(t.buf, t.len, -1);
    free(t.buf);
}

/* Short bodies: what counts as token.expires_at and what makes the scanner
 * give up. */
static void expiry_cases(void **state)
{
    static const struct {
        const char *what;
        const char *body;
        int64_t want;
    } cases[] = {
        {"minimal", "{\"token\":{\"expires_at\":\"2024-02-29T23:59:59Z\"}}", 1709251199000LL},
        {"whitespace everywhere",
         " \t\r\n{ \"token\" \n:\t{ \"expires_at\" : \"2024-02-29T23:59:59.5Z\" } } \n",
         1709251199500LL},
        {"empty", "", -1},
        {"empty object", "{}", -1},
        {"token not an object", "{\"token\":\"x\",\"t\":{\"expires_at\":\"2024-02-29T23:59:59Z\"}}",
         -1},
        {"token an array", "{\"token\":[{\"expires_at\":\"2024-02-29T23:59:59Z\"}]}", -1},
        {"token a number, then an object",
         "{\"token\":5,\"a\":{\"expires_at\":\"2024-02-29T23:59:59Z\"}}", -1},
        {"expires_at at the top level", "{\"expires_at\":\"2024-02-29T23:59:59Z\"}", -1},
        {"expires_at deeper in token",
         "{\"token\":{\"user\":{\"expires_at\":\"2024-02-29T23:59:59Z\"}}}", -1},
        {"token deeper", "{\"a\":{\"token\":{\"expires_at\":\"2024-02-29T23:59:59Z\"}}}", -1},
        {"token inside token", "{\"token\":{\"token\":{\"expires_at\":\"2024-02-29T23:59:59Z\"}}}",
         -1},
        {"expires_at as a value, time after it",
         "{\"token\":{\"k\":\"expires_at\",\"v\":\"2024-02-29T23:59:59Z\"}}", -1},
        {"token as a value, object after it",
         "{\"k\":\"token\",\"v\":{\"expires_at\":\"2024-02-29T23:59:59Z\"}}", -1},
        {"key with a longer name", "{\"token\":{\"expires_atx\":\"2024-02-29T23:59:59Z\"}}", -1},
        {"key with a shorter name", "{\"token\":{\"expires_a\":\"2024-02-29T23:59:59Z\"}}", -1},
        {"token key with a longer name", "{\"tokens\":{\"expires_at\":\"2024-02-29T23:59:59Z\"}}",
         -1},
        {"key in another case", "{\"token\":{\"Expires_At\":\"2024-02-29T23:59:59Z\"}}", -1},
        {"escaped key", "{\"token\":{\"expires\\u005fat\":\"2024-02-29T23:59:59Z\"}}", -1},
        {"key with an escaped extra byte",
         "{\"token\":{\"expires_a\\\"t\":\"2024-02-29T23:59:59Z\"}}", -1},
        {"value with an escaped extra byte",
         "{\"token\":{\"expires_at\":\"2024-02-29T23:59:59\\/Z\"}}", -1},
        {"object after token at the same level",
         "{\"token\":{\"a\":1},\"x\":{\"expires_at\":\"2024-02-29T23:59:59Z\"}}", -1},
        {"escaped value", "{\"token\":{\"expires_at\":\"2024-02-29T23:59:59\\u005a\"}}", -1},
        {"value not a string", "{\"token\":{\"expires_at\":1709251199}}", -1},
        {"value null", "{\"token\":{\"expires_at\":null}}", -1},
        {"value unparseable", "{\"token\":{\"expires_at\":\"tomorrow\"}}", -1},
        {"value too long", "{\"token\":{\"expires_at\":\"2024-02-29T23:59:59.1234567890Z\"}}", -1},
        {"value far too long",
         "{\"token\":{\"expires_at\":\"2024-02-29T23:59:59Z                                       "
         "                                                                                  "
         "\"}}",
         -1},
        {"repeated: the last counts",
         "{\"token\":{\"expires_at\":\"2000-01-01T00:00:00Z\",\"expires_at\":"
         "\"2024-02-29T23:59:59Z\"}}",
         1709251199000LL},
        {"repeated: the last is not a time",
         "{\"token\":{\"expires_at\":\"2024-02-29T23:59:59Z\",\"expires_at\":false}}", -1},
        {"second token object counts",
         "{\"token\":{\"expires_at\":\"2000-01-01T00:00:00Z\"},\"token\":{\"expires_at\":"
         "\"2024-02-29T23:59:59Z\"}}",
         1709251199000LL},
        {"braces and quotes in strings",
         "{\"x\":\"}}]]{{\\\"\\\\\",\"token\":{\"a\":\"\\\"}{\\\\\",\"b\":[\"]\",\"}\"],"
         "\"expires_at\":\"2024-02-29T23:59:59Z\",\"c\":\"{\\\"expires_at\\\":\\\"x\\\"\"}}",
         1709251199000LL},
        {"empty keys and strings",
         "{\"\":\"\",\"token\":{\"\":\"\",\"expires_at\":"
         "\"2024-02-29T23:59:59Z\",\"\":{}}}",
         1709251199000LL},
        {"NUL byte in a key", "{\"token\":{\"expires_at\\u0000\":1}}", -1},
        {"top level an array", "[{\"token\":{\"expires_at\":\"2024-02-29T23:59:59Z\"}}]", -1},
        {"top level a string", "\"token\"", -1},
        {"closed more than opened", "{\"token\":{\"expires_at\":\"2024-02-29T23:59:59Z\"}}}", -1},
        {"a second top-level value", "{\"token\":{\"expires_at\":\"2024-02-29T23:59:59Z\"}}{}", -1},
        {"truncated after the expiry",
         "{\"token\":{\"expires_at\":\"2024-02-29T23:59:59Z\",\"catalog\":[", 1709251199000LL},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        print_message("expiry case: %s\n", cases[i].what);
        check_scan_all_splits(cases[i].body, strlen(cases[i].body), cases[i].want);
    }
}

/* A raw NUL byte inside a key (not valid JSON, but bytes are bytes) never
 * completes a match. */
static void raw_nul_in_a_key_does_not_match(void **state)
{
    static const char body[] = "{\"token\":{\"expires_at\0\":\"2024-02-29T23:59:59Z\"}}";
    (void)state;
    check_scan_all_splits(body, sizeof body - 1, -1);
}

/* Nesting up to M2M_JSON_DEPTH_MAX (the top-level object counts 1) is
 * scanned; one level more makes the scanner give up for good. */
static void nesting_beyond_the_limit_gives_up(void **state)
{
    int extra;
    (void)state;
    for (extra = 0; extra <= 1; extra++) {
        text_t t = {0};
        int i, levels = M2M_JSON_DEPTH_MAX - 2 + extra; /* top-level and token are 2 */
        text_puts(&t, "{\"token\":{\"x\":");
        for (i = 0; i < levels; i++) {
            text_puts(&t, i % 2 ? "{\"k\":" : "[");
        }
        text_puts(&t, "0");
        for (i = levels - 1; i >= 0; i--) {
            text_puts(&t, i % 2 ? "}" : "]");
        }
        text_puts(&t, ",\"expires_at\":\"2024-02-29T23:59:59Z\"}}");
        check_scan_all_splits(t.buf, t.len, extra ? -1 : 1709251199000LL);
        free(t.buf);
    }
    {
        /* Found before the deep part: giving up still gives -1. */
        text_t t = {0};
        int i;
        text_puts(&t, "{\"token\":{\"expires_at\":\"2024-02-29T23:59:59Z\",\"x\":");
        for (i = 0; i < 300; i++) {
            text_puts(&t, "[");
        }
        check_scan_all_splits(t.buf, t.len, -1);
        free(t.buf);
    }
}

/* ---- ISO 8601 time ------------------------------------------------------------------- */

static void parse_time_cases(void **state)
{
    static const struct {
        const char *s;
        int64_t ms; /* -1: refused */
    } cases[] = {
        {"1970-01-01T00:00:00Z", 0},
        {"1970-01-01T00:00:00.999Z", 999},
        {"1970-01-01T00:00:01.0Z", 1000},
        {"2026-11-29T15:16:45Z", 1795965405000LL},
        {"2026-11-29T15:16:45.1Z", 1795965405100LL},
        {"2026-11-29T15:16:45.12Z", 1795965405120LL},
        {"2026-11-29T15:16:45.123Z", 1795965405123LL},
        {"2026-11-29T15:16:45.1239Z", 1795965405123LL},
        {"2026-11-29T15:16:45.123000Z", 1795965405123LL},
        {"2026-11-29T15:16:45.999999999Z", 1795965405999LL},
        {"2026-11-29T15:16:45.1234567890Z", -1},
        {"2024-02-29T23:59:59Z", 1709251199000LL},
        {"2024-03-01T00:00:00Z", 1709251200000LL},
        {"1972-02-29T00:00:00Z", 68169600000LL},
        {"2000-02-29T12:00:00Z", 951825600000LL},
        {"2016-12-31T23:59:60Z", 1483228800000LL},
        {"2026-12-31T23:59:00Z", 1798761540000LL},
        {"2027-01-01T00:00:00Z", 1798761600000LL},
        {"2100-03-01T00:00:00Z", 4107542400000LL},
        {"9999-12-31T23:59:59.999Z", 253402300799999LL},
        {"2023-02-29T00:00:00Z", -1},
        {"2100-02-29T00:00:00Z", -1},
        {"1900-02-29T00:00:00Z", -1},
        {"1969-12-31T23:59:59Z", -1},
        {"0000-01-01T00:00:00Z", -1},
        {"2026-04-31T00:00:00Z", -1},
        {"2026-13-01T00:00:00Z", -1},
        {"2026-00-01T00:00:00Z", -1},
        {"2026-11-00T00:00:00Z", -1},
        {"2026-11-32T00:00:00Z", -1},
        {"2026-11-29T24:00:00Z", -1},
        {"2026-11-29T23:60:00Z", -1},
        {"2026-11-29T23:59:61Z", -1},
        {"2026-11-29T15:16:45", -1},
        {"2026-11-29T15:16:45.Z", -1},
        {"2026-11-29T15:16:45.12aZ", -1},
        {"2026-11-29T15:16:45.-1Z", -1},
        {"2026-11-29T15:16:45ZZ", -1},
        {"2026-11-29T15:16:45+00:00", -1},
        {"2026-11-29T15:16:45.123+00:00", -1},
        {"2026-11-29t15:16:45z", -1},
        {"2026-11-29 15:16:45Z", -1},
        {" 2026-11-29T15:16:45Z", -1},
        {"2026-11-29T15:16:45Z ", -1},
        {"2026-1-29T15:16:45Z", -1},
        {"2026/11/29T15:16:45Z", -1},
        {"2026-11-29T15-16-45Z", -1},
        {"+026-11-29T15:16:45Z", -1},
        {"2026-11-29T15:16:4 Z", -1},
        {"2026-11-2xT15:16:45Z", -1},
        {"20261129T151645Z", -1},
        {"Z", -1},
        {"", -1},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = strlen(cases[i].s);
        /* In an exact heap block: no byte past len may be read. */
        char *s = malloc(len > 0 ? len : 1);
        int64_t ms = -42;
        int rc;
        assert_non_null(s);
        memcpy(s, cases[i].s, len);
        rc = iam_parse_time(s, len, &ms);
        if (rc != (cases[i].ms >= 0 ? 0 : -1) || (rc == 0 && ms != cases[i].ms)) {
            print_message("\"%s\": rc %d, ms %lld\n", cases[i].s, rc, (long long)ms);
        }
        if (cases[i].ms >= 0) {
            assert_int_equal(rc, 0);
            assert_int_equal(ms, cases[i].ms);
        } else {
            assert_int_equal(rc, -1);
            assert_int_equal(ms, -42); /* untouched */
        }
        free(s);
    }
}

/* Only s[0..len) is read: a valid time followed by more bytes parses when
 * len stops at its Z, and a prefix of it does not. */
static void parse_time_respects_len(void **state)
{
    static const char s[] = "2024-02-29T23:59:59Z\"}} trailing";
    int64_t ms = 0;
    size_t len;
    (void)state;
    assert_int_equal(iam_parse_time(s, 20, &ms), 0);
    assert_int_equal(ms, 1709251199000LL);
    for (len = 0; len < 20; len++) {
        assert_int_equal(iam_parse_time(s, len, &ms), -1);
    }
    for (len = 21; len < sizeof s; len++) {
        assert_int_equal(iam_parse_time(s, len, &ms), -1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_bytes_are_exact),
        cmocka_unit_test(host_carries_a_port_other_than_443),
        cmocka_unit_test(credentials_are_escaped),
        cmocka_unit_test(too_small_buffer_is_refused_at_every_size),
        cmocka_unit_test(null_argument_is_refused),
        cmocka_unit_test(expiry_found_in_realistic_bodies_at_every_split),
        cmocka_unit_test(expiry_missing_gives_minus_one),
        cmocka_unit_test(expiry_cases),
        cmocka_unit_test(raw_nul_in_a_key_does_not_match),
        cmocka_unit_test(nesting_beyond_the_limit_gives_up),
        cmocka_unit_test(parse_time_cases),
        cmocka_unit_test(parse_time_respects_len),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

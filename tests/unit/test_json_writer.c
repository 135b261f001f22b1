/* SPDX-License-Identifier: Apache-2.0 */
/* test_json_writer.c - the bounded JSON writer (firmware/json_writer.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "json_writer.h"

#define CANARY 0xA5

/* The text json_string() writes for s[0..len), or "-1" if it failed. */
static const char *string_text(const char *s, size_t len)
{
    static char buf[512];
    json_writer_t w;

    json_writer_init(&w, buf, sizeof buf);
    json_string(&w, s, len);
    if (json_writer_result(&w) < 0) {
        return "-1";
    }
    return buf;
}

static void every_control_byte_is_escaped(void **state)
{
    static const char *const expected[32] = {
        "\"\\u0000\"", "\"\\u0001\"", "\"\\u0002\"", "\"\\u0003\"", "\"\\u0004\"", "\"\\u0005\"",
        "\"\\u0006\"", "\"\\u0007\"", "\"\\b\"",     "\"\\t\"",     "\"\\n\"",     "\"\\u000b\"",
        "\"\\f\"",     "\"\\r\"",     "\"\\u000e\"", "\"\\u000f\"", "\"\\u0010\"", "\"\\u0011\"",
        "\"\\u0012\"", "\"\\u0013\"", "\"\\u0014\"", "\"\\u0015\"", "\"\\u0016\"", "\"\\u0017\"",
        "\"\\u0018\"", "\"\\u0019\"", "\"\\u001a\"", "\"\\u001b\"", "\"\\u001c\"", "\"\\u001d\"",
        "\"\\u001e\"", "\"\\u001f\"",
    };
    int c;
    (void)state;

    for (c = 0; c < 0x20; c++) {
        char in = (char)c;
        assert_string_equal(string_text(&in, 1), expected[c]);
    }
}

static void quote_and_backslash_are_escaped_others_kept(void **state)
{
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        {"\"", "\"\\\"\""},
        {"\\", "\"\\\\\""},
        {"a\"b\\c", "\"a\\\"b\\\\c\""},
        {"/", "\"/\""},       /* solidus needs no escape */
        {"\x7f", "\"\x7f\""}, /* DEL is not a control byte for JSON */
        {" ~", "\" ~\""},     /* the printable ASCII bounds */
        {"", "\"\""},
        {"tab\there", "\"tab\\there\""},
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_string_equal(string_text(cases[i].in, strlen(cases[i].in)), cases[i].out);
    }
}

static void valid_utf8_is_kept_as_is(void **state)
{
    static const char *const cases[] = {
        "\xC3\xA9",         /* é */
        "\xE4\xB8\xAD",     /* 中 */
        "\xF0\x9F\x98\x80", /* 😀 */
        "\xC2\x80",         /* U+0080, lowest 2-byte */
        "\xDF\xBF",         /* U+07FF */
        "\xE0\xA0\x80",     /* U+0800, lowest 3-byte */
        "\xED\x9F\xBF",     /* U+D7FF, just below the surrogates */
        "\xEE\x80\x80",     /* U+E000, just above them */
        "\xEF\xBF\xBF",     /* U+FFFF */
        "\xF0\x90\x80\x80", /* U+10000, lowest 4-byte */
        "\xF4\x8F\xBF\xBF", /* U+10FFFF, the last code point */
        "caf\xC3\xA9 \xE4\xB8\xAD\xE6\x96\x87 \xF0\x9F\x98\x80!",
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char expected[64];

        strcpy(expected, "\"");
        strcat(expected, cases[i]);
        strcat(expected, "\"");
        assert_string_equal(string_text(cases[i], strlen(cases[i])), expected);
    }
}

#define FFFD "\xEF\xBF\xBD"

/* One U+FFFD per byte that is not part of well-formed UTF-8. */
static void invalid_utf8_bytes_become_one_replacement_each(void **state)
{
    static const struct {
        const char *name;
        const char *in;
        const char *out;
    } cases[] = {
        {"lone continuation", "\x80", "\"" FFFD "\""},
        {"lone last continuation",
         "a\xBF"
         "b",
         "\"a" FFFD "b\""},
        {"continuation after valid", "\xC3\xA9\xA9", "\"\xC3\xA9" FFFD "\""},
        {"truncated 2-byte at end", "a\xC3", "\"a" FFFD "\""},
        {"truncated 3-byte at end", "\xE4\xB8", "\"" FFFD FFFD "\""},
        {"truncated 4-byte then ASCII",
         "\xF0\x9F\x98"
         "A",
         "\"" FFFD FFFD FFFD "A\""},
        {"lead then lead", "\xE4\xC3\xA9", "\"" FFFD "\xC3\xA9\""},
        {"overlong C0 80", "\xC0\x80", "\"" FFFD FFFD "\""},
        {"overlong C1 BF", "\xC1\xBF", "\"" FFFD FFFD "\""},
        {"overlong E0 80 80", "\xE0\x80\x80", "\"" FFFD FFFD FFFD "\""},
        {"overlong E0 9F BF", "\xE0\x9F\xBF", "\"" FFFD FFFD FFFD "\""},
        {"overlong F0 8F BF BF", "\xF0\x8F\xBF\xBF", "\"" FFFD FFFD FFFD FFFD "\""},
        {"surrogate ED A0 80", "\xED\xA0\x80", "\"" FFFD FFFD FFFD "\""},
        {"surrogate ED BF BF", "\xED\xBF\xBF", "\"" FFFD FFFD FFFD "\""},
        {"above U+10FFFF F4 90", "\xF4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\""},
        {"F5 lead", "\xF5\x80\x80\x80", "\"" FFFD FFFD FFFD FFFD "\""},
        {"F8 lead", "\xF8", "\"" FFFD "\""},
        {"FE", "\xFE", "\"" FFFD "\""},
        {"FF", "\xFF", "\"" FFFD "\""},
        {"bad continuation byte", "\xE4\x41\xAD", "\"" FFFD "A" FFFD "\""},
        {"replacement then control", "\x80\n", "\"" FFFD "\\n\""},
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = string_text(cases[i].in, strlen(cases[i].in));
        if (strcmp(got, cases[i].out) != 0) {
            fail_msg("%s: got %s", cases[i].name, got);
        }
    }
}

static void string_length_is_respected_and_nul_escaped(void **state)
{
    (void)state;
    assert_string_equal(string_text("abcdef", 3), "\"abc\"");
    assert_string_equal(string_text("a\0b", 3), "\"a\\u0000b\"");
    /* a sequence cut by the length is invalid, not read past */
    assert_string_equal(string_text("\xC3\xA9", 1), "\"" FFFD "\"");
}

static void integers_are_exact_at_the_limits(void **state)
{
    char buf[128];
    json_writer_t w;
    (void)state;

    json_writer_init(&w, buf, sizeof buf);
    json_array_begin(&w);
    json_int(&w, INT64_MIN);
    json_int(&w, INT64_MAX);
    json_int(&w, 0);
    json_int(&w, -1);
    json_uint(&w, UINT64_MAX);
    json_array_end(&w);
    assert_true(json_writer_result(&w) > 0);
    assert_string_equal(buf,
                        "[-9223372036854775808,9223372036854775807,0,-1,18446744073709551615]");
}

static void scalars_bool_null_and_cstring(void **state)
{
    char buf[128];
    json_writer_t w;
    (void)state;

    json_writer_init(&w, buf, sizeof buf);
    json_array_begin(&w);
    json_bool(&w, 1);
    json_bool(&w, 0);
    json_bool(&w, 42);
    json_null(&w);
    json_cstring(&w, NULL);
    json_string(&w, NULL, 5);
    json_cstring(&w, "x");
    json_array_end(&w);
    assert_int_equal(json_writer_result(&w), (long)strlen(buf));
    assert_string_equal(buf, "[true,false,true,null,null,null,\"x\"]");
}

static void commas_and_colons_in_nested_containers(void **state)
{
    char buf[256];
    json_writer_t w;
    (void)state;

    json_writer_init(&w, buf, sizeof buf);
    json_object_begin(&w);
    json_key(&w, "a");
    json_int(&w, 1);
    json_key(&w, "empty_obj");
    json_object_begin(&w);
    json_object_end(&w);
    json_key(&w, "empty_arr");
    json_array_begin(&w);
    json_array_end(&w);
    json_key(&w, "list");
    json_array_begin(&w);
    json_int(&w, 1);
    json_object_begin(&w);
    json_key(&w, "k\"ey");
    json_cstring(&w, "v");
    json_key(&w, "n");
    json_null(&w);
    json_object_end(&w);
    json_array_begin(&w);
    json_array_end(&w);
    json_int(&w, 2);
    json_array_end(&w);
    json_key(&w, "z");
    json_bool(&w, 0);
    json_object_end(&w);
    assert_int_equal(json_writer_result(&w), (long)strlen(buf));
    assert_string_equal(buf, "{\"a\":1,\"empty_obj\":{},\"empty_arr\":[],"
                             "\"list\":[1,{\"k\\\"ey\":\"v\",\"n\":null},[],2],\"z\":false}");
}

static void top_level_scalar_is_a_document(void **state)
{
    char buf[16];
    json_writer_t w;
    (void)state;

    json_writer_init(&w, buf, sizeof buf);
    json_int(&w, 5);
    assert_int_equal(json_writer_result(&w), 1);
    assert_string_equal(buf, "5");
}

static void depth_max_levels_fit(void **state)
{
    char buf[64];
    json_writer_t w;
    int i;
    (void)state;

    json_writer_init(&w, buf, sizeof buf);
    for (i = 0; i < JSON_WRITER_DEPTH_MAX; i++) {
        json_array_begin(&w);
    }
    for (i = 0; i < JSON_WRITER_DEPTH_MAX; i++) {
        json_array_end(&w);
    }
    assert_int_equal(json_writer_result(&w), 2 * JSON_WRITER_DEPTH_MAX);
}

/* Each misuse makes the whole document fail. */
static void misuse_value_without_key_in_object(json_writer_t *w)
{
    json_object_begin(w);
    json_int(w, 1);
    json_object_end(w);
}

static void misuse_key_in_array(json_writer_t *w)
{
    json_array_begin(w);
    json_key(w, "k");
    json_int(w, 1);
    json_array_end(w);
}

static void misuse_key_at_top_level(json_writer_t *w)
{
    json_key(w, "k");
}

static void misuse_two_keys_in_a_row(json_writer_t *w)
{
    json_object_begin(w);
    json_key(w, "a");
    json_key(w, "b");
    json_int(w, 1);
    json_object_end(w);
}

static void misuse_key_without_value_at_end(json_writer_t *w)
{
    json_object_begin(w);
    json_key(w, "a");
    json_object_end(w);
}

static void misuse_null_key(json_writer_t *w)
{
    json_object_begin(w);
    json_key(w, NULL);
    json_int(w, 1);
    json_object_end(w);
}

static void misuse_end_without_begin(json_writer_t *w)
{
    json_object_end(w);
}

static void misuse_array_end_closes_object(json_writer_t *w)
{
    json_object_begin(w);
    json_array_end(w);
}

static void misuse_object_end_closes_array(json_writer_t *w)
{
    json_array_begin(w);
    json_object_end(w);
}

static void misuse_extra_end(json_writer_t *w)
{
    json_array_begin(w);
    json_array_end(w);
    json_array_end(w);
}

static void misuse_unclosed(json_writer_t *w)
{
    json_object_begin(w);
    json_key(w, "a");
    json_int(w, 1);
}

static void misuse_too_deep(json_writer_t *w)
{
    int i;

    for (i = 0; i <= JSON_WRITER_DEPTH_MAX; i++) {
        json_array_begin(w);
    }
    for (i = 0; i <= JSON_WRITER_DEPTH_MAX; i++) {
        json_array_end(w);
    }
}

static void misuse_second_top_level_value(json_writer_t *w)
{
    json_object_begin(w);
    json_object_end(w);
    json_int(w, 1);
}

static void misuse_is_an_error(void **state)
{
    static const struct {
        const char *name;
        void (*build)(json_writer_t *w);
    } cases[] = {
        {"value without key in object", misuse_value_without_key_in_object},
        {"key in array", misuse_key_in_array},
        {"key at top level", misuse_key_at_top_level},
        {"two keys in a row", misuse_two_keys_in_a_row},
        {"key without value at end", misuse_key_without_value_at_end},
        {"NULL key", misuse_null_key},
        {"end without begin", misuse_end_without_begin},
        {"array end closes object", misuse_array_end_closes_object},
        {"object end closes array", misuse_object_end_closes_array},
        {"extra end", misuse_extra_end},
        {"unclosed", misuse_unclosed},
        {"deeper than JSON_WRITER_DEPTH_MAX", misuse_too_deep},
        {"second top-level value", misuse_second_top_level_value},
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[128];
        json_writer_t w;

        json_writer_init(&w, buf, sizeof buf);
        cases[i].build(&w);
        if (json_writer_result(&w) != -1) {
            fail_msg("%s: accepted as %s", cases[i].name, buf);
        }
    }
}

/* A document that takes every output path: keys, escapes, short escapes,
 * kept UTF-8, replacements, numbers, literals, nesting. */
static long build_document(char *buf, size_t cap)
{
    json_writer_t w;

    json_writer_init(&w, buf, cap);
    json_object_begin(&w);
    json_key(&w, "na\tme");
    json_cstring(&w, "caf\xC3\xA9 \xF0\x9F\x98\x80 \"q\" \\ \x01 \x80\xE4\xB8 end");
    json_key(&w, "ids");
    json_array_begin(&w);
    json_int(&w, INT64_MIN);
    json_uint(&w, UINT64_MAX);
    json_bool(&w, 1);
    json_null(&w);
    json_object_begin(&w);
    json_object_end(&w);
    json_array_end(&w);
    json_key(&w, "ok");
    json_bool(&w, 0);
    json_object_end(&w);
    return json_writer_result(&w);
}

static void overflow_at_every_size_never_writes_past(void **state)
{
    unsigned char mem[512];
    char full[512];
    long need = build_document(full, sizeof full);
    size_t cap, i;
    (void)state;

    assert_true(need > 0);
    assert_int_equal(need, (long)strlen(full));
    for (cap = 0; cap <= (size_t)need + 1; cap++) {
        long r;

        memset(mem, CANARY, sizeof mem);
        r = build_document((char *)mem, cap);
        if (cap > (size_t)need) {
            assert_int_equal(r, need);
            assert_string_equal((char *)mem, full);
        } else {
            assert_int_equal(r, -1);
        }
        for (i = cap; i < sizeof mem; i++) {
            if (mem[i] != CANARY) {
                fail_msg("cap %zu: byte %zu written", cap, i);
            }
        }
        if (cap > 0) {
            /* what is there is a terminated prefix of the full text */
            size_t len;
            assert_non_null(memchr(mem, '\0', cap));
            len = strlen((char *)mem);
            assert_memory_equal(mem, full, len);
        }
    }
}

static void long_plain_string_is_copied_whole(void **state)
{
    char in[300];
    char out[310];
    json_writer_t w;
    (void)state;

    memset(in, 'a', sizeof in);
    json_writer_init(&w, out, sizeof out);
    json_string(&w, in, sizeof in);
    assert_int_equal(json_writer_result(&w), (long)sizeof in + 2);
    assert_int_equal(out[0], '"');
    assert_memory_equal(out + 1, in, sizeof in);
    assert_int_equal(out[sizeof in + 1], '"');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_control_byte_is_escaped),
        cmocka_unit_test(quote_and_backslash_are_escaped_others_kept),
        cmocka_unit_test(valid_utf8_is_kept_as_is),
        cmocka_unit_test(invalid_utf8_bytes_become_one_replacement_each),
        cmocka_unit_test(string_length_is_respected_and_nul_escaped),
        cmocka_unit_test(integers_are_exact_at_the_limits),
        cmocka_unit_test(scalars_bool_null_and_cstring),
        cmocka_unit_test(commas_and_colons_in_nested_containers),
        cmocka_unit_test(top_level_scalar_is_a_document),
        cmocka_unit_test(depth_max_levels_fit),
        cmocka_unit_test(misuse_is_an_error),
        cmocka_unit_test(overflow_at_every_size_never_writes_past),
        cmocka_unit_test(long_plain_string_is_copied_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

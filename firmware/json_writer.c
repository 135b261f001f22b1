/* SPDX-License-Identifier: Apache-2.0 */
/* json_writer.c - bounded JSON writer; see include/json_writer.h. */
#include "json_writer.h"

#include <string.h>

/* One bit per level in need_comma and in_object. */
typedef char json_writer_depth_fits_bitmask[(JSON_WRITER_DEPTH_MAX <= 8) ? 1 : -1];

static uint8_t level_bit(const json_writer_t *w)
{
    return (uint8_t)(1u << (w->depth - 1u));
}

void json_writer_init(json_writer_t *w, char *buf, size_t cap)
{
    strbuf_init(&w->sb, buf, cap);
    w->depth = 0;
    w->need_comma = 0;
    w->in_object = 0;
    w->after_key = 0;
    w->error = 0;
}

/* A comma before every element of the level but its first. */
static void separate(json_writer_t *w)
{
    if (w->need_comma & level_bit(w)) {
        strbuf_putc(&w->sb, ',');
    }
    w->need_comma |= level_bit(w);
}

/* Writes the separator a value needs here; returns 0 (and marks the error)
 * when no value may stand here. */
static int begin_value(json_writer_t *w)
{
    if (w->error) {
        return 0;
    }
    if (w->depth == 0) {
        /* A JSON text is a single value. */
        if (w->sb.len > 0) {
            w->error = 1;
            return 0;
        }
        return 1;
    }
    if (w->in_object & level_bit(w)) {
        if (!w->after_key) {
            w->error = 1;
            return 0;
        }
        w->after_key = 0; /* json_key already wrote the comma */
        return 1;
    }
    separate(w);
    return 1;
}

static void container_begin(json_writer_t *w, char open, int is_object)
{
    if (!begin_value(w)) {
        return;
    }
    if (w->depth >= JSON_WRITER_DEPTH_MAX) {
        w->error = 1;
        return;
    }
    w->depth++;
    w->need_comma &= (uint8_t)~level_bit(w);
    if (is_object) {
        w->in_object |= level_bit(w);
    } else {
        w->in_object &= (uint8_t)~level_bit(w);
    }
    strbuf_putc(&w->sb, open);
}

static void container_end(json_writer_t *w, char close, int is_object)
{
    if (w->error) {
        return;
    }
    if (w->depth == 0 || w->after_key || ((w->in_object & level_bit(w)) != 0) != is_object) {
        w->error = 1;
        return;
    }
    w->depth--;
    strbuf_putc(&w->sb, close);
}

void json_object_begin(json_writer_t *w)
{
    container_begin(w, '{', 1);
}

void json_object_end(json_writer_t *w)
{
    container_end(w, '}', 1);
}

void json_array_begin(json_writer_t *w)
{
    container_begin(w, '[', 0);
}

void json_array_end(json_writer_t *w)
{
    container_end(w, ']', 0);
}

/* Length of the well-formed UTF-8 sequence at p[0..n) (2..4), or 0 when p[0]
 * does not start one. The ranges of the second byte exclude overlong forms,
 * UTF-16 surrogates (ED A0..BF) and code points above U+10FFFF (F4 90..). */
static size_t utf8_sequence_len(const unsigned char *p, size_t n)
{
    unsigned char b = p[0];
    unsigned char lo = 0x80, hi = 0xBF;
    size_t len, i;

    if (b >= 0xC2 && b <= 0xDF) {
        len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        if (b == 0xE0) {
            lo = 0xA0;
        } else if (b == 0xED) {
            hi = 0x9F;
        }
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        if (b == 0xF0) {
            lo = 0x90;
        } else if (b == 0xF4) {
            hi = 0x8F;
        }
    } else {
        return 0;
    }
    if (n < len || p[1] < lo || p[1] > hi) {
        return 0;
    }
    for (i = 2; i < len; i++) {
        if (p[i] < 0x80 || p[i] > 0xBF) {
            return 0;
        }
    }
    return len;
}

static void put_escaped_byte(strbuf_t *sb, unsigned char c)
{
    /* Short escapes for 0x08..0x0D; 0x0B has none. */
    static const char short_escape[] = "btn\0fr";
    static const char hex[] = "0123456789abcdef";
    char esc[6] = {'\\', 'u', '0', '0', 0, 0};

    if (c == '"' || c == '\\') {
        esc[1] = (char)c;
        strbuf_append(sb, esc, 2);
    } else if (c >= 0x08 && c <= 0x0D && short_escape[c - 0x08] != '\0') {
        esc[1] = short_escape[c - 0x08];
        strbuf_append(sb, esc, 2);
    } else {
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 0x0F];
        strbuf_append(sb, esc, 6);
    }
}

/* Copies runs of bytes that need no change (printable ASCII, well-formed
 * UTF-8) with one append each; escapes or replaces the rest byte by byte. */
static void put_string_body(strbuf_t *sb, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t run = 0;
    size_t i = 0;

    while (i < len) {
        unsigned char c = p[i];
        size_t seq;

        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        if (c >= 0x80) {
            seq = utf8_sequence_len(p + i, len - i);
            if (seq != 0) {
                i += seq;
                continue;
            }
        }
        strbuf_append(sb, s + run, i - run);
        if (c < 0x80) {
            put_escaped_byte(sb, c);
        } else {
            strbuf_append(sb, "\xEF\xBF\xBD", 3);
        }
        i++;
        run = i;
    }
    strbuf_append(sb, s + run, len - run);
}

static void put_string(strbuf_t *sb, const char *s, size_t len)
{
    strbuf_putc(sb, '"');
    put_string_body(sb, s, len);
    strbuf_putc(sb, '"');
}

void json_key(json_writer_t *w, const char *key)
{
    if (w->error) {
        return;
    }
    if (key == NULL || w->depth == 0 || !(w->in_object & level_bit(w)) || w->after_key) {
        w->error = 1;
        return;
    }
    separate(w);
    put_string(&w->sb, key, strlen(key));
    strbuf_putc(&w->sb, ':');
    w->after_key = 1;
}

void json_string(json_writer_t *w, const char *s, size_t len)
{
    if (s == NULL) {
        json_null(w);
    } else if (begin_value(w)) {
        put_string(&w->sb, s, len);
    }
}

void json_cstring(json_writer_t *w, const char *s)
{
    json_string(w, s, s != NULL ? strlen(s) : 0);
}

void json_int(json_writer_t *w, int64_t v)
{
    if (begin_value(w)) {
        strbuf_int(&w->sb, v);
    }
}

void json_uint(json_writer_t *w, uint64_t v)
{
    if (begin_value(w)) {
        strbuf_uint(&w->sb, v);
    }
}

void json_bool(json_writer_t *w, int v)
{
    if (begin_value(w)) {
        strbuf_puts(&w->sb, v ? "true" : "false");
    }
}

void json_null(json_writer_t *w)
{
    if (begin_value(w)) {
        strbuf_append(&w->sb, "null", 4);
    }
}

long json_writer_result(const json_writer_t *w)
{
    if (w->error || w->depth != 0 || w->after_key) {
        return -1L;
    }
    return strbuf_result(&w->sb);
}

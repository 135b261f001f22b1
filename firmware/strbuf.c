/* SPDX-License-Identifier: Apache-2.0 */
/* strbuf.c - bounded text building; see include/strbuf.h. */
#include "strbuf.h"

#include <string.h>

void strbuf_init(strbuf_t *sb, char *buf, size_t cap)
{
    sb->buf = buf;
    sb->cap = cap;
    sb->len = 0;
    sb->overflow = 0;
    if (cap > 0) {
        buf[0] = '\0';
    } else {
        sb->overflow = 1;
    }
}

void strbuf_append(strbuf_t *sb, const char *s, size_t len)
{
    if (sb->overflow) {
        return;
    }
    if (len >= sb->cap - sb->len) {
        sb->overflow = 1;
        return;
    }
    memcpy(sb->buf + sb->len, s, len);
    sb->len += len;
    sb->buf[sb->len] = '\0';
}

void strbuf_puts(strbuf_t *sb, const char *s)
{
    if (s != NULL) {
        strbuf_append(sb, s, strlen(s));
    }
}

void strbuf_putc(strbuf_t *sb, char c)
{
    strbuf_append(sb, &c, 1);
}

/* v / 10 with shifts and adds: a 64-bit division would pull the C library's
 * helper (about 700 bytes) into a 32-bit target. The estimate is low by at
 * most a few units, which the loop corrects. */
static uint64_t div10(uint64_t v, unsigned *rem)
{
    uint64_t q = (v >> 1) + (v >> 2);
    uint64_t r;
    q += q >> 4;
    q += q >> 8;
    q += q >> 16;
    q += q >> 32;
    q >>= 3;
    r = v - ((q << 3) + (q << 1));
    while (r > 9u) {
        q++;
        r -= 10u;
    }
    *rem = (unsigned)r;
    return q;
}

void strbuf_uint(strbuf_t *sb, uint64_t v)
{
    char digits[20];
    size_t n = sizeof digits;
    unsigned digit;
    while (v > UINT32_MAX) {
        v = div10(v, &digit);
        digits[--n] = (char)('0' + digit);
    }
    {
        uint32_t w = (uint32_t)v; /* the rest in native 32-bit division */
        do {
            digits[--n] = (char)('0' + w % 10u);
            w /= 10u;
        } while (w != 0);
    }
    strbuf_append(sb, digits + n, sizeof digits - n);
}

void strbuf_int(strbuf_t *sb, int64_t v)
{
    if (v < 0) {
        strbuf_putc(sb, '-');
        /* Negate in unsigned arithmetic so INT64_MIN stays exact. */
        strbuf_uint(sb, (uint64_t)0 - (uint64_t)v);
    } else {
        strbuf_uint(sb, (uint64_t)v);
    }
}

long strbuf_result(const strbuf_t *sb)
{
    return sb->overflow ? -1L : (long)sb->len;
}

const char *strbuf_status_code(int st)
{
    /* The negative numbers, NUL-terminated, "-15" to "-1", then "0"; a positive number is the
     * text of its negative after the '-'. Separate literals, so that no "\0" runs into the
     * next digit as an octal escape. */
    /* clang-format off */
    static const char codes[] =
        "-15\0" "-14\0" "-13\0" "-12\0" "-11\0" "-10\0"
        "-9\0" "-8\0" "-7\0" "-6\0" "-5\0" "-4\0" "-3\0" "-2\0" "-1\0" "0";
    /* clang-format on */
    int neg = st < 0 ? st : -st;

    if (neg < -15) {
        return "?";
    }
    if (neg == 0) {
        return codes + sizeof codes - 2;
    }
    /* Four bytes per number from -15 to -10, three from -9 to -1. */
    return codes + (neg < -9 ? 4 * (neg + 15) : 24 + 3 * (neg + 9)) + (st > 0);
}

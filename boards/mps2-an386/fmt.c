/* SPDX-License-Identifier: Apache-2.0 */
/* fmt.c - a small printf subset; see fmt.h. */
#include "fmt.h"

#include <stdint.h>

typedef struct {
    char *buf;
    size_t cap;
    size_t len;
} out_t;

static void put(out_t *o, char c)
{
    if (o->len + 1 < o->cap) {
        o->buf[o->len++] = c;
    }
}

static void put_padded(out_t *o, const char *s, size_t n, unsigned width, int left, char pad)
{
    size_t i;
    if (!left) {
        for (; width > n; width--) {
            put(o, pad);
        }
    }
    for (i = 0; i < n; i++) {
        put(o, s[i]);
    }
    if (left) {
        for (; width > n; width--) {
            put(o, ' ');
        }
    }
}

/* Digits of v in base 10 or 16, with a '-' for negative, into the end of
 * text; returns where they start. */
static char *to_digits(char *end, uintmax_t v, unsigned base, int upper, int negative)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;
    do {
        *--p = digits[v % base];
        v /= base;
    } while (v != 0);
    if (negative) {
        *--p = '-';
    }
    return p;
}

size_t fmt_vformat(char *buf, size_t cap, const char *fmt, va_list ap)
{
    out_t o = {buf, cap, 0};
    char text[24];

    for (; *fmt != '\0'; fmt++) {
        int left = 0;
        char pad = ' ';
        unsigned width = 0;
        char size = 0;
        uintmax_t u;
        int negative = 0;
        char *s;

        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        fmt++;
        for (; *fmt == '-' || *fmt == '0'; fmt++) {
            if (*fmt == '-') {
                left = 1;
            } else {
                pad = '0';
            }
        }
        for (; *fmt >= '0' && *fmt <= '9'; fmt++) {
            width = width * 10u + (unsigned)(*fmt - '0');
        }
        if (*fmt == 'l' || *fmt == 'z') {
            size = *fmt++;
        }
        switch (*fmt) {
        case 'd':
        case 'i': {
            intmax_t v = size == 'l'   ? va_arg(ap, long)
                         : size == 'z' ? (intmax_t)va_arg(ap, size_t)
                                       : va_arg(ap, int);
            negative = v < 0;
            u = negative ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v;
            s = to_digits(text + sizeof text, u, 10, 0, negative);
            put_padded(&o, s, (size_t)(text + sizeof text - s), width, left, pad);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
            u = size == 'l'   ? va_arg(ap, unsigned long)
                : size == 'z' ? va_arg(ap, size_t)
                              : va_arg(ap, unsigned);
            s = to_digits(text + sizeof text, u, *fmt == 'u' ? 10u : 16u, *fmt == 'X', 0);
            put_padded(&o, s, (size_t)(text + sizeof text - s), width, left, pad);
            break;
        case 'p':
            u = (uintptr_t)va_arg(ap, void *);
            s = to_digits(text + sizeof text, u, 16u, 0, 0);
            *--s = 'x';
            *--s = '0';
            put_padded(&o, s, (size_t)(text + sizeof text - s), width, left, ' ');
            break;
        case 'c':
            text[0] = (char)va_arg(ap, int);
            put_padded(&o, text, 1, width, left, ' ');
            break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            size_t n = 0;
            if (str == NULL) {
                str = "(null)";
            }
            while (str[n] != '\0') {
                n++;
            }
            put_padded(&o, str, n, width, left, ' ');
            break;
        }
        case '%':
            put(&o, '%');
            break;
        default:
            /* Not in the subset: shown as written. */
            put(&o, '%');
            if (*fmt == '\0') {
                fmt--;
            } else {
                put(&o, *fmt);
            }
            break;
        }
    }
    if (cap > 0) {
        buf[o.len] = '\0';
    }
    return o.len;
}

size_t fmt_format(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    size_t n;
    va_start(ap, fmt);
    n = fmt_vformat(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}

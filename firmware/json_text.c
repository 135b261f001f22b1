/* SPDX-License-Identifier: Apache-2.0 */
/* json_text.c - JSON integers and string bodies, decoded exactly; see include/job_record.h. */
#include "job_record.h"

#include <string.h>

const uint8_t json_byte_class[256] = {
    3,  3,  3,  3,  3,  3,  3,  3,  3,  7,  7, 3,  3, 7,  3,  3, /* 0x00 control bytes */
    3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3, 3,  3, 3,  3,  3, /* 0x10 */
    4,  0,  19, 0,  0,  0,  0,  0,  0,  0,  0, 0,  0, 16, 0,  0, /* 0x20 ' ' '"' '-' */
    24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 0, 0,  0, 0,  0,  0, /* 0x30 digits */
    0,  8,  8,  8,  8,  8,  8,  0,  0,  0,  0, 0,  0, 0,  0,  0, /* 0x40 A-F */
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, 17, 3, 1,  0,  0, /* 0x50 '[' '\\' ']' */
    0,  8,  8,  8,  8,  8,  24, 0,  0,  0,  0, 0,  0, 0,  16, 0, /* 0x60 a-f 'n' */
    0,  0,  0,  0,  16, 0,  0,  0,  0,  0,  0, 17, 0, 1,  0,  0, /* 0x70 't' '{' '}' */
};

/* The number grammar -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? as a transition table.
 * Rows: states; columns: '0', '1'-'9', '-', '+', '.', 'e' or 'E', anything else. */
enum { N_START, N_MINUS, N_ZERO, N_INT, N_DOT, N_FRAC, N_EXP_MARK, N_EXP_SIGN, N_EXP };
#define N_END JSON_NUMBER_END
#define N_BAD JSON_NUMBER_BAD
static const uint8_t number_next[9][7] = {
    {N_ZERO, N_INT, N_MINUS, N_BAD, N_BAD, N_BAD, N_BAD},        /* N_START */
    {N_ZERO, N_INT, N_BAD, N_BAD, N_BAD, N_BAD, N_BAD},          /* N_MINUS */
    {N_BAD, N_BAD, N_END, N_END, N_DOT, N_EXP_MARK, N_END},      /* N_ZERO */
    {N_INT, N_INT, N_END, N_END, N_DOT, N_EXP_MARK, N_END},      /* N_INT */
    {N_FRAC, N_FRAC, N_BAD, N_BAD, N_BAD, N_BAD, N_BAD},         /* N_DOT */
    {N_FRAC, N_FRAC, N_END, N_END, N_END, N_EXP_MARK, N_END},    /* N_FRAC */
    {N_EXP, N_EXP, N_EXP_SIGN, N_EXP_SIGN, N_BAD, N_BAD, N_BAD}, /* N_EXP_MARK */
    {N_EXP, N_EXP, N_BAD, N_BAD, N_BAD, N_BAD, N_BAD},           /* N_EXP_SIGN */
    {N_EXP, N_EXP, N_END, N_END, N_END, N_END, N_END},           /* N_EXP */
};

uint8_t json_number_step(uint8_t state, uint8_t c)
{
    unsigned column = 6;
    if (c == '0') {
        column = 0;
    } else if ((uint8_t)(c - '1') < 9) {
        column = 1;
    } else if (c == '-') {
        column = 2;
    } else if (c == '+') {
        column = 3;
    } else if (c == '.') {
        column = 4;
    } else if ((c | 0x20) == 'e') {
        column = 5;
    }
    return number_next[state][column];
}

/* 19 decimal digits always fit in a uint64_t; a 20th digit means the value is at least 10^19,
 * beyond the int64_t range either way, so the digit count bounds the work and the overflow. */
#define INT64_DIGITS_MAX 19

int json_parse_int64(const char *text, size_t len, int64_t *out)
{
    size_t i = 0;
    uint64_t v = 0;
    uint64_t limit = (uint64_t)INT64_MAX;
    int negative = 0;

    if (len > 0 && text[0] == '-') {
        negative = 1;
        limit += 1u;
        i = 1;
    }
    if (i == len || len - i > INT64_DIGITS_MAX) {
        return -1;
    }
    if (text[i] == '0' && len - i > 1) {
        return -1; /* JSON has no leading zeros */
    }
    for (; i < len; i++) {
        unsigned digit = (unsigned)(unsigned char)text[i] - '0';
        if (digit > 9) {
            return -1;
        }
        v = v * 10u + digit;
    }
    if (v > limit) {
        return -1;
    }
    if (!negative) {
        *out = (int64_t)v;
    } else if (v == 0) {
        *out = 0;
    } else {
        /* -(v - 1) - 1 reaches INT64_MIN without a signed overflow. */
        *out = -(int64_t)(v - 1u) - 1;
    }
    return 0;
}

/* The value of four hex digits, or -1. */
static long hex4(const char *p)
{
    long v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!(json_byte_class[c] & JSON_BYTE_HEX)) {
            return -1;
        }
        v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

static size_t put_utf8(char *out, unsigned long cp)
{
    size_t n, i;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (i = n - 1; i > 0; i--) {
        out[i] = (char)(0x80 | (cp & 0x3F));
        cp >>= 6;
    }
    out[0] = (char)((0xF00u >> n) | cp); /* lead byte: 110xxxxx, 1110xxxx or 11110xxx */
    return n;
}

/* The one-character escapes, each followed by the byte it stands for. */
static const char short_escapes[] = "\"\"\\\\//b\bf\fn\nr\rt\t";

long json_decode_string(const char *in, size_t len, char *out)
{
    size_t i = 0;
    size_t o = 0;

    while (i < len) {
        size_t j = i;
        unsigned char c;
        long cp;

        /* Plain spans are the common case: move them whole (nothing to move while decoding
         * in place before the first escape). Every escape shrinks, so o <= i throughout and
         * writing at out + o never overtakes the unread input. */
        while (j < len &&
               (!(json_byte_class[(unsigned char)in[j]] & JSON_BYTE_STRING) || in[j] == '"')) {
            j++;
        }
        if (out + o != in + i) {
            memmove(out + o, in + i, j - i);
        }
        o += j - i;
        i = j;
        if (i == len) {
            break;
        }
        if (in[i] != '\\' || len - i < 2) {
            return -1;
        }
        c = (unsigned char)in[i + 1];
        i += 2;
        if (c == 'u') {
            if (len - i < 4 || (cp = hex4(in + i)) < 0) {
                return -1;
            }
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                long low = -1;
                if (len - i >= 6 && in[i] == '\\' && in[i + 1] == 'u') {
                    low = hex4(in + i + 2);
                }
                if (low >= 0xDC00 && low <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    i += 6;
                } else {
                    cp = 0xFFFD; /* a high surrogate without its low half */
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                cp = 0xFFFD; /* a low surrogate on its own */
            }
            o += put_utf8(out + o, (unsigned long)cp);
            continue;
        }
        {
            const char *e = short_escapes;
            while (*e != '\0' && (unsigned char)*e != c) {
                e += 2;
            }
            if (*e == '\0') {
                return -1;
            }
            c = (unsigned char)e[1];
        }
        out[o++] = (char)c;
    }
    return (long)o;
}

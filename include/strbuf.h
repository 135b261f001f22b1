/* SPDX-License-Identifier: Apache-2.0 */
/*
 * strbuf.h - bounded text building without stdio.
 *
 * A strbuf writes into a caller-placed buffer and never past its capacity.
 * Once something did not fit, the buffer is marked overflowed and every
 * later append is a no-op, so a caller checks once at the end. The text is
 * always NUL-terminated (capacity includes the NUL).
 */
#ifndef STRBUF_H
#define STRBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *buf;    /* caller's storage */
    size_t cap;   /* bytes in buf, the terminating NUL included; >= 1 */
    size_t len;   /* bytes written, NUL excluded */
    int overflow; /* 1 once an append did not fit */
} strbuf_t;

/* Start an empty text in buf[cap]; cap must be >= 1. */
void strbuf_init(strbuf_t *sb, char *buf, size_t cap);

/* Append len bytes as they are. */
void strbuf_append(strbuf_t *sb, const char *s, size_t len);

/* Append a NUL-terminated string (NULL appends nothing). */
void strbuf_puts(strbuf_t *sb, const char *s);

/* Append one byte. */
void strbuf_putc(strbuf_t *sb, char c);

/* Append a signed 64-bit integer in decimal, exact over the whole range. */
void strbuf_int(strbuf_t *sb, int64_t v);

/* Append an unsigned 64-bit integer in decimal. */
void strbuf_uint(strbuf_t *sb, uint64_t v);

/* Length written, or -1 if anything did not fit. */
long strbuf_result(const strbuf_t *sb);

/* A module status as its number in decimal ("-3"), static text: what the
 * *_strerror() functions return when built with M2M_STRERROR_TEXT 0.
 * -15..15; "?" for any other value. */
const char *strbuf_status_code(int st);

#endif /* STRBUF_H */

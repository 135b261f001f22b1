/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json_writer.h - a bounded JSON writer over strbuf.
 *
 * Commas and nesting are tracked for the caller. Strings are escaped: quote,
 * backslash and every byte below 0x20 (\b \f \n \r \t or \u00XX); valid UTF-8
 * is kept as it is, and a byte that is not part of valid UTF-8 is written as
 * U+FFFD (one U+FFFD per such byte, so "\xE4\xB8" truncated becomes two),
 * so the output is always valid JSON in valid UTF-8. Never writes
 * past the buffer: check json_writer_result() at the end.
 */
#ifndef JSON_WRITER_H
#define JSON_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

/* Deepest nesting of objects and arrays the writer tracks. */
#define JSON_WRITER_DEPTH_MAX 8

typedef struct {
    strbuf_t sb;
    uint8_t depth;
    uint8_t need_comma; /* bit per level: an element was written */
    uint8_t in_object;  /* bit per level: the level is an object, not an array */
    uint8_t after_key;  /* a key was written; its value comes next */
    uint8_t error;      /* nesting misuse */
} json_writer_t;

void json_writer_init(json_writer_t *w, char *buf, size_t cap);

void json_object_begin(json_writer_t *w);
void json_object_end(json_writer_t *w);
void json_array_begin(json_writer_t *w);
void json_array_end(json_writer_t *w);

/* An object key (a NUL-terminated string, escaped like any string). */
void json_key(json_writer_t *w, const char *key);

/* s[0..len) as a JSON string; s NULL writes null. */
void json_string(json_writer_t *w, const char *s, size_t len);
void json_cstring(json_writer_t *w, const char *s); /* NULL writes null */
void json_int(json_writer_t *w, int64_t v);
void json_uint(json_writer_t *w, uint64_t v);
void json_bool(json_writer_t *w, int v);
void json_null(json_writer_t *w);

/* Length of the text (NUL-terminated in the buffer), or -1 if it did not fit
 * or the nesting was misused (a value without its key inside an object, a key
 * outside an object, an end without its begin or of the other kind, more than
 * JSON_WRITER_DEPTH_MAX levels, a second top-level value, or a container or
 * key still open). */
long json_writer_result(const json_writer_t *w);

#endif /* JSON_WRITER_H */

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * job_record_internal.h - what job_record.c shares with job_record_v2.c (not
 * a public API): checks of jsmn's tokens and the fingerprint hash.
 */
#ifndef JOB_RECORD_INTERNAL_H
#define JOB_RECORD_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "job_record.h"

/* jsmn over text[0..len) into p's tokens, then the checks jsmn leaves out:
 * the result is one object, followed by whitespace only. Returns the token
 * count (> 0), or a negative job_record_status_t. */
int job_tokens_parse(job_record_parser_t *p, const char *text, size_t len);

/* The index after the value at v and all its descendants, or -1 when the
 * descendants do not form well-made JSON. */
int job_tokens_skip(const char *text, const jsmntok_t *t, int v, int count);

/* 1 when s[0..n) is a JSON literal or number (jsmn takes more as primitives). */
int job_json_primitive(const char *s, size_t n);

/* FNV-1a over p[0..n), from h. */
uint64_t job_fnv(uint64_t h, const uint8_t *p, size_t n);

#define JOB_FNV_OFFSET 0xcbf29ce484222325ull

/* Fold a 64-bit FNV hash to the 40 bits the job table keeps. */
#define JOB_FNV_FOLD40(h) (((h) ^ ((h) >> 40)) & ((1ull << 40) - 1u))

#endif /* JOB_RECORD_INTERNAL_H */

/* SPDX-License-Identifier: Apache-2.0 */
/* job_record.c - one training job from its JSON object; see include/job_record.h.
 *
 * jsmn's implementation is compiled here, once, with the project's options. */
#define M2M_JSMN_IMPLEMENTATION
#include "job_record.h"

#include <string.h>

#include "job_record_internal.h"
#include "strbuf.h"

/* boards/cortex-m4.mk sets M2M_OPTIMIZE_SIZE 1: the hot paths below then trade host CPU for
 * code size (a table walk instead of a switch, loops not unrolled). */
#ifndef M2M_OPTIMIZE_SIZE
#define M2M_OPTIMIZE_SIZE 0
#endif

/* Fields, numbered as the JOB_HAS_* bits (bit = 1 << (field - 1)). */
enum {
    F_NONE,
    F_JOB_ID,
    F_JOB_NAME,
    F_VERSION_ID,
    F_STATUS,
    F_CREATE_TIME,
    F_DURATION,
    F_JOB_DESC,
    F_VERSION_COUNT
};

#if M2M_OPTIMIZE_SIZE
/* Length-prefixed names in F_* order; a key matches only with its exact length. */
static const char field_names[] = "\006job_id"
                                  "\010job_name"
                                  "\012version_id"
                                  "\006status"
                                  "\013create_time"
                                  "\010duration"
                                  "\010job_desc"
                                  "\015version_count";

static int find_field(const char *key, size_t len)
{
    const char *k = field_names;
    int field = F_JOB_ID;
    for (; *k != '\0'; k += (uint8_t)*k + 1, field++) {
        if ((uint8_t)*k == len && memcmp(k + 1, key, len) == 0) {
            return field;
        }
    }
    return F_NONE;
}
#else
static int same(const char *key, const char *name, size_t n)
{
    return memcmp(key, name, n) == 0;
}

/* By length first: every comparison is then of a constant size, which compilers inline. */
static int find_field(const char *key, size_t len)
{
    switch (len) {
    case 6:
        return same(key, "job_id", 6) ? F_JOB_ID : same(key, "status", 6) ? F_STATUS : F_NONE;
    case 8:
        if (same(key, "job_", 4)) {
            return same(key + 4, "name", 4)   ? F_JOB_NAME
                   : same(key + 4, "desc", 4) ? F_JOB_DESC
                                              : F_NONE;
        }
        return same(key, "duration", 8) ? F_DURATION : F_NONE;
    case 10:
        return same(key, "version_id", 10) ? F_VERSION_ID : F_NONE;
    case 11:
        return same(key, "create_time", 11) ? F_CREATE_TIME : F_NONE;
    case 13:
        return same(key, "version_count", 13) ? F_VERSION_COUNT : F_NONE;
    default:
        return F_NONE;
    }
}
#endif

static int is_json_number(const char *s, size_t n)
{
    uint8_t state = JSON_NUMBER_START;
    size_t i;
    for (i = 0; i < n; i++) {
        state = json_number_step(state, (uint8_t)s[i]);
        if (state >= JSON_NUMBER_END) {
            return 0;
        }
    }
    /* Complete only if a byte that cannot continue it would end it. */
    return json_number_step(state, ' ') == JSON_NUMBER_END;
}

/* jsmn's strict mode takes any run of printable bytes starting with t, f, n, '-' or a digit as
 * a primitive; only the JSON literals and numbers are valid. */
int job_json_primitive(const char *s, size_t n)
{
    if (n == 4 && (memcmp(s, "true", 4) == 0 || memcmp(s, "null", 4) == 0)) {
        return 1;
    }
    if (n == 5 && memcmp(s, "false", 5) == 0) {
        return 1;
    }
    return is_json_number(s, n);
}

/* The index after the value at v and all its descendants, or -1 when the descendants do not
 * form well-made JSON: jsmn lets through keys without values, "key": pairs inside arrays and
 * primitives such as "tru" or "1x". The value at v itself is the caller's to check. */
int job_tokens_skip(const char *text, const jsmntok_t *t, int v, int count)
{
    int pending = 1;
    int i = v;
    while (pending > 0) {
        if (i >= count) {
            return -1;
        }
        if (i > v) {
            int is_key;
            if (t[i].parent < 0) {
                return -1;
            }
            is_key = (t[t[i].parent].type == JSMN_OBJECT);
            if (is_key != (t[i].type == JSMN_STRING && t[i].size == 1)) {
                return -1;
            }
            if (t[i].type == JSMN_PRIMITIVE &&
                !job_json_primitive(text + t[i].start, (size_t)(t[i].end - t[i].start))) {
                return -1;
            }
        }
        pending += t[i].size - 1;
        i++;
    }
    return i;
}

static int64_t *integer_slot(job_record_t *out, int field)
{
    switch (field) {
    case F_JOB_ID:
        return &out->job_id;
    case F_VERSION_ID:
        return &out->version_id;
    case F_STATUS:
        return &out->status;
    case F_CREATE_TIME:
        return &out->create_time;
    case F_DURATION:
        return &out->duration;
    default:
        return &out->version_count;
    }
}

static job_record_status_t read_field(char *text, const jsmntok_t *v, int field, job_record_t *out)
{
    char *s = text + v->start;
    size_t n = (size_t)(v->end - v->start);
    uint16_t bit = (uint16_t)(1u << (field - 1));
    int is_text = (field == F_JOB_NAME || field == F_JOB_DESC);

    out->present &= (uint16_t)~bit; /* the last of duplicate keys wins */
    if (v->type == JSMN_PRIMITIVE) {
        if (n == 4 && memcmp(s, "null", 4) == 0) {
            return JOB_RECORD_OK; /* null: absent */
        }
        if (is_text || s[0] == 't' || s[0] == 'f' || s[0] == 'n') {
            return job_json_primitive(s, n) ? JOB_RECORD_ERR_TYPE : JOB_RECORD_ERR_JSON;
        }
        if (json_parse_int64(s, n, integer_slot(out, field)) != 0) {
            return JOB_RECORD_ERR_NUMBER;
        }
    } else if (!is_text || v->type != JSMN_STRING) {
        return JOB_RECORD_ERR_TYPE;
    } else {
        long len = json_decode_string(s, n, s);
        if (len < 0) {
            return JOB_RECORD_ERR_STRING;
        }
        if (field == F_JOB_NAME) {
            out->job_name = s;
            out->job_name_len = (size_t)len;
        } else {
            out->job_desc = s;
            out->job_desc_len = (size_t)len;
        }
    }
    out->present |= bit;
    return JOB_RECORD_OK;
}

int job_tokens_parse(job_record_parser_t *p, const char *text, size_t len)
{
    const jsmntok_t *t = p->tokens;
    int count;
    size_t end;

    jsmn_init(&p->parser);
    count = jsmn_parse(&p->parser, text, len, p->tokens, M2M_JOB_TOKENS_MAX);
    if (count == JSMN_ERROR_NOMEM) {
        return JOB_RECORD_ERR_TOKENS;
    }
    if (count < 0) {
        return JOB_RECORD_ERR_JSON;
    }
    if (count == 0 || t[0].type != JSMN_OBJECT) {
        return JOB_RECORD_ERR_NOT_OBJECT;
    }
    /* jsmn stops at a NUL and parses further top-level values: only whitespace may follow. */
    for (end = (size_t)t[0].end; end < len; end++) {
        char c = text[end];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            return JOB_RECORD_ERR_JSON;
        }
    }
    return count;
}

job_record_status_t job_record_parse(job_record_parser_t *p, char *text, size_t len,
                                     job_record_t *out)
{
    const jsmntok_t *t = p->tokens;
    int count;
    int i = 1;
    int k;

    memset(out, 0, sizeof *out);
    count = job_tokens_parse(p, text, len);
    if (count < 0) {
        return (job_record_status_t)count;
    }

    for (k = 0; k < t[0].size; k++) {
        const jsmntok_t *key = &t[i];
        char *name = text + key->start;
        size_t name_len = (size_t)(key->end - key->start);
        int next;
        int field;

        if (key->type != JSMN_STRING || key->size != 1) {
            return JOB_RECORD_ERR_JSON;
        }
        /* A value without children (a scalar, {} or []) ends at the next token. */
        next =
            (i + 1 < count && t[i + 1].size == 0) ? i + 2 : job_tokens_skip(text, t, i + 1, count);
        if (next < 0) {
            return JOB_RECORD_ERR_JSON;
        }
        field = find_field(name, name_len);
        if (field == F_NONE && memchr(name, '\\', name_len) != NULL) {
            /* An escaped key: compare its decoded text (decoding never grows). */
            long n = json_decode_string(name, name_len, name);
            if (n < 0) {
                return JOB_RECORD_ERR_STRING;
            }
            field = find_field(name, (size_t)n);
        }
        if (field == F_NONE) {
            const jsmntok_t *v = &t[i + 1];
            if (v->type == JSMN_PRIMITIVE &&
                !job_json_primitive(text + v->start, (size_t)(v->end - v->start))) {
                return JOB_RECORD_ERR_JSON;
            }
        } else {
            job_record_status_t st = read_field(text, &t[i + 1], field, out);
            if (st != JOB_RECORD_OK) {
                return st;
            }
        }
        i = next;
    }
    if (i != count) {
        return JOB_RECORD_ERR_JSON;
    }
    if (!(out->present & JOB_HAS_JOB_ID)) {
        return JOB_RECORD_ERR_NO_ID;
    }
    if (!(out->present & JOB_HAS_STATUS)) {
        return JOB_RECORD_ERR_NO_STATUS;
    }
    return JOB_RECORD_OK;
}

#define FNV_PRIME 0x100000001b3ull

uint64_t job_fnv(uint64_t h, const uint8_t *p, size_t n)
{
    size_t i = 0;
#if !M2M_OPTIMIZE_SIZE
    for (; n - i >= 4; i += 4) {
        h = (h ^ p[i]) * FNV_PRIME;
        h = (h ^ p[i + 1]) * FNV_PRIME;
        h = (h ^ p[i + 2]) * FNV_PRIME;
        h = (h ^ p[i + 3]) * FNV_PRIME;
    }
#endif
    for (; i < n; i++) {
        h = (h ^ p[i]) * FNV_PRIME;
    }
    return h;
}

#if M2M_OPTIMIZE_SIZE
/* The integers in the order the fingerprint takes them (that of the #else branch). */
static const uint8_t fingerprint_ints[] = {
    offsetof(job_record_t, job_id),   offsetof(job_record_t, version_id),
    offsetof(job_record_t, status),   offsetof(job_record_t, create_time),
    offsetof(job_record_t, duration), offsetof(job_record_t, version_count)};
#endif

uint64_t job_record_fingerprint(const job_record_t *job)
{
    /* The fixed-size part in the machine's byte order: a fingerprint is compared only with
     * fingerprints made by the same build. Each string's length goes first, so ("ab", "c") and
     * ("a", "bc") differ; an absent string has length 0 and its presence bit clear. */
    uint32_t meta[3];
    uint64_t h;
#if M2M_OPTIMIZE_SIZE
    size_t i;

    h = JOB_FNV_OFFSET;
    for (i = 0; i < sizeof fingerprint_ints; i++) {
        h = job_fnv(h, (const uint8_t *)job + fingerprint_ints[i], sizeof(int64_t));
    }
#else
    int64_t ints[6];

    ints[0] = job->job_id;
    ints[1] = job->version_id;
    ints[2] = job->status;
    ints[3] = job->create_time;
    ints[4] = job->duration;
    ints[5] = job->version_count;
    h = job_fnv(JOB_FNV_OFFSET, (const uint8_t *)ints, sizeof ints);
#endif
    meta[0] = job->present;
    meta[1] = job->job_name != NULL ? (uint32_t)job->job_name_len : 0;
    meta[2] = job->job_desc != NULL ? (uint32_t)job->job_desc_len : 0;
    h = job_fnv(h, (const uint8_t *)meta, sizeof meta);
    if (job->job_name != NULL) {
        h = job_fnv(h, (const uint8_t *)job->job_name, job->job_name_len);
    }
    if (job->job_desc != NULL) {
        h = job_fnv(h, (const uint8_t *)job->job_desc, job->job_desc_len);
    }
    /* Fold the 64 bits to 40 by xor, as FNV's authors advise for shorter hashes. */
    return JOB_FNV_FOLD40(h);
}

uint32_t job_bytes_hash(const char *text, size_t len)
{
    /* Two lanes of a multiply mix, sixteen bytes a step: a few instructions
     * per eight bytes, where FNV-1a costs two per byte. Every bit of a word
     * reaches the high half of its lane's product, which the end folds in. */
    const uint64_t k1 = 0x9E3779B97F4A7C15ull;
    const uint64_t k2 = 0xC2B2AE3D27D4EB4Full;
    uint64_t h1 = (uint64_t)len * k1;
    uint64_t h2 = ~(uint64_t)len;
    size_t i = 0;
    uint32_t out;
    for (; len - i >= 16; i += 16) {
        uint64_t w1, w2;
        memcpy(&w1, text + i, 8);
        memcpy(&w2, text + i + 8, 8);
        h1 = (h1 ^ w1) * k1;
        h2 = (h2 ^ w2) * k2;
    }
    for (; i < len; i += 8) {
        uint64_t w = 0;
        memcpy(&w, text + i, len - i < 8 ? len - i : 8);
        h1 = (h1 ^ w) * k1;
        h1 ^= h1 >> 31;
    }
    h1 ^= (h2 ^ (h2 >> 29)) * k1;
    h1 ^= h1 >> 32;
    out = (uint32_t)h1;
    return out != 0 ? out : 1u;
}

const char *job_record_strerror(job_record_status_t st)
{
#if M2M_STRERROR_TEXT
    switch (st) {
    case JOB_RECORD_OK:
        return "ok";
    case JOB_RECORD_ERR_JSON:
        return "invalid JSON";
    case JOB_RECORD_ERR_TOKENS:
        return "too many tokens";
    case JOB_RECORD_ERR_NOT_OBJECT:
        return "job not an object";
    case JOB_RECORD_ERR_TYPE:
        return "field of wrong type";
    case JOB_RECORD_ERR_NUMBER:
        return "field not an int64";
    case JOB_RECORD_ERR_STRING:
        return "bad string";
    case JOB_RECORD_ERR_NO_ID:
        return "no job_id";
    case JOB_RECORD_ERR_NO_STATUS:
        return "no status";
    case JOB_RECORD_ERR_BAD_ID:
        return "id not a UUID";
    }
    return "unknown status";
#else
    return strbuf_status_code((int)st);
#endif
}

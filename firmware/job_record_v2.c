/* SPDX-License-Identifier: Apache-2.0 */
/* job_record_v2.c - one v2 training job from its JSON object; see include/job_record.h.
 *
 * The item arrives filtered by job_stream (kind, metadata, status and the members of those two
 * that the payload needs). The same parser reads the agent's own flat payload of a v2 job, so
 * a retained job topic fingerprints like the item it was made from. No recursion: the two
 * nested objects are walked by an inner loop. */
#include "job_record.h"

#include <string.h>

#include "job_record_internal.h"

/* Fields, numbered as the JOB_V2_HAS_* bits (bit = 1 << (field - 1)), then the two objects. */
enum {
    V_NONE,
    V_ID,
    V_NAME,
    V_DESCRIPTION,
    V_CREATE_TIME,
    V_DURATION,
    V_START_TIME,
    V_USER_NAME,
    V_KIND,
    V_PHASE,
    V_SECONDARY_PHASE,
    V_METADATA,
    V_STATUS
};

/* Where a key is read: the item (or the flat payload), metadata, status. */
enum { SCOPE_TOP = 'T', SCOPE_METADATA = 'M', SCOPE_STATUS = 'S' };

/* Entries of scope, field, name length, name; a key matches only with its exact length. */
static const char v2_keys[] = "T\010\004kind"
                              "T\013\010metadata"
                              "T\014\006status"
                              "T\001\006job_id"
                              "T\002\010job_name"
                              "T\003\010job_desc"
                              "T\004\013create_time"
                              "T\005\010duration"
                              "T\006\012start_time"
                              "T\007\011user_name"
                              "T\011\013status_name"
                              "T\012\017secondary_phase"
                              "M\001\002id"
                              "M\002\004name"
                              "M\003\013description"
                              "M\004\013create_time"
                              "M\007\011user_name"
                              "S\011\005phase"
                              "S\012\017secondary_phase"
                              "S\005\010duration"
                              "S\006\012start_time";

static int find_key(char scope, const char *key, size_t len)
{
    const char *k = v2_keys;
    while (*k != '\0') {
        size_t n = (uint8_t)k[2];
        if (k[0] == scope && n == len && memcmp(k + 3, key, n) == 0) {
            return (uint8_t)k[1];
        }
        k += 3 + n;
    }
    return V_NONE;
}

/* The field of key token t[i] in scope; an escaped key is compared decoded. */
static int key_field(char *text, const jsmntok_t *key, char scope, job_record_status_t *st)
{
    char *name = text + key->start;
    size_t len = (size_t)(key->end - key->start);
    int field = find_key(scope, name, len);
    if (field == V_NONE && memchr(name, '\\', len) != NULL) {
        long n = json_decode_string(name, len, name);
        if (n < 0) {
            *st = JOB_RECORD_ERR_STRING;
            return V_NONE;
        }
        field = find_key(scope, name, (size_t)n);
    }
    return field;
}

static int64_t *integer_slot(job_record_v2_t *out, int field)
{
    return field == V_CREATE_TIME ? &out->create_time
           : field == V_DURATION  ? &out->duration
                                  : &out->start_time;
}

static job_text_t *text_slot(job_record_v2_t *out, int field)
{
    switch (field) {
    case V_NAME:
        return &out->name;
    case V_DESCRIPTION:
        return &out->description;
    case V_USER_NAME:
        return &out->user_name;
    case V_KIND:
        return &out->kind;
    case V_PHASE:
        return &out->phase;
    default:
        return &out->secondary_phase;
    }
}

static job_record_status_t read_field(char *text, const jsmntok_t *v, int field,
                                      job_record_v2_t *out)
{
    char *s = text + v->start;
    size_t n = (size_t)(v->end - v->start);
    uint16_t bit = (uint16_t)(1u << (field - 1));
    int is_int = field == V_CREATE_TIME || field == V_DURATION || field == V_START_TIME;

    out->present &= (uint16_t)~bit; /* the last of duplicate keys wins */
    if (v->type == JSMN_PRIMITIVE) {
        if (n == 4 && memcmp(s, "null", 4) == 0) {
            return JOB_RECORD_OK; /* null: absent */
        }
        if (!is_int || s[0] == 't' || s[0] == 'f' || s[0] == 'n') {
            return job_json_primitive(s, n) ? JOB_RECORD_ERR_TYPE : JOB_RECORD_ERR_JSON;
        }
        if (json_parse_int64(s, n, integer_slot(out, field)) != 0) {
            return JOB_RECORD_ERR_NUMBER;
        }
    } else if (is_int || v->type != JSMN_STRING) {
        return JOB_RECORD_ERR_TYPE;
    } else {
        long len = json_decode_string(s, n, s);
        if (len < 0) {
            return JOB_RECORD_ERR_STRING;
        }
        if (field == V_ID) {
            if (job_uuid_parse(s, (size_t)len, out->id) != 0) {
                return JOB_RECORD_ERR_BAD_ID;
            }
        } else {
            job_text_t *slot = text_slot(out, field);
            slot->p = s;
            slot->len = (size_t)len;
        }
    }
    out->present |= bit;
    return JOB_RECORD_OK;
}

/* One member: key at t[i], value at t[i + 1]. Returns the index after it, or a negative
 * job_record_status_t. *nested is set to the scope of a metadata or status object to walk. */
static int read_member(char *text, const jsmntok_t *t, int i, int count, char scope,
                       job_record_v2_t *out, char *nested)
{
    const jsmntok_t *v = &t[i + 1];
    job_record_status_t st = JOB_RECORD_OK;
    int next;
    int field;

    if (t[i].type != JSMN_STRING || t[i].size != 1 || i + 1 >= count) {
        return JOB_RECORD_ERR_JSON;
    }
    next = v->size == 0 ? i + 2 : job_tokens_skip(text, t, i + 1, count);
    if (next < 0) {
        return JOB_RECORD_ERR_JSON;
    }
    field = key_field(text, &t[i], scope, &st);
    if (st != JOB_RECORD_OK) {
        return st;
    }
    if (field == V_METADATA || field == V_STATUS) {
        if (v->type == JSMN_OBJECT) {
            *nested = field == V_METADATA ? SCOPE_METADATA : SCOPE_STATUS;
            return i + 2; /* its members follow */
        }
        field = V_NONE;
    }
    if (field == V_NONE) {
        if (v->type == JSMN_PRIMITIVE &&
            !job_json_primitive(text + v->start, (size_t)(v->end - v->start))) {
            return JOB_RECORD_ERR_JSON;
        }
        return next;
    }
    st = read_field(text, v, field, out);
    return st != JOB_RECORD_OK ? st : next;
}

job_record_status_t job_record_parse_v2(job_record_parser_t *p, char *text, size_t len,
                                        job_record_v2_t *out)
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
        char nested = 0;
        int members;
        int m;
        i = read_member(text, t, i, count, SCOPE_TOP, out, &nested);
        if (i < 0) {
            return (job_record_status_t)i;
        }
        if (nested == 0) {
            continue;
        }
        members = t[i - 1].size;
        for (m = 0; m < members; m++) {
            char deeper = 0;
            i = read_member(text, t, i, count, nested, out, &deeper);
            if (i < 0) {
                return (job_record_status_t)i;
            }
        }
    }
    if (i != count) {
        return JOB_RECORD_ERR_JSON;
    }
    if (!(out->present & JOB_V2_HAS_ID)) {
        return JOB_RECORD_ERR_NO_ID;
    }
    if (!(out->present & JOB_V2_HAS_PHASE)) {
        return JOB_RECORD_ERR_NO_STATUS;
    }
    return JOB_RECORD_OK;
}

uint64_t job_record_v2_fingerprint(const job_record_v2_t *job)
{
    /* Each string's length goes first, so ("ab", "c") and ("a", "bc") differ; an absent string
     * has length 0 and its presence bit clear. */
    const job_text_t *texts[6];
    uint32_t meta[7];
    int64_t ints[3];
    uint64_t h;
    size_t i;

    texts[0] = &job->name;
    texts[1] = &job->description;
    texts[2] = &job->user_name;
    texts[3] = &job->kind;
    texts[4] = &job->phase;
    texts[5] = &job->secondary_phase;
    meta[0] = job->present;
    for (i = 0; i < 6; i++) {
        meta[i + 1] = texts[i]->p != NULL ? (uint32_t)texts[i]->len : 0;
    }
    ints[0] = job->create_time;
    ints[1] = job->duration;
    ints[2] = job->start_time;
    h = job_fnv(JOB_FNV_OFFSET, job->id, sizeof job->id);
    h = job_fnv(h, (const uint8_t *)ints, sizeof ints);
    h = job_fnv(h, (const uint8_t *)meta, sizeof meta);
    for (i = 0; i < 6; i++) {
        if (texts[i]->p != NULL) {
            h = job_fnv(h, (const uint8_t *)texts[i]->p, texts[i]->len);
        }
    }
    return JOB_FNV_FOLD40(h);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)(c | 0x20);
    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

int job_uuid_parse(const char *text, size_t len, uint8_t out[16])
{
    size_t i;
    unsigned n = 0;

    if (len != 36) {
        return -1;
    }
    for (i = 0; i < 36; i++) {
        int hi, lo;
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-') {
                return -1;
            }
            continue;
        }
        hi = hex_value(text[i]);
        lo = hex_value(text[++i]);
        if (hi < 0 || lo < 0) {
            return -1;
        }
        out[n++] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

const char *job_uuid_format(const uint8_t id[16], char out[37])
{
    static const char hex[] = "0123456789abcdef";
    size_t i;
    char *o = out;

    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            *o++ = '-';
        }
        *o++ = hex[id[i] >> 4];
        *o++ = hex[id[i] & 15u];
    }
    *o = '\0';
    return out;
}

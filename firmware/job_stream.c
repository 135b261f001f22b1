/* SPDX-License-Identifier: Apache-2.0 */
/* job_stream.c - streaming reader of a list-call body; see include/job_stream.h.
 *
 * Two speeds. Outside job elements a byte-at-a-time state machine walks and validates the
 * JSON; there are few such bytes (top-level keys and scalars, commas between jobs). Inside a v1
 * job element, nearly the whole body, bytes are copied to the job buffer in blocks and scanned
 * with a table lookup for the only bytes that matter there: quotes, backslashes, brackets and
 * control bytes. The rest of a job's syntax is checked by jsmn afterwards (job_record).
 *
 * A v2 item is mostly bytes the payload does not need, so it is not copied whole: the same
 * state machine walks it (fully validating it), and writes to the job buffer only the members
 * it keeps. A kept member is written when its value's first byte shows the value's type: the
 * separator, the decoded key and the colon are generated then, so a skipped member leaves
 * nothing behind, not even a comma; its scalar value follows byte by byte as it is read.
 * Built without M2M_WITH_V2, every test of the v2 path is a constant 0 and its code is dropped.
 */
#include "job_stream.h"

#include <string.h>

#include "strbuf.h"

#include "job_record.h" /* json_byte_class, json_number_step, json_parse_int64, ... */

/* Kept out of line where inlining grows the code (measured with arm-none-eabi-gcc -Os): the
 * functions are off the hot path. */
#if defined(__GNUC__)
#define OUT_OF_LINE __attribute__((noinline))
#else
#define OUT_OF_LINE
#endif
/* end_job() is inlined in the v1 job loop, where it runs once per job, although the end of a v2
 * item calls it too. */
#if defined(__GNUC__)
#define JOB_LOOP_INLINE inline __attribute__((always_inline))
#else
#define JOB_LOOP_INLINE inline
#endif
/* The v2 item path is kept out of line, so that the v1 dispatch it sits beside is compiled as
 * tightly as without it (M2M_OPTIMIZE_SIZE: left to the compiler). */
#if defined(__GNUC__) && !M2M_OPTIMIZE_SIZE
#define OFF_JOB_LOOP __attribute__((noinline))
#else
#define OFF_JOB_LOOP
#endif

/* The states up to ST_DONE sit between tokens, where whitespace is skipped. */
enum {
    ST_START,     /* before the top-level '{' */
    ST_OBJ_FIRST, /* after '{': a key or '}' */
    ST_OBJ_KEY,   /* after ',' in an object: a key */
    ST_COLON,     /* after a key */
    ST_ARR_FIRST, /* after '[': a value or ']' */
    ST_VALUE,     /* after ':', or after ',' in an array */
    ST_AFTER,     /* after a value: ',' or a closing bracket */
    ST_DONE,      /* after the top-level object */
    ST_STRING,
    ST_ESCAPE,  /* after a backslash in a string */
    ST_HEX,     /* in \uXXXX; sub = hex digits still expected */
    ST_LITERAL, /* in true/false/null; sub = index of the next byte in literal_tail */
    ST_NUMBER,  /* sub = json_number_step state */
    ST_JOB,     /* inside an element of v1 "jobs" */
    ST_ERROR    /* error = the status, negated */
};

/* What a key names: top-level fields, then the members of a v2 item that are kept. */
enum {
    F_NONE,
    F_IS_SUCCESS,
    F_ERROR_CODE,
    F_ERROR_MESSAGE,
    F_ERROR_MSG,
    F_JOB_TOTAL_COUNT,
    F_JOB_COUNT_LIMIT,
    F_QUOTAS,
    F_JOBS,     /* the job list: "jobs", v2 "items" */
    F_METADATA, /* kept when an object */
    F_STATUS,   /* kept when an object */
    F_SCALAR    /* kept when a scalar; while its value is read: copied to the job buffer */
};

/* The known keys: per key its length, its F_* and its name; a key matches only with its exact
 * length. Each kind of object reads a run of them (key_runs); v2's top level shares the error
 * fields with v1's. Without M2M_WITH_V2 the v2 keys are left out (and their runs never read). */
#if M2M_WITH_V2
#define K_V2_ONLY                                                                                  \
    "\005\005total"                                                                                \
    "\005\010items"
#else
#define K_V2_ONLY ""
#endif
#define K_ERRORS                                                                                   \
    "\012\002error_code"                                                                           \
    "\015\003error_message"                                                                        \
    "\011\004error_msg"
#define K_V1_ONLY                                                                                  \
    "\012\001is_success"                                                                           \
    "\017\005job_total_count"                                                                      \
    "\017\006job_count_limit"                                                                      \
    "\006\007quotas"                                                                               \
    "\004\010jobs"
#if M2M_WITH_V2
#define K_ITEM                                                                                     \
    "\004\013kind"                                                                                 \
    "\010\011metadata"                                                                             \
    "\006\012status"
#define K_METADATA                                                                                 \
    "\002\013id"                                                                                   \
    "\004\013name"                                                                                 \
    "\013\013description"                                                                          \
    "\013\013create_time"                                                                          \
    "\014\013workspace_id"                                                                         \
    "\011\013user_name"
#define K_STATUS                                                                                   \
    "\005\013phase"                                                                                \
    "\017\013secondary_phase"                                                                      \
    "\010\013duration"                                                                             \
    "\012\013start_time"
#else
#define K_ITEM ""
#define K_METADATA ""
#define K_STATUS ""
#endif
static const char known_keys[] = K_V2_ONLY K_ERRORS K_V1_ONLY K_ITEM K_METADATA K_STATUS;

/* Whose keys are read: the top level's (by API), and in a v2 item its own and those of a kept
 * "metadata" or "status". */
enum {
    OWNER_V1 = JOB_STREAM_V1,
    OWNER_V2 = JOB_STREAM_V2,
    OWNER_ITEM,
    OWNER_METADATA,
    OWNER_STATUS,
    OWNER_NONE
};
/* Where a run starts: the length of the runs before it. */
#define AFTER(before) ((uint8_t)(sizeof(before) - 1))
static const uint8_t key_runs[OWNER_NONE][2] = {
    {AFTER(K_V2_ONLY), 8},                           /* OWNER_V1: the errors and v1's own */
    {0, 5},                                          /* OWNER_V2: v2's own and the errors */
    {AFTER(K_V2_ONLY K_ERRORS K_V1_ONLY), 3},        /* OWNER_ITEM */
    {AFTER(K_V2_ONLY K_ERRORS K_V1_ONLY K_ITEM), 6}, /* OWNER_METADATA */
    {AFTER(K_V2_ONLY K_ERRORS K_V1_ONLY K_ITEM K_METADATA), 4}, /* OWNER_STATUS */
};
/* A kept member's head, ,"key":c, is built in key[] (begin_item_value()). */
typedef char member_head_fits_in_key
    [sizeof(((job_stream_t *)0)->key) >= sizeof "secondary_phase" - 1 + 5 ? 1 : -1];
typedef char key_codes_match_the_fields
    [(F_JOBS == 8 && F_METADATA == 9 && F_STATUS == 10 && F_SCALAR == 11) ? 1 : -1];

enum {
    FL_IN_JOBS = 1u << 0,    /* the open array at depth 2 is "jobs" */
    FL_KEY = 1u << 1,        /* the string being read is a key */
    FL_CAPTURE = 1u << 2,    /* the string is kept: a key that is read, error text, a v2 scalar */
    FL_TEXT_CUT = 1u << 3,   /* error text longer than the job buffer used to hold it */
    FL_JOB_STRING = 1u << 4, /* inside a string of a job element */
    FL_JOB_ESCAPE = 1u << 5  /* the next job byte is escaped */
};

/* Where a v2 walk is inside "items" (the item byte). */
enum {
    IT_IN_ITEMS = 1u << 0,    /* the open array at depth 2 is "items" */
    IT_KEPT = 1u << 1,        /* the object at depth 4 is a kept "metadata" or "status" */
    IT_STATUS = 1u << 2,      /* ... and it is "status" */
    IT_ITEM_MEMBER = 1u << 3, /* a member of the item was written */
    IT_INNER_MEMBER = 1u << 4 /* a member of the kept object was written */
};

/* The bytes after the first of each literal; where the index stops says which it was. */
static const char literal_tail[] = "rue\0alse\0ull";
#define LIT_TRUE 0
#define LIT_FALSE 4
#define LIT_NULL 9
#define LIT_TRUE_END 3

/* Bytes copied to the job buffer per step: bounds the copy past a job's end. */
#define JOB_BLOCK 256

/* A jobs array holds the elements at depth 2 (the top-level object is 1), so a job element is
 * depth 3 and ends when the depth falls back to 2. */
#define JOBS_DEPTH 2
/* The members of a v2 item are at depth 3, those of its "metadata" and "status" at depth 4. */
#define ITEM_DEPTH 3

static int top_is_array(const job_stream_t *s)
{
    unsigned level = (unsigned)s->depth - 1u;
    return (int)((s->nest[level >> 5] >> (level & 31u)) & 1u);
}

static job_stream_status_t push(job_stream_t *s, int is_array)
{
    unsigned level = s->depth;
    uint32_t bit = 1u << (level & 31u);
    if (level >= M2M_JSON_DEPTH_MAX) {
        return JOB_STREAM_ERR_TOO_DEEP;
    }
    if (is_array) {
        s->nest[level >> 5] |= bit;
    } else {
        s->nest[level >> 5] &= ~bit;
    }
    s->depth++;
    return JOB_STREAM_OK;
}

/* Close the open container with c; 0 when c is not the closing bracket it needs. */
static int pop(job_stream_t *s, uint8_t c)
{
    if (s->depth == 0 || (c != '}' && c != ']') || top_is_array(s) != (c == ']')) {
        return 0;
    }
    s->depth--;
    return 1;
}

/* Append to the filtered copy of a v2 item. */
static job_stream_status_t emit(job_stream_t *s, const void *p, size_t n)
{
    if (n > M2M_JOB_MAX - s->job_len) {
        return JOB_STREAM_ERR_JOB_TOO_LARGE;
    }
    memcpy(s->job + s->job_len, p, n);
    s->job_len += n;
    return JOB_STREAM_OK;
}

/* Keep string bytes: a key in key[], a kept v2 scalar in its item's copy, error text (raw,
 * decoded at its end) in job[], which is free while no job element is open. */
static job_stream_status_t capture(job_stream_t *s, const uint8_t *p, size_t n)
{
    if (s->flags & FL_KEY) {
        if (s->key_len <= sizeof s->key && n <= sizeof s->key - s->key_len) {
            memcpy(s->key + s->key_len, p, n);
            s->key_len = (uint8_t)(s->key_len + n);
        } else {
            s->key_len = sizeof s->key + 1; /* too long to be a known key */
        }
        return JOB_STREAM_OK;
    }
    if (M2M_WITH_V2 && s->field == F_SCALAR) {
        return emit(s, p, n);
    }
    if (n > M2M_JOB_MAX - s->job_len) {
        n = M2M_JOB_MAX - s->job_len;
        s->flags |= FL_TEXT_CUT;
    }
    memcpy(s->job + s->job_len, p, n);
    s->job_len += n;
    return JOB_STREAM_OK;
}

/* The F_* the key in key[] names among the count keys from k. The key is decoded in place
 * first, so that a kept v2 member is written out with its plain name (key[0..key_len)). */
static uint8_t match_key(job_stream_t *s, const char *k, unsigned count)
{
    size_t len = s->key_len;

    if (len > sizeof s->key) {
        return F_NONE;
    }
    if (memchr(s->key, '\\', len) != NULL) {
        long n = json_decode_string(s->key, len, s->key);
        len = n < 0 ? 0 : (size_t)n;
        s->key_len = (uint8_t)len;
    }
    while (count-- > 0) {
        size_t n = (uint8_t)*k;
        if (n == len && memcmp(k + 2, s->key, n) == 0) {
            return (uint8_t)k[1];
        }
        k += n + 2;
    }
    return F_NONE;
}

/* Whose keys the open object has (OWNER_*; OWNER_NONE: its keys are not read). */
static unsigned key_owner(const job_stream_t *s)
{
    if (s->depth == 1) {
        return M2M_WITH_V2 ? s->api : OWNER_V1;
    }
    if (!M2M_WITH_V2 || !(s->item & IT_IN_ITEMS)) {
        return OWNER_NONE;
    }
    if (s->depth == ITEM_DEPTH) {
        return OWNER_ITEM;
    }
    if (s->depth == ITEM_DEPTH + 1 && (s->item & IT_KEPT)) {
        return (s->item & IT_STATUS) ? OWNER_STATUS : OWNER_METADATA;
    }
    return OWNER_NONE;
}

static void store_text(job_stream_t *s)
{
    char *dst = s->error_message;
    size_t cap = sizeof s->error_message;
    size_t raw = s->job_len;
    size_t i = 0;
    long n;

    if (s->field == F_ERROR_CODE) {
        dst = s->error_code;
        cap = sizeof s->error_code;
    }
    if (s->flags & FL_TEXT_CUT) {
        /* The capture stopped at the buffer's end, maybe inside an escape: keep whole ones. */
        while (i < raw) {
            size_t step = 1;
            if (s->job[i] == '\\') {
                step = (i + 1 < raw && s->job[i + 1] == 'u') ? 6 : 2;
                if (raw - i < step) {
                    break;
                }
            }
            i += step;
        }
        raw = i;
    }
    n = json_decode_string(s->job, raw, s->job);
    if (n < 0) {
        n = 0;
    }
    if ((size_t)n >= cap) {
        /* Cut before the first byte that does not fit, backing off to a character start. */
        n = (long)cap - 1;
        while (n > 0 && ((uint8_t)s->job[n] & 0xC0) == 0x80) {
            n--;
        }
    }
    memcpy(dst, s->job, (size_t)n);
    dst[n] = '\0';
    s->job_len = 0;
}

/* What each top-level field holds, indexed by F_*; a value is kept only when its first byte
 * starts that type (value_type()). */
enum { T_NONE, T_BOOL, T_TEXT, T_INT };
static const uint8_t field_type[] = {T_NONE, T_BOOL, T_TEXT, T_TEXT, T_TEXT, T_INT,
                                     T_INT,  T_INT,  T_NONE, T_NONE, T_NONE, T_NONE};

OUT_OF_LINE static unsigned value_type(uint8_t c)
{
    return c == '"'                                ? T_TEXT
           : (c == 't' || c == 'f')                ? T_BOOL
           : (c == '-' || (uint8_t)(c - '0') < 10) ? T_INT
                                                   : T_NONE;
}

/* The integer fields and their flags lie in field order (checked below). */
static int64_t *count_value(job_stream_t *s, uint8_t field)
{
    return (int64_t *)(void *)((char *)s + offsetof(job_stream_t, job_total_count) +
                               sizeof(int64_t) * (unsigned)(field - F_JOB_TOTAL_COUNT));
}

static uint8_t *has_count(job_stream_t *s, uint8_t field)
{
    return (uint8_t *)s + offsetof(job_stream_t, has_job_total_count) +
           (unsigned)(field - F_JOB_TOTAL_COUNT);
}

typedef char counts_in_field_order
    [(offsetof(job_stream_t, job_count_limit) == offsetof(job_stream_t, job_total_count) + 8 &&
      offsetof(job_stream_t, quotas) == offsetof(job_stream_t, job_total_count) + 16 &&
      offsetof(job_stream_t, has_job_count_limit) ==
          offsetof(job_stream_t, has_job_total_count) + 1 &&
      offsetof(job_stream_t, has_quotas) == offsetof(job_stream_t, has_job_total_count) + 2)
         ? 1
         : -1];

static job_stream_status_t store_number(job_stream_t *s)
{
    if (s->value_len > sizeof s->value ||
        json_parse_int64(s->value, s->value_len, count_value(s, s->field)) != 0) {
        return JOB_STREAM_ERR_NUMBER;
    }
    *has_count(s, s->field) = 1;
    return JOB_STREAM_OK;
}

/* A known top-level field starts a value: the last of duplicate keys wins, so forget what an
 * earlier one said. */
OUT_OF_LINE static void forget_field(job_stream_t *s, uint8_t field)
{
    uint8_t type = field_type[field];
    if (type == T_BOOL) {
        s->is_success = -1;
    } else if (type == T_TEXT) {
        (field == F_ERROR_CODE ? s->error_code : s->error_message)[0] = '\0';
    } else if (type == T_INT) {
        *has_count(s, field) = 0;
    }
}

/* Enter the value that starts with c (a byte that may start one); keep: a string's bytes are
 * captured (capture()). */
static job_stream_status_t enter_value(job_stream_t *s, uint8_t c, int keep)
{
    if (c == '{' || c == '[') {
        s->state = (c == '{') ? ST_OBJ_FIRST : ST_ARR_FIRST;
        return push(s, c == '[');
    }
    if (c == '"') {
        s->flags =
            (uint8_t)((s->flags & ~(FL_KEY | FL_TEXT_CUT | FL_CAPTURE)) | (keep ? FL_CAPTURE : 0));
        s->state = ST_STRING;
    } else if (c == 't' || c == 'f' || c == 'n') {
        s->sub = (c == 't') ? LIT_TRUE : (c == 'f') ? LIT_FALSE : LIT_NULL;
        s->state = ST_LITERAL;
    } else {
        s->sub = json_number_step(JSON_NUMBER_START, c);
        s->value[0] = (char)c;
        s->value_len = 1;
        s->state = ST_NUMBER;
    }
    return JOB_STREAM_OK;
}

/* A value inside v2 "items" (depth 2 or more): an item starts, or a member's value starts. The
 * key's field (F_SCALAR, F_METADATA, F_STATUS) says what the member is kept as; whether it is
 * kept depends on the value's first byte, so the member's head is written here. */
OFF_JOB_LOOP static job_stream_status_t begin_item_value(job_stream_t *s, uint8_t c)
{
    uint8_t field = s->field;
    int container = (c == '{' || c == '[');
    uint8_t member = (s->depth == ITEM_DEPTH) ? IT_ITEM_MEMBER : IT_INNER_MEMBER;
    size_t first = (s->item & member) ? 0 : 1;
    size_t n = s->key_len;
    job_stream_status_t st;

    s->field = F_NONE;
    if (s->depth == JOBS_DEPTH) {
        if (c != '{') {
            return JOB_STREAM_ERR_JOB_NOT_OBJECT;
        }
        s->job[0] = '{';
        s->job_len = 1;
        s->item = IT_IN_ITEMS;
        return enter_value(s, c, 0);
    }
    if (field == F_SCALAR ? container : (field == F_NONE || c != '{')) {
        return enter_value(s, c, 0); /* skipped: walked, nothing written */
    }
    /* The head ,"key":c built around the decoded key, which is a known one, so at most 15 bytes
     * and the head fits in key[]. The comma only between written members, so that a skipped
     * first or last member leaves none. */
    memmove(s->key + 2, s->key, n);
    memcpy(s->key, ",\"", 2);
    memcpy(s->key + 2 + n, "\":", 2);
    s->key[n + 4] = (char)c;
    st = emit(s, s->key + first, n + 5 - first);
    if (st != JOB_STREAM_OK) {
        return st;
    }
    s->item |= member;
    if (container) {
        s->item = (uint8_t)((s->item & ~(IT_STATUS | IT_INNER_MEMBER)) | IT_KEPT |
                            (field == F_STATUS ? IT_STATUS : 0));
    } else {
        s->field = F_SCALAR; /* the rest of the value is written as it is read */
    }
    return enter_value(s, c, !container);
}

static job_stream_status_t begin_value(job_stream_t *s, uint8_t c)
{
    uint8_t field = s->field;
    int keep;

    if (!(json_byte_class[c] & JSON_BYTE_VALUE)) {
        return JOB_STREAM_ERR_SYNTAX;
    }
    if (s->depth == JOBS_DEPTH && (s->flags & FL_IN_JOBS)) {
        if (c != '{') {
            return JOB_STREAM_ERR_JOB_NOT_OBJECT;
        }
        s->job[0] = '{';
        s->job_len = 1;
        s->flags &= (uint8_t) ~(FL_JOB_STRING | FL_JOB_ESCAPE);
        s->state = ST_JOB;
        return push(s, 0);
    }
    if (M2M_WITH_V2 && (s->item & IT_IN_ITEMS)) {
        return begin_item_value(s, c);
    }
    forget_field(s, field);
    if (field == F_JOBS) {
        if (c == '[') {
            if (M2M_WITH_V2 && s->api == JOB_STREAM_V2) {
                s->item = IT_IN_ITEMS;
            } else {
                s->flags |= FL_IN_JOBS;
            }
            s->has_jobs = 1;
        } else if (c != 'n') {
            return JOB_STREAM_ERR_JOBS_NOT_ARRAY;
        }
    }
    /* A known field is kept only when the value has its type; another type is skipped. */
    keep = field_type[field] != T_NONE && field_type[field] == value_type(c);
    s->field = keep ? field : F_NONE;
    return enter_value(s, c, keep);
}

static JOB_LOOP_INLINE job_stream_status_t end_job(job_stream_t *s, size_t used);

static job_stream_status_t close_container(job_stream_t *s, uint8_t c)
{
    if (!pop(s, c)) {
        return JOB_STREAM_ERR_SYNTAX;
    }
    if (s->depth == JOBS_DEPTH - 1) {
        s->flags &= (uint8_t)~FL_IN_JOBS;
        s->item = 0;
        s->job_len = 0; /* the job buffer is free again for error text (capture()) */
    }
    s->state = (s->depth == 0) ? ST_DONE : ST_AFTER;
    if (M2M_WITH_V2 && (s->item & IT_IN_ITEMS) &&
        (s->depth == JOBS_DEPTH || (s->depth == ITEM_DEPTH && (s->item & IT_KEPT)))) {
        /* A v2 item, or the kept object it holds, ends: close its copy too. */
        job_stream_status_t st = emit(s, "}", 1);
        s->item &= (uint8_t)~IT_KEPT;
        return (st != JOB_STREAM_OK || s->depth != JOBS_DEPTH) ? st : end_job(s, 0);
    }
    return JOB_STREAM_OK;
}

static job_stream_status_t end_string(job_stream_t *s)
{
    job_stream_status_t st = JOB_STREAM_OK;

    if (s->flags & FL_KEY) {
        unsigned owner = key_owner(s);
        s->field = owner == OWNER_NONE
                       ? F_NONE
                       : match_key(s, known_keys + key_runs[owner][0], key_runs[owner][1]);
        s->state = ST_COLON;
    } else {
        if (M2M_WITH_V2 && s->field == F_SCALAR) {
            st = emit(s, "\"", 1);
        } else if (s->field != F_NONE) {
            store_text(s);
        }
        s->field = F_NONE;
        s->state = ST_AFTER;
    }
    s->flags &= (uint8_t) ~(FL_KEY | FL_CAPTURE);
    return st;
}

/* One byte outside job elements and outside plain string spans. */
static job_stream_status_t step(job_stream_t *s, uint8_t c)
{
    for (;;) {
        if (s->state <= ST_DONE && (json_byte_class[c] & JSON_BYTE_SPACE)) {
            return JOB_STREAM_OK;
        }
        switch (s->state) {
        case ST_START:
            if (c != '{') {
                return c == 0 ? JOB_STREAM_ERR_SYNTAX : JOB_STREAM_ERR_NOT_OBJECT;
            }
            s->state = ST_OBJ_FIRST;
            return push(s, 0);
        case ST_OBJ_FIRST:
        case ST_OBJ_KEY:
            if (c == '}' && s->state == ST_OBJ_FIRST) {
                return close_container(s, c);
            }
            if (c != '"') {
                return JOB_STREAM_ERR_SYNTAX;
            }
            s->flags = (uint8_t)((s->flags & ~FL_CAPTURE) | FL_KEY |
                                 (key_owner(s) != OWNER_NONE ? FL_CAPTURE : 0));
            s->key_len = 0;
            s->state = ST_STRING;
            return JOB_STREAM_OK;
        case ST_COLON:
            if (c != ':') {
                return JOB_STREAM_ERR_SYNTAX;
            }
            s->state = ST_VALUE;
            return JOB_STREAM_OK;
        case ST_ARR_FIRST:
        case ST_VALUE:
            if (c == ']' && s->state == ST_ARR_FIRST) {
                return close_container(s, c);
            }
            return begin_value(s, c);
        case ST_AFTER:
            if (c == ',') {
                s->state = top_is_array(s) ? ST_VALUE : ST_OBJ_KEY;
                return JOB_STREAM_OK;
            }
            return close_container(s, c);
        case ST_DONE:
            return c == 0 ? JOB_STREAM_ERR_SYNTAX : JOB_STREAM_ERR_TRAILING;
        case ST_STRING: /* only '"', '\\' and control bytes come here */
            if (c == '"') {
                return end_string(s);
            }
            if (c < 0x20) {
                return JOB_STREAM_ERR_SYNTAX;
            }
            s->state = ST_ESCAPE;
            break;
        case ST_ESCAPE:
            if (c == 'u') {
                s->sub = 4;
                s->state = ST_HEX;
            } else if (memchr("\"\\/bfnrt", c, 8) != NULL) {
                s->state = ST_STRING;
            } else {
                return JOB_STREAM_ERR_SYNTAX;
            }
            break;
        case ST_HEX:
            if (!(json_byte_class[c] & JSON_BYTE_HEX)) {
                return JOB_STREAM_ERR_SYNTAX;
            }
            if (--s->sub == 0) {
                s->state = ST_STRING;
            }
            break;
        case ST_LITERAL:
            if (c != (uint8_t)literal_tail[s->sub]) {
                return JOB_STREAM_ERR_SYNTAX;
            }
            if (M2M_WITH_V2 && s->field == F_SCALAR && emit(s, &c, 1) != JOB_STREAM_OK) {
                return JOB_STREAM_ERR_JOB_TOO_LARGE;
            }
            if (literal_tail[++s->sub] == '\0') {
                if (s->field == F_IS_SUCCESS) {
                    s->is_success = (s->sub == LIT_TRUE_END) ? 1 : 0;
                }
                s->field = F_NONE;
                s->state = ST_AFTER;
            }
            return JOB_STREAM_OK;
        case ST_NUMBER: {
            uint8_t next = json_number_step(s->sub, c);
            if (next == JSON_NUMBER_BAD) {
                return JOB_STREAM_ERR_SYNTAX;
            }
            if (next != JSON_NUMBER_END) {
                s->sub = next;
                if (s->value_len < sizeof s->value) {
                    s->value[s->value_len] = (char)c;
                }
                if (s->value_len <= sizeof s->value) {
                    s->value_len++; /* one past the buffer: longer than any int64 */
                }
                return (M2M_WITH_V2 && s->field == F_SCALAR) ? emit(s, &c, 1) : JOB_STREAM_OK;
            }
            /* a top-level count is stored; a kept v2 scalar was copied as it was read */
            if (s->field != F_NONE && !(M2M_WITH_V2 && s->field == F_SCALAR) &&
                store_number(s) != JOB_STREAM_OK) {
                return JOB_STREAM_ERR_NUMBER;
            }
            s->field = F_NONE;
            s->state = ST_AFTER;
            continue; /* c follows the number */
        }
        default:
            return JOB_STREAM_ERR_STATE;
        }
        if (s->flags & FL_CAPTURE) {
            return capture(s, &c, 1); /* escapes are kept raw (error text: decoded at its end) */
        }
        return JOB_STREAM_OK;
    }
}

/* The job's last used bytes were copied to the buffer: hand the job out. */
static JOB_LOOP_INLINE job_stream_status_t end_job(job_stream_t *s, size_t used)
{
    s->job_len += used;
    s->job[s->job_len] = '\0';
    s->jobs_seen++;
    s->state = ST_AFTER;
    if (s->on_job != NULL) {
        int r = s->on_job(s->user, s->job, s->job_len);
        if (r != 0) {
            s->callback_result = r;
            return JOB_STREAM_ERR_CALLBACK;
        }
    }
    return JOB_STREAM_OK;
}

/* The first byte at or after q whose class has a bit of mask (JSON_BYTE_JOB or _STRING). The
 * caller has put a NUL, which ends both kinds of span, after the data, so the scan needs no
 * bounds test; unrolled, as it is where the splitter spends its time (M2M_OPTIMIZE_SIZE: not). */
static inline const uint8_t *scan(const uint8_t *q, uint8_t mask)
{
#if M2M_OPTIMIZE_SIZE
    while (!(json_byte_class[*q] & mask)) {
        q++;
    }
    return q;
#else
    for (;;) {
        if (json_byte_class[q[0]] & mask) {
            return q;
        }
        if (json_byte_class[q[1]] & mask) {
            return q + 1;
        }
        if (json_byte_class[q[2]] & mask) {
            return q + 2;
        }
        if (json_byte_class[q[3]] & mask) {
            return q + 3;
        }
        q += 4;
    }
#endif
}

/* Copy and scan job bytes from *pp; returns at the job's end or when the input is used up. */
static job_stream_status_t feed_job(job_stream_t *s, const uint8_t **pp, const uint8_t *end)
{
    const uint8_t *p = *pp;

    while (p < end) {
        size_t room = M2M_JOB_MAX - s->job_len;
        size_t n = (size_t)(end - p);
        uint8_t *b = (uint8_t *)s->job + s->job_len;
        const uint8_t *q = b;
        const uint8_t *e;
        int in_string = (s->flags & FL_JOB_STRING) != 0;

        if (room == 0) {
            return JOB_STREAM_ERR_JOB_TOO_LARGE;
        }
        n = n < room ? n : room;
        n = n < JOB_BLOCK ? n : JOB_BLOCK;
        memcpy(b, p, n);
        e = b + n;
        b[n] = 0; /* the sentinel for scan() */
        if (s->flags & FL_JOB_ESCAPE) {
            if (*q++ < 0x20) {
                return JOB_STREAM_ERR_SYNTAX;
            }
        }
        s->flags &= (uint8_t) ~(FL_JOB_STRING | FL_JOB_ESCAPE);
        for (;;) {
            uint8_t c;
            if (in_string) {
                q = scan(q, JSON_BYTE_STRING);
                if (q == e) {
                    break;
                }
                c = *q++;
                if (c == '"') {
                    in_string = 0;
                    continue;
                }
                if (c != '\\') {
                    return JOB_STREAM_ERR_SYNTAX; /* a control byte */
                }
                if (q == e) {
                    s->flags |= FL_JOB_ESCAPE;
                    break;
                }
                if (*q++ < 0x20) {
                    return JOB_STREAM_ERR_SYNTAX;
                }
                continue;
            }
            q = scan(q, JSON_BYTE_JOB);
            if (q == e) {
                break;
            }
            c = *q++;
            if (c == '"') {
                in_string = 1;
            } else if (c == '{' || c == '[') {
                if (push(s, c == '[') != JOB_STREAM_OK) {
                    return JOB_STREAM_ERR_TOO_DEEP;
                }
            } else if (c == '}' || c == ']') {
                if (!pop(s, c)) {
                    return JOB_STREAM_ERR_SYNTAX;
                }
                if (s->depth == JOBS_DEPTH) {
                    *pp = p + (q - b);
                    return end_job(s, (size_t)(q - b));
                }
            } else if (!(json_byte_class[c] & JSON_BYTE_SPACE)) {
                return JOB_STREAM_ERR_SYNTAX; /* a control byte or a backslash outside strings */
            }
        }
        if (in_string) {
            s->flags |= FL_JOB_STRING;
        }
        s->job_len += n;
        p += n;
    }
    *pp = p;
    return JOB_STREAM_OK;
}

static job_stream_status_t fail(job_stream_t *s, job_stream_status_t st)
{
    s->state = ST_ERROR;
    s->error = (uint8_t)-st;
    return st;
}

void job_stream_init_api(job_stream_t *s, job_stream_api_t api, job_stream_job_fn on_job,
                         void *user)
{
    memset(s, 0, offsetof(job_stream_t, job));
    s->is_success = -1;
    s->on_job = on_job;
    s->user = user;
    s->api = (M2M_WITH_V2 && api == JOB_STREAM_V2) ? JOB_STREAM_V2 : JOB_STREAM_V1;
    s->state = ST_START;
    s->job[0] = '\0';
}

void job_stream_init(job_stream_t *s, job_stream_job_fn on_job, void *user)
{
    job_stream_init_api(s, JOB_STREAM_V1, on_job, user);
}

job_stream_status_t job_stream_feed(job_stream_t *s, const uint8_t *data, size_t len)
{
    const uint8_t *p = data;
    const uint8_t *end = data + len;

    if (s->state == ST_ERROR) {
        return JOB_STREAM_ERR_STATE;
    }
    while (p < end) {
        job_stream_status_t st;
        if (s->state == ST_JOB) {
            st = feed_job(s, &p, end);
            if (st != JOB_STREAM_OK) {
                return fail(s, st);
            }
            continue;
        }
        if (s->state == ST_STRING) {
            const uint8_t *q = p;
            while (q < end && !(json_byte_class[*q] & JSON_BYTE_STRING)) {
                q++;
            }
            if ((s->flags & FL_CAPTURE) && (st = capture(s, p, (size_t)(q - p))) != JOB_STREAM_OK) {
                return fail(s, st);
            }
            p = q;
            if (p == end) {
                break;
            }
        }
        st = step(s, *p++);
        if (st != JOB_STREAM_OK) {
            return fail(s, st);
        }
    }
    return JOB_STREAM_OK;
}

job_stream_status_t job_stream_finish(job_stream_t *s)
{
    if (s->state == ST_ERROR) {
        return (job_stream_status_t) - (int)s->error;
    }
    if (s->state != ST_DONE) {
        return fail(s, JOB_STREAM_ERR_TRUNCATED);
    }
    return JOB_STREAM_OK;
}

const char *job_stream_strerror(job_stream_status_t st)
{
#if M2M_STRERROR_TEXT
    switch (st) {
    case JOB_STREAM_OK:
        return "ok";
    case JOB_STREAM_ERR_SYNTAX:
        return "invalid JSON";
    case JOB_STREAM_ERR_NOT_OBJECT:
        return "body not an object";
    case JOB_STREAM_ERR_JOBS_NOT_ARRAY:
        return "jobs not an array";
    case JOB_STREAM_ERR_JOB_NOT_OBJECT:
        return "job not an object";
    case JOB_STREAM_ERR_JOB_TOO_LARGE:
        return "job too large";
    case JOB_STREAM_ERR_TOO_DEEP:
        return "nested too deep";
    case JOB_STREAM_ERR_NUMBER:
        return "count not an int64";
    case JOB_STREAM_ERR_TRAILING:
        return "data after body";
    case JOB_STREAM_ERR_TRUNCATED:
        return "body truncated";
    case JOB_STREAM_ERR_CALLBACK:
        return "stopped by handler";
    case JOB_STREAM_ERR_STATE:
        return "fed after error";
    }
    return "unknown status";
#else
    return strbuf_status_code((int)st);
#endif
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * job_record.h - one training job, parsed from its JSON object with jsmn.
 *
 * The parser tokenizes one element of "jobs" (as handed out by job_stream),
 * reads the eight API fields in any order, skips unknown ones, and decodes
 * the two strings in place (JSON escapes, \uXXXX and surrogate pairs, to
 * UTF-8). Integers are exact over the signed 64-bit range.
 */
#ifndef JOB_RECORD_H
#define JOB_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "m2m_defaults.h"
#include "m2m_jsmn.h"

/* Bits of job_record_t.present: which fields the object held (a JSON null
 * counts as absent). */
enum {
    JOB_HAS_JOB_ID = 1u << 0,
    JOB_HAS_JOB_NAME = 1u << 1,
    JOB_HAS_VERSION_ID = 1u << 2,
    JOB_HAS_STATUS = 1u << 3,
    JOB_HAS_CREATE_TIME = 1u << 4,
    JOB_HAS_DURATION = 1u << 5,
    JOB_HAS_JOB_DESC = 1u << 6,
    JOB_HAS_VERSION_COUNT = 1u << 7
};

typedef struct {
    int64_t job_id;
    int64_t version_id;
    int64_t create_time; /* UTC epoch milliseconds, as the API sends it */
    int64_t duration;    /* milliseconds */
    int64_t version_count;
    int64_t status;       /* JOBSTAT code, 0..22 known; kept as sent */
    const char *job_name; /* decoded UTF-8 inside the caller's job text; */
    size_t job_name_len;  /*   not NUL-terminated */
    const char *job_desc;
    size_t job_desc_len;
    uint16_t present; /* JOB_HAS_* bits */
} job_record_t;

typedef enum {
    JOB_RECORD_OK = 0,
    JOB_RECORD_ERR_JSON = -1,   /* jsmn refused the text */
    JOB_RECORD_ERR_TOKENS = -2, /* more than M2M_JOB_TOKENS_MAX tokens */
    JOB_RECORD_ERR_NOT_OBJECT = -3,
    JOB_RECORD_ERR_TYPE = -4,      /* a known field of the wrong JSON type */
    JOB_RECORD_ERR_NUMBER = -5,    /* not an integer, or beyond 64 bits */
    JOB_RECORD_ERR_STRING = -6,    /* bad escape or raw control byte */
    JOB_RECORD_ERR_NO_ID = -7,     /* job_id missing (v2: metadata.id) */
    JOB_RECORD_ERR_NO_STATUS = -8, /* status missing (v2: status.phase) */
    JOB_RECORD_ERR_BAD_ID = -9     /* v2: metadata.id is not a UUID */
} job_record_status_t;

/* Token storage for the parser; place it with the rest of the context. */
typedef struct {
    jsmn_parser parser;
    jsmntok_t tokens[M2M_JOB_TOKENS_MAX];
} job_record_parser_t;

/* Parse text[0..len) (one JSON object; text is modified in place: strings
 * are decoded where they stand) into *out. job_name and job_desc point into
 * text. Returns JOB_RECORD_OK or an error. */
job_record_status_t job_record_parse(job_record_parser_t *p, char *text, size_t len,
                                     job_record_t *out);

/* A 40-bit fingerprint of everything the job's MQTT payload is made from
 * (FNV-1a over the fields and their presence), used to republish a job only
 * when its payload changed. */
uint64_t job_record_fingerprint(const job_record_t *job);

/* A short constant English description, never NULL. */
const char *job_record_strerror(job_record_status_t st);

/* A 32-bit hash of text[0..len) as bytes, never 0: tells a job read again
 * with exactly the same bytes (job_table_observe_bytes). Eight bytes at a
 * step. */
uint32_t job_bytes_hash(const char *text, size_t len);

/* ---- v2: one item of POST /v2/{project_id}/training-job-searches ---------- */

/* A decoded string inside the caller's text; p NULL when absent. */
typedef struct {
    const char *p;
    size_t len;
} job_text_t;

/* Bits of job_record_v2_t.present, in the order of the payload's fields. */
enum {
    JOB_V2_HAS_ID = 1u << 0,
    JOB_V2_HAS_NAME = 1u << 1,
    JOB_V2_HAS_DESCRIPTION = 1u << 2,
    JOB_V2_HAS_CREATE_TIME = 1u << 3,
    JOB_V2_HAS_DURATION = 1u << 4,
    JOB_V2_HAS_START_TIME = 1u << 5,
    JOB_V2_HAS_USER_NAME = 1u << 6,
    JOB_V2_HAS_KIND = 1u << 7,
    JOB_V2_HAS_PHASE = 1u << 8,
    JOB_V2_HAS_SECONDARY_PHASE = 1u << 9
};

/* What a v2 job's payload is made of. */
typedef struct {
    uint8_t id[16];         /* metadata.id: the UUID's 128 bits, big-endian */
    job_text_t name;        /* metadata.name */
    job_text_t description; /* metadata.description */
    int64_t create_time;    /* metadata.create_time, UTC epoch ms */
    int64_t duration;       /* status.duration, ms */
    int64_t start_time;     /* status.start_time, UTC epoch ms (0: never started) */
    job_text_t user_name;   /* metadata.user_name */
    job_text_t kind;        /* kind */
    job_text_t phase;       /* status.phase, as sent */
    job_text_t secondary_phase;
    uint16_t present; /* JOB_V2_HAS_* */
} job_record_v2_t;

/* Parse text[0..len) into *out: an item of the v2 list as job_stream hands
 * it out (kind, metadata {id, name, description, create_time, user_name},
 * status {phase, secondary_phase, duration, start_time}; other members are
 * skipped), or the agent's own payload of such a job (job_id, job_name,
 * job_desc, create_time, duration, start_time, user_name, kind, status_name,
 * secondary_phase; the rest is derived and skipped), so that a retained job
 * topic read back fingerprints like the item it was made from. text is
 * modified in place (strings decoded). Returns JOB_RECORD_OK,
 * JOB_RECORD_ERR_NO_ID / _BAD_ID when the id is missing or not a UUID
 * (8-4-4-4-12 hex digits, any case), JOB_RECORD_ERR_NO_STATUS without a
 * phase, or another error. */
job_record_status_t job_record_parse_v2(job_record_parser_t *p, char *text, size_t len,
                                        job_record_v2_t *out);

/* A 40-bit fingerprint of everything the v2 payload is made from. */
uint64_t job_record_v2_fingerprint(const job_record_v2_t *job);

/* Read a UUID, 8-4-4-4-12 hex digits in any case, from text[0..len) into
 * out[16]. Returns 0, or -1 when it is not one. */
int job_uuid_parse(const char *text, size_t len, uint8_t out[16]);

/* Write the UUID as 36 lower-case characters and a NUL. Returns out. */
const char *job_uuid_format(const uint8_t id[16], char out[37]);

/* Parse a JSON integer text[0..len) exactly into *out: an optional '-' and
 * digits, no fraction, exponent or leading '+'. Returns 0, or -1 when it is
 * not such an integer or does not fit in int64_t. */
int json_parse_int64(const char *text, size_t len, int64_t *out);

/* Decode the body of a JSON string (without its quotes) from in[0..len) to
 * UTF-8 at out (out may equal in: decoding never grows). \uXXXX escapes and
 * surrogate pairs become UTF-8; a lone surrogate becomes U+FFFD. Returns the
 * decoded length, or -1 on a bad escape or a raw byte below 0x20. */
long json_decode_string(const char *in, size_t len, char *out);

/* Byte classes shared by the JSON readers, indexed by byte value. */
#define JSON_BYTE_JOB 1    /* ends a plain span in an object: '"' '\\' brackets, control bytes */
#define JSON_BYTE_STRING 2 /* ends a plain span in a string: '"' '\\' control bytes */
#define JSON_BYTE_SPACE 4  /* JSON whitespace */
#define JSON_BYTE_HEX 8    /* a hex digit */
#define JSON_BYTE_VALUE 16 /* may start a value: '"' '{' '[' 't' 'f' 'n' '-' digits */
extern const uint8_t json_byte_class[256];

/* The JSON number grammar, one byte at a time. Start with JSON_NUMBER_START; each call returns
 * the state after c, JSON_NUMBER_END when the number was complete before c (c is not part of
 * it), or JSON_NUMBER_BAD when c cannot continue it. */
#define JSON_NUMBER_START 0
#define JSON_NUMBER_END 9
#define JSON_NUMBER_BAD 10
uint8_t json_number_step(uint8_t state, uint8_t c);

#endif /* JOB_RECORD_H */

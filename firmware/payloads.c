/* SPDX-License-Identifier: Apache-2.0 */
/* payloads.c - the JSON payloads of the MQTT topics; see include/payloads.h. */
#include "payloads.h"

#include <string.h>

#include "json_writer.h"

static void key_int(json_writer_t *w, const char *key, int64_t v)
{
    json_key(w, key);
    json_int(w, v);
}

static void key_int_or_null(json_writer_t *w, const char *key, int present, int64_t v)
{
    json_key(w, key);
    if (present) {
        json_int(w, v);
    } else {
        json_null(w);
    }
}

/* The job and health payloads are long runs of plain fields. They are
 * written from tables of (kind, offset) with the keys in one NUL-separated
 * string: a few bytes per field instead of a call sequence per field, which
 * matters on a microcontroller. Values are read with memcpy, so no alignment
 * or aliasing assumption is made about the offsets. */
typedef enum {
    FIELD_I64,     /* int64_t */
    FIELD_I64_NZ,  /* int64_t; 0 writes null */
    FIELD_INT_NZ,  /* int; 0 writes null */
    FIELD_BOOL,    /* int */
    FIELD_U32,     /* uint32_t */
    FIELD_CSTRING, /* const char *; NULL or "" writes null */
    FIELD_STRING   /* const char * followed by its size_t length */
} field_kind_t;

typedef struct {
    uint8_t kind;
    uint8_t offset;
} field_t;

#define FIELD(kind, type, member)                                                                  \
    {                                                                                              \
        (kind), (uint8_t)offsetof(type, member)                                                    \
    }

/* Field i is written as null when bit i of present is clear. */
static void put_fields(json_writer_t *w, const void *obj, const field_t *fields, size_t n,
                       const char *keys, unsigned present)
{
    const unsigned char *base = obj;
    size_t i;

    for (i = 0; i < n; i++, keys += strlen(keys) + 1) {
        const unsigned char *at = base + fields[i].offset;
        int64_t i64;
        int iv;
        uint32_t u32;
        const char *s;
        size_t len;

        json_key(w, keys);
        if (!(present & (1u << i))) {
            json_null(w);
            continue;
        }
        switch (fields[i].kind) {
        case FIELD_I64:
        case FIELD_I64_NZ:
            memcpy(&i64, at, sizeof i64);
            if (i64 == 0 && fields[i].kind == FIELD_I64_NZ) {
                json_null(w);
            } else {
                json_int(w, i64);
            }
            break;
        case FIELD_INT_NZ:
        case FIELD_BOOL:
            memcpy(&iv, at, sizeof iv);
            if (fields[i].kind == FIELD_BOOL) {
                json_bool(w, iv);
            } else if (iv == 0) {
                json_null(w);
            } else {
                json_int(w, iv);
            }
            break;
        case FIELD_U32:
            memcpy(&u32, at, sizeof u32);
            json_uint(w, u32);
            break;
        case FIELD_CSTRING:
            memcpy(&s, at, sizeof s);
            json_cstring(w, (s != NULL && s[0] != '\0') ? s : NULL);
            break;
        default: /* FIELD_STRING */
            memcpy(&s, at, sizeof s);
            memcpy(&len, at + sizeof s, sizeof len);
            json_string(w, s, len);
            break;
        }
    }
}

/* The name of a status code: v1's JOBSTAT name, or v2's phase name. */
static const char *status_name(int v2, int64_t code, char buf[JOB_STATUS_NAME_MAX])
{
    return (M2M_WITH_V2 && v2) ? job_v2_phase_name(code) : job_status_name(code, buf);
}

static job_phase_t status_phase(int v2, int64_t code)
{
    return (M2M_WITH_V2 && v2) ? job_v2_phase(code) : job_status_phase(code);
}

static void key_status_name(json_writer_t *w, const char *key, int v2, int64_t code)
{
    char name[JOB_STATUS_NAME_MAX];

    json_key(w, key);
    json_cstring(w, status_name(v2, code, name));
}

/* A status code and its name (v2: the name twice), or null and null. */
static void key_code_and_name(json_writer_t *w, const char *code_key, const char *name_key,
                              int present, int v2, int64_t code)
{
    if (present && M2M_WITH_V2 && v2) {
        key_status_name(w, code_key, v2, code);
    } else {
        key_int_or_null(w, code_key, present, code);
    }
    if (present) {
        key_status_name(w, name_key, v2, code);
    } else {
        json_key(w, name_key);
        json_null(w);
    }
}

static void key_phase(json_writer_t *w, job_phase_t phase)
{
    json_key(w, "phase");
    json_cstring(w, job_phase_name(phase));
}

/* job_record_t's JOB_HAS_* bits are in the order of these fields, so they
 * serve as put_fields' presence mask as they are. */
static const field_t job_fields[] = {
    FIELD(FIELD_I64, job_record_t, job_id),      FIELD(FIELD_STRING, job_record_t, job_name),
    FIELD(FIELD_I64, job_record_t, version_id),  FIELD(FIELD_I64, job_record_t, status),
    FIELD(FIELD_I64, job_record_t, create_time), FIELD(FIELD_I64, job_record_t, duration),
    FIELD(FIELD_STRING, job_record_t, job_desc), FIELD(FIELD_I64, job_record_t, version_count),
};
static const char job_keys[] = "job_id\0job_name\0version_id\0status\0create_time\0"
                               "duration\0job_desc\0version_count";

/* FIELD_STRING reads the length right after the pointer. */
typedef char job_name_len_follows_job_name[(offsetof(job_record_t, job_name_len) ==
                                            offsetof(job_record_t, job_name) + sizeof(char *))
                                               ? 1
                                               : -1];
typedef char job_desc_len_follows_job_desc[(offsetof(job_record_t, job_desc_len) ==
                                            offsetof(job_record_t, job_desc) + sizeof(char *))
                                               ? 1
                                               : -1];
typedef char
    job_presence_bits_in_field_order[(JOB_HAS_JOB_ID == 1 && JOB_HAS_JOB_NAME == 2 &&
                                      JOB_HAS_VERSION_ID == 4 && JOB_HAS_STATUS == 8 &&
                                      JOB_HAS_CREATE_TIME == 16 && JOB_HAS_DURATION == 32 &&
                                      JOB_HAS_JOB_DESC == 64 && JOB_HAS_VERSION_COUNT == 128)
                                         ? 1
                                         : -1];

long payload_job(char *buf, size_t cap, const job_record_t *job)
{
    json_writer_t w;
    /* A record without a status reads as UNKNOWN rather than as whatever
     * the status field happens to hold. */
    int64_t status = (job->present & JOB_HAS_STATUS) ? job->status : 0;
    job_phase_t phase = job_status_phase(status);

    json_writer_init(&w, buf, cap);
    json_object_begin(&w);
    put_fields(&w, job, job_fields, sizeof job_fields / sizeof job_fields[0], job_keys,
               job->present);
    key_status_name(&w, "status_name", 0, status);
    key_phase(&w, phase);
    json_key(&w, "terminal");
    json_bool(&w, job_phase_terminal(phase));
    json_object_end(&w);
    return json_writer_result(&w);
}

/* job_record_v2_t's JOB_V2_HAS_* bits up to user_name and kind are in the order of these
 * fields (id is written apart, as a string). */
static const field_t job_v2_fields[] = {
    FIELD(FIELD_STRING, job_record_v2_t, name),
    FIELD(FIELD_STRING, job_record_v2_t, description),
    FIELD(FIELD_I64, job_record_v2_t, create_time),
    FIELD(FIELD_I64, job_record_v2_t, duration),
    FIELD(FIELD_I64, job_record_v2_t, start_time),
    FIELD(FIELD_STRING, job_record_v2_t, user_name),
    FIELD(FIELD_STRING, job_record_v2_t, kind),
    FIELD(FIELD_STRING, job_record_v2_t, phase),
    FIELD(FIELD_STRING, job_record_v2_t, secondary_phase),
};
static const char job_v2_keys[] = "job_name\0job_desc\0create_time\0duration\0start_time\0"
                                  "user_name\0kind\0status_name\0secondary_phase";
typedef char job_v2_presence_bits_in_field_order
    [(JOB_V2_HAS_NAME == 2 && JOB_V2_HAS_DESCRIPTION == 4 && JOB_V2_HAS_CREATE_TIME == 8 &&
      JOB_V2_HAS_DURATION == 16 && JOB_V2_HAS_START_TIME == 32 && JOB_V2_HAS_USER_NAME == 64 &&
      JOB_V2_HAS_KIND == 128 && JOB_V2_HAS_PHASE == 256 && JOB_V2_HAS_SECONDARY_PHASE == 512)
         ? 1
         : -1];
typedef char job_text_len_follows_p[(offsetof(job_text_t, len) == sizeof(char *)) ? 1 : -1];

long payload_job_v2(char *buf, size_t cap, const job_record_v2_t *job)
{
    json_writer_t w;
    char uuid[37];
    job_phase_t phase = job_v2_phase(job_v2_phase_code(job->phase.p, job->phase.len));

    json_writer_init(&w, buf, cap);
    json_object_begin(&w);
    json_key(&w, "job_id");
    json_cstring(&w, job_uuid_format(job->id, uuid));
    put_fields(&w, job, job_v2_fields, sizeof job_v2_fields / sizeof job_v2_fields[0], job_v2_keys,
               (unsigned)job->present >> 1);
    key_phase(&w, phase);
    json_key(&w, "terminal");
    json_bool(&w, job_phase_terminal(phase));
    json_key(&w, "api");
    json_cstring(&w, "v2");
    json_object_end(&w);
    return json_writer_result(&w);
}

long payload_event(char *buf, size_t cap, const event_t *ev)
{
    static const char type_names[3][12] = {"added", "transition", "removed"};
    json_writer_t w;
    int has_from = ev->type != EVENT_ADDED;
    int has_to = ev->type != EVENT_REMOVED;

    json_writer_init(&w, buf, cap);
    if ((unsigned)ev->type > EVENT_REMOVED) {
        return -1L;
    }
    json_object_begin(&w);
    json_key(&w, "type");
    json_cstring(&w, type_names[ev->type]);
    if (M2M_WITH_V2 && ev->job_uuid != NULL) {
        json_key(&w, "job_id");
        json_cstring(&w, ev->job_uuid);
    } else {
        key_int(&w, "job_id", ev->job_id);
    }
    json_key(&w, "job_name");
    json_string(&w, ev->job_name, ev->job_name_len);
    key_code_and_name(&w, "from", "from_name", has_from, ev->v2, ev->from);
    key_code_and_name(&w, "to", "to_name", has_to, ev->v2, ev->to);
    key_phase(&w, status_phase(ev->v2, has_to ? ev->to : ev->from));
    key_int(&w, "at", ev->at);
    json_object_end(&w);
    return json_writer_result(&w);
}

void summary_clear(summary_t *s, int v2)
{
    memset(s, 0, sizeof *s);
    s->v2 = (uint8_t)(v2 != 0);
}

void summary_count(summary_t *s, int64_t status)
{
    size_t i;

    s->phase_counts[status_phase(s->v2, status)]++;
    s->total++;
    if (status >= 0 && status < M2M_STATUS_COUNTED) {
        s->status_counts[status]++;
        return;
    }
    /* Slots fill from the front and are never freed, so the first unused
     * slot ends the search. */
    for (i = 0; i < M2M_STATUS_EXTRA_SLOTS; i++) {
        if (s->extra[i].count == 0) {
            s->extra[i].code = status;
            s->extra[i].count = 1;
            return;
        }
        if (s->extra[i].code == status) {
            s->extra[i].count++;
            return;
        }
    }
    s->other_count++;
}

/* Writes the extra slots whose codes lie in [lo, hi], lowest code first. The
 * slots are few, so a repeated scan for the next code is cheap and needs no
 * sorted copy. */
static void put_extra_counts(json_writer_t *w, const summary_t *s, int64_t lo, int64_t hi)
{
    for (;;) {
        size_t i, best = M2M_STATUS_EXTRA_SLOTS;
        char name[JOB_STATUS_NAME_MAX];

        for (i = 0; i < M2M_STATUS_EXTRA_SLOTS; i++) {
            if (s->extra[i].count != 0 && s->extra[i].code >= lo && s->extra[i].code <= hi &&
                (best == M2M_STATUS_EXTRA_SLOTS || s->extra[i].code < s->extra[best].code)) {
                best = i;
            }
        }
        if (best == M2M_STATUS_EXTRA_SLOTS) {
            return;
        }
        json_key(w, job_status_name(s->extra[best].code, name));
        json_uint(w, s->extra[best].count);
        if (s->extra[best].code == INT64_MAX) {
            return;
        }
        lo = s->extra[best].code + 1;
    }
}

/* The API's figures (null when it did not send them), then updated_at; offsets from
 * job_total_count, as the whole summary_t is larger than a byte can address. */
#define SUMMARY_FIELD(member)                                                                      \
    {                                                                                              \
        FIELD_I64, (uint8_t)(offsetof(summary_t, member) - offsetof(summary_t, job_total_count))   \
    }
static const field_t summary_fields[] = {
    SUMMARY_FIELD(job_total_count),
    SUMMARY_FIELD(job_count_limit),
    SUMMARY_FIELD(quotas),
    SUMMARY_FIELD(updated_at),
};
typedef char summary_offsets_fit_a_byte[(offsetof(summary_t, updated_at) >
                                         offsetof(summary_t, job_total_count)) &&
                                                (offsetof(summary_t, updated_at) -
                                                 offsetof(summary_t, job_total_count)) < 256
                                            ? 1
                                            : -1];
static const char summary_keys[] = "job_total_count\0job_count_limit\0quotas\0updated_at";

long payload_summary(char *buf, size_t cap, const summary_t *s)
{
    json_writer_t w;
    unsigned i;

    json_writer_init(&w, buf, cap);
    json_object_begin(&w);
    for (i = 0; i < JOB_PHASE_COUNT; i++) {
        json_key(&w, job_phase_name((job_phase_t)i));
        json_uint(&w, s->phase_counts[i]);
    }
    json_key(&w, "total");
    json_uint(&w, s->total);

    json_key(&w, "by_status");
    json_object_begin(&w);
    put_extra_counts(&w, s, INT64_MIN, -1);
    for (i = 0; i < M2M_STATUS_COUNTED; i++) {
        if (s->status_counts[i] != 0) {
            char name[JOB_STATUS_NAME_MAX];

            json_key(&w, status_name(s->v2, (int64_t)i, name));
            json_uint(&w, s->status_counts[i]);
        }
    }
    put_extra_counts(&w, s, M2M_STATUS_COUNTED, INT64_MAX);
    if (s->other_count != 0) {
        json_key(&w, "OTHER");
        json_uint(&w, s->other_count);
    }
    json_object_end(&w);

    put_fields(&w, &s->job_total_count, summary_fields,
               sizeof summary_fields / sizeof summary_fields[0], summary_keys,
               (unsigned)s->has_job_total_count | (unsigned)s->has_job_count_limit << 1 |
                   (unsigned)s->has_quotas << 2 | 8u);
    json_object_end(&w);
    return json_writer_result(&w);
}

static const field_t health_fields[] = {
    FIELD(FIELD_BOOL, health_t, poll_ok),
    FIELD(FIELD_INT_NZ, health_t, http_status),
    FIELD(FIELD_CSTRING, health_t, error_class),
    FIELD(FIELD_CSTRING, health_t, error_code),
    FIELD(FIELD_CSTRING, health_t, error_message),
    FIELD(FIELD_I64, health_t, latency_ms),
    FIELD(FIELD_U32, health_t, pages),
    FIELD(FIELD_U32, health_t, jobs),
    FIELD(FIELD_U32, health_t, consecutive_failures),
    FIELD(FIELD_I64_NZ, health_t, last_success_at),
    FIELD(FIELD_I64_NZ, health_t, next_poll_at),
    FIELD(FIELD_U32, health_t, mqtt_reconnects),
    FIELD(FIELD_U32, health_t, tracked),
    FIELD(FIELD_U32, health_t, capacity),
    FIELD(FIELD_U32, health_t, untracked),
    FIELD(FIELD_CSTRING, health_t, version),
    FIELD(FIELD_I64_NZ, health_t, token_expires_at),
    FIELD(FIELD_U32, health_t, token_renewals),
};
static const char health_keys[] = "poll_ok\0http_status\0error_class\0error_code\0"
                                  "error_message\0latency_ms\0pages\0jobs\0"
                                  "consecutive_failures\0last_success_at\0next_poll_at\0"
                                  "mqtt_reconnects\0tracked\0capacity\0untracked\0version\0"
                                  "token_expires_at\0token_renewals";

/* Offsets are stored in a byte. */
typedef char health_offsets_fit_a_byte[(sizeof(health_t) <= 256) ? 1 : -1];

long payload_health(char *buf, size_t cap, const health_t *h)
{
    json_writer_t w;

    json_writer_init(&w, buf, cap);
    json_object_begin(&w);
    put_fields(&w, h, health_fields, sizeof health_fields / sizeof health_fields[0], health_keys,
               ~0u);
    json_object_end(&w);
    return json_writer_result(&w);
}

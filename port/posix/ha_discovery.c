/*
 * ha_discovery.c - Home Assistant discovery topics and payloads, and the set
 * of jobs with entities; see ha_discovery.h.
 *
 * Identifiers (device identifiers, unique_id) are built from agent_id and
 * project_id only, so they are the same after every restart and Home
 * Assistant keeps the entities, their history and their settings.
 * default_entity_id must be a valid entity id (lower case letters, digits,
 * single underscores), so it is a slug of the same parts.
 */
#include "ha_discovery.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSMN_STATIC
#include <jsmn.h>

#define ORIGIN_NAME "modelarts2mqtt"

/* The phases of docs/topics.md, the options of a job's enum sensor. */
static const char *const phases[] = {"pending",   "running", "stopping", "review",
                                     "succeeded", "failed",  "canceled", "unknown"};

/* Bounded text building: once something does not fit, everything after is
 * dropped and the result is an error. */
typedef struct {
    char *buf;
    size_t size;
    size_t len;
    int overflow;
} out_t;

static void out_init(out_t *o, char *buf, size_t size)
{
    o->buf = buf;
    o->size = size;
    o->len = 0;
    o->overflow = size == 0;
    if (size > 0) {
        buf[0] = '\0';
    }
}

static void put_n(out_t *o, const char *s, size_t n)
{
    if (o->overflow || n >= o->size - o->len) {
        o->overflow = 1;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

static void put(out_t *o, const char *s)
{
    put_n(o, s, strlen(s));
}

static void put_u32(out_t *o, uint32_t v)
{
    char digits[12];
    snprintf(digits, sizeof digits, "%lu", (unsigned long)v);
    put(o, digits);
}

/* The text of s as JSON string content: configuration strings (base_topic,
 * prefix) may hold quotes and backslashes. */
static void put_escaped(out_t *o, const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            char esc[2] = {'\\', (char)ch};
            put_n(o, esc, 2);
        } else if (ch < 0x20) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", ch);
            put(o, esc);
        } else {
            put_n(o, (const char *)&ch, 1);
        }
    }
}

/* "key":"value" with the value escaped. */
static void put_member(out_t *o, const char *key, const char *value)
{
    put(o, "\"");
    put(o, key);
    put(o, "\":\"");
    put_escaped(o, value);
    put(o, "\"");
}

/* The slug of text for an entity id: lower case letters and digits, every
 * other run of characters one '_', none at either end. */
static void put_slug(out_t *o, const char *text)
{
    int pending_sep = 0;
    int any = 0;
    for (; *text != '\0'; text++) {
        char ch = *text;
        if (ch >= 'A' && ch <= 'Z') {
            ch = (char)(ch - 'A' + 'a');
        }
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
            if (pending_sep && any) {
                put_n(o, "_", 1);
            }
            put_n(o, &ch, 1);
            pending_sep = 0;
            any = 1;
        } else {
            pending_sep = 1;
        }
    }
}

static long out_result(out_t *o)
{
    if (o->overflow) {
        if (o->size > 0) {
            o->buf[0] = '\0';
        }
        return HA_ERR_SPACE;
    }
    return (long)o->len;
}

static int settings_ok(const ha_settings_t *s)
{
    return s != NULL && s->prefix != NULL && s->prefix[0] != '\0' && s->base_topic != NULL &&
           s->agent_id != NULL && s->agent_id[0] != '\0' && s->project_id != NULL &&
           s->project_id[0] != '\0' && s->version != NULL;
}

/* 1 if text is an optional '-' and 1..19 digits. */
static int job_id_text_ok(const char *text)
{
    size_t n = 0;
    if (*text == '-') {
        text++;
    }
    for (; text[n] != '\0'; n++) {
        if (text[n] < '0' || text[n] > '9') {
            return 0;
        }
    }
    return n >= 1 && n <= 19;
}

/* ---- pieces shared by both messages --------------------------------------- */

/* "<agent_id>_<project_id>", the node of every discovery topic and the
 * stem of every identifier. */
static void put_node(out_t *o, const ha_settings_t *s)
{
    put(o, s->agent_id);
    put(o, "_");
    put(o, s->project_id);
}

/* The entity id stem: "modelarts_<agent>_<project>" as a slug. */
static void put_entity_stem(out_t *o, const ha_settings_t *s)
{
    char raw[160];
    snprintf(raw, sizeof raw, "modelarts_%s_%s", s->agent_id, s->project_id);
    put_slug(o, raw);
}

/* <base>/<agent>[/<project>]/<suffix>, escaped. */
static void put_agent_topic(out_t *o, const ha_settings_t *s, int with_project, const char *suffix)
{
    put_escaped(o, s->base_topic);
    put(o, "/");
    put(o, s->agent_id);
    put(o, "/");
    if (with_project) {
        put(o, s->project_id);
        put(o, "/");
    }
    put_escaped(o, suffix);
}

static void put_origin_and_availability(out_t *o, const ha_settings_t *s)
{
    put(o, "\"o\":{");
    put_member(o, "name", ORIGIN_NAME);
    put(o, ",");
    put_member(o, "sw_version", s->version);
    put(o, "},\"availability\":[{\"topic\":\"");
    put_agent_topic(o, s, 0, "status");
    put(o, "\",\"payload_available\":\"online\",\"payload_not_available\":\"offline\"}]");
    put(o, ",\"qos\":");
    put_u32(o, (uint32_t)s->qos);
}

/* One sensor over P/summary. key is the component key and the suffix of
 * its ids; field the summary field it shows. */
static void put_count_sensor(out_t *o, const ha_settings_t *s, const char *key, const char *name,
                             const char *field, const char *icon)
{
    put(o, "\"");
    put(o, key);
    put(o, "\":{\"p\":\"sensor\",");
    put_member(o, "name", name);
    put(o, ",\"state_topic\":\"");
    put_agent_topic(o, s, 1, "summary");
    put(o, "\",\"value_template\":\"{{ value_json.");
    put(o, field);
    put(o, " }}\",\"unit_of_measurement\":\"jobs\",\"state_class\":\"measurement\",");
    put_member(o, "icon", icon);
    if (s->expire_after_s > 0) {
        put(o, ",\"expire_after\":");
        put_u32(o, s->expire_after_s);
    }
    put(o, ",\"unique_id\":\"modelarts2mqtt_");
    put_node(o, s);
    put(o, "_");
    put(o, key);
    put(o, "\",\"default_entity_id\":\"sensor.");
    put_entity_stem(o, s);
    put(o, "_");
    put(o, key);
    put(o, "\"}");
}

/* ---- public ------------------------------------------------------------------ */

static uint32_t times_three(uint32_t v)
{
    return v > UINT32_MAX / 3u ? UINT32_MAX : v * 3u;
}

uint32_t ha_expire_after_s(uint32_t poll_interval_s, uint32_t heartbeat_s)
{
    return times_three(poll_interval_s > heartbeat_s ? poll_interval_s : heartbeat_s);
}

uint32_t ha_health_expire_after_s(uint32_t poll_interval_s, uint32_t heartbeat_s)
{
    uint32_t gap = poll_interval_s > heartbeat_s ? poll_interval_s : heartbeat_s;
    return times_three(gap > HA_LONGEST_RETRY_S ? gap : HA_LONGEST_RETRY_S);
}

long ha_device_topic(const ha_settings_t *s, char *out, size_t size)
{
    out_t o;
    out_init(&o, out, size);
    if (!settings_ok(s)) {
        return HA_ERR_ARG;
    }
    put(&o, s->prefix);
    put(&o, "/device/");
    put_node(&o, s);
    put(&o, "/config");
    return out_result(&o);
}

long ha_device_payload(const ha_settings_t *s, char *out, size_t size)
{
    out_t o;
    out_init(&o, out, size);
    if (!settings_ok(s)) {
        return HA_ERR_ARG;
    }
    put(&o, "{\"dev\":{\"identifiers\":[\"modelarts2mqtt_");
    put_node(&o, s);
    put(&o, "\"],\"name\":\"ModelArts ");
    put(&o, s->project_id);
    put(&o, " on ");
    put(&o, s->agent_id);
    put(&o, "\",");
    put_member(&o, "manufacturer", ORIGIN_NAME);
    put(&o, ",");
    put_member(&o, "model", "ModelArts training jobs");
    put(&o, ",");
    put_member(&o, "sw_version", s->version);
    put(&o, "},");
    put_origin_and_availability(&o, s);

    put(&o, ",\"cmps\":{");
    put_count_sensor(&o, s, "running", "Running", "running", "mdi:play-circle-outline");
    put(&o, ",");
    put_count_sensor(&o, s, "pending", "Pending", "pending", "mdi:timer-sand");
    put(&o, ",");
    put_count_sensor(&o, s, "failed", "Failed", "failed", "mdi:alert-circle-outline");
    put(&o, ",");
    put_count_sensor(&o, s, "succeeded", "Succeeded", "succeeded", "mdi:check-circle-outline");
    put(&o, ",");
    put_count_sensor(&o, s, "total", "Total jobs", "total", "mdi:format-list-numbered");

    /* updated_at is UTC epoch ms; a timestamp sensor wants ISO 8601 with
     * its offset. */
    put(&o, ",\"last_update\":{\"p\":\"sensor\",\"name\":\"Last update\","
            "\"device_class\":\"timestamp\",\"state_topic\":\"");
    put_agent_topic(&o, s, 1, "summary");
    put(&o, "\",\"value_template\":\"{{ (value_json.updated_at / 1000) | "
            "timestamp_custom('%Y-%m-%dT%H:%M:%S+00:00', false) }}\"");
    if (s->expire_after_s > 0) {
        put(&o, ",\"expire_after\":");
        put_u32(&o, s->expire_after_s);
    }
    put(&o, ",\"unique_id\":\"modelarts2mqtt_");
    put_node(&o, s);
    put(&o, "_last_update\",\"default_entity_id\":\"sensor.");
    put_entity_stem(&o, s);
    put(&o, "_last_update\"}");

    put(&o, ",\"problem\":{\"p\":\"binary_sensor\",\"name\":\"Problem\","
            "\"device_class\":\"problem\",\"entity_category\":\"diagnostic\","
            "\"state_topic\":\"");
    put_agent_topic(&o, s, s->project_health != 0, "health");
    put(&o, "\",\"value_template\":\"{{ 'OFF' if value_json.poll_ok else 'ON' }}\","
            "\"payload_on\":\"ON\",\"payload_off\":\"OFF\"");
    if (s->health_expire_after_s > 0) {
        put(&o, ",\"expire_after\":");
        put_u32(&o, s->health_expire_after_s);
    }
    put(&o, ",\"json_attributes_topic\":\"");
    put_agent_topic(&o, s, s->project_health != 0, "health");
    put(&o, "\",\"unique_id\":\"modelarts2mqtt_");
    put_node(&o, s);
    put(&o, "_problem\",\"default_entity_id\":\"binary_sensor.");
    put_entity_stem(&o, s);
    put(&o, "_problem\"}}}");
    return out_result(&o);
}

long ha_job_topic(const ha_settings_t *s, const char *job_id, char *out, size_t size)
{
    out_t o;
    out_init(&o, out, size);
    if (!settings_ok(s) || job_id == NULL || !job_id_text_ok(job_id)) {
        return HA_ERR_ARG;
    }
    put(&o, s->prefix);
    put(&o, "/device/");
    put_node(&o, s);
    put(&o, "_job_");
    put(&o, job_id);
    put(&o, "/config");
    return out_result(&o);
}

long ha_job_payload(const ha_settings_t *s, const char *job_id, const char *name, size_t name_len,
                    char *out, size_t size)
{
    /* A negative id's '-' would vanish from the slug: job -5 and job 5
     * would share an entity id. */
    char id_slug[HA_JOB_ID_TEXT_MAX + 1];
    size_t i;
    out_t o;
    out_init(&o, out, size);
    if (!settings_ok(s) || job_id == NULL || !job_id_text_ok(job_id) ||
        name_len > HA_JOB_NAME_MAX) {
        return HA_ERR_ARG;
    }
    snprintf(id_slug, sizeof id_slug, "%s%s", job_id[0] == '-' ? "m" : "",
             job_id[0] == '-' ? job_id + 1 : job_id);

    put(&o, "{\"dev\":{\"identifiers\":[\"modelarts2mqtt_");
    put_node(&o, s);
    put(&o, "_job_");
    put(&o, job_id);
    put(&o, "\"],\"name\":\"ModelArts job ");
    if (name != NULL && name_len > 0) {
        put_n(&o, name, name_len); /* already JSON-escaped */
    } else {
        put(&o, job_id);
    }
    put(&o, "\",");
    put_member(&o, "manufacturer", ORIGIN_NAME);
    put(&o, ",");
    put_member(&o, "model", "ModelArts training job");
    put(&o, ",\"via_device\":\"modelarts2mqtt_");
    put_node(&o, s);
    put(&o, "\"},");
    put_origin_and_availability(&o, s);

    put(&o, ",\"cmps\":{\"phase\":{\"p\":\"sensor\",\"name\":\"Phase\",\"device_class\":\"enum\","
            "\"options\":[");
    for (i = 0; i < sizeof phases / sizeof phases[0]; i++) {
        put(&o, i == 0 ? "\"" : ",\"");
        put(&o, phases[i]);
        put(&o, "\"");
    }
    put(&o, "],\"state_topic\":\"");
    put_agent_topic(&o, s, 1, "jobs/");
    put(&o, job_id);
    put(&o, "\",\"value_template\":\"{{ value_json.phase }}\",\"json_attributes_topic\":\"");
    put_agent_topic(&o, s, 1, "jobs/");
    put(&o, job_id);
    put(&o, "\",\"icon\":\"mdi:brain\",\"unique_id\":\"modelarts2mqtt_");
    put_node(&o, s);
    put(&o, "_job_");
    put(&o, job_id);
    put(&o, "_phase\",\"default_entity_id\":\"sensor.");
    put_entity_stem(&o, s);
    put(&o, "_job_");
    put(&o, id_slug);
    put(&o, "_phase\"}}}");
    return out_result(&o);
}

ha_status_t ha_job_of_topic(const ha_settings_t *s, const char *topic, char *id_text, int64_t *id)
{
    size_t base_len;
    size_t agent_len;
    size_t project_len;
    const char *p = topic;
    char *end;
    long long value;

    if (!settings_ok(s) || topic == NULL) {
        return HA_ERR_NOT_JOB;
    }
    base_len = strlen(s->base_topic);
    agent_len = strlen(s->agent_id);
    project_len = strlen(s->project_id);
    if (strncmp(p, s->base_topic, base_len) != 0 || p[base_len] != '/') {
        return HA_ERR_NOT_JOB;
    }
    p += base_len + 1;
    if (strncmp(p, s->agent_id, agent_len) != 0 || p[agent_len] != '/') {
        return HA_ERR_NOT_JOB;
    }
    p += agent_len + 1;
    if (strncmp(p, s->project_id, project_len) != 0 || strncmp(p + project_len, "/jobs/", 6)) {
        return HA_ERR_NOT_JOB;
    }
    p += project_len + 6;
    if (!job_id_text_ok(p)) {
        return HA_ERR_NOT_JOB;
    }
    value = strtoll(p, &end, 10);
    if (*end != '\0' || (value == LLONG_MAX && strcmp(p, "9223372036854775807") != 0) ||
        (value == LLONG_MIN && strcmp(p, "-9223372036854775808") != 0)) {
        return HA_ERR_NOT_JOB; /* beyond 64 bits */
    }
    snprintf(id_text, HA_JOB_ID_TEXT_MAX, "%s", p);
    *id = (int64_t)value;
    return HA_OK;
}

ha_status_t ha_job_name(const char *payload, size_t len, const char **name, size_t *name_len)
{
    /* A job payload has 11 members: 23 tokens. Room for a few more keeps
     * an added field from hiding the name. */
    jsmntok_t tokens[64];
    jsmn_parser parser;
    int count;
    int i;

    *name = NULL;
    *name_len = 0;
    jsmn_init(&parser);
    count = jsmn_parse(&parser, payload, len, tokens, sizeof tokens / sizeof tokens[0]);
    if (count < 1 || tokens[0].type != JSMN_OBJECT) {
        return HA_ERR_ARG;
    }
    /* Members of the top object: key, value, key, value... skipping the
     * tokens nested inside each value. */
    i = 1;
    while (i + 1 < count) {
        const jsmntok_t *key = &tokens[i];
        const jsmntok_t *value = &tokens[i + 1];
        int next = i + 2;
        while (next < count && tokens[next].start < value->end) {
            next++;
        }
        if (key->type == JSMN_STRING && key->end - key->start == 8 &&
            memcmp(payload + key->start, "job_name", 8) == 0) {
            size_t n = (size_t)(value->end - value->start);
            if (value->type != JSMN_STRING || n > HA_JOB_NAME_MAX) {
                return HA_ERR_ARG;
            }
            *name = payload + value->start;
            *name_len = n;
            return HA_OK;
        }
        i = next;
    }
    return HA_ERR_ARG;
}

/* ---- the job set -------------------------------------------------------------- */

/* Index of the first job whose id is not below id. */
static size_t lower_bound(const ha_job_set_t *set, int64_t id)
{
    size_t lo = 0;
    size_t hi = set->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (set->jobs[mid].id < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

ha_job_t *ha_job_set_find(ha_job_set_t *set, int64_t id)
{
    size_t at = lower_bound(set, id);
    return at < set->count && set->jobs[at].id == id ? &set->jobs[at] : NULL;
}

static int same_name(const char *have, const char *name, size_t name_len)
{
    if (have == NULL) {
        return name == NULL;
    }
    return name != NULL && strlen(have) == name_len && memcmp(have, name, name_len) == 0;
}

int ha_job_set_put(ha_job_set_t *set, int64_t id, const char *name, size_t name_len)
{
    size_t at = lower_bound(set, id);
    ha_job_t *job;
    char *copy = NULL;

    if (at < set->count && set->jobs[at].id == id) {
        job = &set->jobs[at];
        if (name == NULL || same_name(job->name, name, name_len)) {
            return 0;
        }
    } else {
        job = NULL;
    }
    if (name != NULL) {
        copy = malloc(name_len + 1);
        if (copy == NULL) {
            return HA_ERR_MEMORY;
        }
        memcpy(copy, name, name_len);
        copy[name_len] = '\0';
    }
    if (job != NULL) {
        free(job->name);
        job->name = copy;
        job->announced = 0;
        return 1;
    }
    if (set->count == set->capacity) {
        size_t grown = set->capacity == 0 ? 64 : set->capacity * 2;
        ha_job_t *jobs = realloc(set->jobs, grown * sizeof *jobs);
        if (jobs == NULL) {
            free(copy);
            return HA_ERR_MEMORY;
        }
        set->jobs = jobs;
        set->capacity = grown;
    }
    memmove(&set->jobs[at + 1], &set->jobs[at], (set->count - at) * sizeof set->jobs[0]);
    set->jobs[at].id = id;
    set->jobs[at].name = copy;
    set->jobs[at].announced = 0;
    set->count++;
    return 1;
}

int ha_job_set_remove(ha_job_set_t *set, int64_t id)
{
    size_t at = lower_bound(set, id);
    if (at >= set->count || set->jobs[at].id != id) {
        return 0;
    }
    free(set->jobs[at].name);
    memmove(&set->jobs[at], &set->jobs[at + 1], (set->count - at - 1) * sizeof set->jobs[0]);
    set->count--;
    return 1;
}

void ha_job_set_unannounce_all(ha_job_set_t *set)
{
    size_t i;
    for (i = 0; i < set->count; i++) {
        set->jobs[i].announced = 0;
    }
}

void ha_job_set_clear(ha_job_set_t *set)
{
    size_t i;
    for (i = 0; i < set->count; i++) {
        free(set->jobs[i].name);
    }
    free(set->jobs);
    set->jobs = NULL;
    set->count = 0;
    set->capacity = 0;
}

const char *ha_strerror(ha_status_t st)
{
    switch (st) {
    case HA_OK:
        return "ok";
    case HA_ERR_SPACE:
        return "discovery message too long for its buffer";
    case HA_ERR_ARG:
        return "missing setting or invalid job";
    case HA_ERR_MEMORY:
        return "out of memory for the job set";
    case HA_ERR_NOT_JOB:
        return "not a job topic of the project";
    }
    return "unknown discovery status";
}

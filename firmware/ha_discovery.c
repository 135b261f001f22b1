/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ha_discovery.c - Home Assistant discovery topics and payloads; see
 * include/ha_discovery.h.
 *
 * Identifiers (device identifiers, unique_id) are built from agent_id and
 * project_id only, so they are the same after every restart and Home
 * Assistant keeps the entities, their history and their settings.
 * default_entity_id must be a valid entity id (lower case letters, digits,
 * single underscores), so it is a slug of the same parts.
 */
#include "ha_discovery.h"

#include <string.h>

#include "strbuf.h"

#define ORIGIN_NAME "modelarts2mqtt"

/* The phases of docs/topics.md, the options of a job's enum sensor. */
static const char *const phases[] = {"pending",   "running", "stopping", "review",
                                     "succeeded", "failed",  "canceled", "unknown"};

/* The text is built with strbuf: once something does not fit, everything
 * after is dropped and the result is an error. */
static void put_n(strbuf_t *o, const char *s, size_t n)
{
    strbuf_append(o, s, n);
}

static void put(strbuf_t *o, const char *s)
{
    strbuf_puts(o, s);
}

static void put_u32(strbuf_t *o, uint32_t v)
{
    strbuf_uint(o, v);
}

/* The text of s as JSON string content: configuration strings (base_topic,
 * prefix) may hold quotes and backslashes. */
static void put_escaped(strbuf_t *o, const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            char esc[2] = {'\\', (char)ch};
            put_n(o, esc, 2);
        } else if (ch < 0x20) {
            static const char hex[] = "0123456789abcdef";
            char esc[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 0x0f]};
            put_n(o, esc, sizeof esc);
        } else {
            put_n(o, (const char *)&ch, 1);
        }
    }
}

/* "key":"value" with the value escaped. */
static void put_member(strbuf_t *o, const char *key, const char *value)
{
    put(o, "\"");
    put(o, key);
    put(o, "\":\"");
    put_escaped(o, value);
    put(o, "\"");
}

/* A slug for an entity id, written part by part: lower case letters and
 * digits, every other run of characters one '_', none at either end. At most
 * `left` characters of the parts are read. */
typedef struct {
    int pending_sep;
    int any;
    size_t left;
} slug_t;

static void put_slug(strbuf_t *o, slug_t *slug, const char *text)
{
    for (; *text != '\0' && slug->left > 0; text++, slug->left--) {
        char ch = *text;
        if (ch >= 'A' && ch <= 'Z') {
            ch = (char)(ch - 'A' + 'a');
        }
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
            if (slug->pending_sep && slug->any) {
                put_n(o, "_", 1);
            }
            put_n(o, &ch, 1);
            slug->pending_sep = 0;
            slug->any = 1;
        } else {
            slug->pending_sep = 1;
        }
    }
}

/* The length written, or HA_ERR_SPACE with out holding "". */
static long out_result(strbuf_t *o)
{
    if (o->overflow) {
        if (o->cap > 0) {
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
static void put_node(strbuf_t *o, const ha_settings_t *s)
{
    put(o, s->agent_id);
    put(o, "_");
    put(o, s->project_id);
}

/* The entity id stem: "modelarts_<agent>_<project>" as a slug, of at most
 * ENTITY_STEM_MAX characters of that text (more than the longest ids need:
 * 10 + 64 + 1 + 64). */
#define ENTITY_STEM_MAX 159
static void put_entity_stem(strbuf_t *o, const ha_settings_t *s)
{
    slug_t slug = {0, 0, ENTITY_STEM_MAX};
    put_slug(o, &slug, "modelarts_");
    put_slug(o, &slug, s->agent_id);
    put_slug(o, &slug, "_");
    put_slug(o, &slug, s->project_id);
}

/* <base>/<agent>[/<project>]/<suffix>, escaped. */
static void put_agent_topic(strbuf_t *o, const ha_settings_t *s, int with_project,
                            const char *suffix)
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

static void put_origin_and_availability(strbuf_t *o, const ha_settings_t *s)
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
static void put_count_sensor(strbuf_t *o, const ha_settings_t *s, const char *key, const char *name,
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
    strbuf_t o;
    strbuf_init(&o, out, size);
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
    strbuf_t o;
    strbuf_init(&o, out, size);
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
    strbuf_t o;
    strbuf_init(&o, out, size);
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
    strbuf_t o;
    strbuf_init(&o, out, size);
    if (!settings_ok(s) || job_id == NULL || !job_id_text_ok(job_id) ||
        name_len > HA_JOB_NAME_MAX) {
        return HA_ERR_ARG;
    }
    if (job_id[0] == '-') {
        id_slug[0] = 'm';
        memcpy(id_slug + 1, job_id + 1, strlen(job_id)); /* its NUL included */
    } else {
        memcpy(id_slug, job_id, strlen(job_id) + 1);
    }

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
    const char *digits;
    uint64_t magnitude = 0;
    int negative;

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
    /* At most 19 digits (job_id_text_ok): the magnitude fits 64 unsigned
     * bits, and the range check below is exact. */
    negative = p[0] == '-';
    for (digits = p + negative; *digits != '\0'; digits++) {
        magnitude = magnitude * 10u + (uint64_t)(*digits - '0');
    }
    if (magnitude > (uint64_t)INT64_MAX + (negative ? 1u : 0u)) {
        return HA_ERR_NOT_JOB; /* beyond 64 bits */
    }
    memcpy(id_text, p, (size_t)(digits - p) + 1); /* at most 20 characters and the NUL */
    if (!negative) {
        *id = (int64_t)magnitude;
    } else {
        /* -(m - 1) - 1 reaches INT64_MIN without overflowing. */
        *id = magnitude == 0 ? 0 : -(int64_t)(magnitude - 1u) - 1;
    }
    return HA_OK;
}

/* Sentences whatever M2M_STRERROR_TEXT says: only a port that publishes
 * discovery links this, and it logs them. */
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

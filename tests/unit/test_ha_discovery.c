/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ha_discovery.c - Home Assistant discovery topics and payloads, job
 * topic recognition and job names (firmware/ha_discovery.c), and the set of
 * jobs with entities (homeassistant/ha_job_set.c).
 *
 * homeassistant/ is not part of libm2mcore.a, so ha_job_set.c is compiled
 * into this test directly (as test_config.c does with config.c). Every
 * payload is parsed back with jsmn and checked member by member.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../homeassistant/ha_job_set.c"
#include "ha_discovery.h"
#include "m2m_jsmn.h"

/* The phases of docs/topics.md, in order: the options of a job's enum
 * sensor. */
static const char *const phases[] = {"pending",   "running", "stopping", "review",
                                     "succeeded", "failed",  "canceled", "unknown"};

static char topic[HA_TOPIC_MAX];
static char payload[HA_PAYLOAD_MAX];

static ha_settings_t settings(void)
{
    ha_settings_t s;
    s.prefix = "homeassistant";
    s.base_topic = "modelarts";
    s.agent_id = "gw-01";
    s.project_id = "p1";
    s.version = "1.2.3";
    s.qos = 1;
    s.expire_after_s = 900;
    s.health_expire_after_s = 2700;
    s.project_health = 0;
    return s;
}

/* ---- a small reader over jsmn's tokens ---------------------------------------- */

typedef struct {
    const char *js;
    jsmntok_t tok[512];
    int count;
} doc_t;

static void parse(doc_t *d, const char *js, long len)
{
    jsmn_parser p;
    assert_true(len > 0);
    assert_int_equal((size_t)len, strlen(js));
    d->js = js;
    jsmn_init(&p);
    d->count = jsmn_parse(&p, js, (size_t)len, d->tok, sizeof d->tok / sizeof d->tok[0]);
    assert_true(d->count > 0);
    assert_int_equal(d->tok[0].type, JSMN_OBJECT);
    /* The whole text is one value: nothing before or after it. */
    assert_int_equal(d->tok[0].start, 0);
    assert_int_equal(d->tok[0].end, (int)len);
}

/* Index of the token after token i and everything nested in it. */
static int after(const doc_t *d, int i)
{
    int next = i + 1;
    while (next < d->count && d->tok[next].start < d->tok[i].end) {
        next++;
    }
    return next;
}

/* Value token of key in the object at index obj, or -1. */
static int member(const doc_t *d, int obj, const char *key)
{
    int i = obj + 1;
    int n;
    if (obj < 0 || d->tok[obj].type != JSMN_OBJECT) {
        return -1;
    }
    for (n = 0; n < d->tok[obj].size; n++) {
        const jsmntok_t *k = &d->tok[i];
        if ((size_t)(k->end - k->start) == strlen(key) &&
            memcmp(d->js + k->start, key, strlen(key)) == 0) {
            return i + 1;
        }
        i = after(d, i + 1);
    }
    return -1;
}

/* Value token at a dotted path ("cmps.running.p"), or -1. */
static int at(const doc_t *d, const char *path)
{
    char part[64];
    int i = 0;
    while (*path != '\0' && i >= 0) {
        size_t n = strcspn(path, ".");
        assert_true(n < sizeof part);
        memcpy(part, path, n);
        part[n] = '\0';
        i = member(d, i, part);
        path += n + (path[n] == '.');
    }
    return i;
}

/* The raw text of the token at path (strings without their quotes). */
static const char *text(const doc_t *d, const char *path)
{
    static char out[1024];
    int i = at(d, path);
    int n;
    if (i < 0) {
        return "(absent)";
    }
    n = d->tok[i].end - d->tok[i].start;
    assert_true(n < (int)sizeof out);
    memcpy(out, d->js + d->tok[i].start, (size_t)n);
    out[n] = '\0';
    return out;
}

static jsmntype_t type_at(const doc_t *d, const char *path)
{
    int i = at(d, path);
    assert_true(i >= 0);
    return d->tok[i].type;
}

/* 1 if id is a valid Home Assistant entity id of the given domain: lower
 * case letters, digits, single underscores, none at either end. */
static int entity_id_ok(const char *id, const char *domain)
{
    const char *p;
    size_t n = strlen(domain);
    if (strncmp(id, domain, n) != 0 || id[n] != '.') {
        return 0;
    }
    p = id + n + 1;
    if (*p == '_' || *p == '\0' || p[strlen(p) - 1] == '_' || strstr(p, "__") != NULL) {
        return 0;
    }
    for (; *p != '\0'; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) {
            return 0;
        }
    }
    return 1;
}

/* ---- the device message ---------------------------------------------------------- */

static void device_topic_is_prefix_device_agent_project_config(void **state)
{
    ha_settings_t s = settings();
    (void)state;
    assert_int_equal(ha_device_topic(&s, topic, sizeof topic),
                     (long)strlen("homeassistant/device/gw-01_p1/config"));
    assert_string_equal(topic, "homeassistant/device/gw-01_p1/config");
}

typedef struct {
    const char *key;
    const char *platform;
    const char *state_topic;
    const char *template_field; /* the value_json member the template reads */
    const char *device_class;   /* or NULL */
    const char *expire_after;
} component_case_t;

static const component_case_t components[] = {
    {"running", "sensor", "modelarts/gw-01/p1/summary", "running", NULL, "900"},
    {"pending", "sensor", "modelarts/gw-01/p1/summary", "pending", NULL, "900"},
    {"failed", "sensor", "modelarts/gw-01/p1/summary", "failed", NULL, "900"},
    {"succeeded", "sensor", "modelarts/gw-01/p1/summary", "succeeded", NULL, "900"},
    {"total", "sensor", "modelarts/gw-01/p1/summary", "total", NULL, "900"},
    {"last_update", "sensor", "modelarts/gw-01/p1/summary", "updated_at", "timestamp", "900"},
    {"problem", "binary_sensor", "modelarts/gw-01/health", "poll_ok", "problem", "2700"},
};

static void device_payload_describes_every_component(void **state)
{
    static doc_t d;
    ha_settings_t s = settings();
    size_t i;
    char path[96];
    char want[160];
    (void)state;
    parse(&d, payload, ha_device_payload(&s, payload, sizeof payload));

    assert_string_equal(text(&d, "dev.name"), "ModelArts p1 on gw-01");
    assert_int_equal(type_at(&d, "dev.identifiers"), JSMN_ARRAY);
    assert_int_equal(d.tok[at(&d, "dev.identifiers")].size, 1);
    assert_string_equal(text(&d, "dev.sw_version"), "1.2.3");
    assert_string_equal(text(&d, "o.name"), "modelarts2mqtt");
    assert_string_equal(text(&d, "o.sw_version"), "1.2.3");
    assert_string_equal(text(&d, "qos"), "1");
    assert_int_equal(type_at(&d, "availability"), JSMN_ARRAY);
    assert_int_equal(d.tok[at(&d, "availability")].size, 1);
    assert_int_equal(d.tok[at(&d, "cmps")].size, (int)(sizeof components / sizeof components[0]));

    for (i = 0; i < sizeof components / sizeof components[0]; i++) {
        const component_case_t *c = &components[i];
        const char *domain = c->platform;
        snprintf(path, sizeof path, "cmps.%s.p", c->key);
        assert_string_equal(text(&d, path), c->platform);
        snprintf(path, sizeof path, "cmps.%s.state_topic", c->key);
        assert_string_equal(text(&d, path), c->state_topic);
        snprintf(path, sizeof path, "cmps.%s.value_template", c->key);
        snprintf(want, sizeof want, "value_json.%s", c->template_field);
        assert_non_null(strstr(text(&d, path), want));
        snprintf(path, sizeof path, "cmps.%s.device_class", c->key);
        assert_string_equal(text(&d, path), c->device_class ? c->device_class : "(absent)");
        snprintf(path, sizeof path, "cmps.%s.expire_after", c->key);
        assert_string_equal(text(&d, path), c->expire_after);
        assert_int_equal(type_at(&d, path), JSMN_PRIMITIVE);
        snprintf(path, sizeof path, "cmps.%s.unique_id", c->key);
        snprintf(want, sizeof want, "modelarts2mqtt_gw-01_p1_%s", c->key);
        assert_string_equal(text(&d, path), want);
        snprintf(path, sizeof path, "cmps.%s.default_entity_id", c->key);
        snprintf(want, sizeof want, "%s.modelarts_gw_01_p1_%s", domain, c->key);
        assert_string_equal(text(&d, path), want);
        assert_true(entity_id_ok(text(&d, path), domain));
        snprintf(path, sizeof path, "cmps.%s.object_id", c->key);
        assert_int_equal(at(&d, path), -1);
    }
    assert_string_equal(text(&d, "cmps.problem.entity_category"), "diagnostic");
    assert_string_equal(text(&d, "cmps.problem.value_template"),
                        "{{ 'OFF' if value_json.poll_ok else 'ON' }}");
    assert_non_null(strstr(text(&d, "cmps.last_update.value_template"),
                           "timestamp_custom('%Y-%m-%dT%H:%M:%S+00:00', false)"));
}

static void expire_after_zero_leaves_the_key_out(void **state)
{
    static doc_t d;
    ha_settings_t s = settings();
    (void)state;
    s.expire_after_s = 0;
    s.health_expire_after_s = 0;
    parse(&d, payload, ha_device_payload(&s, payload, sizeof payload));
    assert_int_equal(at(&d, "cmps.running.expire_after"), -1);
    assert_int_equal(at(&d, "cmps.problem.expire_after"), -1);
}

static void with_several_projects_the_problem_sensor_reads_the_project_health(void **state)
{
    static doc_t d;
    ha_settings_t s = settings();
    (void)state;
    s.project_health = 1;
    parse(&d, payload, ha_device_payload(&s, payload, sizeof payload));
    assert_string_equal(text(&d, "cmps.problem.state_topic"), "modelarts/gw-01/p1/health");
    assert_string_equal(text(&d, "cmps.problem.json_attributes_topic"),
                        "modelarts/gw-01/p1/health");
    assert_string_equal(text(&d, "cmps.running.state_topic"), "modelarts/gw-01/p1/summary");
    /* One project: the agent's health, as before. */
    s.project_health = 0;
    parse(&d, payload, ha_device_payload(&s, payload, sizeof payload));
    assert_string_equal(text(&d, "cmps.problem.json_attributes_topic"), "modelarts/gw-01/health");
}

static void identifiers_depend_on_agent_and_project_only(void **state)
{
    static char again[HA_PAYLOAD_MAX];
    ha_settings_t s = settings();
    ha_settings_t other = settings();
    long len;
    (void)state;
    len = ha_device_payload(&s, payload, sizeof payload);
    /* Same agent and project: the same message, whatever else ran before. */
    assert_int_equal(ha_device_payload(&s, again, sizeof again), len);
    assert_string_equal(payload, again);
    other.project_id = "p2";
    assert_true(ha_device_payload(&other, again, sizeof again) > 0);
    assert_null(strstr(again, "modelarts2mqtt_gw-01_p1"));
    assert_non_null(strstr(again, "modelarts2mqtt_gw-01_p2_running"));
}

typedef struct {
    const char *agent_id;
    const char *project_id;
    const char *entity; /* default_entity_id of "running" */
} slug_case_t;

static const slug_case_t slug_cases[] = {
    {"gw-01", "p1", "sensor.modelarts_gw_01_p1_running"},
    {"GW_Main", "ABC", "sensor.modelarts_gw_main_abc_running"},
    {"gw--01__x", "p", "sensor.modelarts_gw_01_x_p_running"},
    {"_gw_", "-p-", "sensor.modelarts_gw_p_running"},
    {"-", "9", "sensor.modelarts_9_running"},
};

static void default_entity_ids_are_valid_entity_ids(void **state)
{
    static doc_t d;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof slug_cases / sizeof slug_cases[0]; i++) {
        ha_settings_t s = settings();
        s.agent_id = slug_cases[i].agent_id;
        s.project_id = slug_cases[i].project_id;
        parse(&d, payload, ha_device_payload(&s, payload, sizeof payload));
        assert_string_equal(text(&d, "cmps.running.default_entity_id"), slug_cases[i].entity);
        assert_true(entity_id_ok(text(&d, "cmps.running.default_entity_id"), "sensor"));
    }
}

static void quotes_and_backslashes_of_the_base_topic_are_escaped(void **state)
{
    static doc_t d;
    ha_settings_t s = settings();
    (void)state;
    s.base_topic = "site \"a\"\\b";
    parse(&d, payload, ha_device_payload(&s, payload, sizeof payload));
    assert_string_equal(text(&d, "cmps.running.state_topic"),
                        "site \\\"a\\\"\\\\b/gw-01/p1/summary");
    assert_string_equal(text(&d, "availability"),
                        "[{\"topic\":\"site \\\"a\\\"\\\\b/gw-01/status\","
                        "\"payload_available\":\"online\",\"payload_not_available\":\"offline\"}]");
}

static void a_buffer_too_small_is_an_error_and_leaves_an_empty_string(void **state)
{
    static char small[HA_PAYLOAD_MAX];
    ha_settings_t s = settings();
    long full = ha_device_payload(&s, payload, sizeof payload);
    const size_t sizes[] = {1, 2, 100, (size_t)full};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        memset(small, 'x', sizeof small);
        assert_int_equal(ha_device_payload(&s, small, sizes[i]), HA_ERR_SPACE);
        assert_string_equal(small, "");
    }
    assert_int_equal(ha_device_payload(&s, small, (size_t)full + 1), full);
    assert_int_equal(ha_device_payload(&s, small, 0), HA_ERR_SPACE);
    assert_int_equal(ha_device_topic(&s, topic, 10), HA_ERR_SPACE);
}

static void missing_settings_are_refused(void **state)
{
    ha_settings_t s = settings();
    (void)state;
    s.agent_id = "";
    assert_int_equal(ha_device_payload(&s, payload, sizeof payload), HA_ERR_ARG);
    assert_int_equal(ha_device_topic(&s, topic, sizeof topic), HA_ERR_ARG);
    s = settings();
    s.prefix = NULL;
    assert_int_equal(ha_device_topic(&s, topic, sizeof topic), HA_ERR_ARG);
    assert_int_equal(ha_device_payload(NULL, payload, sizeof payload), HA_ERR_ARG);
}

static void the_longest_configuration_fits_the_buffers(void **state)
{
    static char prefix[129];
    static char base[129];
    static char agent[65];
    static char project[65];
    static doc_t d;
    ha_settings_t s = settings();
    (void)state;
    /* Every byte a quote: the escaped text is twice as long. */
    memset(prefix, 'h', 128);
    memset(base, '"', 128);
    memset(agent, 'a', 64);
    memset(project, 'p', 64);
    s.prefix = prefix;
    s.base_topic = base;
    s.agent_id = agent;
    s.project_id = project;
    s.expire_after_s = UINT32_MAX;
    parse(&d, payload, ha_device_payload(&s, payload, sizeof payload));
    parse(&d, payload,
          ha_job_payload(&s, "-9223372036854775808", NULL, 0, payload, sizeof payload));
    assert_true(ha_job_topic(&s, "-9223372036854775808", topic, sizeof topic) > 0);
}

/* ---- expire_after ----------------------------------------------------------------- */

typedef struct {
    uint32_t poll;
    uint32_t heartbeat;
    uint32_t summary;
    uint32_t health;
} expire_case_t;

static const expire_case_t expire_cases[] = {
    {30, 300, 900, 2700},
    {30, 0, 90, 2700},
    {600, 300, 1800, 2700},
    {1, 0, 3, 2700},
    {3600, 0, 10800, 10800},
    {86400, 86400, 259200, 259200},
    {1, UINT32_MAX, UINT32_MAX, UINT32_MAX},
};

static void expire_after_is_three_times_the_longest_gap(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof expire_cases / sizeof expire_cases[0]; i++) {
        const expire_case_t *c = &expire_cases[i];
        assert_int_equal(ha_expire_after_s(c->poll, c->heartbeat), c->summary);
        assert_int_equal(ha_health_expire_after_s(c->poll, c->heartbeat), c->health);
    }
}

/* ---- per-job messages ------------------------------------------------------------------ */

static void a_job_message_has_one_enum_sensor_over_the_job_topic(void **state)
{
    static doc_t d;
    ha_settings_t s = settings();
    int opts;
    int i;
    (void)state;
    assert_true(ha_job_topic(&s, "42", topic, sizeof topic) > 0);
    assert_string_equal(topic, "homeassistant/device/gw-01_p1_job_42/config");
    parse(&d, payload, ha_job_payload(&s, "42", "res\\\"net", 8, payload, sizeof payload));
    assert_string_equal(text(&d, "dev.name"), "ModelArts job res\\\"net");
    assert_string_equal(text(&d, "dev.via_device"), "modelarts2mqtt_gw-01_p1");
    assert_string_equal(text(&d, "cmps.phase.p"), "sensor");
    assert_string_equal(text(&d, "cmps.phase.device_class"), "enum");
    assert_string_equal(text(&d, "cmps.phase.state_topic"), "modelarts/gw-01/p1/jobs/42");
    assert_string_equal(text(&d, "cmps.phase.json_attributes_topic"), "modelarts/gw-01/p1/jobs/42");
    assert_string_equal(text(&d, "cmps.phase.value_template"), "{{ value_json.phase }}");
    assert_string_equal(text(&d, "cmps.phase.unique_id"), "modelarts2mqtt_gw-01_p1_job_42_phase");
    assert_string_equal(text(&d, "cmps.phase.default_entity_id"),
                        "sensor.modelarts_gw_01_p1_job_42_phase");
    assert_int_equal(at(&d, "cmps.phase.expire_after"), -1);
    opts = at(&d, "cmps.phase.options");
    assert_int_equal(d.tok[opts].size, 8);
    for (i = 0; i < 8; i++) {
        const jsmntok_t *t = &d.tok[opts + 1 + i];
        assert_int_equal((size_t)(t->end - t->start), strlen(phases[i]));
        assert_memory_equal(d.js + t->start, phases[i], strlen(phases[i]));
    }
}

static void a_job_without_a_name_and_a_negative_id_stay_distinct(void **state)
{
    static doc_t d;
    ha_settings_t s = settings();
    (void)state;
    parse(&d, payload, ha_job_payload(&s, "-5", NULL, 0, payload, sizeof payload));
    assert_string_equal(text(&d, "dev.name"), "ModelArts job -5");
    assert_string_equal(text(&d, "cmps.phase.default_entity_id"),
                        "sensor.modelarts_gw_01_p1_job_m5_phase");
    assert_true(entity_id_ok(text(&d, "cmps.phase.default_entity_id"), "sensor"));
    assert_string_equal(text(&d, "cmps.phase.unique_id"), "modelarts2mqtt_gw-01_p1_job_-5_phase");
}

static void invalid_job_ids_are_refused(void **state)
{
    static const char *const bad[] = {"", "-", "12a", "1 2", "+5", "12345678901234567890"};
    ha_settings_t s = settings();
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(ha_job_topic(&s, bad[i], topic, sizeof topic), HA_ERR_ARG);
        assert_int_equal(ha_job_payload(&s, bad[i], NULL, 0, payload, sizeof payload), HA_ERR_ARG);
    }
    assert_int_equal(ha_job_payload(&s, "1", "n", HA_JOB_NAME_MAX + 1, payload, sizeof payload),
                     HA_ERR_ARG);
}

typedef struct {
    const char *topic;
    ha_status_t expect;
    const char *id_text;
    int64_t id;
} job_topic_case_t;

static const job_topic_case_t job_topic_cases[] = {
    {"modelarts/gw-01/p1/jobs/10", HA_OK, "10", 10},
    {"modelarts/gw-01/p1/jobs/-3", HA_OK, "-3", -3},
    {"modelarts/gw-01/p1/jobs/9223372036854775807", HA_OK, "9223372036854775807", INT64_MAX},
    {"modelarts/gw-01/p1/jobs/-9223372036854775808", HA_OK, "-9223372036854775808", INT64_MIN},
    {"modelarts/gw-01/p1/jobs/9223372036854775808", HA_ERR_NOT_JOB, NULL, 0},
    {"modelarts/gw-01/p1/jobs/", HA_ERR_NOT_JOB, NULL, 0},
    {"modelarts/gw-01/p1/jobs/1/x", HA_ERR_NOT_JOB, NULL, 0},
    {"modelarts/gw-01/p1/jobs/+", HA_ERR_NOT_JOB, NULL, 0},
    {"modelarts/gw-01/p1/summary", HA_ERR_NOT_JOB, NULL, 0},
    {"modelarts/gw-01/p12/jobs/1", HA_ERR_NOT_JOB, NULL, 0},
    {"modelarts/gw-0/p1/jobs/1", HA_ERR_NOT_JOB, NULL, 0},
    {"modelartsX/gw-01/p1/jobs/1", HA_ERR_NOT_JOB, NULL, 0},
    {"modelarts/gw-01/status", HA_ERR_NOT_JOB, NULL, 0},
    {"", HA_ERR_NOT_JOB, NULL, 0},
};

static void job_topics_are_recognised_exactly(void **state)
{
    ha_settings_t s = settings();
    size_t i;
    (void)state;
    for (i = 0; i < sizeof job_topic_cases / sizeof job_topic_cases[0]; i++) {
        const job_topic_case_t *c = &job_topic_cases[i];
        char id_text[HA_JOB_ID_TEXT_MAX] = "";
        int64_t id = 0;
        assert_int_equal(ha_job_of_topic(&s, c->topic, id_text, &id), c->expect);
        if (c->expect == HA_OK) {
            assert_string_equal(id_text, c->id_text);
            assert_true(id == c->id);
        }
    }
}

typedef struct {
    const char *payload;
    ha_status_t expect;
    const char *name;
} name_case_t;

static const name_case_t name_cases[] = {
    {"{\"job_id\":1,\"job_name\":\"resnet50\",\"status\":8}", HA_OK, "resnet50"},
    {"{\"job_id\":1,\"job_name\":\"a\\\"b\\\\c\"}", HA_OK, "a\\\"b\\\\c"},
    {"{\"x\":{\"job_name\":\"inner\"},\"job_name\":\"outer\"}", HA_OK, "outer"},
    {"{\"x\":[1,{\"job_name\":\"inner\"}],\"job_name\":\"outer\"}", HA_OK, "outer"},
    {"{\"job_id\":1,\"job_name\":null}", HA_ERR_ARG, NULL},
    {"{\"job_id\":1}", HA_ERR_ARG, NULL},
    {"[\"job_name\",\"x\"]", HA_ERR_ARG, NULL},
    {"{\"job_name\":\"unterminated", HA_ERR_ARG, NULL},
    {"", HA_ERR_ARG, NULL},
};

static void the_job_name_is_found_as_escaped_text(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof name_cases / sizeof name_cases[0]; i++) {
        const name_case_t *c = &name_cases[i];
        const char *name;
        size_t len;
        assert_int_equal(ha_job_name(c->payload, strlen(c->payload), &name, &len), c->expect);
        if (c->expect == HA_OK) {
            assert_int_equal(len, strlen(c->name));
            assert_memory_equal(name, c->name, len);
        } else {
            assert_null(name);
        }
    }
}

static void a_name_over_the_limit_is_not_used(void **state)
{
    static char js[HA_JOB_NAME_MAX + 64];
    const char *name;
    size_t len;
    (void)state;
    snprintf(js, sizeof js, "{\"job_name\":\"%0*d\"}", HA_JOB_NAME_MAX + 1, 7);
    assert_int_equal(ha_job_name(js, strlen(js), &name, &len), HA_ERR_ARG);
    snprintf(js, sizeof js, "{\"job_name\":\"%0*d\"}", HA_JOB_NAME_MAX, 7);
    assert_int_equal(ha_job_name(js, strlen(js), &name, &len), HA_OK);
    assert_int_equal(len, HA_JOB_NAME_MAX);
}

/* ---- the job set ----------------------------------------------------------------------- */

static void the_job_set_keeps_ids_sorted_and_tracks_announcements(void **state)
{
    ha_job_set_t set = {NULL, 0, 0};
    size_t i;
    int64_t id;
    (void)state;
    /* Enough to grow several times, inserted out of order. */
    for (i = 0; i < 1000; i++) {
        id = (int64_t)((i * 7919u) % 1000u) - 500;
        assert_int_equal(ha_job_set_put(&set, id, NULL, 0), 1);
    }
    assert_int_equal(set.count, 1000);
    for (i = 1; i < set.count; i++) {
        assert_true(set.jobs[i - 1].id < set.jobs[i].id);
    }
    assert_int_equal(ha_job_set_put(&set, 7, NULL, 0), 0); /* present */
    assert_non_null(ha_job_set_find(&set, -500));
    assert_non_null(ha_job_set_find(&set, 499));
    assert_null(ha_job_set_find(&set, 500));

    ha_job_set_find(&set, 7)->announced = 1;
    assert_int_equal(ha_job_set_put(&set, 7, "a", 1), 1); /* a name is news */
    assert_int_equal(ha_job_set_find(&set, 7)->announced, 0);
    assert_string_equal(ha_job_set_find(&set, 7)->name, "a");
    ha_job_set_find(&set, 7)->announced = 1;
    assert_int_equal(ha_job_set_put(&set, 7, "a", 1), 0);
    assert_int_equal(ha_job_set_put(&set, 7, NULL, 0), 0); /* no name: keep the one known */
    assert_int_equal(ha_job_set_find(&set, 7)->announced, 1);
    assert_int_equal(ha_job_set_put(&set, 7, "ab", 2), 1);
    assert_string_equal(ha_job_set_find(&set, 7)->name, "ab");

    ha_job_set_find(&set, 8)->announced = 1;
    ha_job_set_unannounce_all(&set);
    for (i = 0; i < set.count; i++) {
        assert_int_equal(set.jobs[i].announced, 0);
    }

    assert_int_equal(ha_job_set_remove(&set, 7), 1);
    assert_int_equal(ha_job_set_remove(&set, 7), 0);
    assert_null(ha_job_set_find(&set, 7));
    assert_int_equal(set.count, 999);
    for (i = 1; i < set.count; i++) {
        assert_true(set.jobs[i - 1].id < set.jobs[i].id);
    }
    ha_job_set_clear(&set);
    assert_int_equal(set.count, 0);
    assert_null(ha_job_set_find(&set, 1));
    assert_int_equal(ha_job_set_remove(&set, 1), 0);
}

static void every_status_has_a_message(void **state)
{
    static const ha_status_t all[] = {HA_OK, HA_ERR_SPACE, HA_ERR_ARG, HA_ERR_MEMORY,
                                      HA_ERR_NOT_JOB};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof all / sizeof all[0]; i++) {
        assert_string_not_equal(ha_strerror(all[i]), "unknown discovery status");
    }
    assert_string_equal(ha_strerror((ha_status_t)99), "unknown discovery status");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(device_topic_is_prefix_device_agent_project_config),
        cmocka_unit_test(device_payload_describes_every_component),
        cmocka_unit_test(expire_after_zero_leaves_the_key_out),
        cmocka_unit_test(with_several_projects_the_problem_sensor_reads_the_project_health),
        cmocka_unit_test(identifiers_depend_on_agent_and_project_only),
        cmocka_unit_test(default_entity_ids_are_valid_entity_ids),
        cmocka_unit_test(quotes_and_backslashes_of_the_base_topic_are_escaped),
        cmocka_unit_test(a_buffer_too_small_is_an_error_and_leaves_an_empty_string),
        cmocka_unit_test(missing_settings_are_refused),
        cmocka_unit_test(the_longest_configuration_fits_the_buffers),
        cmocka_unit_test(expire_after_is_three_times_the_longest_gap),
        cmocka_unit_test(a_job_message_has_one_enum_sensor_over_the_job_topic),
        cmocka_unit_test(a_job_without_a_name_and_a_negative_id_stay_distinct),
        cmocka_unit_test(invalid_job_ids_are_refused),
        cmocka_unit_test(job_topics_are_recognised_exactly),
        cmocka_unit_test(the_job_name_is_found_as_escaped_text),
        cmocka_unit_test(a_name_over_the_limit_is_not_used),
        cmocka_unit_test(the_job_set_keeps_ids_sorted_and_tracks_announcements),
        cmocka_unit_test(every_status_has_a_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

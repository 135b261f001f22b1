/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.c - the configuration keys, their checks, the environment and
 * --set; see config.h. Reading the INI file is config_file.c.
 *
 * Every key is one row of config_keys[]: where it lives in config_t, its
 * default, its environment variable and the function that checks and stores
 * a value (config_values.c). Defaults, the file, the environment and --set all go through the
 * same row, so a value is checked the same way wherever it comes from.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config_values.h"
#include "m2m_defaults.h"

#define STRINGIFY2(x) #x
#define STRINGIFY(x) STRINGIFY2(x)

/* ---- the keys ------------------------------------------------------------------ */

static const char *const sort_by_choices[] = {"job_name",      "job_desc",    "status", "duration",
                                              "version_count", "create_time", NULL};
static const char *const order_choices[] = {"asc", "desc", NULL};
static const char *const protocol_choices[] = {"3.1.1", "5", NULL};
static const char *const api_choices[] = {"v1", "v2", NULL};

#define OFF(f) offsetof(config_t, f)
#define SZ(f) sizeof(((config_t *)0)->f)
#define STR(sec, name, setter, f, def, env, secret)                                                \
    {                                                                                              \
        sec, name, setter, KIND_STR, OFF(f), SZ(f), 0, 0, NULL, def, env, secret                   \
    }
#define U32(sec, name, f, lo, hi, def)                                                             \
    {                                                                                              \
        sec, name, config_value_uint, KIND_U32, OFF(f), SZ(f), lo, hi, NULL, def, NULL, 0          \
    }

static const config_key_t config_keys[] = {
    STR("modelarts", "endpoint", config_value_https_url, endpoint,
        "https://modelarts.cn-north-4.myhuaweicloud.com", NULL, 0),
    STR("modelarts", "project_id", config_value_project_list, project_id, "", NULL, 0),
    {"modelarts", "api", config_value_choice, KIND_STR, OFF(api), SZ(api), 0, 0, api_choices, "v1",
     NULL, 0},
    {"modelarts", "auth", config_value_auth, KIND_INT, OFF(auth), SZ(auth), 0, 0, NULL, "token",
     NULL, 0},
    STR("modelarts", "token", config_value_credential, token, "", "MODELARTS_TOKEN", 1),
    STR("modelarts", "ak", config_value_credential, ak, "", "MODELARTS_AK", 1),
    STR("modelarts", "sk", config_value_credential, sk, "", "MODELARTS_SK", 1),
    STR("modelarts", "security_token", config_value_credential, security_token, "",
        "MODELARTS_SECURITY_TOKEN", 1),
    STR("modelarts", "iam_endpoint", config_value_https_url, iam_endpoint,
        "https://iam.cn-north-4.myhuaweicloud.com", NULL, 0),
    STR("modelarts", "user", config_value_text, user, "", NULL, 0),
    STR("modelarts", "domain", config_value_text, domain, "", NULL, 0),
    STR("modelarts", "password", config_value_text, password, "", "MODELARTS_PASSWORD", 1),
    STR("modelarts", "ca_file", config_value_text, ca_file, CONFIG_SYSTEM_CA_FILE, NULL, 0),
    U32("modelarts", "per_page", per_page, 1, 1000, "100"),
    STR("modelarts", "status", config_value_status, status, "", NULL, 0),
    STR("modelarts", "search_content", config_value_search, search_content, "", NULL, 0),
    STR("modelarts", "workspace_id", config_value_id, workspace_id, "", NULL, 0),
    {"modelarts", "sort_by", config_value_choice, KIND_STR, OFF(sort_by), SZ(sort_by), 0, 0,
     sort_by_choices, "create_time", NULL, 0},
    {"modelarts", "order", config_value_choice, KIND_STR, OFF(order), SZ(order), 0, 0,
     order_choices, "asc", NULL, 0},
    U32("modelarts", "poll_interval", poll_interval, 1, 86400, "30"),
    U32("modelarts", "timeout", timeout, 1, 300, "10"),
    {"modelarts", "insecure", config_value_bool, KIND_INT, OFF(insecure), SZ(insecure), 0, 0, NULL,
     "false", NULL, 0},
    U32("modelarts", "max_jobs", max_jobs, 1, 1000000, STRINGIFY(M2M_DEFAULT_CAPACITY)),
    /* A poll once held its changed jobs in a buffer of this size; it
     * publishes each job as it reads it now. Accepted, with a warning. */
    {"modelarts", "change_buffer_kib", config_value_obsolete, KIND_OBSOLETE, OFF(obsolete_key_set),
     SZ(obsolete_key_set), 0, 0, NULL, "", NULL, 0},

    STR("mqtt", "uri", config_value_mqtt_uri, mqtt_uri, "tcp://localhost:1883", NULL, 0),
    STR("mqtt", "client_id", config_value_text, client_id, "", NULL, 0),
    STR("mqtt", "username", config_value_text, username, "", NULL, 0),
    STR("mqtt", "password", config_value_text, mqtt_password, "", "MQTT_PASSWORD", 1),
    STR("mqtt", "ca_file", config_value_text, mqtt_ca_file, "", NULL, 0),
    STR("mqtt", "base_topic", config_value_topic, base_topic, "modelarts", NULL, 0),
    STR("mqtt", "agent_id", config_value_id, agent_id, "", NULL, 0),
    U32("mqtt", "qos", qos, 0, 2, "1"),
    U32("mqtt", "keepalive", keepalive, 5, 3600, "30"),
    U32("mqtt", "heartbeat", heartbeat, 0, 86400, "300"),
    {"mqtt", "protocol", config_value_choice, KIND_STR, OFF(mqtt_protocol), SZ(mqtt_protocol), 0, 0,
     protocol_choices, "3.1.1", NULL, 0},
    U32("mqtt", "message_expiry", message_expiry, 0, 31536000, "604800"),

    {"homeassistant", "discovery", config_value_bool, KIND_INT, OFF(discovery), SZ(discovery), 0, 0,
     NULL, "false", NULL, 0},
    STR("homeassistant", "prefix", config_value_topic, ha_prefix, "homeassistant", NULL, 0),
    {"homeassistant", "per_job_entities", config_value_bool, KIND_INT, OFF(per_job_entities),
     SZ(per_job_entities), 0, 0, NULL, "false", NULL, 0},
};

#define KEY_COUNT (sizeof config_keys / sizeof config_keys[0])

static const config_key_t *find_key(const char *section, const char *name)
{
    size_t i;
    for (i = 0; i < KEY_COUNT; i++) {
        if (strcmp(config_keys[i].section, section) == 0 &&
            strcmp(config_keys[i].name, name) == 0) {
            return &config_keys[i];
        }
    }
    return NULL;
}

static int section_known(const char *section)
{
    size_t i;
    for (i = 0; i < KEY_COUNT; i++) {
        if (strcmp(config_keys[i].section, section) == 0) {
            return 1;
        }
    }
    return 0;
}

/* A value as it may appear in a message: at most 64 bytes, control
 * characters replaced, secrets never. */
static void shown_value(const config_key_t *k, const char *value, char *out, size_t out_size)
{
    size_t i;
    size_t n = 0;
    if (k != NULL && k->secret) {
        snprintf(out, out_size, "(hidden)");
        return;
    }
    for (i = 0; value[i] != '\0' && n + 4 < out_size && i < 64; i++) {
        unsigned char ch = (unsigned char)value[i];
        out[n++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
    }
    if (value[i] != '\0' && n + 4 <= out_size) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
}

/* ---- public ------------------------------------------------------------------- */

void config_defaults(config_t *c)
{
    size_t i;
    char why[CONFIG_ERROR_MAX];
    memset(c, 0, sizeof *c);
    for (i = 0; i < KEY_COUNT; i++) {
        const config_key_t *k = &config_keys[i];
        if (k->def[0] != '\0') {
            (void)k->set(k, c, k->def, why, sizeof why);
        }
    }
}

/* NAME of a project section "modelarts.NAME", else NULL. */
static const char *project_section_name(const char *section)
{
    size_t n = strlen(CONFIG_SECTION_PREFIX);
    return strncmp(section, CONFIG_SECTION_PREFIX, n) == 0 ? section + n : NULL;
}

int config_key_is_secret(const char *section, const char *key)
{
    const config_key_t *k =
        find_key(project_section_name(section) != NULL ? "modelarts" : section, key);
    return k != NULL && k->secret;
}

/* Keys one poll loop and one TLS setup serve for every project. */
static int key_is_shared(const char *key)
{
    return strcmp(key, "poll_interval") == 0 || strcmp(key, "ca_file") == 0 ||
           strcmp(key, "insecure") == 0;
}

/* A key of [modelarts.NAME]: checked and NAME recorded; applied only while
 * config_load_project() applies that very section. Returns -1 to apply
 * it as a [modelarts] key, else the status. */
static int project_section_key(config_t *c, const char *section, const char *name, const char *key,
                               const char *at_open, const char *at, const char *at_close, char *err,
                               size_t err_size)
{
    size_t len = strlen(name);
    size_t i;
    i = 0;
    while (i < len && config_is_id_char((unsigned char)name[i])) {
        i++;
    }
    if (len == 0 || i < len || len >= CONFIG_ID_MAX) {
        snprintf(err, err_size,
                 "section [%s]: a project section is [modelarts.NAME], NAME 1..%d characters of "
                 "A-Z a-z 0-9 _ -%s%s%s",
                 section, CONFIG_ID_MAX - 1, at_open, at, at_close);
        return CONFIG_ERR_UNKNOWN;
    }
    if (find_key("modelarts", key) == NULL) {
        snprintf(err, err_size, "unknown key %s.%s%s%s%s", section, key, at_open, at, at_close);
        return CONFIG_ERR_UNKNOWN;
    }
    if (key_is_shared(key)) {
        snprintf(err, err_size, "%s.%s: every project shares this key: set it in [modelarts]%s%s%s",
                 section, key, at_open, at, at_close);
        return CONFIG_ERR_VALUE;
    }
    if (c->section_applied[0] != '\0') {
        return strcmp(c->section_applied, name) == 0 ? -1 : CONFIG_OK;
    }
    for (i = 0; i < c->n_sections; i++) {
        if (strcmp(c->sections[i], name) == 0) {
            return CONFIG_OK;
        }
    }
    if (c->n_sections >= CONFIG_PROJECTS_MAX) {
        snprintf(err, err_size, "section [%s]: at most %d projects%s%s%s", section,
                 CONFIG_PROJECTS_MAX, at_open, at, at_close);
        return CONFIG_ERR_VALUE;
    }
    memcpy(c->sections[c->n_sections++], name, len + 1);
    return CONFIG_OK;
}

config_status_t config_set(config_t *c, const char *section, const char *key, const char *value,
                           const char *origin, char *err, size_t err_size)
{
    const char *project_name = project_section_name(section);
    const config_key_t *k = find_key(project_name != NULL ? "modelarts" : section, key);
    char why[CONFIG_ERROR_MAX];
    char shown[80];
    const char *at_open = origin != NULL ? " (" : "";
    const char *at = origin != NULL ? origin : "";
    const char *at_close = origin != NULL ? ")" : "";

    if (project_name != NULL) {
        int st = project_section_key(c, section, project_name, key, at_open, at, at_close, err,
                                     err_size);
        if (st != -1) {
            return (config_status_t)st;
        }
    } else if (c->section_applied[0] != '\0') {
        return CONFIG_OK; /* [modelarts] and the rest were applied already */
    }
    if (k == NULL) {
        if (section[0] == '\0') {
            snprintf(err, err_size, "key \"%s\" outside any section%s%s%s", key, at_open, at,
                     at_close);
        } else if (!section_known(section)) {
            snprintf(err, err_size, "unknown section [%s]%s%s%s", section, at_open, at, at_close);
        } else {
            snprintf(err, err_size, "unknown key %s.%s%s%s%s", section, key, at_open, at, at_close);
        }
        return CONFIG_ERR_UNKNOWN;
    }
    if (value[0] == '\0') {
        value = k->def;
        if (value[0] == '\0') {
            memset(config_field(c, k), 0, k->size);
            return CONFIG_OK;
        }
    }
    if (k->set(k, c, value, why, sizeof why) != 0) {
        shown_value(k, value, shown, sizeof shown);
        snprintf(err, err_size, "%s.%s = %s: %s%s%s%s", section, key, shown, why, at_open, at,
                 at_close);
        return CONFIG_ERR_VALUE;
    }
    return CONFIG_OK;
}

config_status_t config_set_arg(config_t *c, const char *arg, char *err, size_t err_size)
{
    char name[CONFIG_ID_MAX + 64];
    const char *eq = strchr(arg, '=');
    size_t name_len = eq != NULL ? (size_t)(eq - arg) : 0;
    const char *dot = NULL;
    size_t i;

    /* The last dot: a project section's name has one of its own. */
    for (i = 0; i < name_len; i++) {
        if (arg[i] == '.') {
            dot = arg + i;
        }
    }
    /* The argument is never echoed: it may carry a secret. */
    if (eq == NULL || dot == NULL || dot == arg || dot + 1 == eq || name_len >= sizeof name) {
        snprintf(err, err_size, "--set expects SECTION.KEY=VALUE, e.g. modelarts.per_page=100");
        return CONFIG_ERR_USAGE;
    }
    memcpy(name, arg, name_len);
    name[name_len] = '\0';
    name[dot - arg] = '\0';
    return config_set(c, name, name + (dot - arg) + 1, eq + 1, "--set", err, err_size);
}

config_status_t config_apply_env(config_t *c, char *err, size_t err_size)
{
    size_t i;
    for (i = 0; i < KEY_COUNT; i++) {
        const config_key_t *k = &config_keys[i];
        const char *value;
        char origin[64];
        config_status_t st;
        if (k->env == NULL) {
            continue;
        }
        value = getenv(k->env);
        if (value == NULL || value[0] == '\0') {
            continue;
        }
        snprintf(origin, sizeof origin, "environment %s", k->env);
        st = config_set(c, k->section, k->name, value, origin, err, err_size);
        if (st != CONFIG_OK) {
            return st;
        }
    }
    return CONFIG_OK;
}

/* The default agent_id: the host name reduced to [A-Za-z0-9_-]. */
static void default_agent_id(char *out, size_t out_size)
{
    char host[256];
    size_t i;
    if (gethostname(host, sizeof host) != 0) {
        host[0] = '\0';
    }
    host[sizeof host - 1] = '\0';
    for (i = 0; host[i] != '\0' && i + 1 < out_size; i++) {
        out[i] = config_is_id_char((unsigned char)host[i]) ? host[i] : '_';
    }
    out[i] = '\0';
    if (i == 0) {
        snprintf(out, out_size, "gateway");
    }
}

static config_status_t check_readable(const char *key, const char *path, char *err, size_t err_size)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        snprintf(err, err_size, "%s = %s: cannot read the file: %s", key, path, strerror(errno));
        return CONFIG_ERR_FILE;
    }
    fclose(f);
    return CONFIG_OK;
}

/* host and port of an https://host[:port] URL that config_value_https_url() has
 * accepted. */
static config_status_t split_https_url(const char *key, const char *url, char *host,
                                       size_t host_size, uint16_t *port, char *err, size_t err_size)
{
    const char *begin = url + strlen("https://");
    const char *end = begin + strcspn(begin, ":/");
    uint32_t value = 443;
    if ((size_t)(end - begin) >= host_size) {
        snprintf(err, err_size, "%s = %s: the host name is too long", key, url);
        return CONFIG_ERR_VALUE;
    }
    memcpy(host, begin, (size_t)(end - begin));
    host[end - begin] = '\0';
    if (*end == ':') {
        char digits[8];
        size_t n = strcspn(end + 1, "/");
        if (n >= sizeof digits) {
            n = sizeof digits - 1;
        }
        memcpy(digits, end + 1, n);
        digits[n] = '\0';
        (void)config_parse_u32(digits, &value);
    }
    *port = (uint16_t)value;
    return CONFIG_OK;
}

/* What api = v2 asks of the other keys: phase names for status, sort_by
 * create_time; v1 a status code. */
static config_status_t check_api(const config_t *c, char *err, size_t err_size)
{
    int v2 = strcmp(c->api, "v2") == 0;
    int numeric = c->status[0] >= '0' && c->status[0] <= '9';
    if (c->status[0] != '\0' && numeric == v2) {
        snprintf(err, err_size,
                 v2 ? "modelarts.status = %s: api v2 filters by phase names (Creating, Pending, "
                      "Running, Terminating, Completed, Failed, Terminated, Abnormal)"
                    : "modelarts.status = %s: api v1 filters by a status code 0..255",
                 c->status);
        return CONFIG_ERR_VALUE;
    }
    if (v2 && strcmp(c->sort_by, "create_time") != 0) {
        snprintf(err, err_size, "modelarts.sort_by = %s: the v2 list sorts by create_time only",
                 c->sort_by);
        return CONFIG_ERR_VALUE;
    }
    return CONFIG_OK;
}

/* The credentials of the auth mode are set. */
static config_status_t check_credentials(const config_t *c, char *err, size_t err_size)
{
    if (c->auth == CONFIG_AUTH_PASSWORD &&
        (c->user[0] == '\0' || c->domain[0] == '\0' || c->password[0] == '\0')) {
        snprintf(err, err_size,
                 "modelarts.user, modelarts.domain and modelarts.password are required with "
                 "auth = password (the password may come from MODELARTS_PASSWORD)");
        return CONFIG_ERR_MISSING;
    }
    if (c->auth == CONFIG_AUTH_AKSK && (c->ak[0] == '\0' || c->sk[0] == '\0')) {
        snprintf(err, err_size,
                 "modelarts.ak and modelarts.sk are required with auth = aksk: set them in the "
                 "file, in MODELARTS_AK and MODELARTS_SK, or with --set");
        return CONFIG_ERR_MISSING;
    }
    if (c->auth == CONFIG_AUTH_TOKEN && c->token[0] == '\0') {
        snprintf(err, err_size,
                 "modelarts.token is required with auth = token: set it in the file, in "
                 "MODELARTS_TOKEN or with --set modelarts.token=...");
        return CONFIG_ERR_MISSING;
    }
    return CONFIG_OK;
}

/* Length of the longest id of project_id. */
static size_t longest_project_id(const config_t *c)
{
    const char *p = c->project_id;
    size_t longest = 0;
    while (*p != '\0') {
        size_t n = strcspn(p, ",");
        longest = n > longest ? n : longest;
        p += n + (p[n] == ',');
    }
    return longest;
}

size_t config_project_count(const config_t *c)
{
    const char *p = c->project_id;
    size_t count = c->n_sections;
    if (*p != '\0') {
        count++;
        for (; *p != '\0'; p++) {
            count += *p == ',';
        }
    }
    return count;
}

config_status_t config_finish(config_t *c, char *err, size_t err_size)
{
    size_t topic_len;
    config_status_t st;

    if (c->agent_id[0] == '\0') {
        default_agent_id(c->agent_id, sizeof c->agent_id);
    }
    if (c->client_id[0] == '\0') {
        snprintf(c->client_id, sizeof c->client_id, "modelarts2mqtt-%s", c->agent_id);
    }
    if (c->project_id[0] == '\0' && c->n_sections == 0) {
        snprintf(err, err_size, "modelarts.project_id is required");
        return CONFIG_ERR_MISSING;
    }
    if (config_project_count(c) > CONFIG_PROJECTS_MAX) {
        snprintf(err, err_size,
                 "%lu projects in modelarts.project_id and [modelarts.NAME] sections: at most %d",
                 (unsigned long)config_project_count(c), CONFIG_PROJECTS_MAX);
        return CONFIG_ERR_VALUE;
    }
    /* [modelarts] without a project of its own only lends its keys to the
     * sections: their credentials are checked with each section. */
    if (c->project_id[0] != '\0') {
        st = check_credentials(c, err, err_size);
        if (st == CONFIG_OK) {
            st = check_api(c, err, err_size);
        }
        if (st != CONFIG_OK) {
            return st;
        }
    }

    st = split_https_url("modelarts.endpoint", c->endpoint, c->api_host, sizeof c->api_host,
                         &c->api_port, err, err_size);
    if (st != CONFIG_OK) {
        return st;
    }
    if (c->auth == CONFIG_AUTH_PASSWORD) {
        st = split_https_url("modelarts.iam_endpoint", c->iam_endpoint, c->iam_host,
                             sizeof c->iam_host, &c->iam_port, err, err_size);
        if (st != CONFIG_OK) {
            return st;
        }
    }
    c->mqtt_tls =
        strncmp(c->mqtt_uri, "ssl://", 6) == 0 || strncmp(c->mqtt_uri, "mqtts://", 8) == 0;
#if !M2M_MQTT_TLS
    /* After every source: --set mqtt.uri=tcp://... may replace the file's ssl://. */
    if (c->mqtt_tls) {
        snprintf(err, err_size,
                 "mqtt.uri = %s: this build has no MQTT over TLS (built with MQTT_TLS=0): use "
                 "tcp://host[:port] or mqtt://host[:port], or a build with MQTT_TLS=1",
                 c->mqtt_uri);
        return CONFIG_ERR_UNSUPPORTED;
    }
#endif

    /* The longest topic the agent builds: B/<project>/jobs/<INT64_MIN>, or a UUID for v2. */
    topic_len = strlen(c->base_topic) + 1 + strlen(c->agent_id) + 1 + longest_project_id(c) +
                (strcmp(c->api, "v2") == 0 ? strlen("/jobs/01234567-89ab-cdef-0123-456789abcdef")
                                           : strlen("/jobs/-9223372036854775808"));
    if (topic_len + 1 > M2M_TOPIC_MAX) {
        snprintf(err, err_size,
                 "mqtt.base_topic, mqtt.agent_id and modelarts.project_id make topics of %zu "
                 "bytes: at most %d fit",
                 topic_len, M2M_TOPIC_MAX - 1);
        return CONFIG_ERR_VALUE;
    }

    /* A job topic must be republished before it expires, and republishing
     * happens at polls (every message_expiry / 2 at the latest). */
    if (strcmp(c->mqtt_protocol, "5") == 0 && c->message_expiry != 0 &&
        (uint64_t)c->message_expiry < 4u * (uint64_t)c->poll_interval) {
        snprintf(err, err_size,
                 "mqtt.message_expiry = %lu: must be 0 or at least 4 x modelarts.poll_interval "
                 "(%lu s)",
                 (unsigned long)c->message_expiry, 4ul * (unsigned long)c->poll_interval);
        return CONFIG_ERR_VALUE;
    }

    if (!c->insecure) {
        st = check_readable("modelarts.ca_file", c->ca_file, err, err_size);
        if (st != CONFIG_OK) {
            return st;
        }
    }
    if (c->mqtt_tls) {
        st = check_readable("mqtt.ca_file",
                            c->mqtt_ca_file[0] != '\0' ? c->mqtt_ca_file : CONFIG_SYSTEM_CA_FILE,
                            err, err_size);
        if (st != CONFIG_OK) {
            return st;
        }
    }
    return CONFIG_OK;
}

static int key_differs(const config_t *a, const config_t *b, const config_key_t *k)
{
    if (k->kind == KIND_OBSOLETE) {
        return 0;
    }
    if (k->kind == KIND_STR) {
        return strcmp(config_cfield(a, k), config_cfield(b, k)) != 0;
    }
    return memcmp(config_cfield(a, k), config_cfield(b, k), k->size) != 0;
}

int config_section_differs(const config_t *a, const config_t *b, const char *section)
{
    size_t i;
    for (i = 0; i < KEY_COUNT; i++) {
        if (strcmp(config_keys[i].section, section) == 0 && key_differs(a, b, &config_keys[i])) {
            return 1;
        }
    }
    return 0;
}

int config_key_differs(const config_t *a, const config_t *b, const char *section, const char *key)
{
    const config_key_t *k = find_key(section, key);
    return k != NULL && key_differs(a, b, k);
}

const char *config_auth_name(config_auth_t auth)
{
    switch (auth) {
    case CONFIG_AUTH_TOKEN:
        return "token";
    case CONFIG_AUTH_AKSK:
        return "aksk";
    case CONFIG_AUTH_PASSWORD:
        return "password";
    }
    return "unknown";
}

const char *config_strerror(config_status_t st)
{
    switch (st) {
    case CONFIG_OK:
        return "ok";
    case CONFIG_ERR_FILE:
        return "the file cannot be read";
    case CONFIG_ERR_SYNTAX:
        return "not an INI line";
    case CONFIG_ERR_UNKNOWN:
        return "unknown section or key";
    case CONFIG_ERR_VALUE:
        return "value out of range";
    case CONFIG_ERR_MISSING:
        return "a required key is not set";
    case CONFIG_ERR_UNSUPPORTED:
        return "not supported by this build";
    case CONFIG_ERR_USAGE:
        return "malformed --set argument";
    }
    return "unknown configuration status";
}

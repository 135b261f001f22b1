/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.h - the gateway's configuration: INI file, environment secrets and
 * --set overrides, validated into one fixed-size structure.
 *
 * Precedence, lowest first: built-in defaults, the INI file, the environment
 * (secrets only), --set SECTION.KEY=VALUE. Every value is checked when it is
 * assigned; config_finish() then derives the defaults that depend on other
 * keys (agent_id, client_id, the API host and port) and checks the keys that
 * depend on each other. docs/configuration.md lists every key.
 *
 * Error messages never contain a secret value: token, ak, sk and both
 * passwords are shown as "(hidden)".
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>
#include <stdint.h>

/* Buffer sizes, in bytes including the terminating NUL. */
#define CONFIG_URL_MAX 256     /* endpoint, iam_endpoint, mqtt uri */
#define CONFIG_HOST_MAX 254    /* a DNS name: 253 characters */
#define CONFIG_PATH_MAX 1024   /* ca_file */
#define CONFIG_ID_MAX 65       /* project_id, agent_id, workspace_id: 64 */
#define CONFIG_NAME_MAX 256    /* user, domain, username, client_id */
#define CONFIG_TOKEN_MAX 16384 /* an IAM token is several kilobytes */
#define CONFIG_SECRET_MAX 1024 /* ak, sk, passwords */
#define CONFIG_TOPIC_MAX 129   /* base_topic, homeassistant prefix: 128 */
#define CONFIG_SEARCH_CHARS 64 /* search_content, in UTF-8 characters */
#define CONFIG_SEARCH_MAX (CONFIG_SEARCH_CHARS * 4 + 1)
#define CONFIG_ERROR_MAX 512 /* one error message */

/* Projects one agent watches: [modelarts] project_id may list several ids
 * (comma separated), and each [modelarts.NAME] section adds one project. */
#define CONFIG_PROJECTS_MAX 16
#define CONFIG_PROJECT_LIST_MAX (CONFIG_PROJECTS_MAX * CONFIG_ID_MAX) /* "p1,p2,..." */
#define CONFIG_SECTION_PREFIX "modelarts."

#define CONFIG_DEFAULT_FILE "/etc/modelarts2mqtt/modelarts2mqtt.conf"
#define CONFIG_SYSTEM_CA_FILE "/etc/ssl/certs/ca-certificates.crt"

#ifndef M2M_DEFAULT_CAPACITY
#define M2M_DEFAULT_CAPACITY 10000
#endif

/* 1: the broker may be ssl:// or mqtts:// (Paho's TLS variant, libpaho-mqtt3cs, on OpenSSL).
 * 0 (make MQTT_TLS=0): Paho's plain variant, libpaho-mqtt3c, and no OpenSSL; a TLS broker URI
 * is refused by config_finish() with CONFIG_ERR_UNSUPPORTED. */
#ifndef M2M_MQTT_TLS
#define M2M_MQTT_TLS 1
#endif

typedef enum {
    CONFIG_OK = 0,
    CONFIG_ERR_FILE = -1,        /* the file cannot be opened or read */
    CONFIG_ERR_SYNTAX = -2,      /* a line that is not INI, or too long */
    CONFIG_ERR_UNKNOWN = -3,     /* unknown section or key */
    CONFIG_ERR_VALUE = -4,       /* a value outside its allowed range */
    CONFIG_ERR_MISSING = -5,     /* a required key is not set */
    CONFIG_ERR_UNSUPPORTED = -6, /* valid in the design, not in this build */
    CONFIG_ERR_USAGE = -7        /* a --set argument not of the form S.K=V */
} config_status_t;

typedef enum {
    CONFIG_AUTH_TOKEN = 0,
    CONFIG_AUTH_AKSK = 1,
    CONFIG_AUTH_PASSWORD = 2
} config_auth_t;

typedef struct {
    /* [modelarts] */
    char endpoint[CONFIG_URL_MAX];
    /* One id, or several separated by commas (stored as "p1,p2", at most
     * CONFIG_PROJECTS_MAX, no id twice); in a project's own configuration
     * (config_load_project) always one id. */
    char project_id[CONFIG_PROJECT_LIST_MAX];
    config_auth_t auth;
    char token[CONFIG_TOKEN_MAX];
    char ak[CONFIG_SECRET_MAX];
    char sk[CONFIG_SECRET_MAX];
    char security_token[CONFIG_TOKEN_MAX]; /* temporary AK/SK credentials */
    char iam_endpoint[CONFIG_URL_MAX];
    char user[CONFIG_NAME_MAX];
    char domain[CONFIG_NAME_MAX];
    char password[CONFIG_SECRET_MAX];
    char ca_file[CONFIG_PATH_MAX];
    uint32_t per_page; /* 1..1000 */
    char api[4];       /* "v1" or "v2": the list call */
    /* "", a decimal 0..255 (v1), or v2 phase names joined by commas, normalised */
    char status[96];
    char search_content[CONFIG_SEARCH_MAX];
    char workspace_id[CONFIG_ID_MAX];
    char sort_by[16];
    char order[8];          /* asc | desc */
    uint32_t poll_interval; /* seconds, 1..86400 */
    uint32_t timeout;       /* seconds per network operation, 1..300 */
    int insecure;           /* 1: no TLS verification of the API server */
    uint32_t max_jobs;      /* job table capacity, 1..1000000 */

    /* [mqtt] */
    char mqtt_uri[CONFIG_URL_MAX];
    char client_id[CONFIG_NAME_MAX]; /* after config_finish: never empty */
    char username[CONFIG_NAME_MAX];
    char mqtt_password[CONFIG_SECRET_MAX];
    char mqtt_ca_file[CONFIG_PATH_MAX];
    char base_topic[CONFIG_TOPIC_MAX];
    char agent_id[CONFIG_ID_MAX]; /* after config_finish: never empty */
    uint32_t qos;                 /* 0..2 */
    uint32_t heartbeat;           /* seconds an unchanged summary or health waits, 0..86400 */
    uint32_t keepalive;           /* seconds, 5..3600 */
    char mqtt_protocol[8];        /* "3.1.1" or "5" */
    uint32_t message_expiry;      /* MQTT 5: seconds a retained job topic lives, 0 = forever */

    /* [homeassistant] */
    int discovery;
    char ha_prefix[CONFIG_TOPIC_MAX];
    int per_job_entities; /* 1: an entity per job (discovery only) */

    /* Derived by config_finish() from endpoint and iam_endpoint. */
    char api_host[CONFIG_HOST_MAX];
    uint16_t api_port;
    char iam_host[CONFIG_HOST_MAX]; /* from iam_endpoint, auth = password */
    uint16_t iam_port;
    int mqtt_tls;          /* 1 for ssl:// and mqtts:// */
    int file_holds_secret; /* the INI file set a secret key */
    int obsolete_key_set;  /* a key that does nothing any more was set
                              (modelarts.change_buffer_kib) */

    /* [modelarts.NAME] sections (the file or --set modelarts.NAME.KEY=V),
     * by NAME, in the order they first appear. Each is one more project
     * that inherits every key of [modelarts] and overrides some. */
    char sections[CONFIG_PROJECTS_MAX][CONFIG_ID_MAX];
    uint32_t n_sections;
    /* While config_load_project() applies a section: its NAME; the keys of
     * every other section are then skipped. "" otherwise. */
    char section_applied[CONFIG_ID_MAX];
} config_t;

/* Fill every key with its default. */
void config_defaults(config_t *c);

/* Assign one key after checking its value. A key of a section
 * [modelarts.NAME] is checked to be a [modelarts] key and NAME is recorded
 * in sections; its value is checked and used by config_load_project(). An empty value restores the
 * key's default. origin names where the value came from, for the message
 * (e.g. "/etc/x.conf line 3", "--set"); NULL for none. On failure err holds
 * a message such as "modelarts.per_page = 0: must be 1..1000 (--set)".
 * Returns CONFIG_OK, CONFIG_ERR_UNKNOWN or CONFIG_ERR_VALUE. */
config_status_t config_set(config_t *c, const char *section, const char *key, const char *value,
                           const char *origin, char *err, size_t err_size);

/* 1 if section.key holds a secret (token, ak, sk, security_token, the
 * passwords). */
int config_key_is_secret(const char *section, const char *key);

/* Apply one "--set SECTION.KEY=VALUE" argument; SECTION.KEY is split at
 * its last dot, so "modelarts.lab.token=..." is key token of section
 * [modelarts.lab]. Returns CONFIG_ERR_USAGE when the argument is not of
 * that form, else as config_set(). */
config_status_t config_set_arg(config_t *c, const char *arg, char *err, size_t err_size);

/* Apply the secrets found in the environment (MODELARTS_TOKEN,
 * MODELARTS_AK, MODELARTS_SK, MODELARTS_SECURITY_TOKEN, MODELARTS_PASSWORD,
 * MQTT_PASSWORD). A variable
 * that is unset or empty changes nothing. */
config_status_t config_apply_env(config_t *c, char *err, size_t err_size);

/* Derive the dependent defaults (agent_id from the host name, client_id,
 * the API host and port) and check the keys that depend on each other:
 * project_id (or a [modelarts.NAME] section) and, with project_id set, the
 * credentials of the auth mode are required, at most CONFIG_PROJECTS_MAX
 * projects,
 * topics must fit M2M_TOPIC_MAX, CA files must be readable. */
config_status_t config_finish(config_t *c, char *err, size_t err_size);

/* Projects configured: the ids of [modelarts] project_id plus one per
 * [modelarts.NAME] section. */
size_t config_project_count(const config_t *c);

/* The configuration of project index (0 .. config_project_count() - 1) of
 * base, a configuration config_load() accepted with the same path and
 * sets: base with project_id set to that project's one id; for a section's
 * project, its keys applied over it (the file's, then --set
 * modelarts.NAME.KEY=V), so they win over whatever [modelarts] got from the
 * file, the environment or --set. A section may not set poll_interval,
 * ca_file or insecure (one poll loop and one TLS setup serve every
 * project). Then config_finish(). Returns as config_load(). */
config_status_t config_load_project(config_t *out, const config_t *base, const char *path,
                                    const char *const *sets, size_t n_sets, size_t index, char *err,
                                    size_t err_size);

/* Every project's configuration into out[0 .. config_project_count(base)
 * - 1] (cap entries), then the check that no project id appears twice
 * (CONFIG_ERR_VALUE naming it). */
config_status_t config_load_projects(config_t *out, size_t cap, const config_t *base,
                                     const char *path, const char *const *sets, size_t n_sets,
                                     char *err, size_t err_size);

/* Read an INI file into c (config_file.c). Unknown sections and keys, lines
 * that are not INI and lines longer than the longest value are errors naming
 * the file and the line. */
config_status_t config_read_file(config_t *c, const char *path, char *err, size_t err_size);

/* The whole load: defaults, the file (skipped when path is NULL), the
 * environment, every --set argument in order, then config_finish(). */
config_status_t config_load(config_t *c, const char *path, const char *const *sets, size_t n_sets,
                            char *err, size_t err_size);

/* 1 if any key of section ("modelarts", "mqtt", "homeassistant") differs
 * between a and b, derived values included. */
int config_section_differs(const config_t *a, const config_t *b, const char *section);

/* 1 if section.key differs between a and b; 0 also for an unknown key. */
int config_key_differs(const config_t *a, const config_t *b, const char *section, const char *key);

const char *config_auth_name(config_auth_t auth);

const char *config_strerror(config_status_t st);

#endif /* CONFIG_H */

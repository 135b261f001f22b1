/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_config.c - the gateway's configuration: keys, ranges, secrets,
 * precedence, the INI file (port/posix/config.c, config_values.c and
 * config_file.c).
 *
 * The port is not part of libm2mcore.a, so its three files are compiled into
 * this test directly; config_file.c needs inih, so the test links -linih.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../port/posix/config.c"
#include "../../port/posix/config_values.c"
#include "../../port/posix/config_file.c"

static char err[CONFIG_ERROR_MAX];

/* A readable file standing in for a CA bundle (only readability is checked). */
static char ca_path[64];

/* ---- helpers ---------------------------------------------------------------------- */

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
}

static char *temp_file(const char *text, size_t len)
{
    static char path[64];
    int fd;
    snprintf(path, sizeof path, "/tmp/m2m_test_config_XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, text, len);
    return path;
}

static void clear_env(void)
{
    unsetenv("MODELARTS_TOKEN");
    unsetenv("MODELARTS_AK");
    unsetenv("MODELARTS_SK");
    unsetenv("MODELARTS_PASSWORD");
    unsetenv("MQTT_PASSWORD");
}

static int setup(void **state)
{
    (void)state;
    clear_env();
    snprintf(ca_path, sizeof ca_path, "%s", temp_file("-- CA --\n", 9));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(ca_path);
    clear_env();
    return 0;
}

/* Defaults plus the two required keys and a readable CA file. */
static void minimal(config_t *c)
{
    config_defaults(c);
    assert_int_equal(config_set(c, "modelarts", "project_id", "p1", NULL, err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(config_set(c, "modelarts", "token", "tok", NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_set(c, "modelarts", "ca_file", ca_path, NULL, err, sizeof err),
                     CONFIG_OK);
}

/* ---- defaults ------------------------------------------------------------------------ */

static void defaults_match_the_documented_values(void **state)
{
    static config_t c;
    (void)state;
    config_defaults(&c);
    assert_string_equal(c.endpoint, "https://modelarts.cn-north-4.myhuaweicloud.com");
    assert_string_equal(c.project_id, "");
    assert_int_equal(c.auth, CONFIG_AUTH_TOKEN);
    assert_string_equal(c.iam_endpoint, "https://iam.cn-north-4.myhuaweicloud.com");
    assert_string_equal(c.ca_file, "/etc/ssl/certs/ca-certificates.crt");
    assert_int_equal(c.per_page, 100);
    assert_string_equal(c.status, "");
    assert_string_equal(c.sort_by, "create_time");
    assert_string_equal(c.order, "asc");
    assert_int_equal(c.poll_interval, 30);
    assert_int_equal(c.timeout, 10);
    assert_int_equal(c.insecure, 0);
    assert_int_equal(c.max_jobs, M2M_DEFAULT_CAPACITY);
    assert_string_equal(c.mqtt_uri, "tcp://localhost:1883");
    assert_string_equal(c.base_topic, "modelarts");
    assert_int_equal(c.qos, 1);
    assert_int_equal(c.keepalive, 30);
    assert_int_equal(c.heartbeat, 300);
    assert_string_equal(c.mqtt_protocol, "3.1.1");
    assert_int_equal(c.message_expiry, 604800);
    assert_int_equal(c.discovery, 0);
    assert_string_equal(c.ha_prefix, "homeassistant");
    assert_int_equal(c.per_job_entities, 0);
}

/* ---- values: table-driven -------------------------------------------------------------- */

typedef struct {
    const char *section;
    const char *key;
    const char *value;
    config_status_t expect;
    const char *message; /* exact error message, or NULL when accepted */
} value_case_t;

static const value_case_t value_cases[] = {
    {"modelarts", "per_page", "0", CONFIG_ERR_VALUE, "modelarts.per_page = 0: must be 1..1000"},
    {"modelarts", "per_page", "1", CONFIG_OK, NULL},
    {"modelarts", "per_page", "1000", CONFIG_OK, NULL},
    {"modelarts", "per_page", "1001", CONFIG_ERR_VALUE,
     "modelarts.per_page = 1001: must be 1..1000"},
    {"modelarts", "per_page", "-1", CONFIG_ERR_VALUE, "modelarts.per_page = -1: must be 1..1000"},
    {"modelarts", "per_page", "+5", CONFIG_ERR_VALUE, "modelarts.per_page = +5: must be 1..1000"},
    {"modelarts", "per_page", "10abc", CONFIG_ERR_VALUE,
     "modelarts.per_page = 10abc: must be 1..1000"},
    {"modelarts", "per_page", "99999999999999999999", CONFIG_ERR_VALUE,
     "modelarts.per_page = 99999999999999999999: must be 1..1000"},
    {"modelarts", "poll_interval", "86400", CONFIG_OK, NULL},
    {"modelarts", "poll_interval", "86401", CONFIG_ERR_VALUE,
     "modelarts.poll_interval = 86401: must be 1..86400"},
    {"modelarts", "poll_interval", "0", CONFIG_ERR_VALUE,
     "modelarts.poll_interval = 0: must be 1..86400"},
    {"modelarts", "timeout", "300", CONFIG_OK, NULL},
    {"modelarts", "timeout", "301", CONFIG_ERR_VALUE, "modelarts.timeout = 301: must be 1..300"},
    {"modelarts", "max_jobs", "1", CONFIG_OK, NULL},
    {"modelarts", "max_jobs", "1000000", CONFIG_OK, NULL},
    {"modelarts", "max_jobs", "1000001", CONFIG_ERR_VALUE,
     "modelarts.max_jobs = 1000001: must be 1..1000000"},
    {"modelarts", "max_jobs", "0", CONFIG_ERR_VALUE, "modelarts.max_jobs = 0: must be 1..1000000"},
    {"mqtt", "qos", "0", CONFIG_OK, NULL},
    {"mqtt", "qos", "2", CONFIG_OK, NULL},
    {"mqtt", "qos", "3", CONFIG_ERR_VALUE, "mqtt.qos = 3: must be 0..2"},
    {"mqtt", "keepalive", "4", CONFIG_ERR_VALUE, "mqtt.keepalive = 4: must be 5..3600"},
    {"mqtt", "keepalive", "5", CONFIG_OK, NULL},
    {"mqtt", "keepalive", "3600", CONFIG_OK, NULL},
    {"mqtt", "keepalive", "3601", CONFIG_ERR_VALUE, "mqtt.keepalive = 3601: must be 5..3600"},
    {"modelarts", "order", "desc", CONFIG_OK, NULL},
    {"modelarts", "order", "DESC", CONFIG_ERR_VALUE,
     "modelarts.order = DESC: must be one of asc, desc"},
    {"modelarts", "sort_by", "job_name", CONFIG_OK, NULL},
    {"modelarts", "sort_by", "job_desc", CONFIG_OK, NULL},
    {"modelarts", "sort_by", "status", CONFIG_OK, NULL},
    {"modelarts", "sort_by", "duration", CONFIG_OK, NULL},
    {"modelarts", "sort_by", "version_count", CONFIG_OK, NULL},
    {"modelarts", "sort_by", "create_time", CONFIG_OK, NULL},
    {"modelarts", "sort_by", "size", CONFIG_ERR_VALUE,
     "modelarts.sort_by = size: must be one of job_name, job_desc, status, duration, "
     "version_count, create_time"},
    {"modelarts", "status", "0", CONFIG_OK, NULL},
    {"modelarts", "status", "255", CONFIG_OK, NULL},
    {"modelarts", "status", "256", CONFIG_ERR_VALUE,
     "modelarts.status = 256: must be empty, a status code 0..255 (api v1) or phase names such "
     "as Running,Pending (api v2)"},
    {"modelarts", "status", "RUNNING", CONFIG_ERR_VALUE,
     "modelarts.status = RUNNING: must be empty, a status code 0..255 (api v1) or phase names "
     "such as Running,Pending (api v2)"},
    {"modelarts", "status", "Running", CONFIG_OK, NULL},
    {"modelarts", "status", " Running , Pending,Abnormal", CONFIG_OK, NULL},
    {"modelarts", "status", "Running,Running", CONFIG_ERR_VALUE,
     "modelarts.status = Running,Running: must be empty, a status code 0..255 (api v1) or phase "
     "names such as Running,Pending (api v2)"},
    {"modelarts", "status", "Running,", CONFIG_ERR_VALUE,
     "modelarts.status = Running,: must be empty, a status code 0..255 (api v1) or phase names "
     "such as Running,Pending (api v2)"},
    {"modelarts", "api", "v1", CONFIG_OK, NULL},
    {"modelarts", "api", "v2", CONFIG_OK, NULL},
    {"modelarts", "api", "v3", CONFIG_ERR_VALUE, "modelarts.api = v3: must be one of v1, v2"},
    {"modelarts", "insecure", "true", CONFIG_OK, NULL},
    {"modelarts", "insecure", "No", CONFIG_OK, NULL},
    {"modelarts", "insecure", "maybe", CONFIG_ERR_VALUE,
     "modelarts.insecure = maybe: must be true or false"},
    {"homeassistant", "discovery", "on", CONFIG_OK, NULL},
    {"homeassistant", "discovery", "2", CONFIG_ERR_VALUE,
     "homeassistant.discovery = 2: must be true or false"},
    {"homeassistant", "per_job_entities", "yes", CONFIG_OK, NULL},
    {"homeassistant", "per_job_entities", "all", CONFIG_ERR_VALUE,
     "homeassistant.per_job_entities = all: must be true or false"},
    {"mqtt", "protocol", "3.1.1", CONFIG_OK, NULL},
    {"mqtt", "protocol", "5", CONFIG_OK, NULL},
    {"mqtt", "protocol", "3.1", CONFIG_ERR_VALUE, "mqtt.protocol = 3.1: must be one of 3.1.1, 5"},
    {"mqtt", "protocol", "5.0", CONFIG_ERR_VALUE, "mqtt.protocol = 5.0: must be one of 3.1.1, 5"},
    {"mqtt", "protocol", "v5", CONFIG_ERR_VALUE, "mqtt.protocol = v5: must be one of 3.1.1, 5"},
    {"mqtt", "message_expiry", "0", CONFIG_OK, NULL},
    {"mqtt", "message_expiry", "31536000", CONFIG_OK, NULL},
    {"mqtt", "message_expiry", "31536001", CONFIG_ERR_VALUE,
     "mqtt.message_expiry = 31536001: must be 0..31536000"},
    {"mqtt", "message_expiry", "-1", CONFIG_ERR_VALUE,
     "mqtt.message_expiry = -1: must be 0..31536000"},
    {"modelarts", "auth", "token", CONFIG_OK, NULL},
    {"modelarts", "auth", "aksk", CONFIG_OK, NULL}, /* refused later, by config_finish */
    {"modelarts", "auth", "oauth", CONFIG_ERR_VALUE,
     "modelarts.auth = oauth: must be token, aksk or password"},
    {"modelarts", "endpoint", "https://example.com", CONFIG_OK, NULL},
    {"modelarts", "endpoint", "https://example.com:8443", CONFIG_OK, NULL},
    {"modelarts", "endpoint", "https://example.com/", CONFIG_OK, NULL},
    {"modelarts", "endpoint", "HTTPS://example.com", CONFIG_OK, NULL},
    {"modelarts", "endpoint", "http://example.com", CONFIG_ERR_VALUE,
     "modelarts.endpoint = http://example.com: must be https://host[:port]: plain http is "
     "refused"},
    {"modelarts", "endpoint", "https://example.com/v1", CONFIG_ERR_VALUE,
     "modelarts.endpoint = https://example.com/v1: must be https://host[:port] (no path)"},
    {"modelarts", "endpoint", "https://example.com:0", CONFIG_ERR_VALUE,
     "modelarts.endpoint = https://example.com:0: must be https://host[:port] (no path)"},
    {"modelarts", "endpoint", "https://example.com:65536", CONFIG_ERR_VALUE,
     "modelarts.endpoint = https://example.com:65536: must be https://host[:port] (no path)"},
    {"modelarts", "endpoint", "https://user@example.com", CONFIG_ERR_VALUE,
     "modelarts.endpoint = https://user@example.com: must be https://host[:port] (no path)"},
    {"modelarts", "endpoint", "https://", CONFIG_ERR_VALUE,
     "modelarts.endpoint = https://: must be https://host[:port] (no path)"},
    {"modelarts", "endpoint", "example.com", CONFIG_ERR_VALUE,
     "modelarts.endpoint = example.com: must be https://host[:port] (no path)"},
    {"mqtt", "uri", "tcp://broker:1883", CONFIG_OK, NULL},
    {"mqtt", "uri", "ssl://broker:8883", CONFIG_OK, NULL},
    {"mqtt", "uri", "mqtt://broker", CONFIG_OK, NULL},
    {"mqtt", "uri", "mqtts://broker:8883", CONFIG_OK, NULL},
    {"mqtt", "uri", "tcp://[::1]:1883", CONFIG_OK, NULL},
    {"mqtt", "uri", "ws://broker:80", CONFIG_ERR_VALUE,
     "mqtt.uri = ws://broker:80: must be tcp://host[:port], ssl://host[:port], "
     "mqtt://host[:port] or mqtts://host[:port]"},
    {"mqtt", "uri", "broker:1883", CONFIG_ERR_VALUE,
     "mqtt.uri = broker:1883: must be tcp://host[:port], ssl://host[:port], "
     "mqtt://host[:port] or mqtts://host[:port]"},
    {"mqtt", "uri", "tcp://broker:1883/x", CONFIG_ERR_VALUE,
     "mqtt.uri = tcp://broker:1883/x: must be tcp://host[:port], ssl://host[:port], "
     "mqtt://host[:port] or mqtts://host[:port]"},
    {"modelarts", "project_id", "0123456789abcdef_-AZ", CONFIG_OK, NULL},
    {"modelarts", "project_id", "a/b", CONFIG_ERR_VALUE,
     "modelarts.project_id = a/b: must be 1..64 characters of A-Z a-z 0-9 _ -"},
    {"modelarts", "project_id", "a b", CONFIG_ERR_VALUE,
     "modelarts.project_id = a b: must be 1..64 characters of A-Z a-z 0-9 _ -"},
    {"mqtt", "agent_id", "gw-01_a", CONFIG_OK, NULL},
    {"mqtt", "agent_id", "gw.01", CONFIG_ERR_VALUE,
     "mqtt.agent_id = gw.01: must be 1..64 characters of A-Z a-z 0-9 _ -"},
    {"mqtt", "base_topic", "site/a/modelarts", CONFIG_OK, NULL},
    {"mqtt", "base_topic", "a/+", CONFIG_ERR_VALUE,
     "mqtt.base_topic = a/+: must be 1..128 bytes of UTF-8 without + or # and without a "
     "leading or trailing /"},
    {"mqtt", "base_topic", "a/#", CONFIG_ERR_VALUE,
     "mqtt.base_topic = a/#: must be 1..128 bytes of UTF-8 without + or # and without a "
     "leading or trailing /"},
    {"mqtt", "base_topic", "/a", CONFIG_ERR_VALUE,
     "mqtt.base_topic = /a: must be 1..128 bytes of UTF-8 without + or # and without a "
     "leading or trailing /"},
    {"mqtt", "base_topic", "a/", CONFIG_ERR_VALUE,
     "mqtt.base_topic = a/: must be 1..128 bytes of UTF-8 without + or # and without a "
     "leading or trailing /"},
    {"homeassistant", "prefix", "ha+", CONFIG_ERR_VALUE,
     "homeassistant.prefix = ha+: must be 1..128 bytes of UTF-8 without + or # and without a "
     "leading or trailing /"},
    {"modelarts", "search_content", "resnet 50", CONFIG_OK, NULL},
    {"modelarts", "search_content", "\xff", CONFIG_ERR_VALUE,
     "modelarts.search_content = \xff: must be 0..64 characters of UTF-8 text"},
    {"modelarts", "search_content", "a\tb", CONFIG_ERR_VALUE,
     "modelarts.search_content = a?b: must be 0..64 characters of UTF-8 text"},
    {"modelarts", "workspace_id", "0", CONFIG_OK, NULL},
    {"mqtt", "client_id", "gateway one", CONFIG_OK, NULL},
    {"mqtt", "client_id", "a\x01", CONFIG_ERR_VALUE,
     "mqtt.client_id = a?: must be UTF-8 text without control characters"},
};

static void each_value_is_checked_against_its_range(void **state)
{
    static config_t c;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof value_cases / sizeof value_cases[0]; i++) {
        const value_case_t *vc = &value_cases[i];
        config_status_t st;
        config_defaults(&c);
        err[0] = '\0';
        st = config_set(&c, vc->section, vc->key, vc->value, NULL, err, sizeof err);
        if (st != vc->expect) {
            fail_msg("%s.%s = %s: got %d, expected %d (%s)", vc->section, vc->key, vc->value, st,
                     vc->expect, err);
        }
        if (vc->message != NULL) {
            assert_string_equal(err, vc->message);
        }
    }
}

static void accepted_numbers_are_stored(void **state)
{
    static config_t c;
    (void)state;
    config_defaults(&c);
    assert_int_equal(config_set(&c, "modelarts", "per_page", "1000", NULL, err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(config_set(&c, "mqtt", "qos", "2", NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_set(&c, "modelarts", "insecure", "YES", NULL, err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(c.per_page, 1000);
    assert_int_equal(c.qos, 2);
    assert_int_equal(c.insecure, 1);
}

static void a_rejected_value_leaves_the_previous_one(void **state)
{
    static config_t c;
    (void)state;
    config_defaults(&c);
    assert_int_equal(config_set(&c, "modelarts", "per_page", "7", NULL, err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(config_set(&c, "modelarts", "per_page", "0", NULL, err, sizeof err),
                     CONFIG_ERR_VALUE);
    assert_int_equal(c.per_page, 7);
}

static void status_is_normalised(void **state)
{
    static config_t c;
    (void)state;
    config_defaults(&c);
    assert_int_equal(config_set(&c, "modelarts", "status", "007", NULL, err, sizeof err),
                     CONFIG_OK);
    assert_string_equal(c.status, "7");
}

static void search_content_counts_characters_not_bytes(void **state)
{
    static config_t c;
    char text[CONFIG_SEARCH_MAX + 8];
    size_t i;
    (void)state;
    config_defaults(&c);
    /* 64 three-byte characters (U+4E2D) fit; a 65th does not. */
    for (i = 0; i < 64; i++) {
        memcpy(text + 3 * i, "\xe4\xb8\xad", 3);
    }
    text[3 * 64] = '\0';
    assert_int_equal(config_set(&c, "modelarts", "search_content", text, NULL, err, sizeof err),
                     CONFIG_OK);
    assert_string_equal(c.search_content, text);
    memcpy(text + 3 * 64, "x", 2);
    assert_int_equal(config_set(&c, "modelarts", "search_content", text, NULL, err, sizeof err),
                     CONFIG_ERR_VALUE);
    /* An overlong encoding, a surrogate and a truncated sequence are not UTF-8. */
    assert_int_equal(
        config_set(&c, "modelarts", "search_content", "\xc0\xaf", NULL, err, sizeof err),
        CONFIG_ERR_VALUE);
    assert_int_equal(
        config_set(&c, "modelarts", "search_content", "\xed\xa0\x80", NULL, err, sizeof err),
        CONFIG_ERR_VALUE);
    assert_int_equal(
        config_set(&c, "modelarts", "search_content", "a\xe4\xb8", NULL, err, sizeof err),
        CONFIG_ERR_VALUE);
}

static void ids_are_limited_to_64_characters(void **state)
{
    static config_t c;
    char id[80];
    (void)state;
    config_defaults(&c);
    memset(id, 'a', 64);
    id[64] = '\0';
    assert_int_equal(config_set(&c, "mqtt", "agent_id", id, NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_set(&c, "modelarts", "project_id", id, NULL, err, sizeof err),
                     CONFIG_OK);
    id[64] = 'a';
    id[65] = '\0';
    assert_int_equal(config_set(&c, "mqtt", "agent_id", id, NULL, err, sizeof err),
                     CONFIG_ERR_VALUE);
    assert_int_equal(config_set(&c, "modelarts", "project_id", id, NULL, err, sizeof err),
                     CONFIG_ERR_VALUE);
}

static void an_empty_value_restores_the_default(void **state)
{
    static config_t c;
    (void)state;
    config_defaults(&c);
    assert_int_equal(config_set(&c, "modelarts", "per_page", "5", NULL, err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(config_set(&c, "mqtt", "base_topic", "x", NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_set(&c, "modelarts", "status", "3", NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_set(&c, "modelarts", "per_page", "", NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_set(&c, "mqtt", "base_topic", "", NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_set(&c, "modelarts", "status", "", NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(c.per_page, 100);
    assert_string_equal(c.base_topic, "modelarts");
    assert_string_equal(c.status, "");
}

static void the_origin_is_named_in_the_message(void **state)
{
    static config_t c;
    (void)state;
    config_defaults(&c);
    assert_int_equal(
        config_set(&c, "modelarts", "per_page", "0", "/x.conf line 4", err, sizeof err),
        CONFIG_ERR_VALUE);
    assert_string_equal(err, "modelarts.per_page = 0: must be 1..1000 (/x.conf line 4)");
}

static void long_values_are_shortened_in_messages(void **state)
{
    static config_t c;
    char value[300];
    (void)state;
    config_defaults(&c);
    memset(value, 'z', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    assert_int_equal(config_set(&c, "mqtt", "client_id", value, NULL, err, sizeof err),
                     CONFIG_ERR_VALUE);
    assert_true(strlen(err) < 200);
    assert_non_null(strstr(err, "zzz...: must be at most 255 bytes"));
}

/* ---- secrets -------------------------------------------------------------------------------- */

static void secrets_are_never_echoed(void **state)
{
    static const char *const secrets[][2] = {
        {"modelarts", "token"},    {"modelarts", "ak"},  {"modelarts", "sk"},
        {"modelarts", "password"}, {"mqtt", "password"},
    };
    static config_t c;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        char expected[128];
        config_defaults(&c);
        /* A control character is refused by every secret key. */
        assert_int_equal(
            config_set(&c, secrets[i][0], secrets[i][1], "SECRET\nVALUE", "--set", err, sizeof err),
            CONFIG_ERR_VALUE);
        assert_null(strstr(err, "SECRET"));
        snprintf(expected, sizeof expected, "%s.%s = (hidden): ", secrets[i][0], secrets[i][1]);
        assert_memory_equal(err, expected, strlen(expected));
    }
}

static void a_token_cannot_break_the_http_header(void **state)
{
    static config_t c;
    (void)state;
    config_defaults(&c);
    assert_int_equal(config_set(&c, "modelarts", "token", "abc def", NULL, err, sizeof err),
                     CONFIG_ERR_VALUE);
    assert_int_equal(
        config_set(&c, "modelarts", "token", "abc\r\nX-Evil: 1", NULL, err, sizeof err),
        CONFIG_ERR_VALUE);
    assert_int_equal(config_set(&c, "modelarts", "token", "MIIaB+/=_-.", NULL, err, sizeof err),
                     CONFIG_OK);
}

static void a_set_argument_is_never_echoed_when_malformed(void **state)
{
    static config_t c;
    (void)state;
    config_defaults(&c);
    assert_int_equal(config_set_arg(&c, "modelarts.token:SECRET", err, sizeof err),
                     CONFIG_ERR_USAGE);
    assert_null(strstr(err, "SECRET"));
    assert_int_equal(config_set_arg(&c, "tokenSECRET=1", err, sizeof err), CONFIG_ERR_USAGE);
    assert_null(strstr(err, "SECRET"));
}

/* ---- unknown keys and --set ------------------------------------------------------------------ */

static void unknown_sections_and_keys_are_errors(void **state)
{
    static config_t c;
    (void)state;
    config_defaults(&c);
    assert_int_equal(config_set(&c, "mqtt", "host", "x", "f line 2", err, sizeof err),
                     CONFIG_ERR_UNKNOWN);
    assert_string_equal(err, "unknown key mqtt.host (f line 2)");
    assert_int_equal(config_set(&c, "broker", "uri", "x", "f line 9", err, sizeof err),
                     CONFIG_ERR_UNKNOWN);
    assert_string_equal(err, "unknown section [broker] (f line 9)");
    assert_int_equal(config_set(&c, "", "uri", "x", "f line 1", err, sizeof err),
                     CONFIG_ERR_UNKNOWN);
    assert_string_equal(err, "key \"uri\" outside any section (f line 1)");
    /* Names are case-sensitive, as documented. */
    assert_int_equal(config_set(&c, "MQTT", "uri", "tcp://a", NULL, err, sizeof err),
                     CONFIG_ERR_UNKNOWN);
}

static void set_arguments_override_any_key(void **state)
{
    static config_t c;
    (void)state;
    config_defaults(&c);
    assert_int_equal(config_set_arg(&c, "modelarts.per_page=1000", err, sizeof err), CONFIG_OK);
    assert_int_equal(c.per_page, 1000);
    assert_int_equal(config_set_arg(&c, "mqtt.uri=ssl://b:8883", err, sizeof err), CONFIG_OK);
    assert_string_equal(c.mqtt_uri, "ssl://b:8883");
    /* The value may hold '=' and '.'. */
    assert_int_equal(config_set_arg(&c, "modelarts.token=a.b=c", err, sizeof err), CONFIG_OK);
    assert_string_equal(c.token, "a.b=c");
    assert_int_equal(config_set_arg(&c, "modelarts.per_page=0", err, sizeof err), CONFIG_ERR_VALUE);
    assert_string_equal(err, "modelarts.per_page = 0: must be 1..1000 (--set)");
    assert_int_equal(config_set_arg(&c, "modelarts.nope=1", err, sizeof err), CONFIG_ERR_UNKNOWN);
}

static void malformed_set_arguments_are_usage_errors(void **state)
{
    static const char *const bad[] = {"per_page=5", ".per_page=5", "modelarts.=5",
                                      "modelarts.per_page", ""};
    static config_t c;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        config_defaults(&c);
        assert_int_equal(config_set_arg(&c, bad[i], err, sizeof err), CONFIG_ERR_USAGE);
    }
}

/* ---- config_finish ----------------------------------------------------------------------------
 */

static void finish_derives_host_port_and_ids(void **state)
{
    static config_t c;
    char host[256];
    char expected[80];
    size_t i;
    (void)state;
    minimal(&c);
    assert_int_equal(config_set(&c, "modelarts", "endpoint", "https://api.example.com:8443/", NULL,
                                err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(config_finish(&c, err, sizeof err), CONFIG_OK);
    assert_string_equal(c.api_host, "api.example.com");
    assert_int_equal(c.api_port, 8443);
    assert_int_equal(c.mqtt_tls, 0);

    /* agent_id: the host name with every other character replaced by '_'. */
    assert_int_equal(gethostname(host, sizeof host), 0);
    host[sizeof host - 1] = '\0';
    for (i = 0; host[i] != '\0' && i < 64; i++) {
        char ch = host[i];
        int keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                   (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
        expected[i] = keep ? ch : '_';
    }
    expected[i] = '\0';
    assert_string_equal(c.agent_id, expected);
    snprintf(host, sizeof host, "modelarts2mqtt-%s", expected);
    assert_string_equal(c.client_id, host);
}

static void finish_keeps_configured_ids_and_default_port(void **state)
{
    static config_t c;
    (void)state;
    minimal(&c);
    assert_int_equal(config_set(&c, "mqtt", "agent_id", "gw7", NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_set(&c, "mqtt", "uri", "mqtts://b:8883", NULL, err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(config_set(&c, "mqtt", "ca_file", ca_path, NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_finish(&c, err, sizeof err), CONFIG_OK);
    assert_string_equal(c.agent_id, "gw7");
    assert_string_equal(c.client_id, "modelarts2mqtt-gw7");
    assert_string_equal(c.api_host, "modelarts.cn-north-4.myhuaweicloud.com");
    assert_int_equal(c.api_port, 443);
    assert_int_equal(c.mqtt_tls, 1);
}

static void phase_names_are_normalised(void **state)
{
    static config_t c;
    (void)state;
    config_defaults(&c);
    assert_string_equal(c.api, "v1");
    assert_int_equal(
        config_set(&c, "modelarts", "status", " Running , Pending", NULL, err, sizeof err),
        CONFIG_OK);
    assert_string_equal(c.status, "Running,Pending");
}

static void finish_holds_status_and_sort_by_to_the_api(void **state)
{
    static config_t c;
    (void)state;
    minimal(&c);
    assert_int_equal(config_set(&c, "modelarts", "status", "Running", NULL, err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(config_finish(&c, err, sizeof err), CONFIG_ERR_VALUE);
    assert_string_equal(err, "modelarts.status = Running: api v1 filters by a status code 0..255");
    assert_int_equal(config_set(&c, "modelarts", "api", "v2", NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_finish(&c, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_set(&c, "modelarts", "status", "8", NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_finish(&c, err, sizeof err), CONFIG_ERR_VALUE);
    assert_non_null(strstr(err, "modelarts.status = 8: api v2 filters by phase names"));
    assert_int_equal(config_set(&c, "modelarts", "status", "", NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_set(&c, "modelarts", "sort_by", "status", NULL, err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(config_finish(&c, err, sizeof err), CONFIG_ERR_VALUE);
    assert_string_equal(err, "modelarts.sort_by = status: the v2 list sorts by create_time only");
}

static void finish_requires_project_and_token(void **state)
{
    static config_t c;
    (void)state;
    config_defaults(&c);
    assert_int_equal(config_finish(&c, err, sizeof err), CONFIG_ERR_MISSING);
    assert_string_equal(err, "modelarts.project_id is required");
    config_defaults(&c);
    assert_int_equal(config_set(&c, "modelarts", "project_id", "p", NULL, err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(config_finish(&c, err, sizeof err), CONFIG_ERR_MISSING);
    assert_non_null(strstr(err, "modelarts.token is required with auth = token"));
}

static void finish_requires_ak_and_sk_with_aksk_auth(void **state)
{
    static config_t c;
    (void)state;
    minimal(&c);
    assert_int_equal(config_set(&c, "modelarts", "auth", "aksk", NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_set(&c, "modelarts", "ak", "AK0001", NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_finish(&c, err, sizeof err), CONFIG_ERR_MISSING);
    assert_non_null(strstr(err, "modelarts.ak and modelarts.sk are required with auth = aksk"));
    assert_int_equal(config_set(&c, "modelarts", "sk", "SECRETSK", NULL, err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(config_finish(&c, err, sizeof err), CONFIG_OK);
    assert_null(strstr(err, "SECRETSK"));
}

static void finish_requires_user_domain_and_password_with_password_auth(void **state)
{
    static const char *const keys[] = {"user", "domain", "password"};
    static config_t c;
    size_t missing;
    (void)state;
    for (missing = 0; missing < 3; missing++) {
        size_t i;
        minimal(&c);
        assert_int_equal(config_set(&c, "modelarts", "auth", "password", NULL, err, sizeof err),
                         CONFIG_OK);
        for (i = 0; i < 3; i++) {
            if (i != missing) {
                assert_int_equal(
                    config_set(&c, "modelarts", keys[i], "PW-secret-1", NULL, err, sizeof err),
                    CONFIG_OK);
            }
        }
        assert_int_equal(config_finish(&c, err, sizeof err), CONFIG_ERR_MISSING);
        assert_non_null(strstr(err, "modelarts.user, modelarts.domain and modelarts.password "
                                    "are required with auth = password"));
        assert_null(strstr(err, "PW-secret-1"));
    }
}

static void finish_splits_the_iam_endpoint_into_host_and_port(void **state)
{
    static config_t c;
    (void)state;
    minimal(&c);
    assert_int_equal(config_set(&c, "modelarts", "auth", "password", NULL, err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(config_set(&c, "modelarts", "user", "u", NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_set(&c, "modelarts", "domain", "d", NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_set(&c, "modelarts", "password", "p", NULL, err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(config_finish(&c, err, sizeof err), CONFIG_OK);
    assert_string_equal(c.iam_host, "iam.cn-north-4.myhuaweicloud.com");
    assert_int_equal(c.iam_port, 443);
    assert_int_equal(config_set(&c, "modelarts", "iam_endpoint", "https://localhost:8443", NULL,
                                err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(config_finish(&c, err, sizeof err), CONFIG_OK);
    assert_string_equal(c.iam_host, "localhost");
    assert_int_equal(c.iam_port, 8443);
}

static void secret_keys_are_known_as_secret(void **state)
{
    (void)state;
    assert_true(config_key_is_secret("modelarts", "token"));
    assert_true(config_key_is_secret("modelarts", "sk"));
    assert_true(config_key_is_secret("modelarts", "security_token"));
    assert_true(config_key_is_secret("modelarts", "password"));
    assert_true(config_key_is_secret("mqtt", "password"));
    assert_false(config_key_is_secret("modelarts", "user"));
    assert_false(config_key_is_secret("mqtt", "username"));
    assert_false(config_key_is_secret("nosuch", "token"));
}

static void finish_names_an_unreadable_ca_file(void **state)
{
    static config_t c;
    (void)state;
    minimal(&c);
    assert_int_equal(
        config_set(&c, "modelarts", "ca_file", "/nonexistent/ca.pem", NULL, err, sizeof err),
        CONFIG_OK);
    assert_int_equal(config_finish(&c, err, sizeof err), CONFIG_ERR_FILE);
    assert_non_null(strstr(err, "modelarts.ca_file = /nonexistent/ca.pem: cannot read"));

    /* insecure = true does not read the file at all. */
    assert_int_equal(config_set(&c, "modelarts", "insecure", "true", NULL, err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(config_finish(&c, err, sizeof err), CONFIG_OK);

    minimal(&c);
    assert_int_equal(config_set(&c, "mqtt", "uri", "ssl://b:8883", NULL, err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(
        config_set(&c, "mqtt", "ca_file", "/nonexistent/broker.pem", NULL, err, sizeof err),
        CONFIG_OK);
    assert_int_equal(config_finish(&c, err, sizeof err), CONFIG_ERR_FILE);
    assert_non_null(strstr(err, "mqtt.ca_file = /nonexistent/broker.pem: cannot read"));
}

static void finish_refuses_topics_that_do_not_fit(void **state)
{
    static config_t c;
    char topic[CONFIG_TOPIC_MAX];
    char id[CONFIG_ID_MAX];
    (void)state;
    minimal(&c);
    memset(topic, 't', sizeof topic - 1);
    topic[sizeof topic - 1] = '\0';
    memset(id, 'i', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    assert_int_equal(config_set(&c, "mqtt", "base_topic", topic, NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_set(&c, "mqtt", "agent_id", id, NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_finish(&c, err, sizeof err), CONFIG_ERR_VALUE);
    assert_non_null(strstr(err, "make topics of"));
}

/* A job topic is republished at polls: its expiry must span several. */
static void finish_refuses_a_message_expiry_shorter_than_four_polls(void **state)
{
    static const struct {
        const char *protocol;
        const char *expiry;
        const char *poll;
        config_status_t expect;
    } cases[] = {
        {"5", "119", "30", CONFIG_ERR_VALUE},
        {"5", "120", "30", CONFIG_OK},
        {"5", "0", "86400", CONFIG_OK},
        {"5", "604800", "86400", CONFIG_OK},
        {"5", "300000", "86400", CONFIG_ERR_VALUE},
        /* MQTT 3.1.1 has no expiry: the key is not used. */
        {"3.1.1", "1", "30", CONFIG_OK},
    };
    static config_t c;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        minimal(&c);
        assert_int_equal(
            config_set(&c, "mqtt", "protocol", cases[i].protocol, NULL, err, sizeof err),
            CONFIG_OK);
        assert_int_equal(
            config_set(&c, "mqtt", "message_expiry", cases[i].expiry, NULL, err, sizeof err),
            CONFIG_OK);
        assert_int_equal(
            config_set(&c, "modelarts", "poll_interval", cases[i].poll, NULL, err, sizeof err),
            CONFIG_OK);
        assert_int_equal(config_finish(&c, err, sizeof err), cases[i].expect);
    }
    minimal(&c);
    assert_int_equal(config_set(&c, "mqtt", "protocol", "5", NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_set(&c, "mqtt", "message_expiry", "60", NULL, err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(config_finish(&c, err, sizeof err), CONFIG_ERR_VALUE);
    assert_string_equal(err, "mqtt.message_expiry = 60: must be 0 or at least 4 x "
                             "modelarts.poll_interval (120 s)");
}

/* ---- environment and precedence ----------------------------------------------------------------
 */

static void environment_beats_the_file_and_set_beats_both(void **state)
{
    static config_t c;
    static const char text[] = "[modelarts]\nproject_id = p1\ntoken = from-file\n"
                               "[mqtt]\npassword = file-pw\n";
    char conf[64];
    char ca_set[96];
    const char *sets[2];
    (void)state;
    snprintf(conf, sizeof conf, "%s", temp_file(text, sizeof text - 1));
    snprintf(ca_set, sizeof ca_set, "modelarts.ca_file=%s", ca_path);
    sets[0] = ca_set;

    assert_int_equal(config_load(&c, conf, sets, 1, err, sizeof err), CONFIG_OK);
    assert_string_equal(c.token, "from-file");
    assert_string_equal(c.mqtt_password, "file-pw");

    setenv("MODELARTS_TOKEN", "from-env", 1);
    setenv("MQTT_PASSWORD", "env-pw", 1);
    assert_int_equal(config_load(&c, conf, sets, 1, err, sizeof err), CONFIG_OK);
    assert_string_equal(c.token, "from-env");
    assert_string_equal(c.mqtt_password, "env-pw");

    sets[1] = "modelarts.token=from-set";
    assert_int_equal(config_load(&c, conf, sets, 2, err, sizeof err), CONFIG_OK);
    assert_string_equal(c.token, "from-set");
    assert_string_equal(c.mqtt_password, "env-pw");

    /* An empty variable changes nothing. */
    setenv("MODELARTS_TOKEN", "", 1);
    assert_int_equal(config_load(&c, conf, sets, 1, err, sizeof err), CONFIG_OK);
    assert_string_equal(c.token, "from-file");
    unlink(conf);
}

static void every_secret_has_its_variable(void **state)
{
    static config_t c;
    (void)state;
    setenv("MODELARTS_TOKEN", "t1", 1);
    setenv("MODELARTS_AK", "ak1", 1);
    setenv("MODELARTS_SK", "sk1", 1);
    setenv("MODELARTS_PASSWORD", "pw1", 1);
    setenv("MQTT_PASSWORD", "mpw1", 1);
    config_defaults(&c);
    assert_int_equal(config_apply_env(&c, err, sizeof err), CONFIG_OK);
    assert_string_equal(c.token, "t1");
    assert_string_equal(c.ak, "ak1");
    assert_string_equal(c.sk, "sk1");
    assert_string_equal(c.password, "pw1");
    assert_string_equal(c.mqtt_password, "mpw1");
    clear_env();
}

static void a_bad_environment_secret_is_hidden_and_named(void **state)
{
    static config_t c;
    (void)state;
    setenv("MODELARTS_TOKEN", "has space", 1);
    config_defaults(&c);
    assert_int_equal(config_apply_env(&c, err, sizeof err), CONFIG_ERR_VALUE);
    assert_null(strstr(err, "has space"));
    assert_non_null(strstr(err, "modelarts.token = (hidden)"));
    assert_non_null(strstr(err, "(environment MODELARTS_TOKEN)"));
    clear_env();
}

/* ---- the INI file -------------------------------------------------------------------------------
 */

static config_status_t read_text(config_t *c, const char *text, size_t len, char *path_out)
{
    config_status_t st;
    char *path = temp_file(text, len);
    strcpy(path_out, path);
    config_defaults(c);
    st = config_read_file(c, path, err, sizeof err);
    unlink(path);
    return st;
}

static void a_file_sets_every_kind_of_value(void **state)
{
    static config_t c;
    static const char text[] = "; comment\n# comment\n\n[modelarts]\n"
                               "endpoint = https://h.example:444\n"
                               "project_id=abc   ; inline comment\n"
                               "per_page = 20\nper_page = 30\n"
                               "search_content = a b\n"
                               "[mqtt]\nuri = ssl://b:8883\nqos = 0\n"
                               "[homeassistant]\ndiscovery = yes\n";
    char path[64];
    (void)state;
    assert_int_equal(read_text(&c, text, sizeof text - 1, path), CONFIG_OK);
    assert_string_equal(c.endpoint, "https://h.example:444");
    assert_string_equal(c.project_id, "abc");
    assert_int_equal(c.per_page, 30); /* the later line wins */
    assert_string_equal(c.search_content, "a b");
    assert_string_equal(c.mqtt_uri, "ssl://b:8883");
    assert_int_equal(c.qos, 0);
    assert_int_equal(c.discovery, 1);
}

static void an_unknown_key_names_the_file_and_line(void **state)
{
    static config_t c;
    static const char text[] = "[modelarts]\nproject_id = p\n\n[mqtt]\nbroker = x\n";
    char path[64];
    char expected[160];
    (void)state;
    assert_int_equal(read_text(&c, text, sizeof text - 1, path), CONFIG_ERR_UNKNOWN);
    snprintf(expected, sizeof expected, "unknown key mqtt.broker (%s line 5)", path);
    assert_string_equal(err, expected);
}

static void an_unknown_section_names_the_file_and_line(void **state)
{
    static config_t c;
    static const char text[] = "[modelarts]\nproject_id = p\n[extra]\nx = 1\n";
    char path[64];
    char expected[160];
    (void)state;
    assert_int_equal(read_text(&c, text, sizeof text - 1, path), CONFIG_ERR_UNKNOWN);
    snprintf(expected, sizeof expected, "unknown section [extra] (%s line 4)", path);
    assert_string_equal(err, expected);
}

static void a_bad_value_in_a_file_names_key_value_and_line(void **state)
{
    static config_t c;
    static const char text[] = "[modelarts]\nper_page = 0\n";
    char path[64];
    char expected[160];
    (void)state;
    assert_int_equal(read_text(&c, text, sizeof text - 1, path), CONFIG_ERR_VALUE);
    snprintf(expected, sizeof expected, "modelarts.per_page = 0: must be 1..1000 (%s line 2)",
             path);
    assert_string_equal(err, expected);
}

static void the_first_error_is_reported(void **state)
{
    static config_t c;
    static const char text[] = "[modelarts]\nper_page = 0\nnot a key line\n[mqtt]\nx = 1\n";
    char path[64];
    (void)state;
    assert_int_equal(read_text(&c, text, sizeof text - 1, path), CONFIG_ERR_VALUE);
    assert_non_null(strstr(err, "line 2)"));
}

static void a_line_that_is_not_ini_is_a_syntax_error(void **state)
{
    static config_t c;
    static const char text[] = "[modelarts]\nproject_id = p\nthis is not ini\n";
    char path[64];
    char expected[160];
    (void)state;
    assert_int_equal(read_text(&c, text, sizeof text - 1, path), CONFIG_ERR_SYNTAX);
    snprintf(expected, sizeof expected, "%s line 3: expected [section] or key = value", path);
    assert_string_equal(err, expected);
}

static void a_long_token_line_is_read_whole(void **state)
{
    static config_t c;
    static char text[CONFIG_TOKEN_MAX + 64];
    char path[64];
    size_t n;
    (void)state;
    n = (size_t)snprintf(text, sizeof text, "[modelarts]\ntoken = ");
    memset(text + n, 'T', CONFIG_TOKEN_MAX - 1);
    n += CONFIG_TOKEN_MAX - 1;
    text[n++] = '\n';
    assert_int_equal(read_text(&c, text, n, path), CONFIG_OK);
    assert_int_equal(strlen(c.token), CONFIG_TOKEN_MAX - 1);
    assert_int_equal(c.token[CONFIG_TOKEN_MAX - 2], 'T');
}

static void an_over_long_line_is_an_error_not_a_cut(void **state)
{
    static config_t c;
    static char text[CONFIG_LINE_MAX + 64];
    char path[64];
    size_t n;
    (void)state;
    n = (size_t)snprintf(text, sizeof text, "[modelarts]\nproject_id = p\ntoken = ");
    memset(text + n, 'T', CONFIG_LINE_MAX);
    n += CONFIG_LINE_MAX;
    memcpy(text + n, "\nper_page = 5\n", 14);
    n += 14;
    assert_int_equal(read_text(&c, text, n, path), CONFIG_ERR_SYNTAX);
    assert_non_null(strstr(err, "line 3: line longer than"));
    assert_string_equal(c.token, "");
}

static void a_token_one_byte_too_long_is_refused_hidden(void **state)
{
    static config_t c;
    static char text[CONFIG_TOKEN_MAX + 64];
    char path[64];
    size_t n;
    (void)state;
    n = (size_t)snprintf(text, sizeof text, "[modelarts]\ntoken = ");
    memset(text + n, 'T', CONFIG_TOKEN_MAX);
    n += CONFIG_TOKEN_MAX;
    assert_int_equal(read_text(&c, text, n, path), CONFIG_ERR_VALUE);
    assert_non_null(strstr(err, "modelarts.token = (hidden): must be at most 16383 bytes"));
    assert_null(strstr(err, "TTTT"));
}

static void a_nul_byte_is_an_error(void **state)
{
    static config_t c;
    static const char text[] = "[modelarts]\nproject_id = ab\0cd\n";
    char path[64];
    (void)state;
    assert_int_equal(read_text(&c, text, sizeof text - 1, path), CONFIG_ERR_SYNTAX);
    assert_non_null(strstr(err, "line 2: NUL byte"));
}

static void a_missing_file_is_named(void **state)
{
    static config_t c;
    (void)state;
    config_defaults(&c);
    assert_int_equal(config_read_file(&c, "/nonexistent/m2m.conf", err, sizeof err),
                     CONFIG_ERR_FILE);
    assert_string_equal(err, "cannot read /nonexistent/m2m.conf: No such file or directory");
}

static void indented_lines_are_not_continuations(void **state)
{
    static config_t c;
    static const char text[] = "[modelarts]\nproject_id = p\n  per_page = 9\n";
    char path[64];
    (void)state;
    assert_int_equal(read_text(&c, text, sizeof text - 1, path), CONFIG_OK);
    assert_string_equal(c.project_id, "p");
    assert_int_equal(c.per_page, 9);
}

/* ---- comparing two configurations (SIGHUP) ------------------------------------------------------
 */

static void differences_are_found_by_section_and_key(void **state)
{
    static config_t a;
    static config_t b;
    (void)state;
    minimal(&a);
    minimal(&b);
    assert_int_equal(config_section_differs(&a, &b, "mqtt"), 0);
    assert_int_equal(config_section_differs(&a, &b, "modelarts"), 0);
    assert_int_equal(config_set(&b, "mqtt", "keepalive", "60", NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_section_differs(&a, &b, "mqtt"), 1);
    assert_int_equal(config_section_differs(&a, &b, "modelarts"), 0);
    assert_int_equal(config_set(&b, "modelarts", "project_id", "p2", NULL, err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(config_key_differs(&a, &b, "modelarts", "project_id"), 1);
    assert_int_equal(config_key_differs(&a, &b, "modelarts", "per_page"), 0);
    assert_int_equal(config_key_differs(&a, &b, "modelarts", "no_such_key"), 0);
    /* A string compares by its text, not by bytes left behind a shorter value. */
    assert_int_equal(config_set(&a, "mqtt", "username", "longer-name", NULL, err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(config_set(&a, "mqtt", "username", "u", NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_set(&b, "mqtt", "username", "u", NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_key_differs(&a, &b, "mqtt", "username"), 0);
    /* The MQTT 5 settings are MQTT settings (a new session); per-job
     * entities are Home Assistant's. */
    minimal(&b);
    assert_int_equal(config_set(&b, "mqtt", "protocol", "5", NULL, err, sizeof err), CONFIG_OK);
    assert_int_equal(config_section_differs(&a, &b, "mqtt"), 1);
    minimal(&a);
    minimal(&b);
    assert_int_equal(
        config_set(&b, "homeassistant", "per_job_entities", "true", NULL, err, sizeof err),
        CONFIG_OK);
    assert_int_equal(config_section_differs(&a, &b, "homeassistant"), 1);
    assert_int_equal(config_section_differs(&a, &b, "mqtt"), 0);
}

static void every_status_has_a_message(void **state)
{
    config_status_t st;
    (void)state;
    for (st = CONFIG_ERR_USAGE; st <= CONFIG_OK; st++) {
        assert_string_not_equal(config_strerror(st), "unknown configuration status");
    }
    assert_string_equal(config_strerror((config_status_t)5), "unknown configuration status");
}

/* ---- several projects ------------------------------------------------------------------ */

typedef struct {
    const char *value;
    config_status_t st;
    const char *stored;  /* CONFIG_OK: what project_id holds */
    const char *message; /* otherwise: the error */
    size_t count;        /* CONFIG_OK: config_project_count() */
} project_list_case_t;

static const project_list_case_t project_lists[] = {
    {"p1", CONFIG_OK, "p1", NULL, 1},
    {"p1,p2", CONFIG_OK, "p1,p2", NULL, 2},
    {" p1 , p2 ,\tp3 ", CONFIG_OK, "p1,p2,p3", NULL, 3},
    {"p1,,p2", CONFIG_ERR_VALUE, NULL,
     "modelarts.project_id = p1,,p2: must be 1..64 characters of A-Z a-z 0-9 _ - (ids separated "
     "by commas)",
     0},
    {"p1,", CONFIG_ERR_VALUE, NULL,
     "modelarts.project_id = p1,: must be 1..64 characters of A-Z a-z 0-9 _ - (ids separated by "
     "commas)",
     0},
    {"p1 p2", CONFIG_ERR_VALUE, NULL,
     "modelarts.project_id = p1 p2: must be 1..64 characters of A-Z a-z 0-9 _ -", 0},
    {"a,b,a", CONFIG_ERR_VALUE, NULL, "modelarts.project_id = a,b,a: project a is listed twice", 0},
    {"a,ab", CONFIG_OK, "a,ab", NULL, 2},
};

static void project_id_lists_are_normalised_and_checked(void **state)
{
    static config_t c;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof project_lists / sizeof project_lists[0]; i++) {
        const project_list_case_t *pc = &project_lists[i];
        config_defaults(&c);
        err[0] = '\0';
        if (config_set(&c, "modelarts", "project_id", pc->value, NULL, err, sizeof err) != pc->st) {
            fail_msg("project_id = \"%s\": got %s", pc->value, err);
        }
        if (pc->st == CONFIG_OK) {
            assert_string_equal(c.project_id, pc->stored);
            assert_int_equal(config_project_count(&c), pc->count);
        } else {
            assert_string_equal(err, pc->message);
            assert_string_equal(c.project_id, ""); /* unchanged */
        }
    }
}

static void at_most_sixteen_projects_of_64_characters(void **state)
{
    static config_t c;
    char list[CONFIG_PROJECT_LIST_MAX + 80];
    size_t used = 0;
    int i;
    (void)state;
    config_defaults(&c);
    for (i = 0; i < CONFIG_PROJECTS_MAX; i++) {
        /* 64 characters each, distinct by their first two */
        used +=
            (size_t)snprintf(list + used, sizeof list - used, "%s%02d%062d", i ? "," : "", i, 0);
    }
    assert_int_equal(config_set(&c, "modelarts", "project_id", list, NULL, err, sizeof err),
                     CONFIG_OK);
    assert_int_equal(config_project_count(&c), CONFIG_PROJECTS_MAX);
    snprintf(list + used, sizeof list - used, ",x");
    assert_int_equal(config_set(&c, "modelarts", "project_id", list, NULL, err, sizeof err),
                     CONFIG_ERR_VALUE);
    assert_non_null(strstr(err, "at most 16 projects"));
}

/* Load text as a file (with the test's CA file) and every project. */
static config_status_t load_projects(const char *text, const char *const *sets, size_t n_sets,
                                     config_t *base, config_t *out, size_t cap)
{
    char body[2048];
    char *path;
    config_status_t st;
    snprintf(body, sizeof body, "%s\n[modelarts]\nca_file = %s\n", text, ca_path);
    path = temp_file(body, strlen(body));
    st = config_load(base, path, sets, n_sets, err, sizeof err);
    if (st == CONFIG_OK) {
        st = config_load_projects(out, cap, base, path, sets, n_sets, err, sizeof err);
    }
    unlink(path);
    return st;
}

static config_t base_config;
static config_t projects[CONFIG_PROJECTS_MAX];

static void a_section_inherits_every_key_and_overrides_some(void **state)
{
    /* The section comes first in the file: it still wins over [modelarts]. */
    static const char text[] = "[modelarts.lab]\nproject_id = lab1\ntoken = lab-token\n"
                               "per_page = 9\n"
                               "[modelarts]\nproject_id = p1, p2\ntoken = base-token\n"
                               "per_page = 7\nworkspace_id = ws\n";
    (void)state;
    assert_int_equal(load_projects(text, NULL, 0, &base_config, projects, CONFIG_PROJECTS_MAX),
                     CONFIG_OK);
    assert_int_equal(config_project_count(&base_config), 3);
    assert_string_equal(base_config.project_id, "p1,p2");
    assert_string_equal(projects[0].project_id, "p1");
    assert_string_equal(projects[1].project_id, "p2");
    assert_string_equal(projects[2].project_id, "lab1");
    assert_string_equal(projects[1].token, "base-token");
    assert_string_equal(projects[2].token, "lab-token");
    assert_int_equal(projects[1].per_page, 7);
    assert_int_equal(projects[2].per_page, 9);
    assert_string_equal(projects[2].workspace_id, "ws"); /* inherited */
    assert_int_equal(config_section_differs(&projects[0], &projects[2], "modelarts"), 1);
    assert_int_equal(config_section_differs(&projects[0], &projects[2], "mqtt"), 0);
}

static void a_section_key_beats_the_environment_and_set_names_the_section(void **state)
{
    static const char text[] = "[modelarts]\nproject_id = p1\n"
                               "[modelarts.lab]\nproject_id = lab1\ntoken = lab-token\n";
    /* --set splits at the last dot: section "modelarts.lab", key "per_page". */
    static const char *const sets[] = {"modelarts.lab.per_page=3", "modelarts.per_page=4",
                                       "modelarts.x.project_id=x1", "modelarts.x.token=x-token"};
    (void)state;
    setenv("MODELARTS_TOKEN", "env-token", 1);
    assert_int_equal(load_projects(text, sets, 4, &base_config, projects, CONFIG_PROJECTS_MAX),
                     CONFIG_OK);
    unsetenv("MODELARTS_TOKEN");
    assert_int_equal(config_project_count(&base_config), 3);
    assert_string_equal(projects[0].token, "env-token");
    assert_string_equal(projects[1].token, "lab-token");
    assert_int_equal(projects[0].per_page, 4);
    assert_int_equal(projects[1].per_page, 3);
    /* A section made by --set alone. */
    assert_string_equal(projects[2].project_id, "x1");
    assert_string_equal(projects[2].token, "x-token");
    assert_int_equal(projects[2].per_page, 4);
}

typedef struct {
    const char *name;
    const char *text;
    config_status_t st;
    const char *message; /* a part of the error */
} section_error_case_t;

static const section_error_case_t section_errors[] = {
    {"a project twice", "[modelarts]\nproject_id = p1\ntoken = t\n[modelarts.x]\nproject_id = p1\n",
     CONFIG_ERR_VALUE, "project p1 is configured twice"},
    {"two sections, one project",
     "[modelarts]\ntoken = t\n[modelarts.x]\nproject_id = q\n[modelarts.y]\nproject_id = q\n",
     CONFIG_ERR_VALUE, "project q is configured twice"},
    {"no project_id", "[modelarts]\nproject_id = p1\ntoken = t\n[modelarts.x]\ntoken = u\n",
     CONFIG_ERR_MISSING, "[modelarts.x] needs project_id: one id"},
    {"a list in a section", "[modelarts]\ntoken = t\n[modelarts.x]\nproject_id = a, b\n",
     CONFIG_ERR_VALUE, "[modelarts.x] needs project_id: one id"},
    {"no token",
     "[modelarts]\nproject_id = p1\ntoken = t\n[modelarts.x]\nproject_id = q\n"
     "token =\n",
     CONFIG_ERR_MISSING, "[modelarts.x]: modelarts.token is required"},
    {"a shared key", "[modelarts]\nproject_id = p1\ntoken = t\n[modelarts.x]\nca_file = /c\n",
     CONFIG_ERR_VALUE, "modelarts.x.ca_file: every project shares this key"},
    {"an unknown key", "[modelarts]\nproject_id = p1\ntoken = t\n[modelarts.x]\nuri = u\n",
     CONFIG_ERR_UNKNOWN, "unknown key modelarts.x.uri"},
    {"a bad name", "[modelarts]\nproject_id = p1\ntoken = t\n[modelarts.a/b]\nproject_id = q\n",
     CONFIG_ERR_UNKNOWN, "section [modelarts.a/b]: a project section is [modelarts.NAME]"},
    {"a bad value, hidden",
     "[modelarts]\nproject_id = p1\ntoken = t\n[modelarts.x]\n"
     "project_id = q\ntoken = a b\n",
     CONFIG_ERR_VALUE, "modelarts.x.token = (hidden): must be printable ASCII"},
    {"nothing at all", "[modelarts]\ntoken = t\n", CONFIG_ERR_MISSING,
     "modelarts.project_id is required"},
};

static void section_errors_are_specific(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof section_errors / sizeof section_errors[0]; i++) {
        const section_error_case_t *sc = &section_errors[i];
        config_status_t st =
            load_projects(sc->text, NULL, 0, &base_config, projects, CONFIG_PROJECTS_MAX);
        if (st != sc->st || strstr(err, sc->message) == NULL) {
            fail_msg("%s: got %d \"%s\", expected %d \"%s\"", sc->name, st, err, sc->st,
                     sc->message);
        }
    }
}

static void a_base_without_project_lends_its_keys_only(void **state)
{
    /* No token in [modelarts] and no project there: only the sections need one. */
    static const char text[] = "[modelarts.a]\nproject_id = pa\ntoken = ta\n"
                               "[modelarts.b]\nproject_id = pb\ntoken = tb\n";
    (void)state;
    assert_int_equal(load_projects(text, NULL, 0, &base_config, projects, CONFIG_PROJECTS_MAX),
                     CONFIG_OK);
    assert_int_equal(config_project_count(&base_config), 2);
    assert_string_equal(projects[0].token, "ta");
    assert_string_equal(projects[1].token, "tb");
    /* Fewer slots than projects: refused, not overrun. */
    assert_int_equal(load_projects(text, NULL, 0, &base_config, projects, 1), CONFIG_ERR_VALUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_match_the_documented_values),
        cmocka_unit_test(each_value_is_checked_against_its_range),
        cmocka_unit_test(accepted_numbers_are_stored),
        cmocka_unit_test(a_rejected_value_leaves_the_previous_one),
        cmocka_unit_test(status_is_normalised),
        cmocka_unit_test(search_content_counts_characters_not_bytes),
        cmocka_unit_test(ids_are_limited_to_64_characters),
        cmocka_unit_test(an_empty_value_restores_the_default),
        cmocka_unit_test(the_origin_is_named_in_the_message),
        cmocka_unit_test(long_values_are_shortened_in_messages),
        cmocka_unit_test(secrets_are_never_echoed),
        cmocka_unit_test(a_token_cannot_break_the_http_header),
        cmocka_unit_test(a_set_argument_is_never_echoed_when_malformed),
        cmocka_unit_test(unknown_sections_and_keys_are_errors),
        cmocka_unit_test(set_arguments_override_any_key),
        cmocka_unit_test(malformed_set_arguments_are_usage_errors),
        cmocka_unit_test(finish_derives_host_port_and_ids),
        cmocka_unit_test(phase_names_are_normalised),
        cmocka_unit_test(finish_holds_status_and_sort_by_to_the_api),
        cmocka_unit_test(finish_refuses_a_message_expiry_shorter_than_four_polls),
        cmocka_unit_test(finish_keeps_configured_ids_and_default_port),
        cmocka_unit_test(finish_requires_project_and_token),
        cmocka_unit_test(finish_requires_ak_and_sk_with_aksk_auth),
        cmocka_unit_test(finish_requires_user_domain_and_password_with_password_auth),
        cmocka_unit_test(finish_splits_the_iam_endpoint_into_host_and_port),
        cmocka_unit_test(secret_keys_are_known_as_secret),
        cmocka_unit_test(finish_names_an_unreadable_ca_file),
        cmocka_unit_test(finish_refuses_topics_that_do_not_fit),
        cmocka_unit_test(environment_beats_the_file_and_set_beats_both),
        cmocka_unit_test(every_secret_has_its_variable),
        cmocka_unit_test(a_bad_environment_secret_is_hidden_and_named),
        cmocka_unit_test(a_file_sets_every_kind_of_value),
        cmocka_unit_test(an_unknown_key_names_the_file_and_line),
        cmocka_unit_test(an_unknown_section_names_the_file_and_line),
        cmocka_unit_test(a_bad_value_in_a_file_names_key_value_and_line),
        cmocka_unit_test(the_first_error_is_reported),
        cmocka_unit_test(a_line_that_is_not_ini_is_a_syntax_error),
        cmocka_unit_test(a_long_token_line_is_read_whole),
        cmocka_unit_test(an_over_long_line_is_an_error_not_a_cut),
        cmocka_unit_test(a_token_one_byte_too_long_is_refused_hidden),
        cmocka_unit_test(a_nul_byte_is_an_error),
        cmocka_unit_test(a_missing_file_is_named),
        cmocka_unit_test(indented_lines_are_not_continuations),
        cmocka_unit_test(differences_are_found_by_section_and_key),
        cmocka_unit_test(every_status_has_a_message),
        cmocka_unit_test(project_id_lists_are_normalised_and_checked),
        cmocka_unit_test(at_most_sixteen_projects_of_64_characters),
        cmocka_unit_test(a_section_inherits_every_key_and_overrides_some),
        cmocka_unit_test(a_section_key_beats_the_environment_and_set_names_the_section),
        cmocka_unit_test(section_errors_are_specific),
        cmocka_unit_test(a_base_without_project_lends_its_keys_only),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

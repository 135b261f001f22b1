/* SPDX-License-Identifier: Apache-2.0 */
/* config_block.c - the configuration block in flash; see config_block.h. */
#include "config_block.h"

#include <string.h>

#include "decimal.h"
#include "strbuf.h"

/* ---- text to block ----------------------------------------------------------- */

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

long config_block_from_text(char *buf, size_t cap, size_t text_offset, size_t text_len)
{
    static const char format[] = "format=" CONFIG_BLOCK_FORMAT;
    static const char ca_key[] = "ca_pem=";
    size_t r = text_offset;
    size_t end = text_offset + text_len;
    size_t w;

    if (text_offset < 32 || end > cap || cap < sizeof format + 1) {
        return CONFIG_BLOCK_ERR_SPACE;
    }
    memcpy(buf, format, sizeof format); /* with its NUL */
    w = sizeof format;
    while (r < end) {
        size_t line_end = r;
        size_t kb;
        size_t ke;
        size_t vb;
        size_t ve;
        size_t eq;

        while (line_end < end && buf[line_end] != '\n') {
            line_end++;
        }
        kb = r;
        while (kb < line_end && is_blank(buf[kb])) {
            kb++;
        }
        if (line_end - kb >= 10 && memcmp(buf + kb, "-----BEGIN", 10) == 0) {
            /* The CA bundle: everything from here on, newlines and all. */
            size_t n = end - kb;
            if (w + sizeof ca_key - 1 + n + 2 > cap) {
                return CONFIG_BLOCK_ERR_SPACE;
            }
            memcpy(buf + w, ca_key, sizeof ca_key - 1);
            memmove(buf + w + sizeof ca_key - 1, buf + kb, n);
            w += sizeof ca_key - 1 + n;
            buf[w++] = '\0';
            r = end;
            break;
        }
        r = line_end < end ? line_end + 1 : end;
        if (kb == line_end || buf[kb] == '#' || buf[kb] == ';') {
            continue; /* blank or a comment */
        }
        for (eq = kb; eq < line_end && buf[eq] != '='; eq++) {
        }
        if (eq == line_end) {
            return CONFIG_BLOCK_ERR_FORMAT;
        }
        ke = eq;
        while (ke > kb && is_blank(buf[ke - 1])) {
            ke--;
        }
        vb = eq + 1;
        while (vb < line_end && is_blank(buf[vb])) {
            vb++;
        }
        ve = line_end;
        while (ve > vb && is_blank(buf[ve - 1])) {
            ve--;
        }
        if (w + (ke - kb) + 1 + (ve - vb) + 2 > cap) {
            return CONFIG_BLOCK_ERR_SPACE;
        }
        memmove(buf + w, buf + kb, ke - kb);
        w += ke - kb;
        buf[w++] = '=';
        memmove(buf + w, buf + vb, ve - vb);
        w += ve - vb;
        buf[w++] = '\0';
    }
    buf[w++] = '\0'; /* the empty entry: the end */
    return (long)w;
}

/* ---- block to configuration ---------------------------------------------------- */

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
    uint64_t v;
    if (decimal_parse_u64(s, &v) != 0 || v < min || v > max) {
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static int agent_id_ok(const char *s)
{
    if (*s == '\0') {
        return 0;
    }
    for (; *s != '\0'; s++) {
        char c = *s;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-')) {
            return 0;
        }
    }
    return 1;
}

static void set_defaults(config_block_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->endpoint_port = 443;
    cfg->auth = M2M_AUTH_AKSK;
    cfg->broker_port = 1883;
    cfg->keepalive_s = 30;
    cfg->base_topic = "modelarts";
    cfg->qos = 1;
    cfg->poll_interval_s = 30;
    cfg->per_page = 100;
    cfg->max_jobs = 1000;
    cfg->timeout_s = 10;
    cfg->heartbeat_s = 300;
    cfg->sntp_port = 123;
    cfg->log_level = M2M_LOG_INFO;
}

/* Where a text key is stored. */
struct text_key {
    const char *name;
    size_t offset;
};

static const struct text_key text_keys[] = {
    {"endpoint_host", offsetof(config_block_t, endpoint_host)},
    {"endpoint_address", offsetof(config_block_t, endpoint_address)},
    {"project_id", offsetof(config_block_t, project_id)},
    {"token", offsetof(config_block_t, token)},
    {"ak", offsetof(config_block_t, ak)},
    {"sk", offsetof(config_block_t, sk)},
    {"security_token", offsetof(config_block_t, security_token)},
    {"ca_pem", offsetof(config_block_t, ca_pem)},
    {"broker_host", offsetof(config_block_t, broker_host)},
    {"client_id", offsetof(config_block_t, client_id)},
    {"mqtt_username", offsetof(config_block_t, mqtt_username)},
    {"mqtt_password", offsetof(config_block_t, mqtt_password)},
    {"base_topic", offsetof(config_block_t, base_topic)},
    {"agent_id", offsetof(config_block_t, agent_id)},
    {"sntp_server", offsetof(config_block_t, sntp_server)},
    {"control_file", offsetof(config_block_t, control_file)},
    {"status", offsetof(config_block_t, status)},
    {"search_content", offsetof(config_block_t, search_content)},
    {"workspace_id", offsetof(config_block_t, workspace_id)},
    {"sort_by", offsetof(config_block_t, sort_by)},
    {"order", offsetof(config_block_t, order)},
};

/* One numeric key: where, and its range. */
struct number_key {
    const char *name;
    size_t offset;
    uint32_t min;
    uint32_t max;
};

static const struct number_key number_keys[] = {
    {"poll_interval", offsetof(config_block_t, poll_interval_s), 1u, 86400u},
    {"per_page", offsetof(config_block_t, per_page), 1u, 1000u},
    {"max_jobs", offsetof(config_block_t, max_jobs), 1u, UINT32_MAX},
    {"timeout", offsetof(config_block_t, timeout_s), 1u, 300u},
    {"heartbeat", offsetof(config_block_t, heartbeat_s), 0u, 86400u},
    {"sntp_timeout", offsetof(config_block_t, sntp_timeout_s), 0u, 3600u},
    {"max_polls", offsetof(config_block_t, max_polls), 0u, 1000000u},
    {"endpoint_port", offsetof(config_block_t, endpoint_port), 1u, 65535u},
    {"broker_port", offsetof(config_block_t, broker_port), 1u, 65535u},
    {"sntp_port", offsetof(config_block_t, sntp_port), 1u, 65535u},
    {"keepalive", offsetof(config_block_t, keepalive_s), 0u, 65535u},
    {"qos", offsetof(config_block_t, qos), 0u, 2u},
};

/* The keys whose value is a word. */
static int set_enum(config_block_t *cfg, const char *key, const char *value)
{
    static const char *const levels[] = {"error", "warning", "info", "debug"};
    size_t i;
    if (strcmp(key, "auth") == 0) {
        if (strcmp(value, "token") == 0) {
            cfg->auth = M2M_AUTH_TOKEN;
        } else if (strcmp(value, "aksk") == 0) {
            cfg->auth = M2M_AUTH_AKSK;
        } else {
            return CONFIG_BLOCK_ERR_VALUE;
        }
        return CONFIG_BLOCK_OK;
    }
    if (strcmp(key, "log_level") == 0) {
        for (i = 0; i < sizeof levels / sizeof levels[0]; i++) {
            if (strcmp(value, levels[i]) == 0) {
                cfg->log_level = (m2m_log_level_t)i;
                return CONFIG_BLOCK_OK;
            }
        }
        return CONFIG_BLOCK_ERR_VALUE;
    }
    return CONFIG_BLOCK_ERR_KEY;
}

/* One entry "key=value" (NUL-terminated at value's end). */
static config_block_status_t set_entry(config_block_t *cfg, const char *key, size_t key_len,
                                       const char *value)
{
    char name[24];
    size_t i;
    if (key_len == 0 || key_len >= sizeof name) {
        return CONFIG_BLOCK_ERR_KEY;
    }
    memcpy(name, key, key_len);
    name[key_len] = '\0';
    for (i = 0; i < sizeof text_keys / sizeof text_keys[0]; i++) {
        if (strcmp(name, text_keys[i].name) == 0) {
            *(const char **)(void *)((char *)cfg + text_keys[i].offset) = value;
            return CONFIG_BLOCK_OK;
        }
    }
    for (i = 0; i < sizeof number_keys / sizeof number_keys[0]; i++) {
        const struct number_key *k = &number_keys[i];
        if (strcmp(name, k->name) == 0) {
            uint32_t *field = (uint32_t *)(void *)((char *)cfg + k->offset);
            return parse_u32(value, k->min, k->max, field) == 0 ? CONFIG_BLOCK_OK
                                                                : CONFIG_BLOCK_ERR_VALUE;
        }
    }
    return (config_block_status_t)set_enum(cfg, name, value);
}

static int is_set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* The keys every configuration needs, and those its auth method needs. */
static const char *missing_key(const config_block_t *cfg)
{
    if (!is_set(cfg->endpoint_host)) {
        return "endpoint_host";
    }
    if (!is_set(cfg->project_id)) {
        return "project_id";
    }
    if (!is_set(cfg->ca_pem)) {
        return "ca_pem";
    }
    if (!is_set(cfg->broker_host)) {
        return "broker_host";
    }
    if (!is_set(cfg->agent_id)) {
        return "agent_id";
    }
    if (!is_set(cfg->sntp_server)) {
        return "sntp_server";
    }
    if (cfg->auth == M2M_AUTH_TOKEN && !is_set(cfg->token)) {
        return "token";
    }
    if (cfg->auth == M2M_AUTH_AKSK && !is_set(cfg->ak)) {
        return "ak";
    }
    if (cfg->auth == M2M_AUTH_AKSK && !is_set(cfg->sk)) {
        return "sk";
    }
    return NULL;
}

/* Name the key at fault (never its value: it may be a secret). */
static config_block_status_t refuse(config_block_t *cfg, config_block_status_t st, const char *key,
                                    size_t key_len)
{
    if (key_len >= sizeof cfg->bad_key) {
        key_len = sizeof cfg->bad_key - 1;
    }
    memcpy(cfg->bad_key, key, key_len);
    cfg->bad_key[key_len] = '\0';
    return st;
}

config_block_status_t config_block_parse(const char *block, size_t size, uint32_t max_jobs_cap,
                                         config_block_t *cfg)
{
    static const char format[] = "format=" CONFIG_BLOCK_FORMAT;
    size_t at = sizeof format; /* past the format entry and its NUL */
    const char *missing;

    set_defaults(cfg);
    if (size < sizeof format + 1 || memcmp(block, format, sizeof format) != 0) {
        return CONFIG_BLOCK_ERR_FORMAT;
    }
    for (;;) {
        const char *entry = block + at;
        const char *eq;
        size_t n = 0;
        config_block_status_t st;

        while (at + n < size && entry[n] != '\0') {
            n++;
        }
        if (at + n >= size) {
            return CONFIG_BLOCK_ERR_FORMAT; /* no end within the block */
        }
        if (n == 0) {
            break; /* the empty entry: the end */
        }
        eq = memchr(entry, '=', n);
        if (eq == NULL) {
            return CONFIG_BLOCK_ERR_FORMAT;
        }
        st = set_entry(cfg, entry, (size_t)(eq - entry), eq + 1);
        if (st != CONFIG_BLOCK_OK) {
            return refuse(cfg, st, entry, (size_t)(eq - entry));
        }
        at += n + 1;
    }
    missing = missing_key(cfg);
    if (missing != NULL) {
        return refuse(cfg, CONFIG_BLOCK_ERR_MISSING, missing, strlen(missing));
    }
    if (!agent_id_ok(cfg->agent_id)) {
        return refuse(cfg, CONFIG_BLOCK_ERR_VALUE, "agent_id", 8);
    }
    if (cfg->max_jobs > max_jobs_cap) {
        return refuse(cfg, CONFIG_BLOCK_ERR_VALUE, "max_jobs", 8);
    }
    if (!is_set(cfg->client_id)) {
        strbuf_t sb;
        strbuf_init(&sb, cfg->client_id_buf, sizeof cfg->client_id_buf);
        strbuf_puts(&sb, "modelarts2mqtt-");
        strbuf_puts(&sb, cfg->agent_id);
        if (sb.overflow) {
            return refuse(cfg, CONFIG_BLOCK_ERR_VALUE, "agent_id", 8);
        }
        cfg->client_id = cfg->client_id_buf;
    }
    return CONFIG_BLOCK_OK;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_values.c - the checks of every kind of configuration value (numbers, booleans, ids,
 * project lists, credentials, URLs, topics, ...), and where a key keeps its value; see
 * config_values.h. The keys themselves are config.c's.
 */
#include "config_values.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- character classes ---------------------------------------------------- */

int config_is_id_char(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '-';
}

static int is_host_char(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '.';
}

static int has_control(const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x20 || ch == 0x7f) {
            return 1;
        }
    }
    return 0;
}

/* Count the characters of a UTF-8 string. Returns -1 for invalid UTF-8
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static long utf8_chars(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    long count = 0;
    while (*p != 0) {
        unsigned char b = *p;
        uint32_t cp;
        int extra;
        int i;
        if (b < 0x80) {
            p++;
            count++;
            continue;
        }
        if (b >= 0xc2 && b <= 0xdf) {
            extra = 1;
            cp = b & 0x1fu;
        } else if (b >= 0xe0 && b <= 0xef) {
            extra = 2;
            cp = b & 0x0fu;
        } else if (b >= 0xf0 && b <= 0xf4) {
            extra = 3;
            cp = b & 0x07u;
        } else {
            return -1;
        }
        for (i = 1; i <= extra; i++) {
            if ((p[i] & 0xc0) != 0x80) {
                return -1; /* also stops at the NUL */
            }
            cp = (cp << 6) | (p[i] & 0x3fu);
        }
        if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff)) {
            return -1;
        }
        p += extra + 1;
        count++;
    }
    return count;
}

/* Parse a decimal without sign, spaces or leading '+'. */
int config_parse_u32(const char *s, uint32_t *out)
{
    uint64_t v = 0;
    size_t n = 0;
    if (*s == '\0') {
        return -1;
    }
    for (; *s != '\0'; s++, n++) {
        if (*s < '0' || *s > '9' || n >= 10) {
            return -1;
        }
        v = v * 10u + (uint64_t)(*s - '0');
    }
    if (v > UINT32_MAX) {
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

char *config_field(config_t *c, const config_key_t *k)
{
    return (char *)c + k->offset;
}

const char *config_cfield(const config_t *c, const config_key_t *k)
{
    return (const char *)c + k->offset;
}

static int store_string(const config_key_t *k, config_t *c, const char *value, char *why,
                        size_t why_size)
{
    size_t len = strlen(value);
    if (len >= k->size) {
        snprintf(why, why_size, "must be at most %zu bytes", k->size - 1);
        return -1;
    }
    memcpy(config_field(c, k), value, len + 1);
    return 0;
}

/* ---- setters ---------------------------------------------------------------- */

int config_value_uint(const config_key_t *k, config_t *c, const char *value, char *why,
                      size_t why_size)
{
    uint32_t v;
    if (config_parse_u32(value, &v) != 0 || v < k->min || v > k->max) {
        snprintf(why, why_size, "must be %lu..%lu", (unsigned long)k->min, (unsigned long)k->max);
        return -1;
    }
    memcpy(config_field(c, k), &v, sizeof v);
    return 0;
}

int config_value_obsolete(const config_key_t *k, config_t *c, const char *value, char *why,
                          size_t why_size)
{
    static const int set = 1;
    (void)value;
    (void)why;
    (void)why_size;
    memcpy(config_field(c, k), &set, sizeof set);
    return 0;
}

int config_value_bool(const config_key_t *k, config_t *c, const char *value, char *why,
                      size_t why_size)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    size_t i;
    int v = -1;
    for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(value, yes[i]) == 0) {
            v = 1;
        } else if (strcasecmp(value, no[i]) == 0) {
            v = 0;
        }
    }
    if (v < 0) {
        snprintf(why, why_size, "must be true or false");
        return -1;
    }
    memcpy(config_field(c, k), &v, sizeof v);
    return 0;
}

/* Free text: user names, client ids, passwords, file names. */
int config_value_text(const config_key_t *k, config_t *c, const char *value, char *why,
                      size_t why_size)
{
    if (has_control(value) || utf8_chars(value) < 0) {
        snprintf(why, why_size, "must be UTF-8 text without control characters");
        return -1;
    }
    return store_string(k, c, value, why, why_size);
}

/* Credentials that travel in an HTTP header: printable ASCII, no space, so
 * that no value can end the header early. */
int config_value_credential(const config_key_t *k, config_t *c, const char *value, char *why,
                            size_t why_size)
{
    const char *p;
    for (p = value; *p != '\0'; p++) {
        if (*p < 0x21 || *p > 0x7e) {
            snprintf(why, why_size, "must be printable ASCII without spaces, at most %zu bytes",
                     k->size - 1);
            return -1;
        }
    }
    return store_string(k, c, value, why, why_size);
}

int config_value_id(const config_key_t *k, config_t *c, const char *value, char *why,
                    size_t why_size)
{
    const char *p;
    size_t len = strlen(value);
    for (p = value; *p != '\0'; p++) {
        if (!config_is_id_char((unsigned char)*p)) {
            break;
        }
    }
    if (*p != '\0' || len == 0 || len >= k->size) {
        snprintf(why, why_size, "must be 1..%zu characters of A-Z a-z 0-9 _ -", k->size - 1);
        return -1;
    }
    return store_string(k, c, value, why, why_size);
}

/* One project id, or several separated by commas (spaces around a comma
 * are allowed, one inside an id is not): stored as "p1,p2". */
int config_value_project_list(const config_key_t *k, config_t *c, const char *value, char *why,
                              size_t why_size)
{
    char list[CONFIG_PROJECT_LIST_MAX];
    const char *p = value;
    size_t used = 0;
    size_t count = 0;

    for (;;) {
        const char *begin;
        size_t len;
        size_t i;
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        begin = p;
        while (config_is_id_char((unsigned char)*p)) {
            p++;
        }
        len = (size_t)(p - begin);
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (len == 0 || len >= CONFIG_ID_MAX || (*p != ',' && *p != '\0')) {
            snprintf(why, why_size, "must be 1..%d characters of A-Z a-z 0-9 _ -%s",
                     CONFIG_ID_MAX - 1, count > 0 || *p == ',' ? " (ids separated by commas)" : "");
            return -1;
        }
        if (++count > CONFIG_PROJECTS_MAX) {
            snprintf(why, why_size, "at most %d projects", CONFIG_PROJECTS_MAX);
            return -1;
        }
        /* A duplicate would publish to the same topics twice. */
        for (i = 0; i < used;) {
            size_t n = strcspn(list + i, ",");
            if (n == len && memcmp(list + i, begin, len) == 0) {
                snprintf(why, why_size, "project %.*s is listed twice", (int)len, begin);
                return -1;
            }
            i += n + 1;
        }
        if (used > 0) {
            list[used - 1] = ',';
        }
        memcpy(list + used, begin, len);
        used += len + 1;
        list[used - 1] = '\0';
        if (*p == '\0') {
            break;
        }
        p++; /* the comma */
    }
    return store_string(k, c, list, why, why_size);
}

int config_value_choice(const config_key_t *k, config_t *c, const char *value, char *why,
                        size_t why_size)
{
    size_t i;
    size_t used = 0;
    for (i = 0; k->choices[i] != NULL; i++) {
        if (strcmp(value, k->choices[i]) == 0) {
            return store_string(k, c, value, why, why_size);
        }
    }
    used = (size_t)snprintf(why, why_size, "must be one of");
    for (i = 0; k->choices[i] != NULL && used < why_size; i++) {
        used += (size_t)snprintf(why + used, why_size - used, "%s %s", i == 0 ? "" : ",",
                                 k->choices[i]);
    }
    return -1;
}

int config_value_auth(const config_key_t *k, config_t *c, const char *value, char *why,
                      size_t why_size)
{
    config_auth_t v;
    if (strcmp(value, "token") == 0) {
        v = CONFIG_AUTH_TOKEN;
    } else if (strcmp(value, "aksk") == 0) {
        v = CONFIG_AUTH_AKSK;
    } else if (strcmp(value, "password") == 0) {
        v = CONFIG_AUTH_PASSWORD;
    } else {
        snprintf(why, why_size, "must be token, aksk or password");
        return -1;
    }
    memcpy(config_field(c, k), &v, sizeof v);
    return 0;
}

/* Split "host[:port]" ending at end. Returns 0 and the port (0 if none). */
static int check_host_port(const char *host, const char *end, int brackets_ok, uint32_t *port)
{
    const char *colon = NULL;
    const char *p;
    *port = 0;
    if (brackets_ok && host < end && *host == '[') {
        /* An IPv6 literal, as Paho accepts it. */
        const char *close = host + 1;
        while (close < end && *close != ']') {
            char ch = *close;
            if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
                  (ch >= 'A' && ch <= 'F') || ch == ':' || ch == '.')) {
                return -1;
            }
            close++;
        }
        if (close >= end || close == host + 1) {
            return -1;
        }
        p = close + 1;
        if (p < end && *p != ':') {
            return -1;
        }
        colon = p < end ? p : NULL;
    } else {
        for (p = host; p < end && *p != ':'; p++) {
            if (!is_host_char((unsigned char)*p)) {
                return -1;
            }
        }
        if (p == host || p - host > CONFIG_HOST_MAX - 1) {
            return -1;
        }
        colon = p < end ? p : NULL;
    }
    if (colon != NULL) {
        char digits[8];
        size_t n = (size_t)(end - colon - 1);
        if (n == 0 || n >= sizeof digits) {
            return -1;
        }
        memcpy(digits, colon + 1, n);
        digits[n] = '\0';
        if (config_parse_u32(digits, port) != 0 || *port < 1 || *port > 65535) {
            return -1;
        }
    }
    return 0;
}

int config_value_https_url(const config_key_t *k, config_t *c, const char *value, char *why,
                           size_t why_size)
{
    static const char scheme[] = "https://";
    const char *host = value + sizeof scheme - 1;
    const char *end;
    uint32_t port;
    if (strncasecmp(value, "http://", 7) == 0) {
        snprintf(why, why_size, "must be https://host[:port]: plain http is refused");
        return -1;
    }
    end = host + strlen(host);
    if (end > host && end[-1] == '/') {
        end--; /* "https://host/" is the same URL */
    }
    if (strncasecmp(value, scheme, sizeof scheme - 1) != 0 ||
        check_host_port(host, end, 0, &port) != 0) {
        snprintf(why, why_size, "must be https://host[:port] (no path)");
        return -1;
    }
    return store_string(k, c, value, why, why_size);
}

static const char *const mqtt_schemes[] = {"tcp://", "mqtt://", "ssl://", "mqtts://", NULL};

int config_value_mqtt_uri(const config_key_t *k, config_t *c, const char *value, char *why,
                          size_t why_size)
{
    size_t i;
    for (i = 0; mqtt_schemes[i] != NULL; i++) {
        size_t n = strlen(mqtt_schemes[i]);
        uint32_t port;
        if (strncmp(value, mqtt_schemes[i], n) == 0 &&
            check_host_port(value + n, value + strlen(value), 1, &port) == 0) {
            return store_string(k, c, value, why, why_size);
        }
    }
    snprintf(why, why_size,
             "must be tcp://host[:port], ssl://host[:port], mqtt://host[:port] or "
             "mqtts://host[:port]");
    return -1;
}

int config_value_topic(const config_key_t *k, config_t *c, const char *value, char *why,
                       size_t why_size)
{
    size_t len = strlen(value);
    if (len == 0 || len >= k->size || strpbrk(value, "+#") != NULL || value[0] == '/' ||
        value[len - 1] == '/' || has_control(value) || utf8_chars(value) < 0) {
        snprintf(why, why_size,
                 "must be 1..%zu bytes of UTF-8 without + or # and without a leading or "
                 "trailing /",
                 k->size - 1);
        return -1;
    }
    return store_string(k, c, value, why, why_size);
}

int config_value_search(const config_key_t *k, config_t *c, const char *value, char *why,
                        size_t why_size)
{
    long chars = utf8_chars(value);
    if (chars < 0 || chars > CONFIG_SEARCH_CHARS || has_control(value)) {
        snprintf(why, why_size, "must be 0..%d characters of UTF-8 text", CONFIG_SEARCH_CHARS);
        return -1;
    }
    return store_string(k, c, value, why, why_size);
}

/* v2 phase names separated by commas (blanks around them allowed), each once, stored as
 * "Running,Pending". Returns 0, or -1. */
static int phase_list(const char *value, char *out, size_t out_size)
{
    static const char *const phases[] = {"Creating",  "Pending", "Running",    "Terminating",
                                         "Completed", "Failed",  "Terminated", "Abnormal"};
    size_t used = 0;
    const char *p = value;
    for (;;) {
        size_t n, i;
        const char *name;
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        name = p;
        n = strcspn(p, ", \t");
        for (i = 0; i < sizeof phases / sizeof phases[0]; i++) {
            if (strlen(phases[i]) == n && memcmp(phases[i], name, n) == 0) {
                break;
            }
        }
        if (n == 0 || i == sizeof phases / sizeof phases[0] || used + n + 2 > out_size) {
            return -1;
        }
        out[used] = '\0';
        if (strstr(out, phases[i]) != NULL) {
            return -1; /* twice */
        }
        if (used > 0) {
            out[used++] = ',';
        }
        memcpy(out + used, name, n);
        used += n;
        out[used] = '\0';
        p += n;
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (*p == '\0') {
            return 0;
        }
        if (*p++ != ',') {
            return -1;
        }
    }
}

int config_value_status(const config_key_t *k, config_t *c, const char *value, char *why,
                        size_t why_size)
{
    uint32_t v;
    char phases[sizeof c->status];
    if (phase_list(value, phases, sizeof phases) == 0) {
        memcpy(config_field(c, k), phases, sizeof phases);
        return 0;
    }
    if (config_parse_u32(value, &v) != 0 || v > 255) {
        snprintf(why, why_size,
                 "must be empty, a status code 0..255 (api v1) or phase names such as "
                 "Running,Pending (api v2)");
        return -1;
    }
    /* Normalised, so that "007" and "7" send the same query. */
    snprintf(config_field(c, k), k->size, "%lu", (unsigned long)v);
    return 0;
}

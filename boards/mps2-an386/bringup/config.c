/* SPDX-License-Identifier: Apache-2.0 */
/* config.c - the bring-up image's configuration file; see bringup.h. */
#include <string.h>

#include "bringup.h"
#include "log.h"
#include "semihost.h"

#define CONFIG_FILE_MAX 2048

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Trims [*b, *e) of surrounding blanks. */
static void trim(const char **b, const char **e)
{
    while (*b < *e && is_space(**b)) {
        (*b)++;
    }
    while (*e > *b && is_space((*e)[-1])) {
        (*e)--;
    }
}

static int copy_text(char *dst, size_t cap, const char *b, const char *e)
{
    size_t n = (size_t)(e - b);
    if (n == 0 || n >= cap) {
        return -1;
    }
    memcpy(dst, b, n);
    dst[n] = '\0';
    return 0;
}

static int parse_u32(const char *b, const char *e, uint32_t max, uint32_t *out)
{
    uint32_t v = 0;
    if (b == e) {
        return -1;
    }
    for (; b < e; b++) {
        uint32_t d;
        if (*b < '0' || *b > '9') {
            return -1;
        }
        d = (uint32_t)(*b - '0');
        if (v > (max - d) / 10u) {
            return -1;
        }
        v = v * 10u + d;
    }
    *out = v;
    return 0;
}

static int set_key(bringup_config_t *cfg, const char *k, size_t klen, const char *b, const char *e)
{
    uint32_t v;
#define KEY_IS(name) (klen == sizeof(name) - 1 && memcmp(k, name, klen) == 0)
    if (KEY_IS("echo_host")) {
        return copy_text(cfg->echo_host, sizeof cfg->echo_host, b, e);
    }
    if (KEY_IS("tls_host")) {
        return copy_text(cfg->tls_host, sizeof cfg->tls_host, b, e);
    }
    if (KEY_IS("tls_address")) {
        return copy_text(cfg->tls_address, sizeof cfg->tls_address, b, e);
    }
    if (KEY_IS("ca_file")) {
        return copy_text(cfg->ca_file, sizeof cfg->ca_file, b, e);
    }
    if (KEY_IS("echo_port") || KEY_IS("tls_port")) {
        if (parse_u32(b, e, 65535u, &v) != 0) {
            return -1;
        }
        *(KEY_IS("echo_port") ? &cfg->echo_port : &cfg->tls_port) = (uint16_t)v;
        return 0;
    }
    if (KEY_IS("echo_bytes")) {
        return parse_u32(b, e, 64u * 1024u * 1024u, &cfg->echo_bytes);
    }
    if (KEY_IS("dhcp_timeout")) {
        return parse_u32(b, e, 600000u, &cfg->dhcp_timeout_ms);
    }
    if (KEY_IS("fault_test")) {
        return parse_u32(b, e, 1u, &cfg->fault_test);
    }
#undef KEY_IS
    return -1;
}

int bringup_config_read(const char *path, bringup_config_t *cfg)
{
    static char text[CONFIG_FILE_MAX];
    const char *p;
    int line_no = 0;

    memset(cfg, 0, sizeof *cfg);
    strcpy(cfg->echo_host, "10.0.2.2");
    cfg->echo_bytes = 65536u;
    cfg->dhcp_timeout_ms = 10000u;

    if (semihost_read_file(path, text, sizeof text) < 0) {
        log_line("config: cannot read %s (semihosting, QEMU's working directory)", path);
        return -1;
    }
    for (p = text; *p != '\0';) {
        const char *end = strchr(p, '\n');
        const char *b = p;
        const char *e;
        const char *eq;
        const char *cut;

        if (end == NULL) {
            end = p + strlen(p);
        }
        line_no++;
        e = end;
        for (cut = b; cut < e; cut++) {
            if (*cut == '#' || *cut == ';') {
                e = cut;
                break;
            }
        }
        trim(&b, &e);
        if (b < e) {
            const char *kb = b;
            const char *ke;
            eq = memchr(b, '=', (size_t)(e - b));
            if (eq == NULL) {
                log_line("config: %s:%d: expected key = value", path, line_no);
                return -1;
            }
            ke = eq;
            b = eq + 1;
            trim(&kb, &ke);
            trim(&b, &e);
            if (set_key(cfg, kb, (size_t)(ke - kb), b, e) != 0) {
                log_line("config: %s:%d: unknown key or bad value", path, line_no);
                return -1;
            }
        }
        p = *end == '\n' ? end + 1 : end;
    }
    if (cfg->tls_port != 0 && (cfg->tls_host[0] == '\0' || cfg->ca_file[0] == '\0')) {
        log_line("config: tls_port needs tls_host and ca_file");
        return -1;
    }
    return 0;
}

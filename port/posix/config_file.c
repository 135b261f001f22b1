/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_file.c - reading the INI file with inih, and the whole load
 * (defaults, file, environment, --set); see config.h.
 *
 * inih reads lines through our own reader so that nothing is cut silently:
 * a line longer than CONFIG_LINE_MAX or one holding a NUL byte is an error
 * naming the line, and the reader's line count names the line of every
 * other error too.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <ini.h>

/* Longest line accepted: a key, " = " and the longest value (a token). */
#define CONFIG_LINE_MAX (CONFIG_TOKEN_MAX + 256)

typedef struct {
    FILE *file;
    const char *path;
    config_t *cfg;
    unsigned long line;       /* lines handed to inih so far */
    unsigned long error_line; /* line of the first error, 0 if none */
    config_status_t status;   /* the first error */
    int read_error;           /* errno of a failed read, 0 if none */
    char *err;
    size_t err_size;
} file_reader_t;

static void note_error(file_reader_t *r, config_status_t st, const char *message)
{
    if (r->error_line != 0) {
        return; /* the first error is the one reported */
    }
    r->error_line = r->line;
    r->status = st;
    snprintf(r->err, r->err_size, "%s", message);
}

/* fgets-like reader for inih: one physical line per call, at most num - 1
 * bytes kept; an over-long line is consumed whole and reported. */
static char *read_line(char *str, int num, void *stream)
{
    file_reader_t *r = (file_reader_t *)stream;
    size_t cap = num > 1 ? (size_t)num - 1 : 0;
    size_t n = 0;
    int over = 0;
    int nul = 0;
    int ch = EOF;
    int any = 0;

    while ((ch = getc(r->file)) != EOF) {
        any = 1;
        if (ch == '\n') {
            break;
        }
        if (ch == '\0') {
            nul = 1;
        }
        if (n < cap) {
            str[n++] = (char)ch;
        } else {
            over = 1;
        }
    }
    if (ch == EOF && ferror(r->file)) {
        r->read_error = errno != 0 ? errno : EIO;
        return NULL;
    }
    if (!any) {
        return NULL;
    }
    r->line++;
    if (over || nul) {
        char message[CONFIG_ERROR_MAX];
        if (over) {
            snprintf(message, sizeof message, "%s line %lu: line longer than %zu bytes", r->path,
                     r->line, cap);
        } else {
            snprintf(message, sizeof message, "%s line %lu: NUL byte in the line", r->path,
                     r->line);
        }
        note_error(r, CONFIG_ERR_SYNTAX, message);
        n = 0; /* inih sees an empty line */
    }
    str[n] = '\0';
    return str;
}

static int on_value(void *user, const char *section, const char *name, const char *value)
{
    file_reader_t *r = (file_reader_t *)user;
    char origin[CONFIG_PATH_MAX + 32];
    char message[CONFIG_ERROR_MAX];
    config_status_t st;

    snprintf(origin, sizeof origin, "%s line %lu", r->path, r->line);
    st = config_set(r->cfg, section, name, value, origin, message, sizeof message);
    if (st != CONFIG_OK) {
        note_error(r, st, message);
        return 0;
    }
    if (value[0] != '\0' && config_key_is_secret(section, name)) {
        r->cfg->file_holds_secret = 1;
    }
    return 1;
}

config_status_t config_read_file(config_t *c, const char *path, char *err, size_t err_size)
{
    file_reader_t r;
    int rc;

    memset(&r, 0, sizeof r);
    r.file = fopen(path, "r");
    if (r.file == NULL) {
        snprintf(err, err_size, "cannot read %s: %s", path, strerror(errno));
        return CONFIG_ERR_FILE;
    }
    r.path = path;
    r.cfg = c;
    r.err = err;
    r.err_size = err_size;

    /* inih's defaults would cut a long line (an IAM token) at 200 bytes and
     * merge indented lines into the previous value; neither is wanted. */
    ini_use_stack = false;
    ini_allow_realloc = false;
    ini_initial_alloc = CONFIG_LINE_MAX;
    ini_max_line = CONFIG_LINE_MAX;
    ini_allow_multiline = false;
    ini_stop_on_first_error = false;

    rc = ini_parse_stream(read_line, &r, on_value, &r);
    fclose(r.file);

    if (r.read_error != 0) {
        snprintf(err, err_size, "cannot read %s: %s", path, strerror(r.read_error));
        return CONFIG_ERR_FILE;
    }
    if (rc == -2) {
        snprintf(err, err_size, "cannot read %s: out of memory", path);
        return CONFIG_ERR_FILE;
    }
    /* inih's number is the first line it refused, our handler's or its own
     * syntax error; an earlier one of ours was already noted. */
    if (rc > 0 && (r.error_line == 0 || (unsigned long)rc < r.error_line)) {
        snprintf(err, err_size, "%s line %d: expected [section] or key = value", path, rc);
        return CONFIG_ERR_SYNTAX;
    }
    if (r.error_line != 0) {
        return r.status;
    }
    return CONFIG_OK;
}

config_status_t config_load(config_t *c, const char *path, const char *const *sets, size_t n_sets,
                            char *err, size_t err_size)
{
    config_status_t st;
    size_t i;

    config_defaults(c);
    if (path != NULL) {
        st = config_read_file(c, path, err, err_size);
        if (st != CONFIG_OK) {
            return st;
        }
    }
    st = config_apply_env(c, err, err_size);
    if (st != CONFIG_OK) {
        return st;
    }
    for (i = 0; i < n_sets; i++) {
        st = config_set_arg(c, sets[i], err, err_size);
        if (st != CONFIG_OK) {
            return st;
        }
    }
    return config_finish(c, err, err_size);
}

config_status_t config_load_project(config_t *out, const config_t *base, const char *path,
                                    const char *const *sets, size_t n_sets, size_t index, char *err,
                                    size_t err_size)
{
    const char *p = base->project_id;
    size_t in_list = 0;
    config_status_t st;
    char inner[CONFIG_ERROR_MAX];
    const char *name;
    size_t i;

    /* Count the ids of the list, moving p to the one asked for. */
    if (*p != '\0') {
        const char *q;
        in_list = 1;
        for (q = p; *q != '\0'; q++) {
            in_list += *q == ',';
        }
    }
    memcpy(out, base, sizeof *out);
    if (index < in_list) {
        size_t n;
        for (i = 0; i < index; i++) {
            p += strcspn(p, ",") + 1;
        }
        n = strcspn(p, ",");
        memmove(out->project_id, p, n);
        out->project_id[n] = '\0';
        return config_finish(out, err, err_size);
    }
    if (index - in_list >= base->n_sections) {
        snprintf(err, err_size, "no project %lu: %lu configured", (unsigned long)index,
                 (unsigned long)config_project_count(base));
        return CONFIG_ERR_USAGE;
    }

    /* A section's keys, over everything [modelarts] got; its project_id
     * comes from the section alone. */
    name = base->sections[index - in_list];
    out->project_id[0] = '\0';
    memcpy(out->section_applied, name, strlen(name) + 1);
    st = path != NULL ? config_read_file(out, path, err, err_size) : CONFIG_OK;
    for (i = 0; st == CONFIG_OK && i < n_sets; i++) {
        st = config_set_arg(out, sets[i], err, err_size);
    }
    out->section_applied[0] = '\0';
    if (st != CONFIG_OK) {
        return st;
    }
    if (out->project_id[0] == '\0' || strchr(out->project_id, ',') != NULL) {
        snprintf(err, err_size, "[" CONFIG_SECTION_PREFIX "%s] needs project_id: one id", name);
        return out->project_id[0] == '\0' ? CONFIG_ERR_MISSING : CONFIG_ERR_VALUE;
    }
    st = config_finish(out, inner, sizeof inner);
    if (st != CONFIG_OK) {
        snprintf(err, err_size, "[" CONFIG_SECTION_PREFIX "%s]: %s", name, inner);
    }
    return st;
}

config_status_t config_load_projects(config_t *out, size_t cap, const config_t *base,
                                     const char *path, const char *const *sets, size_t n_sets,
                                     char *err, size_t err_size)
{
    size_t count = config_project_count(base);
    size_t i;
    size_t j;
    if (count > cap) {
        snprintf(err, err_size, "%lu projects: at most %lu", (unsigned long)count,
                 (unsigned long)cap);
        return CONFIG_ERR_VALUE;
    }
    for (i = 0; i < count; i++) {
        config_status_t st =
            config_load_project(&out[i], base, path, sets, n_sets, i, err, err_size);
        if (st != CONFIG_OK) {
            return st;
        }
        /* The same project twice would publish to the same topics twice. */
        for (j = 0; j < i; j++) {
            if (strcmp(out[j].project_id, out[i].project_id) == 0) {
                snprintf(err, err_size, "project %s is configured twice", out[i].project_id);
                return CONFIG_ERR_VALUE;
            }
        }
    }
    return CONFIG_OK;
}

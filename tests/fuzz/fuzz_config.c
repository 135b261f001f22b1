/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_config.c - libFuzzer harness for the configuration parser
 * (port/posix/config.c, config_values.c and config_file.c, with Debian's inih).
 *
 * config_read_file() takes a path and opens it with fopen(), so the input is
 * written to one file per process, /tmp/m2m_fuzz_config_<pid>.ini, and read
 * from there into a defaulted config_t; config_finish() follows, as in
 * config_load(). Then every secret key is assigned a value that starts with
 * a marker and continues with the input's first line, through config_set()
 * and through config_set_arg(), with an error buffer of 1..64 bytes sized
 * from the input length.
 *
 * Invariants checked (abort() on violation, which libFuzzer reports):
 *   - every status is one of config_status_t and has a strerror text;
 *   - a failing call leaves a non-empty, NUL-terminated message inside the
 *     error buffer (ASan sees a write past the buffer's exact size);
 *   - a message never contains the value given to a secret key (the marker);
 *   - a configuration never differs from itself (config_section_differs).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_config.c:%d: invariant failed: %s\n", __LINE__, #cond);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define SECRET_MARKER "ZqSeCrEtMaRkEr"
#define SECRET_VALUE_MAX (CONFIG_TOKEN_MAX + 64)

static const char *const secret_keys[][2] = {
    {"modelarts", "token"},          {"modelarts", "ak"},       {"modelarts", "sk"},
    {"modelarts", "security_token"}, {"modelarts", "password"}, {"mqtt", "password"},
};

static config_t cfg;
static char path[64];
static char err[CONFIG_ERROR_MAX];
static char secret_value[SECRET_VALUE_MAX];
static char secret_arg[SECRET_VALUE_MAX + 64];

static void remove_file(void)
{
    unlink(path);
}

static void check_status(config_status_t st)
{
    CHECK(st <= CONFIG_OK && st >= CONFIG_ERR_USAGE);
    CHECK(config_strerror(st) != NULL);
}

/* After a failure: a non-empty message, NUL-terminated inside buf[size]. */
static void check_message(config_status_t st, const char *buf, size_t size)
{
    if (st == CONFIG_OK) {
        return;
    }
    CHECK(memchr(buf, '\0', size) != NULL);
    CHECK(size == 1 || buf[0] != '\0');
}

static void write_input(const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");

    CHECK(f != NULL);
    CHECK(fwrite(data, 1, size, f) == size);
    CHECK(fclose(f) == 0);
}

static void check_secrets(const uint8_t *data, size_t size)
{
    size_t line = 0, i, err_size = 1 + size % 64;
    char *small = malloc(err_size);
    config_status_t st;

    CHECK(small != NULL);
    while (line < size && data[line] != '\n' && data[line] != '\0' &&
           line < SECRET_VALUE_MAX - sizeof SECRET_MARKER) {
        line++;
    }
    memcpy(secret_value, SECRET_MARKER, sizeof SECRET_MARKER - 1);
    memcpy(secret_value + sizeof SECRET_MARKER - 1, data, line);
    secret_value[sizeof SECRET_MARKER - 1 + line] = '\0';

    for (i = 0; i < sizeof secret_keys / sizeof secret_keys[0]; i++) {
        const char *section = secret_keys[i][0], *key = secret_keys[i][1];

        CHECK(config_key_is_secret(section, key));
        memset(err, 0xA5, sizeof err);
        st = config_set(&cfg, section, key, secret_value, "fuzz", err, sizeof err);
        check_status(st);
        check_message(st, err, sizeof err);
        if (st != CONFIG_OK) {
            CHECK(strstr(err, SECRET_MARKER) == NULL);
        }

        memset(small, 0xA5, err_size);
        snprintf(secret_arg, sizeof secret_arg, "%s.%s=%s", section, key, secret_value);
        st = config_set_arg(&cfg, secret_arg, small, err_size);
        check_status(st);
        check_message(st, small, err_size);
    }
    /* The same with the full buffer, where the whole message is visible. */
    for (i = 0; i < sizeof secret_keys / sizeof secret_keys[0]; i++) {
        snprintf(secret_arg, sizeof secret_arg, "%s.%s=%s", secret_keys[i][0], secret_keys[i][1],
                 secret_value);
        memset(err, 0xA5, sizeof err);
        st = config_set_arg(&cfg, secret_arg, err, sizeof err);
        check_status(st);
        check_message(st, err, sizeof err);
        if (st != CONFIG_OK) {
            CHECK(strstr(err, SECRET_MARKER) == NULL);
        }
    }
    free(small);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    config_status_t st;

    if (path[0] == '\0') {
        snprintf(path, sizeof path, "/tmp/m2m_fuzz_config_%ld.ini", (long)getpid());
        atexit(remove_file);
    }
    write_input(data, size);

    config_defaults(&cfg);
    memset(err, 0xA5, sizeof err);
    st = config_read_file(&cfg, path, err, sizeof err);
    check_status(st);
    check_message(st, err, sizeof err);
    CHECK(st != CONFIG_ERR_USAGE && st != CONFIG_ERR_MISSING);

    memset(err, 0xA5, sizeof err);
    st = config_finish(&cfg, err, sizeof err);
    check_status(st);
    check_message(st, err, sizeof err);
    CHECK(!config_section_differs(&cfg, &cfg, "modelarts"));
    CHECK(!config_section_differs(&cfg, &cfg, "mqtt"));
    CHECK(!config_section_differs(&cfg, &cfg, "homeassistant"));

    check_secrets(data, size);
    return 0;
}

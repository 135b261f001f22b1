/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_values.h - how config.c describes a key, and the checks that turn a written value into
 * config_t (config_values.c). Internal to the configuration: only config.c and config_values.c
 * include it.
 */
#ifndef CONFIG_VALUES_H
#define CONFIG_VALUES_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* How a value is kept, for comparisons between two configurations. */
typedef enum {
    KIND_STR,
    KIND_U32,
    KIND_INT,
    KIND_OBSOLETE /* does nothing: setting it earns a warning (an int flag) */
} key_kind_t;

typedef struct config_key config_key_t;

/* Check value and store it into c. Returns 0, or -1 with the reason (the
 * text after "key = value: ") in why. Never called with "" unless the
 * default is "". */
typedef int (*key_setter_t)(const config_key_t *k, config_t *c, const char *value, char *why,
                            size_t why_size);

struct config_key {
    const char *section;
    const char *name;
    key_setter_t set;
    key_kind_t kind;
    size_t offset;
    size_t size;
    uint32_t min;               /* numbers: smallest value */
    uint32_t max;               /* numbers: largest value */
    const char *const *choices; /* set_choice: the allowed words */
    const char *def;            /* default, as written in a file */
    const char *env;            /* environment variable, or NULL */
    int secret;                 /* never echo the value */
};

/* The checks of config_keys[] (key_setter_t): each checks value for key k and stores it into
 * c, returning 0, or -1 with the reason in why. */
int config_value_auth(const config_key_t *k, config_t *c, const char *value, char *why,
                      size_t why_size);
int config_value_obsolete(const config_key_t *k, config_t *c, const char *value, char *why,
                          size_t why_size);
int config_value_bool(const config_key_t *k, config_t *c, const char *value, char *why,
                      size_t why_size);
int config_value_choice(const config_key_t *k, config_t *c, const char *value, char *why,
                        size_t why_size);
int config_value_credential(const config_key_t *k, config_t *c, const char *value, char *why,
                            size_t why_size);
int config_value_https_url(const config_key_t *k, config_t *c, const char *value, char *why,
                           size_t why_size);
int config_value_id(const config_key_t *k, config_t *c, const char *value, char *why,
                    size_t why_size);
int config_value_mqtt_uri(const config_key_t *k, config_t *c, const char *value, char *why,
                          size_t why_size);
int config_value_project_list(const config_key_t *k, config_t *c, const char *value, char *why,
                              size_t why_size);
int config_value_search(const config_key_t *k, config_t *c, const char *value, char *why,
                        size_t why_size);
int config_value_status(const config_key_t *k, config_t *c, const char *value, char *why,
                        size_t why_size);
int config_value_text(const config_key_t *k, config_t *c, const char *value, char *why,
                      size_t why_size);
int config_value_topic(const config_key_t *k, config_t *c, const char *value, char *why,
                       size_t why_size);
int config_value_uint(const config_key_t *k, config_t *c, const char *value, char *why,
                      size_t why_size);
/* 1 if ch may be part of an id ([A-Za-z0-9_-]), else 0. */
int config_is_id_char(unsigned char ch);

/* The bytes in c where key k keeps its value. */
char *config_field(config_t *c, const config_key_t *k);

/* The same, read-only. */
const char *config_cfield(const config_t *c, const config_key_t *k);

/* A decimal without sign, spaces or leading '+', at most UINT32_MAX, into *out.
 * Returns 0, or -1 when s is not one. */
int config_parse_u32(const char *s, uint32_t *out);

#endif /* CONFIG_VALUES_H */

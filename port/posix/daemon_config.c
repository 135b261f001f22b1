/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daemon_config.c - the daemon's configuration (daemon.h): the file and
 * every project's configuration loaded, the MQTT settings taken from it,
 * and what in it deserves a warning.
 */
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"

/* The file config_load() reads: the default file may be absent (everything
 * then comes from the environment and --set); a file named with -c must
 * exist. NULL: none. */
static const char *config_file(daemon_t *d, int warn)
{
    const char *path = d->opt.config_path;
    if (path == NULL) {
        path = CONFIG_DEFAULT_FILE;
        if (access(path, F_OK) != 0) {
            if (warn) {
                port_logf(&d->port, M2M_LOG_WARN,
                          "no configuration file at %s: using defaults, the environment and "
                          "--set",
                          path);
            }
            path = NULL;
        }
    }
    return path;
}

config_status_t load_config(daemon_t *d, config_t *c, config_t **projects, size_t *count, char *err,
                            size_t err_size)
{
    const char *path = config_file(d, 1);
    config_status_t st = config_load(c, path, d->opt.sets, d->opt.n_sets, err, err_size);
    *projects = NULL;
    *count = 0;
    if (st != CONFIG_OK) {
        return st;
    }
    *count = config_project_count(c);
    *projects = calloc(*count, sizeof **projects);
    if (*projects == NULL) {
        snprintf(err, err_size, "out of memory for %lu projects", (unsigned long)*count);
        return CONFIG_ERR_VALUE;
    }
    st =
        config_load_projects(*projects, *count, c, path, d->opt.sets, d->opt.n_sets, err, err_size);
    if (st != CONFIG_OK) {
        free(*projects);
        *projects = NULL;
    }
    return st;
}

/* B, for the port to recognise job topics (MQTT 5 message expiry). */
static char agent_topic[CONFIG_TOPIC_MAX + CONFIG_ID_MAX];

void fill_mqtt_settings(port_mqtt_settings_t *s, const config_t *c)
{
    s->uri = c->mqtt_uri;
    s->client_id = c->client_id;
    s->username = c->username;
    s->password = c->mqtt_password;
    s->ca_file = c->mqtt_ca_file[0] != '\0' ? c->mqtt_ca_file : CONFIG_SYSTEM_CA_FILE;
    s->keepalive_s = c->keepalive;
    s->timeout_ms = c->timeout * 1000u;
    s->protocol_v5 = strcmp(c->mqtt_protocol, "5") == 0;
    s->message_expiry_s = c->message_expiry;
    snprintf(agent_topic, sizeof agent_topic, "%s/%s", c->base_topic, c->agent_id);
    s->agent_topic = agent_topic;
}

void warn_about(daemon_t *d, const config_t *c, const config_t *projects, size_t count)
{
    const char *path = d->opt.config_path != NULL ? d->opt.config_path : CONFIG_DEFAULT_FILE;
    struct stat st;
    size_t i;
    if (c->file_holds_secret && stat(path, &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH)) != 0) {
        port_logf(&d->port, M2M_LOG_WARN,
                  "%s holds a secret and is readable by other users: chmod 600 it, or move the "
                  "secret to the environment",
                  path);
    }
    for (i = 0; i < count; i++) {
        if (projects[i].obsolete_key_set) {
            port_logf(&d->port, M2M_LOG_WARN,
                      "modelarts.change_buffer_kib does nothing any more (a poll publishes each "
                      "job as it reads it): remove it from the configuration");
            break;
        }
    }
    for (i = 0; i < count; i++) {
        if (strcmp(projects[i].api, "v2") == 0 && projects[i].per_page > M2M_V2_LIMIT_MAX) {
            port_logf(&d->port, M2M_LOG_INFO,
                      "project %s: modelarts.per_page = %lu: the v2 list takes at most %d jobs a "
                      "page; %d are used",
                      projects[i].project_id, (unsigned long)projects[i].per_page, M2M_V2_LIMIT_MAX,
                      M2M_V2_LIMIT_MAX);
        }
    }
    if (c->insecure) {
        for (i = 0; i < count; i++) {
            port_logf(&d->port, M2M_LOG_WARN,
                      "modelarts.insecure = true: TLS verification of %s is off",
                      projects[i].api_host);
        }
    }
#if !M2M_MQTT_TLS
    if (c->mqtt_ca_file[0] != '\0') {
        port_logf(&d->port, M2M_LOG_WARN,
                  "mqtt.ca_file = %s is not used: this build has no MQTT over TLS (built with "
                  "MQTT_TLS=0)",
                  c->mqtt_ca_file);
    }
#endif
    if (c->per_job_entities && !c->discovery) {
        port_logf(&d->port, M2M_LOG_WARN,
                  "homeassistant.per_job_entities = true has no effect with discovery = false");
    }
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reload.c - SIGHUP (daemon.h): the configuration reread, compared with the
 * one in force, and applied: what the new one leaves behind on the broker
 * is cleared first (leftovers.c); the MQTT session is opened again only when
 * its settings, Home Assistant's or the set of projects with discovery
 * changed, and a new TLS setup replaces the old one only when ca_file or
 * insecure changed.
 */
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

/* 1 if the projects of fresh differ from the running ones (ids or order). */
static int project_ids_differ(const daemon_t *d, const config_t *fresh, size_t count)
{
    size_t i;
    if (count != d->n_projects) {
        return 1;
    }
    for (i = 0; i < count; i++) {
        if (strcmp(fresh[i].project_id, d->projects[i]->cfg.project_id) != 0) {
            return 1;
        }
    }
    return 0;
}

int reload(daemon_t *d)
{
    char err[CONFIG_ERROR_MAX];
    config_t *fresh = malloc(sizeof *fresh);
    config_t *projects = NULL;
    size_t count = 0;
    config_status_t st;
    int mqtt_changed;
    int topics_changed;
    int projects_changed = 0;
    int ids_changed;
    int tls_changed;
    int next_tls = d->tls_in_use;
    size_t i;

    if (fresh == NULL) {
        port_logf(&d->port, M2M_LOG_ERROR, "reload: out of memory; configuration unchanged");
        return -1;
    }
    st = load_config(d, fresh, &projects, &count, err, sizeof err);
    if (st != CONFIG_OK) {
        port_logf(&d->port, M2M_LOG_ERROR,
                  "reload: configuration error: %s; keeping the previous configuration", err);
        free(fresh);
        return -1;
    }
    for (i = 0; i < count; i++) {
        project_t *p = i < d->n_projects ? d->projects[i] : NULL;
        if (p != NULL && strcmp(p->cfg.project_id, projects[i].project_id) == 0) {
            if (projects[i].max_jobs != p->cfg.max_jobs) {
                port_logf(&p->port, M2M_LOG_WARN,
                          "reload: modelarts.max_jobs takes effect at the next start; keeping %lu",
                          (unsigned long)p->cfg.max_jobs);
                projects[i].max_jobs = p->cfg.max_jobs;
            }
            projects_changed |= config_section_differs(&p->cfg, &projects[i], "modelarts");
        }
    }
    ids_changed = project_ids_differ(d, projects, count);
    mqtt_changed = config_section_differs(d->cfg, fresh, "mqtt");
    if (!mqtt_changed && !ids_changed && !projects_changed &&
        !config_section_differs(d->cfg, fresh, "modelarts") &&
        !config_section_differs(d->cfg, fresh, "homeassistant")) {
        port_logf(&d->port, M2M_LOG_INFO, "reload: configuration unchanged");
        free(projects);
        free(fresh);
        return -1;
    }
    topics_changed = config_key_differs(d->cfg, fresh, "mqtt", "base_topic") ||
                     config_key_differs(d->cfg, fresh, "mqtt", "agent_id");
    /* Discovery is published at the start of a session: a changed
     * [homeassistant] section, or a new project's device, takes a new one. */
    if (config_section_differs(d->cfg, fresh, "homeassistant") ||
        (ids_changed && fresh->discovery)) {
        mqtt_changed = 1;
    }
    tls_changed = config_key_differs(d->cfg, fresh, "modelarts", "ca_file") ||
                  config_key_differs(d->cfg, fresh, "modelarts", "insecure");
    if (tls_changed) {
        next_tls = 1 - d->tls_in_use;
        if (tls_setup_init(&d->tls[next_tls], fresh->ca_file, fresh->insecure, err, sizeof err) !=
            TLS_SETUP_OK) {
            port_logf(&d->port, M2M_LOG_ERROR,
                      "reload: configuration error: %s; keeping the previous configuration", err);
            free(projects);
            free(fresh);
            return -1;
        }
    }

    /* What the new configuration would leave behind is cleared while the
     * old session and topics are in force. */
    (void)clear_leftovers(d, fresh, projects, count);
    /* "offline" goes to the old topics, over the old session. */
    if (mqtt_changed && d->started) {
        stop_session(d);
    }
    for (i = 0; i < d->n_projects; i++) {
        tls_client_close(&d->projects[i]->agent.tls);
    }
    if (next_tls != d->tls_in_use) {
        /* The old setup's contexts go first: every project attaches anew. */
        for (i = 0; i < d->n_projects; i++) {
            project_t *p = d->projects[i];
            tls_client_forget_session(&p->agent.tls);
            if (p->ssl_ready) {
                mbedtls_ssl_free(&p->ssl);
                p->ssl_ready = 0;
            }
        }
        tls_setup_free(&d->tls[d->tls_in_use]);
        d->tls_in_use = next_tls;
    }

    memcpy(d->cfg, fresh, sizeof *d->cfg);
    free(fresh);
    fill_mqtt_settings(&d->port.mqtt, d->cfg);
    if (apply_projects(d, projects, count, topics_changed) != 0) {
        free(projects);
        return M2M_POLL_TRANSIENT;
    }
    warn_about(d, d->cfg, projects, count);
    free(projects);
    fill_discovery(d, d->cfg);
    port_logf(&d->port, M2M_LOG_INFO, "reload: configuration applied (%lu project%s)",
              (unsigned long)d->n_projects, d->n_projects == 1 ? "" : "s");
    if (mqtt_changed) {
        m2m_poll_result_t r;
        port_logf(&d->port, M2M_LOG_INFO,
                  "reload: MQTT or Home Assistant settings changed: reconnecting to %s",
                  d->cfg->mqtt_uri);
        r = start_session(d);
        if (r == M2M_POLL_CONFIG) {
            return r;
        }
    }
    return -1;
}

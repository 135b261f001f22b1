/* SPDX-License-Identifier: Apache-2.0 */
/*
 * projects.c - the daemon's projects (daemon.h): each project's agent, its
 * buffers, log prefix and TLS context; the project set a reload changes;
 * and B/health of several projects (health_total.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "health_total.h"

/* The agent's configuration of p: p->cfg's strings and p's buffers. With
 * several projects (several = 1) the agent publishes P/health. */
static void fill_agent_config(project_t *p, int several)
{
    m2m_agent_config_t *ac = &p->agent_cfg;
    const config_t *c = &p->cfg;
    memset(ac, 0, sizeof *ac);
    ac->host = c->api_host;
    ac->port = c->api_port;
    ac->project_id = c->project_id;
    ac->auth = c->auth == CONFIG_AUTH_AKSK       ? M2M_AUTH_AKSK
               : c->auth == CONFIG_AUTH_PASSWORD ? M2M_AUTH_PASSWORD
                                                 : M2M_AUTH_TOKEN;
    ac->token = c->token;
    ac->ak = c->ak;
    ac->sk = c->sk;
    ac->security_token = c->security_token;
    ac->iam_host = c->iam_host;
    ac->iam_port = c->iam_port;
    ac->user = c->user;
    ac->domain = c->domain;
    ac->password = c->password;
    ac->token_buf = p->token_buf;
    ac->token_cap = p->token_buf != NULL ? CONFIG_TOKEN_MAX : 0;
    ac->api = strcmp(c->api, "v2") == 0 ? M2M_API_V2 : M2M_API_V1;
    ac->table_ids2 = p->table_ids2;
    ac->table_bytes = p->table_bytes;
    ac->per_page = c->per_page;
    ac->status = c->status;
    ac->search_content = c->search_content;
    ac->workspace_id = c->workspace_id;
    ac->sort_by = c->sort_by;
    ac->order = c->order;
    ac->insecure = c->insecure;
    ac->base_topic = c->base_topic;
    ac->agent_id = c->agent_id;
    ac->qos = (int)c->qos;
    ac->version = M2M_VERSION;
    ac->heartbeat_ms = c->heartbeat * 1000u;
    ac->project_health = several ? 1 : 0;
}

/* The TLS context of project index: the first uses the setup's own, every
 * other one its own context over the same configuration. Returns 0 or -1. */
static int attach_tls(daemon_t *d, project_t *p, size_t index)
{
    tls_setup_t *t = &d->tls[d->tls_in_use];
    if (p->ssl_ready) {
        mbedtls_ssl_free(&p->ssl);
        p->ssl_ready = 0;
    }
    if (index == 0) {
        tls_client_init(&p->agent.tls, &t->cfg.ssl, &p->port, p->cfg.timeout * 1000u);
        return 0;
    }
    mbedtls_ssl_init(&p->ssl);
    p->ssl_ready = 1;
    if (mbedtls_ssl_setup(&p->ssl, &t->cfg.conf) != 0) {
        return -1;
    }
    tls_client_init(&p->agent.tls, &p->ssl, &p->port, p->cfg.timeout * 1000u);
    return 0;
}

/* Log lines of a project's agent name the project when there are several. */
static void set_log_prefix(daemon_t *d, project_t *p)
{
    if (d->n_projects > 1) {
        snprintf(p->port.log_prefix, sizeof p->port.log_prefix,
                 "project %.64s: ", p->cfg.project_id);
    } else {
        p->port.log_prefix[0] = '\0';
    }
}

/* The buffers a project's configuration asks for that it lacks. Returns 0
 * or -1 (out of memory). */
static int project_buffers(project_t *p)
{
    if (p->cfg.auth == CONFIG_AUTH_PASSWORD && p->token_buf == NULL) {
        p->token_buf = calloc(1, CONFIG_TOKEN_MAX);
    }
    if (p->table == NULL) {
        p->table = calloc(p->cfg.max_jobs, sizeof *p->table);
    }
    if (strcmp(p->cfg.api, "v2") == 0 && p->table_ids2 == NULL) {
        p->table_ids2 = calloc(p->cfg.max_jobs, sizeof *p->table_ids2);
    }
    if (M2M_FAST_DIFF && p->table_bytes == NULL) {
        p->table_bytes = calloc(p->cfg.max_jobs, sizeof *p->table_bytes);
    }
    return (p->cfg.auth == CONFIG_AUTH_PASSWORD && p->token_buf == NULL) || p->table == NULL ||
                   (strcmp(p->cfg.api, "v2") == 0 && p->table_ids2 == NULL) ||
                   (M2M_FAST_DIFF && p->table_bytes == NULL)
               ? -1
               : 0;
}

void project_free(project_t *p)
{
    if (p == NULL) {
        return;
    }
    tls_client_forget_session(&p->agent.tls); /* the session kept for resumption */
    if (p->ssl_ready) {
        mbedtls_ssl_free(&p->ssl);
    }
    ha_bridge_free(&p->ha);
    free(p->table);
    free(p->table_ids2);
    free(p->table_bytes);
    free(p->token_buf);
    free(p);
}

/* A new project at position index of d->projects (d->n_projects already
 * counts it). Returns NULL with the reason logged. */
static project_t *project_new(daemon_t *d, const config_t *cfg, size_t index, m2m_poll_result_t *r)
{
    project_t *p = calloc(1, sizeof *p);
    *r = M2M_POLL_TRANSIENT;
    if (p == NULL || port_init(&p->port, d->port.log_level) != 0) {
        port_logf(&d->port, M2M_LOG_ERROR, "out of memory for project %s", cfg->project_id);
        free(p);
        return NULL;
    }
    memcpy(&p->cfg, cfg, sizeof p->cfg);
    p->port.session = &d->port;
    set_log_prefix(d, p);
    if (project_buffers(p) != 0) {
        port_logf(&d->port, M2M_LOG_ERROR, "out of memory for %lu jobs of project %s",
                  (unsigned long)p->cfg.max_jobs, p->cfg.project_id);
        project_free(p);
        return NULL;
    }
    fill_agent_config(p, d->n_projects > 1);
    *r = m2m_agent_init(&p->agent, &p->agent_cfg, &p->port, &d->tls[d->tls_in_use].cfg.ssl,
                        p->table, p->cfg.max_jobs, p->cfg.timeout * 1000u);
    if (*r == M2M_POLL_OK && attach_tls(d, p, index) != 0) {
        port_logf(&d->port, M2M_LOG_ERROR, "project %s: mbedtls_ssl_setup failed",
                  p->cfg.project_id);
        *r = M2M_POLL_TRANSIENT;
    }
    if (*r != M2M_POLL_OK) {
        project_free(p);
        return NULL;
    }
    return p;
}

m2m_poll_result_t start_projects(daemon_t *d, const config_t *projects, size_t count)
{
    size_t i;
    d->n_projects = count;
    for (i = 0; i < count; i++) {
        m2m_poll_result_t r;
        d->projects[i] = project_new(d, &projects[i], i, &r);
        if (d->projects[i] == NULL) {
            d->n_projects = i;
            return r;
        }
    }
    return M2M_POLL_OK;
}

/* The running project with this id, taken out of old[], or NULL. */
static project_t *take_project(project_t **old, size_t n_old, const char *project_id)
{
    size_t i;
    for (i = 0; i < n_old; i++) {
        if (old[i] != NULL && strcmp(old[i]->cfg.project_id, project_id) == 0) {
            project_t *p = old[i];
            old[i] = NULL;
            return p;
        }
    }
    return NULL;
}

int apply_projects(daemon_t *d, const config_t *fresh, size_t count, int topics_changed)
{
    project_t *old[CONFIG_PROJECTS_MAX];
    project_t *next[CONFIG_PROJECTS_MAX];
    size_t n_old = d->n_projects;
    size_t i;
    int failed = 0;

    memcpy(old, d->projects, sizeof old);
    /* No hook may call a bridge that is about to go. */
    stop_discovery(d);

    for (i = 0; i < count; i++) {
        next[i] = take_project(old, n_old, fresh[i].project_id);
    }
    for (i = 0; i < n_old; i++) {
        if (old[i] != NULL) {
            m2m_agent_leave(&old[i]->agent);
            project_free(old[i]);
        }
    }
    d->n_projects = count;
    for (i = 0; i < count; i++) {
        project_t *p = next[i];
        d->projects[i] = p;
        if (p == NULL) {
            m2m_poll_result_t r;
            p = project_new(d, &fresh[i], i, &r);
            d->projects[i] = p;
            if (p == NULL) {
                failed = 1;
                continue;
            }
            p->next_poll = m2m_time_monotonic_ms(&d->port);
            port_logf(&d->port, M2M_LOG_INFO, "reload: project %s added: new baseline",
                      p->cfg.project_id);
            if (d->started) {
                (void)m2m_agent_join(&p->agent);
            }
            continue;
        }
        /* The next poll opens a new API connection with the new settings. */
        tls_client_close(&p->agent.tls);
        if (config_section_differs(&p->cfg, &fresh[i], "modelarts")) {
            p->agent.token_expires_at = 0; /* auth = password: a new IAM token */
        }
        memcpy(&p->cfg, &fresh[i], sizeof p->cfg);
        set_log_prefix(d, p);
        if (project_buffers(p) != 0) {
            failed = 1;
            continue;
        }
        if (p->agent_cfg.project_health != (d->n_projects > 1)) {
            p->agent.health_sent.valid = 0; /* health moves between B and P */
        }
        fill_agent_config(p, d->n_projects > 1);
        if (attach_tls(d, p, i) != 0) {
            failed = 1;
            continue;
        }
        if (topics_changed) {
            /* New job topics: every job is published again, without events. */
            m2m_agent_reset_baseline(&p->agent);
            port_logf(&d->port, M2M_LOG_INFO, "reload: topics changed: new baseline for project %s",
                      p->cfg.project_id);
        }
    }
    if (failed) {
        size_t kept = 0;
        for (i = 0; i < count; i++) {
            if (d->projects[i] != NULL) {
                d->projects[kept++] = d->projects[i];
            }
        }
        d->n_projects = kept;
        port_logf(&d->port, M2M_LOG_ERROR, "reload: a project could not be set up");
        return -1;
    }
    d->health_sent_valid = 0;
    return 0;
}

void publish_total_health(daemon_t *d)
{
    const health_t *parts[CONFIG_PROJECTS_MAX];
    const char *ids[CONFIG_PROJECTS_MAX];
    char topic[CONFIG_TOPIC_MAX + CONFIG_ID_MAX + 8];
    health_t total;
    health_t timeless;
    uint64_t now = m2m_time_monotonic_ms(&d->port);
    uint64_t heartbeat_ms = (uint64_t)d->cfg->heartbeat * 1000u;
    long len;
    size_t i;

    if (d->n_projects < 2 || !d->started) {
        return;
    }
    for (i = 0; i < d->n_projects; i++) {
        parts[i] = &d->projects[i]->agent.health;
        ids[i] = d->projects[i]->cfg.project_id;
    }
    health_total(&total, parts, d->n_projects);
    timeless = total;
    timeless.latency_ms = 0;
    timeless.last_success_at = 0;
    timeless.next_poll_at = 0;
    len = health_total_payload(d->health_payload, sizeof d->health_payload, &timeless, parts, ids,
                               d->n_projects);
    if (len < 0) {
        return;
    }
    if (d->health_sent_valid && heartbeat_ms != 0 && now - d->health_sent_at < heartbeat_ms &&
        strcmp(d->health_payload, d->health_sent) == 0) {
        return;
    }
    memcpy(d->health_sent, d->health_payload, (size_t)len + 1);
    len = health_total_payload(d->health_payload, sizeof d->health_payload, &total, parts, ids,
                               d->n_projects);
    snprintf(topic, sizeof topic, "%s/health", d->port.mqtt.agent_topic);
    if (len >= 0 && m2m_mqtt_publish(&d->port, topic, d->health_payload, (size_t)len,
                                     (int)d->cfg->qos, 1) == M2M_PORT_OK) {
        d->health_sent_valid = 1;
        d->health_sent_at = now;
    } else {
        d->health_sent_valid = 0;
    }
}

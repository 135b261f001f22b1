/*
 * main.c - modelarts2mqtt on a Linux gateway: command line, configuration,
 * the daemon loop, signals and exit codes (docs/configuration.md).
 *
 * Exit codes are the agent's m2m_poll_result_t: 0 success, 1 transient
 * failure, 2 usage or configuration error (the broker refusing the
 * credentials included), 3 the API refused.
 *
 * Signal handlers only set flags. A signal ends the sleep between polls at
 * once (the sleep is not resumed); during a poll it is seen when the poll
 * ends, and every network operation of a poll is bounded by
 * modelarts.timeout.
 *
 * Under systemd (Type=notify, sd_notify.h) the daemon reports READY=1 once
 * its first MQTT connect attempt and, when that succeeded, its first poll
 * are over, whatever their outcome (a broker or API that is down at boot is
 * retried, not a failed start); RELOADING=1 and READY=1 around a SIGHUP;
 * STOPPING=1 when it stops; a STATUS= line after each poll. The watchdog is
 * pinged from this thread only: between polls, and during a poll by every
 * network read or write that moved bytes and every acknowledged publish
 * (tcp_mbedtls.c, mqtt_paho.c), so a poll that hangs stops the pings.
 *
 * Several projects (docs/configuration.md): one agent per project, each with
 * its own port context for its API connection (and its own TLS context,
 * job table, change buffer and IAM token), all over the one MQTT session of
 * the daemon's port. The first project's agent opens the session, the
 * others join it. Projects are polled one after another, each on its own
 * schedule and backoff; with more than one, every agent publishes P/health
 * and this file publishes B/health for all of them (health_total.h).
 */
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "backoff.h"
#include "config.h"
#include "ha_bridge.h"
#include "health_total.h"
#include "port_posix.h"
#include "sd_notify.h"
#include "tls_setup.h"

#ifndef M2M_VERSION
#define M2M_VERSION "0.0.0"
#endif

#define PROGRAM "modelarts2mqtt"

/* Longest sleep between two looks at the signal flags, in ms. */
#define STEP_MS 1000u

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;

typedef struct {
    const char *config_path; /* -c, or NULL for the default */
    int once;
    int dry_run;
    int check_config;
    int verbose;
    int quiet;
    int help;
    int version;
    const char **sets; /* --set arguments, in order */
    size_t n_sets;
} options_t;

/* One project: its configuration, agent and API connection. */
typedef struct {
    config_t cfg; /* this project's configuration (config_load_project) */
    m2m_agent_config_t agent_cfg;
    m2m_port_t port;         /* its API connection; MQTT is the daemon's session */
    mbedtls_ssl_context ssl; /* projects after the first: their own context */
    int ssl_ready;           /* ssl is set up */
    m2m_agent_t agent;
    job_entry_t *table;
    void *change_buf; /* allocated at its start (change_buffer_kib), kept across reloads */
    size_t change_cap;
    char *token_buf;        /* auth = password: the IAM token, CONFIG_TOKEN_MAX bytes */
    ha_bridge_t ha;         /* its Home Assistant device */
    uint64_t next_poll;     /* monotonic ms */
    uint64_t last_start;    /* monotonic ms of its last poll's start, 0 before */
    m2m_poll_result_t last; /* its last poll's result */
} project_t;

typedef struct {
    options_t opt;
    m2m_port_t port;    /* the MQTT session every project's port shares */
    config_t *cfg;      /* the configuration in force ([modelarts] as written) */
    tls_setup_t tls[2]; /* the one in use and room for a reload's */
    int tls_in_use;
    project_t *projects[CONFIG_PROJECTS_MAX];
    size_t n_projects;
    int started;               /* the MQTT session is open */
    int was_started;           /* it has been open once */
    uint32_t session_failures; /* MQTT connects failed in a row */
    int republish_due_on;      /* MQTT 5 with message expiry: republish_at applies */
    uint64_t republish_at;     /* monotonic ms: refresh every retained job topic */
    int ready_sent;            /* READY=1 has gone to the service manager */

    /* B/health of several projects: the last one sent (timing aside) and
     * when. */
    char health_payload[M2M_PAYLOAD_MAX];
    char health_sent[M2M_PAYLOAD_MAX];
    uint64_t health_sent_at;
    int health_sent_valid;
} daemon_t;

/* ---- command line -------------------------------------------------------------- */

static void print_usage(FILE *out)
{
    fprintf(out, "Usage: " PROGRAM " [-c FILE] [--once] [--dry-run] [--check-config]\n"
                 "                      [--set SECTION.KEY=VALUE]... [-v|-q] [--version] [--help]\n"
                 "\n"
                 "Polls the ModelArts training job list and publishes job status to MQTT.\n"
                 "\n"
                 "  -c FILE         INI configuration (default " CONFIG_DEFAULT_FILE ")\n"
                 "  --once          one full poll, publish, disconnect, exit\n"
                 "  --dry-run       no broker: one poll, each message that would be published\n"
                 "                  printed on one line, then exit (implies --once)\n"
                 "  --check-config  validate the configuration and exit\n"
                 "  --set S.K=V     override key K of section S after the file (repeatable);\n"
                 "                  S.K splits at the last dot: modelarts.NAME.K is a key of\n"
                 "                  the project section [modelarts.NAME]\n"
                 "  -v              debug log\n"
                 "  -q              only warnings and errors\n"
                 "  --version       print the version and exit\n"
                 "  --help          print this help and exit\n"
                 "\n"
                 "Secrets may come from the environment: MODELARTS_TOKEN, MODELARTS_AK,\n"
                 "MODELARTS_SK, MODELARTS_PASSWORD, MQTT_PASSWORD (--set wins over the\n"
                 "environment, which wins over the file).\n"
                 "\n"
                 "Exit codes: 0 success, 1 transient failure (network, TLS, HTTP 5xx/408/429,\n"
                 "bad body, broker unreachable), 2 usage or configuration error (broker refused\n"
                 "the credentials included), 3 the API refused (other 4xx, redirect,\n"
                 "is_success false). With several projects, --once exits with the most severe:\n"
                 "2, then 3, then 1, then 0.\n"
                 "Signals: SIGINT/SIGTERM publish offline and exit 0; SIGHUP rereads the file.\n");
}

static int usage_error(const char *message, const char *arg)
{
    fprintf(stderr, "%s: %s%s%s\nTry '%s --help'.\n", PROGRAM, message, arg != NULL ? " " : "",
            arg != NULL ? arg : "", PROGRAM);
    return M2M_POLL_CONFIG;
}

/* Returns -1 when the arguments are fine, else the exit code. */
static int parse_args(int argc, char **argv, options_t *o)
{
    int i;
    memset(o, 0, sizeof *o);
    o->sets = calloc((size_t)argc, sizeof *o->sets);
    if (o->sets == NULL) {
        fprintf(stderr, "%s: out of memory\n", PROGRAM);
        return M2M_POLL_TRANSIENT;
    }
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-c") == 0) {
            if (i + 1 >= argc) {
                return usage_error("option -c needs a file name", NULL);
            }
            o->config_path = argv[++i];
        } else if (strcmp(a, "--once") == 0) {
            o->once = 1;
        } else if (strcmp(a, "--dry-run") == 0) {
            o->dry_run = 1;
        } else if (strcmp(a, "--check-config") == 0) {
            o->check_config = 1;
        } else if (strcmp(a, "--set") == 0) {
            if (i + 1 >= argc) {
                return usage_error("option --set needs SECTION.KEY=VALUE", NULL);
            }
            o->sets[o->n_sets++] = argv[++i];
        } else if (strncmp(a, "--set=", 6) == 0) {
            o->sets[o->n_sets++] = a + 6;
        } else if (strcmp(a, "-v") == 0) {
            o->verbose = 1;
        } else if (strcmp(a, "-q") == 0) {
            o->quiet = 1;
        } else if (strcmp(a, "--version") == 0) {
            o->version = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            o->help = 1;
        } else if (a[0] == '-') {
            /* Only the option's name: "--token=..." must not be echoed. */
            char name[32];
            size_t n = strcspn(a, "=");
            snprintf(name, sizeof name, "%.*s", (int)(n < 24 ? n : 24), a);
            return usage_error("unknown option", name);
        } else {
            return usage_error("unexpected argument (options start with -)", NULL);
        }
    }
    /* A dry run is a preview: printing every poll forever helps nobody. */
    if (o->dry_run) {
        o->once = 1;
    }
    if (o->verbose && o->quiet) {
        return usage_error("-v and -q exclude each other", NULL);
    }
    return -1;
}

/* ---- configuration ------------------------------------------------------------- */

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

/* Load c and every project's configuration into *projects (allocated here,
 * config_project_count(c) entries; the caller frees it). */
static config_status_t load_config(daemon_t *d, config_t *c, config_t **projects, size_t *count,
                                   char *err, size_t err_size)
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
    ac->change_buf = p->change_buf;
    ac->change_cap = p->change_cap;
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

/* B, for the port to recognise job topics (MQTT 5 message expiry). */
static char agent_topic[CONFIG_TOPIC_MAX + CONFIG_ID_MAX];

static void fill_mqtt_settings(port_mqtt_settings_t *s, const config_t *c)
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

/* One Home Assistant device per project, chained on the session's port.
 * Paho's thread reads the bridges (the status topic) under ack_lock. */
static void fill_discovery(daemon_t *d, const config_t *c)
{
    size_t i;
    pthread_mutex_lock(&d->port.ack_lock);
    d->port.ha = NULL;
    if (c->discovery) {
        for (i = d->n_projects; i-- > 0;) {
            project_t *p = d->projects[i];
            ha_settings_t s;
            s.prefix = c->ha_prefix;
            s.base_topic = c->base_topic;
            s.agent_id = c->agent_id;
            s.project_id = p->cfg.project_id;
            s.version = M2M_VERSION;
            s.qos = (int)c->qos;
            s.expire_after_s = ha_expire_after_s(c->poll_interval, c->heartbeat);
            s.health_expire_after_s = ha_health_expire_after_s(c->poll_interval, c->heartbeat);
            s.project_health = d->n_projects > 1;
            /* Every string is bounded by config.c below the bridge's copies. */
            (void)ha_bridge_configure(&p->ha, &s, c->per_job_entities);
            p->ha.next = d->port.ha;
            d->port.ha = &p->ha;
        }
    }
    pthread_mutex_unlock(&d->port.ack_lock);
}

/* Warnings about the configuration c and its projects[0 .. count - 1]. */
static void warn_about(daemon_t *d, const config_t *c, const config_t *projects, size_t count)
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
    if (c->insecure) {
        for (i = 0; i < count; i++) {
            port_logf(&d->port, M2M_LOG_WARN,
                      "modelarts.insecure = true: TLS verification of %s is off",
                      projects[i].api_host);
        }
    }
    if (c->per_job_entities && !c->discovery) {
        port_logf(&d->port, M2M_LOG_WARN,
                  "homeassistant.per_job_entities = true has no effect with discovery = false");
    }
}

/* ---- projects ---------------------------------------------------------------------- */

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
        tls_client_init(&p->agent.tls, &t->ssl, &p->port, p->cfg.timeout * 1000u);
        return 0;
    }
    mbedtls_ssl_init(&p->ssl);
    p->ssl_ready = 1;
    if (mbedtls_ssl_setup(&p->ssl, &t->conf) != 0) {
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
    if (p->change_buf == NULL) {
        p->change_cap = (size_t)p->cfg.change_buffer_kib * 1024u;
        p->change_buf = malloc(p->change_cap);
    }
    if (p->table == NULL) {
        p->table = calloc(p->cfg.max_jobs, sizeof *p->table);
    }
    return (p->cfg.auth == CONFIG_AUTH_PASSWORD && p->token_buf == NULL) || p->change_buf == NULL ||
                   p->table == NULL
               ? -1
               : 0;
}

static void project_free(project_t *p)
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
    free(p->change_buf);
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
    *r = m2m_agent_init(&p->agent, &p->agent_cfg, &p->port, &d->tls[d->tls_in_use].ssl, p->table,
                        p->cfg.max_jobs, p->cfg.timeout * 1000u);
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

/* ---- signals ---------------------------------------------------------------------- */

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void on_reload_signal(int sig)
{
    (void)sig;
    reload_requested = 1;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: the sleep between polls must end on a signal. */
    sa.sa_handler = on_stop_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_reload_signal;
    sigaction(SIGHUP, &sa, NULL);
    /* A write to a socket the peer closed is an error to handle, not a
     * reason to die. */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

/* ---- the agents' lifecycle ---------------------------------------------------------- */

/* MQTT 5 with a message expiry: a retained job topic that is not refreshed
 * expires, and an unchanged job is not republished. So every job topic is
 * published again every message_expiry / 2, the first time sooner when a job
 * topic read back at start has less than that left. */
static void schedule_republish(daemon_t *d)
{
    uint64_t half_ms = (uint64_t)d->cfg->message_expiry * 500u;
    uint32_t left = d->port.retained_expiry_min_s;
    d->republish_due_on = d->port.mqtt.protocol_v5 && d->cfg->message_expiry > 0;
    if (left != UINT32_MAX && (uint64_t)left * 500u < half_ms) {
        half_ms = (uint64_t)left * 500u;
    }
    d->republish_at = m2m_time_monotonic_ms(&d->port) + half_ms;
}

static void republish_if_due(daemon_t *d, uint64_t now)
{
    size_t i;
    if (d->republish_due_on && now >= d->republish_at) {
        port_logf(&d->port, M2M_LOG_DEBUG,
                  "mqtt: republishing every job topic before its message expiry");
        for (i = 0; i < d->n_projects; i++) {
            m2m_agent_republish_all(&d->projects[i]->agent);
        }
        d->health_sent_valid = 0;
        d->republish_at = now + (uint64_t)d->cfg->message_expiry * 500u;
    }
}

/* Open the MQTT session: the first project's agent starts it, every other
 * one joins. Returns the first agent's result; logs a retry. */
static m2m_poll_result_t start_session(daemon_t *d)
{
    m2m_poll_result_t r = m2m_agent_start(&d->projects[0]->agent);
    size_t i;
    if (r == M2M_POLL_OK) {
        for (i = 1; i < d->n_projects; i++) {
            (void)m2m_agent_join(&d->projects[i]->agent);
        }
        if (d->was_started) {
            for (i = 0; i < d->n_projects; i++) {
                d->projects[i]->agent.health.mqtt_reconnects++;
            }
        }
        d->started = 1;
        d->was_started = 1;
        d->health_sent_valid = 0;
        schedule_republish(d);
    } else {
        d->started = 0;
        m2m_mqtt_disconnect(&d->port);
    }
    return r;
}

/* "offline" on B/status and the end of the session; every API connection
 * closed. */
static void stop_session(daemon_t *d)
{
    size_t i;
    if (d->n_projects == 0) {
        m2m_mqtt_disconnect(&d->port); /* a reload that could not set up a project */
        d->started = 0;
        return;
    }
    for (i = 1; i < d->n_projects; i++) {
        m2m_agent_leave(&d->projects[i]->agent);
    }
    m2m_agent_stop(&d->projects[0]->agent);
    d->started = 0;
}

/* B/health of several projects (health_total.h), when its content changed
 * (timing aside, as the core does for one project) or the heartbeat is due. */
static void publish_total_health(daemon_t *d)
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
    snprintf(topic, sizeof topic, "%s/health", agent_topic);
    if (len >= 0 && m2m_mqtt_publish(&d->port, topic, d->health_payload, (size_t)len,
                                     (int)d->cfg->qos, 1) == M2M_PORT_OK) {
        d->health_sent_valid = 1;
        d->health_sent_at = now;
    } else {
        d->health_sent_valid = 0;
    }
}

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

/* SIGHUP with the projects of fresh (count of them): a project that stays
 * keeps its agent (its jobs, baseline and schedule) and takes its new
 * configuration; a new one gets an agent that joins the session (its
 * retained job topics are its baseline); a removed one leaves: its topics
 * stay as they are. Returns 0, or -1 (out of memory: the caller exits). */
static int apply_projects(daemon_t *d, const config_t *fresh, size_t count, int topics_changed)
{
    project_t *old[CONFIG_PROJECTS_MAX];
    project_t *next[CONFIG_PROJECTS_MAX];
    size_t n_old = d->n_projects;
    size_t i;
    int failed = 0;

    memcpy(old, d->projects, sizeof old);
    /* Paho's thread must not see a bridge that is about to go. */
    pthread_mutex_lock(&d->port.ack_lock);
    d->port.ha = NULL;
    pthread_mutex_unlock(&d->port.ack_lock);

    for (i = 0; i < count; i++) {
        next[i] = take_project(old, n_old, fresh[i].project_id);
    }
    for (i = 0; i < n_old; i++) {
        if (old[i] != NULL) {
            port_logf(&d->port, M2M_LOG_INFO,
                      "reload: project %s removed: its topics are left as they are",
                      old[i]->cfg.project_id);
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

/* SIGHUP: reread the file. Returns -1 to go on, else the exit code. */
static int reload(daemon_t *d)
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
            if (projects[i].change_buffer_kib != p->cfg.change_buffer_kib) {
                port_logf(&p->port, M2M_LOG_WARN,
                          "reload: modelarts.change_buffer_kib takes effect at the next start; "
                          "keeping %lu",
                          (unsigned long)p->cfg.change_buffer_kib);
                projects[i].change_buffer_kib = p->cfg.change_buffer_kib;
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

/* The more severe of two results, as --once reports them: configuration
 * (2) over refused (3) over transient (1) over success (0). */
static m2m_poll_result_t more_severe(m2m_poll_result_t a, m2m_poll_result_t b)
{
    static const m2m_poll_result_t order[] = {M2M_POLL_CONFIG, M2M_POLL_REFUSED,
                                              M2M_POLL_TRANSIENT};
    size_t i;
    for (i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (a == order[i] || b == order[i]) {
            return order[i];
        }
    }
    return M2M_POLL_OK;
}

/* One --once run: every project polled once. */
static int run_once(daemon_t *d)
{
    m2m_poll_result_t r = start_session(d);
    m2m_poll_result_t worst = M2M_POLL_OK;
    size_t i;
    if (r != M2M_POLL_OK) {
        return r;
    }
    for (i = 0; i < d->n_projects && !stop_requested; i++) {
        r = m2m_agent_poll(&d->projects[i]->agent, 0);
        d->projects[i]->last = r;
        worst = more_severe(worst, r);
    }
    publish_total_health(d);
    stop_session(d);
    return stop_requested ? M2M_POLL_OK : worst;
}

/* A random value for the jitter of the backoff, from the CTR-DRBG that
 * serves TLS (seeded from the system's entropy; only this thread uses it).
 * Should it fail, the scrambled monotonic clock still sets gateways apart:
 * jitter needs spread, not secrecy. */
static uint32_t jitter_random(daemon_t *d)
{
    unsigned char b[4];
    if (mbedtls_ctr_drbg_random(&d->tls[d->tls_in_use].drbg, b, sizeof b) == 0) {
        return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    }
    return (uint32_t)m2m_time_monotonic_ms(&d->port) * 2654435761u;
}

/* When project p's poll that started at started (monotonic ms) and ended
 * with r is followed by its next one (monotonic ms). A success keeps the
 * regular schedule, start to start. A failure waits from its end as
 * include/backoff.h says; the wait is logged and health, published by the
 * poll with the regular next_poll_at, is published again with the real one. */
static uint64_t pace_after_poll(daemon_t *d, project_t *p, m2m_poll_result_t r, uint64_t started,
                                uint64_t interval_ms)
{
    m2m_agent_t *a = &p->agent;
    int is_429 = a->health.http_status == 429;
    int64_t now_utc = m2m_time_utc_ms(&d->port);
    int64_t date_ms = a->retry_after_date >= 0 && a->retry_after_date <= INT64_MAX / 1000
                          ? a->retry_after_date * 1000
                          : -1;
    backoff_outcome_t outcome;
    const char *why;
    uint32_t wait;

    if (r == M2M_POLL_OK) {
        return started + interval_ms;
    }
    /* A configuration the API cannot take (an IAM token over its buffer)
     * will not fix itself either: paced as a refusal. */
    outcome = r == M2M_POLL_TRANSIENT ? BACKOFF_POLL_TRANSIENT : BACKOFF_POLL_REFUSED;
    wait = backoff_wait_after_poll_ms(outcome, is_429, a->retry_after_seconds, date_ms, now_utc,
                                      a->health.consecutive_failures, (uint32_t)interval_ms,
                                      jitter_random(d));
    if (r == M2M_POLL_REFUSED) {
        why = "refused";
    } else if (r == M2M_POLL_CONFIG) {
        why = "configuration";
    } else if (!is_429) {
        why = "transient";
    } else {
        why = a->retry_after_seconds >= 0 || date_ms >= 0 ? "HTTP 429, Retry-After" : "HTTP 429";
    }
    port_logf(&p->port, M2M_LOG_WARN, "poll failed (%s): next attempt in %.3f s (attempt %lu)", why,
              wait / 1000.0, (unsigned long)a->health.consecutive_failures);
    m2m_agent_set_next_poll(a, now_utc + (int64_t)wait);
    return m2m_time_monotonic_ms(&d->port) + wait;
}

/* ---- the service manager (sd_notify.h; nothing is sent without NOTIFY_SOCKET) ------ */

/* STATUS=text, preceded by READY=1 the first time: the start is over. */
static void notify_status(daemon_t *d, const char *text)
{
    (void)sdnotify_sendf("%sSTATUS=%s", d->ready_sent ? "" : "READY=1\n", text);
    d->ready_sent = 1;
}

/* The agent's own error code of p (the API's message may hold anything),
 * with anything but printable ASCII replaced, so that a STATUS= assignment
 * stays one line. */
static void printable_code(const project_t *p, char *code, size_t size)
{
    size_t i;
    for (i = 0; i + 1 < size && p->agent.error_code[i] != '\0'; i++) {
        char c = p->agent.error_code[i];
        code[i] = c >= 0x20 && c < 0x7f ? c : '?';
    }
    code[i] = '\0';
}

static const char *result_word(m2m_poll_result_t r)
{
    return r == M2M_POLL_TRANSIENT ? "transient"
           : r == M2M_POLL_REFUSED ? "refused"
                                   : "configuration";
}

/* STATUS= after a round of polls. With one project: its last poll; with
 * several: how many are ok, the jobs of all, and the first failing one. */
static void notify_poll(daemon_t *d)
{
    char code[sizeof d->projects[0]->agent.error_code];
    char text[sizeof code + 2 * CONFIG_ID_MAX + 160];
    const project_t *failing = NULL;
    unsigned long jobs = 0;
    unsigned long pages = 0;
    size_t ok = 0;
    size_t i;

    for (i = 0; i < d->n_projects; i++) {
        const project_t *p = d->projects[i];
        jobs += p->agent.health.jobs;
        pages += p->agent.health.pages;
        if (p->last == M2M_POLL_OK) {
            ok++;
        } else if (failing == NULL) {
            failing = p;
        }
    }
    if (d->n_projects == 1) {
        const project_t *p = d->projects[0];
        printable_code(p, code, sizeof code);
        if (p->last == M2M_POLL_OK) {
            snprintf(text, sizeof text, "last poll ok: %lu jobs in %lu pages",
                     (unsigned long)p->agent.health.jobs, (unsigned long)p->agent.health.pages);
        } else {
            snprintf(text, sizeof text, "last poll failed (%s%s%s), %lu in a row",
                     result_word(p->last), code[0] != '\0' ? ": " : "", code,
                     (unsigned long)p->agent.health.consecutive_failures);
        }
    } else if (failing == NULL) {
        snprintf(text, sizeof text, "last polls ok: %lu projects, %lu jobs in %lu pages",
                 (unsigned long)d->n_projects, jobs, pages);
    } else {
        printable_code(failing, code, sizeof code);
        snprintf(text, sizeof text,
                 "%lu of %lu projects ok, %lu jobs; project %.64s failed (%s%s%s), %lu in a row",
                 (unsigned long)ok, (unsigned long)d->n_projects, jobs, failing->cfg.project_id,
                 result_word(failing->last), code[0] != '\0' ? ": " : "", code,
                 (unsigned long)failing->agent.health.consecutive_failures);
    }
    notify_status(d, text);
}

static void notify_init(daemon_t *d)
{
    sdnotify_status_t st = sdnotify_init();
    if (st == SDNOTIFY_OK) {
        port_logf(&d->port, M2M_LOG_DEBUG, "systemd notification on, watchdog %s%lu ms",
                  sdnotify_watchdog_interval_ms() != 0 ? "every " : "off ",
                  (unsigned long)sdnotify_watchdog_interval_ms());
    } else if (st != SDNOTIFY_OFF) {
        port_logf(&d->port, M2M_LOG_WARN, "systemd notification: %s", sdnotify_strerror(st));
    }
}

/* The longest sleep between two looks at the flags and the watchdog: a
 * second, or half the watchdog's ping interval, so that a ping is never
 * later than three quarters of WATCHDOG_USEC. */
static uint32_t sleep_step_ms(void)
{
    uint32_t half = sdnotify_watchdog_interval_ms() / 2u;
    if (sdnotify_watchdog_interval_ms() == 0 || half >= STEP_MS) {
        return STEP_MS;
    }
    return half > 0 ? half : 1u;
}

/* The soonest next poll of any project (monotonic ms). */
static uint64_t soonest_poll(const daemon_t *d)
{
    uint64_t soonest = UINT64_MAX;
    size_t i;
    for (i = 0; i < d->n_projects; i++) {
        if (d->projects[i]->next_poll < soonest) {
            soonest = d->projects[i]->next_poll;
        }
    }
    return soonest;
}

/* The daemon: each project polled every poll_interval, start to start,
 * one after another when several are due, until a signal; failed polls are
 * retried as pace_after_poll() says, each project on its own. */
static int run_daemon(daemon_t *d)
{
    int code = M2M_POLL_OK;
    const uint32_t step_ms = sleep_step_ms();
    size_t i;

    for (i = 0; i < d->n_projects; i++) {
        d->projects[i]->next_poll = m2m_time_monotonic_ms(&d->port);
    }
    while (!stop_requested) {
        uint64_t now;
        uint64_t next;
        uint64_t interval_ms = (uint64_t)d->cfg->poll_interval * 1000u;
        int polled = 0;

        if (reload_requested) {
            int rc;
            reload_requested = 0;
            port_logf(&d->port, M2M_LOG_INFO, "SIGHUP: rereading the configuration");
            if (d->ready_sent) {
                (void)sdnotify_reloading();
            }
            rc = reload(d);
            if (rc >= 0) {
                code = rc;
                break;
            }
            if (d->ready_sent) {
                char text[64];
                snprintf(text, sizeof text, "configuration reread; polling every %lu s",
                         (unsigned long)d->cfg->poll_interval);
                (void)sdnotify_sendf("READY=1\nSTATUS=%s", text);
            }
            /* A changed interval counts from the start of the last poll; a
             * project that was backing off tries its new settings then too. */
            for (i = 0; i < d->n_projects; i++) {
                project_t *p = d->projects[i];
                if (p->last_start != 0) {
                    p->next_poll = p->last_start + (uint64_t)d->cfg->poll_interval * 1000u;
                }
            }
            continue;
        }
        now = m2m_time_monotonic_ms(&d->port);
        next = soonest_poll(d);
        if (now < next) {
            uint64_t wait = next - now;
            if (wait > step_ms) {
                wait = step_ms;
            }
            if (d->started) {
                m2m_mqtt_service(&d->port, (uint32_t)wait);
            } else {
                port_sleep_ms((uint32_t)wait);
            }
            sdnotify_watchdog_progress();
            continue;
        }

        if (d->started && !port_mqtt_session_up(&d->port)) {
            port_logf(&d->port, M2M_LOG_WARN, "mqtt: the session is gone; reconnecting");
            d->started = 0;
        }
        if (!d->started) {
            m2m_poll_result_t r = start_session(d);
            if (r == M2M_POLL_CONFIG) {
                code = r;
                break;
            }
            if (r != M2M_POLL_OK) {
                /* Back off with jitter, so a fleet does not reconnect in step
                 * after a broker restart; never slower than the poll interval. */
                uint32_t wait = backoff_delay_ms(d->session_failures++, M2M_BACKOFF_BASE_MS,
                                                 (uint32_t)interval_ms, jitter_random(d));
                if (wait < M2M_RETRY_MIN_MS) {
                    wait = M2M_RETRY_MIN_MS;
                }
                for (i = 0; i < d->n_projects; i++) {
                    if (d->projects[i]->next_poll < now + wait) {
                        d->projects[i]->next_poll = now + wait;
                    }
                }
                port_logf(&d->port, M2M_LOG_WARN,
                          "no MQTT session: next attempt in %.3f s (attempt %lu)", wait / 1000.0,
                          (unsigned long)d->session_failures);
                {
                    char text[96];
                    snprintf(text, sizeof text, "no MQTT session: %lu attempts failed",
                             (unsigned long)d->session_failures);
                    notify_status(d, text);
                }
                continue;
            }
            d->session_failures = 0;
        }
        republish_if_due(d, now);
        /* Every project that is due, in configuration order; a signal is
         * seen between two of them. */
        for (i = 0; i < d->n_projects && !stop_requested; i++) {
            project_t *p = d->projects[i];
            uint64_t started;
            m2m_poll_result_t r;
            if (p->next_poll > now) {
                continue;
            }
            started = m2m_time_monotonic_ms(&d->port);
            p->last_start = started;
            r = m2m_agent_poll(&p->agent, m2m_time_utc_ms(&d->port) + (int64_t)interval_ms);
            sdnotify_watchdog_progress();
            p->last = r;
            p->next_poll = pace_after_poll(d, p, r, started, interval_ms);
            polled = 1;
        }
        if (polled) {
            publish_total_health(d);
            notify_poll(d);
        }
    }

    if (stop_requested) {
        port_logf(&d->port, M2M_LOG_INFO, "signal received: stopping");
        (void)sdnotify_send("STOPPING=1\nSTATUS=stopping: signal received");
    } else {
        (void)sdnotify_sendf("STOPPING=1\nSTATUS=stopping: exit code %d", code);
    }
    if (d->started) {
        stop_session(d);
    } else {
        for (i = 0; i < d->n_projects; i++) {
            tls_client_close(&d->projects[i]->agent.tls);
        }
        m2m_mqtt_disconnect(&d->port);
    }
    return code;
}

/* ---- main ------------------------------------------------------------------------------ */

static config_t active_config;
static daemon_t the_daemon;

/* Every project's agent, for the configuration in force. Returns
 * M2M_POLL_OK or the exit code. */
static m2m_poll_result_t start_projects(daemon_t *d, const config_t *projects, size_t count)
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

static void log_start(daemon_t *d)
{
    char ids[CONFIG_PROJECT_LIST_MAX + CONFIG_PROJECTS_MAX];
    size_t used = 0;
    size_t i;
    ids[0] = '\0';
    for (i = 0; i < d->n_projects && used < sizeof ids; i++) {
        used += (size_t)snprintf(ids + used, sizeof ids - used, "%s%s", i > 0 ? ", " : "",
                                 d->projects[i]->cfg.project_id);
    }
    port_logf(&d->port, M2M_LOG_INFO,
              "%s %s starting: endpoint %s:%u, project%s %s, broker %s%s, poll every %lu s",
              PROGRAM, M2M_VERSION, d->projects[0]->cfg.api_host,
              (unsigned)d->projects[0]->cfg.api_port, d->n_projects > 1 ? "s" : "", ids,
              d->opt.dry_run ? "(dry run) " : "", d->cfg->mqtt_uri,
              (unsigned long)d->cfg->poll_interval);
}

int main(int argc, char **argv)
{
    daemon_t *d = &the_daemon;
    char err[CONFIG_ERROR_MAX];
    int code = parse_args(argc, argv, &d->opt);
    config_t *projects = NULL;
    size_t count = 0;
    m2m_poll_result_t r;
    size_t i;

    if (code >= 0) {
        return code;
    }
    if (d->opt.help) {
        print_usage(stdout);
        return 0;
    }
    if (d->opt.version) {
        printf("%s %s\n", PROGRAM, M2M_VERSION);
        return 0;
    }
    if (port_init(&d->port, d->opt.verbose ? M2M_LOG_DEBUG
                            : d->opt.quiet ? M2M_LOG_WARN
                                           : M2M_LOG_INFO) != 0) {
        fprintf(stderr, "%s: cannot create the port's locks\n", PROGRAM);
        return M2M_POLL_TRANSIENT;
    }
    d->port.dry_run = d->opt.dry_run;
    d->cfg = &active_config;

    if (load_config(d, d->cfg, &projects, &count, err, sizeof err) != CONFIG_OK) {
        port_logf(&d->port, M2M_LOG_ERROR, "configuration error: %s", err);
        return M2M_POLL_CONFIG;
    }
    warn_about(d, d->cfg, projects, count);
    if (tls_setup_init(&d->tls[0], d->cfg->ca_file, d->cfg->insecure, err, sizeof err) !=
        TLS_SETUP_OK) {
        port_logf(&d->port, M2M_LOG_ERROR, "configuration error: %s", err);
        free(projects);
        return M2M_POLL_CONFIG;
    }
    if (d->opt.check_config) {
        if (count > 1) {
            printf("configuration OK: %lu projects:", (unsigned long)count);
            for (i = 0; i < count; i++) {
                printf(" %s", projects[i].project_id);
            }
            printf("\n");
        } else {
            printf("configuration OK\n");
        }
        tls_setup_free(&d->tls[0]);
        free(projects);
        return 0;
    }

    fill_mqtt_settings(&d->port.mqtt, d->cfg);
    r = start_projects(d, projects, count);
    free(projects);
    if (r != M2M_POLL_OK) {
        return r;
    }
    fill_discovery(d, d->cfg);
    log_start(d);

    install_signals();
    if (!d->opt.once) {
        notify_init(d);
    }
    code = d->opt.once ? run_once(d) : run_daemon(d);

    pthread_mutex_lock(&d->port.ack_lock);
    d->port.ha = NULL;
    pthread_mutex_unlock(&d->port.ack_lock);
    for (i = 0; i < d->n_projects; i++) {
        project_free(d->projects[i]);
    }
    tls_setup_free(&d->tls[d->tls_in_use]);
    free(d->opt.sets);
    return code;
}

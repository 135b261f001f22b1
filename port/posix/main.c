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

typedef struct {
    options_t opt;
    m2m_port_t port;
    config_t *cfg;      /* the configuration in force */
    tls_setup_t tls[2]; /* the one in use and room for a reload's */
    int tls_in_use;
    m2m_agent_config_t agent_cfg;
    m2m_agent_t *agent;
    job_entry_t *table;
    int started;               /* the agent's MQTT session is open */
    int was_started;           /* it has been open once */
    uint32_t session_failures; /* MQTT connects failed in a row */
    uint64_t last_poll_start;
    int republish_due_on;  /* MQTT 5 with message expiry: republish_at applies */
    uint64_t republish_at; /* monotonic ms: refresh every retained job topic */
    int ready_sent;        /* READY=1 has gone to the service manager */
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
                 "  --set S.K=V     override key K of section S after the file (repeatable)\n"
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
                 "is_success false).\n"
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

/* Load into c. The default file may be absent (everything then comes from
 * the environment and --set); a file named with -c must exist. */
static config_status_t load_config(daemon_t *d, config_t *c, char *err, size_t err_size)
{
    const char *path = d->opt.config_path;
    if (path == NULL) {
        path = CONFIG_DEFAULT_FILE;
        if (access(path, F_OK) != 0) {
            port_logf(&d->port, M2M_LOG_WARN,
                      "no configuration file at %s: using defaults, the environment and --set",
                      path);
            path = NULL;
        }
    }
    return config_load(c, path, d->opt.sets, d->opt.n_sets, err, err_size);
}

/* The IAM token of auth = password: several kilobytes, kept across reloads. */
static char iam_token[CONFIG_TOKEN_MAX];

/* The changes a poll holds until every page is read: allocated at start
 * (modelarts.change_buffer_kib), kept across reloads. Pages are touched only
 * as changes arrive, so a steady poll costs no resident memory here. */
static void *change_buf;
static size_t change_cap;

static void fill_agent_config(m2m_agent_config_t *ac, const config_t *c)
{
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
    ac->token_buf = iam_token;
    ac->token_cap = sizeof iam_token;
    ac->change_buf = change_buf;
    ac->change_cap = change_cap;
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
}

/* P, for the port to recognise job topics (MQTT 5 message expiry). */
static char project_topic[CONFIG_TOPIC_MAX + 2 * CONFIG_ID_MAX];

/* Home Assistant discovery, when it is on (port.ha). */
static ha_bridge_t ha_bridge;

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
    snprintf(project_topic, sizeof project_topic, "%s/%s/%s", c->base_topic, c->agent_id,
             c->project_id);
    s->project_topic = project_topic;
}

static void fill_discovery(daemon_t *d, const config_t *c)
{
    ha_settings_t s;
    if (!c->discovery) {
        pthread_mutex_lock(&d->port.ack_lock);
        d->port.ha = NULL;
        pthread_mutex_unlock(&d->port.ack_lock);
        return;
    }
    s.prefix = c->ha_prefix;
    s.base_topic = c->base_topic;
    s.agent_id = c->agent_id;
    s.project_id = c->project_id;
    s.version = M2M_VERSION;
    s.qos = (int)c->qos;
    s.expire_after_s = ha_expire_after_s(c->poll_interval, c->heartbeat);
    s.health_expire_after_s = ha_health_expire_after_s(c->poll_interval, c->heartbeat);
    /* Every string is bounded by config.c below the bridge's copies. Paho's
     * thread reads the bridge (the status topic) under ack_lock. */
    pthread_mutex_lock(&d->port.ack_lock);
    (void)ha_bridge_configure(&ha_bridge, &s, c->per_job_entities);
    d->port.ha = &ha_bridge;
    pthread_mutex_unlock(&d->port.ack_lock);
}

static void warn_about(daemon_t *d, const config_t *c)
{
    const char *path = d->opt.config_path != NULL ? d->opt.config_path : CONFIG_DEFAULT_FILE;
    struct stat st;
    if (c->file_holds_secret && stat(path, &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH)) != 0) {
        port_logf(&d->port, M2M_LOG_WARN,
                  "%s holds a secret and is readable by other users: chmod 600 it, or move the "
                  "secret to the environment",
                  path);
    }
    if (c->insecure) {
        port_logf(&d->port, M2M_LOG_WARN,
                  "modelarts.insecure = true: TLS verification of %s is off", c->api_host);
    }
    if (c->per_job_entities && !c->discovery) {
        port_logf(&d->port, M2M_LOG_WARN,
                  "homeassistant.per_job_entities = true has no effect with discovery = false");
    }
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

/* ---- the agent's lifecycle ---------------------------------------------------------- */

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
    if (d->republish_due_on && now >= d->republish_at) {
        port_logf(&d->port, M2M_LOG_DEBUG,
                  "mqtt: republishing every job topic before its message expiry");
        m2m_agent_republish_all(d->agent);
        d->republish_at = now + (uint64_t)d->cfg->message_expiry * 500u;
    }
}

/* Open the MQTT session. Returns the agent's result; logs a retry. */
static m2m_poll_result_t start_session(daemon_t *d)
{
    m2m_poll_result_t r = m2m_agent_start(d->agent);
    if (r == M2M_POLL_OK) {
        if (d->was_started) {
            d->agent->health.mqtt_reconnects++;
        }
        d->started = 1;
        d->was_started = 1;
        schedule_republish(d);
    } else {
        d->started = 0;
        m2m_mqtt_disconnect(&d->port);
    }
    return r;
}

/* SIGHUP: reread the file. Returns -1 to go on, else the exit code. */
static int reload(daemon_t *d)
{
    char err[CONFIG_ERROR_MAX];
    config_t *fresh = malloc(sizeof *fresh);
    config_status_t st;
    int mqtt_changed;
    int topics_changed;
    int project_changed;
    int tls_changed;
    int next_tls = d->tls_in_use;

    if (fresh == NULL) {
        port_logf(&d->port, M2M_LOG_ERROR, "reload: out of memory; configuration unchanged");
        return -1;
    }
    st = load_config(d, fresh, err, sizeof err);
    if (st != CONFIG_OK) {
        port_logf(&d->port, M2M_LOG_ERROR,
                  "reload: configuration error: %s; keeping the previous configuration", err);
        free(fresh);
        return -1;
    }
    if (fresh->max_jobs != d->cfg->max_jobs) {
        port_logf(&d->port, M2M_LOG_WARN,
                  "reload: modelarts.max_jobs takes effect at the next start; keeping %lu",
                  (unsigned long)d->cfg->max_jobs);
        fresh->max_jobs = d->cfg->max_jobs;
    }
    if (fresh->change_buffer_kib != d->cfg->change_buffer_kib) {
        port_logf(&d->port, M2M_LOG_WARN,
                  "reload: modelarts.change_buffer_kib takes effect at the next start; keeping %lu",
                  (unsigned long)d->cfg->change_buffer_kib);
        fresh->change_buffer_kib = d->cfg->change_buffer_kib;
    }
    mqtt_changed = config_section_differs(d->cfg, fresh, "mqtt");
    if (!mqtt_changed && !config_section_differs(d->cfg, fresh, "modelarts") &&
        !config_section_differs(d->cfg, fresh, "homeassistant")) {
        port_logf(&d->port, M2M_LOG_INFO, "reload: configuration unchanged");
        free(fresh);
        return -1;
    }
    topics_changed = config_key_differs(d->cfg, fresh, "mqtt", "base_topic") ||
                     config_key_differs(d->cfg, fresh, "mqtt", "agent_id");
    project_changed = config_key_differs(d->cfg, fresh, "modelarts", "project_id");
    /* Discovery is published at the start of a session: a changed
     * [homeassistant] section, or a new project's device, takes a new one. */
    if (config_section_differs(d->cfg, fresh, "homeassistant") ||
        (project_changed && fresh->discovery)) {
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
            free(fresh);
            return -1;
        }
    }

    /* "offline" goes to the old topics, over the old session. */
    if (mqtt_changed && d->started) {
        m2m_agent_stop(d->agent);
        d->started = 0;
    }
    /* The next poll opens a new API connection with the new settings. */
    tls_client_close(&d->agent->tls);
    tls_client_init(&d->agent->tls, &d->tls[next_tls].ssl, &d->port, fresh->timeout * 1000u);
    if (next_tls != d->tls_in_use) {
        tls_setup_free(&d->tls[d->tls_in_use]);
        d->tls_in_use = next_tls;
    }

    if (config_section_differs(d->cfg, fresh, "modelarts")) {
        d->agent->token_expires_at = 0; /* auth = password: a new IAM token */
    }
    memcpy(d->cfg, fresh, sizeof *d->cfg);
    free(fresh);
    fill_agent_config(&d->agent_cfg, d->cfg);
    fill_mqtt_settings(&d->port.mqtt, d->cfg);
    fill_discovery(d, d->cfg);
    warn_about(d, d->cfg);

    if (project_changed || topics_changed) {
        /* New job topics: every job is published again, without events. */
        m2m_agent_reset_baseline(d->agent);
        port_logf(&d->port, M2M_LOG_INFO,
                  "reload: project or topics changed: new baseline for project %s",
                  d->cfg->project_id);
    }
    port_logf(&d->port, M2M_LOG_INFO, "reload: configuration applied");
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

/* One --once run. */
static int run_once(daemon_t *d)
{
    m2m_poll_result_t r = start_session(d);
    if (r != M2M_POLL_OK) {
        return r;
    }
    if (stop_requested) {
        m2m_agent_stop(d->agent);
        return M2M_POLL_OK;
    }
    r = m2m_agent_poll(d->agent, 0);
    m2m_agent_stop(d->agent);
    return r;
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

/* When the poll that started at started (monotonic ms) and ended with r is
 * followed by the next one (monotonic ms). A success keeps the regular
 * schedule, start to start. A failure waits from its end as
 * include/backoff.h says; the wait is logged and health, published by the
 * poll with the regular next_poll_at, is published again with the real one. */
static uint64_t pace_after_poll(daemon_t *d, m2m_poll_result_t r, uint64_t started,
                                uint64_t interval_ms)
{
    m2m_agent_t *a = d->agent;
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
    port_logf(&d->port, M2M_LOG_WARN, "poll failed (%s): next attempt in %.3f s (attempt %lu)", why,
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

/* STATUS= after a poll. Only the agent's own error code goes in (the API's
 * message may hold anything), with anything but printable ASCII replaced,
 * so that the assignment stays one line. */
static void notify_poll(daemon_t *d, m2m_poll_result_t r)
{
    const m2m_agent_t *a = d->agent;
    char code[sizeof a->error_code];
    char text[sizeof code + 128];
    size_t i;

    for (i = 0; i + 1 < sizeof code && a->error_code[i] != '\0'; i++) {
        char c = a->error_code[i];
        code[i] = c >= 0x20 && c < 0x7f ? c : '?';
    }
    code[i] = '\0';
    if (r == M2M_POLL_OK) {
        snprintf(text, sizeof text, "last poll ok: %lu jobs in %lu pages",
                 (unsigned long)a->health.jobs, (unsigned long)a->health.pages);
    } else {
        snprintf(text, sizeof text, "last poll failed (%s%s%s), %lu in a row",
                 r == M2M_POLL_TRANSIENT ? "transient"
                 : r == M2M_POLL_REFUSED ? "refused"
                                         : "configuration",
                 code[0] != '\0' ? ": " : "", code, (unsigned long)a->health.consecutive_failures);
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

/* The daemon: a poll every poll_interval, start to start, until a signal;
 * failed polls are retried as pace_after_poll() says. */
static int run_daemon(daemon_t *d)
{
    uint64_t next = m2m_time_monotonic_ms(&d->port);
    int code = M2M_POLL_OK;
    const uint32_t step_ms = sleep_step_ms();

    while (!stop_requested) {
        uint64_t now;
        uint64_t interval_ms = (uint64_t)d->cfg->poll_interval * 1000u;

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
            /* A changed interval counts from the start of the last poll. */
            if (d->last_poll_start != 0) {
                next = d->last_poll_start + (uint64_t)d->cfg->poll_interval * 1000u;
            }
            continue;
        }
        now = m2m_time_monotonic_ms(&d->port);
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

        d->last_poll_start = now;
        next = now + interval_ms;
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
                next = now + wait;
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
        {
            m2m_poll_result_t r =
                m2m_agent_poll(d->agent, m2m_time_utc_ms(&d->port) + (int64_t)interval_ms);
            sdnotify_watchdog_progress();
            next = pace_after_poll(d, r, now, interval_ms);
            notify_poll(d, r);
        }
    }

    if (stop_requested) {
        port_logf(&d->port, M2M_LOG_INFO, "signal received: stopping");
        (void)sdnotify_send("STOPPING=1\nSTATUS=stopping: signal received");
    } else {
        (void)sdnotify_sendf("STOPPING=1\nSTATUS=stopping: exit code %d", code);
    }
    if (d->started) {
        m2m_agent_stop(d->agent);
        d->started = 0;
    } else {
        tls_client_close(&d->agent->tls);
        m2m_mqtt_disconnect(&d->port);
    }
    return code;
}

/* ---- main ------------------------------------------------------------------------------ */

static config_t active_config;
static daemon_t the_daemon;

int main(int argc, char **argv)
{
    daemon_t *d = &the_daemon;
    char err[CONFIG_ERROR_MAX];
    int code = parse_args(argc, argv, &d->opt);
    m2m_poll_result_t r;

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

    if (load_config(d, d->cfg, err, sizeof err) != CONFIG_OK) {
        port_logf(&d->port, M2M_LOG_ERROR, "configuration error: %s", err);
        return M2M_POLL_CONFIG;
    }
    warn_about(d, d->cfg);
    if (tls_setup_init(&d->tls[0], d->cfg->ca_file, d->cfg->insecure, err, sizeof err) !=
        TLS_SETUP_OK) {
        port_logf(&d->port, M2M_LOG_ERROR, "configuration error: %s", err);
        return M2M_POLL_CONFIG;
    }
    if (d->opt.check_config) {
        printf("configuration OK\n");
        tls_setup_free(&d->tls[0]);
        return 0;
    }

    change_cap = (size_t)d->cfg->change_buffer_kib * 1024u;
    change_buf = malloc(change_cap);
    fill_agent_config(&d->agent_cfg, d->cfg);
    fill_mqtt_settings(&d->port.mqtt, d->cfg);
    fill_discovery(d, d->cfg);
    d->agent = malloc(sizeof *d->agent);
    d->table = calloc(d->cfg->max_jobs, sizeof *d->table);
    if (d->agent == NULL || d->table == NULL || change_buf == NULL) {
        port_logf(&d->port, M2M_LOG_ERROR, "out of memory for %lu jobs",
                  (unsigned long)d->cfg->max_jobs);
        return M2M_POLL_TRANSIENT;
    }
    port_logf(&d->port, M2M_LOG_INFO,
              "%s %s starting: endpoint %s:%u, project %s, broker %s%s, poll every %lu s", PROGRAM,
              M2M_VERSION, d->cfg->api_host, (unsigned)d->cfg->api_port, d->cfg->project_id,
              d->opt.dry_run ? "(dry run) " : "", d->cfg->mqtt_uri,
              (unsigned long)d->cfg->poll_interval);
    r = m2m_agent_init(d->agent, &d->agent_cfg, &d->port, &d->tls[0].ssl, d->table,
                       d->cfg->max_jobs, d->cfg->timeout * 1000u);
    if (r != M2M_POLL_OK) {
        return r;
    }

    install_signals();
    if (!d->opt.once) {
        notify_init(d);
    }
    code = d->opt.once ? run_once(d) : run_daemon(d);

    tls_client_forget_session(&d->agent->tls); /* the session kept for resumption */
    tls_setup_free(&d->tls[d->tls_in_use]);
    ha_bridge_free(&ha_bridge);
    free(d->table);
    free(change_buf);
    free(d->agent);
    free(d->opt.sets);
    return code;
}

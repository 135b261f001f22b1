/* SPDX-License-Identifier: Apache-2.0 */
/*
 * daemon.h - the modelarts2mqtt daemon on a Linux gateway: its state and
 * the calls its files share.
 *
 *   cli.c             usage and the command line;
 *   daemon_config.c   the configuration loaded, turned into MQTT settings,
 *                     and warned about;
 *   discovery.c       Home Assistant discovery (homeassistant/ha_bridge.h)
 *                     on the MQTT session, one device per project;
 *   projects.c        each project's agent, its buffers and TLS context, the
 *                     project set changed by a reload, B/health of several;
 *   session.c         the MQTT session opened and closed, retained job topics
 *                     refreshed before their message expiry;
 *   reload.c          SIGHUP: the configuration reread and applied;
 *   service_status.c  what the service manager is told (sd_notify.h);
 *   main.c            main(), --once, the daemon loop and signals.
 *
 * Several projects (docs/configuration.md): one agent per project, each with
 * its own port context for its API connection (and its own TLS context,
 * job table and IAM token), all over the one MQTT session of
 * the daemon's port. The first project's agent opens the session, the
 * others join it. Projects are polled one after another, each on its own
 * schedule and backoff; with more than one, every agent publishes P/health
 * and projects.c publishes B/health for all of them (health_total.h).
 *
 * Every function here runs on the main thread. Times are monotonic ms
 * (m2m_time_monotonic_ms) unless said otherwise.
 */
#ifndef DAEMON_H
#define DAEMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "agent.h"
#include "config.h"
#include "ha_bridge.h"
#include "port_posix.h"
#include "tls_setup.h"

#ifndef M2M_VERSION
#define M2M_VERSION "0.0.0"
#endif

#define PROGRAM "modelarts2mqtt"

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
    uint64_t *table_ids2;   /* api v2: the second half of each job's UUID, beside table */
    uint32_t *table_bytes;  /* each job's bytes hash, beside table (M2M_FAST_DIFF) */
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

/* ---- cli.c -------------------------------------------------------------------------- */

/* The --help text, to out. */
void print_usage(FILE *out);

/* The --version text, to out: the version, and whether MQTT over TLS is built in. */
void print_version(FILE *out);

/* Parse argv[1 .. argc - 1] into *o (o->sets is allocated here, argc
 * entries; the caller frees it). Returns -1 when the arguments are fine,
 * else the exit code: M2M_POLL_CONFIG (2) after a usage error, printed on
 * stderr, or M2M_POLL_TRANSIENT (1) when out of memory. --dry-run implies
 * --once. */
int parse_args(int argc, char **argv, options_t *o);

/* ---- daemon_config.c ------------------------------------------------------------------ */

/* Load c and every project's configuration into *projects (allocated here,
 * config_project_count(c) entries; the caller frees it). The file is -c's,
 * which must exist, or the default one, which may be absent (a warning;
 * everything then comes from the environment and --set). Returns CONFIG_OK,
 * or the error with err (err_size bytes) saying why and *projects NULL. */
config_status_t load_config(daemon_t *d, config_t *c, config_t **projects, size_t *count, char *err,
                            size_t err_size);

/* The MQTT settings of c into *s. The strings stay c's, except the agent
 * topic B (<base_topic>/<agent_id>, for the port to recognise job topics:
 * MQTT 5 message expiry), which is this file's own and is rewritten by
 * every call. */
void fill_mqtt_settings(port_mqtt_settings_t *s, const config_t *c);

/* Warnings about the configuration c and its projects[0 .. count - 1]: a
 * file holding a secret readable by others, TLS verification off, a
 * homeassistant key without effect. */
void warn_about(daemon_t *d, const config_t *c, const config_t *projects, size_t count);

/* ---- discovery.c ---------------------------------------------------------------------- */

/* One Home Assistant device per project of d (its bridge, p->ha), chained
 * and wired to the hooks of the daemon's session when c->discovery; no hooks
 * otherwise. The bridges' settings come from c and each project's id. */
void fill_discovery(daemon_t *d, const config_t *c);

/* The session's hooks removed, so that no bridge is called any more: before
 * the bridges change or go (a reload, the end). */
void stop_discovery(daemon_t *d);

/* ---- projects.c ----------------------------------------------------------------------- */

/* Every project's agent, for the configuration in force: d->projects[0 ..
 * count - 1] from projects[0 .. count - 1]. Returns M2M_POLL_OK or the exit
 * code, with the reason logged and d->n_projects the projects set up. */
m2m_poll_result_t start_projects(daemon_t *d, const config_t *projects, size_t count);

/* Free p (NULL: nothing): its TLS session and context, Home Assistant
 * bridge and buffers. */
void project_free(project_t *p);

/* SIGHUP with the projects of fresh (count of them): a project that stays
 * keeps its agent (its jobs, baseline and schedule) and takes its new
 * configuration; a new one gets an agent that joins the session (its
 * retained job topics are its baseline); a removed one leaves (its topics
 * cleared before: clear_leftovers()). topics_changed: the base topic or agent id changed,
 * every project takes a new baseline. Returns 0, or -1 (out of memory: the
 * caller exits). */
int apply_projects(daemon_t *d, const config_t *fresh, size_t count, int topics_changed);

/* B/health of several projects (health_total.h), when its content changed
 * (timing aside, as the core does for one project) or the heartbeat is due.
 * Nothing with one project or without a session. */
void publish_total_health(daemon_t *d);

/* ---- session.c ------------------------------------------------------------------------ */

/* Open the MQTT session: the first project's agent starts it, every other
 * one joins. Returns the first agent's result; logs a retry. */
m2m_poll_result_t start_session(daemon_t *d);

/* "offline" on B/status and the end of the session; every API connection
 * closed. */
void stop_session(daemon_t *d);

/* At now (monotonic ms): with MQTT 5 and a message expiry, every job topic
 * published again when its refresh is due (start_session() schedules it). */
void republish_if_due(daemon_t *d, uint64_t now);

/* ---- leftovers.c ---------------------------------------------------------------------- */

/* Before a reload applies fresh and its projects[0 .. count - 1], clear
 * with zero-byte retained messages what the running configuration published
 * and the new one would leave stale: a removed project's retained P/jobs/+,
 * P/summary, P/health and Home Assistant device; every discovery message
 * when discovery goes off or its prefix changes; the job entities when
 * per-job entities go off; a project left alone's P/health. Uses the session
 * and topics in force and waits for the acknowledgements. Returns 0, or -1
 * when some could not be cleared (logged: no session, a failed publish). */
int clear_leftovers(daemon_t *d, const config_t *fresh, const config_t *projects, size_t count);

/* ---- reload.c ------------------------------------------------------------------------- */

/* SIGHUP: reread the file. A configuration that does not load keeps the
 * running one. Returns -1 to go on, else the exit code. */
int reload(daemon_t *d);

/* ---- service_status.c ----------------------------------------------------------------- */

/* Notification on (sd_notify.h), the watchdog's interval logged. */
void notify_init(daemon_t *d);

/* STATUS=text, preceded by READY=1 the first time: the start is over. */
void notify_status(daemon_t *d, const char *text);

/* STATUS= after a round of polls. With one project: its last poll; with
 * several: how many are ok, the jobs of all, and the first failing one. */
void notify_poll(daemon_t *d);

/* SIGHUP: RELOADING=1 (with MONOTONIC_USEC), once READY=1 has been sent. */
void notify_reloading(const daemon_t *d);

/* After a reload that went on: READY=1 and a STATUS= line with the poll
 * interval in force, once READY=1 has been sent before. */
void notify_reloaded(const daemon_t *d);

/* STOPPING=1 and a STATUS= line: after a signal (signalled = 1), or with
 * the exit code the daemon stops with. */
void notify_stopping(int signalled, int code);

/* The longest sleep between two looks at the flags and the watchdog, in
 * ms: a second, or half the watchdog's ping interval, so that a ping is
 * never later than three quarters of WATCHDOG_USEC. At least 1. */
uint32_t sleep_step_ms(void);

#endif /* DAEMON_H */

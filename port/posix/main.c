/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - modelarts2mqtt on a Linux gateway: main(), --once, the daemon
 * loop, signals and exit codes (docs/configuration.md). daemon.h lists the
 * files of the rest: the command line, the configuration, the projects, the
 * MQTT session, the reload and the service manager's status.
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
 * Under systemd (service_status.c) the watchdog is pinged from this thread
 * only, between polls and during a poll by the network code, so a poll that
 * hangs stops the pings.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backoff.h"
#include "daemon.h"
#include "sd_notify.h"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;

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

/* ---- --once and the daemon loop ------------------------------------------------- */

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
        if (r != M2M_POLL_OK) {
            m2m_agent_set_next_poll(&d->projects[i]->agent, 0); /* no retry: none */
        }
        d->projects[i]->last = r;
        worst = more_severe(worst, r);
    }
    publish_total_health(d);
    stop_session(d);
    return stop_requested ? M2M_POLL_OK : worst;
}

/* A random value for the jitter of the backoff, from the CTR-DRBG that
 * serves TLS (seeded from the system's entropy; only this thread uses it),
 * else the scrambled clock. */
static uint32_t jitter_random(daemon_t *d)
{
    uint32_t v;
    if (tls_config_random(&d->tls[d->tls_in_use].cfg, &v) == 0) {
        return v;
    }
    return backoff_clock_jitter(m2m_time_monotonic_ms(&d->port));
}

/* When project p's poll that started at started (monotonic ms) and ended
 * with r is followed by its next one (monotonic ms). A success keeps the
 * regular schedule, start to start. A failure waits from its end as
 * include/backoff.h says; the wait is logged and goes into the failure's
 * health, which the poll left to this. */
static uint64_t pace_after_poll(daemon_t *d, project_t *p, m2m_poll_result_t r, uint64_t started,
                                uint64_t interval_ms)
{
    m2m_agent_t *a = &p->agent;
    int64_t now_utc;
    backoff_retry_t retry;

    if (r == M2M_POLL_OK) {
        return started + interval_ms;
    }
    now_utc = m2m_time_utc_ms(&d->port);
    retry = backoff_after_poll(a, r, now_utc, (uint32_t)interval_ms, jitter_random(d));
    port_logf(&p->port, M2M_LOG_WARN, "poll failed (%s): next attempt in %.3f s (attempt %lu)",
              retry.reason, retry.wait_ms / 1000.0, (unsigned long)a->health.consecutive_failures);
    m2m_agent_set_next_poll(a, now_utc + (int64_t)retry.wait_ms);
    return m2m_time_monotonic_ms(&d->port) + retry.wait_ms;
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
    int signalled;
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
            notify_reloading(d);
            rc = reload(d);
            if (rc >= 0) {
                code = rc;
                break;
            }
            notify_reloaded(d);
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
                uint32_t wait = backoff_session_retry_ms(d->session_failures++,
                                                         (uint32_t)interval_ms, jitter_random(d));
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

    signalled = stop_requested != 0;
    if (signalled) {
        port_logf(&d->port, M2M_LOG_INFO, "signal received: stopping");
    }
    notify_stopping(signalled, code);
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
        print_version(stdout);
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

    stop_discovery(d);
    for (i = 0; i < d->n_projects; i++) {
        project_free(d->projects[i]);
    }
    tls_setup_free(&d->tls[d->tls_in_use]);
    free(d->opt.sets);
    return code;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * service_status.c - what the service manager is told (daemon.h,
 * sd_notify.h; nothing is sent without NOTIFY_SOCKET).
 *
 * Under systemd (Type=notify) the daemon reports READY=1 once its first
 * MQTT connect attempt and, when that succeeded, its first poll are over,
 * whatever their outcome (a broker or API that is down at boot is retried,
 * not a failed start); RELOADING=1 and READY=1 around a SIGHUP; STOPPING=1
 * when it stops; a STATUS= line after each poll. The watchdog is pinged
 * from the main thread only: between polls, and during a poll by every
 * network read or write that moved bytes and every acknowledged publish
 * (tcp_mbedtls.c, mqtt_paho.c), so a poll that hangs stops the pings.
 */
#include <stdio.h>

#include "daemon.h"
#include "sd_notify.h"

/* Longest sleep between two looks at the signal flags, in ms. */
#define STEP_MS 1000u

void notify_status(daemon_t *d, const char *text)
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

void notify_poll(daemon_t *d)
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

void notify_init(daemon_t *d)
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

void notify_reloading(const daemon_t *d)
{
    if (d->ready_sent) {
        (void)sdnotify_reloading();
    }
}

void notify_reloaded(const daemon_t *d)
{
    if (d->ready_sent) {
        char text[64];
        snprintf(text, sizeof text, "configuration reread; polling every %lu s",
                 (unsigned long)d->cfg->poll_interval);
        (void)sdnotify_sendf("READY=1\nSTATUS=%s", text);
    }
}

void notify_stopping(int signalled, int code)
{
    if (signalled) {
        (void)sdnotify_send("STOPPING=1\nSTATUS=stopping: signal received");
    } else {
        (void)sdnotify_sendf("STOPPING=1\nSTATUS=stopping: exit code %d", code);
    }
}

uint32_t sleep_step_ms(void)
{
    uint32_t half = sdnotify_watchdog_interval_ms() / 2u;
    if (sdnotify_watchdog_interval_ms() == 0 || half >= STEP_MS) {
        return STEP_MS;
    }
    return half > 0 ? half : 1u;
}

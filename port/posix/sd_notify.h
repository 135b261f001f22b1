/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sd_notify.h - the systemd service notification protocol (sd_notify(3)),
 * spoken directly, without libsystemd: one datagram per state change to the
 * Unix socket named by $NOTIFY_SOCKET, and the watchdog keep-alive at half
 * of $WATCHDOG_USEC.
 *
 * Everything is a no-op when NOTIFY_SOCKET is unset or empty (the agent run
 * by hand, by procd, by a SysV script or by a test), so the callers need no
 * checks of their own.
 *
 * The watchdog is served by the thread that called sdnotify_init() only
 * (the daemon's main loop), and only when that thread shows progress: a
 * main loop stuck in a poll stops pinging, and systemd restarts the
 * service. A ping from any other thread (Paho's) is ignored.
 */
#ifndef SD_NOTIFY_H
#define SD_NOTIFY_H

#include <stdint.h>

typedef enum {
    SDNOTIFY_OK = 0,
    SDNOTIFY_OFF,          /* NOTIFY_SOCKET unset or empty: nothing sent */
    SDNOTIFY_ERR_ADDRESS,  /* NOTIFY_SOCKET is not "/path" or "@abstract", or too long */
    SDNOTIFY_ERR_WATCHDOG, /* WATCHDOG_USEC is not a positive decimal number */
    SDNOTIFY_ERR_SOCKET,   /* the datagram socket could not be created */
    SDNOTIFY_ERR_SEND,     /* sendto() failed (no listener, or the message too long) */
    SDNOTIFY_ERR_TOO_LONG  /* the state text is over SDNOTIFY_STATE_MAX bytes */
} sdnotify_status_t;

/* Longest state text sent, in bytes ("READY=1\nSTATUS=...", without NUL). */
#define SDNOTIFY_STATE_MAX 512u

/* Shortest watchdog ping interval honoured, in ms: a WATCHDOG_USEC below
 * 2 ms is served every millisecond of progress at most. */
#define SDNOTIFY_WATCHDOG_MIN_MS 1u

/* A short English description of status. Never NULL. */
const char *sdnotify_strerror(sdnotify_status_t status);

/* Read NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from the environment,
 * open the datagram socket (close-on-exec) and remember the calling thread
 * as the watchdog's. Returns SDNOTIFY_OK, SDNOTIFY_OFF when NOTIFY_SOCKET is
 * not set (every later call then does nothing), or an error, after which
 * notification stays off. WATCHDOG_USEC that is unset, or WATCHDOG_PID that
 * names another process, leaves the watchdog off but notification on; a
 * malformed WATCHDOG_USEC is SDNOTIFY_ERR_WATCHDOG with notification on. */
sdnotify_status_t sdnotify_init(void);

/* 1 after a successful sdnotify_init(), else 0. */
int sdnotify_enabled(void);

/* Send state, newline-separated VARIABLE=value assignments such as
 * "READY=1\nSTATUS=polling". SDNOTIFY_OFF when notification is off. */
sdnotify_status_t sdnotify_send(const char *state);

/* printf-style sdnotify_send(); text longer than SDNOTIFY_STATE_MAX is
 * SDNOTIFY_ERR_TOO_LONG and nothing is sent. */
sdnotify_status_t sdnotify_sendf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "RELOADING=1" with MONOTONIC_USEC=<CLOCK_MONOTONIC now, microseconds>,
 * which systemd 253 and later require with it (older versions ignore it). */
sdnotify_status_t sdnotify_reloading(void);

/* The watchdog ping interval in ms, half of WATCHDOG_USEC (at least
 * SDNOTIFY_WATCHDOG_MIN_MS), or 0 when the watchdog is off. */
uint32_t sdnotify_watchdog_interval_ms(void);

/* The main loop made progress: send "WATCHDOG=1" when at least the ping
 * interval has passed since the last ping. Does nothing when the watchdog is
 * off or when called from a thread other than sdnotify_init()'s. Cheap
 * enough to call after every network read. */
void sdnotify_watchdog_progress(void);

#endif /* SD_NOTIFY_H */

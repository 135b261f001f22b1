/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sd_notify.c - sd_notify(3)'s protocol without libsystemd (sd_notify.h).
 *
 * The protocol is one AF_UNIX SOCK_DGRAM datagram per notification, its
 * payload the newline-separated assignments. NOTIFY_SOCKET names either a
 * file system socket ("/run/systemd/notify") or, starting with '@', a
 * socket in the abstract namespace, whose address is a NUL byte followed by
 * the rest of the name, without a terminating NUL (the address length says
 * where it ends). Linking libsystemd instead would bring a dependency that
 * OpenWrt and BusyBox gateways do not have, for about 150 lines of code.
 *
 * State is process-wide: there is one service manager and one main loop.
 */
#include "sd_notify.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "decimal.h"

static int notify_fd = -1;
static struct sockaddr_un notify_addr;
static socklen_t notify_addr_len;

static uint32_t watchdog_interval_ms; /* 0: off */
static uint64_t watchdog_last_ms;     /* monotonic ms of the last ping */
static pthread_t watchdog_thread;

const char *sdnotify_strerror(sdnotify_status_t status)
{
    switch (status) {
    case SDNOTIFY_OK:
        return "ok";
    case SDNOTIFY_OFF:
        return "NOTIFY_SOCKET is not set";
    case SDNOTIFY_ERR_ADDRESS:
        return "NOTIFY_SOCKET is not an absolute path or @abstract name that fits a socket address";
    case SDNOTIFY_ERR_WATCHDOG:
        return "WATCHDOG_USEC is not a positive number of microseconds";
    case SDNOTIFY_ERR_SOCKET:
        return "cannot create the notification socket";
    case SDNOTIFY_ERR_SEND:
        return "cannot send to NOTIFY_SOCKET";
    case SDNOTIFY_ERR_TOO_LONG:
        return "notification text too long";
    }
    return "unknown sd_notify status";
}

static uint64_t monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static sdnotify_status_t set_address(const char *name)
{
    size_t n = strlen(name);
    memset(&notify_addr, 0, sizeof notify_addr);
    notify_addr.sun_family = AF_UNIX;
    if ((name[0] != '/' && name[0] != '@') || n < 2 || n > sizeof notify_addr.sun_path - 1) {
        return SDNOTIFY_ERR_ADDRESS;
    }
    memcpy(notify_addr.sun_path, name, n);
    if (name[0] == '@') {
        notify_addr.sun_path[0] = '\0';
        notify_addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    } else {
        notify_addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
    }
    return SDNOTIFY_OK;
}

/* WATCHDOG_USEC, unless WATCHDOG_PID says it is meant for another process. */
static sdnotify_status_t set_watchdog(void)
{
    const char *usec_text = getenv("WATCHDOG_USEC");
    const char *pid_text = getenv("WATCHDOG_PID");
    uint64_t usec;
    uint64_t pid;

    watchdog_interval_ms = 0;
    if (usec_text == NULL || usec_text[0] == '\0') {
        return SDNOTIFY_OK;
    }
    if (decimal_parse_u64(usec_text, &usec) != 0 || usec == 0) {
        return SDNOTIFY_ERR_WATCHDOG;
    }
    if (pid_text != NULL && pid_text[0] != '\0' &&
        (decimal_parse_u64(pid_text, &pid) != 0 || pid != (uint64_t)getpid())) {
        return SDNOTIFY_OK;
    }
    /* Half the timeout, as sd_watchdog_enabled(3) recommends. */
    usec /= 2000u;
    if (usec < SDNOTIFY_WATCHDOG_MIN_MS) {
        usec = SDNOTIFY_WATCHDOG_MIN_MS;
    }
    watchdog_interval_ms = usec > UINT32_MAX ? UINT32_MAX : (uint32_t)usec;
    watchdog_thread = pthread_self();
    watchdog_last_ms = monotonic_us() / 1000u;
    return SDNOTIFY_OK;
}

sdnotify_status_t sdnotify_init(void)
{
    const char *name = getenv("NOTIFY_SOCKET");
    sdnotify_status_t st;

    if (notify_fd >= 0) {
        close(notify_fd);
        notify_fd = -1;
    }
    watchdog_interval_ms = 0;
    if (name == NULL || name[0] == '\0') {
        return SDNOTIFY_OFF;
    }
    st = set_address(name);
    if (st != SDNOTIFY_OK) {
        return st;
    }
    notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (notify_fd < 0) {
        return SDNOTIFY_ERR_SOCKET;
    }
    return set_watchdog();
}

int sdnotify_enabled(void)
{
    return notify_fd >= 0;
}

sdnotify_status_t sdnotify_send(const char *state)
{
    size_t n;
    ssize_t sent;
    if (notify_fd < 0) {
        return SDNOTIFY_OFF;
    }
    n = strlen(state);
    if (n > SDNOTIFY_STATE_MAX) {
        return SDNOTIFY_ERR_TOO_LONG;
    }
    do {
        sent = sendto(notify_fd, state, n, MSG_NOSIGNAL, (const struct sockaddr *)&notify_addr,
                      notify_addr_len);
    } while (sent < 0 && errno == EINTR);
    return sent == (ssize_t)n ? SDNOTIFY_OK : SDNOTIFY_ERR_SEND;
}

sdnotify_status_t sdnotify_sendf(const char *fmt, ...)
{
    char text[SDNOTIFY_STATE_MAX + 1];
    va_list ap;
    int n;
    if (notify_fd < 0) {
        return SDNOTIFY_OFF;
    }
    va_start(ap, fmt);
    n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n > SDNOTIFY_STATE_MAX) {
        return SDNOTIFY_ERR_TOO_LONG;
    }
    return sdnotify_send(text);
}

sdnotify_status_t sdnotify_reloading(void)
{
    return sdnotify_sendf("RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long)monotonic_us());
}

uint32_t sdnotify_watchdog_interval_ms(void)
{
    return notify_fd >= 0 ? watchdog_interval_ms : 0;
}

void sdnotify_watchdog_progress(void)
{
    uint64_t now;
    if (notify_fd < 0 || watchdog_interval_ms == 0 ||
        !pthread_equal(pthread_self(), watchdog_thread)) {
        return;
    }
    now = monotonic_us() / 1000u;
    if (now - watchdog_last_ms < watchdog_interval_ms) {
        return;
    }
    /* A failed ping is retried at the next progress, not counted as sent. */
    if (sdnotify_send("WATCHDOG=1") == SDNOTIFY_OK) {
        watchdog_last_ms = now;
    }
}

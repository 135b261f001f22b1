/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock_log.c - the port's clocks and its log sink: m2m_time_* and m2m_log
 * from include/m2m_port.h, plus port_logf and port_sleep_ms.
 *
 * Log lines go to stderr as "2024-05-01T12:00:00.123Z info message", one
 * write per line so that lines from Paho's thread never interleave. Control
 * characters in a message (an API error text may hold anything) are
 * replaced, so one call is always one line.
 */
#include "port_posix.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "log_level.h"

/* Longest message kept, in bytes; longer ones end in "...". */
#define LOG_MESSAGE_MAX 1024

uint64_t m2m_time_monotonic_ms(m2m_port_t *port)
{
    struct timespec ts;
    (void)port;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int64_t m2m_time_utc_ms(m2m_port_t *port)
{
    struct timespec ts;
    (void)port;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + (int64_t)ts.tv_nsec / 1000000;
}

void port_sleep_ms(uint32_t ms)
{
    struct timespec ts;
    ts.tv_sec = (time_t)(ms / 1000u);
    ts.tv_nsec = (long)(ms % 1000u) * 1000000L;
    /* Not resumed after EINTR: a signal is a reason to look at the flags. */
    (void)nanosleep(&ts, NULL);
}

void m2m_log(m2m_port_t *port, m2m_log_level_t level, const char *message)
{
    char line[LOG_MESSAGE_MAX + 160];
    struct tm tm;
    int64_t now = m2m_time_utc_ms(port);
    time_t secs = (time_t)(now / 1000);
    size_t n;
    size_t i;
    m2m_log_level_t limit = port != NULL ? port->log_level : M2M_LOG_INFO;

    if (level > limit) {
        return;
    }
    gmtime_r(&secs, &tm);
    n = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
    n += (size_t)snprintf(line + n, sizeof line - n, ".%03dZ %s %s", (int)(now % 1000),
                          log_level_name(level), port != NULL ? port->log_prefix : "");
    for (i = 0; message[i] != '\0' && n < sizeof line - 5; i++) {
        unsigned char ch = (unsigned char)message[i];
        line[n++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
    }
    if (message[i] != '\0') {
        memcpy(line + n, "...", 3);
        n += 3;
    }
    line[n++] = '\n';
    line[n] = '\0';
    fputs(line, stderr);
}

void port_logf(m2m_port_t *port, m2m_log_level_t level, const char *fmt, ...)
{
    char message[LOG_MESSAGE_MAX + 1];
    va_list ap;
    if (port != NULL && level > port->log_level) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    m2m_log(port, level, message);
}

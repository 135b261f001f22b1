/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log_console.c - m2m_log() on the board's console hook, and the port's own
 * log helpers. No printf: newlib-nano's links a heap, and the port builds
 * its few lines from parts.
 *
 * A line is "<level> <message>"; control characters in a message (an API
 * error text may hold anything) become '?', so one call is one line.
 */
#include "port_lwip.h"

#include <stdarg.h>

#include "log_level.h"
#include "strbuf.h"

/* Longest line handed to the console, NUL included; longer ones end in
 * "...". The core's lines are at most 256 bytes. */
#define LOG_CONSOLE_LINE_MAX 288

void m2m_log(m2m_port_t *port, m2m_log_level_t level, const char *message)
{
    static char line[LOG_CONSOLE_LINE_MAX];
    const port_lwip_board_t *board = port_lwip_board();
    strbuf_t sb;
    size_t i;

    if ((port != NULL && level > port->log_level) || board == NULL || board->console == NULL) {
        return;
    }
    strbuf_init(&sb, line, sizeof line - 3);
    strbuf_puts(&sb, log_level_name(level));
    strbuf_putc(&sb, ' ');
    for (i = 0; message[i] != '\0' && !sb.overflow; i++) {
        unsigned char ch = (unsigned char)message[i];
        strbuf_putc(&sb, (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch);
    }
    if (sb.overflow) {
        /* strbuf kept what fitted (cap - 1 bytes) and the room for "..." was
         * held back above. */
        size_t n = sizeof line - 4;
        line[n] = '.';
        line[n + 1] = '.';
        line[n + 2] = '.';
        line[n + 3] = '\0';
    }
    board->console(line);
}

void port_lwip_log(m2m_port_t *port, m2m_log_level_t level, const char *first, ...)
{
    char text[LOG_CONSOLE_LINE_MAX];
    strbuf_t sb;
    const char *part;
    va_list ap;

    if (port != NULL && level > port->log_level) {
        return;
    }
    strbuf_init(&sb, text, sizeof text);
    va_start(ap, first);
    for (part = first; part != NULL; part = va_arg(ap, const char *)) {
        strbuf_puts(&sb, part);
    }
    va_end(ap);
    m2m_log(port, level, text);
}

const char *port_lwip_num(char buf[24], int64_t v)
{
    strbuf_t sb;
    strbuf_init(&sb, buf, 24);
    strbuf_int(&sb, v);
    return buf;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.h - formatted console lines for the board code (UART0).
 *
 * A line is formatted into a fixed buffer (LOG_LINE_MAX bytes, longer lines
 * are cut) by fmt.h's printf subset, then written out with its time since
 * boot.
 */
#ifndef MPS2_LOG_H
#define MPS2_LOG_H

#include <stddef.h>

#define LOG_LINE_MAX 320

/* One line, "[seconds.millis] " in front and a newline after. */
void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Raw text, as is (no time, no newline): for output before the clock runs
 * and from fault handlers. */
void log_raw(const char *text);

#endif /* MPS2_LOG_H */

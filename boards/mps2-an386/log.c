/* SPDX-License-Identifier: Apache-2.0 */
/* log.c - console lines over UART0; see log.h. */
#include "log.h"

#include <stdarg.h>
#include <string.h>

#include "clock.h"
#include "fmt.h"
#include "uart.h"

void log_raw(const char *text)
{
    uart_write(text, strlen(text));
}

void log_line(const char *fmt, ...)
{
    static char line[LOG_LINE_MAX];
    uint32_t ms = clock_ms();
    size_t n = fmt_format(line, sizeof line, "[%4lu.%03lu] ", (unsigned long)(ms / 1000u),
                          (unsigned long)(ms % 1000u));
    va_list ap;

    va_start(ap, fmt);
    n += fmt_vformat(line + n, sizeof line - n, fmt, ap);
    va_end(ap);
    uart_write(line, n);
    uart_write("\n", 1);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwip_sys.c - what lwIP needs from a NO_SYS platform: the millisecond
 * clock of its timers, and its diagnostics and assert output (arch/cc.h).
 */
#include <stdarg.h>

#include "lwip/sys.h"

#include "clock.h"
#include "fmt.h"
#include "log.h"
#include "semihost.h"

/* lwIP's timers take differences of this; the 32-bit wrap is harmless. */
u32_t sys_now(void)
{
    return clock_ms();
}

void lwip_sys_diag(const char *fmt, ...)
{
    char text[LOG_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(text, sizeof text, fmt, ap);
    va_end(ap);
    log_raw(text);
}

void lwip_sys_assert(const char *msg, int line, const char *file)
{
    log_line("lwIP assert failed: %s (%s:%d)", msg, file, line);
    semihost_exit(1);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fmt.h - printf-style formatting into a buffer, for the console.
 *
 * newlib-nano's vsnprintf links its malloc (for asprintf's growing
 * buffers), and this image has no heap: no _sbrk is linked, so that any
 * use of malloc fails the link instead of failing at run time. This is the
 * subset the board code uses: %d %i %u %x %X %c %s %p %%, the flags '0' and
 * '-', a width, and the length modifiers l and z.
 */
#ifndef MPS2_FMT_H
#define MPS2_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Formats into buf (cap bytes, always NUL-terminated when cap > 0; output
 * past it is cut). Returns the length written, without the NUL. */
size_t fmt_vformat(char *buf, size_t cap, const char *fmt, va_list ap);

size_t fmt_format(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* MPS2_FMT_H */

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * syscalls.c - the newlib system calls this image links, and nothing more.
 *
 * _Exit() and exit() end in _exit(), which on this board is the semihosting
 * exit (mbedTLS's pool check calls _Exit() on a corrupt pool).
 * There is deliberately no _sbrk: nothing here may allocate from a heap, so
 * any code that links malloc fails at link time with "undefined reference
 * to _sbrk" instead of failing at run time.
 */
#include "semihost.h"

void _exit(int status) __attribute__((noreturn));

void _exit(int status)
{
    semihost_exit(status);
}

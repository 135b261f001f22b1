/* SPDX-License-Identifier: Apache-2.0 */
/*
 * semihost.h - Arm semihosting calls: the debugger, or QEMU's -semihosting,
 * serves them on the host. The board uses them to report its exit status,
 * read host files (configuration, CA certificates) and the host's clock.
 *
 * Every call traps into the host: without -semihosting (or a debugger) it
 * raises a HardFault, so only an image meant to run under one uses them.
 */
#ifndef MPS2_SEMIHOST_H
#define MPS2_SEMIHOST_H

#include <stddef.h>
#include <stdint.h>

/* Ends the program with status (0: success), which QEMU passes on as its own
 * exit status (SYS_EXIT_EXTENDED). Never returns. */
void semihost_exit(int status) __attribute__((noreturn));

/* Opens a host file for reading in binary mode. Returns a handle (>= 0) or
 * -1 when the host cannot open it. */
int32_t semihost_open_read(const char *path);

/* Opens a host file in fopen mode mode ("rb", "wb", "ab", ...), or the
 * host's console: ":tt" with "r" is its input, with "w" its output, with "a"
 * its error output. Returns a handle (>= 0) or -1. */
int32_t semihost_open(const char *path, const char *mode);

/* Writes len bytes. Returns the bytes written (len unless the host failed
 * part-way) or -1. */
int32_t semihost_write(int32_t handle, const void *buf, size_t len);

/* Reads up to len bytes. Returns the bytes read (0 at end of file) or -1. */
int32_t semihost_read(int32_t handle, void *buf, size_t len);

/* Closes a handle from semihost_open_read() or semihost_open(). */
void semihost_close(int32_t handle);

/* Reads a whole host file of at most cap bytes into buf, NUL-terminated
 * (so cap - 1 bytes of content at most). Returns the length, or -1 when the
 * file cannot be opened or read, or does not fit. */
int32_t semihost_read_file(const char *path, char *buf, size_t cap);

/* The host's clock: seconds since 1970-01-01T00:00:00Z (SYS_TIME). */
uint32_t semihost_time(void);

#endif /* MPS2_SEMIHOST_H */

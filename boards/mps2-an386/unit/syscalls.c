/* SPDX-License-Identifier: Apache-2.0 */
/*
 * syscalls.c - the newlib system calls of the unit-test images, over
 * semihosting: the console (stdout and stderr of QEMU), host files (a suite
 * reads its vectors from tests/vectors/, relative to QEMU's working
 * directory), and a heap for the C library's malloc in the PSRAM (unit.ld).
 *
 * Only the test images link this: the firmware image has no heap and no
 * files (boards/mps2-an386/syscalls.c gives it _exit alone). _exit comes
 * from there in both.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "semihost.h"

/* From unit.ld. */
extern char __heap_start[];
extern char __heap_end[];

/* newlib's descriptors 0, 1, 2 are the console; a host file's descriptor
 * is its semihosting handle plus FD_FIRST_FILE. */
#define FD_FIRST_FILE 3

void *_sbrk(ptrdiff_t increment);
int _open(const char *path, int flags, int mode);
int _close(int fd);
int _read(int fd, void *buf, size_t len);
int _write(int fd, const void *buf, size_t len);
off_t _lseek(int fd, off_t offset, int whence);
int _fstat(int fd, struct stat *st);
int _isatty(int fd);
int _kill(int pid, int sig);
int _getpid(void);

void *_sbrk(ptrdiff_t increment)
{
    static char *brk = __heap_start;
    char *old = brk;
    if (increment > __heap_end - brk || increment < __heap_start - brk) {
        errno = ENOMEM;
        return (void *)-1;
    }
    brk += increment;
    return old;
}

/* The console's handles, opened on first use. */
static int32_t console(int fd)
{
    static int32_t handles[3] = {-1, -1, -1};
    static const char *const modes[3] = {"r", "w", "a"};
    if (handles[fd] < 0) {
        handles[fd] = semihost_open(":tt", modes[fd]);
    }
    return handles[fd];
}

static int32_t handle_of(int fd)
{
    if (fd >= 0 && fd < FD_FIRST_FILE) {
        return console(fd);
    }
    return fd - FD_FIRST_FILE;
}

int _open(const char *path, int flags, int mode)
{
    const char *how;
    int32_t h;
    (void)mode;
    switch (flags & O_ACCMODE) {
    case O_RDONLY:
        how = "rb";
        break;
    case O_WRONLY:
        how = (flags & O_APPEND) ? "ab" : "wb";
        break;
    default:
        how = (flags & O_APPEND) ? "a+b" : (flags & O_TRUNC) ? "w+b" : "r+b";
        break;
    }
    h = semihost_open(path, how);
    if (h < 0) {
        errno = ENOENT;
        return -1;
    }
    return (int)h + FD_FIRST_FILE;
}

int _close(int fd)
{
    if (fd >= FD_FIRST_FILE) {
        semihost_close(handle_of(fd));
    }
    return 0;
}

int _read(int fd, void *buf, size_t len)
{
    int32_t n = semihost_read(handle_of(fd), buf, len);
    if (n < 0) {
        errno = EIO;
        return -1;
    }
    return (int)n;
}

int _write(int fd, const void *buf, size_t len)
{
    int32_t n = semihost_write(handle_of(fd), buf, len);
    if (n < 0) {
        errno = EIO;
        return -1;
    }
    return (int)n;
}

off_t _lseek(int fd, off_t offset, int whence)
{
    /* stdio asks where it is before it reads; nothing here seeks. */
    (void)fd;
    if (offset == 0 && whence == SEEK_CUR) {
        return 0;
    }
    errno = ESPIPE;
    return -1;
}

int _fstat(int fd, struct stat *st)
{
    st->st_mode = fd < FD_FIRST_FILE ? S_IFCHR : S_IFREG;
    st->st_blksize = 0;
    return 0;
}

int _isatty(int fd)
{
    /* The console is line-buffered, so a test's lines are out before a
     * fault could lose them. */
    return fd < FD_FIRST_FILE;
}

int _kill(int pid, int sig)
{
    (void)pid;
    (void)sig;
    errno = EINVAL;
    return -1;
}

int _getpid(void)
{
    return 1;
}

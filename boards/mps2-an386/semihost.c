/* SPDX-License-Identifier: Apache-2.0 */
/* semihost.c - Arm semihosting calls; see semihost.h. */
#include "semihost.h"

#include <string.h>

/* Operation numbers (Arm "Semihosting for AArch32 and AArch64"). */
enum {
    SYS_OPEN = 0x01,
    SYS_CLOSE = 0x02,
    SYS_WRITE = 0x05,
    SYS_READ = 0x06,
    SYS_TIME = 0x11,
    SYS_EXIT = 0x18,
    SYS_EXIT_EXTENDED = 0x20
};

/* SYS_OPEN mode 1 is fopen's "rb". */
#define OPEN_MODE_RB 1u
/* The reason code of a normal application exit. */
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

/* On M-profile cores the semihosting trap is BKPT 0xAB: operation in r0,
 * the address of its parameter block in r1, the result back in r0. */
static int32_t semihost_call(uint32_t op, const void *block)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = block;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return (int32_t)r0;
}

void semihost_exit(int status)
{
    /* SYS_EXIT on AArch32 carries no status (QEMU then always exits 0);
     * SYS_EXIT_EXTENDED carries it in its block. */
    const uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
    semihost_call(SYS_EXIT_EXTENDED, block);
    /* A host without the extension ignores it: stop in any case. */
    semihost_call(SYS_EXIT, (const void *)(uintptr_t)ADP_STOPPED_APPLICATION_EXIT);
    for (;;) {
    }
}

int32_t semihost_open_read(const char *path)
{
    const uint32_t block[3] = {(uint32_t)(uintptr_t)path, OPEN_MODE_RB, (uint32_t)strlen(path)};
    return semihost_call(SYS_OPEN, block);
}

int32_t semihost_open(const char *path, const char *mode)
{
    /* SYS_OPEN numbers fopen's modes in this order. */
    static const char *const modes[] = {"r",  "rb",  "r+", "r+b", "w",  "wb",
                                        "w+", "w+b", "a",  "ab",  "a+", "a+b"};
    uint32_t i;
    for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        if (strcmp(mode, modes[i]) == 0) {
            const uint32_t block[3] = {(uint32_t)(uintptr_t)path, i, (uint32_t)strlen(path)};
            return semihost_call(SYS_OPEN, block);
        }
    }
    return -1;
}

int32_t semihost_write(int32_t handle, const void *buf, size_t len)
{
    const uint32_t block[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)buf, (uint32_t)len};
    /* SYS_WRITE returns how many bytes it did NOT write. */
    int32_t left = semihost_call(SYS_WRITE, block);
    if (left < 0 || (size_t)left > len) {
        return -1;
    }
    return (int32_t)(len - (size_t)left);
}

int32_t semihost_read(int32_t handle, void *buf, size_t len)
{
    const uint32_t block[3] = {(uint32_t)handle, (uint32_t)(uintptr_t)buf, (uint32_t)len};
    /* SYS_READ returns how many bytes it did NOT read. */
    int32_t left = semihost_call(SYS_READ, block);
    if (left < 0 || (size_t)left > len) {
        return -1;
    }
    return (int32_t)(len - (size_t)left);
}

void semihost_close(int32_t handle)
{
    const uint32_t block[1] = {(uint32_t)handle};
    semihost_call(SYS_CLOSE, block);
}

int32_t semihost_read_file(const char *path, char *buf, size_t cap)
{
    size_t used = 0;
    int32_t h;

    if (cap == 0) {
        return -1;
    }
    h = semihost_open_read(path);
    if (h < 0) {
        return -1;
    }
    for (;;) {
        int32_t n = semihost_read(h, buf + used, cap - 1 - used);
        if (n < 0) {
            semihost_close(h);
            return -1;
        }
        if (n == 0) {
            break;
        }
        used += (size_t)n;
        if (used == cap - 1) {
            /* Full: one more byte would mean the file does not fit. */
            char probe;
            n = semihost_read(h, &probe, 1);
            semihost_close(h);
            if (n != 0) {
                return -1;
            }
            buf[used] = '\0';
            return (int32_t)used;
        }
    }
    semihost_close(h);
    buf[used] = '\0';
    return (int32_t)used;
}

uint32_t semihost_time(void)
{
    return (uint32_t)semihost_call(SYS_TIME, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * entropy.c - STAND-IN ENTROPY SOURCE for the emulated board: the host's
 * /dev/urandom, read through semihosting. Not for real hardware, which has
 * no semihosting host; there entropy_fill() reads the MCU's TRNG. See
 * entropy.h.
 */
#include "entropy.h"

#include "mbedtls/entropy.h"
#include "mbedtls/entropy_poll.h"

#include "semihost.h"

/* Opened on first use and kept: one semihosting open per boot. */
static int32_t urandom = -1;

int entropy_fill(void *buf, size_t len)
{
    unsigned char *p = (unsigned char *)buf;
    if (urandom < 0) {
        urandom = semihost_open_read("/dev/urandom");
        if (urandom < 0) {
            return -1;
        }
    }
    while (len > 0) {
        int32_t n = semihost_read(urandom, p, len);
        if (n <= 0) {
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

uint32_t entropy_u32(void)
{
    uint32_t v = 0;
    if (entropy_fill(&v, sizeof v) != 0) {
        return 0;
    }
    return v;
}

/* mbedTLS's hardware entropy hook (MBEDTLS_ENTROPY_HARDWARE_ALT in
 * mbedtls_config.h): the TRNG of a real board goes here, through
 * entropy_fill(). */
int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen)
{
    (void)data;
    if (entropy_fill(output, len) != 0) {
        *olen = 0;
        return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
    }
    *olen = len;
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * entropy.h - the board's source of random bytes, for mbedTLS (its
 * mbedtls_hardware_poll() hook, MBEDTLS_ENTROPY_HARDWARE_ALT) and for lwIP
 * (LWIP_RAND()).
 *
 * THE MPS2 HAS NO RANDOM NUMBER GENERATOR. entropy.c is a stand-in for the
 * emulated board only: it reads the host's /dev/urandom through
 * semihosting. A real board implements entropy_fill() over its TRNG
 * (STM32 RNG, NXP TRNG, nRF RNG, ...), and nothing else changes.
 */
#ifndef MPS2_ENTROPY_H
#define MPS2_ENTROPY_H

#include <stddef.h>
#include <stdint.h>

/* Fills buf with len random bytes. Returns 0, or -1 when the source failed
 * (the caller must not go on with predictable keys). */
int entropy_fill(void *buf, size_t len);

/* A random 32-bit number for lwIP (DHCP xid, DNS id, TCP ISN, ports); 0 in
 * the unlikely case the source failed, which lwIP survives. */
uint32_t entropy_u32(void);

#endif /* MPS2_ENTROPY_H */

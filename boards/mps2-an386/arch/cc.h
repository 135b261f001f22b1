/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arch/cc.h - lwIP's compiler and platform glue for the mps2-an386 board
 * (arm-none-eabi-gcc, newlib-nano, little endian).
 */
#ifndef MPS2_ARCH_CC_H
#define MPS2_ARCH_CC_H

#include <stdint.h>

/* lwIP's own character tests instead of newlib's locale-aware ctype
 * tables, which would come along with isdigit() and friends. */
#define LWIP_NO_CTYPE_H 1

/* Random numbers for DHCP transaction ids, DNS query ids, TCP initial
 * sequence numbers and local ports: from the board's entropy source. */
uint32_t entropy_u32(void);
#define LWIP_RAND() entropy_u32()

/* Diagnostics and failed asserts (when lwipopts.h enables them) go to the
 * console; a failed assert ends the program (lwip_sys.c). */
void lwip_sys_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void lwip_sys_assert(const char *msg, int line, const char *file) __attribute__((noreturn));
#define LWIP_PLATFORM_DIAG(x)                                                                      \
    do {                                                                                           \
        lwip_sys_diag x;                                                                           \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x) lwip_sys_assert((x), __LINE__, __FILE__)

#endif /* MPS2_ARCH_CC_H */

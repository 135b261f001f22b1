/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock.h - the board's time: a millisecond tick from SysTick, and the UTC
 * wall clock kept as an offset from it.
 */
#ifndef MPS2_CLOCK_H
#define MPS2_CLOCK_H

#include <stdint.h>

/* The core clock of the MPS2 FPGA images (AN385/AN386): 25 MHz. */
#define CLOCK_CPU_HZ 25000000u

/* Starts SysTick at one interrupt per millisecond. */
void clock_init(void);

/* Milliseconds since clock_init(); wraps after 49 days (lwIP's sys_now()
 * takes differences, so the wrap is harmless there). */
uint32_t clock_ms(void);

/* Milliseconds since clock_init(), never wrapping. */
uint64_t clock_ms64(void);

/* Sets the wall clock: sec seconds and us microseconds since 1970 UTC, now.
 * From the host at boot (semihosting), later from SNTP. */
void clock_set_utc(uint32_t sec, uint32_t us);

/* UTC milliseconds since 1970, or 0 while clock_set_utc() was never called. */
int64_t clock_utc_ms(void);

#endif /* MPS2_CLOCK_H */

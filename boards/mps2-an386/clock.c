/* SPDX-License-Identifier: Apache-2.0 */
/* clock.c - SysTick millisecond clock and UTC offset; see clock.h. */
#include "clock.h"

#include "cortex_m4.h"

/* Written by the SysTick handler only; a 64-bit count is two words, so a
 * reader retries until it saw the same value twice (clock_ms64()). */
static volatile uint64_t ticks_ms;
/* UTC at tick 0, in milliseconds; 0 while unknown. */
static int64_t utc_at_boot_ms;

void systick_handler(void);

void systick_handler(void)
{
    ticks_ms++;
}

void clock_init(void)
{
    SYST_CSR = 0;
    SYST_RVR = CLOCK_CPU_HZ / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
}

uint64_t clock_ms64(void)
{
    uint64_t a;
    uint64_t b;
    do {
        a = ticks_ms;
        b = ticks_ms;
    } while (a != b);
    return a;
}

uint32_t clock_ms(void)
{
    return (uint32_t)clock_ms64();
}

void clock_set_utc(uint32_t sec, uint32_t us)
{
    int64_t now_ms = (int64_t)sec * 1000 + (int64_t)(us / 1000u);
    utc_at_boot_ms = now_ms - (int64_t)clock_ms64();
}

int64_t clock_utc_ms(void)
{
    if (utc_at_boot_ms == 0) {
        return 0;
    }
    return utc_at_boot_ms + (int64_t)clock_ms64();
}

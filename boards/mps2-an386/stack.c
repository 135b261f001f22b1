/* SPDX-License-Identifier: Apache-2.0 */
/* stack.c - stack high-water mark by painting; see stack.h. */
#include "stack.h"

#include <stdint.h>

/* From the linker script: the stack region is [__stack_limit, __stack_top). */
extern uint32_t __stack_limit[];
extern uint32_t __stack_top[];

#define STACK_PAINT 0x5AC3A55Cu

void stack_paint(void)
{
    uint32_t *sp;
    uint32_t *p;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    /* Everything below the current stack pointer is free; this loop stays
     * in registers, so it never writes below sp itself. */
    for (p = __stack_limit; p < sp; p++) {
        *p = STACK_PAINT;
    }
}

size_t stack_peak_bytes(void)
{
    const uint32_t *p = __stack_limit;
    while (p < __stack_top && *p == STACK_PAINT) {
        p++;
    }
    return (size_t)((uintptr_t)__stack_top - (uintptr_t)p);
}

size_t stack_size_bytes(void)
{
    return (size_t)((uintptr_t)__stack_top - (uintptr_t)__stack_limit);
}

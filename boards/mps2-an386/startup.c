/* SPDX-License-Identifier: Apache-2.0 */
/*
 * startup.c - what runs from reset to main(): the vector table, the reset
 * handler that prepares C's memory, and the exit through semihosting.
 *
 * The board image has no C runtime start files (-nostartfiles): C code here
 * needs only .data copied and .bss zeroed; there are no constructors.
 */
#include <stdint.h>
#include <string.h>

#include "cortex_m4.h"
#include "fault.h"
#include "semihost.h"
#include "stack.h"

/* From the linker script. */
extern uint32_t __data_start[];
extern uint32_t __data_end[];
extern const uint32_t __data_load[];
extern uint32_t __bss_start[];
extern uint32_t __bss_end[];
extern uint32_t __stack_top[];

int main(void);
void reset_handler(void) __attribute__((noreturn));
void systick_handler(void);

typedef void (*vector_fn)(void);

/* The ARMv7-M vector table: the initial stack pointer, then the system
 * exception handlers. No device interrupt is enabled (the Ethernet driver
 * polls), so the table stops after SysTick. */
struct vector_table {
    uint32_t *initial_sp;
    vector_fn handler[15];
};

__attribute__((section(".vectors"), used)) const struct vector_table vector_table = {
    __stack_top,
    {
        reset_handler,   /* 1 Reset */
        fault_handler,   /* 2 NMI */
        fault_handler,   /* 3 HardFault */
        fault_handler,   /* 4 MemManage */
        fault_handler,   /* 5 BusFault */
        fault_handler,   /* 6 UsageFault */
        0,               /* 7 reserved */
        0,               /* 8 reserved */
        0,               /* 9 reserved */
        0,               /* 10 reserved */
        fault_handler,   /* 11 SVCall: nothing here calls svc */
        fault_handler,   /* 12 DebugMonitor */
        0,               /* 13 reserved */
        fault_handler,   /* 14 PendSV: no scheduler */
        systick_handler, /* 15 SysTick: the millisecond clock */
    },
};

void reset_handler(void)
{
    /* The FPU first: -mfloat-abi=hard code may use its registers anywhere
     * (the C library's, for one). */
    SCB_CPACR |= SCB_CPACR_CP10_CP11_FULL;
    __asm__ volatile("dsb\n\tisb" ::: "memory");

    /* .data is stored in the code region after .text; flash-like, so copy. */
    memcpy(__data_start, __data_load, (size_t)((uintptr_t)__data_end - (uintptr_t)__data_start));
    memset(__bss_start, 0, (size_t)((uintptr_t)__bss_end - (uintptr_t)__bss_start));
    stack_paint();

    /* Report MemManage, BusFault and UsageFault as themselves instead of
     * escalating them to HardFault; trap integer division by zero. */
    SCB_SHCSR |= SCB_SHCSR_MEMFAULTENA | SCB_SHCSR_BUSFAULTENA | SCB_SHCSR_USGFAULTENA;
    SCB_CCR |= SCB_CCR_DIV_0_TRP;

    semihost_exit(main());
}

/* SPDX-License-Identifier: Apache-2.0 */
/* fault.c - report an unexpected exception and exit; see fault.h. */
#include "fault.h"

#include <stdint.h>

#include "cortex_m4.h"
#include "log.h"
#include "semihost.h"

void fault_report(const uint32_t *frame, uint32_t exc_return) __attribute__((noreturn, used));

static const char *exception_name(uint32_t n)
{
    switch (n) {
    case 2:
        return "NMI";
    case 3:
        return "HardFault";
    case 4:
        return "MemManage";
    case 5:
        return "BusFault";
    case 6:
        return "UsageFault";
    case 11:
        return "SVCall";
    case 12:
        return "DebugMonitor";
    case 14:
        return "PendSV";
    default:
        return "exception";
    }
}

/* Hex without the C library: the fault may come from a corrupt stack or
 * from inside the library itself. */
static void put_hex(const char *label, uint32_t v)
{
    static const char digits[] = "0123456789abcdef";
    char text[12];
    int i;
    log_raw(label);
    text[0] = '0';
    text[1] = 'x';
    for (i = 0; i < 8; i++) {
        text[2 + i] = digits[(v >> (28 - 4 * i)) & 0xFu];
    }
    text[10] = ' ';
    text[11] = '\0';
    log_raw(text);
}

/* The stacked frame is r0, r1, r2, r3, r12, lr, pc, xpsr. */
void fault_report(const uint32_t *frame, uint32_t exc_return)
{
    uint32_t ipsr;
    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    ipsr &= 0x1FFu;

    log_raw("\nFAULT: ");
    log_raw(exception_name(ipsr));
    log_raw("\n");
    put_hex("  pc=", frame[6]);
    put_hex("lr=", frame[5]);
    put_hex("xpsr=", frame[7]);
    put_hex("sp=", (uint32_t)(uintptr_t)frame);
    put_hex("exc_return=", exc_return);
    log_raw("\n");
    put_hex("  cfsr=", SCB_CFSR);
    put_hex("hfsr=", SCB_HFSR);
    put_hex("mmfar=", SCB_MMFAR);
    put_hex("bfar=", SCB_BFAR);
    log_raw("\n");
    semihost_exit(FAULT_EXIT_BASE + (int)ipsr);
}

/* Naked: find the stacked frame before any prologue moves the stack. Bit 2
 * of EXC_RETURN (in lr) says which stack the frame went to. */
void fault_handler(void)
{
    __asm__ volatile("tst lr, #4\n\t"
                     "ite eq\n\t"
                     "mrseq r0, msp\n\t"
                     "mrsne r0, psp\n\t"
                     "mov r1, lr\n\t"
                     "b fault_report\n");
}

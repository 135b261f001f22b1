/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cortex_m4.h - the few Cortex-M4 system registers the board code touches
 * (ARMv7-M Architecture Reference Manual, System Control Space), so that no
 * vendor CMSIS headers are needed.
 */
#ifndef MPS2_CORTEX_M4_H
#define MPS2_CORTEX_M4_H

#include <stdint.h>

#define M4_REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* SysTick */
#define SYST_CSR M4_REG(0xE000E010u)
#define SYST_RVR M4_REG(0xE000E014u)
#define SYST_CVR M4_REG(0xE000E018u)
#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2) /* the processor clock */

/* System Control Block */
#define SCB_ICSR M4_REG(0xE000ED04u)
#define SCB_CCR M4_REG(0xE000ED14u)
#define SCB_SHCSR M4_REG(0xE000ED24u)
#define SCB_CFSR M4_REG(0xE000ED28u)
#define SCB_HFSR M4_REG(0xE000ED2Cu)
#define SCB_MMFAR M4_REG(0xE000ED34u)
#define SCB_BFAR M4_REG(0xE000ED38u)
#define SCB_CPACR M4_REG(0xE000ED88u)
#define SCB_CCR_DIV_0_TRP (1u << 4)
#define SCB_SHCSR_MEMFAULTENA (1u << 16)
#define SCB_SHCSR_BUSFAULTENA (1u << 17)
#define SCB_SHCSR_USGFAULTENA (1u << 18)
#define SCB_CPACR_CP10_CP11_FULL (0xFu << 20)

#endif /* MPS2_CORTEX_M4_H */

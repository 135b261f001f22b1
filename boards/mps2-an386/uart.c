/* SPDX-License-Identifier: Apache-2.0 */
/* uart.c - CMSDK APB UART0 (ARM DDI 0479, "UART"); see uart.h. */
#include "uart.h"

#include <stdint.h>

#define UART0_BASE 0x40004000u
#define UART_REG(off) (*(volatile uint32_t *)(uintptr_t)(UART0_BASE + (off)))
#define UART_DATA UART_REG(0x00u)
#define UART_STATE UART_REG(0x04u)
#define UART_CTRL UART_REG(0x08u)
#define UART_BAUDDIV UART_REG(0x10u)

#define UART_STATE_TX_FULL (1u << 0)
#define UART_CTRL_TX_ENABLE (1u << 0)

/* 25 MHz / 115200 baud. QEMU ignores the rate, real boards do not. */
#define UART_BAUDDIV_115200 217u

void uart_init(void)
{
    UART_BAUDDIV = UART_BAUDDIV_115200;
    UART_CTRL = UART_CTRL_TX_ENABLE;
}

static void put(char c)
{
    while ((UART_STATE & UART_STATE_TX_FULL) != 0u) {
    }
    UART_DATA = (uint32_t)(unsigned char)c;
}

void uart_write(const char *data, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++) {
        if (data[i] == '\n') {
            put('\r');
        }
        put(data[i]);
    }
}

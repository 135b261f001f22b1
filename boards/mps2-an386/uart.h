/* SPDX-License-Identifier: Apache-2.0 */
/*
 * uart.h - the board console: CMSDK UART0 of the MPS2 (on stdio under QEMU
 * with -nographic), transmit only, polled.
 */
#ifndef MPS2_UART_H
#define MPS2_UART_H

#include <stddef.h>

/* Sets the baud rate divider and enables the transmitter. */
void uart_init(void);

/* Writes len bytes, waiting while the transmit buffer is full; "\n" goes out
 * as "\r\n" for a terminal. */
void uart_write(const char *data, size_t len);

#endif /* MPS2_UART_H */

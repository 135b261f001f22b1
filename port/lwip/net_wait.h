/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net_wait.h - waiting on a bare-metal lwIP (NO_SYS=1): the board's hooks,
 * the one loop turn every blocking call of the port makes, a 64-bit clock
 * and name resolution.
 *
 * Without threads, nothing happens on the network unless someone polls the
 * Ethernet driver and runs lwIP's timers. So whoever waits does it: each
 * turn of port_lwip_wait() hands received frames to lwIP (the board's
 * netif poll hook), runs sys_check_timeouts(), and when nothing arrived
 * lets the core sleep until the next interrupt (the idle hook). lwIP's
 * callbacks run inside that turn.
 */
#ifndef PORT_LWIP_NET_WAIT_H
#define PORT_LWIP_NET_WAIT_H

#include <stdint.h>

#include "lwip/ip_addr.h"

/* What the board provides. */
typedef struct {
    /* Hand every frame the Ethernet controller received to lwIP
     * (netif->input). Returns how many there were (0: none). Required. */
    int (*netif_poll)(void);
    /* Nothing arrived: sleep until the next interrupt (a timer tick comes
     * at least every millisecond), e.g. WFI. NULL: spin. */
    void (*idle)(void);
    /* Write one log line (no trailing newline) on the console. NULL: the
     * log goes nowhere. */
    void (*console)(const char *line);
    /* UTC in milliseconds since 1970 before SNTP has answered (an RTC, the
     * debugger's clock); 0 when unknown. NULL: unknown. */
    int64_t (*rtc_utc_ms)(void);
} port_lwip_board_t;

/* Register the board's hooks (kept, not copied): once, before any other
 * call of the port. */
void port_lwip_set_board(const port_lwip_board_t *board);

/* The hooks registered, or NULL before port_lwip_set_board(). */
const port_lwip_board_t *port_lwip_board(void);

/* One turn: received frames into lwIP, lwIP's timers, the idle hook when
 * nothing arrived. */
void port_lwip_wait(void);

/* Turns for ms milliseconds. */
void port_lwip_wait_ms(uint32_t ms);

/* Milliseconds since boot, 64 bits, from lwIP's sys_now(): its 32-bit wrap
 * is followed as long as this is called at least every 49 days, which
 * every wait does. */
uint64_t port_lwip_now_ms(void);

/* Resolve host: an address in dotted form, a name of lwIP's local host list
 * (dns_local_addhost()), or a DNS query, waiting at most timeout_ms.
 * Returns 0 with *addr set, or -1. */
int port_lwip_resolve(const char *host, ip_addr_t *addr, uint32_t timeout_ms);

#endif /* PORT_LWIP_NET_WAIT_H */

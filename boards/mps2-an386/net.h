/* SPDX-License-Identifier: Apache-2.0 */
/*
 * net.h - the board's network: lwIP (NO_SYS) on the LAN9118, brought up
 * with DHCP, and the hooks through which the lwIP port drives it.
 *
 * Everything lwIP does happens inside port_lwip_wait() (port/lwip/
 * net_wait.h), on the caller's thread: net_init() registers this board's
 * hooks there (the LAN9118 poll, WFI when idle, the console, the clock set
 * from the host at boot), so every blocking call of the port, and the
 * waits below, drive the Ethernet controller and lwIP's timers.
 */
#ifndef MPS2_NET_H
#define MPS2_NET_H

#include <stdint.h>

#include "lwip/ip_addr.h"
#include "lwip/netif.h"

/* Initialises lwIP and the LAN9118, registers the board's hooks with the
 * lwIP port, adds the interface (the default one) and starts DHCP,
 * announcing hostname. Returns 0, or -1 when the Ethernet controller did
 * not answer. */
int net_init(const char *hostname);

/* Waits until DHCP has bound an address, at most timeout_ms. Returns 0 or
 * -1 on timeout. */
int net_wait_dhcp(uint32_t timeout_ms);

/* The Ethernet controller's counters on the console, one line. */
void net_log_stats(void);

/* The interface, for its addresses. */
struct netif *net_netif(void);

#endif /* MPS2_NET_H */

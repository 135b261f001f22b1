/*
 * net.h - the board's network: lwIP (NO_SYS) on the LAN9118, brought up
 * with DHCP, and the loop that drives both.
 *
 * Everything lwIP does happens inside net_poll(), on the caller's thread:
 * waiting for the network means calling it in a loop (net_wait()), which is
 * what every blocking call of the board's network code does.
 */
#ifndef MPS2_NET_H
#define MPS2_NET_H

#include <stdint.h>

#include "lwip/ip_addr.h"
#include "lwip/netif.h"

/* Initialises lwIP and the LAN9118, adds the interface (the default one)
 * and starts DHCP, announcing hostname. Returns 0, or -1 when the
 * Ethernet controller did not answer. */
int net_init(const char *hostname);

/* Runs the network once: received frames into lwIP, lwIP's timers.
 * Returns the number of frames received. */
int net_poll(void);

/* One turn of a wait loop: net_poll(), then, when nothing arrived, sleep
 * until the next clock tick (at most 1 ms) instead of spinning. */
void net_wait(void);

/* Waits until DHCP has bound an address, at most timeout_ms. Returns 0 or
 * -1 on timeout. */
int net_wait_dhcp(uint32_t timeout_ms);

/* Resolves host (an address in dotted form, a name of the local host list,
 * or through DNS), waiting at most timeout_ms. Returns 0 or -1. */
int net_resolve(const char *host, ip_addr_t *addr, uint32_t timeout_ms);

/* The interface, for its addresses. */
struct netif *net_netif(void);

#endif /* MPS2_NET_H */

/* SPDX-License-Identifier: Apache-2.0 */
/* net.c - lwIP and the LAN9118 brought up and driven; see net.h. */
#include "net.h"

#include "lwip/dhcp.h"
#include "lwip/init.h"
#include "netif/ethernet.h"

#include "clock.h"
#include "lan9118.h"
#include "log.h"
#include "net_wait.h"

static struct netif netif;

static int poll_lan9118(void)
{
    return lan9118_poll(&netif);
}

static void wait_for_interrupt(void)
{
    /* SysTick wakes the core within a millisecond. */
    __asm__ volatile("wfi");
}

static void console_line(const char *line)
{
    log_line("%s", line);
}

static const port_lwip_board_t hooks = {
    poll_lan9118, wait_for_interrupt, console_line,
    clock_utc_ms, /* the host's clock at boot (semihosting): the board's RTC */
};

int net_init(const char *hostname)
{
    port_lwip_set_board(&hooks);
    lwip_init();
    if (netif_add(&netif, NULL, NULL, NULL, NULL, lan9118_netif_init, ethernet_input) == NULL) {
        return -1;
    }
    netif_set_hostname(&netif, hostname);
    netif_set_default(&netif);
    netif_set_up(&netif);
    if (lan9118_link_up()) {
        netif_set_link_up(&netif);
    }
    return dhcp_start(&netif) == ERR_OK ? 0 : -1;
}

int net_wait_dhcp(uint32_t timeout_ms)
{
    uint32_t start = clock_ms();
    while (!dhcp_supplied_address(&netif)) {
        if ((uint32_t)(clock_ms() - start) > timeout_ms) {
            return -1;
        }
        port_lwip_wait();
    }
    return 0;
}

void net_log_stats(void)
{
    const lan9118_stats_t *st = lan9118_stats();
    log_line("lan9118: rx %lu frames (%lu dropped, %lu errors), tx %lu frames (%lu errors, %lu "
             "timeouts)",
             (unsigned long)st->rx_frames, (unsigned long)st->rx_dropped,
             (unsigned long)st->rx_errors, (unsigned long)st->tx_frames,
             (unsigned long)st->tx_errors, (unsigned long)st->tx_timeouts);
}

struct netif *net_netif(void)
{
    return &netif;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - the bring-up image's sequence: console, clock, configuration,
 * network (DHCP), the TCP echo check, the TLS check; the exit status says
 * which step failed (bringup.h).
 */
#include "bringup.h"
#include "clock.h"
#include "lan9118.h"
#include "log.h"
#include "net.h"
#include "semihost.h"
#include "stack.h"
#include "tls_platform.h"
#include "uart.h"

#include "lwip/ip4_addr.h"
#include "lwip/netif.h"

static bringup_config_t cfg;

static int bring_up_network(void)
{
    struct netif *n;
    uint32_t start;

    if (net_init("m2m-bringup") != 0) {
        log_line("net: no LAN9118 at 0x40200000");
        return BRINGUP_ERR_NET;
    }
    n = net_netif();
    log_line("net: LAN9118 id 0x%08lx, MAC %02x:%02x:%02x:%02x:%02x:%02x, link %s",
             (unsigned long)lan9118_chip_id(), n->hwaddr[0], n->hwaddr[1], n->hwaddr[2],
             n->hwaddr[3], n->hwaddr[4], n->hwaddr[5], netif_is_link_up(n) ? "up" : "down");
    start = clock_ms();
    if (net_wait_dhcp(cfg.dhcp_timeout_ms) != 0) {
        log_line("net: no DHCP lease within %lu ms", (unsigned long)cfg.dhcp_timeout_ms);
        return BRINGUP_ERR_NET;
    }
    log_line("net: DHCP bound in %lu ms: address %s", (unsigned long)(clock_ms() - start),
             ip4addr_ntoa(netif_ip4_addr(n)));
    /* ip4addr_ntoa() has one static buffer: one address per call. */
    log_line("net: netmask %s", ip4addr_ntoa(netif_ip4_netmask(n)));
    log_line("net: gateway %s", ip4addr_ntoa(netif_ip4_gw(n)));
    return BRINGUP_OK;
}

static int run(void)
{
    int rc;

    if (bringup_config_read(BRINGUP_CONFIG_PATH, &cfg) != 0) {
        return BRINGUP_ERR_CONFIG;
    }
    if (cfg.fault_test) {
        log_line("fault test: executing an undefined instruction");
        __asm__ volatile("udf #0");
    }
    rc = bring_up_network();
    if (rc == BRINGUP_OK && cfg.echo_port != 0) {
        rc = echo_check(&cfg);
    }
    if (rc == BRINGUP_OK && cfg.tls_port != 0) {
        rc = tls_check(&cfg);
    }
    return rc;
}

int main(void)
{
    int rc;

    uart_init();
    clock_init();
    /* The host's clock through semihosting; a real board would start from
     * its RTC or wait for SNTP. */
    clock_set_utc(semihost_time(), 0);
    log_line("mps2-an386 bring-up: Cortex-M4 at %lu MHz, UTC %ld",
             (unsigned long)(CLOCK_CPU_HZ / 1000000u), (long)(clock_utc_ms() / 1000));

    rc = run();

    net_log_stats();
    log_line("stack: peak %u of %u bytes; TLS pool: peak %u of %u bytes",
             (unsigned)stack_peak_bytes(), (unsigned)stack_size_bytes(),
             (unsigned)tls_pool_peak_bytes(), (unsigned)TLS_POOL_SIZE);
    log_line("bring-up %s (exit %d)", rc == BRINGUP_OK ? "passed" : "FAILED", rc);
    return rc;
}

/* net.c - lwIP and the LAN9118 brought up and driven; see net.h. */
#include "net.h"

#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/init.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#include "clock.h"
#include "lan9118.h"

static struct netif netif;

int net_init(const char *hostname)
{
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

int net_poll(void)
{
    int frames = lan9118_poll(&netif);
    sys_check_timeouts();
    return frames;
}

void net_wait(void)
{
    if (net_poll() == 0) {
        /* SysTick wakes us within a millisecond. */
        __asm__ volatile("wfi");
    }
}

int net_wait_dhcp(uint32_t timeout_ms)
{
    uint32_t start = clock_ms();
    while (!dhcp_supplied_address(&netif)) {
        if ((uint32_t)(clock_ms() - start) > timeout_ms) {
            return -1;
        }
        net_wait();
    }
    return 0;
}

struct resolve_state {
    ip_addr_t addr;
    int done; /* 1 found, -1 not found, 0 waiting */
};

static void resolved(const char *name, const ip_addr_t *addr, void *arg)
{
    struct resolve_state *st = (struct resolve_state *)arg;
    (void)name;
    if (addr != NULL) {
        st->addr = *addr;
        st->done = 1;
    } else {
        st->done = -1;
    }
}

int net_resolve(const char *host, ip_addr_t *addr, uint32_t timeout_ms)
{
    /* static: lwIP's DNS keeps the callback argument until it answers,
     * even past our timeout. */
    static struct resolve_state st;
    uint32_t start = clock_ms();
    err_t err;

    if (ipaddr_aton(host, addr)) {
        return 0;
    }
    st.done = 0;
    err = dns_gethostbyname(host, &st.addr, resolved, &st);
    if (err == ERR_OK) {
        *addr = st.addr; /* the local host list or the cache */
        return 0;
    }
    if (err != ERR_INPROGRESS) {
        return -1;
    }
    while (st.done == 0) {
        if ((uint32_t)(clock_ms() - start) > timeout_ms) {
            return -1;
        }
        net_wait();
    }
    if (st.done < 0) {
        return -1;
    }
    *addr = st.addr;
    return 0;
}

struct netif *net_netif(void)
{
    return &netif;
}

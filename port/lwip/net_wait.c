/* SPDX-License-Identifier: Apache-2.0 */
/* net_wait.c - the board's hooks, the wait turn, the clock, names; see net_wait.h. */
#include "net_wait.h"

#include "lwip/dns.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"

static const port_lwip_board_t *hooks;

void port_lwip_set_board(const port_lwip_board_t *board)
{
    hooks = board;
}

const port_lwip_board_t *port_lwip_board(void)
{
    return hooks;
}

void port_lwip_wait(void)
{
    int frames = hooks != NULL && hooks->netif_poll != NULL ? hooks->netif_poll() : 0;
    sys_check_timeouts();
    (void)port_lwip_now_ms(); /* follows sys_now()'s wrap */
    if (frames == 0 && hooks != NULL && hooks->idle != NULL) {
        hooks->idle();
    }
}

void port_lwip_wait_ms(uint32_t ms)
{
    uint64_t end = port_lwip_now_ms() + ms;
    while (port_lwip_now_ms() < end) {
        port_lwip_wait();
    }
}

uint64_t port_lwip_now_ms(void)
{
    /* sys_now() wraps every 2^32 ms; the high word counts the wraps. */
    static uint32_t last;
    static uint64_t high;
    uint32_t now = sys_now();
    if (now < last) {
        high += (uint64_t)1 << 32;
    }
    last = now;
    return high | now;
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

int port_lwip_resolve(const char *host, ip_addr_t *addr, uint32_t timeout_ms)
{
    /* static: lwIP's DNS keeps the callback's argument until the server
     * answers, even past our timeout. */
    static struct resolve_state st;
    uint64_t end = port_lwip_now_ms() + timeout_ms;
    err_t err;

    if (host == NULL || host[0] == '\0') {
        return -1;
    }
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
        if (port_lwip_now_ms() >= end) {
            return -1;
        }
        port_lwip_wait();
    }
    if (st.done < 0) {
        return -1;
    }
    *addr = st.addr;
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock_sntp.c - the port's clocks (m2m_time_*): monotonic milliseconds from
 * lwIP's sys_now(), and UTC from lwIP's SNTP app.
 *
 * SNTP's answer is kept as an offset from the monotonic clock (UTC at
 * monotonic 0), so UTC moves with the same tick between answers and a
 * later answer simply replaces the offset. Until the first answer, UTC is
 * the board's best value (its RTC hook) or 0: a board that must sign
 * requests (AK/SK dates) or check certificate validity waits for
 * port_lwip_time_synced() before it polls.
 */
#include "port_lwip.h"

#include "lwip/apps/sntp.h"

uint16_t port_lwip_sntp_port = 123;

/* UTC milliseconds at monotonic 0; valid once synced. */
static int64_t utc_at_zero_ms;
static int synced;

void port_lwip_sntp_set_time(uint32_t sec, uint32_t us)
{
    int64_t utc_ms = (int64_t)sec * 1000 + (int64_t)(us / 1000u);
    utc_at_zero_ms = utc_ms - (int64_t)port_lwip_now_ms();
    synced = 1;
}

int port_lwip_time_synced(void)
{
    return synced;
}

int port_lwip_sntp_start(const char *server, uint16_t udp_port)
{
    ip_addr_t addr;
    /* Resolved once here (local host list, or DNS with a short wait) so
     * that SNTP's own resolution is never needed. */
    if (port_lwip_resolve(server, &addr, 5000u) != 0) {
        return -1;
    }
    port_lwip_sntp_port = udp_port;
    sntp_stop();
    sntp_setoperatingmode(SNTP_OPMODE_POLL);
    sntp_setserver(0, &addr);
    sntp_init();
    return 0;
}

uint64_t m2m_time_monotonic_ms(m2m_port_t *port)
{
    (void)port;
    return port_lwip_now_ms();
}

int64_t m2m_time_utc_ms(m2m_port_t *port)
{
    const port_lwip_board_t *board = port_lwip_board();
    (void)port;
    if (synced) {
        return utc_at_zero_ms + (int64_t)port_lwip_now_ms();
    }
    return board != NULL && board->rtc_utc_ms != NULL ? board->rtc_utc_ms() : 0;
}

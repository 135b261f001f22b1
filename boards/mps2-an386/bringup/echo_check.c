/* SPDX-License-Identifier: Apache-2.0 */
/*
 * echo_check.c - TCP through lwIP: send echo_bytes to the echo server while
 * reading them back, and compare every byte.
 */
#include "bringup.h"
#include "clock.h"
#include "log.h"
#include "net.h"
#include "net_wait.h"
#include "tcp_stream.h"

#define ECHO_TIMEOUT_MS 30000u
#define CHUNK 1024u

/* Byte i of the stream: not periodic over 256, so a lost, repeated or
 * reordered segment shows as a mismatch. */
static unsigned char pattern(uint32_t i)
{
    return (unsigned char)((i * 31u) ^ (i >> 8) ^ (i >> 16));
}

int echo_check(const bringup_config_t *cfg)
{
    static tcp_stream_t s;
    static unsigned char buf[CHUNK];
    uint32_t sent = 0;
    uint32_t got = 0;
    uint32_t start;
    ip_addr_t addr;
    int32_t rc;

    if (port_lwip_resolve(cfg->echo_host, &addr, 5000u) != 0) {
        log_line("echo: cannot resolve %s", cfg->echo_host);
        return BRINGUP_ERR_ECHO;
    }
    start = clock_ms();
    rc = tcp_stream_connect(&s, &addr, cfg->echo_port, 5000u);
    if (rc != TCP_STREAM_OK) {
        log_line("echo: connect to %s:%u failed (%ld)", ipaddr_ntoa(&addr),
                 (unsigned)cfg->echo_port, (long)rc);
        return BRINGUP_ERR_ECHO;
    }
    log_line("echo: connected to %s:%u in %lu ms", ipaddr_ntoa(&addr), (unsigned)cfg->echo_port,
             (unsigned long)(clock_ms() - start));

    start = clock_ms();
    while (got < cfg->echo_bytes) {
        uint32_t i;
        if ((uint32_t)(clock_ms() - start) > ECHO_TIMEOUT_MS) {
            log_line("echo: timeout after %lu of %lu bytes back", (unsigned long)got,
                     (unsigned long)cfg->echo_bytes);
            tcp_stream_close(&s);
            return BRINGUP_ERR_ECHO;
        }
        if (sent < cfg->echo_bytes) {
            uint32_t n = cfg->echo_bytes - sent;
            if (n > CHUNK) {
                n = CHUNK;
            }
            for (i = 0; i < n; i++) {
                buf[i] = pattern(sent + i);
            }
            /* No waiting for room: reading the echo is what makes room. */
            rc = tcp_stream_send(&s, buf, n, 0);
            if (rc < 0) {
                log_line("echo: send failed (%ld)", (long)rc);
                tcp_stream_close(&s);
                return BRINGUP_ERR_ECHO;
            }
            sent += (uint32_t)rc;
        }
        rc = tcp_stream_recv(&s, buf, sizeof buf, sent > got ? 10u : 0u);
        if (rc < 0) {
            log_line("echo: receive failed after %lu bytes (%ld)", (unsigned long)got, (long)rc);
            tcp_stream_close(&s);
            return BRINGUP_ERR_ECHO;
        }
        for (i = 0; i < (uint32_t)rc; i++) {
            if (buf[i] != pattern(got + i)) {
                log_line("echo: byte %lu differs", (unsigned long)(got + i));
                tcp_stream_close(&s);
                return BRINGUP_ERR_ECHO;
            }
        }
        got += (uint32_t)rc;
    }
    tcp_stream_close(&s);
    log_line("echo: %lu bytes sent and received intact in %lu ms", (unsigned long)got,
             (unsigned long)(clock_ms() - start));
    return BRINGUP_OK;
}

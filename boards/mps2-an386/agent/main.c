/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - the firmware image's sequence (firmware.h): configuration
 * block, network, SNTP, TLS, the agent, the footprint, the exit status.
 *
 * Everything large is static: the agent (buffers included), the job table,
 * the port (lwIP's MQTT client and the retained-message buffer), the TLS
 * objects; mbedTLS allocates from the board's static pool (tls_platform.h).
 * There is no heap.
 */
#include <string.h>

#include "lwip/dns.h"
#include "lwip/ip4_addr.h"

#include "agent.h"
#include "agent_loop.h"
#include "clock.h"
#include "firmware.h"
#include "log.h"
#include "net.h"
#include "port_lwip.h"
#include "semihost.h"
#include "stack.h"
#include "tls_context.h"
#include "tls_platform.h"
#include "uart.h"

#ifndef M2M_VERSION
#define M2M_VERSION "0.0.0"
#endif

static config_block_t cfg;
static m2m_agent_config_t agent_cfg;
static port_lwip_mqtt_settings_t mqtt_settings;
static m2m_port_t port;
static tls_context_t tls;
static m2m_agent_t agent;
static job_entry_t table[FIRMWARE_MAX_JOBS];

static int bring_up_network(void)
{
    struct netif *n;
    uint32_t start = clock_ms();

    if (net_init(cfg.agent_id) != 0) {
        log_line("net: no LAN9118 at 0x40200000");
        return -1;
    }
    if (net_wait_dhcp(10000u) != 0) {
        log_line("net: no DHCP lease within 10 s");
        return -1;
    }
    n = net_netif();
    log_line("net: DHCP bound in %lu ms: address %s", (unsigned long)(clock_ms() - start),
             ip4addr_ntoa(netif_ip4_addr(n)));
    if (cfg.endpoint_address != NULL) {
        /* The endpoint's name stays what SNI, the certificate check and the
         * Host header see; no DNS query leaves the board for it. */
        ip_addr_t a;
        if (!ipaddr_aton(cfg.endpoint_address, &a) ||
            dns_local_addhost(cfg.endpoint_host, &a) != ERR_OK) {
            log_line("net: endpoint_address %s unusable", cfg.endpoint_address);
            return -1;
        }
    }
    return 0;
}

/* Wait for SNTP's first answer: certificate validity and AK/SK dates need
 * the real time. sntp_timeout 0 waits for ever. */
static int wait_for_time(void)
{
    uint32_t start = clock_ms();
    uint32_t next_note = 10000u;

    if (port_lwip_sntp_start(cfg.sntp_server, (uint16_t)cfg.sntp_port) != 0) {
        log_line("sntp: cannot resolve %s", cfg.sntp_server);
        return -1;
    }
    while (!port_lwip_time_synced()) {
        uint32_t waited = clock_ms() - start;
        if (cfg.sntp_timeout_s != 0 && waited >= cfg.sntp_timeout_s * 1000u) {
            log_line("sntp: no answer from %s:%u within %lu s", cfg.sntp_server,
                     (unsigned)cfg.sntp_port, (unsigned long)cfg.sntp_timeout_s);
            return -1;
        }
        if (waited >= next_note) {
            log_line("sntp: still waiting for %s:%u", cfg.sntp_server, (unsigned)cfg.sntp_port);
            next_note += 10000u;
        }
        port_lwip_wait();
    }
    log_line("sntp: UTC %ld.%03ld from %s after %lu ms", (long)(m2m_time_utc_ms(&port) / 1000),
             (long)(m2m_time_utc_ms(&port) % 1000), cfg.sntp_server,
             (unsigned long)(clock_ms() - start));
    return 0;
}

static int set_up_tls(void)
{
    tls_context_status_t st;
    tls_platform_init();
    /* 4 KB records from a server that honours max_fragment_length; the
     * 16 KB input buffer takes any other. */
    st = tls_context_init(&tls, cfg.ca_pem, MBEDTLS_SSL_MAX_FRAG_LEN_4096);
    if (st != TLS_CONTEXT_OK) {
        log_line("tls: %s (-0x%04x)",
                 st == TLS_CONTEXT_ERR_ENTROPY ? "no entropy"
                 : st == TLS_CONTEXT_ERR_CA    ? "ca_pem holds no usable certificate"
                                               : "setup refused (pool too small?)",
                 (unsigned)-tls.mbedtls_error);
        return -1;
    }
    log_line("tls: ready, pool at %u bytes", (unsigned)tls_pool_peak_bytes());
    return 0;
}

static void fill_agent_config(void)
{
    memset(&agent_cfg, 0, sizeof agent_cfg);
    agent_cfg.host = cfg.endpoint_host;
    agent_cfg.port = (uint16_t)cfg.endpoint_port;
    agent_cfg.project_id = cfg.project_id;
    agent_cfg.auth = cfg.auth;
    agent_cfg.token = cfg.token;
    agent_cfg.ak = cfg.ak;
    agent_cfg.sk = cfg.sk;
    agent_cfg.security_token = cfg.security_token;
    agent_cfg.per_page = cfg.per_page;
    agent_cfg.status = cfg.status;
    agent_cfg.search_content = cfg.search_content;
    agent_cfg.workspace_id = cfg.workspace_id;
    agent_cfg.sort_by = cfg.sort_by;
    agent_cfg.order = cfg.order;
    agent_cfg.base_topic = cfg.base_topic;
    agent_cfg.agent_id = cfg.agent_id;
    agent_cfg.qos = (int)cfg.qos;
    agent_cfg.version = M2M_VERSION;
    agent_cfg.heartbeat_ms = cfg.heartbeat_s * 1000u;

    mqtt_settings.host = cfg.broker_host;
    mqtt_settings.port = (uint16_t)cfg.broker_port;
    mqtt_settings.client_id = cfg.client_id;
    mqtt_settings.username = cfg.mqtt_username;
    mqtt_settings.password = cfg.mqtt_password;
    mqtt_settings.keepalive_s = (uint16_t)cfg.keepalive_s;
    mqtt_settings.timeout_ms = cfg.timeout_s * 1000u;
}

/* The control file: once the host has created it, the agent stops. */
static int control_file_exists(void *ctx)
{
    int32_t h;
    (void)ctx;
    if (cfg.control_file == NULL || cfg.control_file[0] == '\0') {
        return 0;
    }
    h = semihost_open_read(cfg.control_file);
    if (h < 0) {
        return 0;
    }
    semihost_close(h);
    return 1;
}

static uint32_t drbg_random(void *ctx)
{
    return tls_context_random((tls_context_t *)ctx);
}

static int run(void)
{
    agent_loop_config_t loop;
    agent_loop_result_t result;

    if (firmware_config_load(FIRMWARE_CONFIG_PATH, &cfg) != 0) {
        return FIRMWARE_EXIT_CONFIG_BLOCK;
    }
    fill_agent_config();
    port_lwip_init(&port, &mqtt_settings, cfg.log_level);
    if (bring_up_network() != 0) {
        return FIRMWARE_EXIT_NET;
    }
    if (wait_for_time() != 0) {
        return FIRMWARE_EXIT_SNTP;
    }
    if (set_up_tls() != 0) {
        return FIRMWARE_EXIT_TLS;
    }
    if (m2m_agent_init(&agent, &agent_cfg, &port, &tls.cfg.ssl, table, cfg.max_jobs,
                       cfg.timeout_s * 1000u) != M2M_POLL_OK) {
        return M2M_POLL_CONFIG;
    }
    log_line("modelarts2mqtt %s on mps2-an386: endpoint %s:%u, project %s, broker %s:%u, poll "
             "every %lu s, %lu jobs at most",
             M2M_VERSION, cfg.endpoint_host, (unsigned)cfg.endpoint_port, cfg.project_id,
             cfg.broker_host, (unsigned)cfg.broker_port, (unsigned long)cfg.poll_interval_s,
             (unsigned long)cfg.max_jobs);

    memset(&loop, 0, sizeof loop);
    loop.poll_interval_ms = cfg.poll_interval_s * 1000u;
    loop.max_polls = cfg.max_polls;
    loop.should_stop = control_file_exists;
    loop.check_ms = 250u;
    loop.random = drbg_random;
    loop.ctx = &tls;
    (void)agent_loop_run(&agent, &loop, &result);
    log_line("run: %lu polls, %lu ok, %lu MQTT sessions, last result %d",
             (unsigned long)result.polls, (unsigned long)result.polls_ok,
             (unsigned long)result.session_starts, (int)result.last);
    return (int)result.last;
}

int main(void)
{
    int rc;

    uart_init();
    clock_init();
    /* The host's clock (semihosting) stands in for an RTC until SNTP
     * answers; nothing is polled before that. */
    clock_set_utc(semihost_time(), 0);
    log_line("mps2-an386: modelarts2mqtt %s, Cortex-M4 at %lu MHz", M2M_VERSION,
             (unsigned long)(CLOCK_CPU_HZ / 1000000u));

    rc = run();

    net_log_stats();
    /* One line the footprint measurement reads (make size BOARD=mps2-an386). */
    log_line("footprint: stack_peak=%u stack_size=%u tls_pool_peak=%u tls_pool_size=%u",
             (unsigned)stack_peak_bytes(), (unsigned)stack_size_bytes(),
             (unsigned)tls_pool_peak_bytes(), (unsigned)TLS_POOL_SIZE);
    log_line("exit %d", rc);
    return rc;
}

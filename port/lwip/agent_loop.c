/* SPDX-License-Identifier: Apache-2.0 */
/* agent_loop.c - the agent polled on a schedule; see agent_loop.h. */
#include "agent_loop.h"

#include "backoff.h"
#include "port_lwip.h"

/* The longest single wait between two looks at should_stop. */
#define LOOP_STEP_MS 1000u

static uint32_t random_value(const agent_loop_config_t *c, m2m_port_t *port)
{
    if (c->random != NULL) {
        return c->random(c->ctx);
    }
    return backoff_clock_jitter(m2m_time_monotonic_ms(port));
}

/* When the next poll starts (monotonic ms) after one that started at
 * started and ended with r. A success keeps the schedule, start to start;
 * a failure waits from its end as include/backoff.h says, and health,
 * published by the poll with the regular next_poll_at, is published again
 * with the real one. */
static uint64_t pace_after_poll(m2m_agent_t *a, const agent_loop_config_t *c, m2m_poll_result_t r,
                                uint64_t started)
{
    m2m_port_t *port = a->port;
    int64_t now_utc;
    backoff_retry_t retry;
    char num[24];
    char attempt[24];

    if (r == M2M_POLL_OK) {
        return started + c->poll_interval_ms;
    }
    now_utc = m2m_time_utc_ms(port);
    retry = backoff_after_poll(a, r, now_utc, c->poll_interval_ms, random_value(c, port));
    port_lwip_log(port, M2M_LOG_WARN, "poll failed (", retry.reason, "): next attempt in ",
                  port_lwip_num(num, retry.wait_ms), " ms (attempt ",
                  port_lwip_num(attempt, a->health.consecutive_failures), ")", NULL);
    m2m_agent_set_next_poll(a, now_utc + (int64_t)retry.wait_ms);
    return m2m_time_monotonic_ms(port) + retry.wait_ms;
}

/* Serve the session (or just the network) for up to ms. */
static void idle_for(m2m_port_t *port, int started, uint32_t ms)
{
    if (started) {
        m2m_mqtt_service(port, ms);
    } else {
        port_lwip_wait_ms(ms);
    }
}

m2m_poll_result_t agent_loop_run(m2m_agent_t *a, const agent_loop_config_t *c,
                                 agent_loop_result_t *out)
{
    m2m_port_t *port = a->port;
    agent_loop_result_t res = {0, 0, 0, M2M_POLL_OK};
    uint32_t step = c->check_ms > 0 && c->check_ms < LOOP_STEP_MS ? c->check_ms : LOOP_STEP_MS;
    uint32_t session_failures = 0;
    uint64_t next_poll = m2m_time_monotonic_ms(port);
    int started = 0;
    int waiting_logged = 0;
    char num[24];

    for (;;) {
        uint64_t now = m2m_time_monotonic_ms(port);
        uint64_t poll_start;
        m2m_poll_result_t r;

        if (c->should_stop != NULL && c->should_stop(c->ctx)) {
            port_lwip_log(port, M2M_LOG_INFO, "stop requested", NULL);
            break;
        }
        if (!port_lwip_time_synced()) {
            if (!waiting_logged) {
                port_lwip_log(port, M2M_LOG_INFO, "waiting for SNTP before the first poll", NULL);
                waiting_logged = 1;
            }
            idle_for(port, started, step);
            continue;
        }
        if (now < next_poll) {
            uint64_t wait = next_poll - now;
            idle_for(port, started, wait > step ? step : (uint32_t)wait);
            continue;
        }
        if (started && !port_lwip_session_up(port)) {
            port_lwip_log(port, M2M_LOG_WARN, "mqtt: the session is gone; reconnecting", NULL);
            started = 0;
        }
        if (!started) {
            r = m2m_agent_start(a);
            if (r == M2M_POLL_CONFIG) {
                res.last = r;
                break;
            }
            if (r != M2M_POLL_OK) {
                uint32_t wait = backoff_session_retry_ms(session_failures++, c->poll_interval_ms,
                                                         random_value(c, port));
                m2m_mqtt_disconnect(port);
                res.last = r;
                next_poll = now + wait;
                port_lwip_log(port, M2M_LOG_WARN, "no MQTT session: next attempt in ",
                              port_lwip_num(num, wait), " ms", NULL);
                continue;
            }
            if (res.session_starts > 0) {
                a->health.mqtt_reconnects++;
            }
            res.session_starts++;
            session_failures = 0;
            started = 1;
        }
        poll_start = m2m_time_monotonic_ms(port);
        r = m2m_agent_poll(a, m2m_time_utc_ms(port) + (int64_t)c->poll_interval_ms);
        res.polls++;
        res.polls_ok += r == M2M_POLL_OK;
        res.last = r;
        next_poll = pace_after_poll(a, c, r, poll_start);
        if (c->max_polls > 0 && res.polls >= c->max_polls) {
            break;
        }
    }
    if (started) {
        m2m_agent_stop(a);
    } else {
        tls_client_close(&a->tls);
        m2m_mqtt_disconnect(port);
    }
    if (out != NULL) {
        *out = res;
    }
    return res.last;
}

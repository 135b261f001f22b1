/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_loop.h - the agent's life on a microcontroller: wait for the wall
 * clock, open the MQTT session (again after a loss), poll every
 * poll_interval start to start, pace a failed poll's retry with
 * include/backoff.h, serve the session in between, and stop cleanly.
 *
 * This is what port/posix/main.c's daemon loop does for one project,
 * without signals or a reload: a board's main() sets up the agent and
 * calls agent_loop_run().
 */
#ifndef PORT_LWIP_AGENT_LOOP_H
#define PORT_LWIP_AGENT_LOOP_H

#include <stdint.h>

#include "agent.h"

typedef struct {
    uint32_t poll_interval_ms; /* start to start, 1000..86400000 */
    uint32_t max_polls;        /* stop after this many polls; 0: never */
    /* Asked while waiting (at most every check_ms) and after each poll:
     * non-zero stops the agent cleanly. NULL: never. */
    int (*should_stop)(void *ctx);
    uint32_t check_ms;
    /* 32 random bits for the backoff's jitter (the DRBG of TLS). */
    uint32_t (*random)(void *ctx);
    void *ctx;
} agent_loop_config_t;

/* What a run did. */
typedef struct {
    uint32_t polls;          /* polls made */
    uint32_t polls_ok;       /* ... that succeeded */
    uint32_t session_starts; /* MQTT sessions opened */
    m2m_poll_result_t last;  /* the last poll's result (or the last failed
                                session start's, when no poll followed) */
} agent_loop_result_t;

/* Run a (initialised with m2m_agent_init()) until should_stop, max_polls,
 * or a configuration error (the broker refused the credentials). Polls
 * start only once the port's UTC comes from SNTP (port_lwip_time_synced()):
 * AK/SK dates and certificate validity need the real time. Ends with
 * "offline" on B/status and the session closed. Returns the last result
 * (M2M_POLL_CONFIG after a configuration error) and fills *out when not
 * NULL. */
m2m_poll_result_t agent_loop_run(m2m_agent_t *a, const agent_loop_config_t *c,
                                 agent_loop_result_t *out);

#endif /* PORT_LWIP_AGENT_LOOP_H */

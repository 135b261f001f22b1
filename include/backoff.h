/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backoff.h - how long to wait before the next poll: exponential backoff with
 * full jitter after transient failures, the server's Retry-After after a 429,
 * and a slow, capped rate after refusals (docs/failures.md).
 *
 * Pure functions: no clock, no random source, no I/O. The caller passes the
 * current time and a random value, so every branch is reproducible in a test.
 * The last ones read what a poll left in the agent, so that every port paces
 * its polls and session starts the same way (port/posix/main.c,
 * port/lwip/agent_loop.c).
 * The tunables (M2M_BACKOFF_BASE_MS, M2M_BACKOFF_CAP_MS, M2M_RETRY_MIN_MS,
 * M2M_RETRY_AFTER_CAP_MS, M2M_REFUSED_CAP_MS) are in m2m_defaults.h.
 */
#ifndef BACKOFF_H
#define BACKOFF_H

#include <stdint.h>

#include "agent.h"
#include "m2m_defaults.h"

/* How a poll ended, as far as pacing is concerned. */
typedef enum {
    BACKOFF_POLL_OK = 0,        /* every page read: the regular interval */
    BACKOFF_POLL_TRANSIENT = 1, /* network, TLS, 408, 429, 5xx, bad body,
                                   broker: worth retrying soon */
    BACKOFF_POLL_REFUSED = 2    /* credentials refused, other 4xx, redirect,
                                   is_success false: retrying soon will not
                                   help */
} backoff_outcome_t;

/* Full-jitter exponential backoff: random_value % min(cap_ms, base_ms *
 * 2^attempt), in milliseconds.
 *
 * attempt: retries already made after the first failure (0 for the first
 * retry); any value, 2^attempt saturates at cap_ms instead of overflowing.
 * base_ms, cap_ms: any value; 0 for either gives 0.
 * random_value: uniformly random over 0..UINT32_MAX (the modulo bias is below
 * ceiling / 2^32, under 0.01 % for a ceiling of five minutes).
 *
 * Returns 0 <= delay < min(cap_ms, base_ms * 2^attempt), or 0 when that
 * ceiling is 0. */
uint32_t backoff_delay_ms(uint32_t attempt, uint32_t base_ms, uint32_t cap_ms,
                          uint32_t random_value);

/* The wait before the next poll, in milliseconds, from how the last one ended.
 *
 * outcome: how the poll ended.
 * is_429: non-zero when its last HTTP response was 429 Too Many Requests (with
 * outcome BACKOFF_POLL_TRANSIENT).
 * retry_after_seconds: the 429's Retry-After as a delay in seconds, -1 when
 * absent.
 * retry_after_date_ms: the 429's Retry-After as an HTTP date, UTC epoch ms, -1
 * when absent.
 * now_ms: the current UTC epoch ms; 0 or less (no wall clock) makes a
 * Retry-After date unusable, and the backoff applies instead.
 * consecutive_failures: failed polls in a row, this one included (0 after a
 * success).
 * poll_interval_ms: the configured interval, 1000..86400000 in practice.
 * random_value: uniformly random over 0..UINT32_MAX.
 *
 * Returns:
 * - BACKOFF_POLL_OK: poll_interval_ms.
 * - BACKOFF_POLL_TRANSIENT with is_429 and a Retry-After (seconds first, else
 *   the date minus now_ms): that delay, at least M2M_RETRY_MIN_MS and at most
 *   M2M_RETRY_AFTER_CAP_MS.
 * - BACKOFF_POLL_TRANSIENT otherwise: backoff_delay_ms(consecutive_failures -
 *   1, M2M_BACKOFF_BASE_MS, M2M_BACKOFF_CAP_MS, random_value), raised to
 *   M2M_RETRY_MIN_MS, at most M2M_BACKOFF_CAP_MS.
 * - BACKOFF_POLL_REFUSED: poll_interval_ms * 2^consecutive_failures, at most
 *   M2M_REFUSED_CAP_MS, but never less than poll_interval_ms or
 *   M2M_RETRY_MIN_MS. No jitter: a refusal does not recover by itself, so
 *   there is no herd to spread.
 * Any other outcome value is treated as BACKOFF_POLL_REFUSED. */
uint32_t backoff_wait_after_poll_ms(backoff_outcome_t outcome, int is_429,
                                    int64_t retry_after_seconds, int64_t retry_after_date_ms,
                                    int64_t now_ms, uint32_t consecutive_failures,
                                    uint32_t poll_interval_ms, uint32_t random_value);

/* The retry after a poll, and why, for the log line that announces it. */
typedef struct {
    uint32_t wait_ms;   /* from the end of the poll to the next one */
    const char *reason; /* NULL after a success; else "refused",
                           "configuration", "transient", "HTTP 429" or
                           "HTTP 429, Retry-After" (static text) */
} backoff_retry_t;

/* The wait after a poll of agent a that ended with r:
 * backoff_wait_after_poll_ms() over what the poll left in a (its last HTTP
 * status, the 429's Retry-After, health's consecutive_failures), with
 * M2M_POLL_CONFIG paced as a refusal (a configuration the API cannot take
 * will not fix itself either).
 *
 * now_utc_ms: the current UTC epoch ms (0 or less: no wall clock, so a
 * Retry-After date is unusable). poll_interval_ms, random_value: as for
 * backoff_wait_after_poll_ms().
 *
 * Returns wait_ms = poll_interval_ms and reason NULL for M2M_POLL_OK (a
 * caller keeps its schedule, start to start); otherwise the wait from the
 * poll's end, which the caller also gives the agent
 * (m2m_agent_set_next_poll()). */
backoff_retry_t backoff_after_poll(const m2m_agent_t *a, m2m_poll_result_t r, int64_t now_utc_ms,
                                   uint32_t poll_interval_ms, uint32_t random_value);

/* The wait before the next attempt to open the MQTT session after one
 * failed: backoff_delay_ms(failures, M2M_BACKOFF_BASE_MS, poll_interval_ms,
 * random_value), at least M2M_RETRY_MIN_MS. failures: session starts that
 * failed in a row before this one (0 for the first retry). The jitter keeps
 * a fleet from reconnecting in step after a broker restart, and the wait is
 * never longer than a poll interval (above M2M_RETRY_MIN_MS). */
uint32_t backoff_session_retry_ms(uint32_t failures, uint32_t poll_interval_ms,
                                  uint32_t random_value);

/* A random_value for a port without a random generator, or whose generator
 * failed: the monotonic clock (ms) scrambled by a multiplicative hash.
 * Jitter needs spread, not secrecy: boards that started together still read
 * different milliseconds by the time they fail. */
uint32_t backoff_clock_jitter(uint64_t monotonic_ms);

#endif /* BACKOFF_H */

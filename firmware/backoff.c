/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backoff.c - the wait before the next poll; see include/backoff.h.
 *
 * Full jitter (a uniformly random delay below an exponentially growing
 * ceiling) spreads the retries of many gateways that failed together, after
 * an outage of the API or of their shared uplink, so that they do not come
 * back in lockstep. Every doubling saturates instead of overflowing, so any
 * failure count, however long the outage, gives a bounded wait.
 */
#include "backoff.h"

/* min(cap, base * 2^attempt) without overflow. */
static uint32_t backoff_ceiling(uint32_t attempt, uint32_t base_ms, uint32_t cap_ms)
{
    /* base << attempt fits and stays within cap exactly when base is at most
     * cap >> attempt; a shift by 32 or more is undefined, hence the first
     * test. */
    if (attempt >= 32u || base_ms > (cap_ms >> attempt)) {
        return cap_ms;
    }
    return base_ms << attempt;
}

uint32_t backoff_delay_ms(uint32_t attempt, uint32_t base_ms, uint32_t cap_ms,
                          uint32_t random_value)
{
    uint32_t ceiling = backoff_ceiling(attempt, base_ms, cap_ms);
    if (ceiling == 0u) {
        return 0u;
    }
    return random_value % ceiling;
}

static uint32_t clamp_u32(uint32_t v, uint32_t lo, uint32_t hi)
{
    if (v < lo) {
        v = lo;
    }
    /* The upper bound wins over the lower one should a board set them the
     * wrong way round: a cap is a promise to the server. */
    return v > hi ? hi : v;
}

static uint32_t transient_wait(uint32_t consecutive_failures, uint32_t random_value)
{
    uint32_t attempt = consecutive_failures > 0u ? consecutive_failures - 1u : 0u;
    uint32_t d = backoff_delay_ms(attempt, M2M_BACKOFF_BASE_MS, M2M_BACKOFF_CAP_MS, random_value);
    /* Full jitter may draw 0; an immediate retry of a failed request is
     * never useful, so there is a floor. */
    return clamp_u32(d, M2M_RETRY_MIN_MS, M2M_BACKOFF_CAP_MS);
}

/* The Retry-After of a 429 in ms, or -1 when it gave none that can be used. */
static int64_t retry_after_ms(int64_t seconds, int64_t date_ms, int64_t now_ms)
{
    if (seconds >= 0) {
        /* Compare before multiplying: any int64 may come in. */
        if (seconds > (int64_t)(M2M_RETRY_AFTER_CAP_MS / 1000u)) {
            return (int64_t)M2M_RETRY_AFTER_CAP_MS;
        }
        return seconds * 1000;
    }
    if (date_ms >= 0 && now_ms > 0) {
        /* Both are non-negative, so the difference cannot overflow; a date
         * in the past means "now", which the floor turns into a short wait. */
        return date_ms > now_ms ? date_ms - now_ms : 0;
    }
    return -1;
}

static uint32_t refused_wait(uint32_t consecutive_failures, uint32_t poll_interval_ms)
{
    uint32_t wait = poll_interval_ms > M2M_RETRY_MIN_MS ? poll_interval_ms : M2M_RETRY_MIN_MS;
    uint32_t i;
    if (wait >= M2M_REFUSED_CAP_MS) {
        return wait;
    }
    if (wait == 0u) {
        wait = 1u; /* a board with no floor still needs something to double */
    }
    /* wait doubles each turn from at least 1 ms, so the loop ends after at
     * most 32 turns whatever the failure count. */
    for (i = 0; i < consecutive_failures && wait < M2M_REFUSED_CAP_MS; i++) {
        wait = wait > M2M_REFUSED_CAP_MS / 2u ? M2M_REFUSED_CAP_MS : wait * 2u;
    }
    return wait;
}

uint32_t backoff_wait_after_poll_ms(backoff_outcome_t outcome, int is_429,
                                    int64_t retry_after_seconds, int64_t retry_after_date_ms,
                                    int64_t now_ms, uint32_t consecutive_failures,
                                    uint32_t poll_interval_ms, uint32_t random_value)
{
    if (outcome == BACKOFF_POLL_OK) {
        return poll_interval_ms;
    }
    if (outcome == BACKOFF_POLL_TRANSIENT) {
        if (is_429) {
            int64_t ms = retry_after_ms(retry_after_seconds, retry_after_date_ms, now_ms);
            if (ms >= 0) {
                if (ms > (int64_t)M2M_RETRY_AFTER_CAP_MS) {
                    ms = (int64_t)M2M_RETRY_AFTER_CAP_MS;
                }
                return clamp_u32((uint32_t)ms, M2M_RETRY_MIN_MS, M2M_RETRY_AFTER_CAP_MS);
            }
        }
        return transient_wait(consecutive_failures, random_value);
    }
    return refused_wait(consecutive_failures, poll_interval_ms);
}

/* Why a poll failed, in the words of the log line of its retry. */
static const char *retry_reason(m2m_poll_result_t r, int is_429, int has_retry_after)
{
    if (r == M2M_POLL_REFUSED) {
        return "refused";
    }
    if (r == M2M_POLL_CONFIG) {
        return "configuration";
    }
    if (!is_429) {
        return "transient";
    }
    return has_retry_after ? "HTTP 429, Retry-After" : "HTTP 429";
}

backoff_retry_t backoff_after_poll(const m2m_agent_t *a, m2m_poll_result_t r, int64_t now_utc_ms,
                                   uint32_t poll_interval_ms, uint32_t random_value)
{
    backoff_retry_t retry;
    int is_429 = a->health.http_status == 429;
    /* The agent keeps a Retry-After date in seconds; a value too large to
     * scale counts as none. */
    int64_t date_ms = a->retry_after_date >= 0 && a->retry_after_date <= INT64_MAX / 1000
                          ? a->retry_after_date * 1000
                          : -1;
    backoff_outcome_t outcome;

    if (r == M2M_POLL_OK) {
        retry.wait_ms = poll_interval_ms;
        retry.reason = NULL;
        return retry;
    }
    outcome = r == M2M_POLL_TRANSIENT ? BACKOFF_POLL_TRANSIENT : BACKOFF_POLL_REFUSED;
    retry.wait_ms =
        backoff_wait_after_poll_ms(outcome, is_429, a->retry_after_seconds, date_ms, now_utc_ms,
                                   a->health.consecutive_failures, poll_interval_ms, random_value);
    retry.reason = retry_reason(r, is_429, a->retry_after_seconds >= 0 || date_ms >= 0);
    return retry;
}

uint32_t backoff_session_retry_ms(uint32_t failures, uint32_t poll_interval_ms,
                                  uint32_t random_value)
{
    uint32_t wait = backoff_delay_ms(failures, M2M_BACKOFF_BASE_MS, poll_interval_ms, random_value);
    return wait < M2M_RETRY_MIN_MS ? M2M_RETRY_MIN_MS : wait;
}

uint32_t backoff_clock_jitter(uint64_t monotonic_ms)
{
    /* Knuth's multiplicative hash: nearby milliseconds land far apart. */
    return (uint32_t)monotonic_ms * 2654435761u;
}

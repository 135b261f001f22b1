/* SPDX-License-Identifier: Apache-2.0 */
/*
 * health_total.h - B/health of an agent that watches several projects: the
 * health of every project's agent (P/health, include/payloads.h) combined
 * into one message with the keys of B/health, plus "projects" and
 * "failing". docs/topics.md gives the rules:
 *
 * - poll_ok: 1 only if every project's last poll was complete;
 * - http_status, error_class, error_code, error_message: those of the first
 *   project (in configuration order) whose last poll failed; when none
 *   failed, those of the first project (its last HTTP status, no error);
 * - latency_ms, pages, jobs, tracked, capacity, untracked, token_renewals:
 *   sums (the projects are polled one after another, so latency_ms is the
 *   time one round of polls takes);
 * - consecutive_failures, mqtt_reconnects: the largest;
 * - last_success_at: the oldest, 0 (null) while a project has none;
 * - next_poll_at, token_expires_at: the soonest that is set (0: none);
 * - version: the first project's.
 */
#ifndef HEALTH_TOTAL_H
#define HEALTH_TOTAL_H

#include <stddef.h>

#include "payloads.h"

/* Combine parts[0 .. n-1] (n >= 1) into out. The strings of out point into
 * the parts. */
void health_total(health_t *out, const health_t *const *parts, size_t n);

/* The B/health payload of total: payload_health()'s keys, then "projects"
 * (n) and "failing" (the ids of the projects whose last poll failed, in
 * configuration order; ids[i] is the project of parts[i], [A-Za-z0-9_-]).
 * Returns the length, or -1 when it does not fit cap. */
long health_total_payload(char *buf, size_t cap, const health_t *total,
                          const health_t *const *parts, const char *const *ids, size_t n);

#endif /* HEALTH_TOTAL_H */

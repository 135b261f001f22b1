/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_internal.h - what the agent's own files share (not a public API).
 */
#ifndef AGENT_INTERNAL_H
#define AGENT_INTERNAL_H

#include "agent.h"

/* 1 when the agent walks the v2 list; a constant 0 in a build without it
 * (M2M_WITH_V2 0), so that the compiler drops the v2 code. */
#define AGENT_V2(a) (M2M_WITH_V2 && (a)->cfg->api == M2M_API_V2)

/* Longest log line the agent builds, NUL included. */
#define LOG_LINE_MAX 256

/* Log p1..p4 joined (NULL parts are skipped), cut to LOG_LINE_MAX. */
void agent_log_parts(m2m_agent_t *a, m2m_log_level_t level, const char *p1, const char *p2,
                     const char *p3, const char *p4);

/* Keep code and message as the last error (for health and the log). */
void agent_set_error(m2m_agent_t *a, const char *code, const char *message);

/* Build a topic in a->topic: B/suffix, or P/suffix with with_project, then
 * the job's id when key is not NULL (v1: the number; v2: the UUID). Returns
 * its length, or -1 when it does not fit M2M_TOPIC_MAX (agent_jobs.c). */
long agent_topic(m2m_agent_t *a, int with_project, const char *suffix, const job_key_t *key);

/* A v2 key's UUID as 36 lower-case characters and a NUL (agent_jobs.c). */
const char *agent_key_uuid(const job_key_t *key, char out[37]);

/* Publish payload to a->topic at the configured QoS. Returns 0, or -1 with
 * publish_error set (agent_jobs.c). */
int agent_publish(m2m_agent_t *a, const void *payload, size_t len, int retain);

/* Record in the table the jobs whose messages the broker acknowledged,
 * after waiting until at most `waiting` of the session's messages wait
 * (0: all of them; UINT32_MAX: no wait). Returns 0, or -1 with publish_error
 * set: the jobs that were waiting keep the entries they had, so the next
 * poll publishes them again (agent_jobs.c). */
int agent_confirm(m2m_agent_t *a, uint32_t waiting);

/* The job splitter's callback: one element of "jobs" or "items"
 * (agent_jobs.c). */
int agent_on_job(void *user, char *text, size_t len);

/* After a complete walk: clear the topics of the jobs gone from two walks in
 * a row, and forget them once the broker acknowledged it (agent_jobs.c). */
void agent_publish_removals(m2m_agent_t *a);

/* At the first start: take the job topics the broker retains from an
 * earlier run as the baseline (agent_jobs.c). */
void agent_restore_baseline(m2m_agent_t *a);

/* The page size the list call is asked for: per_page, at most
 * M2M_V2_LIMIT_MAX for v2 (agent.c). */
uint32_t agent_page_size(const m2m_agent_t *a);

/* Request one page and read it; jobs are handed to agent_on_job as they
 * arrive (agent_exchange.c). */
m2m_poll_result_t agent_fetch_page(m2m_agent_t *a, uint32_t page);

/* Read one response on the open connection into a->http, the job splitter
 * (or, while a->reading_iam, the token capture and expiry scanner). Returns 1
 * complete, 0 if the connection closed before a single byte (a stale
 * keep-alive connection), or -1 with the error set. */
int agent_read_response(m2m_agent_t *a);

/* Record a transport failure as the last error; returns M2M_POLL_TRANSIENT. */
m2m_poll_result_t agent_transport_error(m2m_agent_t *a, tls_client_status_t st);

/* auth = password: get a new IAM token into cfg->token_buf (agent_iam.c).
 * why says what prompted it, for the log. */
m2m_poll_result_t agent_renew_token(m2m_agent_t *a, const char *why);

/* auth = password: renew the token when there is none or it expires within
 * M2M_TOKEN_RENEW_MARGIN_MS. */
m2m_poll_result_t agent_ensure_token(m2m_agent_t *a);

#endif /* AGENT_INTERNAL_H */

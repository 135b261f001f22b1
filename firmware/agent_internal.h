/*
 * agent_internal.h - what the agent's own files share (not a public API).
 */
#ifndef AGENT_INTERNAL_H
#define AGENT_INTERNAL_H

#include "agent.h"

/* Longest log line the agent builds, NUL included. */
#define LOG_LINE_MAX 256

/* Log p1..p4 joined (NULL parts are skipped), cut to LOG_LINE_MAX. */
void agent_log_parts(m2m_agent_t *a, m2m_log_level_t level, const char *p1, const char *p2,
                     const char *p3, const char *p4);

/* Keep code and message as the last error (for health and the log). */
void agent_set_error(m2m_agent_t *a, const char *code, const char *message);

/* The job splitter's callback: one element of "jobs" (agent.c). */
int agent_on_job(void *user, char *text, size_t len);

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

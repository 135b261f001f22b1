/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent.c - one poll of the list call, published to MQTT; see include/agent.h.
 *
 * A poll walks the pages once, over one keep-alive TLS connection. Each
 * page's body streams through the HTTP parser into the job splitter, which
 * hands one job at a time to jsmn; each job is diffed against the job table,
 * and one that changed is published at once: a job read whole says what the
 * API just said, whatever a later page does. The table records it when the
 * broker has acknowledged it; up to M2M_PUBLISH_WINDOW jobs wait for that
 * while the walk goes on. Only a complete walk publishes the removals and the
 * summary: a walk that fails on any page removes nothing.
 */
#include "agent.h"
#include "agent_internal.h"

#include <string.h>

#include "job_status.h"
#include "strbuf.h"

/* ---- small helpers ------------------------------------------------------ */

void agent_log_parts(m2m_agent_t *a, m2m_log_level_t level, const char *p1, const char *p2,
                     const char *p3, const char *p4)
{
    char line[LOG_LINE_MAX];
    strbuf_t sb;
    strbuf_init(&sb, line, sizeof line);
    strbuf_puts(&sb, p1);
    strbuf_puts(&sb, p2);
    strbuf_puts(&sb, p3);
    strbuf_puts(&sb, p4);
    if (sb.overflow) {
        /* Keep what fits: a long message is still worth a truncated line. */
        line[sizeof line - 1] = '\0';
    }
    m2m_log(a->port, level, line);
}

void agent_set_error(m2m_agent_t *a, const char *code, const char *message)
{
    strbuf_t sb;
    strbuf_init(&sb, a->error_code, sizeof a->error_code);
    strbuf_puts(&sb, code);
    strbuf_init(&sb, a->error_message, sizeof a->error_message);
    strbuf_puts(&sb, message);
}

/* ---- a whole poll ------------------------------------------------------------ */

/* FNV-1a of a payload: tells whether a summary or health message would say
 * something new. */
static uint64_t payload_fingerprint(const char *p, long len)
{
    uint64_t h = 0xcbf29ce484222325ull;
    long i;
    for (i = 0; i < len; i++) {
        h = (h ^ (uint8_t)p[i]) * 0x100000001b3ull;
    }
    return h;
}

/* Whether a message whose content (timestamps aside) has this fingerprint
 * is due: it is new, the session is new, or the last one is older than the
 * heartbeat. Records it as sent when due. */
static int due(m2m_agent_t *a, uint64_t fingerprint, published_t *last)
{
    uint64_t now = m2m_time_monotonic_ms(a->port);
    if (last->valid && last->fingerprint == fingerprint && a->cfg->heartbeat_ms != 0 &&
        now - last->at < a->cfg->heartbeat_ms) {
        return 0;
    }
    last->valid = 1;
    last->fingerprint = fingerprint;
    last->at = now;
    return 1;
}

/* P/summary when its counts changed (updated_at aside) or the heartbeat is
 * due. */
static void publish_summary(m2m_agent_t *a)
{
    long len;
    a->summary.updated_at = 0;
    len = payload_summary(a->payload, sizeof a->payload, &a->summary);
    if (len < 0 || !due(a, payload_fingerprint(a->payload, len), &a->summary_sent)) {
        return;
    }
    a->summary.updated_at = m2m_time_utc_ms(a->port);
    len = payload_summary(a->payload, sizeof a->payload, &a->summary);
    if (len >= 0 && agent_topic(a, 1, "summary", NULL) >= 0 &&
        (agent_publish(a, a->payload, (size_t)len, 1) != 0 || agent_confirm(a, 0) != 0)) {
        a->summary_sent.valid = 0;
    }
}

/* B/health when anything but the poll's timing (latency_ms, last_success_at,
 * next_poll_at) changed, or the heartbeat is due. */
static void publish_health(m2m_agent_t *a)
{
    health_t timeless = a->health;
    long len;
    timeless.latency_ms = 0;
    timeless.last_success_at = 0;
    timeless.next_poll_at = 0;
    len = payload_health(a->payload, sizeof a->payload, &timeless);
    if (len < 0 || !due(a, payload_fingerprint(a->payload, len), &a->health_sent)) {
        return;
    }
    len = payload_health(a->payload, sizeof a->payload, &a->health);
    if (len >= 0 && agent_topic(a, a->cfg->project_health, "health", NULL) >= 0 &&
        (agent_publish(a, a->payload, (size_t)len, 1) != 0 || agent_confirm(a, 0) != 0)) {
        a->health_sent.valid = 0;
    }
}

static void take_api_figures(m2m_agent_t *a)
{
    const job_stream_t *s = &a->stream;
    a->summary.has_job_total_count = s->has_job_total_count;
    a->summary.job_total_count = s->job_total_count;
    a->summary.has_job_count_limit = s->has_job_count_limit;
    a->summary.job_count_limit = s->job_count_limit;
    a->summary.has_quotas = s->has_quotas;
    a->summary.quotas = s->quotas;
}

uint32_t agent_page_size(const m2m_agent_t *a)
{
    if (AGENT_V2(a) && a->cfg->per_page > M2M_V2_LIMIT_MAX) {
        return M2M_V2_LIMIT_MAX;
    }
    return a->cfg->per_page;
}

static int is_set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* Paging ends at a short or empty page, once job_total_count is reached, or
 * at the API's last page. v2's total ignores filters, so it ends a walk
 * without filters only, once that many distinct jobs were read. */
static int last_page(const m2m_agent_t *a, uint32_t page)
{
    const job_stream_t *s = &a->stream;
    if (a->page_jobs == 0 || a->page_jobs < agent_page_size(a) || page >= M2M_PAGE_LIMIT) {
        return 1;
    }
    if (!s->has_job_total_count) {
        return 0;
    }
    if (AGENT_V2(a)) {
        return !is_set(a->cfg->status) && !is_set(a->cfg->search_content) &&
               (int64_t)a->summary.total >= s->job_total_count;
    }
    return (int64_t)a->poll_jobs >= s->job_total_count;
}

/* v2: the offset of a walk's request-th request. The first is 0. The second is 1, which is the
 * second page where offset is a page index (the current documentation) and the second job where
 * it counts jobs (older documentation): the second answer holds the first page's last job only
 * in the second case, and the walk goes on accordingly. */
static void v2_before_request(m2m_agent_t *a, uint32_t request)
{
    m2m_v2_walk_t *w = &a->v2;
    if (request == 1) {
        w->offset = 0;
        w->probe_seen = 0;
    } else if (request == 2) {
        w->offset = 1;
    } else if (w->item_offset) {
        w->offset += w->last_page_jobs;
    } else {
        w->offset = request - 1;
    }
    w->request = request;
    w->fresh = 0;
}

/* v2, after a page: what its offset means, and a guard against a server that ignores it (a
 * full page of jobs the walk had seen would repeat forever). Returns 0, or -1 with the error
 * set. */
static int v2_after_page(m2m_agent_t *a)
{
    m2m_v2_walk_t *w = &a->v2;
    if (w->request == 2) {
        w->item_offset = w->probe_seen;
    }
    w->last_page_jobs = a->page_jobs;
    if (w->request >= 3 && a->page_jobs >= agent_page_size(a) && w->fresh == 0) {
        agent_set_error(a, "paging", "the API sent a page it had sent before: it ignores offset");
        return -1;
    }
    return 0;
}

static void log_poll(m2m_agent_t *a, m2m_poll_result_t res)
{
    char line[LOG_LINE_MAX];
    strbuf_t sb;
    strbuf_init(&sb, line, sizeof line);
    if (res == M2M_POLL_OK) {
        strbuf_puts(&sb, "poll ok: ");
        strbuf_uint(&sb, a->summary.total);
        strbuf_puts(&sb, " jobs on ");
        strbuf_uint(&sb, a->health.pages);
        strbuf_puts(&sb, " page(s) in ");
        strbuf_int(&sb, a->health.latency_ms);
        strbuf_puts(&sb, " ms");
        m2m_log(a->port, M2M_LOG_INFO, line);
        return;
    }
    strbuf_puts(&sb, res == M2M_POLL_REFUSED ? "poll refused by the API: " : "poll failed: ");
    if (a->health.http_status != 0) {
        strbuf_puts(&sb, "HTTP ");
        strbuf_int(&sb, a->health.http_status);
        strbuf_puts(&sb, ", ");
    }
    strbuf_puts(&sb, a->error_code);
    strbuf_puts(&sb, ": ");
    strbuf_puts(&sb, a->error_message);
    m2m_log(a->port, res == M2M_POLL_REFUSED ? M2M_LOG_ERROR : M2M_LOG_WARN,
            sb.overflow ? "poll failed (message too long to log)" : line);
}

/* One walk over every page; removals wait for a complete walk. The jobs
 * published wait for their acknowledgements while the walk goes on (a wait
 * at every page would cost a round trip per page, and with a broker that
 * delays small packets, such as mosquitto without set_tcp_nodelay, up to
 * 40 ms of delayed ACK each); the walk ends by waiting for all of them. */
static m2m_poll_result_t walk(m2m_agent_t *a)
{
    m2m_poll_result_t res = M2M_POLL_OK;
    uint32_t page;
    int renewed = 0;

    job_table_begin_poll(&a->table);
    summary_clear(&a->summary, AGENT_V2(a));
    a->poll_jobs = 0;
    for (page = 1; page <= M2M_PAGE_LIMIT; page++) {
        a->page_jobs = 0;
        if (AGENT_V2(a)) {
            v2_before_request(a, page);
        }
        res = agent_fetch_page(a, page);
        a->health.pages++;
        if (a->publish_error) {
            res = M2M_POLL_TRANSIENT; /* the broker failed: it would fail every page */
            break;
        }
        if (res == M2M_POLL_REFUSED && a->http.status_code == 401 &&
            a->cfg->auth == M2M_AUTH_PASSWORD && !renewed) {
            /* IAM may invalidate a token early (password changed, user
             * disabled, ...): one new token, then the same page again. */
            renewed = 1;
            res = agent_renew_token(a, "(the API answered 401)");
            if (res != M2M_POLL_OK) {
                break;
            }
            page--;
            continue;
        }
        if (res != M2M_POLL_OK) {
            break;
        }
        if (AGENT_V2(a) && v2_after_page(a) != 0) {
            res = M2M_POLL_REFUSED;
            break;
        }
        take_api_figures(a);
        if (last_page(a, page)) {
            break;
        }
    }
    /* The jobs a failed walk read whole are as true as any. */
    if (agent_confirm(a, 0) != 0) {
        res = M2M_POLL_TRANSIENT;
    }
    if (res != M2M_POLL_OK) {
        return res;
    }
    agent_publish_removals(a);
    return a->publish_error ? M2M_POLL_TRANSIENT : M2M_POLL_OK;
}

m2m_poll_result_t m2m_agent_poll(m2m_agent_t *a, int64_t next_poll_at)
{
    uint64_t started = m2m_time_monotonic_ms(a->port);
    m2m_poll_result_t res = M2M_POLL_OK;

    if (a->cfg->insecure) {
        m2m_log(a->port, M2M_LOG_WARN,
                "TLS verification is off (modelarts.insecure = true): the API server is not "
                "authenticated");
    }
    a->publish_error = 0;
    a->full_warned = 0;
    a->unacked_first = 0;
    a->unacked_count = 0;
    a->sent = 0;
#if M2M_FAST_DIFF
    a->jobs_parsed = 0;
#endif
    a->error_code[0] = '\0';
    a->error_message[0] = '\0';
    a->health.http_status = 0;
    a->health.pages = 0;
    a->retry_after_seconds = -1;
    a->retry_after_date = -1;

    if (a->cfg->auth == M2M_AUTH_PASSWORD) {
        res = agent_ensure_token(a);
    }
    if (res == M2M_POLL_OK) {
        res = walk(a);
    }
    if (res == M2M_POLL_OK) {
        publish_summary(a);
        if (a->publish_error) {
            res = M2M_POLL_TRANSIENT;
        }
    }
    if (a->publish_error) {
        agent_set_error(a, "mqtt", "publishing to the broker failed");
    }
    if (res == M2M_POLL_OK) {
        /* Events start once every job has been published once. */
        a->baseline_done = 1;
        a->health.consecutive_failures = 0;
        a->health.last_success_at = m2m_time_utc_ms(a->port);
    } else {
        a->health.consecutive_failures++;
    }
    a->health.poll_ok = res == M2M_POLL_OK;
    a->health.error_class = res == M2M_POLL_OK        ? NULL
                            : res == M2M_POLL_REFUSED ? "refused"
                                                      : "transient";
    a->health.error_code = a->error_code;
    a->health.error_message = a->error_message;
    a->health.latency_ms = (int64_t)(m2m_time_monotonic_ms(a->port) - started);
    a->health.jobs = a->summary.total;
    a->health.tracked = a->table.count;
    a->health.untracked = a->table.untracked;
    a->health.next_poll_at = next_poll_at;
    a->health.token_renewals = a->token_renewals;
    log_poll(a, res);
    if (res == M2M_POLL_OK) {
        publish_health(a); /* a failure's health waits for its retry time */
    }
    return res;
}

void m2m_agent_set_next_poll(m2m_agent_t *a, int64_t next_poll_at)
{
    a->health.next_poll_at = next_poll_at;
    a->health_sent.valid = 0; /* a failure and its retry time are news */
    publish_health(a);
}

/* ---- lifecycle -------------------------------------------------------------- */

m2m_poll_result_t m2m_agent_init(m2m_agent_t *a, const m2m_agent_config_t *cfg, m2m_port_t *port,
                                 mbedtls_ssl_context *ssl, job_entry_t *table_storage,
                                 uint32_t capacity, uint32_t timeout_ms)
{
    static const job_key_t longest_id = {INT64_MIN, 0};
    memset(a, 0, sizeof *a);
    a->cfg = cfg;
    a->port = port;
    tls_client_init(&a->tls, ssl, port, timeout_ms);
    if (AGENT_V2(a)) {
        job_table_init_wide(&a->table, table_storage, cfg->table_ids2, capacity);
    } else {
        job_table_init(&a->table, table_storage, capacity);
    }
#if M2M_FAST_DIFF
    job_table_keep_bytes(&a->table, cfg->table_bytes);
#endif
    a->health.capacity = capacity;
    a->health.version = cfg->version;
    a->health.error_code = a->error_code;
    a->health.error_message = a->error_message;
    /* Every topic the agent will build must fit; the longest is a job's. */
    if (agent_topic(a, 1, "jobs/", &longest_id) < 0 || agent_topic(a, 0, "health", NULL) < 0) {
        m2m_log(port, M2M_LOG_ERROR, "base_topic, agent_id and project_id make topics too long");
        return M2M_POLL_CONFIG;
    }
    if ((cfg->auth == M2M_AUTH_AKSK && !M2M_WITH_AKSK) ||
        (cfg->auth == M2M_AUTH_PASSWORD && !M2M_WITH_IAM_PASSWORD)) {
        m2m_log(port, M2M_LOG_ERROR,
                "this build has no such auth method (M2M_WITH_AKSK, "
                "M2M_WITH_IAM_PASSWORD)");
        return M2M_POLL_CONFIG;
    }
    if (cfg->api == M2M_API_V2 && (!M2M_WITH_V2 || cfg->table_ids2 == NULL)) {
        m2m_log(port, M2M_LOG_ERROR,
                M2M_WITH_V2 ? "api v2 needs storage for the jobs' UUIDs (table_ids2)"
                            : "this build has no v2 list call (M2M_WITH_V2)");
        return M2M_POLL_CONFIG;
    }
    return M2M_POLL_OK;
}

m2m_poll_result_t m2m_agent_start(m2m_agent_t *a)
{
    int32_t rc;
    char will_topic[M2M_TOPIC_MAX];
    (void)agent_topic(a, 0, "status", NULL);
    memcpy(will_topic, a->topic, sizeof will_topic);
    rc = m2m_mqtt_connect(a->port, will_topic, "offline", a->cfg->qos);
    if (rc == M2M_PORT_ERR_REFUSED) {
        m2m_log(a->port, M2M_LOG_ERROR, "the MQTT broker refused the configured credentials");
        return M2M_POLL_CONFIG;
    }
    if (rc != M2M_PORT_OK) {
        m2m_log(a->port, M2M_LOG_WARN, "the MQTT broker is unreachable");
        return M2M_POLL_TRANSIENT;
    }
    if (agent_publish(a, "online", 6, 1) != 0 || m2m_mqtt_wait_acks(a->port, 0) != 0) {
        return M2M_POLL_TRANSIENT;
    }
    return m2m_agent_join(a);
}

m2m_poll_result_t m2m_agent_join(m2m_agent_t *a)
{
    /* A new session may be with a broker that lost its retained messages
     * (restarted without persistence): the next poll republishes every job
     * topic, and the summary and health as always. */
    m2m_agent_republish_all(a);
    agent_restore_baseline(a);
    return M2M_POLL_OK;
}

void m2m_agent_leave(m2m_agent_t *a)
{
    tls_client_close(&a->tls);
}

void m2m_agent_stop(m2m_agent_t *a)
{
    m2m_agent_leave(a);
    if (agent_topic(a, 0, "status", NULL) >= 0) {
        (void)m2m_mqtt_publish(a->port, a->topic, "offline", 7, a->cfg->qos, 1);
        (void)m2m_mqtt_wait_acks(a->port, 0);
    }
    m2m_mqtt_disconnect(a->port);
}

void m2m_agent_republish_all(m2m_agent_t *a)
{
    job_table_invalidate_all(&a->table);
    a->summary_sent.valid = 0;
    a->health_sent.valid = 0;
}

void m2m_agent_reset_baseline(m2m_agent_t *a)
{
    a->table.count = 0;
    a->table.untracked = 0;
    a->baseline_done = 0;
}

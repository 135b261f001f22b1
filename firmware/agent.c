/*
 * agent.c - one poll of the list call, published to MQTT; see include/agent.h.
 *
 * A poll walks the pages once, over one keep-alive TLS connection. Each
 * page's body streams through the HTTP parser into the job splitter, which
 * hands one job at a time to jsmn; each job is diffed against the job table,
 * and one that changed is published at once: a job read whole says what the
 * API just said, whatever a later page does. The table records it when the
 * broker has acknowledged it (at the end of each page, or when
 * M2M_PUBLISH_WINDOW jobs wait). Only a complete walk publishes the
 * removals and the summary: a walk that fails on any page removes nothing.
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

static long topic_build(m2m_agent_t *a, int with_project, const char *suffix, const int64_t *id)
{
    strbuf_t sb;
    strbuf_init(&sb, a->topic, sizeof a->topic);
    strbuf_puts(&sb, a->cfg->base_topic);
    strbuf_putc(&sb, '/');
    strbuf_puts(&sb, a->cfg->agent_id);
    strbuf_putc(&sb, '/');
    if (with_project) {
        strbuf_puts(&sb, a->cfg->project_id);
        strbuf_putc(&sb, '/');
    }
    strbuf_puts(&sb, suffix);
    if (id != NULL) {
        strbuf_int(&sb, *id);
    }
    return strbuf_result(&sb);
}

static int publish(m2m_agent_t *a, const void *payload, size_t len, int retain)
{
    int32_t rc = m2m_mqtt_publish(a->port, a->topic, payload, len, a->cfg->qos, retain);
    if (rc != M2M_PORT_OK) {
        a->publish_error = 1;
        agent_log_parts(a, M2M_LOG_WARN, "publish to ", a->topic, " failed", "");
        return -1;
    }
    return 0;
}

static int publish_event(m2m_agent_t *a, const event_t *ev)
{
    long len = payload_event(a->payload, sizeof a->payload, ev);
    if (len < 0 || topic_build(a, 1, "events", NULL) < 0) {
        return -1;
    }
    return publish(a, a->payload, (size_t)len, 0);
}

/* ---- one job ------------------------------------------------------------- */

/* Wait for the broker to acknowledge what was published and record the jobs
 * it confirmed in the table. Returns 0, or -1 with publish_error set: the
 * jobs that were waiting keep the entries they had, so the next poll
 * publishes them again (their events included). */
static int confirm_published(m2m_agent_t *a)
{
    uint32_t i;
    if (!a->publish_error && m2m_mqtt_flush(a->port) != M2M_PORT_OK) {
        a->publish_error = 1;
        m2m_log(a->port, M2M_LOG_WARN,
                "the broker did not acknowledge what was published: the next poll publishes "
                "it again");
    }
    if (!a->publish_error) {
        for (i = 0; i < a->unacked_count; i++) {
            (void)job_table_store_entry(&a->table, &a->unacked[i]);
        }
    }
    a->unacked_count = 0;
    return a->publish_error ? -1 : 0;
}

/* Publish a job read whole: its topic, then its event (added, or a
 * transition when the status changed; none before the first complete
 * walk). Returns 0, or -1 when the broker failed. */
static int publish_job(m2m_agent_t *a, const job_record_t *job, uint64_t fingerprint,
                       job_table_result_t res, const job_entry_t *before, size_t payload_len)
{
    if (topic_build(a, 1, "jobs/", &job->job_id) < 0 ||
        publish(a, a->payload, payload_len, 1) != 0) {
        return -1;
    }
    if (a->baseline_done && (res == JOB_TABLE_NEW || (res == JOB_TABLE_CHANGED &&
                                                      (int64_t)before->status != job->status))) {
        event_t ev;
        ev.type = res == JOB_TABLE_NEW ? EVENT_ADDED : EVENT_TRANSITION;
        ev.job_id = job->job_id;
        ev.job_name = (job->present & JOB_HAS_JOB_NAME) ? job->job_name : NULL;
        ev.job_name_len = job->job_name_len;
        ev.from = before->status;
        ev.to = job->status;
        ev.at = m2m_time_utc_ms(a->port);
        if (publish_event(a, &ev) != 0) {
            return -1;
        }
    }
    if (res == JOB_TABLE_FULL) {
        return 0; /* untracked: published on every poll */
    }
    if (res == JOB_TABLE_NEW) {
        /* Counted once in this walk even before the broker confirms it. */
        job_table_hold(&a->table, job->job_id, job->status);
    }
    job_table_entry_make(&a->unacked[a->unacked_count++], job->job_id, job->status, fingerprint);
    return a->unacked_count < M2M_PUBLISH_WINDOW ? 0 : confirm_published(a);
}

int agent_on_job(void *user, char *text, size_t len)
{
    m2m_agent_t *a = (m2m_agent_t *)user;
    job_record_t job;
    job_entry_t before;
    job_table_result_t res;
    uint64_t fingerprint;
    long payload_len;
    job_record_status_t st = job_record_parse(&a->record_parser, text, len, &job);

    if (st != JOB_RECORD_OK) {
        agent_set_error(a, "malformed_job", job_record_strerror(st));
        return 1;
    }
    a->page_jobs++;
    a->poll_jobs++;
    fingerprint = job_record_fingerprint(&job);
    res = job_table_observe(&a->table, job.job_id, job.status, fingerprint, &before);
    if (res == JOB_TABLE_DUPLICATE) {
        return 0; /* offset paging listed it twice: count it once */
    }
    summary_count(&a->summary, job.status);
    if (res == JOB_TABLE_SAME) {
        return 0;
    }
    if (res == JOB_TABLE_FULL && !a->full_warned) {
        a->full_warned = 1;
        agent_log_parts(
            a, M2M_LOG_WARN,
            "job table full: jobs beyond modelarts.max_jobs are published on every poll "
            "but get no events or removals",
            "", "", "");
    }
    payload_len = payload_job(a->payload, sizeof a->payload, &job);
    if (payload_len < 0) {
        agent_set_error(a, "payload", "a job does not fit the payload buffer");
        return 1;
    }
    if (publish_job(a, &job, fingerprint, res, &before, (size_t)payload_len) != 0) {
        agent_set_error(a, "mqtt", "publishing to the broker failed");
        return 2;
    }
    return 0;
}

/* ---- a whole poll ------------------------------------------------------------ */

static int on_removed(void *user, const job_entry_t *entry)
{
    m2m_agent_t *a = (m2m_agent_t *)user;
    if (a->publish_error || topic_build(a, 1, "jobs/", &entry->job_id) < 0 ||
        publish(a, "", 0, 1) != 0) {
        return 1; /* kept as it is: the next complete poll tries again */
    }
    if (a->baseline_done) {
        event_t ev;
        ev.type = EVENT_REMOVED;
        ev.job_id = entry->job_id;
        ev.job_name = NULL;
        ev.job_name_len = 0;
        ev.from = entry->status;
        ev.to = 0;
        ev.at = m2m_time_utc_ms(a->port);
        (void)publish_event(a, &ev);
    }
    return 0;
}

/* After a complete walk: clear the topics of the jobs gone from two walks in
 * a row, and forget them once the broker acknowledged it. */
static void publish_removals(m2m_agent_t *a)
{
    if (job_table_end_poll(&a->table, on_removed, a) != 0 && confirm_published(a) == 0) {
        (void)job_table_drop_gone(&a->table);
    }
}

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
    if (len >= 0 && topic_build(a, 1, "summary", NULL) >= 0 &&
        (publish(a, a->payload, (size_t)len, 1) != 0 || confirm_published(a) != 0)) {
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
    if (len >= 0 && topic_build(a, a->cfg->project_health, "health", NULL) >= 0 &&
        (publish(a, a->payload, (size_t)len, 1) != 0 || confirm_published(a) != 0)) {
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

/* Paging ends at a short or empty page, once job_total_count is reached, or
 * at the API's last page. */
static int last_page(const m2m_agent_t *a, uint32_t page)
{
    const job_stream_t *s = &a->stream;
    if (a->page_jobs == 0 || a->page_jobs < a->cfg->per_page || page >= M2M_PAGE_LIMIT) {
        return 1;
    }
    return s->has_job_total_count && (int64_t)a->poll_jobs >= s->job_total_count;
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

/* One walk over every page. What each page published is confirmed before
 * the next page is requested; removals wait for a complete walk. */
static m2m_poll_result_t walk(m2m_agent_t *a)
{
    m2m_poll_result_t res = M2M_POLL_OK;
    uint32_t page;
    int renewed = 0;

    job_table_begin_poll(&a->table);
    summary_clear(&a->summary);
    a->poll_jobs = 0;
    for (page = 1; page <= M2M_PAGE_LIMIT; page++) {
        a->page_jobs = 0;
        res = agent_fetch_page(a, page);
        a->health.pages++;
        /* The jobs a failed page delivered whole are as true as any. */
        if (confirm_published(a) != 0) {
            res = M2M_POLL_TRANSIENT;
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
        take_api_figures(a);
        if (last_page(a, page)) {
            break;
        }
    }
    if (res != M2M_POLL_OK) {
        return res;
    }
    publish_removals(a);
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
    a->unacked_count = 0;
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
    publish_health(a);
    return res;
}

void m2m_agent_set_next_poll(m2m_agent_t *a, int64_t next_poll_at)
{
    if (a->health.next_poll_at == next_poll_at) {
        return;
    }
    a->health.next_poll_at = next_poll_at;
    a->health_sent.valid = 0; /* the retry time is news */
    publish_health(a);
}

/* ---- lifecycle -------------------------------------------------------------- */

m2m_poll_result_t m2m_agent_init(m2m_agent_t *a, const m2m_agent_config_t *cfg, m2m_port_t *port,
                                 mbedtls_ssl_context *ssl, job_entry_t *table_storage,
                                 uint32_t capacity, uint32_t timeout_ms)
{
    static const int64_t longest_id = INT64_MIN;
    memset(a, 0, sizeof *a);
    a->cfg = cfg;
    a->port = port;
    tls_client_init(&a->tls, ssl, port, timeout_ms);
    job_table_init(&a->table, table_storage, capacity);
    a->health.capacity = capacity;
    a->health.version = cfg->version;
    a->health.error_code = a->error_code;
    a->health.error_message = a->error_message;
    /* Every topic the agent will build must fit; the longest is a job's. */
    if (topic_build(a, 1, "jobs/", &longest_id) < 0 || topic_build(a, 0, "health", NULL) < 0) {
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
    return M2M_POLL_OK;
}

/* One retained job topic read back at start: its payload holds the eight API
 * fields the job was last published with, so it parses and fingerprints
 * like the API's own job object. */
static void on_retained_job(void *user, const char *topic, const void *payload, size_t len)
{
    m2m_agent_t *a = (m2m_agent_t *)user;
    const char *id_text = strrchr(topic, '/');
    job_record_t job;
    int64_t id;

    if (len == 0 || len >= sizeof a->payload || id_text == NULL ||
        json_parse_int64(id_text + 1, strlen(id_text + 1), &id) != 0) {
        return; /* a cleared topic, or not one of ours */
    }
    memcpy(a->payload, payload, len);
    a->payload[len] = '\0';
    if (job_record_parse(&a->record_parser, a->payload, len, &job) != JOB_RECORD_OK ||
        job.job_id != id) {
        return;
    }
    if (job_table_update(&a->table, job.job_id, job.status, job_record_fingerprint(&job), NULL) ==
        JOB_TABLE_NEW) {
        a->restored++;
    }
}

/* Take the job topics the broker retains from an earlier run as the
 * baseline: a job that changed while the agent was down then gets its
 * transition event, and one deleted meanwhile is cleared. */
static void restore_baseline(m2m_agent_t *a)
{
    char line[LOG_LINE_MAX];
    strbuf_t sb;
    if (a->table.count != 0 || a->baseline_done || topic_build(a, 1, "jobs/+", NULL) < 0) {
        return; /* a reconnect: the agent's own table is the baseline */
    }
    a->restored = 0;
    job_table_begin_poll(&a->table);
    if (m2m_mqtt_read_retained(a->port, a->topic, on_retained_job, a, M2M_RETAINED_QUIET_MS,
                               M2M_RETAINED_MAX_MS) != M2M_PORT_OK) {
        return;
    }
    if (a->restored > 0) {
        a->baseline_done = 1;
        strbuf_init(&sb, line, sizeof line);
        strbuf_puts(&sb, "baseline from the broker: ");
        strbuf_uint(&sb, a->restored);
        strbuf_puts(&sb, " retained job topics of an earlier run");
        m2m_log(a->port, M2M_LOG_INFO, line);
    }
}

m2m_poll_result_t m2m_agent_start(m2m_agent_t *a)
{
    int32_t rc;
    char will_topic[M2M_TOPIC_MAX];
    (void)topic_build(a, 0, "status", NULL);
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
    if (publish(a, "online", 6, 1) != 0 || m2m_mqtt_flush(a->port) != M2M_PORT_OK) {
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
    restore_baseline(a);
    return M2M_POLL_OK;
}

void m2m_agent_leave(m2m_agent_t *a)
{
    tls_client_close(&a->tls);
}

void m2m_agent_stop(m2m_agent_t *a)
{
    m2m_agent_leave(a);
    if (topic_build(a, 0, "status", NULL) >= 0) {
        (void)m2m_mqtt_publish(a->port, a->topic, "offline", 7, a->cfg->qos, 1);
        (void)m2m_mqtt_flush(a->port);
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

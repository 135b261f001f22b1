/*
 * agent.c - one poll of the list call, published to MQTT; see include/agent.h.
 *
 * A poll walks the pages over one keep-alive TLS connection. Each page's
 * body streams through the HTTP parser into the job splitter, which hands
 * one job at a time to jsmn; each job is diffed against the job table and
 * published at once when its payload changed. Removals and the summary wait
 * for a complete poll, so a poll that fails on any page removes nothing.
 */
#include "agent.h"

#include <string.h>

#include "apig_signer.h"
#include "job_status.h"
#include "strbuf.h"

#define LOG_LINE_MAX 256

/* ---- small helpers ------------------------------------------------------ */

static void log_parts(m2m_agent_t *a, m2m_log_level_t level, const char *p1, const char *p2,
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

static void set_error(m2m_agent_t *a, const char *code, const char *message)
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
        log_parts(a, M2M_LOG_WARN, "publish to ", a->topic, " failed", "");
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

static int publish_job(m2m_agent_t *a, const job_record_t *job)
{
    long len = payload_job(a->payload, sizeof a->payload, job);
    if (len < 0) {
        set_error(a, "payload", "a job does not fit the payload buffer");
        return -1;
    }
    if (topic_build(a, 1, "jobs/", &job->job_id) < 0) {
        return -1;
    }
    return publish(a, a->payload, (size_t)len, 1);
}

/* Called by the splitter for each element of "jobs". */
static int on_job(void *user, char *text, size_t len)
{
    m2m_agent_t *a = (m2m_agent_t *)user;
    job_record_t job;
    uint16_t previous = 0;
    job_table_result_t res;
    job_record_status_t st = job_record_parse(&a->record_parser, text, len, &job);

    if (st != JOB_RECORD_OK) {
        set_error(a, "malformed_job", job_record_strerror(st));
        return 1;
    }
    a->page_jobs++;
    a->poll_jobs++;
    res = job_table_update(&a->table, job.job_id, job.status, job_record_fingerprint(&job),
                           &previous);
    if (res == JOB_TABLE_DUPLICATE) {
        return 0; /* offset paging listed it twice: count it once */
    }
    summary_count(&a->summary, job.status);
    if (res == JOB_TABLE_SAME) {
        return 0;
    }
    if (res == JOB_TABLE_FULL && !a->full_warned) {
        a->full_warned = 1;
        log_parts(a, M2M_LOG_WARN,
                  "job table full: jobs beyond modelarts.max_jobs are published on every poll "
                  "but get no events or removals",
                  "", "", "");
    }
    if (publish_job(a, &job) != 0) {
        job_table_invalidate(&a->table, job.job_id);
        if (a->publish_error) {
            set_error(a, "mqtt", "publishing to the broker failed");
        }
        return 2;
    }
    if (a->baseline_done && (res == JOB_TABLE_NEW || (res == JOB_TABLE_CHANGED &&
                                                      (int64_t)previous != job.status))) {
        event_t ev;
        ev.type = res == JOB_TABLE_NEW ? EVENT_ADDED : EVENT_TRANSITION;
        ev.job_id = job.job_id;
        ev.job_name = (job.present & JOB_HAS_JOB_NAME) ? job.job_name : NULL;
        ev.job_name_len = job.job_name_len;
        ev.from = previous;
        ev.to = job.status;
        ev.at = m2m_time_utc_ms(a->port);
        if (publish_event(a, &ev) != 0) {
            set_error(a, "mqtt", "publishing to the broker failed");
            return 2;
        }
    }
    return 0;
}

/* ---- one page -------------------------------------------------------------- */

static m2m_poll_result_t transport_error(m2m_agent_t *a, tls_client_status_t st)
{
    set_error(a, st == TLS_CLIENT_ERR_VERIFY ? "tls_verify" : "network",
              tls_client_strerror(st));
    return M2M_POLL_TRANSIENT;
}

static tls_client_status_t send_text(m2m_agent_t *a, const char *name, const char *value)
{
    tls_client_status_t st = tls_client_write_all(&a->tls, name, strlen(name));
    if (st == TLS_CLIENT_OK) {
        st = tls_client_write_all(&a->tls, value, strlen(value));
    }
    if (st == TLS_CLIENT_OK) {
        st = tls_client_write_all(&a->tls, "\r\n", 2);
    }
    return st;
}

/* The AK/SK headers of the request whose head (already sent) is in
 * a->payload[0..head): X-Sdk-Date, X-Project-Id, X-Security-Token when
 * configured, and the signature over them, the Host header and the query.
 * Credentials are sent and signed straight from the configuration. */
static tls_client_status_t send_signature(m2m_agent_t *a, size_t head)
{
    const m2m_agent_config_t *cfg = a->cfg;
    char date[APIG_DATE_LEN];
    char host[M2M_TOPIC_MAX];
    char path[M2M_TOPIC_MAX];
    apig_header_t headers[4];
    apig_request_t req;
    strbuf_t sb;
    char *query;
    char *end;
    char *authorization = a->payload + head + 1;
    size_t n = 0;

    apig_format_date(m2m_time_utc_ms(a->port), date);
    memcpy(a->last_sdk_date, date, sizeof date);
    /* The canonical query is the query on the wire: cut it out of the head
     * ("GET <path>?<query> HTTP/1.1"), which has been sent already. */
    a->payload[head] = '\0';
    query = strchr(a->payload, '?');
    end = strstr(a->payload, " HTTP/1.1");
    if (end == NULL) {
        return TLS_CLIENT_ERR_IO;
    }
    *end = '\0';
    query = query != NULL ? query + 1 : end;

    strbuf_init(&sb, host, sizeof host);
    strbuf_puts(&sb, cfg->host);
    if (cfg->port != 443) {
        strbuf_putc(&sb, ':');
        strbuf_uint(&sb, cfg->port);
    }
    strbuf_init(&sb, path, sizeof path);
    strbuf_puts(&sb, "/v1/");
    strbuf_puts(&sb, cfg->project_id);
    strbuf_puts(&sb, "/training-jobs");

    headers[n].name = "host";
    headers[n++].value = host;
    headers[n].name = "x-project-id";
    headers[n++].value = cfg->project_id;
    headers[n].name = "x-sdk-date";
    headers[n++].value = date;
    if (cfg->security_token != NULL && cfg->security_token[0] != '\0') {
        headers[n].name = "x-security-token";
        headers[n++].value = cfg->security_token;
    }
    req.method = "GET";
    req.path = path;
    req.canonical_query = query;
    req.headers = headers;
    req.header_count = n;
    req.body = NULL;
    req.body_len = 0;
    if (apig_sign(&req, cfg->ak, cfg->sk, authorization, sizeof a->payload - head - 1, NULL) !=
        APIG_SIGNER_OK) {
        set_error(a, "signing", "the request could not be signed (access key too long?)");
        return TLS_CLIENT_ERR_IO;
    }
    {
        tls_client_status_t st = send_text(a, "X-Sdk-Date: ", date);
        if (st == TLS_CLIENT_OK) {
            st = send_text(a, "X-Project-Id: ", cfg->project_id);
        }
        if (st == TLS_CLIENT_OK && n == 4) {
            st = send_text(a, "X-Security-Token: ", cfg->security_token);
        }
        if (st == TLS_CLIENT_OK) {
            st = send_text(a, "Authorization: ", authorization);
        }
        return st;
    }
}

static tls_client_status_t send_request(m2m_agent_t *a, uint32_t page)
{
    list_query_t q;
    long head;
    tls_client_status_t st;
    const m2m_agent_config_t *cfg = a->cfg;

    q.project_id = cfg->project_id;
    q.per_page = cfg->per_page;
    q.page = page;
    q.sort_by = cfg->sort_by;
    q.order = cfg->order;
    q.search_content = cfg->search_content;
    q.workspace_id = cfg->workspace_id;
    q.status = cfg->status;
    head = request_list_head(a->payload, sizeof a->payload, &q, cfg->host, cfg->port,
                             cfg->version);
    if (head < 0) {
        return TLS_CLIENT_ERR_HANDSHAKE; /* cannot happen with valid config */
    }
    st = tls_client_write_all(&a->tls, a->payload, (size_t)head);
    if (st != TLS_CLIENT_OK) {
        return st;
    }
    /* Credentials are sent from the configuration, never copied: IAM tokens
     * are several kilobytes. */
    if (cfg->auth == M2M_AUTH_AKSK) {
        st = send_signature(a, (size_t)head);
    } else if (cfg->token != NULL) {
        st = send_text(a, "X-Auth-Token: ", cfg->token);
    }
    if (st == TLS_CLIENT_OK) {
        st = tls_client_write_all(&a->tls, "\r\n", 2);
    }
    return st;
}

/* Feed received bytes through the HTTP parser into the splitter. The parser
 * is called until it asks for more input: a message that ends exactly at the
 * end of a read is reported DONE by one more call. Returns 1 when the
 * response is complete, 0 for more, -1 on a malformed response. */
static int feed_response(m2m_agent_t *a, const uint8_t *in, size_t n)
{
    size_t off = 0;
    for (;;) {
        size_t used = 0;
        const uint8_t *body = NULL;
        size_t body_len = 0;
        http_response_status_t hs =
            http_response_feed(&a->http, in + off, n - off, &used, &body, &body_len);
        off += used;
        switch (hs) {
        case HTTP_RESPONSE_HEADERS: {
            int ok = a->http.status_code >= 200 && a->http.status_code < 300;
            a->health.http_status = a->http.status_code;
            /* Only a successful page lists jobs; an error body is read for
             * its error_code and message alone. */
            job_stream_init(&a->stream, ok ? on_job : NULL, a);
            break;
        }
        case HTTP_RESPONSE_BODY:
            if (a->stream_status == JOB_STREAM_OK) {
                a->stream_status = job_stream_feed(&a->stream, body, body_len);
            }
            break;
        case HTTP_RESPONSE_DONE:
            return 1;
        case HTTP_RESPONSE_NEED_MORE:
            return 0;
        default:
            set_error(a, "http", http_response_strerror(hs));
            return -1;
        }
    }
}

/* Read one response. Returns 1 complete, 0 if the connection closed before
 * a single byte (a stale keep-alive connection), or a negative failure. */
static int read_response(m2m_agent_t *a)
{
    int received = 0;
    http_response_init(&a->http);
    job_stream_init(&a->stream, NULL, a);
    a->stream_status = JOB_STREAM_OK;
    for (;;) {
        int32_t n = tls_client_read(&a->tls, a->recv_buf, sizeof a->recv_buf);
        int fed;
        if (n == TLS_CLIENT_ERR_CLOSED) {
            if (!received) {
                return 0;
            }
            if (http_response_finish(&a->http) == HTTP_RESPONSE_DONE) {
                return 1;
            }
            set_error(a, "truncated", "the connection closed before the response ended");
            return -1;
        }
        if (n < 0) {
            transport_error(a, (tls_client_status_t)n);
            return -1;
        }
        received = 1;
        fed = feed_response(a, a->recv_buf, (size_t)n);
        if (fed != 0) {
            return fed;
        }
    }
}

/* 1 if text holds needle, ASCII case ignored. */
static int contains_nocase(const char *text, const char *needle)
{
    size_t n = strlen(needle);
    for (; *text != '\0'; text++) {
        size_t i = 0;
        while (i < n && text[i] != '\0' &&
               (text[i] | 0x20) == (needle[i] | 0x20)) {
            i++;
        }
        if (i == n) {
            return 1;
        }
    }
    return 0;
}

/* A signed request refused for its date almost always means the gateway's
 * clock is off: say so, with the date that was sent. */
static void explain_clock_skew(m2m_agent_t *a)
{
    char line[LOG_LINE_MAX];
    strbuf_t sb;
    if (a->cfg->auth != M2M_AUTH_AKSK || !(contains_nocase(a->error_message, "x-sdk-date") ||
                                           contains_nocase(a->error_message, "15 minutes"))) {
        return;
    }
    strbuf_init(&sb, line, sizeof line);
    strbuf_puts(&sb, "the API refused the request date: check the gateway clock (NTP); the "
                     "request was signed with X-Sdk-Date ");
    strbuf_puts(&sb, a->last_sdk_date);
    strbuf_puts(&sb, " (UTC) and must be within 15 minutes of the server's time");
    m2m_log(a->port, M2M_LOG_ERROR, line);
    strbuf_init(&sb, a->error_message, sizeof a->error_message);
    strbuf_puts(&sb, "check the gateway clock: X-Sdk-Date ");
    strbuf_puts(&sb, a->last_sdk_date);
    strbuf_puts(&sb, " is more than 15 minutes off the server's time");
}

static m2m_poll_result_t classify_response(m2m_agent_t *a)
{
    int code = a->http.status_code;
    job_stream_t *s = &a->stream;
    char num[16];
    strbuf_t sb;

    if (code >= 200 && code < 300) {
        if (a->stream_status == JOB_STREAM_OK) {
            a->stream_status = job_stream_finish(s);
        }
        if (a->stream_status == JOB_STREAM_ERR_CALLBACK) {
            /* The job handler has set the error: a malformed job or a
             * broker failure; both are worth another try. */
            return M2M_POLL_TRANSIENT;
        }
        if (a->stream_status != JOB_STREAM_OK) {
            set_error(a, "malformed_body", job_stream_strerror(a->stream_status));
            return M2M_POLL_TRANSIENT;
        }
        if (s->is_success == 0) {
            set_error(a, s->error_code, s->error_message);
            return M2M_POLL_REFUSED;
        }
        if (!s->has_jobs && s->is_success != 1) {
            set_error(a, "malformed_body", "neither is_success nor jobs in the response");
            return M2M_POLL_TRANSIENT;
        }
        return M2M_POLL_OK;
    }
    strbuf_init(&sb, num, sizeof num);
    strbuf_puts(&sb, "HTTP ");
    strbuf_int(&sb, code);
    if (s->error_code[0] != '\0' || s->error_message[0] != '\0') {
        set_error(a, s->error_code, s->error_message);
    } else if (code >= 300 && code < 400) {
        set_error(a, num, "redirect not followed: check modelarts.endpoint");
    } else {
        set_error(a, num, "the API answered with an error status");
    }
    if (code == 408 || code == 429 || code >= 500 || code < 200) {
        return M2M_POLL_TRANSIENT;
    }
    if (code == 401) {
        explain_clock_skew(a);
    }
    return M2M_POLL_REFUSED;
}

static m2m_poll_result_t fetch_page(m2m_agent_t *a, uint32_t page)
{
    int attempt;
    for (attempt = 0; attempt < 2; attempt++) {
        int reused = a->tls.open;
        tls_client_status_t st;
        int rd;
        if (!a->tls.open) {
            st = tls_client_open(&a->tls, a->cfg->host, a->cfg->port);
            if (st != TLS_CLIENT_OK) {
                return transport_error(a, st);
            }
        }
        st = send_request(a, page);
        if (st != TLS_CLIENT_OK) {
            tls_client_close(&a->tls);
            if (reused) {
                continue; /* the server closed the idle connection */
            }
            return transport_error(a, st);
        }
        rd = read_response(a);
        if (rd == 0) {
            tls_client_close(&a->tls);
            if (reused) {
                continue;
            }
            set_error(a, "network", "the server closed the connection without a response");
            return M2M_POLL_TRANSIENT;
        }
        if (rd < 0) {
            tls_client_close(&a->tls);
            return M2M_POLL_TRANSIENT;
        }
        if (!a->http.keep_alive) {
            tls_client_close(&a->tls);
        }
        return classify_response(a);
    }
    set_error(a, "network", "the server closed the connection twice");
    return M2M_POLL_TRANSIENT;
}

/* ---- a whole poll ------------------------------------------------------------ */

static void on_removed(void *user, const job_entry_t *entry)
{
    m2m_agent_t *a = (m2m_agent_t *)user;
    if (topic_build(a, 1, "jobs/", &entry->job_id) < 0) {
        return;
    }
    if (publish(a, "", 0, 1) != 0) {
        return;
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
}

static void publish_summary(m2m_agent_t *a)
{
    long len;
    a->summary.updated_at = m2m_time_utc_ms(a->port);
    len = payload_summary(a->payload, sizeof a->payload, &a->summary);
    if (len >= 0 && topic_build(a, 1, "summary", NULL) >= 0) {
        (void)publish(a, a->payload, (size_t)len, 1);
    }
}

static void publish_health(m2m_agent_t *a)
{
    long len = payload_health(a->payload, sizeof a->payload, &a->health);
    if (len >= 0 && topic_build(a, 0, "health", NULL) >= 0) {
        (void)publish(a, a->payload, (size_t)len, 1);
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

m2m_poll_result_t m2m_agent_poll(m2m_agent_t *a, int64_t next_poll_at)
{
    uint64_t started = m2m_time_monotonic_ms(a->port);
    m2m_poll_result_t res = M2M_POLL_OK;
    uint32_t page;

    if (a->cfg->insecure) {
        m2m_log(a->port, M2M_LOG_WARN,
                "TLS verification is off (modelarts.insecure = true): the API server is not "
                "authenticated");
    }
    job_table_begin_poll(&a->table);
    summary_clear(&a->summary);
    a->poll_jobs = 0;
    a->publish_error = 0;
    a->full_warned = 0;
    a->error_code[0] = '\0';
    a->error_message[0] = '\0';
    a->health.http_status = 0;
    a->health.pages = 0;

    for (page = 1; page <= M2M_PAGE_LIMIT; page++) {
        a->page_jobs = 0;
        res = fetch_page(a, page);
        a->health.pages = page;
        if (res != M2M_POLL_OK) {
            break;
        }
        take_api_figures(a);
        if (last_page(a, page)) {
            break;
        }
    }

    if (res == M2M_POLL_OK) {
        job_table_remove_unseen(&a->table, on_removed, a);
        publish_summary(a);
        if (a->publish_error) {
            set_error(a, "mqtt", "publishing to the broker failed");
            res = M2M_POLL_TRANSIENT;
        }
    }
    if (res == M2M_POLL_OK) {
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
    log_poll(a, res);
    publish_health(a);
    return res;
}

/* ---- lifecycle -------------------------------------------------------------- */

m2m_poll_result_t m2m_agent_init(m2m_agent_t *a, const m2m_agent_config_t *cfg,
                                 m2m_port_t *port, mbedtls_ssl_context *ssl,
                                 job_entry_t *table_storage, uint32_t capacity,
                                 uint32_t timeout_ms)
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
    return M2M_POLL_OK;
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
    if (publish(a, "online", 6, 1) != 0) {
        return M2M_POLL_TRANSIENT;
    }
    return M2M_POLL_OK;
}

void m2m_agent_stop(m2m_agent_t *a)
{
    tls_client_close(&a->tls);
    if (topic_build(a, 0, "status", NULL) >= 0) {
        (void)m2m_mqtt_publish(a->port, a->topic, "offline", 7, a->cfg->qos, 1);
    }
    m2m_mqtt_disconnect(a->port);
}

void m2m_agent_reset_baseline(m2m_agent_t *a)
{
    a->table.count = 0;
    a->table.untracked = 0;
    a->baseline_done = 0;
}

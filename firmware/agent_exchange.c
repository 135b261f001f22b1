/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_exchange.c - one HTTP exchange of the agent: the list request with
 * its credentials (token or AK/SK signature), the response read through the
 * HTTP parser into the job splitter, and what the status means.
 */
#include <string.h>

#include "agent.h"
#include "agent_internal.h"
#include "apig_signer.h"
#include "strbuf.h"

m2m_poll_result_t agent_transport_error(m2m_agent_t *a, tls_client_status_t st)
{
    agent_set_error(a, st == TLS_CLIENT_ERR_VERIFY ? "tls_verify" : "network",
                    tls_client_strerror(st));
    return M2M_POLL_TRANSIENT;
}

/* The request leaves through a->payload as through a buffer: in one write,
 * and so one TLS record, when it fits (the head, the credentials and a v2
 * body do), in several when a credential is longer (an IAM token may be).
 * A v2 body waits at the end of the buffer, beyond cap, until it is sent. */
typedef struct {
    m2m_agent_t *a;
    size_t used; /* bytes of a->payload waiting to be written */
    size_t cap;  /* bytes of a->payload the writer may fill */
    tls_client_status_t st;
} request_out_t;

static void out_flush(request_out_t *o)
{
    if (o->st == TLS_CLIENT_OK && o->used > 0) {
        o->st = tls_client_write_all(&o->a->tls, o->a->payload, o->used);
    }
    o->used = 0;
}

static void out_put(request_out_t *o, const char *text, size_t len)
{
    while (len > 0 && o->st == TLS_CLIENT_OK) {
        size_t room = o->cap - o->used;
        size_t n = len < room ? len : room;
        memcpy(o->a->payload + o->used, text, n);
        o->used += n;
        text += n;
        len -= n;
        if (o->used == o->cap) {
            out_flush(o);
        }
    }
}

static void out_header(request_out_t *o, const char *name, const char *value)
{
    out_put(o, name, strlen(name));
    out_put(o, value, strlen(value));
    out_put(o, "\r\n", 2);
}

#if M2M_WITH_AKSK
/* The AK/SK headers of the request whose head is a->payload[0..head), still
 * in the buffer: X-Sdk-Date, X-Project-Id, the signature over them, the Host
 * header, the query (v1) or the Content-Type and the body (v2), and
 * X-Security-Token when configured (signed too). Credentials are signed and
 * sent straight from the configuration. Returns 0, or -1 with the error
 * set. */
static int put_signature(request_out_t *o, size_t head, const char *body, size_t body_len)
{
    m2m_agent_t *a = o->a;
    const m2m_agent_config_t *cfg = a->cfg;
    static const char auth_name[] = "Authorization: ";
    int v2 = AGENT_V2(a);
    char date[APIG_DATE_LEN];
    char host[264]; /* a DNS name (253) and ":65535" */
    char path[M2M_TOPIC_MAX];
    apig_header_t headers[5];
    apig_request_t req;
    strbuf_t sb;
    const char *line_end = memchr(a->payload, '\r', head);
    char *query;
    char *end;
    char *authorization;
    size_t n = 0;
    apig_signer_status_t st;

    apig_format_date(m2m_time_utc_ms(a->port), date);
    memcpy(a->last_sdk_date, date, sizeof date);
    /* The canonical query is the query on the wire: the request line is
     * "GET <path>?<query> HTTP/1.1" (v2 has none). */
    if (line_end == NULL || line_end - a->payload < 9) {
        return -1;
    }
    end = a->payload + (line_end - a->payload) - 9;
    query = memchr(a->payload, '?', (size_t)(end - a->payload));
    query = query != NULL ? query + 1 : end;

    strbuf_init(&sb, host, sizeof host);
    request_put_host(&sb, cfg->host, cfg->port);
    if (sb.overflow) {
        agent_set_error(a, "signing", "the API host name is too long to sign");
        return -1;
    }
    strbuf_init(&sb, path, sizeof path);
    if (v2) {
        request_search_target(&sb, cfg->project_id);
    } else {
        strbuf_puts(&sb, "/v1/");
        strbuf_puts(&sb, cfg->project_id);
        strbuf_puts(&sb, "/training-jobs");
    }
    if (sb.overflow) {
        agent_set_error(a, "signing", "the project id is too long to sign");
        return -1;
    }

    if (v2) {
        headers[n].name = "content-type";
        headers[n++].value = REQUEST_SEARCH_CONTENT_TYPE;
    }
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
    req.method = v2 ? "POST" : "GET";
    req.path = path;
    req.canonical_query = query;
    req.headers = headers;
    req.header_count = n;
    req.body = body;
    req.body_len = body_len;

    out_header(o, "X-Sdk-Date: ", date);
    out_header(o, "X-Project-Id: ", cfg->project_id);
    out_put(o, auth_name, sizeof auth_name - 1);
    if (o->used < head || o->used + 2 >= o->cap) {
        return -1; /* the head left the buffer: cannot happen, it is short */
    }
    /* The signature goes straight into the buffer, after what waits there:
     * the head stays in place while it is computed. */
    authorization = a->payload + o->used;
    *end = '\0';
    st = apig_sign(&req, cfg->ak, cfg->sk, authorization, o->cap - o->used - 2, NULL);
    *end = ' ';
    if (st != APIG_SIGNER_OK) {
        agent_set_error(a, "signing", "the request could not be signed (access key too long?)");
        return -1;
    }
    o->used += strlen(authorization);
    out_put(o, "\r\n", 2);
    if (cfg->security_token != NULL && cfg->security_token[0] != '\0') {
        out_header(o, "X-Security-Token: ", cfg->security_token);
    }
    return 0;
}
#endif /* M2M_WITH_AKSK */

/* The head of the page's request into a->payload[0..o->cap), and for v2 its
 * body at the end of the buffer (o->cap is set below it). Returns the head's
 * length, or -1. */
static long build_head(m2m_agent_t *a, uint32_t page, request_out_t *o, size_t *body_len)
{
    const m2m_agent_config_t *cfg = a->cfg;
    *body_len = 0;
    o->cap = sizeof a->payload;
    if (AGENT_V2(a)) {
        search_query_t q;
        long n;
        q.offset = a->v2.offset;
        q.limit = agent_page_size(a);
        q.sort_by = cfg->sort_by;
        q.order = cfg->order;
        q.phases = cfg->status;
        q.name_like = cfg->search_content;
        q.workspace_id = cfg->workspace_id;
        n = request_search_body(a->payload, sizeof a->payload / 2, &q);
        if (n < 0) {
            return -1;
        }
        *body_len = (size_t)n;
        o->cap = sizeof a->payload - *body_len;
        memmove(a->payload + o->cap, a->payload, *body_len);
        (void)page;
        return request_search_head(a->payload, o->cap, cfg->project_id, cfg->host, cfg->port,
                                   cfg->version, *body_len);
    }
    {
        list_query_t q;
        q.project_id = cfg->project_id;
        q.per_page = cfg->per_page;
        q.page = page;
        q.sort_by = cfg->sort_by;
        q.order = cfg->order;
        q.search_content = cfg->search_content;
        q.workspace_id = cfg->workspace_id;
        q.status = cfg->status;
        return request_list_head(a->payload, o->cap, &q, cfg->host, cfg->port, cfg->version);
    }
}

static tls_client_status_t send_request(m2m_agent_t *a, uint32_t page)
{
    request_out_t o;
    size_t body_len;
    long head;
    const m2m_agent_config_t *cfg = a->cfg;

    head = build_head(a, page, &o, &body_len);
    if (head < 0) {
        return TLS_CLIENT_ERR_HANDSHAKE; /* cannot happen with valid config */
    }
    o.a = a;
    o.used = (size_t)head;
    o.st = TLS_CLIENT_OK;
    /* Credentials are sent from the configuration, never copied elsewhere:
     * IAM tokens are several kilobytes. */
#if M2M_WITH_AKSK
    if (cfg->auth == M2M_AUTH_AKSK) {
        if (put_signature(&o, (size_t)head, a->payload + o.cap, body_len) != 0) {
            return TLS_CLIENT_ERR_IO;
        }
    } else
#endif
        if (cfg->auth == M2M_AUTH_PASSWORD) {
        out_header(&o, "X-Auth-Token: ", cfg->token_buf);
    } else if (cfg->token != NULL) {
        out_header(&o, "X-Auth-Token: ", cfg->token);
    }
    out_put(&o, "\r\n", 2);
    if (body_len > 0) {
        /* The body joins the head when the head left room (memmove: they
         * may overlap); else it goes on its own. */
        if (o.used + body_len <= sizeof a->payload) {
            memmove(a->payload + o.used, a->payload + o.cap, body_len);
            o.used += body_len;
        } else {
            out_flush(&o);
            if (o.st == TLS_CLIENT_OK) {
                o.st = tls_client_write_all(&a->tls, a->payload + o.cap, body_len);
            }
        }
    }
    out_flush(&o);
    return o.st;
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
            a->retry_after_seconds = a->http.retry_after_seconds;
            a->retry_after_date = a->http.retry_after_date;
            /* Only a successful page lists jobs; an error body is read for
             * its error_code and message alone. */
            job_stream_init_api(&a->stream,
                                AGENT_V2(a) && !a->reading_iam ? JOB_STREAM_V2 : JOB_STREAM_V1,
                                ok && !a->reading_iam ? agent_on_job : NULL, a);
            break;
        }
        case HTTP_RESPONSE_BODY:
#if M2M_WITH_IAM_PASSWORD
            if (a->reading_iam) {
                iam_expiry_feed(&a->iam_expiry, body, body_len);
            }
#endif
            if (a->stream_status == JOB_STREAM_OK) {
                a->stream_status = job_stream_feed(&a->stream, body, body_len);
            }
            break;
        case HTTP_RESPONSE_DONE:
            return 1;
        case HTTP_RESPONSE_NEED_MORE:
            return 0;
        default:
            agent_set_error(a, "http", http_response_strerror(hs));
            return -1;
        }
    }
}

int agent_read_response(m2m_agent_t *a)
{
    int received = 0;
    http_response_init(&a->http);
#if M2M_WITH_IAM_PASSWORD
    if (a->reading_iam) {
        /* The token is several kilobytes: it goes straight to its buffer. */
        http_response_capture_header(&a->http, "X-Subject-Token", a->cfg->token_buf,
                                     a->cfg->token_cap);
        iam_expiry_init(&a->iam_expiry);
    }
#endif
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
            agent_set_error(a, "truncated", "the connection closed before the response ended");
            return -1;
        }
        if (n < 0) {
            agent_transport_error(a, (tls_client_status_t)n);
            return -1;
        }
        received = 1;
        fed = feed_response(a, a->recv_buf, (size_t)n);
        if (fed != 0) {
            return fed;
        }
    }
}

#if M2M_WITH_AKSK
/* 1 if text holds needle, ASCII case ignored. */
static int contains_nocase(const char *text, const char *needle)
{
    size_t n = strlen(needle);
    for (; *text != '\0'; text++) {
        size_t i = 0;
        while (i < n && text[i] != '\0' && (text[i] | 0x20) == (needle[i] | 0x20)) {
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
#endif /* M2M_WITH_AKSK */

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
            agent_set_error(a, "malformed_body", job_stream_strerror(a->stream_status));
            return M2M_POLL_TRANSIENT;
        }
        if (s->is_success == 0) {
            agent_set_error(a, s->error_code, s->error_message);
            return M2M_POLL_REFUSED;
        }
        if (!s->has_jobs && s->is_success != 1) {
            agent_set_error(a, "malformed_body", "neither is_success nor jobs in the response");
            return M2M_POLL_TRANSIENT;
        }
        return M2M_POLL_OK;
    }
    strbuf_init(&sb, num, sizeof num);
    strbuf_puts(&sb, "HTTP ");
    strbuf_int(&sb, code);
    if (s->error_code[0] != '\0' || s->error_message[0] != '\0') {
        agent_set_error(a, s->error_code, s->error_message);
    } else if (code >= 300 && code < 400) {
        agent_set_error(a, num, "redirect not followed: check modelarts.endpoint");
    } else {
        agent_set_error(a, num, "the API answered with an error status");
    }
    if (code == 408 || code == 429 || code >= 500 || code < 200) {
        return M2M_POLL_TRANSIENT;
    }
#if M2M_WITH_AKSK
    if (code == 401) {
        explain_clock_skew(a);
    }
#endif
    return M2M_POLL_REFUSED;
}

m2m_poll_result_t agent_fetch_page(m2m_agent_t *a, uint32_t page)
{
    int attempt;
    /* Health shows the status of the page that ended the poll: a page that
     * got no status line must not show the previous page's. */
    a->health.http_status = 0;
    for (attempt = 0; attempt < 2; attempt++) {
        int reused = a->tls.open;
        tls_client_status_t st;
        int rd;
        if (!a->tls.open) {
            st = tls_client_open(&a->tls, a->cfg->host, a->cfg->port);
            if (st != TLS_CLIENT_OK) {
                return agent_transport_error(a, st);
            }
        }
        st = send_request(a, page);
        if (st != TLS_CLIENT_OK) {
            tls_client_close(&a->tls);
            if (reused) {
                continue; /* the server closed the idle connection */
            }
            return agent_transport_error(a, st);
        }
        rd = agent_read_response(a);
        if (rd == 0) {
            tls_client_close(&a->tls);
            if (reused) {
                continue;
            }
            agent_set_error(a, "network", "the server closed the connection without a response");
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
    agent_set_error(a, "network", "the server closed the connection twice");
    return M2M_POLL_TRANSIENT;
}

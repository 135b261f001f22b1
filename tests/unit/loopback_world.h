/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loopback_world.h - the agent's whole world inside one test process, behind
 * include/m2m_port.h: a TLS server (mbedTLS, its test certificate) that
 * answers the list call from a table of jobs, with faults on chosen pages,
 * and an MQTT broker that keeps retained messages and can stop
 * acknowledging. Single-threaded: the server runs whenever the agent waits
 * for bytes, so every test is deterministic.
 *
 * Included by one test file only (it defines struct m2m_port and the port's
 * functions).
 */
#ifndef LOOPBACK_WORLD_H
#define LOOPBACK_WORLD_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/certs.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "agent.h"

#define WORLD_JOBS_MAX 2000
#define WORLD_MESSAGES_MAX 20000
#define WORLD_RETAINED_MAX 4000
#define WORLD_TOPIC_MAX 200
#define WORLD_HOST "localhost" /* the name in mbedTLS's test certificate */

typedef enum {
    PAGE_OK = 0,
    PAGE_HTTP_500,   /* 500 with a ModelArts error body */
    PAGE_TRUNCATED,  /* half the body, then the connection closes */
    PAGE_NO_RESPONSE /* the connection closes before any answer */
} page_fault_t;

typedef struct {
    int64_t job_id;
    int status;
    char name[32];
} world_job_t;

typedef struct {
    char topic[WORLD_TOPIC_MAX];
    char *payload;
    size_t len;
    int retain;
    int acked;   /* the broker acknowledged it (and keeps it if retained) */
    int lost;    /* the broker never acknowledges it (acks_left ran out) */
    int session; /* the MQTT session it was published in */
} world_message_t;

struct m2m_port {
    /* The API: jobs in listing order, faults by page. */
    world_job_t jobs[WORLD_JOBS_MAX];
    int n_jobs;
    page_fault_t fault_page_kind[8];
    uint32_t fault_page[8];
    int fault_times[8];
    const char *token;    /* the X-Auth-Token the server accepts */
    int v2_item_offset;   /* v2: offset counts items (else pages) */
    int v2_ignore_offset; /* v2: every answer is the first page */
    size_t v2_bulk;       /* v2: bytes of padding in each item's algorithm */
    int status_first;     /* v1: "status" before "job_id" in each job (a server that orders
                             its keys otherwise) */

    /* What the server saw. */
    int requests;
    uint32_t pages[256];      /* page (v1) or offset (v2) of each request */
    int records_last_request; /* TLS application records of the last one */
    int sends_last_request;   /* m2m_tcp_send() calls it took */
    int handshakes;

    /* The connection: bytes each way and the server's TLS state. */
    int connected;
    int server_closed;
    int server_ready; /* handshake done */
    uint8_t *c2s;
    size_t c2s_len, c2s_cap;
    uint8_t *s2c;
    size_t s2c_len, s2c_off, s2c_cap;
    char request[16384];
    size_t request_len;
    size_t record_scan; /* client bytes already scanned for record headers */
    int records, sends;
    mbedtls_ssl_context srv;
    mbedtls_ssl_config srv_conf;
    mbedtls_x509_crt srv_crt;
    mbedtls_pk_context srv_key;

    /* The broker. */
    int session_up;
    int session_no; /* sessions opened so far */
    int ack_next;   /* the oldest message of the session not acknowledged */
    long acks_left; /* messages it will still acknowledge; < 0: all */
    world_message_t *log;
    int n_log;
    int ack_waits;     /* m2m_mqtt_wait_acks() calls */
    int blocked_waits; /* acknowledgements the agent had to wait for */
    int lag;           /* the broker acknowledges a message only once this many
                          newer ones arrived (or the agent waits) */

    uint64_t now_ms;
};

/* ---- randomness and certificates (tests only: fixed, not secret) ------- */

static int world_entropy(void *ctx, unsigned char *out, size_t len)
{
    static unsigned char x = 7;
    (void)ctx;
    while (len-- > 0) {
        *out++ = x;
        x = (unsigned char)(x * 31u + 17u);
    }
    return 0;
}

static mbedtls_ctr_drbg_context world_drbg;

static void world_rng_init(void)
{
    static int done;
    if (!done) {
        mbedtls_ctr_drbg_init(&world_drbg);
        if (mbedtls_ctr_drbg_seed(&world_drbg, world_entropy, NULL, NULL, 0) != 0) {
            abort();
        }
        done = 1;
    }
}

/* ---- byte pipes -------------------------------------------------------- */

static void pipe_append(uint8_t **buf, size_t *len, size_t *cap, const uint8_t *data, size_t n)
{
    if (*len + n > *cap) {
        *cap = (*len + n) * 2 + 4096;
        *buf = realloc(*buf, *cap);
        if (*buf == NULL) {
            abort();
        }
    }
    memcpy(*buf + *len, data, n);
    *len += n;
}

static int srv_bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    m2m_port_t *w = ctx;
    pipe_append(&w->s2c, &w->s2c_len, &w->s2c_cap, buf, len);
    return (int)len;
}

static int srv_bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    m2m_port_t *w = ctx;
    size_t n = w->c2s_len < len ? w->c2s_len : len;
    if (n == 0) {
        return MBEDTLS_ERR_SSL_WANT_READ;
    }
    memcpy(buf, w->c2s, n);
    memmove(w->c2s, w->c2s + n, w->c2s_len - n);
    w->c2s_len -= n;
    w->record_scan = w->record_scan > n ? w->record_scan - n : 0;
    return (int)n;
}

/* ---- the API ----------------------------------------------------------- */

/* The value of query parameter name ("page=") in the request line. */
static uint32_t query_number(const char *request, const char *name)
{
    const char *p = request;
    while ((p = strstr(p, name)) != NULL) {
        if (p > request && (p[-1] == '?' || p[-1] == '&')) {
            return (uint32_t)strtoul(p + strlen(name), NULL, 10);
        }
        p++;
    }
    return 0;
}

static page_fault_t take_fault(m2m_port_t *w, uint32_t page)
{
    int i;
    for (i = 0; i < 8; i++) {
        if (w->fault_times[i] > 0 && w->fault_page[i] == page) {
            w->fault_times[i]--;
            return w->fault_page_kind[i];
        }
    }
    return PAGE_OK;
}

static void srv_write(m2m_port_t *w, const char *text, size_t len)
{
    while (len > 0) {
        int n = mbedtls_ssl_write(&w->srv, (const unsigned char *)text, len);
        if (n <= 0) {
            abort();
        }
        text += n;
        len -= (size_t)n;
    }
}

static void respond(m2m_port_t *w, int status, const char *body, size_t body_len, int truncate)
{
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %lu\r\n"
                     "Connection: keep-alive\r\n\r\n",
                     status, status == 200 ? "OK" : "Error", (unsigned long)body_len);
    srv_write(w, head, (size_t)n);
    srv_write(w, body, truncate ? body_len / 2 : body_len);
    if (truncate) {
        w->server_closed = 1;
    }
}

/* The v2 phase of a v1 status code, as the simulator maps them. */
static const char *v2_phase(int status)
{
    switch (status) {
    case 7:
        return "Pending";
    case 8:
        return "Running";
    case 10:
        return "Completed";
    case 11:
        return "Failed";
    default:
        return "Creating";
    }
}

/* v2: POST /v2/<project>/training-job-searches, its body at body. */
static void answer_search(m2m_port_t *w, const char *body)
{
    const char *o = strstr(body, "\"offset\":");
    const char *l = strstr(body, "\"limit\":");
    uint32_t offset = o != NULL ? (uint32_t)strtoul(o + 9, NULL, 10) : 0;
    uint32_t limit = l != NULL ? (uint32_t)strtoul(l + 8, NULL, 10) : 10;
    uint32_t first = w->v2_ignore_offset ? 0 : w->v2_item_offset ? offset : offset * limit;
    size_t cap = 256 + (size_t)limit * (600 + w->v2_bulk);
    char *out = malloc(cap);
    size_t len = 0;
    uint32_t i;

    if (out == NULL) {
        abort();
    }
    if (w->requests < 256) {
        w->pages[w->requests] = offset;
    }
    w->requests++;
    w->records_last_request = w->records;
    w->sends_last_request = w->sends;
    w->records = 0;
    w->sends = 0;
    len += (size_t)snprintf(out + len, cap - len, "{\"total\":%d,\"count\":%d,\"items\":[",
                            w->n_jobs, w->n_jobs);
    for (i = first; i < first + limit && (int)i < w->n_jobs; i++) {
        const world_job_t *j = &w->jobs[i];
        len += (size_t)snprintf(
            out + len, cap - len,
            "%s{\"kind\":\"job\",\"metadata\":{\"id\":\"00000000-0000-4000-8000-%012llx\","
            "\"name\":\"%s\",\"description\":\"a v2 job\",\"create_time\":%lld,"
            "\"annotations\":{\"a\":\"b\"},\"user_name\":\"u\"},\"status\":{\"phase\":\"%s\","
            "\"secondary_phase\":\"%s\",\"duration\":%d,\"start_time\":0,\"tasks\":[\"w-0\"]},"
            "\"algorithm\":{\"parameters\":[{\"name\":\"pad\",\"value\":\"",
            i == first ? "" : ",", (unsigned long long)j->job_id, j->name,
            1700000000000LL + (long long)i, v2_phase(j->status), v2_phase(j->status),
            j->status * 10);
        memset(out + len, 'x', w->v2_bulk);
        len += w->v2_bulk;
        len += (size_t)snprintf(out + len, cap - len, "\"}]}}");
    }
    len += (size_t)snprintf(out + len, cap - len, "]}");
    respond(w, 200, out, len, 0);
    free(out);
}

static void answer_list(m2m_port_t *w)
{
    uint32_t per_page = query_number(w->request, "per_page=");
    uint32_t page = query_number(w->request, "page=");
    char *token_line = strstr(w->request, "\r\nX-Auth-Token: ");
    size_t cap = 256 + (size_t)per_page * 256;
    char *body = malloc(cap);
    size_t len = 0;
    uint32_t i;
    page_fault_t fault;

    if (body == NULL) {
        abort();
    }
    if (w->requests < 256) {
        w->pages[w->requests] = page;
    }
    w->requests++;
    w->records_last_request = w->records;
    w->sends_last_request = w->sends;
    w->records = 0;
    w->sends = 0;
    fault = take_fault(w, page);
    if (fault == PAGE_NO_RESPONSE) {
        w->server_closed = 1;
        free(body);
        return;
    }
    if (w->token != NULL &&
        (token_line == NULL || strncmp(token_line + 16, w->token, strlen(w->token)) != 0 ||
         token_line[16 + strlen(w->token)] != '\r')) {
        static const char refused[] = "{\"error_code\":\"APIG.0301\",\"error_msg\":\"bad token\"}";
        respond(w, 401, refused, sizeof refused - 1, 0);
        free(body);
        return;
    }
    if (fault == PAGE_HTTP_500) {
        static const char err[] =
            "{\"is_success\":false,\"error_code\":\"ModelArts.0001\",\"error_message\":\"down\"}";
        respond(w, 500, err, sizeof err - 1, 0);
        free(body);
        return;
    }
    len += (size_t)snprintf(body + len, cap - len,
                            "{\"is_success\":true,\"job_total_count\":%d,\"job_count_limit\":45,"
                            "\"jobs\":[",
                            w->n_jobs);
    for (i = (page - 1) * per_page; i < page * per_page && (int)i < w->n_jobs; i++) {
        const world_job_t *j = &w->jobs[i];
        if (w->status_first) {
            len += (size_t)snprintf(body + len, cap - len,
                                    "%s{\"status\": %d, \"job_name\":\"%s\",\"job_id\":%lld,"
                                    "\"version_id\":%lld,\"create_time\":%lld,\"duration\":%d,"
                                    "\"job_desc\":\"a job of the loopback world\","
                                    "\"version_count\":1}",
                                    i == (page - 1) * per_page ? "" : ",", j->status, j->name,
                                    (long long)j->job_id, (long long)j->job_id + 1000,
                                    1700000000000LL + (long long)i, j->status * 10);
            continue;
        }
        len += (size_t)snprintf(body + len, cap - len,
                                "%s{\"job_id\":%lld,\"job_name\":\"%s\",\"version_id\":%lld,"
                                "\"status\":%d,\"create_time\":%lld,\"duration\":%d,"
                                "\"job_desc\":\"a job of the loopback world\","
                                "\"version_count\":1}",
                                i == (page - 1) * per_page ? "" : ",", (long long)j->job_id,
                                j->name, (long long)j->job_id + 1000, j->status,
                                1700000000000LL + (long long)i, j->status * 10);
    }
    len += (size_t)snprintf(body + len, cap - len, "],\"quotas\":50}");
    respond(w, 200, body, len, fault == PAGE_TRUNCATED);
    free(body);
}

/* Count the client's application-data records (type 23) as they arrive. */
static void count_records(m2m_port_t *w)
{
    while (w->record_scan + 5 <= w->c2s_len) {
        const uint8_t *h = w->c2s + w->record_scan;
        if (h[0] == 23) {
            w->records++;
        }
        w->record_scan += 5u + ((size_t)h[3] << 8 | h[4]);
    }
}

/* Run the server as far as the bytes it has allow. Returns 1 on progress. */
static int server_step(m2m_port_t *w)
{
    size_t out_before = w->s2c_len;
    if (w->server_closed) {
        return 0;
    }
    if (!w->server_ready) {
        int ret = mbedtls_ssl_handshake(&w->srv);
        if (ret == 0) {
            w->server_ready = 1;
            w->handshakes++;
            return 1;
        }
        if (ret != MBEDTLS_ERR_SSL_WANT_READ && ret != MBEDTLS_ERR_SSL_WANT_WRITE) {
            w->server_closed = 1; /* the handshake failed */
            return 1;
        }
        return w->s2c_len != out_before;
    }
    for (;;) {
        unsigned char buf[1024];
        int n = mbedtls_ssl_read(&w->srv, buf, sizeof buf);
        if (n <= 0) {
            return w->s2c_len != out_before;
        }
        if (w->request_len + (size_t)n >= sizeof w->request) {
            abort();
        }
        memcpy(w->request + w->request_len, buf, (size_t)n);
        w->request_len += (size_t)n;
        w->request[w->request_len] = '\0';
        {
            char *end = strstr(w->request, "\r\n\r\n");
            const char *cl = strstr(w->request, "\r\nContent-Length: ");
            size_t body = cl != NULL && cl < end ? (size_t)strtoul(cl + 18, NULL, 10) : 0;
            if (end != NULL && w->request_len >= (size_t)(end + 4 - w->request) + body) {
                if (strncmp(w->request, "POST ", 5) == 0) {
                    answer_search(w, end + 4);
                } else {
                    answer_list(w);
                }
                w->request_len = 0;
                return 1;
            }
        }
    }
}

/* ---- the port: TCP ------------------------------------------------------ */

int32_t m2m_tcp_connect(m2m_port_t *w, const char *host, uint16_t port, uint32_t timeout_ms)
{
    (void)host;
    (void)port;
    (void)timeout_ms;
    w->connected = 1;
    w->server_closed = 0;
    w->server_ready = 0;
    w->c2s_len = 0;
    w->s2c_len = 0;
    w->s2c_off = 0;
    w->request_len = 0;
    w->record_scan = 0;
    w->records = 0;
    w->sends = 0;
    if (mbedtls_ssl_session_reset(&w->srv) != 0) {
        abort();
    }
    mbedtls_ssl_set_bio(&w->srv, w, srv_bio_send, srv_bio_recv, NULL);
    return M2M_PORT_OK;
}

int32_t m2m_tcp_send(m2m_port_t *w, const uint8_t *data, size_t len)
{
    if (!w->connected || w->server_closed) {
        return M2M_PORT_ERR_CLOSED;
    }
    pipe_append(&w->c2s, &w->c2s_len, &w->c2s_cap, data, len);
    w->sends++;
    count_records(w);
    return (int32_t)len;
}

int32_t m2m_tcp_recv(m2m_port_t *w, uint8_t *buf, size_t len, uint32_t timeout_ms)
{
    (void)timeout_ms;
    while (w->s2c_off == w->s2c_len) {
        w->s2c_off = w->s2c_len = 0;
        if (w->server_closed) {
            return M2M_PORT_ERR_CLOSED;
        }
        if (!server_step(w)) {
            return 0; /* nothing within the timeout */
        }
    }
    if (len > w->s2c_len - w->s2c_off) {
        len = w->s2c_len - w->s2c_off;
    }
    memcpy(buf, w->s2c + w->s2c_off, len);
    w->s2c_off += len;
    return (int32_t)len;
}

void m2m_tcp_close(m2m_port_t *w)
{
    w->connected = 0;
}

/* ---- the port: time and log --------------------------------------------- */

uint64_t m2m_time_monotonic_ms(m2m_port_t *w)
{
    return ++w->now_ms;
}

int64_t m2m_time_utc_ms(m2m_port_t *w)
{
    return 1764000000000LL + (int64_t)w->now_ms;
}

void m2m_log(m2m_port_t *w, m2m_log_level_t level, const char *message)
{
    (void)w;
    if (getenv("WORLD_LOG") != NULL) {
        fprintf(stderr, "[%d] %s\n", (int)level, message);
    }
}

/* ---- the port: MQTT ------------------------------------------------------ */

int32_t m2m_mqtt_connect(m2m_port_t *w, const char *will_topic, const char *will_payload, int qos)
{
    (void)will_topic;
    (void)will_payload;
    (void)qos;
    w->session_up = 1;
    w->session_no++;
    w->ack_next = w->n_log; /* what the last session did not acknowledge is gone */
    return M2M_PORT_OK;
}

int32_t m2m_mqtt_publish(m2m_port_t *w, const char *topic, const void *payload, size_t len, int qos,
                         int retain)
{
    world_message_t *m;
    (void)qos;
    if (!w->session_up) {
        return M2M_PORT_ERR_NOT_CONNECTED;
    }
    if (w->n_log >= WORLD_MESSAGES_MAX || strlen(topic) >= WORLD_TOPIC_MAX) {
        abort();
    }
    m = &w->log[w->n_log++];
    strcpy(m->topic, topic);
    m->payload = malloc(len + 1);
    if (m->payload == NULL) {
        abort();
    }
    memcpy(m->payload, payload, len);
    m->payload[len] = '\0';
    m->len = len;
    m->retain = retain;
    m->session = w->session_no;
    m->acked = 0;
    m->lost = w->acks_left == 0;
    if (w->acks_left > 0) {
        w->acks_left--;
    }
    /* The broker acknowledges in order, lag messages behind. */
    while (w->n_log - w->ack_next > w->lag && !w->log[w->ack_next].lost) {
        w->log[w->ack_next++].acked = 1;
    }
    return M2M_PORT_OK;
}

int32_t m2m_mqtt_wait_acks(m2m_port_t *w, uint32_t most)
{
    w->ack_waits++;
    /* A lagging broker catches up while the agent waits; a lost message
     * (and what came after it) never gets its acknowledgement. */
    while ((uint32_t)(w->n_log - w->ack_next) > most && !w->log[w->ack_next].lost) {
        w->log[w->ack_next++].acked = 1;
        w->blocked_waits++;
    }
    if ((uint32_t)(w->n_log - w->ack_next) > most) {
        w->session_up = 0; /* a broker that stopped answering: the session is lost */
        return M2M_PORT_ERR_TIMEOUT;
    }
    return w->session_up ? w->n_log - w->ack_next : M2M_PORT_ERR_NOT_CONNECTED;
}

/* The payload the broker retains for topic, or NULL. */
static const char *world_retained(const m2m_port_t *w, const char *topic)
{
    int i;
    for (i = w->n_log - 1; i >= 0; i--) {
        const world_message_t *m = &w->log[i];
        if (m->acked && m->retain && strcmp(m->topic, topic) == 0) {
            return m->len > 0 ? m->payload : NULL;
        }
    }
    return NULL;
}

int32_t m2m_mqtt_read_retained(m2m_port_t *w, const char *topic_filter,
                               m2m_mqtt_message_fn on_message, void *user, uint32_t quiet_ms,
                               uint32_t max_ms)
{
    size_t prefix = strlen(topic_filter) - 1; /* "<...>/jobs/+" */
    int i, j;
    (void)quiet_ms;
    (void)max_ms;
    for (i = 0; i < w->n_log; i++) {
        const world_message_t *m = &w->log[i];
        int later = 0;
        if (!m->acked || !m->retain || strncmp(m->topic, topic_filter, prefix) != 0) {
            continue;
        }
        for (j = i + 1; j < w->n_log && !later; j++) {
            later = w->log[j].acked && strcmp(w->log[j].topic, m->topic) == 0;
        }
        if (!later && m->len > 0) {
            on_message(user, m->topic, m->payload, m->len);
        }
    }
    return M2M_PORT_OK;
}

void m2m_mqtt_service(m2m_port_t *w, uint32_t wait_ms)
{
    w->now_ms += wait_ms;
}

void m2m_mqtt_disconnect(m2m_port_t *w)
{
    w->session_up = 0;
}

/* ---- the world ------------------------------------------------------------ */

static void world_init(m2m_port_t *w)
{
    memset(w, 0, sizeof *w);
    world_rng_init();
    w->acks_left = -1;
    w->log = calloc(WORLD_MESSAGES_MAX, sizeof *w->log);
    if (w->log == NULL) {
        abort();
    }
    mbedtls_ssl_init(&w->srv);
    mbedtls_ssl_config_init(&w->srv_conf);
    mbedtls_x509_crt_init(&w->srv_crt);
    mbedtls_pk_init(&w->srv_key);
    if (mbedtls_x509_crt_parse(&w->srv_crt, (const unsigned char *)mbedtls_test_srv_crt,
                               mbedtls_test_srv_crt_len) != 0 ||
        mbedtls_pk_parse_key(&w->srv_key, (const unsigned char *)mbedtls_test_srv_key,
                             mbedtls_test_srv_key_len, NULL, 0) != 0 ||
        mbedtls_ssl_config_defaults(&w->srv_conf, MBEDTLS_SSL_IS_SERVER,
                                    MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0) {
        abort();
    }
    mbedtls_ssl_conf_rng(&w->srv_conf, mbedtls_ctr_drbg_random, &world_drbg);
    if (mbedtls_ssl_conf_own_cert(&w->srv_conf, &w->srv_crt, &w->srv_key) != 0 ||
        mbedtls_ssl_setup(&w->srv, &w->srv_conf) != 0) {
        abort();
    }
}

static void world_free(m2m_port_t *w)
{
    int i;
    for (i = 0; i < w->n_log; i++) {
        free(w->log[i].payload);
    }
    free(w->log);
    free(w->c2s);
    free(w->s2c);
    mbedtls_ssl_free(&w->srv);
    mbedtls_ssl_config_free(&w->srv_conf);
    mbedtls_x509_crt_free(&w->srv_crt);
    mbedtls_pk_free(&w->srv_key);
}

/* n jobs, ids first_id.., all RUNNING (8). */
static void world_set_jobs(m2m_port_t *w, int n, int64_t first_id)
{
    int i;
    w->n_jobs = n;
    for (i = 0; i < n; i++) {
        w->jobs[i].job_id = first_id + i;
        w->jobs[i].status = 8;
        snprintf(w->jobs[i].name, sizeof w->jobs[i].name, "job-%d", i);
    }
}

static void world_fail_page(m2m_port_t *w, uint32_t page, page_fault_t kind, int times)
{
    int i;
    for (i = 0; i < 8; i++) {
        if (w->fault_times[i] == 0) {
            w->fault_page[i] = page;
            w->fault_page_kind[i] = kind;
            w->fault_times[i] = times;
            return;
        }
    }
    abort();
}

/* Acknowledged messages whose topic ends with suffix and whose payload holds
 * needle (NULL: any). */
static int world_count(const m2m_port_t *w, const char *suffix, const char *needle)
{
    int i, n = 0;
    size_t sl = strlen(suffix);
    for (i = 0; i < w->n_log; i++) {
        const world_message_t *m = &w->log[i];
        size_t tl = strlen(m->topic);
        if (m->acked && tl >= sl && strcmp(m->topic + tl - sl, suffix) == 0 &&
            (needle == NULL || strstr(m->payload, needle) != NULL)) {
            n++;
        }
    }
    return n;
}

/* The client's TLS configuration, as a port sets it up. */
typedef struct {
    mbedtls_ssl_config conf;
    mbedtls_x509_crt ca;
    mbedtls_ssl_context ssl;
} world_client_t;

static void world_client_init(world_client_t *c)
{
    world_rng_init();
    mbedtls_ssl_config_init(&c->conf);
    mbedtls_x509_crt_init(&c->ca);
    mbedtls_ssl_init(&c->ssl);
    if (mbedtls_x509_crt_parse(&c->ca, (const unsigned char *)mbedtls_test_cas_pem,
                               mbedtls_test_cas_pem_len) != 0 ||
        mbedtls_ssl_config_defaults(&c->conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0) {
        abort();
    }
    mbedtls_ssl_conf_authmode(&c->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&c->conf, &c->ca, NULL);
    mbedtls_ssl_conf_rng(&c->conf, mbedtls_ctr_drbg_random, &world_drbg);
    if (mbedtls_ssl_setup(&c->ssl, &c->conf) != 0) {
        abort();
    }
}

static void world_client_free(world_client_t *c)
{
    mbedtls_ssl_free(&c->ssl);
    mbedtls_ssl_config_free(&c->conf);
    mbedtls_x509_crt_free(&c->ca);
}

#endif /* LOOPBACK_WORLD_H */

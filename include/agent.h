/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent.h - one modelarts2mqtt agent: polls the list call over HTTPS and
 * publishes what it finds to MQTT.
 *
 * The caller places the agent (buffers included; see docs/porting.md for
 * the size), the job table storage and the mbedTLS context, and calls
 * m2m_agent_start() once, m2m_agent_poll() every poll interval and
 * m2m_agent_stop() at the end. The agent touches the network, the clock and
 * MQTT only through m2m_port.h.
 */
#ifndef AGENT_H
#define AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "apig_signer.h"
#include "http_response.h"
#include "iam_token.h"
#include "job_record.h"
#include "job_stream.h"
#include "job_table.h"
#include "m2m_defaults.h"
#include "m2m_port.h"
#include "payloads.h"
#include "request.h"
#include "tls_client.h"

/* How the list call is authenticated. */
typedef enum {
    M2M_AUTH_TOKEN = 0,   /* X-Auth-Token from the configuration */
    M2M_AUTH_AKSK = 1,    /* SDK-HMAC-SHA256 request signing with AK/SK */
    M2M_AUTH_PASSWORD = 2 /* IAM token from user and password, renewed */
} m2m_auth_t;

/* Which list call the agent walks. */
typedef enum {
    M2M_API_V1 = 0, /* GET /v1/{project_id}/training-jobs (jobs of the old
                       training management) */
    M2M_API_V2 = 1  /* POST /v2/{project_id}/training-job-searches (every job
                       created since 2023); needs M2M_WITH_V2 */
} m2m_api_t;

/* The largest page of the v2 list (its limit). */
#define M2M_V2_LIMIT_MAX 50

/* What the agent needs to know; strings are the caller's and must outlive
 * the agent. NULL and "" both mean "not set". */
typedef struct {
    const char *host;       /* API host name (SNI, Host header) */
    uint16_t port;          /* API TCP port, usually 443 */
    const char *project_id; /* required */
    m2m_api_t api;          /* the list call */
    uint64_t *table_ids2;   /* api v2: caller's storage beside the job table,
                               as many entries (the second half of each
                               job's UUID; 8 bytes per job); NULL for v1 */
    uint32_t *table_bytes;  /* optional caller's storage beside the job table,
                               as many entries (4 bytes per job): a job read
                               with the bytes of its last reading is known
                               unchanged without being parsed (M2M_FAST_DIFF);
                               NULL: every job is parsed */
    m2m_auth_t auth;
    const char *token;          /* X-Auth-Token (M2M_AUTH_TOKEN); never logged */
    const char *ak;             /* access key id (M2M_AUTH_AKSK) */
    const char *sk;             /* secret key (M2M_AUTH_AKSK); never logged */
    const char *security_token; /* optional, temporary AK/SK credentials;
                                   sent and signed as X-Security-Token */
    const char *iam_host;       /* IAM host (M2M_AUTH_PASSWORD) */
    uint16_t iam_port;          /* IAM TCP port, usually 443 */
    const char *user;           /* IAM user name */
    const char *domain;         /* IAM account (domain) name */
    const char *password;       /* IAM password; never logged */
    char *token_buf;            /* caller's storage for the IAM token */
    size_t token_cap;           /* bytes in token_buf (16 KiB is plenty) */
    uint32_t per_page;          /* 1..1000 (v2: pages of at most
                                   M2M_V2_LIMIT_MAX) */
    const char *status;         /* optional filter, sent when set: v1 a status
                                   code ("8"); v2 phase names separated by
                                   commas ("Running,Pending") */
    const char *search_content; /* optional, sent when set (v2: a name
                                   filter) */
    const char *workspace_id;   /* optional, sent when set */
    const char *sort_by;        /* optional, sent as sortBy (v2: sort_by) */
    const char *order;          /* optional: asc | desc */
    int insecure;               /* 1: TLS verification is off (warned on
                                   every poll) */
    const char *base_topic;     /* e.g. "modelarts" */
    const char *agent_id;       /* [A-Za-z0-9_-]+ */
    int qos;                    /* 0..2 */
    const char *version;        /* for User-Agent and health */
    uint32_t heartbeat_ms;      /* summary and health are published when
                                   their content changed, and otherwise
                                   once this long after the last one (ms);
                                   0: after every poll */
    uint8_t project_health;     /* 0: health goes to B/health (one project
                                   per agent); 1: to P/health (several
                                   projects share the agent, whose port
                                   publishes B/health for all of them) */
} m2m_agent_config_t;

/* A job published and waiting for the broker's acknowledgement. */
typedef struct {
    job_key_t key;
    uint32_t seq;            /* m2m_agent_t.sent after the job's last message */
    uint32_t fingerprint_lo; /* the fingerprint the table records */
    uint32_t bytes;          /* the hash of the bytes it was read with; 0 none */
    uint16_t status;
    uint8_t fingerprint_hi;
} m2m_unacked_t;

/* The v2 walk: what the API's offset means is found out from the second
 * request of each walk (see docs/architecture.md). */
typedef struct {
    uint32_t offset;         /* of the request being read */
    uint32_t request;        /* 1-based request of the walk */
    uint32_t fresh;          /* jobs on this page not seen before in the walk */
    uint32_t last_page_jobs; /* jobs on the last page read */
    uint8_t item_offset;     /* 1: offset counts items; 0: pages (documented) */
    uint8_t probe_seen;      /* the second page held the first page's last job */
    job_key_t last;          /* the last job of the first page */
} m2m_v2_walk_t;

/* The last summary or health message: its content and when it was sent. */
typedef struct {
    uint64_t fingerprint; /* of the payload, timestamps aside */
    uint64_t at;          /* monotonic ms */
    uint8_t valid;        /* 0: nothing sent in this MQTT session */
} published_t;

/* How a poll ended; the values are the exit codes of --once. */
typedef enum {
    M2M_POLL_OK = 0,        /* every page read and published */
    M2M_POLL_TRANSIENT = 1, /* network, TLS, 5xx/408/429, bad body, broker */
    M2M_POLL_CONFIG = 2,    /* the configuration cannot work (broker refused
                               the credentials, topic too long, ...) */
    M2M_POLL_REFUSED = 3    /* the API refused: 4xx, redirect,
                               is_success false */
} m2m_poll_result_t;

typedef struct {
    const m2m_agent_config_t *cfg;
    m2m_port_t *port;
    tls_client_t tls;
    job_table_t table;

    /* Per poll. */
    http_response_t http;
    job_stream_t stream;
    job_record_parser_t record_parser;
    summary_t summary;
    health_t health;
    published_t summary_sent;
    published_t health_sent;
    m2m_v2_walk_t v2;                  /* api v2: the walk's offsets */
    uint32_t page_jobs;                /* elements of "jobs" on the page being read */
    uint32_t jobs_parsed;              /* jobs of this poll parsed with jsmn (the
                                          others had the bytes of their last
                                          reading) */
    uint32_t poll_jobs;                /* elements of "jobs" read in this walk */
    int publish_error;                 /* a publish failed during this poll */
    job_stream_status_t stream_status; /* of the response being read */
    uint8_t baseline_done;             /* a complete poll has set the baseline */
    uint8_t full_warned;               /* capacity warning logged in this poll */
    uint32_t restored;                 /* jobs read back from the broker at start */
    /* Retry-After of the poll's last HTTP response: a delay in seconds, or an
     * HTTP date as UTC epoch seconds; -1 when absent (see http_response.h). */
    int64_t retry_after_seconds;
    int64_t retry_after_date;

    /* Last error, for health and the log. */
    char error_code[64];
    char error_message[M2M_API_TEXT_MAX];
    char last_sdk_date[APIG_DATE_LEN]; /* X-Sdk-Date of the last signed request */

    /* auth = password: the token in cfg->token_buf and its expiry. */
    iam_expiry_t iam_expiry;
    int64_t token_expires_at; /* UTC ms; 0 = no token */
    uint32_t token_renewals;  /* tokens obtained since start */
    uint8_t reading_iam;      /* the response being read is IAM's */

    /* Jobs published and waiting for the broker's acknowledgement, a ring
     * oldest first: stored in the table once m2m_mqtt_wait_acks() says their
     * messages were acknowledged. */
    m2m_unacked_t unacked[M2M_PUBLISH_WINDOW];
    uint32_t unacked_first;
    uint32_t unacked_count;
    uint32_t sent; /* QoS 1 and 2 messages this poll published */

    /* Topic prefixes: B = base/agent, P = B/project. */
    uint16_t base_len;
    uint16_t project_len;
    char topic[M2M_TOPIC_MAX];
    /* The request head is built here too: it is sent before any payload. */
    char payload[M2M_PAYLOAD_MAX];
    uint8_t recv_buf[M2M_RECV_CHUNK];
} m2m_agent_t;

/* Prepare the agent. ssl is an mbedTLS context the port has set up with its
 * configuration; table_storage holds capacity entries. Returns M2M_POLL_OK,
 * or M2M_POLL_CONFIG when the topics do not fit M2M_TOPIC_MAX or the build
 * leaves out the configured auth method. */
m2m_poll_result_t m2m_agent_init(m2m_agent_t *a, const m2m_agent_config_t *cfg, m2m_port_t *port,
                                 mbedtls_ssl_context *ssl, job_entry_t *table_storage,
                                 uint32_t capacity, uint32_t timeout_ms);

/* Open the MQTT session (last will "offline" on B/status) and publish
 * "online". At the first start the job topics the broker retains from an
 * earlier run become the baseline (see docs/failures.md). Returns M2M_POLL_OK, M2M_POLL_TRANSIENT
 * (broker unreachable) or M2M_POLL_CONFIG (broker refused the credentials). */
m2m_poll_result_t m2m_agent_start(m2m_agent_t *a);

/* One full poll: one walk over every page, each page requested once (again
 * only when its connection broke before the answer arrived). A job whose
 * payload changed is published as soon as it has been read whole, followed
 * by its event (none before the first complete walk), and recorded in the
 * job table once the broker acknowledged it: up to M2M_PUBLISH_WINDOW jobs
 * wait for their acknowledgements while the walk goes on, and the walk ends
 * by waiting for all of them. Only a complete walk publishes the removals and the summary: a walk
 * that fails on any page removes nothing, and the jobs it published stay
 * published. A successful poll publishes health, with next_poll_at (UTC ms,
 * 0 if none) in it. A failed poll leaves health to m2m_agent_set_next_poll(),
 * which the caller calls once it knows when it retries: one health message per
 * failure, with the real retry time. */
m2m_poll_result_t m2m_agent_poll(m2m_agent_t *a, int64_t next_poll_at);

/* Publish the health of the poll that just failed, with next_poll_at (UTC ms
 * of the retry, include/backoff.h; 0 if there is none, as at the end of a
 * single run). Call it once after each failed m2m_agent_poll(). */
void m2m_agent_set_next_poll(m2m_agent_t *a, int64_t next_poll_at);

/* Publish "offline" to B/status, close the API connection and the MQTT
 * session. */
void m2m_agent_stop(m2m_agent_t *a);

/* Several projects over one MQTT session: one agent per project, each with
 * its own port context for the API connection and one MQTT session the port
 * contexts share. The first agent opens the session with m2m_agent_start();
 * every other one joins it: m2m_agent_start() without the connect and the
 * "online" message (its first poll republishes, and at the first join the
 * project's retained job topics become its baseline). Returns M2M_POLL_OK. */
m2m_poll_result_t m2m_agent_join(m2m_agent_t *a);

/* Close the API connection of an agent that joined; the session stays open
 * for the others (the agent that started it stops it). */
void m2m_agent_leave(m2m_agent_t *a);

/* Make the next poll publish every job topic, the summary and health again
 * (unchanged jobs as they are read, without events): for a broker that
 * expires retained messages (MQTT 5 message expiry) or lost them. */
void m2m_agent_republish_all(m2m_agent_t *a);

/* A poll after this one starts a new baseline (no events): for a changed
 * project or a reload. Forgets every tracked job. */
void m2m_agent_reset_baseline(m2m_agent_t *a);

#endif /* AGENT_H */

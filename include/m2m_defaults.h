/* SPDX-License-Identifier: Apache-2.0 */
/*
 * m2m_defaults.h - every tunable of the portable core, in one place.
 *
 * Each value is a default that a board may override with -D on the compiler
 * command line. Units and ranges are written next to each. The core's RAM is a
 * formula of these values: see docs/porting.md.
 */
#ifndef M2M_DEFAULTS_H
#define M2M_DEFAULTS_H

/* Optional features, 1 = compiled in, 0 = left out. The Linux boards keep
 * the defaults (all on); boards/cortex-m4.mk turns them off to fit the MCU
 * budget (docs/footprint.md).
 *
 * M2M_WITH_AKSK: auth = aksk, SDK-HMAC-SHA256 request signing
 * (apig_signer.h). Off, apig_sign() and the canonical-form functions return
 * APIG_SIGNER_ERR_DISABLED; apig_format_date() stays.
 * M2M_WITH_IAM_PASSWORD: auth = password, the IAM token exchange
 * (iam_token.h). Off, iam_token_request() returns -1, the expiry scanner
 * finds nothing (-1) and iam_parse_time() accepts nothing.
 * M2M_STRERROR_TEXT: the *_strerror() functions return sentences ("line too
 * long"). Off, they return the status's number as text ("-3"): the same
 * information in a few bytes, for the integrator to look up in the header. */
#ifndef M2M_WITH_AKSK
#define M2M_WITH_AKSK 1
#endif
#ifndef M2M_WITH_IAM_PASSWORD
#define M2M_WITH_IAM_PASSWORD 1
#endif
#ifndef M2M_STRERROR_TEXT
#define M2M_STRERROR_TEXT 1
#endif
/* M2M_FAST_DIFF: a job whose bytes are those of its last reading is known
 * unchanged before it is parsed (4 bytes per job beside the job table, and
 * the code of job_table_observe_bytes()). Off, every job is parsed. */
#ifndef M2M_FAST_DIFF
#define M2M_FAST_DIFF 1
#endif
/* M2M_WITH_V2: [modelarts] api = v2, the current list call
 * (POST /v2/{project_id}/training-job-searches). Off, m2m_agent_init()
 * refuses api v2 and the agent's v2 code is left out of the build. */
#ifndef M2M_WITH_V2
#define M2M_WITH_V2 1
#endif

/* Longest HTTP status line or header line, in bytes, CRLF excluded.
 * Longer lines are refused with HTTP_RESPONSE_ERR_LINE_TOO_LONG. 64..8192. */
#ifndef M2M_HTTP_LINE_MAX
#define M2M_HTTP_LINE_MAX 512
#endif

/* Most header lines accepted in one response (trailers count too). 8..256. */
#ifndef M2M_HTTP_HEADERS_MAX
#define M2M_HTTP_HEADERS_MAX 64
#endif

/* Largest Content-Length or single chunk accepted, in bytes. 1 KiB..2 GiB. */
#ifndef M2M_HTTP_BODY_MAX
#define M2M_HTTP_BODY_MAX (16UL * 1024UL * 1024UL)
#endif

/* Largest single element of "jobs", in bytes of raw JSON. 256..65535.
 * A larger job object is refused with JOB_STREAM_ERR_JOB_TOO_LARGE. */
#ifndef M2M_JOB_MAX
#define M2M_JOB_MAX 1536
#endif

/* jsmn tokens available for one job object. 24..1024. The eight API fields
 * need 17; the rest absorbs unknown fields. */
#ifndef M2M_JOB_TOKENS_MAX
#define M2M_JOB_TOKENS_MAX 64
#endif

/* Deepest JSON nesting accepted in a response body (top-level object = 1).
 * 4..255. */
#ifndef M2M_JSON_DEPTH_MAX
#define M2M_JSON_DEPTH_MAX 32
#endif

/* Longest top-level string kept from a response body (error_code,
 * error_message), in bytes after decoding; longer ones are truncated at a
 * UTF-8 boundary. 16..1024. */
#ifndef M2M_API_TEXT_MAX
#define M2M_API_TEXT_MAX 160
#endif

/* Buffer for one MQTT payload (job, event, summary or health), in bytes; the
 * HTTP request is written through it too, in one write when it fits. */
#ifndef M2M_PAYLOAD_MAX
#define M2M_PAYLOAD_MAX (M2M_JOB_MAX + 512)
#endif

/* Buffer for one MQTT topic, in bytes including the terminating NUL. */
#ifndef M2M_TOPIC_MAX
#define M2M_TOPIC_MAX 192
#endif

/* Bytes read from the transport per receive call. 64..16384. */
#ifndef M2M_RECV_CHUNK
#define M2M_RECV_CHUNK 512
#endif

/* Jobs whose publishes may wait for the broker's acknowledgement at once.
 * The agent publishes each changed job as it reads it and records it in the
 * job table once acknowledged: when this many jobs wait, it waits for the
 * oldest; each walk ends by waiting for all. Each takes 20 bytes of the
 * agent's context, and up to two messages (job topic and event) of the
 * port's window of messages in flight. 1..1000. */
#ifndef M2M_PUBLISH_WINDOW
#define M2M_PUBLISH_WINDOW 64
#endif

/* auth = password: an IAM token is renewed this long before it expires, in
 * milliseconds (IAM tokens live 24 hours). */
#ifndef M2M_TOKEN_RENEW_MARGIN_MS
#define M2M_TOKEN_RENEW_MARGIN_MS (60L * 60L * 1000L)
#endif

/* Reading back retained job topics at start: stop once the broker has been
 * quiet this long, or after the maximum, in milliseconds. */
#ifndef M2M_RETAINED_QUIET_MS
#define M2M_RETAINED_QUIET_MS 500u
#endif
#ifndef M2M_RETAINED_MAX_MS
#define M2M_RETAINED_MAX_MS 30000u
#endif

/* Highest page index ever requested (the API's limit). */
#define M2M_PAGE_LIMIT 65535

/* Status codes counted one by one in the summary; codes at or above this are
 * counted in a few extra slots (M2M_STATUS_EXTRA_SLOTS) and the rest as
 * "other". */
#ifndef M2M_STATUS_COUNTED
#define M2M_STATUS_COUNTED 32
#endif
#ifndef M2M_STATUS_EXTRA_SLOTS
#define M2M_STATUS_EXTRA_SLOTS 4
#endif

/* Failure pacing of the daemon (include/backoff.h, docs/failures.md), all in
 * milliseconds.
 *
 * M2M_BACKOFF_BASE_MS: ceiling of the first transient retry's delay; each
 * further failure doubles it. 1..M2M_BACKOFF_CAP_MS.
 * M2M_BACKOFF_CAP_MS: largest ceiling of a transient retry's delay.
 * 1000..86400000.
 * M2M_RETRY_MIN_MS: shortest wait after any failed poll. 0..M2M_BACKOFF_CAP_MS.
 * M2M_RETRY_AFTER_CAP_MS: longest wait a server's Retry-After may impose.
 * 1000..86400000.
 * M2M_REFUSED_CAP_MS: longest wait after a refused poll (bad credentials, other
 * 4xx, is_success false); the poll interval wins when it is longer.
 * 1000..86400000. */
#ifndef M2M_BACKOFF_BASE_MS
#define M2M_BACKOFF_BASE_MS 1000u
#endif
#ifndef M2M_BACKOFF_CAP_MS
#define M2M_BACKOFF_CAP_MS 300000u
#endif
#ifndef M2M_RETRY_MIN_MS
#define M2M_RETRY_MIN_MS 1000u
#endif
#ifndef M2M_RETRY_AFTER_CAP_MS
#define M2M_RETRY_AFTER_CAP_MS 3600000u
#endif
#ifndef M2M_REFUSED_CAP_MS
#define M2M_REFUSED_CAP_MS 900000u
#endif

#endif /* M2M_DEFAULTS_H */

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apig_signer.h - Huawei Cloud API Gateway request signing (SDK-HMAC-SHA256),
 * as the official SDK signers do it (see docs/authentication.md).
 *
 * I/O-free: the caller gives the request's parts, the signer returns the
 * Authorization header value. SHA-256 and HMAC come from mbedTLS. The
 * canonical request is hashed as it is produced, never held in memory.
 */
#ifndef APIG_SIGNER_H
#define APIG_SIGNER_H

#include <stddef.h>
#include <stdint.h>

#include "m2m_defaults.h"
#include "strbuf.h"

/* "YYYYMMDDTHHMMSSZ" and its NUL. */
#define APIG_DATE_LEN 17
/* 64 hex digits and a NUL. */
#define APIG_HEX_SHA256_LEN 65

typedef enum {
    APIG_SIGNER_OK = 0,
    APIG_SIGNER_ERR_ARGUMENT = -1, /* a required part is missing or too many
                                      headers or parameters */
    APIG_SIGNER_ERR_SPACE = -2,    /* the output buffer is too small */
    APIG_SIGNER_ERR_CRYPTO = -3,   /* mbedTLS refused (should not happen) */
    APIG_SIGNER_ERR_DISABLED = -4  /* built with M2M_WITH_AKSK 0: no signing */
} apig_signer_status_t;

/* Most headers or query parameters the signer sorts. */
#define APIG_SIGNER_ITEMS_MAX 16

typedef struct {
    const char *name;  /* any case; written lower-case */
    const char *value; /* written with leading and trailing blanks trimmed */
} apig_header_t;

typedef struct {
    const char *key;   /* raw (not yet percent-encoded) */
    const char *value; /* raw; "" is written as "key=" */
} apig_param_t;

typedef struct {
    const char *method;           /* upper-case, e.g. "GET" */
    const char *path;             /* raw path, e.g. "/v1/<project>/training-jobs";
                                     each segment is percent-encoded and a
                                     trailing '/' added for signing only */
    const char *canonical_query;  /* the canonical query string without '?',
                                     "" or NULL for none (see
                                     apig_canonical_query()) */
    const apig_header_t *headers; /* the headers to sign, any order; must
                                     include a non-empty x-sdk-date; a name
                                     given twice is ERR_ARGUMENT */
    size_t header_count;          /* 1..APIG_SIGNER_ITEMS_MAX */
    const void *body;             /* may be NULL when body_len is 0 */
    size_t body_len;
} apig_request_t;

/* Write the canonical query string of params[0..n) to sb: pairs sorted by
 * raw key then raw value (byte order), each side percent-encoded (only
 * A-Za-z0-9-_.~ kept, upper-case hex), joined by '&'. n <= APIG_SIGNER_ITEMS_MAX. */
apig_signer_status_t apig_canonical_query(strbuf_t *sb, const apig_param_t *params, size_t n);

/* Write the whole canonical request to sb (for tests and diagnostics). */
apig_signer_status_t apig_canonical_request(strbuf_t *sb, const apig_request_t *req);

/* The string to sign: "SDK-HMAC-SHA256\n<date>\n<hex sha256 of the
 * canonical request>", where date is the value of the x-sdk-date header. */
apig_signer_status_t apig_string_to_sign(strbuf_t *sb, const apig_request_t *req);

/* Sign: writes "SDK-HMAC-SHA256 Access=<ak>, SignedHeaders=<h1;h2>,
 * Signature=<hex>" to authorization[cap]. sk is the raw secret key (the HMAC
 * key); ak and sk must be non-empty. signature_hex (may be NULL) receives the
 * signature alone, on APIG_SIGNER_OK only. On APIG_SIGNER_ERR_SPACE nothing
 * is written past authorization[cap - 1] and authorization is "" (cap >= 1). */
apig_signer_status_t apig_sign(const apig_request_t *req, const char *ak, const char *sk,
                               char *authorization, size_t cap,
                               char signature_hex[APIG_HEX_SHA256_LEN]);

/* Format UTC epoch milliseconds as X-Sdk-Date "YYYYMMDDTHHMMSSZ" (years
 * 1970..9999; milliseconds are truncated; a time before 1970 or after
 * 9999-12-31T23:59:59.999Z is clamped to that bound). Returns out. */
const char *apig_format_date(int64_t utc_ms, char out[APIG_DATE_LEN]);

const char *apig_signer_strerror(apig_signer_status_t st);

#endif /* APIG_SIGNER_H */

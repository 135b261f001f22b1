/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iam_token.h - the IAM password-token exchange, I/O-free.
 *
 * For auth = password the agent asks IAM for a project-scoped token with
 * POST /v3/auth/tokens. IAM answers 201 with the token in the X-Subject-Token
 * response header (several kilobytes: capture it with
 * http_response_capture_header()) and its expiry as token.expires_at in a
 * JSON body that also holds the whole service catalog. This module writes the
 * request and finds the expiry in the body as it streams past, in fixed
 * memory, whatever the size of the body and however it is split.
 */
#ifndef IAM_TOKEN_H
#define IAM_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "m2m_defaults.h"

/* Longest expires_at text understood, in bytes: "YYYY-MM-DDTHH:MM:SS" with
 * a fraction of up to 9 digits and "Z". */
#define IAM_TIME_TEXT_MAX 30

/* Write the whole token request into buf[cap]: "POST /v3/auth/tokens
 * HTTP/1.1", Host (host, or host:port when port is not 443), User-Agent
 * (modelarts2mqtt/<version>), Content-Type: application/json;charset=utf8,
 * Accept: application/json, Content-Length, Connection: close, the blank
 * line, then the JSON body
 *   {"auth":{"identity":{"methods":["password"],"password":{"user":{"name":
 *   user,"password":password,"domain":{"name":domain}}}},"scope":{"project":
 *   {"id":project_id}}}}
 * with every string escaped as json_writer does. host and version are
 * written as they are (the configuration checks them). All strings are
 * NUL-terminated and non-NULL. The text is NUL-terminated in buf.
 * Returns its length in bytes (head and body, NUL excluded), or -1 when it
 * does not fit in cap - 1 bytes or an argument is NULL; buf[cap] is never
 * written past. */
long iam_token_request(char *buf, size_t cap, const char *host, uint16_t port, const char *version,
                       const char *user, const char *domain, const char *password,
                       const char *project_id);

/* Scanner for token.expires_at in a token response body. Place it anywhere;
 * iam_expiry_init() makes it ready. The fields are private. */
typedef struct {
    int64_t result; /* UTC epoch ms, or -1 */
    uint8_t depth;  /* containers open; 0 outside the top-level object */
    uint8_t flags;  /* in a string, after a backslash, key expected, ... */
    uint8_t role;   /* what the current string or the next value is */
    uint8_t pos;    /* bytes of the current key or expiry text so far */
    char text[IAM_TIME_TEXT_MAX];
} iam_expiry_t;

void iam_expiry_init(iam_expiry_t *e);

/* Scan the next len bytes of the body (len may be 0; data may be NULL when
 * len is 0). Any split of the body gives the same result. */
void iam_expiry_feed(iam_expiry_t *e, const uint8_t *data, size_t len);

/* The expiry so far: token.expires_at as UTC epoch milliseconds, or -1 when
 * it was not seen, is not a string iam_parse_time() accepts, or the scanner
 * gave up. Only "expires_at" as a key of the object that is the value of the
 * top-level key "token" counts (not inside "catalog" or anywhere else); keys
 * written with a backslash escape are not recognised. If it is given more
 * than once, the last one counts. The scanner gives up (for good) when the
 * body is not a JSON object, nests deeper than M2M_JSON_DEPTH_MAX (top-level
 * object = 1), closes more than it opened, or goes on after its top-level
 * object. It does not check the rest of the JSON grammar. */
int64_t iam_expiry_result(const iam_expiry_t *e);

/* Parse s[0..len), an ISO 8601 UTC time "YYYY-MM-DDTHH:MM:SS[.f]Z" with a
 * fraction of 1..9 digits (truncated to milliseconds), years 1970..9999,
 * seconds 0..60 (a leap second reads as the next minute's first). Nothing
 * else is accepted: no offset other than Z, no lower-case t or z, no
 * surrounding blanks. Returns 0 and sets *utc_ms (UTC epoch milliseconds),
 * or returns -1 and leaves *utc_ms alone. */
int iam_parse_time(const char *s, size_t len, int64_t *utc_ms);

#endif /* IAM_TOKEN_H */

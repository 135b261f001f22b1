/* SPDX-License-Identifier: Apache-2.0 */
/*
 * request.h - the HTTP request of the list call.
 *
 * Builds "GET /v1/{project_id}/training-jobs?..." with the query parameters
 * that are configured, percent-encoded (only A-Za-z0-9 - _ . ~ left as they
 * are, upper-case hex, %20 for a space) and in byte order of their names, so
 * the query on the wire is also the canonical one used by request signing.
 */
#ifndef REQUEST_H
#define REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

typedef struct {
    const char *project_id;     /* required, path-encoded */
    uint32_t per_page;          /* 1..1000; 0 = not sent */
    uint32_t page;              /* 1..65535; 0 = not sent */
    const char *sort_by;        /* sent as sortBy; NULL or "" = not sent */
    const char *order;          /* asc | desc; NULL or "" = not sent */
    const char *search_content; /* NULL or "" = not sent */
    const char *workspace_id;   /* NULL or "" = not sent */
    const char *status;         /* NULL or "" = not sent */
} list_query_t;

/* Percent-encode in[0..len) onto sb (as for a query value or a path
 * segment). */
void percent_encode(strbuf_t *sb, const char *in, size_t len);

/* Append host, or host:port when port is not 443: the Host header's value,
 * which AK/SK signing signs as it is sent. */
void request_put_host(strbuf_t *sb, const char *host, uint16_t port);

/* Append the header lines every request of the agent carries:
 * "Host: <host[:port]>\r\nUser-Agent: modelarts2mqtt/<version>\r\n". */
void request_put_common_headers(strbuf_t *sb, const char *host, uint16_t port, const char *version);

/* Append "/v1/<project_id>/training-jobs?<query>" (the request target). */
void request_list_target(strbuf_t *sb, const list_query_t *q);

/* Write the request head of the list call into buf[cap]: the request line,
 * Host (host, or host:port when port is not 443), User-Agent
 * (modelarts2mqtt/<version>), Accept and
 * Connection: keep-alive, each ending in CRLF, but not the blank line: the
 * caller sends the credential headers, then CRLF. Returns the length, or -1
 * when it did not fit. */
long request_list_head(char *buf, size_t cap, const list_query_t *q, const char *host,
                       uint16_t port, const char *version);

/* ---- v2: POST /v2/{project_id}/training-job-searches ------------------- */

typedef struct {
    uint32_t offset;          /* a page index or a job offset: the API's choice */
    uint32_t limit;           /* 1..50 */
    const char *sort_by;      /* NULL or "" = not sent */
    const char *order;        /* asc | desc; NULL or "" = not sent */
    const char *phases;       /* phase names separated by commas, a filter
                                 {"key":"phase","operator":"in"}; NULL or "" =
                                 none */
    const char *name_like;    /* a filter {"key":"name","operator":"like"};
                                 NULL or "" = none */
    const char *workspace_id; /* NULL or "" = not sent */
} search_query_t;

/* The Content-Type of the search body (signed with AK/SK). */
#define REQUEST_SEARCH_CONTENT_TYPE "application/json;charset=UTF-8"

/* Append "/v2/<project_id>/training-job-searches" (the request target). */
void request_search_target(strbuf_t *sb, const char *project_id);

/* Write the JSON body of the search into buf[cap]: offset, limit, sort_by,
 * order, filters, workspace_id, in that order. Returns the length, or -1
 * when it did not fit. */
long request_search_body(char *buf, size_t cap, const search_query_t *q);

/* Write the request head of the search into buf[cap], as
 * request_list_head() does for the list call, with Content-Type and
 * Content-Length: body_len. Returns the length, or -1. */
long request_search_head(char *buf, size_t cap, const char *project_id, const char *host,
                         uint16_t port, const char *version, size_t body_len);

#endif /* REQUEST_H */

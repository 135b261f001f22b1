/* SPDX-License-Identifier: Apache-2.0 */
/* request.c - the HTTP request of the list call; see include/request.h. */
#include "request.h"

#include <string.h>

#include "json_writer.h"

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

void percent_encode(strbuf_t *sb, const char *in, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t run = 0;
    size_t i;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (is_unreserved(c)) {
            continue;
        }
        /* Copy the unreserved run before this byte in one go. */
        strbuf_append(sb, in + run, i - run);
        {
            char esc[3];
            esc[0] = '%';
            esc[1] = hex[c >> 4];
            esc[2] = hex[c & 15u];
            strbuf_append(sb, esc, 3);
        }
        run = i + 1;
    }
    strbuf_append(sb, in + run, len - run);
}

/* The query parameters in byte order of their names, as canonical signing requires, each with
 * the offset of its list_query_t member; NUMBER marks a uint32_t (0 = not sent), the others are
 * strings (NULL or "" = not sent). */
#define NUMBER 0x80u
static const char param_names[] = "order\0page\0per_page\0search_content\0sortBy\0status\0"
                                  "workspace_id";
static const uint8_t param_members[] = {offsetof(list_query_t, order),
                                        offsetof(list_query_t, page) | NUMBER,
                                        offsetof(list_query_t, per_page) | NUMBER,
                                        offsetof(list_query_t, search_content),
                                        offsetof(list_query_t, sort_by),
                                        offsetof(list_query_t, status),
                                        offsetof(list_query_t, workspace_id)};
typedef char query_offsets_fit[(sizeof(list_query_t) < NUMBER) ? 1 : -1];

void request_put_host(strbuf_t *sb, const char *host, uint16_t port)
{
    strbuf_puts(sb, host);
    if (port != 443) {
        strbuf_putc(sb, ':');
        strbuf_uint(sb, port);
    }
}

void request_put_common_headers(strbuf_t *sb, const char *host, uint16_t port, const char *version)
{
    strbuf_puts(sb, "Host: ");
    request_put_host(sb, host, port);
    strbuf_puts(sb, "\r\nUser-Agent: modelarts2mqtt/");
    strbuf_puts(sb, version);
    strbuf_puts(sb, "\r\n");
}

void request_list_target(strbuf_t *sb, const list_query_t *q)
{
    const char *name = param_names;
    char sep = '?';
    size_t i;

    strbuf_puts(sb, "/v1/");
    percent_encode(sb, q->project_id, strlen(q->project_id));
    strbuf_puts(sb, "/training-jobs");
    for (i = 0; i < sizeof param_members; i++, name += strlen(name) + 1) {
        const char *at = (const char *)q + (param_members[i] & ~NUMBER);
        const char *text;
        uint32_t number;

        if (param_members[i] & NUMBER) {
            memcpy(&number, at, sizeof number);
            if (number == 0) {
                continue;
            }
        } else {
            memcpy(&text, at, sizeof text);
            if (text == NULL || text[0] == '\0') {
                continue;
            }
        }
        strbuf_putc(sb, sep);
        sep = '&';
        strbuf_puts(sb, name);
        strbuf_putc(sb, '=');
        if (param_members[i] & NUMBER) {
            strbuf_uint(sb, number);
        } else {
            percent_encode(sb, text, strlen(text));
        }
    }
}

long request_list_head(char *buf, size_t cap, const list_query_t *q, const char *host,
                       uint16_t port, const char *version)
{
    strbuf_t sb;
    strbuf_init(&sb, buf, cap);
    strbuf_puts(&sb, "GET ");
    request_list_target(&sb, q);
    strbuf_puts(&sb, " HTTP/1.1\r\n");
    request_put_common_headers(&sb, host, port, version);
    strbuf_puts(&sb, "Accept: application/json\r\nConnection: keep-alive\r\n");
    return strbuf_result(&sb);
}

void request_search_target(strbuf_t *sb, const char *project_id)
{
    strbuf_puts(sb, "/v2/");
    percent_encode(sb, project_id, strlen(project_id));
    strbuf_puts(sb, "/training-job-searches");
}

static int is_set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static void put_filter(json_writer_t *w, const char *key, const char *op)
{
    json_object_begin(w);
    json_key(w, "key");
    json_cstring(w, key);
    json_key(w, "operator");
    json_cstring(w, op);
    json_key(w, "value");
    json_array_begin(w);
}

static void end_filter(json_writer_t *w)
{
    json_array_end(w);
    json_object_end(w);
}

long request_search_body(char *buf, size_t cap, const search_query_t *q)
{
    json_writer_t w;

    json_writer_init(&w, buf, cap);
    json_object_begin(&w);
    json_key(&w, "offset");
    json_uint(&w, q->offset);
    json_key(&w, "limit");
    json_uint(&w, q->limit);
    if (is_set(q->sort_by)) {
        json_key(&w, "sort_by");
        json_cstring(&w, q->sort_by);
    }
    if (is_set(q->order)) {
        json_key(&w, "order");
        json_cstring(&w, q->order);
    }
    if (is_set(q->phases) || is_set(q->name_like)) {
        json_key(&w, "filters");
        json_array_begin(&w);
        if (is_set(q->phases)) {
            const char *p = q->phases;
            put_filter(&w, "phase", "in");
            for (;;) {
                size_t n = strcspn(p, ",");
                json_string(&w, p, n);
                if (p[n] == '\0') {
                    break;
                }
                p += n + 1;
            }
            end_filter(&w);
        }
        if (is_set(q->name_like)) {
            put_filter(&w, "name", "like");
            json_cstring(&w, q->name_like);
            end_filter(&w);
        }
        json_array_end(&w);
    }
    if (is_set(q->workspace_id)) {
        json_key(&w, "workspace_id");
        json_cstring(&w, q->workspace_id);
    }
    json_object_end(&w);
    return json_writer_result(&w);
}

long request_search_head(char *buf, size_t cap, const char *project_id, const char *host,
                         uint16_t port, const char *version, size_t body_len)
{
    strbuf_t sb;
    strbuf_init(&sb, buf, cap);
    strbuf_puts(&sb, "POST ");
    request_search_target(&sb, project_id);
    strbuf_puts(&sb, " HTTP/1.1\r\n");
    request_put_common_headers(&sb, host, port, version);
    strbuf_puts(&sb, "Accept: application/json\r\nContent-Type: " REQUEST_SEARCH_CONTENT_TYPE
                     "\r\nContent-Length: ");
    strbuf_uint(&sb, body_len);
    strbuf_puts(&sb, "\r\nConnection: keep-alive\r\n");
    return strbuf_result(&sb);
}

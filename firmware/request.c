/* request.c - the HTTP request of the list call; see include/request.h. */
#include "request.h"

#include <string.h>

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.' || c == '~';
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

static int is_set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

/* Query parameters in byte order of their names, as canonical signing
 * requires: order, page, per_page, search_content, sortBy, status,
 * workspace_id. */
static void put_param(strbuf_t *sb, int *first, const char *name, const char *value, size_t len)
{
    strbuf_putc(sb, *first ? '?' : '&');
    *first = 0;
    strbuf_puts(sb, name);
    strbuf_putc(sb, '=');
    percent_encode(sb, value, len);
}

static void put_text(strbuf_t *sb, int *first, const char *name, const char *value)
{
    if (is_set(value)) {
        put_param(sb, first, name, value, strlen(value));
    }
}

static void put_number(strbuf_t *sb, int *first, const char *name, uint32_t value)
{
    if (value != 0) {
        strbuf_putc(sb, *first ? '?' : '&');
        *first = 0;
        strbuf_puts(sb, name);
        strbuf_putc(sb, '=');
        strbuf_uint(sb, value);
    }
}

void request_put_host(strbuf_t *sb, const char *host, uint16_t port)
{
    strbuf_puts(sb, host);
    if (port != 443) {
        strbuf_putc(sb, ':');
        strbuf_uint(sb, port);
    }
}

void request_put_common_headers(strbuf_t *sb, const char *host, uint16_t port,
                                const char *version)
{
    strbuf_puts(sb, "Host: ");
    request_put_host(sb, host, port);
    strbuf_puts(sb, "\r\nUser-Agent: modelarts2mqtt/");
    strbuf_puts(sb, version);
    strbuf_puts(sb, "\r\n");
}

void request_list_target(strbuf_t *sb, const list_query_t *q)
{
    int first = 1;
    strbuf_puts(sb, "/v1/");
    percent_encode(sb, q->project_id, strlen(q->project_id));
    strbuf_puts(sb, "/training-jobs");
    put_text(sb, &first, "order", q->order);
    put_number(sb, &first, "page", q->page);
    put_number(sb, &first, "per_page", q->per_page);
    put_text(sb, &first, "search_content", q->search_content);
    put_text(sb, &first, "sortBy", q->sort_by);
    put_text(sb, &first, "status", q->status);
    put_text(sb, &first, "workspace_id", q->workspace_id);
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

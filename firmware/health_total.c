/* SPDX-License-Identifier: Apache-2.0 */
/* health_total.c - several projects' health as one B/health; see
 * include/health_total.h. */
#include "health_total.h"

#include <string.h>

#include "strbuf.h"

void health_total(health_t *out, const health_t *const *parts, size_t n)
{
    const health_t *failing = NULL;
    const health_t *shown;
    int never_succeeded = 0;
    size_t i;

    memset(out, 0, sizeof *out);
    if (n == 0) {
        return;
    }
    out->poll_ok = 1;
    out->last_success_at = INT64_MAX;
    for (i = 0; i < n; i++) {
        const health_t *h = parts[i];
        if (!h->poll_ok) {
            out->poll_ok = 0;
            if (failing == NULL) {
                failing = h;
            }
        }
        out->latency_ms += h->latency_ms;
        out->pages += h->pages;
        out->jobs += h->jobs;
        out->tracked += h->tracked;
        out->capacity += h->capacity;
        out->untracked += h->untracked;
        out->token_renewals += h->token_renewals;
        if (h->consecutive_failures > out->consecutive_failures) {
            out->consecutive_failures = h->consecutive_failures;
        }
        if (h->mqtt_reconnects > out->mqtt_reconnects) {
            out->mqtt_reconnects = h->mqtt_reconnects;
        }
        if (h->last_success_at == 0) {
            never_succeeded = 1;
        } else if (h->last_success_at < out->last_success_at) {
            out->last_success_at = h->last_success_at;
        }
        if (h->next_poll_at != 0 &&
            (out->next_poll_at == 0 || h->next_poll_at < out->next_poll_at)) {
            out->next_poll_at = h->next_poll_at;
        }
        if (h->token_expires_at != 0 &&
            (out->token_expires_at == 0 || h->token_expires_at < out->token_expires_at)) {
            out->token_expires_at = h->token_expires_at;
        }
    }
    if (never_succeeded) {
        out->last_success_at = 0;
    }
    shown = failing != NULL ? failing : parts[0];
    out->http_status = shown->http_status;
    out->error_class = shown->error_class;
    out->error_code = shown->error_code;
    out->error_message = shown->error_message;
    out->version = parts[0]->version;
}

long health_total_payload(char *buf, size_t cap, const health_t *total,
                          const health_t *const *parts, const char *const *ids, size_t n)
{
    const char *sep = "";
    strbuf_t sb;
    long len = payload_health(buf, cap, total);
    size_t i;

    if (len < 1 || buf[len - 1] != '}') {
        return -1;
    }
    /* payload_health()'s object goes on from its closing brace. */
    len--;
    strbuf_init(&sb, buf + len, cap - (size_t)len);
    strbuf_puts(&sb, ",\"projects\":");
    strbuf_uint(&sb, n);
    strbuf_puts(&sb, ",\"failing\":[");
    for (i = 0; i < n; i++) {
        if (!parts[i]->poll_ok) {
            /* Ids are [A-Za-z0-9_-] (health_total.h): nothing to escape. */
            strbuf_puts(&sb, sep);
            strbuf_putc(&sb, '"');
            strbuf_puts(&sb, ids[i]);
            strbuf_putc(&sb, '"');
            sep = ",";
        }
    }
    strbuf_puts(&sb, "]}");
    return sb.overflow ? -1 : len + strbuf_result(&sb);
}

/* health_total.c - several projects' health as one B/health; see
 * health_total.h. */
#include "health_total.h"

#include <string.h>

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

/* Append text at *len; -1 once it does not fit (a NUL is kept room for). */
static int append(char *buf, size_t cap, long *len, const char *text, size_t n)
{
    if (*len < 0 || (size_t)*len + n + 1 > cap) {
        *len = -1;
        return -1;
    }
    memcpy(buf + *len, text, n);
    *len += (long)n;
    buf[*len] = '\0';
    return 0;
}

long health_total_payload(char *buf, size_t cap, const health_t *total,
                          const health_t *const *parts, const char *const *ids, size_t n)
{
    char number[24];
    long len = payload_health(buf, cap, total);
    size_t i;
    size_t digits = 0;
    size_t v = n;
    int first = 1;

    if (len < 1 || buf[len - 1] != '}') {
        return -1;
    }
    len--; /* the object goes on */
    do {
        number[sizeof number - 1 - digits++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0 && digits < sizeof number - 1);
    (void)append(buf, cap, &len, ",\"projects\":", 12);
    (void)append(buf, cap, &len, number + sizeof number - 1 - (digits - 1), digits);
    (void)append(buf, cap, &len, ",\"failing\":[", 12);
    for (i = 0; i < n; i++) {
        if (parts[i]->poll_ok) {
            continue;
        }
        if (!first) {
            (void)append(buf, cap, &len, ",", 1);
        }
        first = 0;
        /* Ids are [A-Za-z0-9_-] (config.c): nothing to escape. */
        (void)append(buf, cap, &len, "\"", 1);
        (void)append(buf, cap, &len, ids[i], strlen(ids[i]));
        (void)append(buf, cap, &len, "\"", 1);
    }
    (void)append(buf, cap, &len, "]}", 2);
    return len;
}

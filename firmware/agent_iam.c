/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_iam.c - auth = password: an IAM token obtained with the user's
 * password, kept in the caller's buffer and renewed before it expires and
 * once after the API answers 401.
 *
 * IAM is reached over the same TLS client as the API, on its own short
 * connection (IAM answers with Connection: close). The password is in the
 * payload buffer only while the request is sent, and wiped right after.
 */
#include <string.h>

#include "agent.h"
#include "agent_internal.h"
#include "apig_signer.h"
#include "iam_token.h"
#include "strbuf.h"

#if M2M_WITH_IAM_PASSWORD

/* Assumed lifetime when IAM gives no token.expires_at: 24 hours. */
#define IAM_DEFAULT_LIFETIME_MS (24LL * 60 * 60 * 1000)

static void wipe(volatile char *p, size_t n)
{
    /* volatile: the compiler may not drop a store to memory about to be
     * reused, which would leave the password behind. */
    while (n-- > 0) {
        *p++ = 0;
    }
}

static m2m_poll_result_t iam_failure(m2m_agent_t *a, int code)
{
    char message[M2M_API_TEXT_MAX];
    strbuf_t sb;
    strbuf_init(&sb, message, sizeof message);
    strbuf_puts(&sb, "IAM refused the token request (HTTP ");
    strbuf_int(&sb, code);
    strbuf_puts(&sb, code == 401 ? "): check modelarts.user, domain and password"
                                 : "): check modelarts.iam_endpoint and project_id");
    agent_set_error(a, "IAM", message);
    if (code == 408 || code == 429 || code >= 500) {
        return M2M_POLL_TRANSIENT;
    }
    return M2M_POLL_REFUSED;
}

m2m_poll_result_t agent_renew_token(m2m_agent_t *a, const char *why)
{
    const m2m_agent_config_t *cfg = a->cfg;
    tls_client_status_t st;
    long len;
    int rd;
    int code;
    char until[APIG_DATE_LEN];

    a->token_expires_at = 0;
    if (cfg->token_buf == NULL || cfg->token_cap < 2) {
        agent_set_error(a, "IAM", "no buffer for the IAM token");
        return M2M_POLL_CONFIG;
    }
    cfg->token_buf[0] = '\0';
    agent_log_parts(a, M2M_LOG_INFO, "requesting an IAM token from ", cfg->iam_host, " ", why);
    tls_client_close(&a->tls); /* the API connection; IAM is another host */
    st = tls_client_open(&a->tls, cfg->iam_host, cfg->iam_port);
    if (st != TLS_CLIENT_OK) {
        agent_transport_error(a, st);
        agent_log_parts(a, M2M_LOG_WARN, "IAM unreachable: ", a->error_message, "", "");
        return M2M_POLL_TRANSIENT;
    }
    len = iam_token_request(a->payload, sizeof a->payload, cfg->iam_host, cfg->iam_port,
                            cfg->version, cfg->user, cfg->domain, cfg->password, cfg->project_id);
    if (len < 0) {
        tls_client_close(&a->tls);
        agent_set_error(a, "IAM", "user, domain and password do not fit the request buffer");
        return M2M_POLL_CONFIG;
    }
    st = tls_client_write_all(&a->tls, a->payload, (size_t)len);
    wipe(a->payload, (size_t)len);
    if (st != TLS_CLIENT_OK) {
        tls_client_close(&a->tls);
        return agent_transport_error(a, st);
    }
    a->reading_iam = 1;
    rd = agent_read_response(a);
    a->reading_iam = 0;
    tls_client_close(&a->tls);
    if (rd <= 0) {
        if (rd == 0) {
            agent_set_error(a, "network", "IAM closed the connection without a response");
        }
        return M2M_POLL_TRANSIENT;
    }
    code = a->http.status_code;
    if ((code != 200 && code != 201) || !a->http.captured || a->http.captured_len == 0) {
        cfg->token_buf[0] = '\0';
        return iam_failure(a, code);
    }
    a->token_expires_at = iam_expiry_result(&a->iam_expiry);
    if (a->token_expires_at <= 0) {
        a->token_expires_at = m2m_time_utc_ms(a->port) + IAM_DEFAULT_LIFETIME_MS;
    }
    a->health.token_expires_at = a->token_expires_at;
    a->token_renewals++;
    agent_log_parts(a, M2M_LOG_INFO, "IAM token obtained, valid until ",
                    apig_format_date(a->token_expires_at, until), " (UTC)", "");
    return M2M_POLL_OK;
}

m2m_poll_result_t agent_ensure_token(m2m_agent_t *a)
{
    int64_t now = m2m_time_utc_ms(a->port);
    if (a->token_expires_at == 0) {
        return agent_renew_token(a, "(no token yet)");
    }
    if (now >= a->token_expires_at - M2M_TOKEN_RENEW_MARGIN_MS) {
        return agent_renew_token(a, "(the token expires within the renewal margin)");
    }
    return M2M_POLL_OK;
}

#else /* !M2M_WITH_IAM_PASSWORD: m2m_agent_init refuses auth = password */

m2m_poll_result_t agent_renew_token(m2m_agent_t *a, const char *why)
{
    (void)a;
    (void)why;
    return M2M_POLL_CONFIG;
}

m2m_poll_result_t agent_ensure_token(m2m_agent_t *a)
{
    (void)a;
    return M2M_POLL_CONFIG;
}

#endif /* M2M_WITH_IAM_PASSWORD */

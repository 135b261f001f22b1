/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tls_check.c - TLS 1.2 through mbedTLS over lwIP's raw TCP, in the shape
 * the agent uses it (firmware/tls_client.c): a blocking BIO with a receive
 * timeout, the server's certificate verified against a CA, the host name
 * sent as SNI and checked against the certificate. Two connections: a
 * full handshake, then one resuming the session with the server's ticket.
 * Each sends a line and expects it back.
 */
#include <string.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/net_sockets.h"
#include "mbedtls/ssl.h"
#include "mbedtls/x509_crt.h"

#include "lwip/dns.h"

#include "bringup.h"
#include "clock.h"
#include "log.h"
#include "net.h"
#include "net_wait.h"
#include "semihost.h"
#include "stack.h"
#include "tcp_stream.h"
#include "tls_platform.h"

#define TLS_TIMEOUT_MS 10000u
#define CA_FILE_MAX 8192

/* Everything static: a context of about 1.5 KB would otherwise sit on a
 * stack that mbedTLS's handshake already takes deep. */
static tcp_stream_t stream;
static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;
static mbedtls_x509_crt ca;
static mbedtls_ssl_config conf;
static mbedtls_ssl_context ssl;
static mbedtls_ssl_session saved;

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    int32_t n = tcp_stream_send((tcp_stream_t *)ctx, buf, len, TLS_TIMEOUT_MS);
    if (n > 0) {
        return (int)n;
    }
    return n == 0 ? MBEDTLS_ERR_SSL_WANT_WRITE : MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv_timeout(void *ctx, unsigned char *buf, size_t len, uint32_t timeout_ms)
{
    int32_t n = tcp_stream_recv((tcp_stream_t *)ctx, buf, len, timeout_ms);
    if (n > 0) {
        return (int)n;
    }
    if (n == 0) {
        return MBEDTLS_ERR_SSL_TIMEOUT;
    }
    /* The peer's FIN is end of stream, which mbedTLS expects as 0. */
    return n == TCP_STREAM_ERR_CLOSED ? 0 : MBEDTLS_ERR_NET_RECV_FAILED;
}

static int setup(const bringup_config_t *cfg)
{
    static char pem[CA_FILE_MAX];
    static const char pers[] = "m2m-bringup";
    int32_t len;
    int ret;

    tls_platform_init();
    len = semihost_read_file(cfg->ca_file, pem, sizeof pem);
    if (len < 0) {
        log_line("tls: cannot read the CA file %s", cfg->ca_file);
        return BRINGUP_ERR_TLS;
    }
    mbedtls_x509_crt_init(&ca);
    /* PEM is parsed with its terminating NUL counted. */
    ret = mbedtls_x509_crt_parse(&ca, (const unsigned char *)pem, (size_t)len + 1u);
    if (ret != 0) {
        log_line("tls: CA file does not parse (-0x%04x)", (unsigned)-ret);
        return BRINGUP_ERR_TLS;
    }

    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, (const unsigned char *)pers,
                                sizeof pers - 1);
    if (ret != 0) {
        log_line("tls: no entropy (-0x%04x)", (unsigned)-ret);
        return BRINGUP_ERR_ENTROPY;
    }

    mbedtls_ssl_config_init(&conf);
    ret = mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                      MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret != 0) {
        return BRINGUP_ERR_TLS;
    }
    mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&conf, &ca, NULL);
    mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &drbg);
    mbedtls_ssl_conf_read_timeout(&conf, TLS_TIMEOUT_MS);
    mbedtls_ssl_conf_session_tickets(&conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);

    mbedtls_ssl_init(&ssl);
    ret = mbedtls_ssl_setup(&ssl, &conf);
    if (ret != 0) {
        log_line("tls: setup failed (-0x%04x): pool too small for the record buffers?",
                 (unsigned)-ret);
        return BRINGUP_ERR_TLS;
    }
    mbedtls_ssl_session_init(&saved);
    return BRINGUP_OK;
}

static int same_master(const mbedtls_ssl_session *a, const mbedtls_ssl_session *b)
{
    return memcmp(a->master, b->master, sizeof a->master) == 0;
}

/* Connects, handshakes (offering the saved session when resume is set),
 * exchanges one line, closes. */
static int one_connection(const bringup_config_t *cfg, const ip_addr_t *addr, int resume)
{
    static const char line[] = "hello from mps2-an386 over TLS\n";
    unsigned char back[sizeof line];
    size_t got = 0;
    uint32_t start;
    uint32_t flags;
    int32_t rc;
    int ret;

    ret = mbedtls_ssl_session_reset(&ssl);
    if (ret == 0) {
        ret = mbedtls_ssl_set_hostname(&ssl, cfg->tls_host);
    }
    if (ret == 0 && resume) {
        ret = mbedtls_ssl_set_session(&ssl, &saved);
    }
    if (ret != 0) {
        log_line("tls: session setup failed (-0x%04x)", (unsigned)-ret);
        return BRINGUP_ERR_TLS;
    }
    rc = tcp_stream_connect(&stream, addr, cfg->tls_port, TLS_TIMEOUT_MS);
    if (rc != TCP_STREAM_OK) {
        log_line("tls: connect to %s:%u failed (%ld)", ipaddr_ntoa(addr), (unsigned)cfg->tls_port,
                 (long)rc);
        return BRINGUP_ERR_TLS;
    }
    mbedtls_ssl_set_bio(&ssl, &stream, bio_send, NULL, bio_recv_timeout);

    start = clock_ms();
    do {
        ret = mbedtls_ssl_handshake(&ssl);
    } while (ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    flags = mbedtls_ssl_get_verify_result(&ssl);
    if (ret != 0) {
        log_line("tls: handshake failed (-0x%04x), verify flags 0x%08lx", (unsigned)-ret,
                 (unsigned long)flags);
        tcp_stream_close(&stream);
        return ret == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED ? BRINGUP_ERR_VERIFY : BRINGUP_ERR_TLS;
    }
    log_line("tls: %s handshake with %s (SNI) in %lu ms: %s, %s", resume ? "resumed" : "full",
             cfg->tls_host, (unsigned long)(clock_ms() - start), mbedtls_ssl_get_version(&ssl),
             mbedtls_ssl_get_ciphersuite(&ssl));

    if (resume) {
        if (!same_master(&saved, mbedtls_ssl_get_session_pointer(&ssl))) {
            log_line("tls: the server did not resume the session");
            tcp_stream_close(&stream);
            return BRINGUP_ERR_TLS;
        }
        log_line("tls: session resumed");
    }

    do {
        ret = mbedtls_ssl_write(&ssl, (const unsigned char *)line, sizeof line - 1);
    } while (ret == MBEDTLS_ERR_SSL_WANT_WRITE);
    while (ret > 0 && got < sizeof line - 1) {
        ret = mbedtls_ssl_read(&ssl, back + got, sizeof line - 1 - got);
        if (ret > 0) {
            got += (size_t)ret;
        } else if (ret == MBEDTLS_ERR_SSL_WANT_READ) {
            ret = 1;
        }
    }
    if (got != sizeof line - 1 || memcmp(back, line, got) != 0) {
        log_line("tls: exchange failed (-0x%04x, %u bytes back)", (unsigned)-ret, (unsigned)got);
        tcp_stream_close(&stream);
        return BRINGUP_ERR_TLS;
    }
    log_line("tls: %u bytes sent and received back", (unsigned)got);

    if (!resume) {
        ret = mbedtls_ssl_get_session(&ssl, &saved);
        if (ret != 0) {
            log_line("tls: cannot save the session (-0x%04x)", (unsigned)-ret);
            tcp_stream_close(&stream);
            return BRINGUP_ERR_TLS;
        }
    }
    mbedtls_ssl_close_notify(&ssl);
    tcp_stream_close(&stream);
    return BRINGUP_OK;
}

int tls_check(const bringup_config_t *cfg)
{
    ip_addr_t addr;
    int rc;

    rc = setup(cfg);
    if (rc != BRINGUP_OK) {
        return rc;
    }
    log_line("tls: record buffers allocated, pool at %u bytes", (unsigned)tls_pool_peak_bytes());
    /* The name resolves through lwIP's local host list: no DNS query. */
    if (cfg->tls_address[0] != '\0') {
        ip_addr_t a;
        if (!ipaddr_aton(cfg->tls_address, &a) || dns_local_addhost(cfg->tls_host, &a) != ERR_OK) {
            log_line("tls: bad tls_address %s", cfg->tls_address);
            return BRINGUP_ERR_TLS;
        }
    }
    if (port_lwip_resolve(cfg->tls_host, &addr, 5000u) != 0) {
        log_line("tls: cannot resolve %s", cfg->tls_host);
        return BRINGUP_ERR_TLS;
    }
    rc = one_connection(cfg, &addr, 0);
    log_line("tls: pool peak %u of %u bytes, stack peak %u bytes", (unsigned)tls_pool_peak_bytes(),
             (unsigned)TLS_POOL_SIZE, (unsigned)stack_peak_bytes());
    if (rc != BRINGUP_OK) {
        return rc;
    }
    return one_connection(cfg, &addr, 1);
}

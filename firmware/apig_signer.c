/* SPDX-License-Identifier: Apache-2.0 */
/* apig_signer.c - SDK-HMAC-SHA256 request signing; see include/apig_signer.h
 * and docs/authentication.md (AK/SK signing). */
#include "apig_signer.h"

#include <string.h>

#include "m2m_defaults.h"

#if M2M_WITH_AKSK
#include <mbedtls/md.h>
#include <mbedtls/sha256.h>

#include "request.h"

#define ALGORITHM "SDK-HMAC-SHA256"
#define SHA256_LEN 32
/* Input bytes percent-encoded per step when the target is a hash: three
 * output bytes per input byte at most, plus the NUL. */
#define ENCODE_CHUNK 16

/* Where layout text goes: a strbuf (the text itself), a SHA-256 context (the
 * canonical request, hashed as it is produced) or an HMAC context (the string
 * to sign). The layout functions below write to a sink only, so the canonical
 * request and the string to sign each have one layout, whatever consumes it. */
typedef struct {
    strbuf_t *text;
    mbedtls_sha256_context *sha;
    mbedtls_md_context_t *hmac;
    int crypto_failed;
} sink_t;

/* The request after validation: headers in signing order, the date found. */
typedef struct {
    const apig_request_t *req;
    uint8_t order[APIG_SIGNER_ITEMS_MAX];
    const char *date;
    size_t date_len;
} prepared_t;

static void sink_put(sink_t *s, const char *p, size_t n)
{
    int ret = 0;
    if (s->text != NULL) {
        strbuf_append(s->text, p, n);
    } else if (s->sha != NULL) {
        ret = mbedtls_sha256_update_ret(s->sha, (const unsigned char *)p, n);
    } else {
        ret = mbedtls_md_hmac_update(s->hmac, (const unsigned char *)p, n);
    }
    if (ret != 0) {
        s->crypto_failed = 1;
    }
}

static void sink_puts(sink_t *s, const char *str)
{
    sink_put(s, str, strlen(str));
}

static void sink_putc(sink_t *s, char c)
{
    sink_put(s, &c, 1);
}

static char fold_case(char c, int upper)
{
    if (upper && c >= 'a' && c <= 'z') {
        return (char)(c - 'a' + 'A');
    }
    if (!upper && c >= 'A' && c <= 'Z') {
        return (char)(c - 'A' + 'a');
    }
    return c;
}

static void sink_folded(sink_t *s, const char *str, int upper)
{
    for (; *str != '\0'; str++) {
        sink_putc(s, fold_case(*str, upper));
    }
}

/* percent_encode() writes to a strbuf; a bounded scratch buffer lets the same
 * encoder feed a hash. */
static void sink_encoded(sink_t *s, const char *in, size_t len)
{
    char scratch[3 * ENCODE_CHUNK + 1];
    strbuf_t sb;
    while (len > 0) {
        size_t n = len < ENCODE_CHUNK ? len : ENCODE_CHUNK;
        strbuf_init(&sb, scratch, sizeof scratch);
        percent_encode(&sb, in, n);
        sink_put(s, scratch, sb.len);
        in += n;
        len -= n;
    }
}

static void to_hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15u];
    }
    out[2 * n] = '\0';
}

static int is_blank(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Header values are signed without leading and trailing whitespace, as the
 * Python and Go SDK signers strip them. */
static const char *trimmed(const char *s, size_t *len)
{
    size_t n;
    while (is_blank(*s)) {
        s++;
    }
    n = strlen(s);
    while (n > 0 && is_blank(s[n - 1])) {
        n--;
    }
    *len = n;
    return s;
}

/* Header names compare as their lower-case forms, in byte order. */
static int name_cmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char x = (unsigned char)fold_case(*a, 0);
        unsigned char y = (unsigned char)fold_case(*b, 0);
        if (x != y || x == '\0') {
            return (int)x - (int)y;
        }
    }
}

static apig_signer_status_t prepare(prepared_t *p, const apig_request_t *req)
{
    const apig_header_t *h;
    size_t i;
    size_t j;
    if (req == NULL || req->method == NULL || req->method[0] == '\0' || req->path == NULL ||
        req->headers == NULL || req->header_count == 0 ||
        req->header_count > APIG_SIGNER_ITEMS_MAX || (req->body == NULL && req->body_len != 0)) {
        return APIG_SIGNER_ERR_ARGUMENT;
    }
    h = req->headers;
    p->req = req;
    p->date = NULL;
    for (i = 0; i < req->header_count; i++) {
        uint8_t cur = (uint8_t)i;
        if (h[i].name == NULL || h[i].name[0] == '\0' || h[i].value == NULL) {
            return APIG_SIGNER_ERR_ARGUMENT;
        }
        if (name_cmp(h[i].name, "x-sdk-date") == 0) {
            p->date = trimmed(h[i].value, &p->date_len);
        }
        for (j = i; j > 0 && name_cmp(h[p->order[j - 1]].name, h[cur].name) > 0; j--) {
            p->order[j] = p->order[j - 1];
        }
        p->order[j] = cur;
    }
    /* A name given twice would be signed twice; the verifier would not agree. */
    for (i = 1; i < req->header_count; i++) {
        if (name_cmp(h[p->order[i - 1]].name, h[p->order[i]].name) == 0) {
            return APIG_SIGNER_ERR_ARGUMENT;
        }
    }
    return p->date != NULL && p->date_len > 0 ? APIG_SIGNER_OK : APIG_SIGNER_ERR_ARGUMENT;
}

static void put_signed_headers(sink_t *s, const prepared_t *p)
{
    size_t i;
    for (i = 0; i < p->req->header_count; i++) {
        if (i > 0) {
            sink_putc(s, ';');
        }
        sink_folded(s, p->req->headers[p->order[i]].name, 0);
    }
}

/* Each '/'-separated segment is encoded on its own; the URI used for signing
 * always ends in '/', even when the path sent does not. */
static void put_canonical_uri(sink_t *s, const char *path)
{
    const char *seg = path;
    const char *slash;
    while ((slash = strchr(seg, '/')) != NULL) {
        sink_encoded(s, seg, (size_t)(slash - seg));
        sink_putc(s, '/');
        seg = slash + 1;
    }
    sink_encoded(s, seg, strlen(seg));
    if (seg[0] != '\0' || seg == path) {
        sink_putc(s, '/');
    }
}

static void put_canonical_request(sink_t *s, const prepared_t *p, const char *payload_hex)
{
    const apig_request_t *req = p->req;
    size_t i;
    sink_folded(s, req->method, 1);
    sink_putc(s, '\n');
    put_canonical_uri(s, req->path);
    sink_putc(s, '\n');
    if (req->canonical_query != NULL) {
        sink_puts(s, req->canonical_query);
    }
    sink_putc(s, '\n');
    for (i = 0; i < req->header_count; i++) {
        const apig_header_t *h = &req->headers[p->order[i]];
        size_t len;
        const char *value = trimmed(h->value, &len);
        sink_folded(s, h->name, 0);
        sink_putc(s, ':');
        sink_put(s, value, len);
        sink_putc(s, '\n');
    }
    sink_putc(s, '\n');
    put_signed_headers(s, p);
    sink_putc(s, '\n');
    sink_put(s, payload_hex, 2 * SHA256_LEN);
}

static apig_signer_status_t payload_hash(const apig_request_t *req, char hex[APIG_HEX_SHA256_LEN])
{
    unsigned char digest[SHA256_LEN];
    const unsigned char *body =
        req->body != NULL ? (const unsigned char *)req->body : (const unsigned char *)"";
    if (mbedtls_sha256_ret(body, req->body_len, digest, 0) != 0) {
        return APIG_SIGNER_ERR_CRYPTO;
    }
    to_hex(digest, SHA256_LEN, hex);
    return APIG_SIGNER_OK;
}

/* Validate, then hash the canonical request as it is laid out. */
static apig_signer_status_t canonical_hash(prepared_t *p, const apig_request_t *req,
                                           char hex[APIG_HEX_SHA256_LEN])
{
    mbedtls_sha256_context sha;
    unsigned char digest[SHA256_LEN];
    sink_t s = {NULL, NULL, NULL, 0};
    apig_signer_status_t st = prepare(p, req);
    if (st == APIG_SIGNER_OK) {
        st = payload_hash(req, hex);
    }
    if (st != APIG_SIGNER_OK) {
        return st;
    }
    mbedtls_sha256_init(&sha);
    s.sha = &sha;
    if (mbedtls_sha256_starts_ret(&sha, 0) != 0) {
        s.crypto_failed = 1;
    }
    put_canonical_request(&s, p, hex);
    if (mbedtls_sha256_finish_ret(&sha, digest) != 0) {
        s.crypto_failed = 1;
    }
    mbedtls_sha256_free(&sha);
    if (s.crypto_failed) {
        return APIG_SIGNER_ERR_CRYPTO;
    }
    to_hex(digest, SHA256_LEN, hex);
    return APIG_SIGNER_OK;
}

static void put_string_to_sign(sink_t *s, const prepared_t *p, const char *canonical_hex)
{
    sink_puts(s, ALGORITHM "\n");
    sink_put(s, p->date, p->date_len);
    sink_putc(s, '\n');
    sink_put(s, canonical_hex, 2 * SHA256_LEN);
}

static apig_signer_status_t text_result(const strbuf_t *sb)
{
    return strbuf_result(sb) < 0 ? APIG_SIGNER_ERR_SPACE : APIG_SIGNER_OK;
}

apig_signer_status_t apig_canonical_query(strbuf_t *sb, const apig_param_t *params, size_t n)
{
    uint8_t order[APIG_SIGNER_ITEMS_MAX];
    size_t i;
    size_t j;
    if (n > APIG_SIGNER_ITEMS_MAX || (n > 0 && params == NULL)) {
        return APIG_SIGNER_ERR_ARGUMENT;
    }
    for (i = 0; i < n; i++) {
        const apig_param_t *cur = &params[i];
        if (cur->key == NULL || cur->key[0] == '\0' || cur->value == NULL) {
            return APIG_SIGNER_ERR_ARGUMENT;
        }
        /* Raw strings, byte order (strcmp compares as unsigned char): the
         * order the documentation and the Python and Go signers use. */
        for (j = i; j > 0; j--) {
            const apig_param_t *prev = &params[order[j - 1]];
            int c = strcmp(prev->key, cur->key);
            if (c < 0 || (c == 0 && strcmp(prev->value, cur->value) <= 0)) {
                break;
            }
            order[j] = order[j - 1];
        }
        order[j] = (uint8_t)i;
    }
    for (i = 0; i < n; i++) {
        const apig_param_t *p = &params[order[i]];
        if (i > 0) {
            strbuf_putc(sb, '&');
        }
        percent_encode(sb, p->key, strlen(p->key));
        strbuf_putc(sb, '=');
        percent_encode(sb, p->value, strlen(p->value));
    }
    return text_result(sb);
}

apig_signer_status_t apig_canonical_request(strbuf_t *sb, const apig_request_t *req)
{
    prepared_t p;
    char payload_hex[APIG_HEX_SHA256_LEN];
    sink_t s = {NULL, NULL, NULL, 0};
    apig_signer_status_t st = prepare(&p, req);
    if (st == APIG_SIGNER_OK) {
        st = payload_hash(req, payload_hex);
    }
    if (st != APIG_SIGNER_OK) {
        return st;
    }
    s.text = sb;
    put_canonical_request(&s, &p, payload_hex);
    return text_result(sb);
}

apig_signer_status_t apig_string_to_sign(strbuf_t *sb, const apig_request_t *req)
{
    prepared_t p;
    char hex[APIG_HEX_SHA256_LEN];
    sink_t s = {NULL, NULL, NULL, 0};
    apig_signer_status_t st = canonical_hash(&p, req, hex);
    if (st != APIG_SIGNER_OK) {
        return st;
    }
    s.text = sb;
    put_string_to_sign(&s, &p, hex);
    return text_result(sb);
}

apig_signer_status_t apig_sign(const apig_request_t *req, const char *ak, const char *sk,
                               char *authorization, size_t cap,
                               char signature_hex[APIG_HEX_SHA256_LEN])
{
    prepared_t p;
    char hex[APIG_HEX_SHA256_LEN];
    unsigned char mac[SHA256_LEN];
    mbedtls_md_context_t hmac;
    sink_t s = {NULL, NULL, NULL, 0};
    strbuf_t sb;
    apig_signer_status_t st;
    if (ak == NULL || ak[0] == '\0' || sk == NULL || sk[0] == '\0' || authorization == NULL) {
        return APIG_SIGNER_ERR_ARGUMENT;
    }
    st = canonical_hash(&p, req, hex);
    if (st != APIG_SIGNER_OK) {
        return st;
    }
    /* The key is the raw SK: no date or scope derivation as in AWS SigV4. */
    mbedtls_md_init(&hmac);
    s.hmac = &hmac;
    if (mbedtls_md_setup(&hmac, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1) != 0 ||
        mbedtls_md_hmac_starts(&hmac, (const unsigned char *)sk, strlen(sk)) != 0) {
        s.crypto_failed = 1;
    } else {
        put_string_to_sign(&s, &p, hex);
        if (mbedtls_md_hmac_finish(&hmac, mac) != 0) {
            s.crypto_failed = 1;
        }
    }
    mbedtls_md_free(&hmac);
    if (s.crypto_failed) {
        return APIG_SIGNER_ERR_CRYPTO;
    }
    to_hex(mac, SHA256_LEN, hex);

    strbuf_init(&sb, authorization, cap);
    s.text = &sb;
    sink_puts(&s, ALGORITHM " Access=");
    sink_puts(&s, ak);
    sink_puts(&s, ", SignedHeaders=");
    put_signed_headers(&s, &p);
    sink_puts(&s, ", Signature=");
    sink_puts(&s, hex);
    if (strbuf_result(&sb) < 0) {
        /* Never leave a truncated header for a caller that ignores the status. */
        if (cap > 0) {
            authorization[0] = '\0';
        }
        return APIG_SIGNER_ERR_SPACE;
    }
    if (signature_hex != NULL) {
        memcpy(signature_hex, hex, APIG_HEX_SHA256_LEN);
    }
    return APIG_SIGNER_OK;
}

#else /* !M2M_WITH_AKSK: signing is left out of this build (m2m_defaults.h). */

apig_signer_status_t apig_canonical_query(strbuf_t *sb, const apig_param_t *params, size_t n)
{
    (void)sb;
    (void)params;
    (void)n;
    return APIG_SIGNER_ERR_DISABLED;
}

apig_signer_status_t apig_canonical_request(strbuf_t *sb, const apig_request_t *req)
{
    (void)sb;
    (void)req;
    return APIG_SIGNER_ERR_DISABLED;
}

apig_signer_status_t apig_string_to_sign(strbuf_t *sb, const apig_request_t *req)
{
    (void)sb;
    (void)req;
    return APIG_SIGNER_ERR_DISABLED;
}

apig_signer_status_t apig_sign(const apig_request_t *req, const char *ak, const char *sk,
                               char *authorization, size_t cap,
                               char signature_hex[APIG_HEX_SHA256_LEN])
{
    (void)req;
    (void)ak;
    (void)sk;
    (void)signature_hex;
    if (cap > 0) {
        authorization[0] = '\0';
    }
    return APIG_SIGNER_ERR_DISABLED;
}

#endif /* M2M_WITH_AKSK */

const char *apig_format_date(int64_t utc_ms, char out[APIG_DATE_LEN])
{
    /* 9999-12-31T23:59:59.999Z */
    const int64_t last_ms = INT64_C(253402300799999);
    uint32_t days;
    uint32_t sod;
    uint32_t doe;
    uint32_t yoe;
    uint32_t doy;
    uint32_t mp;
    uint32_t field[6];
    char *o = out;
    int i;
    if (utc_ms < 0) {
        utc_ms = 0;
    } else if (utc_ms > last_ms) {
        utc_ms = last_ms;
    }
    /* The one 64-bit division; the rest fits 32 bits. */
    days = (uint32_t)((uint64_t)utc_ms / 86400000u);
    sod = (uint32_t)((uint64_t)utc_ms - (uint64_t)days * 86400000u) / 1000u;
    /* civil_from_days (H. Hinnant) with days >= 0: eras of 400 years counted
     * from 0000-03-01, so the leap day is the last day of its year. */
    days += 719468u;
    doe = days % 146097u;
    yoe = (doe - doe / 1460u + doe / 36524u - doe / 146096u) / 365u;
    doy = doe - (365u * yoe + yoe / 4u - yoe / 100u);
    mp = (5u * doy + 2u) / 153u;
    field[1] = mp < 10u ? mp + 3u : mp - 9u;
    field[0] = yoe + (days / 146097u) * 400u + (field[1] <= 2u ? 1u : 0u);
    field[2] = doy - (153u * mp + 2u) / 5u + 1u;
    field[3] = sod / 3600u;
    field[4] = sod / 60u % 60u;
    field[5] = sod % 60u;
    for (i = 0; i < 6; i++) {
        int width = i == 0 ? 4 : 2;
        int k;
        for (k = width - 1; k >= 0; k--) {
            o[k] = (char)('0' + field[i] % 10u);
            field[i] /= 10u;
        }
        o += width;
        if (i == 2) {
            *o++ = 'T';
        }
    }
    o[0] = 'Z';
    o[1] = '\0';
    return out;
}

const char *apig_signer_strerror(apig_signer_status_t st)
{
#if M2M_STRERROR_TEXT
    switch (st) {
    case APIG_SIGNER_OK:
        return "ok";
    case APIG_SIGNER_ERR_ARGUMENT:
        return "signer: missing or invalid request part (method, path, headers, x-sdk-date, "
               "AK/SK) or too many headers or parameters";
    case APIG_SIGNER_ERR_SPACE:
        return "signer: output buffer too small";
    case APIG_SIGNER_ERR_CRYPTO:
        return "signer: mbedTLS SHA-256/HMAC failed";
    case APIG_SIGNER_ERR_DISABLED:
        return "signer: AK/SK signing left out of this build (M2M_WITH_AKSK)";
    }
    return "signer: unknown status";
#else
    return strbuf_status_code((int)st);
#endif
}

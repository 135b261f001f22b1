/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iam_token.c - the IAM token request and expiry; see include/iam_token.h.
 *
 * The request body is written twice: once at the start of buf only to learn
 * its length (Content-Length comes before it), then again after the head that
 * overwrote it. That costs a second pass over a few hundred bytes and needs
 * no second buffer and no memmove bookkeeping.
 *
 * The expiry scanner is a JSON lexer reduced to what the question needs. It
 * tracks strings (so braces, quotes and escapes inside them are inert) and
 * the nesting depth, and looks at keys only at depth 1 (the top-level
 * object) and at depth 2 while inside the value of "token": a container
 * opened at depth 2 from the "token" value is the only one whose keys can be
 * the expiry, so no stack of container kinds is needed. There a string is a
 * key when it follows '{' or ',' (a value follows ':'); keys are compared
 * byte by byte as they arrive, and only the expiry value is kept
 * (IAM_TIME_TEXT_MAX bytes). The grammar is not checked: in a body that is
 * not JSON the result means nothing, but the scan stays bounded.
 */
#include "iam_token.h"

#include <string.h>

#if M2M_WITH_IAM_PASSWORD
#include "json_writer.h"
#include "request.h"
#include "strbuf.h"

static void token_body(json_writer_t *w, const char *user, const char *domain, const char *password,
                       const char *project_id)
{
    json_object_begin(w);
    json_key(w, "auth");
    json_object_begin(w);
    json_key(w, "identity");
    json_object_begin(w);
    json_key(w, "methods");
    json_array_begin(w);
    json_cstring(w, "password");
    json_array_end(w);
    json_key(w, "password");
    json_object_begin(w);
    json_key(w, "user");
    json_object_begin(w);
    json_key(w, "name");
    json_cstring(w, user);
    json_key(w, "password");
    json_cstring(w, password);
    json_key(w, "domain");
    json_object_begin(w);
    json_key(w, "name");
    json_cstring(w, domain);
    json_object_end(w); /* domain */
    json_object_end(w); /* user */
    json_object_end(w); /* password */
    json_object_end(w); /* identity */
    json_key(w, "scope");
    json_object_begin(w);
    json_key(w, "project");
    json_object_begin(w);
    json_key(w, "id");
    json_cstring(w, project_id);
    json_object_end(w); /* project */
    json_object_end(w); /* scope */
    json_object_end(w); /* auth */
    json_object_end(w);
}

long iam_token_request(char *buf, size_t cap, const char *host, uint16_t port, const char *version,
                       const char *user, const char *domain, const char *password,
                       const char *project_id)
{
    json_writer_t w;
    strbuf_t sb;
    long body_len, head_len;

    if (cap == 0 || host == NULL || version == NULL || user == NULL || domain == NULL ||
        password == NULL || project_id == NULL) {
        return -1;
    }
    json_writer_init(&w, buf, cap);
    token_body(&w, user, domain, password, project_id);
    body_len = json_writer_result(&w);
    if (body_len < 0) {
        return -1;
    }

    strbuf_init(&sb, buf, cap);
    strbuf_puts(&sb, "POST /v3/auth/tokens HTTP/1.1\r\n");
    request_put_common_headers(&sb, host, port, version);
    strbuf_puts(&sb, "Content-Type: application/json;charset=utf8\r\n"
                     "Accept: application/json\r\nContent-Length: ");
    strbuf_uint(&sb, (uint64_t)body_len);
    strbuf_puts(&sb, "\r\nConnection: close\r\n\r\n");
    head_len = strbuf_result(&sb);
    if (head_len < 0) {
        return -1;
    }

    /* head_len < cap, so at least the NUL fits. */
    json_writer_init(&w, buf + head_len, cap - (size_t)head_len);
    token_body(&w, user, domain, password, project_id);
    if (json_writer_result(&w) != body_len) {
        return -1;
    }
    return head_len + body_len;
}

/* ---- the expiry scanner ---------------------------------------------------------- */

enum {
    F_STRING = 1,   /* inside a string */
    F_ESCAPE = 2,   /* the previous string byte was a backslash */
    F_KEY_NEXT = 4, /* after '{' or ',': a string here is a key */
    F_IN_TOKEN = 8, /* depth >= 2 inside the value of "token" */
    F_STARTED = 16, /* the top-level object was opened */
    F_GAVE_UP = 32  /* bad shape or too deep: result stays -1 */
};

/* What the current string is, or (outside strings) what the next value is. */
enum {
    R_NONE,
    R_KEY,         /* a key being compared with the wanted one */
    R_TOKEN_NEXT,  /* "token" was the key: its value comes next */
    R_EXPIRY_NEXT, /* "expires_at" in token: its value comes next */
    R_EXPIRY       /* the expiry string, kept in text */
};

/* pos when a key has stopped matching or the expiry text is too long. */
#define POS_OFF 0xFF

static const char key_token[] = "token";
static const char key_expiry[] = "expires_at";

void iam_expiry_init(iam_expiry_t *e)
{
    memset(e, 0, sizeof *e);
    e->result = -1;
}

static void give_up(iam_expiry_t *e)
{
    e->flags = F_GAVE_UP;
    e->result = -1;
}

static void string_byte(iam_expiry_t *e, char c)
{
    const char *want = e->depth == 1 ? key_token : key_expiry;

    if (e->flags & F_ESCAPE) {
        e->flags &= (uint8_t)~F_ESCAPE;
        e->pos = POS_OFF; /* an escaped key or expiry is not recognised */
        return;
    }
    if (c == '\\') {
        e->flags |= F_ESCAPE;
        return;
    }
    if (c != '"') {
        if (e->pos == POS_OFF) {
            return;
        }
        if (e->role == R_EXPIRY) {
            if (e->pos < IAM_TIME_TEXT_MAX) {
                e->text[e->pos++] = c;
            } else {
                e->pos = POS_OFF;
            }
        } else if (e->role == R_KEY) {
            /* Nothing matches past the end of want, not even a NUL byte. */
            e->pos = want[e->pos] != '\0' && want[e->pos] == c ? (uint8_t)(e->pos + 1) : POS_OFF;
        }
        return;
    }
    /* The closing quote. */
    e->flags &= (uint8_t)~F_STRING;
    if (e->role == R_EXPIRY) {
        int64_t ms;
        e->role = R_NONE;
        if (e->pos != POS_OFF && iam_parse_time(e->text, e->pos, &ms) == 0) {
            e->result = ms;
        }
    } else if (e->role == R_KEY && e->pos != POS_OFF && want[e->pos] == '\0') {
        e->role = e->depth == 1 ? R_TOKEN_NEXT : R_EXPIRY_NEXT;
        if (e->role == R_EXPIRY_NEXT) {
            e->result = -1; /* the last one counts, even if it is not a time */
        }
    } else {
        e->role = R_NONE;
    }
}

static void structure_byte(iam_expiry_t *e, char c)
{
    uint8_t next;

    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ':') {
        return;
    }
    if (e->depth == 0 && (c != '{' || (e->flags & F_STARTED))) {
        give_up(e);
        return;
    }
    /* Any other byte starts or ends a value: a pending key has its value. */
    next = e->role;
    e->role = R_NONE;
    e->pos = 0;
    switch (c) {
    case '{':
    case '[':
        if (e->depth >= M2M_JSON_DEPTH_MAX) {
            give_up(e);
            return;
        }
        e->depth++;
        e->flags |= F_STARTED;
        if (c == '{') {
            e->flags |= F_KEY_NEXT | (next == R_TOKEN_NEXT ? F_IN_TOKEN : 0);
        }
        break;
    case '}':
    case ']':
        e->depth--;
        if (e->depth < 2) {
            e->flags &= (uint8_t)~F_IN_TOKEN;
        }
        break;
    case ',':
        e->flags |= F_KEY_NEXT;
        break;
    case '"':
        e->flags |= F_STRING;
        if (next == R_EXPIRY_NEXT) {
            e->role = R_EXPIRY;
        } else if ((e->flags & F_KEY_NEXT) &&
                   (e->depth == 1 || (e->depth == 2 && (e->flags & F_IN_TOKEN)))) {
            e->role = R_KEY;
        }
        e->flags &= (uint8_t)~F_KEY_NEXT;
        break;
    default: /* numbers, true, false, null: nothing to see */
        break;
    }
}

void iam_expiry_feed(iam_expiry_t *e, const uint8_t *data, size_t len)
{
    size_t i;
    for (i = 0; i < len && !(e->flags & F_GAVE_UP); i++) {
        if (e->flags & F_STRING) {
            string_byte(e, (char)data[i]);
        } else {
            structure_byte(e, (char)data[i]);
        }
    }
}

int64_t iam_expiry_result(const iam_expiry_t *e)
{
    return e->result;
}

/* ---- ISO 8601 time ------------------------------------------------------------- */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H.
 * Hinnant's days_from_civil), for y >= 1. */
static int64_t days_from_civil(int y, int m, int d)
{
    int era, yoe, doy, doe;
    y -= m <= 2;
    era = y / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int64_t)era * 146097 + doe - 719468;
}

/* n decimal digits at s as a number, or -1 if any is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0;
    while (n-- > 0) {
        if (*s < '0' || *s > '9') {
            return -1;
        }
        v = v * 10 + (*s++ - '0');
    }
    return v;
}

int iam_parse_time(const char *s, size_t len, int64_t *utc_ms)
{
    static const char month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, mo, d, h, mi, sec, ms = 0, scale = 100, leap;
    size_t i = 19;

    if (len < 20 || len > IAM_TIME_TEXT_MAX || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
        s[13] != ':' || s[16] != ':' || s[len - 1] != 'Z') {
        return -1;
    }
    y = digits(s, 4);
    mo = digits(s + 5, 2);
    d = digits(s + 8, 2);
    h = digits(s + 11, 2);
    mi = digits(s + 14, 2);
    sec = digits(s + 17, 2);
    if (s[i] == '.') {
        if (len - 1 == ++i) {
            return -1; /* a '.' without digits */
        }
        for (; i < len - 1; i++) {
            if (s[i] < '0' || s[i] > '9') {
                return -1;
            }
            ms += (s[i] - '0') * scale; /* digits past the third add 0 */
            scale /= 10;
        }
    }
    if (i != len - 1 || y < 1970 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 ||
        mi > 59 || sec < 0 || sec > 60) {
        return -1;
    }
    leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    if (d > month_days[mo - 1] + (mo == 2 && leap)) {
        return -1;
    }
    *utc_ms = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + (int64_t)sec * 1000 + ms;
    return 0;
}

#else /* !M2M_WITH_IAM_PASSWORD */

/* The token exchange is left out of this build (m2m_defaults.h): every entry
 * point reports "nothing". */

long iam_token_request(char *buf, size_t cap, const char *host, uint16_t port, const char *version,
                       const char *user, const char *domain, const char *password,
                       const char *project_id)
{
    (void)host;
    (void)port;
    (void)version;
    (void)user;
    (void)domain;
    (void)password;
    (void)project_id;
    if (buf != NULL && cap > 0) {
        buf[0] = '\0';
    }
    return -1;
}

void iam_expiry_init(iam_expiry_t *e)
{
    e->result = -1;
}

void iam_expiry_feed(iam_expiry_t *e, const uint8_t *data, size_t len)
{
    (void)e;
    (void)data;
    (void)len;
}

int64_t iam_expiry_result(const iam_expiry_t *e)
{
    return e->result;
}

int iam_parse_time(const char *s, size_t len, int64_t *utc_ms)
{
    (void)s;
    (void)len;
    (void)utc_ms;
    return -1;
}

#endif /* M2M_WITH_IAM_PASSWORD */

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http_response.c - the HTTP/1.1 response parser; see include/http_response.h.
 *
 * Every line (status line, header, chunk size, trailer) is collected into
 * r->line and parsed when its LF arrives; body bytes are handed out as slices
 * of the input. The choices the header leaves open:
 *
 * - A line ends with CRLF or with a bare LF: RFC 9112 section 2.2 lets a
 *   recipient accept LF alone, and the rule is the same for every line and for
 *   the line end after chunk data. A CR not followed by LF, NUL, any other
 *   control byte except HT, and DEL are errors in any line. Bytes 0x80..0xFF
 *   are allowed in the reason phrase and in values (obs-text).
 * - Empty lines before the status line are skipped, as llhttp does; they count
 *   against M2M_HTTP_HEADERS_MAX so that a stream of them stays bounded.
 * - The status code is exactly three digits, 100..999; only HTTP/1.0 and
 *   HTTP/1.1 are accepted. A header name is a non-empty token directly
 *   followed by ':'; anything else (including obs-fold) is ERR_HEADER.
 * - Chunk-size lines are held to M2M_HTTP_LINE_MAX like any other line. Chunk
 *   extensions are not interpreted: after the size, optional whitespace and a
 *   ';' start them and the rest of the line is ignored.
 * - Chunked together with Content-Length: chunked decides the framing (RFC 9112
 *   section 6.3) and keep_alive is forced to 0, since such a message may come
 *   from an intermediary that framed it differently.
 * - The only transfer coding accepted is "chunked", and only once.
 * - 204 and 304 have no body whatever their headers say; the fields still
 *   report the Content-Length and chunked they announce.
 * - A 1xx response has its head checked like any other, then dropped: the
 *   fields and the header line count start again for the next head.
 * - After DONE, feeding 0 bytes returns DONE again and anything more returns
 *   ERR_STATE; after an error every feed returns ERR_STATE and finish returns
 *   ERR_TRUNCATED (the message never completed).
 * - Retry-After: delta-seconds above INT32_MAX are clamped to it; only the
 *   IMF-fixdate form of an HTTP date is understood (the obsolete RFC 850 and
 *   asctime forms give -1).
 * - The captured header is recognised when the ':' after its name arrives;
 *   from there its value goes to the caller's buffer (F_CAPTURE) and only the
 *   name stays in r->line, so the line is still checked and counted like any
 *   other. Blanks that arrive when the buffer is full are dropped: they can
 *   only be trailing ones, since any later byte fails the capture anyway.
 */
#include "http_response.h"

#include <string.h>

#include "strbuf.h"

/* The line states come first: line_error[] is indexed by them. */
enum {
    S_STATUS,
    S_HEADER,
    S_TRAILER,
    S_CHUNK_SIZE,
    S_CHUNK_END, /* CRLF after chunk data */
    S_BODY_LENGTH,
    S_CHUNK_DATA,
    S_BODY_CLOSE,
    S_DONE,
    S_ERROR
};

enum { F_CR = 1, F_CLOSE = 2, F_KEEP_ALIVE = 4, F_CAPTURE = 8 };

/* Body and chunk sizes are held in 32 bits. */
typedef char body_max_fits_32_bits[(M2M_HTTP_BODY_MAX <= INT32_MAX) ? 1 : -1];

static const int8_t line_error[] = {HTTP_RESPONSE_ERR_STATUS_LINE, HTTP_RESPONSE_ERR_HEADER,
                                    HTTP_RESPONSE_ERR_HEADER, HTTP_RESPONSE_ERR_CHUNK_SIZE};

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static int is_tchar(char c)
{
    unsigned char l = (unsigned char)c | 0x20;
    return is_digit(c) || (l >= 'a' && l <= 'z') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

/* s[0..n) equals the NUL-terminated lit, ignoring ASCII case. */
static int equals_ci(const char *s, size_t n, const char *lit)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (lower(s[i]) != lower(lit[i])) { /* also stops at the end of lit */
            return 0;
        }
    }
    return lit[n] == '\0';
}

/* The value of the digits (base 10 or 16) at the start of s[0..n), into *out; returns how many
 * digits there were. The value saturates at limit + 1, so no number of digits can overflow, and
 * the arithmetic stays in 32 bits (limit <= INT32_MAX). */
static size_t parse_digits(const char *s, size_t n, unsigned base, uint32_t limit, uint32_t *out)
{
    uint32_t v = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9) {
            d = ((unsigned)(unsigned char)s[i] | 0x20u) - 'a';
            d = d < 6 ? d + 10 : 99;
        }
        if (d >= base) {
            break;
        }
        v = v > limit / base ? limit + 1u : v * base + d;
        if (v > limit) {
            v = limit + 1u;
        }
    }
    *out = v;
    return i;
}

/* Decimal digits only, at least one; saturating as above. Returns 0, or -1 when not all digits. */
static int parse_decimal(const char *s, size_t n, uint32_t limit, uint32_t *out)
{
    return n != 0 && parse_digits(s, n, 10, limit, out) == n ? 0 : -1;
}

/* IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT", as UTC epoch seconds, or -1.
 * Years 1970..2099 only: in that range every fourth year is a leap year, and the seconds fit in
 * 32 unsigned bits. */
static int64_t parse_http_date(const char *s, size_t n)
{
    static const char form[] = "aaa, ## aaa #### ##:##:## GMT"; /* a: letter, #: digit */
    static const char names[] = "SunMonTueWedThuFriSatJanFebMarAprMayJunJulAugSepOctNovDec";
    static const uint16_t month_start[] = {0,   31,  59,  90,  120, 151, 181,
                                           212, 243, 273, 304, 334, 365};
    uint32_t day, y, hour, min, sec;
    int i, wday = -1, mon = -1, leap;

    if (n != sizeof form - 1) {
        return -1;
    }
    for (i = 0; i < (int)n; i++) {
        /* The letters are matched against the names below. */
        if (form[i] == '#' ? !is_digit(s[i]) : form[i] != 'a' && s[i] != form[i]) {
            return -1;
        }
    }
    for (i = 0; i < 19; i++) {
        if (memcmp(names + 3 * i, i < 7 ? s : s + 8, 3) == 0) {
            if (i < 7) {
                wday = i;
            } else {
                mon = i - 7;
            }
        }
    }
    (void)parse_digits(s + 5, 2, 10, 99, &day);
    (void)parse_digits(s + 12, 4, 10, 9999, &y);
    (void)parse_digits(s + 17, 2, 10, 99, &hour);
    (void)parse_digits(s + 20, 2, 10, 99, &min);
    (void)parse_digits(s + 23, 2, 10, 99, &sec);
    leap = y % 4 == 0;
    if (wday < 0 || mon < 0 || y < 1970 || y > 2099 || day < 1 || hour > 23 || min > 59 ||
        sec > 60) {
        return -1;
    }
    /* The last day of the month is the day before the next month starts. */
    if (day > (uint32_t)(month_start[mon + 1] - month_start[mon]) + (mon == 1 && leap)) {
        return -1;
    }
    day += (y - 1970) * 365 + (y - 1969) / 4 + month_start[mon] + (mon > 1 && leap) - 1;
    return (int64_t)(((day * 24 + hour) * 60 + min) * 60 + sec);
}

static void begin_head(http_response_t *r)
{
    memset(r, 0, offsetof(http_response_t, line)); /* state = S_STATUS */
    r->retry_after_seconds = -1;
    r->retry_after_date = -1;
    if (r->capture_name != NULL) {
        r->capture_buf[0] = '\0';
    }
}

static void connection_tokens(http_response_t *r, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t start, end;
        while (i < n && (is_ows(s[i]) || s[i] == ',')) {
            i++;
        }
        start = i;
        while (i < n && s[i] != ',') {
            i++;
        }
        end = i;
        while (end > start && is_ows(s[end - 1])) {
            end--;
        }
        if (equals_ci(s + start, end - start, "close")) {
            r->flags |= F_CLOSE;
        } else if (equals_ci(s + start, end - start, "keep-alive")) {
            r->flags |= F_KEEP_ALIVE;
        }
    }
}

/* The headers interpreted, in the order of the H_* values. */
static const char known_headers[] = "content-length\0transfer-encoding\0connection\0"
                                    "retry-after\0content-type";
enum { H_CONTENT_LENGTH, H_TRANSFER_ENCODING, H_CONNECTION, H_RETRY_AFTER, H_CONTENT_TYPE };

/* One header the agent may need; v[0..n) is the value without OWS. */
static http_response_status_t header_field(http_response_t *r, const char *name, size_t name_len,
                                           const char *v, size_t n)
{
    const char *k = known_headers;
    uint32_t num;
    int h = 0;

    while (!equals_ci(name, name_len, k)) {
        if (h == H_CONTENT_TYPE) {
            return HTTP_RESPONSE_NEED_MORE;
        }
        k += strlen(k) + 1;
        h++;
    }
    switch (h) {
    case H_CONTENT_LENGTH:
        if (parse_decimal(v, n, M2M_HTTP_BODY_MAX, &num) != 0) {
            return HTTP_RESPONSE_ERR_CONTENT_LENGTH;
        }
        if (num > M2M_HTTP_BODY_MAX) {
            return HTTP_RESPONSE_ERR_BODY_TOO_LARGE;
        }
        if (r->has_content_length && num != r->content_length) {
            return HTTP_RESPONSE_ERR_CONTENT_LENGTH;
        }
        r->content_length = num;
        r->has_content_length = 1;
        break;
    case H_TRANSFER_ENCODING:
        if (r->chunked || !equals_ci(v, n, "chunked")) {
            return HTTP_RESPONSE_ERR_TRANSFER_ENCODING;
        }
        r->chunked = 1;
        break;
    case H_CONNECTION:
        connection_tokens(r, v, n);
        break;
    case H_RETRY_AFTER:
        r->retry_after_seconds = -1;
        r->retry_after_date = -1;
        if (parse_decimal(v, n, INT32_MAX, &num) == 0) {
            r->retry_after_seconds = num > INT32_MAX ? INT32_MAX : (int64_t)num;
        } else {
            r->retry_after_date = parse_http_date(v, n);
        }
        break;
    default: { /* H_CONTENT_TYPE */
        size_t end = 0;
        while (end < n && v[end] != ';') {
            end++;
        }
        while (end > 0 && is_ows(v[end - 1])) {
            end--;
        }
        r->content_type_json =
            equals_ci(v, end, "application/json") ||
            (end > 5 && equals_ci(v + end - 5, 5, "+json") && memchr(v, '/', end - 5) != NULL);
    }
    }
    return HTTP_RESPONSE_NEED_MORE;
}

static http_response_status_t count_line(http_response_t *r)
{
    return ++r->header_count > M2M_HTTP_HEADERS_MAX ? HTTP_RESPONSE_ERR_TOO_MANY_HEADERS
                                                    : HTTP_RESPONSE_NEED_MORE;
}

static http_response_status_t header_line(http_response_t *r, const char *p, size_t n)
{
    size_t name = 0, v, end = n;
    if (count_line(r) != HTTP_RESPONSE_NEED_MORE) {
        return HTTP_RESPONSE_ERR_TOO_MANY_HEADERS;
    }
    while (name < n && is_tchar(p[name])) {
        name++;
    }
    if (name == 0 || name == n || p[name] != ':') {
        return HTTP_RESPONSE_ERR_HEADER;
    }
    v = name + 1;
    while (v < end && is_ows(p[v])) {
        v++;
    }
    while (end > v && is_ows(p[end - 1])) {
        end--;
    }
    /* Trailers are checked and counted, never interpreted. */
    return r->state == S_TRAILER ? HTTP_RESPONSE_NEED_MORE
                                 : header_field(r, p, name, p + v, end - v);
}

static http_response_status_t status_line(http_response_t *r, const char *p, size_t n)
{
    if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1') || p[8] != ' ' ||
        p[9] < '1' || p[9] > '9' || !is_digit(p[10]) || !is_digit(p[11]) ||
        (n > 12 && p[12] != ' ')) {
        return HTTP_RESPONSE_ERR_STATUS_LINE;
    }
    r->http_minor = (uint8_t)(p[7] - '0');
    r->status_code = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
    r->state = S_HEADER;
    return HTTP_RESPONSE_NEED_MORE;
}

static http_response_status_t headers_complete(http_response_t *r)
{
    int must_close = (r->flags & F_CLOSE) || (r->http_minor == 0 && !(r->flags & F_KEEP_ALIVE));
    if (r->status_code < 200) {
        begin_head(r);
        return HTTP_RESPONSE_NEED_MORE;
    }
    r->remaining = 0;
    if (r->status_code == 204 || r->status_code == 304) {
        r->state = S_BODY_LENGTH;
    } else if (r->chunked) {
        r->state = S_CHUNK_SIZE;
        must_close |= r->has_content_length;
    } else if (r->has_content_length) {
        r->state = S_BODY_LENGTH;
        r->remaining = (uint32_t)r->content_length;
    } else {
        r->state = S_BODY_CLOSE;
        must_close = 1;
    }
    r->keep_alive = (uint8_t)!must_close;
    return HTTP_RESPONSE_HEADERS;
}

static http_response_status_t chunk_size_line(http_response_t *r, const char *p, size_t n)
{
    uint32_t size;
    size_t i = parse_digits(p, n, 16, M2M_HTTP_BODY_MAX, &size);
    if (i == 0) {
        return HTTP_RESPONSE_ERR_CHUNK_SIZE;
    }
    if (i < n) {
        while (i < n && is_ows(p[i])) {
            i++;
        }
        if (i == n || p[i] != ';') {
            return HTTP_RESPONSE_ERR_CHUNK_SIZE;
        }
    }
    if (size > M2M_HTTP_BODY_MAX) {
        return HTTP_RESPONSE_ERR_CHUNK_TOO_LARGE;
    }
    r->remaining = size;
    r->state = size != 0 ? S_CHUNK_DATA : S_TRAILER;
    return HTTP_RESPONSE_NEED_MORE;
}

static http_response_status_t line_complete(http_response_t *r)
{
    size_t n = r->line_len;
    r->line_len = 0;
    switch (r->state) {
    case S_STATUS:
        return n == 0 ? count_line(r) : status_line(r, r->line, n);
    case S_HEADER:
        return n == 0 ? headers_complete(r) : header_line(r, r->line, n);
    case S_TRAILER:
        if (n == 0) {
            r->state = S_DONE;
            return HTTP_RESPONSE_DONE;
        }
        return header_line(r, r->line, n);
    default:
        return chunk_size_line(r, r->line, n);
    }
}

static http_response_status_t capture_byte(http_response_t *r, char c)
{
    if (is_ows(c) && (r->captured_len == 0 || r->captured_len + 1 >= r->capture_cap)) {
        return HTTP_RESPONSE_NEED_MORE;
    }
    if (r->captured_len + 1 >= r->capture_cap) {
        return HTTP_RESPONSE_ERR_CAPTURE_TOO_LONG;
    }
    /* Keep the text terminated at every step: after a truncated stream or
     * an over-long value the buffer still holds a string. */
    r->capture_buf[r->captured_len++] = c;
    r->capture_buf[r->captured_len] = '\0';
    return HTTP_RESPONSE_NEED_MORE;
}

static http_response_status_t line_byte(http_response_t *r, uint8_t c)
{
    if (c == '\n') {
        if (r->flags & F_CAPTURE) {
            while (r->captured_len > 0 && is_ows(r->capture_buf[r->captured_len - 1])) {
                r->captured_len--;
            }
            r->capture_buf[r->captured_len] = '\0';
        }
        r->flags &= (uint8_t) ~(F_CR | F_CAPTURE);
        return line_complete(r);
    }
    if ((r->flags & F_CR) || c == 0x7f || (c < 0x20 && c != '\t' && c != '\r')) {
        return (http_response_status_t)line_error[r->state];
    }
    if (c == '\r') {
        r->flags |= F_CR;
        return HTTP_RESPONSE_NEED_MORE;
    }
    if (r->flags & F_CAPTURE) {
        return capture_byte(r, (char)c);
    }
    if (r->line_len >= M2M_HTTP_LINE_MAX) {
        return HTTP_RESPONSE_ERR_LINE_TOO_LONG;
    }
    /* The name is a token, so only the ':' right after it can match. */
    if (c == ':' && r->capture_name != NULL && r->state == S_HEADER &&
        equals_ci(r->line, r->line_len, r->capture_name)) {
        r->flags |= F_CAPTURE;
        r->captured = 1;
        r->captured_len = 0;
    }
    r->line[r->line_len++] = (char)c;
    return HTTP_RESPONSE_NEED_MORE;
}

void http_response_init(http_response_t *r)
{
    r->capture_name = NULL;
    begin_head(r);
}

void http_response_capture_header(http_response_t *r, const char *name, char *buf, size_t cap)
{
    r->capture_name = cap > 0 ? name : NULL;
    r->capture_buf = buf;
    r->capture_cap = cap;
    if (cap > 0) {
        buf[0] = '\0';
    }
}

http_response_status_t http_response_feed(http_response_t *r, const uint8_t *in, size_t len,
                                          size_t *used, const uint8_t **body, size_t *body_len)
{
    http_response_status_t st = HTTP_RESPONSE_NEED_MORE;
    size_t i = 0;

    *used = 0;
    *body = NULL;
    *body_len = 0;
    if (r->state >= S_DONE) {
        return r->state == S_DONE && len == 0 ? HTTP_RESPONSE_DONE : HTTP_RESPONSE_ERR_STATE;
    }
    while (st == HTTP_RESPONSE_NEED_MORE) {
        if (r->state >= S_BODY_LENGTH) {
            size_t n = len - i;
            if (r->state != S_BODY_CLOSE) {
                if (r->remaining == 0) {
                    /* A complete body: reported even when len is 0. */
                    if (r->state == S_BODY_LENGTH) {
                        r->state = S_DONE;
                        st = HTTP_RESPONSE_DONE;
                    } else {
                        r->state = S_CHUNK_END;
                    }
                    continue;
                }
                if (n > r->remaining) {
                    n = (size_t)r->remaining;
                }
                r->remaining -= n;
            }
            if (n == 0) {
                break;
            }
            *body = in + i;
            *body_len = n;
            i += n;
            st = HTTP_RESPONSE_BODY;
        } else if (i == len) {
            break;
        } else if (r->state == S_CHUNK_END) {
            uint8_t c = in[i++];
            if (c == '\n') {
                r->flags &= (uint8_t)~F_CR;
                r->state = S_CHUNK_SIZE;
            } else if (c == '\r' && !(r->flags & F_CR)) {
                r->flags |= F_CR;
            } else {
                st = HTTP_RESPONSE_ERR_CHUNK_END;
            }
        } else {
            st = line_byte(r, in[i++]);
        }
    }
    if (st < 0) {
        r->state = S_ERROR;
    }
    *used = i;
    return st;
}

http_response_status_t http_response_finish(http_response_t *r)
{
    if (r->state == S_DONE || r->state == S_BODY_CLOSE ||
        (r->state == S_BODY_LENGTH && r->remaining == 0)) {
        r->state = S_DONE;
        return HTTP_RESPONSE_DONE;
    }
    r->state = S_ERROR;
    return HTTP_RESPONSE_ERR_TRUNCATED;
}

const char *http_response_strerror(http_response_status_t st)
{
#if M2M_STRERROR_TEXT
    switch (st) {
    case HTTP_RESPONSE_NEED_MORE:
        return "need more input";
    case HTTP_RESPONSE_HEADERS:
        return "headers complete";
    case HTTP_RESPONSE_BODY:
        return "body bytes";
    case HTTP_RESPONSE_DONE:
        return "response complete";
    case HTTP_RESPONSE_ERR_STATUS_LINE:
        return "malformed status line";
    case HTTP_RESPONSE_ERR_LINE_TOO_LONG:
        return "line too long";
    case HTTP_RESPONSE_ERR_TOO_MANY_HEADERS:
        return "too many header lines";
    case HTTP_RESPONSE_ERR_HEADER:
        return "malformed header line";
    case HTTP_RESPONSE_ERR_CONTENT_LENGTH:
        return "invalid or conflicting Content-Length";
    case HTTP_RESPONSE_ERR_BODY_TOO_LARGE:
        return "Content-Length too large";
    case HTTP_RESPONSE_ERR_CHUNK_SIZE:
        return "malformed chunk size";
    case HTTP_RESPONSE_ERR_CHUNK_TOO_LARGE:
        return "chunk too large";
    case HTTP_RESPONSE_ERR_CHUNK_END:
        return "chunk data not followed by CRLF";
    case HTTP_RESPONSE_ERR_TRANSFER_ENCODING:
        return "unsupported Transfer-Encoding";
    case HTTP_RESPONSE_ERR_TRUNCATED:
        return "response truncated";
    case HTTP_RESPONSE_ERR_STATE:
        return "parser already finished";
    case HTTP_RESPONSE_ERR_CAPTURE_TOO_LONG:
        return "captured header value too long";
    }
    return "unknown HTTP response status";
#else
    return strbuf_status_code((int)st);
#endif
}

# SPDX-License-Identifier: Apache-2.0
"""Huawei Cloud API Gateway request signing, SDK-HMAC-SHA256, written from
the numbered rules of reference/apig-signing.md (no SDK code): sign() is the
client side, verify() what the gateway does with a signed request.

Python 3 standard library only: hashlib and hmac for the crypto,
urllib.parse.unquote only to percent-decode what a client sent. The encoder
(rule 7) is this module's own.
"""

import calendar
import hashlib
import hmac
import re
import time
import urllib.parse

ALGORITHM = "SDK-HMAC-SHA256"
DATE_HEADER = "x-sdk-date"
CONTENT_SHA256_HEADER = "x-sdk-content-sha256"
EMPTY_BODY_SHA256 = hashlib.sha256(b"").hexdigest()
MAX_SKEW_S = 15 * 60  # the gateway's tolerance for X-Sdk-Date (rule 2)

_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
_HEX = "0123456789ABCDEF"
_DATE_RE = re.compile(r"^[0-9]{8}T[0-9]{6}Z$")
_HEADER_NAME_RE = re.compile(r"^[!#$%&'*+.^_`|~0-9a-z-]+$")  # lower-case RFC 9110 token
_AUTH_RE = re.compile(r"^SDK-HMAC-SHA256 Access=([^ ,]+), SignedHeaders=([^ ,]+), "
                      r"Signature=([^ ,]+)$")


class AuthError(Exception):
    """A signed request the gateway refuses. kind is one of "malformed"
    (Authorization or SignedHeaders not as rule 14/8 say, a signed header
    missing or repeated), "date" (X-Sdk-Date missing or not a date),
    "date_range" (more than MAX_SKEW_S from the server's clock),
    "unknown_ak", "signature" (the signatures differ). reason says what
    exactly; canonical_request is the server's, when it got that far."""

    def __init__(self, kind, reason, canonical_request=None, ak=None):
        super().__init__("%s: %s" % (kind, reason))
        self.kind = kind
        self.reason = reason
        self.canonical_request = canonical_request
        self.ak = ak


# ---- the rules ---------------------------------------------------------------


def encode(text):
    """Rule 7: UTF-8 bytes; A-Za-z0-9-_.~ as they are, every other byte as
    %XY with upper-case hex."""
    out = []
    for b in text.encode("utf-8"):
        if b in _UNRESERVED:
            out.append(chr(b))
        else:
            out.append("%" + _HEX[b >> 4] + _HEX[b & 15])
    return "".join(out)


def canonical_uri(path):
    """Rule 5: each segment of the (decoded) path encoded, joined by '/',
    with a trailing '/' added when missing."""
    uri = "/".join(encode(seg) for seg in path.split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(pairs):
    """Rule 6: (key, value) pairs, decoded, sorted by key then value
    (code point order, which is UTF-8 byte order), each side encoded,
    "key=value" joined by '&'. An empty value is still "key="."""
    return "&".join("%s=%s" % (encode(k), encode(v)) for k, v in sorted(pairs))


def canonical_request(method, path, query_pairs, signed, header_value, payload_hash):
    """Rule 3: the six parts joined by '\\n'. signed: lower-case names in
    order; header_value(name) gives the value sent (trimmed here, rule 9)."""
    headers = "".join("%s:%s\n" % (n, header_value(n).strip()) for n in signed)
    return "\n".join((method.upper(), canonical_uri(path), canonical_query(query_pairs),
                      headers, ";".join(signed), payload_hash))


def payload_hash(body, content_sha256=None):
    """Rule 10: hex SHA-256 of the body bytes, unless X-Sdk-Content-Sha256
    gives the value to use."""
    if content_sha256 is not None:
        return content_sha256.strip()
    return hashlib.sha256(body).hexdigest()


def string_to_sign(canonical, sdk_date):
    """Rule 11."""
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return "%s\n%s\n%s" % (ALGORITHM, sdk_date, digest)


def signature(sts, sk):
    """Rules 12 and 13: HMAC-SHA256 keyed with the raw SK, lower-case hex."""
    return hmac.new(sk.encode("utf-8"), sts.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization(ak, signed, sig):
    """Rule 14."""
    return "%s Access=%s, SignedHeaders=%s, Signature=%s" % (ALGORITHM, ak, ";".join(signed), sig)


def format_date(epoch_s):
    """Rule 2: "YYYYMMDDTHHMMSSZ" in UTC."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(epoch_s))


def parse_date(text):
    """Epoch seconds of an X-Sdk-Date value; ValueError if it is not one."""
    if not _DATE_RE.match(text):
        raise ValueError("not YYYYMMDDTHHMMSSZ: %r" % text)
    return calendar.timegm(time.strptime(text, "%Y%m%dT%H%M%SZ"))


def _as_bytes(body):
    if body is None:
        return b""
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


# ---- client side ---------------------------------------------------------------


class Signed:
    """What sign() produced: target (path and canonical query, as the
    Python SDK sends it), headers (list of (name, value), X-Sdk-Date and
    Authorization included) and every intermediate string."""

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def header_dict(self):
        return dict(self.headers)


def sign(method, path, query, headers, body, ak, sk, date=None, signed_headers=None):
    """Sign a request as the official Python SDK does.

    query: (key, value) pairs, raw. headers: a dict or (name, value) pairs
    to send; Host is signed only when given here. X-Sdk-Date is taken from
    headers, else date (a string or epoch seconds), else now. signed_headers:
    names to sign; default every header sent except names holding '_'.
    body: bytes or str."""
    hdrs = list(headers.items()) if isinstance(headers, dict) else list(headers)
    lower = {n.lower(): v for n, v in hdrs}
    if DATE_HEADER not in lower:
        if date is None:
            date = time.time()
        if not isinstance(date, str):
            date = format_date(date)
        hdrs.append(("X-Sdk-Date", date))
        lower[DATE_HEADER] = date
    if signed_headers is None:
        signed_headers = [n for n in lower if "_" not in n]
    signed = sorted(n.lower() for n in signed_headers)
    data = _as_bytes(body)
    phash = payload_hash(data, lower.get(CONTENT_SHA256_HEADER))
    query = list(query or [])
    creq = canonical_request(method, path, query, signed, lambda n: lower[n], phash)
    sts = string_to_sign(creq, lower[DATE_HEADER].strip())
    sig = signature(sts, sk)
    auth = authorization(ak, signed, sig)
    cq = canonical_query(query)
    return Signed(target=path + ("?" + cq if cq else ""), headers=hdrs + [("Authorization", auth)],
                  canonical_request=creq, string_to_sign=sts, signature=sig, authorization=auth,
                  signed_headers=signed, sdk_date=lower[DATE_HEADER])


# ---- server side ---------------------------------------------------------------


def parse_authorization(value):
    """(ak, [signed header names], signature) of an Authorization value in
    rule 14's exact form; AuthError("malformed") otherwise."""
    m = _AUTH_RE.match(value)
    if m is None:
        raise AuthError("malformed", "Authorization is not 'SDK-HMAC-SHA256 Access=<AK>, "
                        "SignedHeaders=<a;b>, Signature=<hex>': %r" % value[:200])
    ak, names, sig = m.groups()
    signed = names.split(";")
    for n in signed:
        if not _HEADER_NAME_RE.match(n):
            raise AuthError("malformed", "SignedHeaders entry %r is not a lower-case header "
                            "name" % n, ak=ak)
    if signed != sorted(set(signed)):
        raise AuthError("malformed", "SignedHeaders %r is not sorted or repeats a name" % names,
                        ak=ak)
    if not re.fullmatch(r"[0-9a-f]{64}", sig):
        raise AuthError("malformed", "Signature is not 64 lower-case hex digits", ak=ak)
    return ak, signed, sig


def decode_query(raw):
    """(key, value) pairs of a received query: split on '&', then '=',
    percent-decoded ('+' stays '+'); a bare "key" is ("key", "")."""
    pairs = []
    for part in raw.split("&"):
        if part:
            k, _, v = part.partition("=")
            pairs.append((urllib.parse.unquote(k, errors="strict"),
                          urllib.parse.unquote(v, errors="strict")))
    return pairs


def verify(method, target, headers, body, lookup_sk, now, max_skew_s=MAX_SKEW_S,
           must_sign=()):
    """Check a request signed with SDK-HMAC-SHA256 as the gateway would.

    target: the request target as received (path and raw query). headers:
    (name, value) pairs as received. lookup_sk(ak): the SK, or None for an
    unknown AK. now: the server's clock, epoch seconds. must_sign: lower-case
    header names that SignedHeaders must hold besides x-sdk-date.
    Returns (ak, signed header names, canonical request); raises AuthError."""
    values = {}
    for n, v in headers:
        values.setdefault(n.lower(), []).append(v)
    auth = values.get("authorization", [""])
    if len(auth) != 1:
        raise AuthError("malformed", "Authorization sent %d times" % len(auth))
    ak, signed, sig = parse_authorization(auth[0])
    for name in (DATE_HEADER,) + tuple(must_sign):
        if name not in signed:
            raise AuthError("malformed", "SignedHeaders lacks %s" % name, ak=ak)
    for name in signed:
        n = len(values.get(name, ()))
        if n != 1:
            raise AuthError("malformed", "signed header %s sent %d times" % (name, n), ak=ak)
    sdk_date = values[DATE_HEADER][0].strip()
    try:
        when = parse_date(sdk_date)
    except ValueError as e:
        raise AuthError("date", "X-Sdk-Date: %s" % e, ak=ak) from None
    if abs(when - now) > max_skew_s:
        raise AuthError("date_range", "X-Sdk-Date %s is %+d s from the server's %s"
                        % (sdk_date, when - now, format_date(now)), ak=ak)
    sk = lookup_sk(ak)
    if sk is None:
        raise AuthError("unknown_ak", "AK %r is not known" % ak, ak=ak)
    path, _, raw_query = target.partition("?")
    try:
        decoded_path = urllib.parse.unquote(path, errors="strict")
        pairs = decode_query(raw_query)
    except UnicodeDecodeError as e:
        raise AuthError("malformed", "path or query is not UTF-8 once decoded: %s" % e,
                        ak=ak) from None
    content = values.get(CONTENT_SHA256_HEADER)
    phash = payload_hash(_as_bytes(body), content[0] if content else None)
    creq = canonical_request(method, decoded_path, pairs, signed, lambda n: values[n][0], phash)
    want = signature(string_to_sign(creq, sdk_date), sk)
    if not hmac.compare_digest(want.encode("ascii"), sig.encode("ascii")):
        raise AuthError("signature", "signature differs from the server's", canonical_request=creq,
                        ak=ak)
    return ak, signed, creq

#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ModelArts simulator: the "Querying a Training Job List" calls
(GET /v1/{project_id}/training-jobs, and v2's
POST /v2/{project_id}/training-job-searches, see sim_v2.py) over HTTPS, with
a control API under /_sim/ to change jobs, shape responses and inject faults
at run time.

    python3 tests/sim/modelarts_sim.py --port 0 --cert C --key K [--token T]
        [--project-id P] [--jobs FILE] [--generate N] [--demo] [--options JSON]
        [--ak AK --sk SK ...] [--security-token T] [--clock-offset S]
        [--iam-user U --iam-password P --iam-domain D] [--extra-project ID[:TOKEN]]...

One simulator serves several projects with --extra-project: each extra
project has its own job set, fault queue and fixed token (the --token when
none is given), and its control API is under /_sim/projects/<ID>/ (the same
paths as /_sim/: jobs, generate, faults, options, reset). /_sim/ itself
acts on the --project-id project; /_sim/reset resets every project.

Requests are authenticated with X-Auth-Token (the --token, or a token the
IAM endpoint POST /v3/auth/tokens issued) or an SDK-HMAC-SHA256 signature
(sim_signer.py).

The first line on stdout is "PORT <n>". See docs/simulator.md.
Python 3 standard library only.
"""

import argparse
import collections
import json
import os
import random
import re
import signal
import socket
import ssl
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sim_body  # noqa: E402
import sim_iam  # noqa: E402
import sim_jobs  # noqa: E402
import sim_signer  # noqa: E402
import sim_v2  # noqa: E402
import sim_v2_items  # noqa: E402

DEFAULT_PROJECT_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"

DEFAULT_OPTIONS = {
    "chunked": False,  # Transfer-Encoding: chunked instead of Content-Length
    "chunk_min": 1,  # chunk sizes, bytes
    "chunk_max": 700,
    "chunk_extensions": False,  # ";name=value" after some chunk sizes
    "trailers": False,  # trailer fields after the last chunk
    "pretty": False,  # indented JSON
    "pretty_indent": 2,
    "pretty_newline": "\n",  # "\r\n" for CRLF inside the body
    "shuffle_keys": False,  # random key order, top level and in jobs
    "extra_fields": False,  # unknown fields, top level and in jobs
    "ascii_escape": False,  # non-ASCII as \\uXXXX (surrogate pairs too)
    "connection_close": False,  # "Connection: close" and close after each API response
    "silent_close_every": 0,  # close after every Nth API response without saying so
    "silent_close_probability": 0.0,  # ... or with this probability
    "delay_ms": 0,  # before every API response
    "write_max": 0,  # >0: send the response in pieces of at most this many bytes
    "write_delay_ms": 0,  # pause between those pieces
    "quotas": 50,
    "job_count_limit": 45,
    "job_total_count": None,  # override the total reported (None: the real count)
    "strict_query": True,  # 400 for unknown or repeated parameters, raw characters
    "header_case": "normal",  # "normal", "lower", "upper" or "random" header names
    "content_type": "application/json;charset=UTF-8",
    "seed": None,  # random seed of chunking, shuffling, faults
    "clock_offset_s": 0,  # the simulator's clock is this far ahead of the host's
    "token_lifetime_s": 86400,  # of tokens the IAM endpoint issues
    "token_length": 0,  # characters of an issued token; 0: random 3000..5000
    "tls_resumption": True,  # False: no session cache or ticket key shared between connections
    "tls_tickets": True,  # False: no session tickets; resumption by session ID only
    "idle_timeout_ms": 60000,  # close a keep-alive connection idle this long between requests
    "v2_offset": "page",  # v2 "offset": "page" index, "item" offset, or "ignore"d (first page)
    "v2_count": "matching",  # v2 "count": the "matching" jobs, or the "page" length
    "v2_total": None,  # override the v2 "total" (None: the jobs of the workspace)
    "v2_item_bytes": 0,  # >0: pad every v2 item to this many bytes of compact JSON
    "v2_pad_in": "parameters",  # where: algorithm.parameters or metadata "annotations"
}

REASONS = {
    200: "OK", 201: "Created", 301: "Moved Permanently", 302: "Found", 307: "Temporary Redirect",
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict",
    413: "Request Entity Too Large", 429: "Too Many Requests", 500: "Internal Server Error",
    502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}

FAULT_KINDS = ("status", "truncate", "garbage", "malformed", "close", "stall")
# What a fault hits: the list call, or IAM's token request (POST /v3/auth/tokens).
FAULT_TARGETS = ("list", "iam")

API_PATH = re.compile(r"^/v1/([^/?#]*)/training-jobs$")
IAM_TOKENS_PATH = "/v3/auth/tokens"

AUTH_MSG = "Incorrect IAM authentication information: "

# Characters allowed raw in a query by RFC 3986: unreserved, sub-delims,
# ":", "@", "/", "?", and "%" of a pct-encoded triplet.
QUERY_RAW_OK = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?%"
)
KNOWN_PARAMS = ("status", "per_page", "page", "sortBy", "order", "search_content", "workspace_id")


class QueryError(ValueError):
    pass


def percent_decode(s):
    """RFC 3986 percent-decoding to UTF-8 text: "+" stays "+"; a bad escape
    or invalid UTF-8 raises QueryError."""
    out = bytearray()
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c == "%":
            h = s[i + 1:i + 3]
            if len(h) != 2 or any(x not in "0123456789abcdefABCDEF" for x in h):
                raise QueryError("bad percent-escape at %r" % s[i:i + 3])
            out.append(int(h, 16))
            i += 3
        else:
            out += c.encode("latin-1", "replace") if ord(c) < 256 else c.encode("utf-8")
            i += 1
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError as e:
        raise QueryError("query is not UTF-8 after decoding: %s" % e) from None


def parse_query(raw, strict):
    """[(name, value)] of a raw query string, percent-decoded."""
    if strict:
        bad = sorted({c for c in raw if c not in QUERY_RAW_OK})
        if bad:
            raise QueryError("characters not allowed in a query: %r" % "".join(bad))
    pairs = []
    for part in raw.split("&"):
        if part == "":
            continue
        name, _, value = part.partition("=")
        pairs.append((percent_decode(name), percent_decode(value)))
    return pairs


def _int_param(params, name, lo, hi, default):
    if name not in params:
        return default
    v = params[name]
    if not re.fullmatch(r"[0-9]{1,10}", v) or not lo <= int(v) <= hi:
        raise QueryError("%s must be an integer in [%d, %d], got %r" % (name, lo, hi, v))
    return int(v)


class SimState:
    """Everything the handlers share. Methods that touch the counters and
    the fault queue hold the lock."""

    def __init__(self, token, project_id, initial_jobs=None, generate=0, seed=1, demo=False,
                 options=None, credentials=None, security_token=None, iam_user=None,
                 iam_password=None, iam_domain=None, project_name=None):
        """token: the fixed X-Auth-Token accepted (None: only issued ones).
        credentials: {AK: SK} (or (AK, SK) pairs) accepted in signatures;
        security_token: when set, signed requests must carry and sign it as
        X-Security-Token. iam_*: the one user the IAM endpoint knows."""
        self.token = token
        self.project_id = project_id
        self.project_name = project_name or sim_iam.DEFAULT_PROJECT_NAME
        self.credentials = dict(credentials or {})
        self.security_token = security_token
        self.iam_user = iam_user
        self.iam_password = iam_password
        self.iam_domain = iam_domain
        self.iam_domain_id = sim_iam.hex_id("domain", iam_domain or "")
        self.lock = threading.Lock()
        self.store = sim_jobs.JobStore()
        self._initial_jobs = initial_jobs or []
        self._generate = generate
        self._seed = seed
        self._demo = demo
        self._initial_options = dict(options or {})
        self.extra = {}  # project id -> SimState of an --extra-project
        self.reset()

    def add_project(self, project_id, token):
        """One more project, with its own jobs (none), faults and fixed
        token; AK/SK credentials and the IAM user are this state's."""
        if project_id == self.project_id or project_id in self.extra:
            raise ValueError("project %s is served already" % project_id)
        self.extra[project_id] = SimState(token, project_id, options=self._initial_options,
                                          project_name=project_id)
        return self.extra[project_id]

    def project_state(self, project_id):
        """The state serving project_id, or None when no project has it."""
        if project_id == self.project_id:
            return self
        return self.extra.get(project_id)

    def reset_all(self):
        self.reset()
        for extra in self.extra.values():
            extra.reset()

    def reset(self):
        with self.lock:
            self.options = dict(DEFAULT_OPTIONS)
            self.options.update(self._initial_options)
            self.rng = random.Random(self.options["seed"])
            self.faults = collections.deque()
            self.tokens = sim_iam.TokenStore()
            self._clear_log()
        if self._demo:
            self.store.start_demo()
        elif self._generate:
            self.store.generate(self._generate, seed=self._seed)
            for j in self._initial_jobs:
                self.store.add(j)
        else:
            self.store.replace(self._initial_jobs)

    def now(self):
        """The simulator's clock (epoch seconds): the host's, shifted by
        the clock_offset_s option."""
        return time.time() + float(self.options["clock_offset_s"])

    def _clear_log(self):
        self.requests = collections.deque(maxlen=20000)
        self.log_seq = 0
        self.stats = {
            "connections": 0,  # connections that carried at least one API request
            "connections_accepted": 0,  # every TCP connection, control API included
            "tls_handshakes": 0,
            "tls_handshakes_full": 0,  # every connection, control API included
            "tls_handshakes_resumed": 0,
            "api_handshakes_full": 0,  # connections that carried a list call (the agent's)
            "api_handshakes_resumed": 0,
            "tls_failures": 0,
            "requests": 0,  # API requests (not /_sim/)
            "v2_requests": 0,  # ... of them, v2 list calls
            "control_requests": 0,
            "responses": collections.Counter(),
            "faults_applied": 0,
            "silent_closes": 0,
            "aksk_verified": 0,  # list calls whose signature was right
            "auth_failures": 0,  # list calls refused with 401 (any kind of credentials)
            "iam_requests": 0,  # requests to /v3/ (IAM)
            "iam_tokens_issued": 0,
        }
        self.last_tls_error = None

    def clear_log(self):
        with self.lock:
            self._clear_log()

    def set_options(self, changes):
        if not isinstance(changes, dict):
            raise ValueError("options must be a JSON object")
        faults = changes.pop("faults", None)
        check_options(changes)
        with self.lock:
            self.options.update(changes)
            if "seed" in changes:
                self.rng = random.Random(changes["seed"])
        if faults is not None:
            with self.lock:
                self.faults.clear()
            self.add_faults(faults)
        return self.get_options()

    def get_options(self):
        with self.lock:
            o = dict(self.options)
            o["faults"] = [dict(f) for f in self.faults]
            return o

    def add_faults(self, spec):
        items = spec if isinstance(spec, list) else [spec]
        parsed = []
        for f in items:
            if not isinstance(f, dict):
                raise ValueError("a fault must be a JSON object")
            unknown = sorted(set(f) - {"kind", "status", "body", "headers", "count", "skip",
                                       "ms", "reason", "page", "target", "api", "offset"})
            if unknown:
                raise ValueError("unknown fault keys: %s" % ", ".join(unknown))
            kind = f.get("kind", "status")
            if kind not in FAULT_KINDS:
                raise ValueError("fault kind must be one of %s" % ", ".join(FAULT_KINDS))
            target = f.get("target", "list")
            if target not in FAULT_TARGETS:
                raise ValueError("fault target must be one of %s" % ", ".join(FAULT_TARGETS))
            api = f.get("api")
            if api not in (None, "v1", "v2") or (api is not None and target != "list"):
                raise ValueError("fault api must be v1 or v2, and only on list calls")
            g = {"kind": kind, "count": int(f.get("count", 1)), "skip": int(f.get("skip", 0)),
                 "page": None if f.get("page") is None else int(f["page"]), "target": target,
                 "api": api, "offset": None if f.get("offset") is None else int(f["offset"])}
            if kind == "status":
                g["status"] = int(f.get("status", 500))
            for k in ("body", "headers", "ms", "reason"):
                if k in f:
                    g[k] = f[k]
            parsed.append(g)
        with self.lock:
            self.faults.extend(parsed)

    def next_fault(self, page, target="list", api="v1", offset=None):
        """The fault for this request (page: the v1 call's page parameter
        as sent, or None; target: "list" for a list call, "iam" for an IAM
        token request; api: "v1" or "v2" for a list call; offset: the v2
        call's offset as sent, or None), or None. The first fault of the
        queue first lets "skip" requests through, then hits "count"
        requests; a fault only sees requests of its target, and of its api
        when it names one; one with a "page" only sees v1 requests for that
        page, one with an "offset" only v2 requests with that offset."""
        with self.lock:
            if not self.faults:
                return None
            f = self.faults[0]
            if f["target"] != target or (f["page"] is not None
                                         and (api != "v1" or f["page"] != page)):
                return None
            if f.get("api") is not None and f["api"] != api:
                return None
            if f.get("offset") is not None and (api != "v2" or f["offset"] != offset):
                return None
            if f["skip"] > 0:
                f["skip"] -= 1
                return None
            f["count"] -= 1
            if f["count"] <= 0:
                self.faults.popleft()
            self.stats["faults_applied"] += 1
            return dict(f)

    def new_connection(self):
        with self.lock:
            self.stats["connections_accepted"] += 1
            return self.stats["connections_accepted"]

    def count(self, key, n=1):
        with self.lock:
            self.stats[key] += n

    def tls_failed(self, err):
        with self.lock:
            self.stats["tls_failures"] += 1
            self.last_tls_error = err

    def record(self, entry, first_on_connection, iam=False):
        """Log a request; list calls (iam False) and IAM requests have
        their own counters."""
        with self.lock:
            if iam:
                self.stats["iam_requests"] += 1
            else:
                self.stats["requests"] += 1
                if entry.get("api") == "v2":
                    self.stats["v2_requests"] += 1
                if first_on_connection:
                    self.stats["connections"] += 1
                    resumed = bool(getattr(_tls_local, "resumed", False))
                    self.stats["api_handshakes_resumed" if resumed else
                               "api_handshakes_full"] += 1
            self.log_seq += 1
            entry["seq"] = self.log_seq
            self.requests.append(entry)

    def annotate(self, entry, **fields):
        with self.lock:
            entry.update(fields)

    def stats_json(self):
        with self.lock:
            s = dict(self.stats)
            s["responses"] = {str(k): v for k, v in sorted(self.stats["responses"].items())}
            s["faults_pending"] = len(self.faults)
            s["last_tls_error"] = self.last_tls_error
            s["jobs"] = self.store.count()
            s["iam_tokens_live"] = len(self.tokens.live)
            return s

    def lookup_sk(self, ak):
        return self.credentials.get(ak)

    def issue_token(self, project_id, rng_length):
        """A new token for project_id (None: domain-scoped): (token,
        issued_s, expires_s)."""
        with self.lock:
            now = time.time() + float(self.options["clock_offset_s"])
            life = float(self.options["token_lifetime_s"])
            length = int(self.options["token_length"]) or self.rng.randint(*rng_length)
            token = sim_iam.make_token(self.rng, length)
            self.tokens.add(token, project_id, now + life, sim_iam.iso_utc(now + life))
            self.stats["iam_tokens_issued"] += 1
            return token, now, now + life

    def token_status(self, token, project=None):
        """("fixed"|"live"|"expired"|"revoked"|None, info) of an
        X-Auth-Token value; project: the project of the request, whose
        fixed token is looked at first (projects may share one)."""
        own = self.extra.get(project)
        if own is not None and own.token is not None and token == own.token:
            return "fixed", {"project_id": own.project_id}
        if self.token is not None and token == self.token:
            return "fixed", {"project_id": self.project_id}
        for extra in self.extra.values():
            if extra.token is not None and token == extra.token:
                return "fixed", {"project_id": extra.project_id}
        with self.lock:
            kind, info = self.tokens.lookup(token)
            if kind == "live" and self.now() >= info["expires_s"]:
                return "expired", info
            return kind, info

    def revoke_tokens(self):
        with self.lock:
            return self.tokens.revoke_all()


def check_options(changes):
    """ValueError for unknown keys and for bad values of the clock, token
    and idle timeout options (the response options are taken as given)."""
    unknown = sorted(k for k in changes if k not in DEFAULT_OPTIONS)
    if unknown:
        raise ValueError("unknown options: %s" % ", ".join(unknown))
    sim_v2.check_options(changes)
    for k, lo, hi in (("clock_offset_s", -10 ** 9, 10 ** 9), ("token_lifetime_s", 0, 10 ** 9),
                      ("token_length", 0, 65536), ("idle_timeout_ms", 1, 3600000)):
        if k in changes:
            v = changes[k]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
                raise ValueError("%s must be a number in [%d, %d]" % (k, lo, hi))
    if changes.get("token_length") and changes["token_length"] < 16:
        raise ValueError("token_length must be 0 (random) or at least 16")


_tls_local = threading.local()


class SimServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, addr, ssl_ctx, state, verbose=False, cert=None, key=None):
        self.ssl_ctx = ssl_ctx
        self.cert = cert
        self.key = key
        self.ssl_ctx_no_tickets = None
        if cert is not None:
            self.ssl_ctx_no_tickets = make_ssl_context(cert, key, tickets=False)
        self.state = state
        self.verbose = verbose
        super().__init__(addr, SimHandler)

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, in the connection's own thread, so a
        # slow or failing client never blocks the accept loop.
        conn_id = self.state.new_connection()
        request.settimeout(10)
        # As web servers do: a response's last TLS record is not held back
        # (Nagle) until the client's delayed ACK of the one before.
        try:
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        # One context for every connection shares its session cache and
        # ticket key, so clients can resume; a context of its own cannot.
        opts = self.state.options
        ctx = self.ssl_ctx
        if self.cert is not None:
            if not opts["tls_resumption"]:
                ctx = make_ssl_context(self.cert, self.key)
            elif not opts["tls_tickets"]:
                ctx = self.ssl_ctx_no_tickets
        try:
            tls = ctx.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.state.tls_failed("%s: %s" % (type(e).__name__, e))
            return
        resumed = bool(tls.session_reused)
        self.state.count("tls_handshakes")
        self.state.count("tls_handshakes_resumed" if resumed else "tls_handshakes_full")
        _tls_local.conn_id = conn_id
        _tls_local.resumed = resumed
        try:
            self.RequestHandlerClass(tls, client_address, self)
        except (ConnectionError, ssl.SSLError, OSError, TimeoutError):
            pass
        finally:
            try:
                tls.settimeout(0.2)
                tls.unwrap()  # close_notify, as web servers send it
            except (ssl.SSLError, OSError, ValueError):
                pass
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        if self.verbose:
            super().handle_error(request, client_address)


class SimHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ModelArtsSim/1.0"
    sys_version = ""
    timeout = 60  # idle keep-alive connections end after this many seconds

    def setup(self):
        super().setup()
        self.conn_id = getattr(_tls_local, "conn_id", 0)
        self.tls_resumed = bool(getattr(_tls_local, "resumed", False))
        self.api_requests_here = 0
        self.api_version = "v1"  # of the last list call on this connection
        self._log_entry = {}

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write("sim: conn %d: %s\n" % (self.conn_id, fmt % args))

    # ---- dispatch --------------------------------------------------------

    def handle_one_request(self):
        # Between requests a keep-alive connection waits idle_timeout_ms at
        # most, as a web server's keep-alive timeout; a request once started
        # has the full timeout (_dispatch).
        idle = float(self.server.state.options["idle_timeout_ms"]) / 1000.0
        self.connection.settimeout(max(0.001, idle))
        super().handle_one_request()

    def do_GET(self):
        self._dispatch("GET")

    def do_HEAD(self):
        self._dispatch("HEAD")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _read_body(self):
        n = self.headers.get("Content-Length")
        if n is None:
            if self.headers.get("Transfer-Encoding"):
                self.close_connection = True  # requests are never chunked here
            return b""
        try:
            n = int(n)
        except ValueError:
            self.close_connection = True
            return b""
        return self.rfile.read(n) if n > 0 else b""

    def _dispatch(self, method):
        self.connection.settimeout(self.timeout)
        body = self._read_body()
        path = self.path
        if path.startswith("/_sim/") or path == "/_sim":
            self.server.state.count("control_requests")
            self._control(method, path, body)
        elif path.startswith("/v3/") or path.startswith("/v3."):
            self._iam(method, path, body)
        else:
            self._api(method, path, body)

    # ---- writing ---------------------------------------------------------

    def _header_name(self, name):
        mode = self.server.state.options["header_case"]
        if mode == "lower":
            return name.lower()
        if mode == "upper":
            return name.upper()
        if mode == "random":
            rng = self.server.state.rng
            return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in name)
        return name

    def _send(self, status, headers, body, chunked=False, close=False, reason=None,
              api=True, truncate=False):
        st = self.server.state
        opts = st.options
        lines = ["HTTP/1.1 %d %s" % (status, reason or REASONS.get(status, "Status"))]
        hdrs = [("Date", self.date_time_string(st.now())), ("Server", self.server_version)]
        hdrs += list(headers)
        if chunked:
            hdrs.append(("Transfer-Encoding", "chunked"))
            if opts["trailers"] and api:
                hdrs.append(("Trailer", "X-Sim-Trailer, X-Sim-Checksum"))
        else:
            declared = len(body) * 2 + 100 if truncate else len(body)
            hdrs.append(("Content-Length", str(declared)))
        if close:
            hdrs.append(("Connection", "close"))
        else:
            hdrs.append(("Connection", "keep-alive"))
        for k, v in hdrs:
            lines.append("%s: %s" % (self._header_name(k) if api else k, v))
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if self.command == "HEAD":
            body = b""
        if chunked:
            with st.lock:
                pieces = sim_body.chunk_pieces(body, opts, st.rng)
            if truncate:
                pieces = pieces[: max(1, len(pieces) // 2)]
            self._write([head] + pieces, api)
        else:
            if truncate:
                body = body[: len(body) // 2]
            self._write([head, body], api)
        if api:
            with st.lock:
                st.stats["responses"][status] += 1
        if close or truncate:
            self.close_connection = True

    def _write(self, pieces, api):
        opts = self.server.state.options
        step = int(opts["write_max"]) if api else 0
        pause = float(opts["write_delay_ms"]) / 1000.0 if api else 0.0
        sock = self.connection
        if step <= 0:
            if pause <= 0:
                sock.sendall(b"".join(pieces))
                return
            for p in pieces:
                sock.sendall(p)
                time.sleep(pause)
            return
        data = b"".join(pieces)
        for i in range(0, len(data), step):
            sock.sendall(data[i:i + step])
            if pause > 0:
                time.sleep(pause)

    def _json(self, status, obj, api=False, extra_headers=(), close=False):
        body = json.dumps(obj, separators=(",", ":")).encode("utf-8")
        ctype = "application/json;charset=UTF-8" if status == 201 else "application/json"
        headers = [("Content-Type", ctype)] + list(extra_headers)
        self._send(status, headers, body, close=close, api=api)

    # ---- the list call ---------------------------------------------------

    def _request_id(self):
        with self.server.state.lock:
            return "%032x" % self.server.state.rng.getrandbits(128)

    def _apig_error(self, status, code, msg, extra_headers=()):
        body = {"error_msg": msg, "error_code": code, "request_id": self._request_id()}
        self._json(status, body, api=True, extra_headers=extra_headers)

    def _ma_error(self, status, code, msg):
        body = {"is_success": False, "error_message": msg, "error_code": code}
        self._json(status, body, api=True)

    def _api(self, method, path, body):
        st = self.server.state
        target, _, raw_query = path.partition("?")
        headers = self._logged_headers()
        first = self.api_requests_here == 0
        self.api_requests_here += 1
        v2 = sim_v2.PATH.match(target)
        self.api_version = "v2" if v2 else "v1"
        self._log_entry = {
            "time": time.time(),
            "connection": self.conn_id,
            "kind": "api",
            "api": self.api_version,
            "method": method,
            "path": target,
            "query": raw_query,
            "target": path,
            "version": self.request_version,
            "headers": headers,
            "body_length": len(body),
            "tls_resumed": self.tls_resumed,
        }
        if v2:
            self._log_entry["body"] = sim_v2.logged_body(body)
        st.record(self._log_entry, first)
        opts = st.options
        if opts["delay_ms"]:
            time.sleep(float(opts["delay_ms"]) / 1000.0)
        if v2:
            pst = st.project_state(v2.group(1)) or st
            fault = pst.next_fault(None, api="v2", offset=sim_v2.fault_offset(body))
        else:
            m = re.search(r"(?:^|&)page=([^&]*)", raw_query)
            page = 1 if m is None else (int(m.group(1)) if m.group(1).isdigit() else None)
            m = API_PATH.match(target)
            pst = (st.project_state(m.group(1)) if m is not None else None) or st
            fault = pst.next_fault(page)
        if fault is not None:
            self._fault(fault, self.api_version)
            return
        if v2:
            self._v2_call(method, v2, raw_query, body)
        else:
            self._list_call(method, target, raw_query, body)
        if not self.close_connection:
            self._maybe_silent_close()

    def _maybe_silent_close(self):
        st = self.server.state
        opts = st.options
        close = False
        with st.lock:
            every = int(opts["silent_close_every"])
            if every > 0 and st.stats["requests"] % every == 0:
                close = True
            p = float(opts["silent_close_probability"])
            if p > 0 and st.rng.random() < p:
                close = True
            if close:
                st.stats["silent_closes"] += 1
        if close:
            self.close_connection = True

    def _logged_headers(self):
        headers = []
        for k, v in self.headers.items():
            if k.lower() in ("x-auth-token", "x-security-token", "x-subject-token"):
                v = "<redacted: %d bytes>" % len(v)
            headers.append([k, v])
        return headers

    def _list_call(self, method, target, raw_query, body=b""):
        st = self.server.state
        opts = st.options
        if self.headers.get("Host") is None:
            self._apig_error(400, "APIG.0201", "Bad request: missing Host header")
            return
        m = API_PATH.match(target)
        if m is None or method not in ("GET", "HEAD"):
            self._apig_error(404, "APIG.0101",
                             "The API does not exist or has not been published in the "
                             "environment")
            return
        pst = self._authorize(method, body, m.group(1), self._ma_error, lambda: self._ma_error(
            403, "ModelArts.0210", "The project ID in the URL does not match the token."))
        if pst is None:
            return
        try:
            q = self._parse_params(raw_query, opts["strict_query"])
        except QueryError as e:
            self._ma_error(400, "ModelArts.0101", "Invalid argument: %s" % e)
            return
        if q["workspace_id"] not in pst.store.workspaces():
            self._ma_error(400, "ModelArts.0102",
                           "Workspace %s does not exist." % q["workspace_id"])
            return
        matching = pst.store.query(q["workspace_id"], q["search_content"], q["status"],
                                  q["sortBy"], q["order"])
        start = (q["page"] - 1) * q["per_page"]
        page = [sim_jobs.api_view(j) for j in matching[start:start + q["per_page"]]]
        total = opts["job_total_count"]
        top = {
            "is_success": True,
            "quotas": opts["quotas"],
            "job_total_count": len(matching) if total is None else total,
            "job_count_limit": opts["job_count_limit"],
        }
        with st.lock:
            body = sim_body.list_body(top, page, opts, st.rng)
        headers = [("Content-Type", opts["content_type"]), ("X-Request-Id", self._request_id())]
        self._send(200, headers, body, chunked=opts["chunked"], close=opts["connection_close"])

    def _v2_error(self, status, code, msg):
        self._json(status, sim_v2.error_body(code, msg), api=True,
                   extra_headers=[("X-Request-Id", self._request_id())])

    def _v2_call(self, method, m, raw_query, body):
        """POST /v2/{project_id}/training-job-searches (sim_v2.py)."""
        st = self.server.state
        opts = st.options
        if self.headers.get("Host") is None:
            self._apig_error(400, "APIG.0201", "Bad request: missing Host header")
            return
        if method != "POST":
            self._apig_error(404, "APIG.0101",
                             "The API does not exist or has not been published in the "
                             "environment")
            return
        pst = self._authorize(method, body, m.group(1), self._v2_error, lambda: self._v2_error(
            404, "ModelArts.2786", "The project ID in the URL does not match the token."))
        if pst is None:
            return
        try:
            q = sim_v2.parse_request(body, self.headers.get("Content-Type"), raw_query,
                                     opts["strict_query"])
            top, items = sim_v2.search(pst.store, pst.project_id, q, opts)
        except sim_v2.V2Error as e:
            self._v2_error(e.status, e.code, e.msg)
            return
        with st.lock:
            data = sim_v2.response_body(top, items, opts, st.rng)
        headers = [("Content-Type", opts["content_type"]), ("X-Request-Id", self._request_id())]
        self._send(200, headers, data, chunked=opts["chunked"], close=opts["connection_close"])

    # ---- authentication -------------------------------------------------

    def _authorize(self, method, body, raw_project, ma_error, wrong_project):
        """The state of the project a list call names (raw_project, as in
        its path) once its credentials are right for it; None once a refusal
        was sent. ma_error(status, code, msg) sends ModelArts' refusal of an
        X-Project-Id that is not the path's; wrong_project() the refusal of
        a project that is not served or not the token's."""
        try:
            project = percent_decode(raw_project)
        except QueryError:
            project = None
        auth = self.headers.get("Authorization")
        if auth is not None and auth.startswith(sim_signer.ALGORITHM):
            token_project = self._check_signature(method, body, project)
        else:
            token_project = self._check_token(project)
        if token_project is False:
            return None
        x_project = self.headers.get("X-Project-Id")
        if x_project is not None and x_project.strip() != project:
            ma_error(403, "ModelArts.0210",
                     "The project ID in the header X-Project-Id does not match the project ID "
                     "in the URL.")
            return None
        pst = self.server.state.project_state(project)
        if pst is None or token_project != project:
            wrong_project()
            return None
        return pst

    def _auth_refused(self, status, code, msg, detail):
        st = self.server.state
        st.count("auth_failures")
        st.annotate(self._log_entry, auth=detail)
        self._apig_error(status, code, AUTH_MSG + msg if code == "APIG.0301" else msg)
        return False

    def _check_token(self, project=None):
        """The project the X-Auth-Token is scoped to (None: a domain
        token), or False once a 401 has been sent. project: the one the
        request names."""
        st = self.server.state
        token = self.headers.get("X-Auth-Token")
        if token is None:
            return self._auth_refused(401, "APIG.0301", "x-auth-token not found",
                                      {"mode": "none", "result": "missing"})
        kind, info = st.token_status(token, project)
        detail = {"mode": "token", "result": kind or "unknown"}
        if kind is None:
            return self._auth_refused(401, "APIG.0301", "decrypt token fail", detail)
        if kind == "revoked":
            return self._auth_refused(401, "APIG.0307", "The token must be updated.", detail)
        if kind == "expired":
            return self._auth_refused(401, "APIG.0301",
                                      "token expires, expires_at: %s" % info["expires_at"],
                                      detail)
        st.annotate(self._log_entry, auth=detail)
        return info["project_id"]

    def _check_signature(self, method, body, project):
        """project (AK/SK is not scoped) once the SDK-HMAC-SHA256 signature
        checks out, or False once a 401 has been sent."""
        st = self.server.state
        must = ("x-security-token",) if st.security_token is not None else ()
        try:
            ak, signed, creq = sim_signer.verify(method, self.path, self.headers.items(), body,
                                                 st.lookup_sk, st.now(), must_sign=must)
            if must and self.headers.get("X-Security-Token", "").strip() != st.security_token:
                raise sim_signer.AuthError("security_token", "X-Security-Token is not the "
                                           "configured one", canonical_request=creq, ak=ak)
        except sim_signer.AuthError as e:
            detail = {"mode": "aksk", "ak": e.ak, "result": e.kind, "reason": e.reason,
                      "canonical_request": e.canonical_request}
            if e.kind == "date_range":
                msg = "the X-Sdk-Date is out of the 15 minutes range"
            elif e.kind == "unknown_ak":
                msg = "Get secretKey failed,ak:%s,err:ak not exist" % e.ak
            else:
                msg = "verify aksk signature fail"
            return self._auth_refused(401, "APIG.0301", msg, detail)
        st.count("aksk_verified")
        st.annotate(self._log_entry, auth={"mode": "aksk", "ak": ak, "result": "ok",
                                           "signed_headers": signed, "canonical_request": creq})
        return project

    # ---- IAM -------------------------------------------------------------

    def _iam(self, method, path, body):
        st = self.server.state
        target, _, raw_query = path.partition("?")
        entry = {
            "time": time.time(),
            "connection": self.conn_id,
            "kind": "iam",
            "method": method,
            "path": target,
            "query": raw_query,
            "target": path,
            "version": self.request_version,
            "headers": self._logged_headers(),
            "body_length": len(body),
            "body": sim_iam.redacted_body(body) if body else None,
        }
        st.record(entry, False, iam=True)
        fault = st.next_fault(None, "iam", api=None) if target == IAM_TOKENS_PATH else None
        if fault is not None:
            st.annotate(entry, result="fault:%s" % fault["kind"])
            if fault["kind"] == "status" and fault.get("body") is None:
                fault["body"] = sim_iam.IamError(fault["status"], "Injected fault.",
                                                 HTTPStatus(fault["status"]).phrase).body
            self._fault(fault)
            return
        try:
            if target != IAM_TOKENS_PATH:
                raise sim_iam.IamError(404, "The resource could not be found.", "Not Found")
            if method != "POST":
                raise sim_iam.IamError(405, "The method is not allowed for the requested URL.",
                                       "Method Not Allowed")
            status, headers, doc = self._iam_token(body, raw_query)
        except sim_iam.IamError as e:
            st.annotate(entry, result=e.status)
            self._json(e.status, e.body, extra_headers=[("X-Request-Id", self._request_id())])
            return
        st.annotate(entry, result=status)
        self._json(status, doc, extra_headers=headers)

    def _iam_token(self, body, raw_query):
        st = self.server.state
        user, password, domain_name, domain_id, scope = sim_iam.parse_request(body)
        ok = (st.iam_user is not None and user == st.iam_user
              and password == st.iam_password
              and (domain_name == st.iam_domain if domain_name is not None
                   else domain_id == st.iam_domain_id))
        if not ok:
            raise sim_iam.IamError(401, "The username or password is wrong.", "Unauthorized")
        project = None
        if scope is not None and scope[0] != "domain":
            if scope[0] == "project_id":
                pst = st.project_state(scope[1])
            else:
                pst = st if scope[1] == st.project_name else next(
                    (e for e in st.extra.values() if e.project_name == scope[1]), None)
            if pst is None:
                raise sim_iam.IamError(401, "The request you have made requires "
                                       "authentication.", "Unauthorized")
            project = (pst.project_id, pst.project_name)
        token, issued, expires = st.issue_token(project and project[0], (3000, 5000))
        nocatalog = any(k == "nocatalog" and v for k, v in
                        (p.partition("=")[::2] for p in raw_query.split("&")))
        doc = sim_iam.token_body(user, st.iam_domain, st.iam_domain_id, project, issued, expires,
                                 "https://localhost:%d" % self.server.server_address[1],
                                 with_catalog=not nocatalog)
        headers = [("X-Subject-Token", token), ("X-Request-Id", self._request_id())]
        return 201, headers, doc

    def _parse_params(self, raw_query, strict):
        pairs = parse_query(raw_query, strict)
        params = {}
        for name, value in pairs:
            if strict and name not in KNOWN_PARAMS:
                raise QueryError("unknown parameter %r" % name)
            if name in params:
                if strict:
                    raise QueryError("parameter %r given twice" % name)
                continue
            params[name] = value
        q = {
            "per_page": _int_param(params, "per_page", 1, 1000, 10),
            "page": _int_param(params, "page", 1, 65535, 1),
            "sortBy": params.get("sortBy", "job_name"),
            "order": params.get("order", "asc"),
            "search_content": params.get("search_content", ""),
            "workspace_id": params.get("workspace_id", "0"),
            "status": None,
        }
        if q["sortBy"] not in sim_jobs.SORT_KEYS:
            raise QueryError("sortBy must be one of %s, got %r"
                             % (", ".join(sim_jobs.SORT_KEYS), q["sortBy"]))
        if q["order"] not in ("asc", "desc"):
            raise QueryError("order must be asc or desc, got %r" % q["order"])
        if len(q["search_content"]) > 64:
            raise QueryError("search_content is longer than 64 characters")
        if "status" in params:
            if not re.fullmatch(r"[0-9]{1,5}", params["status"]):
                raise QueryError("status must be a job status code, got %r" % params["status"])
            q["status"] = int(params["status"])
        return q

    # ---- faults ----------------------------------------------------------

    def _fault(self, f, api="v1"):
        """Apply fault f to a request: a v1 or v2 list call (api), or an IAM
        token request (as v1: its bodies are given)."""
        kind = f["kind"]
        st = self.server.state
        if kind == "close":
            self.close_connection = True
            return
        if kind == "garbage":
            with st.lock:
                junk = bytes(st.rng.getrandbits(8) for _ in range(300))
            self._write([b"\x16\x03\x01 not http \x00\xff" + junk], True)
            self.close_connection = True
            return
        if kind == "stall":
            # Headers and the start of a body, then nothing for "ms".
            head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    "Content-Length: 1000\r\n\r\n").encode()
            start = sim_v2.STALL_START if api == "v2" else b'{"is_success":true,"jobs":['
            self._write([head, start], True)
            time.sleep(float(f.get("ms", 5000)) / 1000.0)
            self.close_connection = True
            return
        if kind in ("truncate", "malformed"):
            top = {"is_success": True, "quotas": 5, "job_total_count": 3, "job_count_limit": 3}
            jobs = [sim_jobs.api_view(sim_jobs.normalize_job({"job_id": i, "status": 8}, 1))
                    for i in (1, 2, 3)]
            with st.lock:
                if api == "v2":
                    body = sim_v2.sample_body(st.options, st.rng)
                else:
                    body = sim_body.list_body(top, jobs, st.options, st.rng)
            if kind == "malformed":
                body = body[: len(body) // 2] + b'"}}]]}'
            self._send(200, [("Content-Type", "application/json")], body,
                       chunked=st.options["chunked"], truncate=(kind == "truncate"))
            return
        status = f["status"]
        headers = [(k, str(v)) for k, v in (f.get("headers") or {}).items()]
        body = f.get("body")
        if body is None:
            body = default_error_body(status, self._request_id(), api)
            if status == 429 and not any(k.lower() == "retry-after" for k, _ in headers):
                headers.append(("Retry-After", "1"))
            if status in (301, 302, 307) and not any(k.lower() == "location" for k, _ in headers):
                headers.append(("Location", "https://elsewhere.invalid/v1/x/training-jobs"))
        if isinstance(body, (dict, list)):
            data = json.dumps(body, separators=(",", ":")).encode("utf-8")
            headers.insert(0, ("Content-Type", "application/json"))
        else:
            data = str(body).encode("utf-8")
        self._send(status, headers, data, chunked=st.options["chunked"],
                   close=st.options["connection_close"], reason=f.get("reason"))

    # ---- control API -----------------------------------------------------

    def _control(self, method, path, body):
        st = self.server.state
        target = path.partition("?")[0]
        try:
            data = json.loads(body.decode("utf-8")) if body else None
        except (ValueError, UnicodeDecodeError) as e:
            self._json(400, {"error": "body is not JSON: %s" % e})
            return
        try:
            self._json(200, self._control_route(st, method, target, data))
        except KeyError as e:
            self._json(404, {"error": "no such job or path: %s" % e})
        except (ValueError, TypeError) as e:
            self._json(400, {"error": str(e)})

    def _v2_items(self, st, jobs, missing=None):
        """The v2 items of jobs as the v2 call sends them (padding
        included); KeyError(missing) when there are none."""
        if not jobs and missing is not None:
            raise KeyError(missing)
        opts = self.server.state.options
        return [sim_v2_items.item(j, st.project_id, opts["v2_item_bytes"], opts["v2_pad_in"])
                for j in jobs]

    def _control_route(self, st, method, target, data):
        if (method, target) == ("GET", "/_sim/projects"):
            return [st.project_id] + list(st.extra)
        m = re.fullmatch(r"/_sim/projects/([^/]+)(/.*)", target)
        if m:
            pst = st.project_state(m.group(1))
            if pst is None:
                raise KeyError(m.group(1))
            return self._control_route(pst, method, "/_sim" + m.group(2), data)
        if (method, target) == ("POST", "/_sim/reset") and st.extra:
            st.reset_all()
            return {"reset": True}
        m = re.fullmatch(r"/_sim/jobs/(-?[0-9]+)/v2", target)
        if m and method == "GET":
            return self._v2_items(st, [j for j in st.store.all()
                                       if j["job_id"] == int(m.group(1))], m.group(1))[0]
        if (method, target) == ("GET", "/_sim/v2/items"):
            return self._v2_items(st, [j for ws in sorted(st.store.workspaces())
                                       for j in st.store.query(ws, "", None, "create_time",
                                                               "desc")])
        m = re.fullmatch(r"/_sim/jobs/(-?[0-9]+)", target)
        if m:
            jid = int(m.group(1))
            if method == "PATCH":
                return st.store.patch(jid, data)
            if method == "DELETE":
                st.store.delete(jid)
                return {"deleted": jid}
            if method == "GET":
                for j in st.store.all():
                    if j["job_id"] == jid:
                        return j
                raise KeyError(jid)
        route = (method, target)
        if route == ("GET", "/_sim/jobs"):
            return st.store.all()
        if route == ("PUT", "/_sim/jobs"):
            if isinstance(data, dict) and "jobs" in data:
                data = data["jobs"]
            if not isinstance(data, list):
                raise ValueError("PUT /_sim/jobs takes a JSON list of jobs")
            st.store.replace(data)
            return {"jobs": len(data)}
        if route == ("POST", "/_sim/jobs"):
            return st.store.add(data)
        if route == ("POST", "/_sim/generate"):
            d = data or {}
            n = st.store.generate(int(d.get("count", 0)), seed=d.get("seed", 1),
                                  first_id=int(d.get("first_id", 1000000)),
                                  workspace_id=str(d.get("workspace_id", "0")),
                                  replace=bool(d.get("replace", True)))
            return {"generated": n}
        if route == ("GET", "/_sim/options"):
            return st.get_options()
        if route in (("PUT", "/_sim/options"), ("PATCH", "/_sim/options")):
            return st.set_options(dict(data or {}))
        if route == ("POST", "/_sim/faults"):
            st.add_faults(data)
            return st.get_options()["faults"]
        if route == ("DELETE", "/_sim/faults"):
            st.set_options({"faults": []})
            return []
        if route == ("GET", "/_sim/requests"):
            with st.lock:
                return list(st.requests)
        if route == ("DELETE", "/_sim/requests"):
            st.clear_log()
            return {"cleared": True}
        if route == ("GET", "/_sim/stats"):
            return st.stats_json()
        if route == ("POST", "/_sim/revoke_tokens"):
            return {"revoked": st.revoke_tokens()}
        if route == ("POST", "/_sim/reset"):
            st.reset()
            return {"reset": True}
        if route == ("POST", "/_sim/tls_forget"):
            # A new context: the sessions and ticket key issued so far are
            # unknown, as after a server restart.
            if self.server.cert is None:
                raise ValueError("the server was started without its certificate files")
            self.server.ssl_ctx = make_ssl_context(self.server.cert, self.server.key)
            self.server.ssl_ctx_no_tickets = make_ssl_context(self.server.cert, self.server.key,
                                                              tickets=False)
            return {"forgotten": True}
        raise KeyError(target)


def default_error_body(status, request_id, api="v1"):
    """A realistic error body for an injected status (see
    reference/modelarts-api.md, sections 2c and 5): the gateway's for the
    statuses it answers, else ModelArts' of the v1 or v2 call (api)."""
    apig = {
        401: ("APIG.0301", "Incorrect IAM authentication information: decrypt token fail"),
        404: ("APIG.0101", "The API does not exist or has not been published in the environment"),
        408: ("APIG.0201", "Request timeout"),
        429: ("APIG.0308", "The throttling threshold has been reached: policy user over "
                           "ratelimit,limit:100,time:1 minute"),
        502: ("APIG.0202", "Backend unavailable"),
        504: ("APIG.0203", "Backend timeout"),
    }
    ma = {
        400: ("ModelArts.0101", "Invalid argument."),
        403: ("ModelArts.0108", "You are not authorized to perform operation list training jobs."),
        500: ("ModelArts.0010", "Internal error."),
        503: ("ModelArts.4700", "Gateway unavailable: the platform is being upgraded, retry later."),
    }
    if status in apig:
        code, msg = apig[status]
        return {"error_msg": msg, "error_code": code, "request_id": request_id}
    if 300 <= status < 400:
        return ""
    if api == "v2":
        return sim_v2.fault_error_body(status)
    if status in ma:
        code, msg = ma[status]
        return {"is_success": False, "error_message": msg, "error_code": code}
    return {"is_success": False, "error_message": "Error string", "error_code": "ModelArts.0105"}


def make_ssl_context(cert, key, tickets=True):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if not tickets:
        ctx.options |= ssl.OP_NO_TICKET  # the server's session cache still resumes by ID
    ctx.load_cert_chain(cert, key)
    return ctx


def start_server(state, cert, key, host="127.0.0.1", port=0, verbose=False):
    """Start a simulator in a background thread; returns the server (its
    port is server.server_address[1]). Stop it with stop_server()."""
    srv = SimServer((host, port), make_ssl_context(cert, key), state, verbose, cert, key)
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    t.start()
    srv.thread = t
    return srv


def stop_server(srv):
    srv.shutdown()
    srv.server_close()
    srv.thread.join(5)


def load_jobs_file(path):
    with open(path, "r", encoding="utf-8") as f:
        data = json.load(f)
    if isinstance(data, dict):
        data = data.get("jobs", [])
    if not isinstance(data, list):
        raise ValueError("%s: expected a JSON list of jobs or {\"jobs\": [...]}" % path)
    return data


def main(argv=None):
    ap = argparse.ArgumentParser(description="ModelArts training-job list simulator (HTTPS).")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--cert", required=True, help="server certificate (PEM)")
    ap.add_argument("--key", required=True, help="server private key (PEM)")
    ap.add_argument("--token", default=None,
                    help="a fixed X-Auth-Token that is accepted (besides issued ones)")
    ap.add_argument("--project-id", default=DEFAULT_PROJECT_ID)
    ap.add_argument("--project-name", default=sim_iam.DEFAULT_PROJECT_NAME,
                    help="the project's name, for IAM scopes by name")
    ap.add_argument("--ak", action="append", default=[], help="an accepted AK (with --sk)")
    ap.add_argument("--sk", action="append", default=[], help="the SK of the --ak before")
    ap.add_argument("--security-token", default=None,
                    help="signed requests must carry and sign this X-Security-Token")
    ap.add_argument("--clock-offset", type=float, default=None, metavar="S",
                    help="the simulator's clock is S seconds ahead (negative: behind)")
    ap.add_argument("--iam-user", default=None, help="the user POST /v3/auth/tokens knows")
    ap.add_argument("--iam-password", default=None)
    ap.add_argument("--iam-domain", default=None, help="that user's domain (account) name")
    ap.add_argument("--jobs", help="JSON file: a list of jobs, or {\"jobs\": [...]}")
    ap.add_argument("--generate", type=int, default=0, help="N synthetic jobs")
    ap.add_argument("--seed", type=int, default=1, help="seed of --generate")
    ap.add_argument("--demo", action="store_true", help="jobs that change over 90 s, looping")
    ap.add_argument("--options", default=None, help="JSON object of response options")
    ap.add_argument("--extra-project", action="append", default=[], metavar="ID[:TOKEN]",
                    help="one more project served, with its own jobs and fixed token "
                         "(default: --token); repeatable")
    ap.add_argument("-v", "--verbose", action="store_true", help="log requests to stderr")
    args = ap.parse_args(argv)

    try:
        jobs = load_jobs_file(args.jobs) if args.jobs else []
        options = json.loads(args.options) if args.options else {}
        if not isinstance(options, dict):
            raise ValueError("--options must be a JSON object")
        if args.clock_offset is not None:
            options["clock_offset_s"] = args.clock_offset
        check_options(options)
        if len(args.ak) != len(args.sk):
            raise ValueError("every --ak needs its --sk")
        iam = (args.iam_user, args.iam_password, args.iam_domain)
        if any(v is not None for v in iam) and any(v is None for v in iam):
            raise ValueError("--iam-user, --iam-password and --iam-domain go together")
        state = SimState(args.token, args.project_id, jobs, args.generate, args.seed, args.demo,
                         options, credentials=list(zip(args.ak, args.sk)),
                         security_token=args.security_token, iam_user=args.iam_user,
                         iam_password=args.iam_password, iam_domain=args.iam_domain,
                         project_name=args.project_name)
        for spec in args.extra_project:
            pid, _, tok = spec.partition(":")
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", pid):
                raise ValueError("--extra-project %r: the id must be 1..64 of A-Z a-z 0-9 _ -"
                                 % pid)
            state.add_project(pid, tok or args.token)
        srv = start_server(state, args.cert, args.key, args.host, args.port, args.verbose)
    except (OSError, ValueError, ssl.SSLError) as e:
        sys.stderr.write("modelarts_sim: %s\n" % e)
        return 2

    sys.stdout.write("PORT %d\n" % srv.server_address[1])
    sys.stdout.flush()

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    while not stop.wait(0.5):
        pass
    stop_server(srv)
    return 0


if __name__ == "__main__":
    sys.exit(main())

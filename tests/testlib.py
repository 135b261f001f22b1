# SPDX-License-Identifier: Apache-2.0
"""Helpers shared by the simulator self-tests, the end-to-end tests and the
demo: free ports, test certificates (openssl CLI), a real mosquitto, the
simulator, agent configuration files, running the agent, and an MQTT
subscriber (mosquitto_sub) that collects what a dashboard would see.

Every process is started in its own process group and registered with a
ProcessGroup; stop_all() ends each one by its own id (SIGTERM, then SIGKILL).
Python 3 standard library only.
"""

import http.client
import json
import os
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS_DIR)
SIM_SCRIPT = os.path.join(TESTS_DIR, "sim", "modelarts_sim.py")
DEFAULT_BINARY = os.path.join(ROOT, "build", "host", "modelarts2mqtt")

PROJECT_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"  # the simulator's default
TOKEN = "MIIT-sim-token-" + "Zx9" * 40  # long like an IAM token, easy to grep


def binary_path():
    return os.environ.get("M2M_BINARY", DEFAULT_BINARY)


def agent_command(binary=None):
    """The agent's argv prefix: $M2M_RUN_PREFIX (e.g. "qemu-aarch64" for a
    cross-compiled board, set by `make BOARD=... test`), then the binary
    (binary_path() unless another build is named)."""
    return shlex.split(os.environ.get("M2M_RUN_PREFIX", "")) + [binary or binary_path()]


def user_make_env():
    """The environment for running make in the project as a user would type it: without what
    an enclosing make (make test) passes down, its job server (MAKEFLAGS) and the variables of
    its command line, such as BOARD=linux-aarch64, which make also exports."""
    from_command_line = {word.split("=", 1)[0]
                         for word in os.environ.get("MAKEFLAGS", "").split() if "=" in word}
    dropped = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"} | from_command_line
    return {k: v for k, v in os.environ.items() if k not in dropped}


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


# ---- certificates ----------------------------------------------------------


def _openssl(args, cwd):
    r = subprocess.run(["openssl"] + args, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (" ".join(args), r.stderr.decode()))


def make_certs(directory, key_type="ec"):
    """Generate into directory: ca.crt/ca.key (the test CA), server.crt/key
    (CN=localhost, SAN DNS:localhost, IP:127.0.0.1, signed by the CA),
    other_ca.crt (an unrelated CA, for verification failures) and
    wronghost.crt/key (signed by the CA, but for another host name).
    key_type is "ec" (P-256) or "rsa" (2048). Returns a dict of paths."""
    newkey = (["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] if key_type == "ec"
              else ["-newkey", "rsa:2048"])
    d = directory
    ca_ext = ["-addext", "basicConstraints=critical,CA:TRUE",
              "-addext", "keyUsage=critical,keyCertSign,cRLSign"]
    _openssl(["req", "-x509", "-nodes", "-days", "3", "-subj", "/CN=modelarts2mqtt test CA"]
             + newkey + ["-keyout", "ca.key", "-out", "ca.crt"] + ca_ext, d)
    _openssl(["req", "-x509", "-nodes", "-days", "3", "-subj", "/CN=unrelated test CA"]
             + newkey + ["-keyout", "other_ca.key", "-out", "other_ca.crt"] + ca_ext, d)
    for name, cn, san in (("server", "localhost", "DNS:localhost,IP:127.0.0.1"),
                          ("wronghost", "elsewhere.example", "DNS:elsewhere.example")):
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write("basicConstraints=CA:FALSE\n"
                    "keyUsage=critical,digitalSignature,keyEncipherment\n"
                    "extendedKeyUsage=serverAuth\n"
                    "subjectKeyIdentifier=hash\n"
                    "authorityKeyIdentifier=keyid,issuer\n"
                    "subjectAltName=%s\n" % san)
        _openssl(["req", "-new", "-nodes", "-subj", "/CN=" + cn] + newkey
                 + ["-keyout", name + ".key", "-out", name + ".csr"], d)
        _openssl(["x509", "-req", "-days", "2", "-in", name + ".csr", "-CA", "ca.crt",
                  "-CAkey", "ca.key", "-CAcreateserial", "-out", name + ".crt",
                  "-extfile", name + ".ext"], d)
    return {k: os.path.join(d, v) for k, v in (
        ("ca", "ca.crt"), ("server_cert", "server.crt"), ("server_key", "server.key"),
        ("other_ca", "other_ca.crt"), ("wronghost_cert", "wronghost.crt"),
        ("wronghost_key", "wronghost.key"))}


# ---- processes -------------------------------------------------------------


class ProcessGroup:
    """The processes one test run started; stop_all() ends every one."""

    def __init__(self):
        self.procs = []

    def popen(self, args, **kw):
        kw.setdefault("start_new_session", True)  # own process group
        p = subprocess.Popen(args, **kw)
        self.procs.append(p)
        return p

    def stop(self, p, sig=signal.SIGTERM, timeout=5.0):
        """End p and its process group; returns its exit code."""
        if p.poll() is None:
            try:
                os.killpg(p.pid, sig)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait(5)
        else:
            # The leader is gone; anything left in its group goes too.
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        for f in (p.stdout, p.stderr, p.stdin):
            if f is not None:
                try:
                    f.close()
                except OSError:
                    pass
        return p.returncode

    def stop_all(self):
        for p in reversed(self.procs):
            self.stop(p)
        self.procs = []


class Mosquitto:
    """A real mosquitto on 127.0.0.1, anonymous, no persistence. With
    websockets=True it also has an MQTT over WebSockets listener on ws_port
    (a free port unless given) serving the files of http_dir, if set, over
    HTTP (examples/jobboard). With tls_certs (make_certs()) it also has an
    MQTT over TLS listener on tls_port, with the test CA's server
    certificate."""

    def __init__(self, procs, workdir, websockets=False, http_dir=None, ws_port=None,
                 log_types=("error", "warning"), tls_certs=None):
        self.log_types = log_types  # mosquitto's log_type lines; e.g. "notice" logs connects
        self.procs = procs
        self.workdir = workdir
        self.proc = None
        self.port = None
        self.websockets = websockets
        self.http_dir = http_dir
        self.ws_port = ws_port
        self._ws_port_given = ws_port is not None
        self.tls_certs = tls_certs
        self.tls_port = None

    def start(self, tries=5, port=None):
        """Start on a free port, or on port (a restart: no retries)."""
        for _ in range(1 if port else tries):
            self.port = port or free_port()
            conf = os.path.join(self.workdir, "mosquitto-%d.conf" % self.port)
            with open(conf, "w") as f:
                f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
                        "log_dest stderr\n" % self.port)
                f.write("".join("log_type %s\n" % t for t in self.log_types))
                if os.getuid() == 0:
                    f.write("user root\n")  # stay the user that started it
                if self.websockets:
                    if self.ws_port is None or not (port or self._ws_port_given):
                        self.ws_port = free_port()  # a restart keeps its port
                    f.write("listener %d 127.0.0.1\nprotocol websockets\n" % self.ws_port)
                    if self.http_dir:
                        f.write("http_dir %s\n" % os.path.abspath(self.http_dir))
                if self.tls_certs:
                    if self.tls_port is None or not port:
                        self.tls_port = free_port()  # a restart keeps its port
                    f.write("listener %d 127.0.0.1\ncafile %s\ncertfile %s\nkeyfile %s\n"
                            % (self.tls_port, self.tls_certs["ca"], self.tls_certs["server_cert"],
                               self.tls_certs["server_key"]))
            self.log_path = os.path.join(self.workdir, "mosquitto-%d.log" % self.port)
            log = open(self.log_path, "wb")
            self.proc = self.procs.popen(["mosquitto", "-c", conf], stdout=log,
                                         stderr=subprocess.STDOUT)
            log.close()
            if (wait_port(self.port, 5) and (not self.websockets or wait_port(self.ws_port, 5))
                    and (not self.tls_certs or wait_port(self.tls_port, 5))
                    and self.proc.poll() is None):
                return self
            self.procs.stop(self.proc)
        raise RuntimeError("mosquitto did not start")

    def stop(self):
        if self.proc is not None:
            self.procs.stop(self.proc)

    def restart(self):
        """Stop and start again on the same port (retained messages are
        lost: persistence is off)."""
        self.stop()
        deadline = time.monotonic() + 10
        while True:
            try:
                return self.start(port=self.port)
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


class Simulator:
    """The simulator as its own process, and a client of its control API."""

    def __init__(self, procs, certs, token=TOKEN, project_id=PROJECT_ID):
        self.procs = procs
        self.certs = certs
        self.token = token
        self.project_id = project_id
        self.proc = None
        self.port = None

    def start(self, jobs=None, demo=False, generate=0, options=None, cert=None, key=None,
              verbose=False, ak=None, sk=None, security_token=None, iam_user=None,
              iam_password=None, iam_domain=None, clock_offset=None, extra_projects=()):
        """Start the simulator process. extra_projects: more projects it
        serves, "ID" (the token is this simulator's) or "ID:TOKEN". ak and sk: one accepted key pair,
        or ak alone as a list of (AK, SK) pairs. security_token: signed
        requests must carry it (X-Security-Token). iam_user, iam_password,
        iam_domain: the user of POST /v3/auth/tokens. clock_offset: seconds
        the simulator's clock runs ahead (negative: behind)."""
        args = [sys.executable, SIM_SCRIPT, "--port", "0",
                "--cert", cert or self.certs["server_cert"],
                "--key", key or self.certs["server_key"],
                "--project-id", self.project_id]
        if self.token is not None:
            args += ["--token", self.token]
        pairs = [(ak, sk)] if isinstance(ak, str) else list(ak or [])
        for a, s in pairs:
            args += ["--ak", a, "--sk", s]
        if security_token is not None:
            args += ["--security-token", security_token]
        if iam_user is not None:
            args += ["--iam-user", iam_user, "--iam-password", iam_password,
                     "--iam-domain", iam_domain]
        if clock_offset is not None:
            args += ["--clock-offset", str(clock_offset)]
        for spec in extra_projects:
            args += ["--extra-project", spec]
        if jobs is not None:
            path = os.path.join(os.path.dirname(self.certs["ca"]),
                                "jobs-%s.json" % uuid.uuid4().hex[:8])
            with open(path, "w") as f:
                json.dump(jobs, f)
            args += ["--jobs", path]
        if demo:
            args.append("--demo")
        if generate:
            args += ["--generate", str(generate)]
        if options:
            args += ["--options", json.dumps(options)]
        if verbose:
            args.append("--verbose")
        self.proc = self.procs.popen(args, stdout=subprocess.PIPE,
                                     stderr=None if verbose else subprocess.DEVNULL)
        line = _readline_timeout(self.proc.stdout, 10)
        if not line.startswith(b"PORT "):
            self.procs.stop(self.proc)
            raise RuntimeError("simulator did not start: %r" % line)
        self.port = int(line.split()[1])
        return self

    def stop(self):
        if self.proc is not None:
            self.procs.stop(self.proc)

    @property
    def endpoint(self):
        return "https://localhost:%d" % self.port

    @property
    def iam_endpoint(self):
        """The IAM endpoint: the same server (POST /v3/auth/tokens)."""
        return self.endpoint

    def list_path(self):
        return "/v1/%s/training-jobs" % self.project_id

    def _connection(self):
        ctx = ssl.create_default_context(cafile=self.certs["ca"])
        ctx.check_hostname = False  # the chain is still verified; the host
        # name may be deliberately wrong (wronghost certificate)
        return http.client.HTTPSConnection("localhost", self.port, context=ctx, timeout=30)

    # The control API (HTTPS, verified against the test CA).
    def call(self, method, path, body=None):
        conn = self._connection()
        try:
            data = None if body is None else json.dumps(body).encode()
            hdrs = {"Connection": "close"}
            if data is not None:
                hdrs["Content-Type"] = "application/json"
            conn.request(method, path, body=data, headers=hdrs)
            r = conn.getresponse()
            text = r.read()
            if r.status != 200:
                raise RuntimeError("%s %s: %d %s" % (method, path, r.status, text[:300]))
            return json.loads(text)
        finally:
            conn.close()

    def set_jobs(self, jobs):
        return self.call("PUT", "/_sim/jobs", jobs)

    def add_job(self, job):
        return self.call("POST", "/_sim/jobs", job)

    def patch_job(self, job_id, fields):
        return self.call("PATCH", "/_sim/jobs/%d" % job_id, fields)

    def delete_job(self, job_id):
        return self.call("DELETE", "/_sim/jobs/%d" % job_id)

    def set_options(self, **opts):
        return self.call("PUT", "/_sim/options", opts)

    def add_fault(self, **fault):
        return self.call("POST", "/_sim/faults", fault)

    def requests(self):
        return self.call("GET", "/_sim/requests")

    def stats(self):
        return self.call("GET", "/_sim/stats")

    def clear_log(self):
        return self.call("DELETE", "/_sim/requests")

    def reset(self):
        return self.call("POST", "/_sim/reset")

    def revoke_tokens(self):
        """Make every token the IAM endpoint issued invalid."""
        return self.call("POST", "/_sim/revoke_tokens")

    def set_clock_offset(self, seconds):
        return self.set_options(clock_offset_s=seconds)

    def iam_token(self, user, password, domain, project_id=None):
        """A project-scoped token from the simulator's IAM endpoint:
        (X-Subject-Token, response body). RuntimeError unless 201."""
        doc = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": user, "password": password, "domain": {"name": domain}}}},
            "scope": {"project": {"id": project_id or self.project_id}}}}
        conn = self._connection()
        try:
            conn.request("POST", "/v3/auth/tokens", body=json.dumps(doc).encode(),
                         headers={"Content-Type": "application/json;charset=utf8",
                                  "Connection": "close"})
            r = conn.getresponse()
            text = r.read()
            if r.status != 201:
                raise RuntimeError("POST /v3/auth/tokens: %d %s" % (r.status, text[:300]))
            return r.getheader("X-Subject-Token"), json.loads(text)
        finally:
            conn.close()


def _readline_timeout(f, timeout):
    result = []
    t = threading.Thread(target=lambda: result.append(f.readline()), daemon=True)
    t.start()
    t.join(timeout)
    return result[0] if result else b""


# ---- agent -----------------------------------------------------------------


def write_agent_config(path, sim_port, mqtt_port, ca_file, agent_id, token=TOKEN,
                       project_id=PROJECT_ID, per_page=10, poll_interval=30, timeout=5,
                       base_topic="modelarts", qos=1, modelarts_extra=None, mqtt_extra=None,
                       auth="token", ak=None, sk=None, user=None, password=None, domain=None,
                       iam_endpoint=None):
    """Write the agent's INI file (DESIGN.md, Configuration). Keys in
    *_extra are added (or override) in their section; None drops a key.
    auth "aksk" writes ak and sk; auth "password" writes iam_endpoint
    (default: the simulator, https://localhost:<sim_port>), user, domain and
    password; neither writes a token."""
    if auth not in ("token", "aksk", "password"):
        raise ValueError("auth must be token, aksk or password")
    ma = {
        "endpoint": "https://localhost:%d" % sim_port,
        "project_id": project_id,
        "auth": auth,
        "token": token if auth == "token" else None,
        "ca_file": ca_file,
        "per_page": per_page,
        "poll_interval": poll_interval,
        "timeout": timeout,
    }
    if auth == "aksk":
        ma.update({"ak": ak, "sk": sk})
    elif auth == "password":
        ma.update({"iam_endpoint": iam_endpoint or "https://localhost:%d" % sim_port,
                   "user": user, "domain": domain, "password": password})
    ma.update(modelarts_extra or {})
    mq = {
        "uri": "tcp://127.0.0.1:%d" % mqtt_port,
        "base_topic": base_topic,
        "agent_id": agent_id,
        "qos": qos,
        # Summary and health after every poll: tests count polls by them.
        "heartbeat": 0,
    }
    mq.update(mqtt_extra or {})
    with open(path, "w", encoding="utf-8") as f:
        for name, sec in (("modelarts", ma), ("mqtt", mq)):
            f.write("[%s]\n" % name)
            for k, v in sec.items():
                if v is not None:
                    f.write("%s = %s\n" % (k, v))
            f.write("\n")
    os.chmod(path, 0o600)  # it holds a secret: readable by its owner only
    return path


class AgentResult:
    def __init__(self, returncode, stdout, stderr, elapsed):
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.elapsed = elapsed

    def __repr__(self):
        return "exit %s after %.2fs\n--- stdout\n%s\n--- stderr\n%s" % (
            self.returncode, self.elapsed, self.stdout[-3000:], self.stderr[-3000:])


def run_agent(procs, args, timeout=30, env=None, binary=None):
    """Run the agent (binary_path(), or binary) to its end; a run that
    outlives timeout is killed and reported with returncode None."""
    start = time.monotonic()
    p = procs.popen(agent_command(binary) + list(args), stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, env=env)
    try:
        out, err = p.communicate(timeout=timeout)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        procs.stop(p, signal.SIGKILL)
        out, err = p.communicate()
        rc = None
    procs.procs.remove(p)
    return AgentResult(rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                       time.monotonic() - start)


def start_agent(procs, args, env=None, log_dir=None):
    """The agent in daemon mode; its stdout and stderr go to the file named
    by the returned process's .log_path (in log_dir, else the system's
    temporary directory: the caller removes it)."""
    fd, path = tempfile.mkstemp(prefix="agent-", suffix=".log", dir=log_dir)
    p = procs.popen(agent_command() + list(args), stdout=fd, stderr=subprocess.STDOUT, env=env)
    os.close(fd)
    p.log_path = path
    return p


# ---- MQTT subscriber ---------------------------------------------------------


class Message:
    __slots__ = ("topic", "payload", "retained", "qos", "time")

    def __init__(self, topic, payload, retained, qos):
        self.topic = topic
        self.payload = payload
        self.retained = retained
        self.qos = qos
        self.time = time.monotonic()

    def json(self):
        return json.loads(self.payload.decode("utf-8"))

    def __repr__(self):
        return "<%s%s %r>" % (self.topic, " (retained)" if self.retained else "",
                              self.payload[:200])


# %r retained flag, %q QoS, %l payload length, %x payload as hex, %t topic:
# hex keeps zero-byte and multi-line payloads intact.
SUB_FORMAT = "%r %q %l %x %t"


class Subscriber:
    """mosquitto_sub on a topic filter. start() returns once the broker has
    the subscription (a probe message came back), so nothing published
    after it is missed. messages holds every message in arrival order."""

    def __init__(self, procs, mqtt_port, topic="modelarts/#", extra_args=(), qos=1):
        self.qos = qos
        self.procs = procs
        self.port = mqtt_port
        self.topic = topic
        self.probe_topic = "m2m-test-probe/%s" % uuid.uuid4().hex
        self.extra_args = list(extra_args)
        self.messages = []
        self.cond = threading.Condition()
        self.proc = None
        self._probe_seen = False

    def command(self):
        """mosquitto_sub's argv: one line per message (parse_line reads it)."""
        return ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(self.port), "-q", str(self.qos),
                "-t", self.topic, "-t", self.probe_topic, "-F", SUB_FORMAT] + self.extra_args

    def parse_line(self, line):
        """A Message from one output line (newline stripped), or None."""
        parts = line.split(b" ", 4)
        if len(parts) != 5:
            return None
        r, q, _length, hexp, topic = parts
        return Message(topic.decode("utf-8", "replace"), bytes.fromhex(hexp.decode()),
                       r == b"1", int(q))

    def start(self, timeout=10.0):
        self.proc = self.procs.popen(self.command(), stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            publish(self.port, self.probe_topic, b"probe")
            with self.cond:
                if self.cond.wait_for(lambda: self._probe_seen, 0.3):
                    return self
        raise RuntimeError("mosquitto_sub did not subscribe")

    def _read(self):
        for line in self.proc.stdout:
            msg = self.parse_line(line.rstrip(b"\n"))
            if msg is None:
                continue
            with self.cond:
                if msg.topic == self.probe_topic:
                    self._probe_seen = True
                else:
                    self.messages.append(msg)
                self.cond.notify_all()

    def wait_for(self, predicate, timeout=10.0):
        """Wait until predicate(messages) is true; returns its value (falsy
        on timeout)."""
        with self.cond:
            return self.cond.wait_for(lambda: predicate(self.messages), timeout)

    def snapshot(self):
        with self.cond:
            return list(self.messages)

    def stop(self):
        if self.proc is not None:
            self.procs.stop(self.proc)


def publish(port, topic, payload, retain=False):
    # QoS 1 like the subscription: the broker keeps one queue in order, so a
    # probe arrives after the retained messages the subscription delivered.
    args = ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-t", topic,
            "-m", payload]
    if retain:
        args.append("-r")
    subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)


def retained(procs, mqtt_port, topic="modelarts/#", timeout=10.0):
    """The broker's retained messages under topic, as {topic: payload}. The
    subscription is QoS 0: a broker queues at most max_queued_messages (1000
    by default) QoS 1 messages for a subscriber, QoS 0 ones without that
    limit."""
    sub = Subscriber(procs, mqtt_port, topic, qos=0).start(timeout)
    try:
        return {m.topic: m.payload for m in sub.snapshot() if m.retained}
    finally:
        sub.stop()
        procs.procs.remove(sub.proc)


def last_by_topic(messages):
    out = {}
    for m in messages:
        out[m.topic] = m
    return out


class TempDir:
    def __init__(self, prefix="m2m-test-"):
        self.path = tempfile.mkdtemp(prefix=prefix)

    def cleanup(self):
        shutil.rmtree(self.path, ignore_errors=True)

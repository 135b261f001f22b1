#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make bench: the agent's cost, measured against the simulator and a real mosquitto on
loopback, for 100, 1,000, 10,000 and 100,000 jobs at per_page 10, 100 and 1000.

For every size and page size:
- first poll: `--once` from an empty broker (one walk), its wall time, CPU time (user + sys),
  peak RSS, pages (list requests), TLS handshakes and MQTT messages;
- peak RSS of `--once`, the median of five runs (10,000 jobs and fewer; at 100,000 the
  first-poll run's figure is shown);
- first start at 10,000 jobs, per_page 1000, with QoS 1 (the default), QoS 0 and `--dry-run`:
  what publishing costs next to reading;
- the v2 list call (`api = v2`, pages of 50) at 1,000 and 10,000 jobs: list requests, wall, CPU
  and peak RSS of a first start, and CPU of a steady poll;
- steady poll: the daemon (poll_interval 1 s) started with the job
  topics already retained, so that its polls find nothing changed; the simulator closes a
  connection idle for 500 ms, so every poll opens a new one, as with an API gateway whose
  keep-alive timeout is shorter than the poll interval. Per poll: wall time (the health
  log's "poll ok ... in N ms"), CPU time (/proc/<pid>/task/*/schedstat), bytes read from sockets
  (/proc/<pid>/io rchar), TLS handshakes full / resumed (the simulator's counters) and MQTT
  messages (a subscriber's count).
- instructions per body byte of parsing and diffing a steady poll at per_page 1000
  (callgrind): the daemon runs under callgrind, the second poll is dumped on its own, and the
  inclusive cost of the HTTP parser and the job splitter (which calls jsmn, the record parser
  and the job table) is divided by the body bytes of that poll. TLS and MQTT are outside.
Then TLS per poll at 1,000 jobs (keep-alive, reconnect with resumption, reconnect with a
server that refuses resumption), the scripted baseline (tests/bench_baseline.sh: curl, jq and
one mosquitto_pub per job) next to the agent, and DESIGN.md's budgets, met or missed.

Prints the tables and writes them to docs/performance.md, with a picture (gnuplot SVG).
"""

import argparse
import datetime
import glob
import http.client
import json
import os
import platform
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testlib  # noqa: E402

ROOT = testlib.ROOT
BUDGET_RSS_KB = 8 * 1024
BUDGET_RSS_SPREAD_KB = 256
BUDGET_BINARY = 200 * 1024
BUDGET_INSN_PER_BYTE = 8.0  # DESIGN.md: parse + diff of unchanged jobs, TLS aside
BUDGET_STEADY_CPU_S = 0.005  # DESIGN.md: a steady poll of 10,000 jobs at per_page 1000
PYTHON_AGENT_FIRST_START_S = 0.55  # DESIGN.md: a plain Python agent's first start, 10,000 jobs
PARSE_FUNCTIONS = ("http_response_feed", "http_response_finish", "job_stream_feed",
                   "job_stream_finish")
SIZES = (100, 1000, 10000, 100000)
PER_PAGES = (10, 100, 1000)
DEFAULT_CAPACITY = 10000  # modelarts.max_jobs of the host build
RSS_RUNS = 5  # --once runs per peak RSS figure: the median is reported
IDLE_MS = 500  # the simulator's keep-alive idle timeout in the steady runs
BASELINE_SIZES = (1000, 10000)
BASELINE_PER_PAGE = 100
# Several projects: the simulator serves these besides testlib.PROJECT_ID, and the agent watches
# 1, 2 and 4 projects of PROJECTS_JOBS jobs each at per_page 100 over one MQTT session.
EXTRA_PROJECTS = ("bench-p2", "bench-p3", "bench-p4")
PROJECT_COUNTS = (1, 2, 4)
PROJECTS_JOBS = 1000
CALLGRIND_MAX_JOBS = 10000
PUBLISH_WINDOW = 64  # M2M_PUBLISH_WINDOW of the host build (include/m2m_defaults.h)  # callgrind at 100,000 jobs takes over 4 minutes here


def steady_polls(jobs, per_page):
    if jobs >= 100000:
        return 1 if per_page == 10 else 2
    return 3 if jobs >= 10000 else 5


def mark(ok):
    return "met" if ok else "MISSED"


def ms(seconds):
    return "%.1f ms" % (seconds * 1000.0) if seconds < 1 else "%.2f s" % seconds


def kib(n):
    return "{:,} KiB".format(int(n))


def num(n):
    return "{:,}".format(int(round(n)))


# ---- processes ----------------------------------------------------------------------------


def timed(args, env=None):
    """Run to the end under GNU time: (exit code, wall s, user+sys s, peak RSS KiB, stdout,
    stderr). The peak RSS is GNU time's (the process tree it waited for: a child forked
    straight from Python would start with Python's resident pages counted in its peak);
    the CPU time is wait4()'s of GNU time, which holds its waited-for tree at microsecond
    resolution (GNU time prints hundredths), less GNU time's own cost (TIME_OVERHEAD)."""
    marker = "bench-rusage="
    start = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err_f:
        p = subprocess.Popen(["/usr/bin/time", "-f", marker + "%M"] + args, env=env,
                             stdout=out, stderr=err_f)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - start
        out.seek(0)
        err_f.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err_f.read().decode("utf-8", "replace")
    rss = 0
    err = []
    for line in stderr.splitlines():
        if line.startswith(marker):
            rss = int(line[len(marker):])
        else:
            err.append(line)
    cpu = max(0.0, ru.ru_utime + ru.ru_stime - TIME_OVERHEAD[0])
    return p.returncode, wall, cpu, rss, stdout, "\n".join(err)


TIME_OVERHEAD = [0.0]


def calibrate_time():
    """GNU time's own CPU time around a program that does nothing."""
    samples = sorted(timed(["true"])[2] for _ in range(5))
    TIME_OVERHEAD[0] = samples[len(samples) // 2]


def cpu_seconds(pid):
    """On-CPU time of every thread of pid (ns resolution, user and sys)."""
    total = 0
    for path in glob.glob("/proc/%d/task/*/schedstat" % pid):
        try:
            with open(path) as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total / 1e9


def read_bytes(pid):
    """Bytes pid has read with read()/recv(): its sockets, during polls."""
    with open("/proc/%d/io" % pid) as f:
        for line in f:
            if line.startswith("rchar:"):
                return int(line.split()[1])
    return 0


def start_broker(procs, work):
    """mosquitto with no queue limit: a subscriber counting 100,000 messages loses none."""
    port = testlib.free_port()
    conf = os.path.join(work, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
                "max_queued_messages 0\nlog_dest none\n" % port)
        if os.getuid() == 0:
            f.write("user root\n")
    proc = procs.popen(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    if not testlib.wait_port(port, 5) or proc.poll() is not None:
        raise SystemExit("mosquitto did not start")
    return port


class Counter:
    """mosquitto_sub on one agent's topics, live messages only (-R: no retained ones from
    before), counted as they arrive; health payloads are kept."""

    def __init__(self, procs, port, base, work):
        self.procs = procs
        self.base = base
        self.probe = "bench-probe/%s" % uuid.uuid4().hex
        self.path = os.path.join(work, "sub-%s.txt" % uuid.uuid4().hex[:8])
        out = open(self.path, "wb")
        self.proc = procs.popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-q", "1",
                                 "-R", "-t", base + "/#", "-t", self.probe, "-F", "%t %p"],
                                stdout=out, stderr=subprocess.DEVNULL)
        out.close()
        self.port = port
        self.f = open(self.path, "rb")
        self.rest = b""
        self.messages = 0
        self.health = []
        self.probe_seen = False
        deadline = time.monotonic() + 10
        while not self.probe_seen:
            if time.monotonic() > deadline:
                raise SystemExit("mosquitto_sub did not subscribe")
            testlib.publish(port, self.probe, b"probe")
            time.sleep(0.2)
            self.update()

    def update(self):
        data = self.rest + self.f.read()
        lines = data.split(b"\n")
        self.rest = lines.pop()
        for line in lines:
            topic, _, payload = line.partition(b" ")
            topic = topic.decode("utf-8", "replace")
            if topic == self.probe:
                self.probe_seen = True
            elif topic == self.base + "/status":
                continue  # online / offline: the session's, not a poll's
            else:
                self.messages += 1
                if topic == self.base + "/health":
                    self.health.append(json.loads(payload))

    def wait_health(self, n, proc, timeout):
        deadline = time.monotonic() + timeout
        while True:
            self.update()
            if len(self.health) >= n:
                return
            if proc is not None and proc.poll() is not None:
                raise SystemExit("the agent ended early (exit %s)" % proc.returncode)
            if time.monotonic() > deadline:
                raise SystemExit("no health message %d within %d s" % (n, timeout))
            time.sleep(0.05)

    def stop(self):
        self.procs.stop(self.proc)
        self.f.close()


def wait_polls(log_path, n, proc, timeout):
    """Wait until the daemon's log shows n successful polls; their latencies in ms. A failed
    poll ends the bench: steady figures are of complete polls only."""
    deadline = time.monotonic() + timeout
    pattern = re.compile(r"poll ok: .* in (\d+) ms")
    while True:
        with open(log_path, "r", errors="replace") as f:
            text = f.read()
        if "poll failed" in text or "poll refused" in text:
            raise SystemExit("a steady poll failed: see %s" % log_path)
        latencies = [int(m.group(1)) for m in pattern.finditer(text)]
        if len(latencies) >= n:
            return latencies
        if proc.poll() is not None:
            raise SystemExit("the agent ended early (exit %s)" % proc.returncode)
        if time.monotonic() > deadline:
            raise SystemExit("fewer than %d polls within %d s" % (n, timeout))
        time.sleep(0.05)


# ---- the bench ----------------------------------------------------------------------------


class Bench:
    def __init__(self, binary, work, procs, sizes):
        self.binary = binary
        self.work = work
        self.procs = procs
        self.sizes = sizes
        self.certs = testlib.make_certs(work)
        self.mqtt_port = start_broker(procs, work)
        self.sim = testlib.Simulator(procs, self.certs).start(extra_projects=EXTRA_PROJECTS)
        self.jobs = None
        self.api = "v1"  # the list call of the runs; "v2" adds api = v2 and its own agent ids

    def use_jobs(self, n):
        if self.jobs != n:
            self.sim.call("POST", "/_sim/generate", {"count": n, "seed": 1})
            self.jobs = n

    def sets(self, jobs):
        s = []
        if jobs > DEFAULT_CAPACITY:
            s += ["--set", "modelarts.max_jobs=%d" % jobs]
        return s

    def aid(self, name):
        """An agent id of this run's list call: the v2 runs have their own topics."""
        return ("v2-" + name) if self.api == "v2" else name

    def conf(self, agent_id, per_page, modelarts_extra=None):
        # [mqtt] heartbeat at its default: a steady poll publishes what changed only.
        if self.api == "v2":
            modelarts_extra = dict(modelarts_extra or {}, api="v2")
        return testlib.write_agent_config(
            os.path.join(self.work, agent_id + ".conf"), self.sim.port, self.mqtt_port,
            self.certs["ca"], agent_id, per_page=per_page, poll_interval=1, timeout=60,
            base_topic="bench", modelarts_extra=modelarts_extra, mqtt_extra={"heartbeat": None})

    def api_delta(self, before):
        after = self.sim.stats()
        return {k: after[k] - before[k] for k in ("requests", "api_handshakes_full",
                                                  "api_handshakes_resumed")}

    def first_poll(self, jobs, per_page):
        """--once from an empty broker, one walk; leaves the job topics retained."""
        agent_id = self.aid("a-%d-%d" % (jobs, per_page))
        counter = Counter(self.procs, self.mqtt_port, "bench/" + agent_id, self.work)
        before = self.sim.stats()
        rc, wall, cpu, rss, _, err = timed([self.binary, "-c", self.conf(agent_id, per_page),
                                            "--once", "-q"] + self.sets(jobs))
        if rc != 0:
            raise SystemExit("agent --once failed (exit %d):\n%s" % (rc, err))
        counter.wait_health(1, None, 60)
        time.sleep(0.3)
        counter.update()
        counter.stop()
        d = self.api_delta(before)
        return {"wall": wall, "cpu": cpu, "rss": rss, "pages": d["requests"],
                "hs": (d["api_handshakes_full"], d["api_handshakes_resumed"]),
                "messages": counter.messages}

    def first_start_modes(self, jobs=10000, per_page=1000, runs=RSS_RUNS):
        """Median wall, CPU and peak RSS of `--once` from an empty broker with QoS 1, QoS 0 and
        --dry-run (which publishes nothing)."""
        rows = []
        for name, extra in (("QoS 1 (default)", []), ("QoS 0", ["--set", "mqtt.qos=0"]),
                            ("--dry-run (no broker)", ["--dry-run"])):
            walls, cpus, rsss = [], [], []
            for run in range(runs):
                agent_id = "m-%d-%d" % (len(rows), run)
                rc, wall, cpu, rss, _, err = timed(
                    [self.binary, "-c", self.conf(agent_id, per_page), "--once", "-q"] +
                    self.sets(jobs) + extra)
                if rc != 0:
                    raise SystemExit("agent --once %s failed (exit %d):\n%s" % (name, rc, err))
                walls.append(wall)
                cpus.append(cpu)
                rsss.append(rss)
            mid = len(walls) // 2
            rows.append((name, sorted(walls)[mid], sorted(cpus)[mid], sorted(rsss)[mid]))
        return rows

    def v2_cell(self, jobs, per_page=50, polls=5):
        """First start (requests, wall, CPU, median peak RSS) and steady poll of the v2 call."""
        self.api = "v2"
        try:
            first = self.first_poll(jobs, per_page)
            rss, _ = self.default_rss(jobs, per_page, runs=3)
            steady = self.steady(jobs, per_page, polls)
        finally:
            self.api = "v1"
        return {"first": first, "rss": rss, "steady": steady}

    def default_rss(self, jobs, per_page, runs=RSS_RUNS):
        """Median peak RSS of runs `--once` from an empty broker (each its own agent_id): one
        run varies by about 150 KiB with the timing of Paho's thread and the broker."""
        samples = []
        for run in range(runs):
            agent_id = self.aid("r-%d-%d-%d" % (jobs, per_page, run))
            before = self.sim.stats()
            rc, _, _, rss, _, err = timed([self.binary, "-c", self.conf(agent_id, per_page),
                                           "--once", "-q"] + self.sets(jobs))
            if rc != 0:
                raise SystemExit("agent --once failed (exit %d):\n%s" % (rc, err))
            samples.append(rss)
        return sorted(samples)[len(samples) // 2], self.api_delta(before)["requests"]

    def projects_rss(self, jobs, per_page=100, runs=RSS_RUNS):
        """Median peak RSS and CPU of `--once` watching 1, 2 and 4 projects of `jobs` jobs each
        (the main project must hold `jobs` already), one project_id list, one MQTT session."""
        for p in EXTRA_PROJECTS:
            self.sim.call("POST", "/_sim/projects/%s/generate" % p, {"count": jobs, "seed": 2})
        rows = []
        for n in PROJECT_COUNTS:
            ids = [testlib.PROJECT_ID] + list(EXTRA_PROJECTS[:n - 1])
            rss, cpu = [], []
            for run in range(runs):
                agent_id = "p-%d-%d" % (n, run)
                conf = self.conf(agent_id, per_page, {"project_id": ", ".join(ids)})
                rc, _, c, r, _, err = timed([self.binary, "-c", conf, "--once", "-q"])
                if rc != 0:
                    raise SystemExit("agent --once with %d projects failed (exit %d):\n%s" %
                                     (n, rc, err))
                rss.append(r)
                cpu.append(c)
            rows.append((n, sorted(rss)[len(rss) // 2], sorted(cpu)[len(cpu) // 2]))
        return rows

    def steady(self, jobs, per_page, polls, idle_ms=IDLE_MS, resumption=True):
        """The daemon over the topics the first-poll run retained: per-poll figures of
        polls that find nothing changed (the first poll is left out)."""
        agent_id = self.aid("a-%d-%d" % (jobs, per_page))
        self.sim.set_options(idle_timeout_ms=idle_ms, tls_resumption=resumption)
        counter = Counter(self.procs, self.mqtt_port, "bench/" + agent_id, self.work)
        log_path = os.path.join(self.work, "daemon-%s.log" % agent_id)
        log = open(log_path, "wb")
        p = self.procs.popen([self.binary, "-c", self.conf(agent_id, per_page)] +
                             self.sets(jobs), stdout=log, stderr=subprocess.STDOUT)
        log.close()
        try:
            # Polls are counted in the log ("poll ok: ... in N ms"): a steady poll publishes
            # no health. The first two are left out: the second may follow the first at
            # once (the poll clock starts with the first), over its connection.
            wait_polls(log_path, 2, p, 600)
            counter.update()
            c0, r0, s0, m0 = cpu_seconds(p.pid), read_bytes(p.pid), self.sim.stats(), \
                counter.messages
            latencies = wait_polls(log_path, 2 + polls, p, 600)[2:2 + polls]
            c1, r1 = cpu_seconds(p.pid), read_bytes(p.pid)
            time.sleep(0.3)
            counter.update()
            m1 = counter.messages
            d = self.api_delta(s0)
        finally:
            self.procs.stop(p)
            counter.stop()
            self.sim.set_options(idle_timeout_ms=60000, tls_resumption=True)
        n = float(polls)
        return {"wall": sum(latencies) / n / 1000.0,
                "cpu": (c1 - c0) / n, "bytes": (r1 - r0) / n,
                "hs": (d["api_handshakes_full"] / n, d["api_handshakes_resumed"] / n),
                "messages": (m1 - m0) / n, "first_messages": m0, "polls": polls}

    def body_bytes(self, per_page):
        """Bytes of every page body of one walk, fetched the way the agent does."""
        ctx = ssl.create_default_context(cafile=self.certs["ca"])
        conn = http.client.HTTPSConnection("localhost", self.sim.port, context=ctx, timeout=60)
        total, page = 0, 1
        while True:
            conn.request("GET", "/v1/%s/training-jobs?page=%d&per_page=%d" %
                         (testlib.PROJECT_ID, page, per_page),
                         headers={"X-Auth-Token": testlib.TOKEN})
            data = conn.getresponse().read()
            total += len(data)
            if len(json.loads(data).get("jobs", [])) < per_page:
                break
            page += 1
        conn.close()
        return total

    def callgrind(self, jobs, per_page=1000, cap_s=None):
        """(instructions, body bytes) of a steady poll; None past cap_s."""
        agent_id = "a-%d-%d" % (jobs, per_page)
        out = os.path.join(self.work, "cg-%d.out" % jobs)
        p = self.procs.popen(["valgrind", "--tool=callgrind", "--dump-after=m2m_agent_poll",
                              "--callgrind-out-file=" + out, self.binary,
                              "-c", self.conf(agent_id, per_page), "-q"] + self.sets(jobs),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + (cap_s or 3600)
        while len(glob.glob(out + ".*")) < 2 and time.monotonic() < deadline:
            if p.poll() is not None:
                raise SystemExit("agent under callgrind ended early")
            time.sleep(0.5)
        self.procs.stop(p, timeout=30)
        dumps = sorted(glob.glob(out + ".*"), key=lambda q: int(q.rsplit(".", 1)[1]))
        if len(dumps) < 2:
            return None
        cost = inclusive_cost(dumps[1])
        nbytes = self.body_bytes(per_page)
        return cost, nbytes, inclusive_cost(dumps[0])

    def baseline(self, jobs, per_page):
        env = dict(os.environ, MODELARTS_TOKEN=testlib.TOKEN)
        rc, wall, cpu, rss, out, err = timed(
            ["bash", os.path.join(ROOT, "tests", "bench_baseline.sh"), self.sim.endpoint,
             testlib.PROJECT_ID, self.certs["ca"], str(per_page), str(self.mqtt_port),
             "bench/baseline-%d/%s" % (jobs, testlib.PROJECT_ID)], env=env)
        if rc != 0 or not out.startswith("%d jobs" % jobs):
            raise SystemExit("baseline script failed (exit %d): %s\n%s" % (rc, out, err[-2000:]))
        return {"wall": wall, "cpu": cpu, "rss": rss}


def inclusive_cost(dump):
    """Sum of the inclusive Ir of PARSE_FUNCTIONS in a callgrind dump."""
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", dump],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    total = 0
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        name = parts[-1].split(":")[-1].split("'")[0]
        if name in PARSE_FUNCTIONS:
            total += int(parts[0].replace(",", ""))
    return total


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    debian = ""
    try:
        with open("/etc/debian_version") as f:
            debian = "Debian " + f.read().strip()
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    return "%s, %d cores, %.0f GiB RAM, Linux %s, %s, Python %s" % (
        model, os.cpu_count(), mem, platform.release(), debian, platform.python_version())


# ---- output -------------------------------------------------------------------------------


def tables(r):
    out = []
    w = out.append
    w("### Cost per poll\n")
    w("Steady poll: nothing changed since the previous poll; every poll opens a new TLS "
      "connection (the server closes idle ones after %d ms) and resumes the session, unless "
      "the poll takes longer than poll_interval (1 s): then the next follows at once over the "
      "same connection (100,000 jobs). First "
      "poll: `--once` from an empty broker, every job new, one walk (pages: the list requests "
      "it made); its wall time is the process's, MQTT connect and the 0.5 s wait for retained "
      "job topics included. Peak RSS: `--once`, the median of "
      "%d runs (at 100,000 jobs: the first-poll run, marked *). With `[mqtt] heartbeat` at "
      "its default, a steady poll publishes nothing." % (IDLE_MS, RSS_RUNS))
    w("")
    w("| jobs | per_page | pages | wall / steady poll | CPU / steady poll | wall, first poll "
      "| CPU, first poll | peak RSS | TLS handshakes / steady poll (full / resumed) | "
      "bytes read / steady poll | MQTT messages, first poll | MQTT messages / steady poll |")
    w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (jobs, pp), m in sorted(r["cells"].items()):
        f, s = m["first"], m["steady"]
        rss = kib(m["rss"]) + (" *" if m.get("rss_from_first") else "")
        w("| %s | %d | %s | %s | %s | %s | %s | %s | %.0f / %.0f | %s | %s | %.0f |" % (
            num(jobs), pp, num(f["pages"]), ms(s["wall"]), ms(s["cpu"]), ms(f["wall"]),
            ms(f["cpu"]), rss, s["hs"][0], s["hs"][1], num(s["bytes"]), num(f["messages"]),
            s["messages"]))
    w("")
    if r.get("v2"):
        w("### The v2 list call (per_page 50)\n")
        w("`api = v2`: `POST /v2/{project_id}/training-job-searches`, pages of 50 (the v2 "
          "limit), items of 3 to 6 KB as the simulator makes them (algorithm, spec, endpoints, "
          "metrics), of which the splitter keeps only what the payload needs. First start: "
          "`--once` from an empty broker; peak RSS the median of 3 runs; steady poll as above.")
        w("")
        w("| jobs | list requests, first start | body bytes read / steady poll | wall, first "
          "start | CPU, first start | peak RSS | CPU / steady poll | wall / steady poll |")
        w("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for jobs, c in sorted(r["v2"].items()):
            f, s = c["first"], c["steady"]
            w("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                num(jobs), num(f["pages"]), num(s["bytes"]), ms(f["wall"]), ms(f["cpu"]),
                kib(c["rss"]), ms(s["cpu"]), ms(s["wall"])))
        w("")
    if r.get("modes"):
        w("### First start: publishing next to reading (10,000 jobs, per_page 1000)\n")
        w("`--once` from an empty broker, the median of %d runs: every job is new, so it "
          "publishes 10,000 job topics (with QoS 1, up to %d jobs waiting for their "
          "acknowledgement while the walk goes on, all of them at its end), against the same poll at "
          "QoS 0 and with `--dry-run` (printed to a file, no broker)." %
          (RSS_RUNS, PUBLISH_WINDOW))
        w("")
        w("| publishing | wall | CPU | peak RSS |")
        w("|---|---:|---:|---:|")
        for name, wall, cpu, rss in r["modes"]:
            w("| %s | %s | %s | %s |" % (name, ms(wall), ms(cpu), kib(rss)))
        w("")
    w("### Parsing and diffing (callgrind, per_page 1000)\n")
    w("The inclusive instructions of the HTTP parser and the job splitter (with what they call: "
      "the job's bytes hash, jsmn for new or changed jobs, the job table), TLS aside, per byte "
      "of body. Steady: the second poll, nothing changed, so every job is known by its bytes. "
      "First: the first poll, every job new and published (Paho's publish calls included).")
    w("")
    w("| jobs | body bytes / poll | instructions, steady poll | instructions / body byte, "
      "steady | instructions / body byte, first poll |")
    w("|---:|---:|---:|---:|---:|")
    for jobs in sorted(r["callgrind"]):
        c = r["callgrind"][jobs]
        if c is None:
            w("| %s | | not measured (over 4 minutes under callgrind; "
              "`tests/bench.py --callgrind-max-jobs 100000`) | |" % num(jobs))
        else:
            w("| %s | %s | %s | %.1f | %.1f |" % (num(jobs), num(c[1]), num(c[0]), c[0] / c[1],
                                                  c[2] / c[1]))
    w("")
    w("### TLS per poll (1,000 jobs, per_page 100, poll_interval 1 s)\n")
    w("| server | handshakes / poll (full / resumed) | CPU / poll | wall / poll |")
    w("|---|---:|---:|---:|")
    for name, s in r["tls"]:
        w("| %s | %.1f / %.1f | %s | %s |" % (name, s["hs"][0], s["hs"][1], ms(s["cpu"]),
                                               ms(s["wall"])))
    w("")
    if r.get("projects"):
        w("### Several projects (%s jobs each, per_page 100)\n" % num(PROJECTS_JOBS))
        w("One agent, one `project_id` list, one MQTT session: `--once` from an empty broker, "
          "every job new; the median of %d runs." % RSS_RUNS)
        w("")
        w("| projects | peak RSS | over one project | CPU, first poll |")
        w("|---:|---:|---:|---:|")
        one = r["projects"][0][1]
        for n, rss, cpu in r["projects"]:
            w("| %d | %s | %s | %s |" % (n, kib(rss), kib(rss - one), ms(cpu)))
        w("")
    w("### Scripted baseline (per_page %d)\n" % BASELINE_PER_PAGE)
    w("`tests/bench_baseline.sh`: one `curl | jq` chain per page, one `mosquitto_pub` per "
      "job (the same retained job topics and payload fields), one summary; CPU is user + sys "
      "of the whole process tree, memory the largest process. A script has no table to diff "
      "against, so every poll costs what its first does.")
    w("")
    w("| jobs | script: wall | script: CPU | script: peak RSS | agent first poll: CPU | "
      "agent steady poll: CPU | agent peak RSS | CPU ratio, first poll | CPU ratio, "
      "steady poll |")
    w("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for jobs in sorted(r["baseline"]):
        b = r["baseline"][jobs]
        m = r["cells"][(jobs, BASELINE_PER_PAGE)]
        w("| %s | %s | %s | %s | %s | %s | %s | %.0fx | %.0fx |" % (
            num(jobs), ms(b["wall"]), ms(b["cpu"]), kib(b["rss"]), ms(m["first"]["cpu"]),
            ms(m["steady"]["cpu"]), kib(m["rss"]), b["cpu"] / max(m["first"]["cpu"], 1e-6),
            b["cpu"] / max(m["steady"]["cpu"], 1e-6)))
    w("")
    w("### Budgets (DESIGN.md)\n")
    w("| measure | value | budget | |")
    w("|---|---:|---:|---|")
    for name, value, budget, ok in r["budgets"]:
        w("| %s | %s | %s | %s |" % (name, value, budget, "n/a" if ok is None else mark(ok)))
    return "\n".join(out)


def budgets(r):
    rows = [("stripped binary (dynamic)", "{:,} bytes".format(r["size"]),
             "{:,} bytes".format(BUDGET_BINARY), r["size"] <= BUDGET_BINARY)]
    if (10000, 10) in r["cells"]:
        rss = {pp: r["cells"][(10000, pp)]["rss"] for pp in PER_PAGES}
        for pp in PER_PAGES:
            rows.append(("peak RSS, --once, 10,000 jobs, per_page %d" % pp, kib(rss[pp]),
                         kib(BUDGET_RSS_KB), rss[pp] <= BUDGET_RSS_KB))
        spread = max(abs(rss[pp] - rss[10]) for pp in PER_PAGES)
        rows.append(("peak RSS spread vs per_page 10, 10,000 jobs", kib(spread),
                     kib(BUDGET_RSS_SPREAD_KB), spread <= BUDGET_RSS_SPREAD_KB))
    c = r["callgrind"].get(10000)
    if c:
        ipb = c[0] / c[1]
        rows.append(("parse + diff, 10,000 unchanged jobs, per_page 1000",
                     "%.1f instructions/byte" % ipb, "%.0f" % BUDGET_INSN_PER_BYTE,
                     ipb <= BUDGET_INSN_PER_BYTE))
    m = r["cells"].get((10000, 1000))
    if m:
        rows.append(("CPU of a steady poll, 10,000 jobs, per_page 1000", ms(m["steady"]["cpu"]),
                     ms(BUDGET_STEADY_CPU_S), m["steady"]["cpu"] <= BUDGET_STEADY_CPU_S))
    if r.get("modes"):
        cpu = r["modes"][0][2]
        rows.append(("CPU of a first start, 10,000 jobs, per_page 1000 (QoS 1)", ms(cpu),
                     "%s (a quarter of a Python agent's %s)" % (
                         ms(PYTHON_AGENT_FIRST_START_S / 4), ms(PYTHON_AGENT_FIRST_START_S)),
                     cpu <= PYTHON_AGENT_FIRST_START_S / 4))
    steady = sorted({round(m["steady"]["messages"], 1) for m in r["cells"].values()})
    rows.append(("MQTT messages per steady poll (nothing changed; summary and health "
                 "once per heartbeat)",
                 " / ".join("%g" % x for x in steady), "not budgeted", None))
    return rows


def plot(r, svg, work):
    """Cost against jobs: CPU per steady and first poll, and peak RSS."""
    if shutil.which("gnuplot") is None:
        return False
    data = os.path.join(work, "cost.dat")
    with open(data, "w") as f:
        for pp in PER_PAGES:
            f.write("# per_page %d: jobs steady_cpu_ms first_cpu_ms rss_mib\n" % pp)
            for jobs in sorted({j for j, _ in r["cells"]}):
                m = r["cells"].get((jobs, pp))
                if m:
                    # A first-poll run's RSS (one run, not the median) is not drawn.
                    rss = "NaN" if m.get("rss_from_first") else "%.3f" % (m["rss"] / 1024)
                    f.write("%d %.3f %.3f %s\n" % (jobs, m["steady"]["cpu"] * 1000,
                                                   m["first"]["cpu"] * 1000, rss))
            f.write("\n\n")
    base = os.path.join(work, "baseline.dat")
    with open(base, "w") as f:
        for jobs in sorted(r["baseline"]):
            f.write("%d %.3f %.3f\n" % (jobs, r["baseline"][jobs]["cpu"] * 1000,
                                        r["baseline"][jobs]["rss"] / 1024))
    script = """
set terminal svg size 1000,520 dynamic noenhanced font "sans,11" background "white"
set output '%(svg)s'
set datafile missing "NaN"
set multiplot layout 1,2 title "modelarts2mqtt: cost against the number of jobs (loopback)"
set logscale xy
set xlabel "jobs"
set grid
set key below
set format x "%%.0s%%c"
set ylabel "CPU time per poll (ms)"
set title "CPU per poll"
plot '%(data)s' index 0 using 1:2 with linespoints lw 2 title "steady, per_page 10", \\
     '' index 1 using 1:2 with linespoints lw 2 title "steady, per_page 100", \\
     '' index 2 using 1:2 with linespoints lw 2 title "steady, per_page 1000", \\
     '' index 1 using 1:3 with linespoints dt 2 lw 2 title "first poll, per_page 100", \\
     '%(base)s' using 1:2 with points pt 7 ps 1.2 title "curl|jq|mosquitto_pub, per_page 100"
set ylabel "peak RSS (MiB)"
set title "Peak RSS of --once"
unset logscale y
set yrange [0:*]
plot '%(data)s' index 0 using 1:4 with linespoints lw 2 title "per_page 10", \\
     '' index 1 using 1:4 with linespoints lw 2 title "per_page 100", \\
     '' index 2 using 1:4 with linespoints lw 2 title "per_page 1000", \\
     '%(base)s' using 1:3 with points pt 7 ps 1.2 title "script, largest process"
unset multiplot
""" % {"svg": svg, "data": data, "base": base}
    r2 = subprocess.run(["gnuplot"], input=script, text=True, stderr=subprocess.PIPE)
    if r2.returncode != 0:
        sys.stderr.write("gnuplot: %s\n" % r2.stderr)
        return False
    return True


def write_markdown(path, r, text, svg_name):
    head = """# Performance

Measured by `make bench` (`tests/bench.py`): the agent against the ModelArts simulator
(`tests/sim/`) and a real mosquitto, all on loopback on one machine, so the simulator's own
time (Python) is inside the wall times and the network is not. The tables below are the output
of one run; rerun `make bench` to measure your machine (about %d minutes).

- Machine: %s.
- Build: `make` (gcc -O2, dynamic linking, mbedTLS %s, Paho MQTT C, inih), %s.
- Date: %s.
- Commands (per size and per_page; `--set modelarts.max_jobs=100000` at 100,000 jobs):
  - first poll: `modelarts2mqtt -c bench.conf --once -q` under `/usr/bin/time -f %%M` (peak
    RSS), CPU from wait4() of that process tree;
  - peak RSS: the same, five runs, the median;
  - first start at 10,000 jobs: the same with `--set mqtt.qos=0` and with `--dry-run`;
  - several projects: the same with `project_id = <p1>, <p2>, ...` in `[modelarts]`;
  - steady poll: `modelarts2mqtt -c bench.conf -q` with `poll_interval = 1`, its CPU from
    `/proc/<pid>/task/*/schedstat`, bytes from `/proc/<pid>/io` (rchar), wall from the
    health topic's `latency_ms`, handshakes from the simulator's `/_sim/stats`, messages from
    `mosquitto_sub -R`;
  - callgrind: `valgrind --tool=callgrind --dump-after=m2m_agent_poll modelarts2mqtt -c
    bench.conf -q`, the second dump, inclusive cost of `http_response_feed`,
    `http_response_finish`, `job_stream_feed` and `job_stream_finish`;
  - baseline: `MODELARTS_TOKEN=... tests/bench_baseline.sh ENDPOINT PROJECT CA PER_PAGE
    MQTT_PORT PREFIX` under `/usr/bin/time`.

![CPU per poll and peak RSS against the number of jobs](%s)

""" % (max(1, round(r["elapsed"] / 60.0)), machine(), r["mbedtls"], r["binary_note"],
       datetime.datetime.utcnow().strftime("%Y-%m-%d"), svg_name)
    with open(path, "w") as f:
        f.write(head + text + "\n")


def mbedtls_version():
    try:
        with open("/usr/include/mbedtls/version.h") as f:
            for line in f:
                if "MBEDTLS_VERSION_STRING " in line and '"' in line:
                    return line.split('"')[1]
    except OSError:
        pass
    return "?"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=testlib.DEFAULT_BINARY)
    ap.add_argument("--sizes", default=",".join(str(s) for s in SIZES),
                    help="comma-separated job counts (default: %(default)s)")
    ap.add_argument("--markdown", default=os.path.join(ROOT, "docs", "performance.md"),
                    help="where to write the report ('' for nowhere)")
    ap.add_argument("--svg", default=os.path.join(ROOT, "docs", "performance.svg"))
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--callgrind-max-jobs", type=int, default=CALLGRIND_MAX_JOBS,
                    help="largest size measured under callgrind (default: %(default)s)")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    sizes = tuple(int(s) for s in args.sizes.split(","))
    started = time.monotonic()

    procs = testlib.ProcessGroup()
    work = tempfile.mkdtemp(prefix="m2m-bench-")
    r = {"cells": {}, "callgrind": {}, "tls": [], "baseline": {}, "projects": [], "v2": {}}
    try:
        stripped = os.path.join(work, "modelarts2mqtt.stripped")
        subprocess.run(["strip", "-o", stripped, binary], check=True)
        r["size"] = os.path.getsize(stripped)
        calibrate_time()
        bench = Bench(binary, work, procs, sizes)
        for jobs in sizes:
            bench.use_jobs(jobs)
            for pp in PER_PAGES:
                t = time.monotonic()
                cell = {"first": bench.first_poll(jobs, pp)}
                if jobs <= DEFAULT_CAPACITY:
                    cell["rss"], cell["rss_pages"] = bench.default_rss(jobs, pp)
                else:
                    cell["rss"], cell["rss_from_first"] = cell["first"]["rss"], True
                cell["steady"] = bench.steady(jobs, pp, steady_polls(jobs, pp))
                r["cells"][(jobs, pp)] = cell
                sys.stderr.write("bench: %d jobs, per_page %d: %.0f s\n" %
                                 (jobs, pp, time.monotonic() - t))
            t = time.monotonic()
            r["callgrind"][jobs] = (bench.callgrind(jobs)
                                    if jobs <= args.callgrind_max_jobs else None)
            sys.stderr.write("bench: callgrind at %d jobs: %.0f s\n" %
                             (jobs, time.monotonic() - t))
            if jobs in (1000, 10000):
                t = time.monotonic()
                r["v2"][jobs] = bench.v2_cell(jobs)
                sys.stderr.write("bench: v2 at %d jobs: %.0f s\n" % (jobs, time.monotonic() - t))
            if jobs == 10000:
                t = time.monotonic()
                r["modes"] = bench.first_start_modes(jobs)
                sys.stderr.write("bench: first start modes: %.0f s\n" % (time.monotonic() - t))
            if jobs == 1000:
                for name, idle, resume in (
                        ("keeps the connection between polls (keep-alive 60 s)", 60000, True),
                        ("closes idle connections (500 ms): resumed", IDLE_MS, True),
                        ("closes idle connections and refuses resumption", IDLE_MS, False)):
                    r["tls"].append((name, bench.steady(jobs, 100, 8, idle, resume)))
            if jobs == PROJECTS_JOBS:
                t = time.monotonic()
                r["projects"] = bench.projects_rss(jobs)
                sys.stderr.write("bench: several projects: %.0f s\n" % (time.monotonic() - t))
            if jobs in BASELINE_SIZES and not args.no_baseline:
                t = time.monotonic()
                r["baseline"][jobs] = bench.baseline(jobs, BASELINE_PER_PAGE)
                sys.stderr.write("bench: baseline at %d jobs: %.0f s\n" %
                                 (jobs, time.monotonic() - t))
    finally:
        procs.stop_all()

    r["elapsed"] = time.monotonic() - started
    r["mbedtls"] = mbedtls_version()
    r["binary_note"] = "stripped binary {:,} bytes".format(r["size"])
    r["budgets"] = budgets(r)
    text = tables(r)
    print("modelarts2mqtt bench (simulator and mosquitto on loopback; %.0f s)\n" % r["elapsed"])
    print(text)
    if args.markdown:
        svg_ok = plot(r, os.path.abspath(args.svg), work)
        write_markdown(args.markdown, r, text, os.path.relpath(
            args.svg, os.path.dirname(os.path.abspath(args.markdown))) if svg_ok else "")
        print("\nwritten: %s%s" % (args.markdown, (", " + args.svg) if svg_ok else ""))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

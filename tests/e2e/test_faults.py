# SPDX-License-Identifier: Apache-2.0
"""The fault matrix: one daemon (poll_interval 1 s, timeout 2 s, per_page 5,
about a dozen jobs over three pages) meets each fault in turn: a reply slower
than the timeout, a body that stalls, a connection closed without a
response, a truncated body, a 429 with Retry-After, a burst of five 503s,
garbage instead of HTTP, a malformed body and a broker restart without
persistence. Before each fault the simulator's jobs change a little (one
status, one new job), so that recovery has something to publish.

Each case checks that the daemon never exits, that once a poll succeeds
again the broker holds exactly the simulator's jobs (DESIGN.md payloads,
nothing else), and that no job topic of an existing job was cleared in the
meantime. The time from the injection to the first good poll, and what the
agent logged, go into a Markdown table: build/fault-matrix.md, also printed
at the end of the class."""

import json
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_base import E2ECase, expected_job_payload, jobs_with_every_status  # noqa: E402
import testlib  # noqa: E402

POLL_INTERVAL_S = 1
TIMEOUT_S = 2  # the agent's HTTP timeout
PER_PAGE = 5
FIRST_JOBS = 11  # three pages of five; one more job per case
FAULT_PAGE = 2
MATRIX_PATH = os.path.join(testlib.ROOT, "build", "fault-matrix.md")

# "2026-05-01T12:00:00.123Z warning poll failed (transient): next attempt in
# 1.532 s (attempt 2)"
LOG_LINE = re.compile(r"^\S+Z (warning|error|info) (.*)$")
WAIT_TEXT = re.compile(r"^poll failed \(([^)]*)\): next attempt in ([0-9.]+) s \(attempt \d+\)$")


def first_jobs():
    jobs = jobs_with_every_status(FIRST_JOBS, first_id=1)
    for j in jobs:
        j["status"] = 7 if j["job_id"] % 2 else 8
    return jobs


def summarize_log(text):
    """What the agent did, from its warning and error lines: the distinct
    messages in order, and the waits it chose after failed polls."""
    said, waits = [], []
    for line in text.splitlines():
        m = LOG_LINE.match(line)
        if not m or (m.group(1) == "info" and "mqtt" not in m.group(2)):
            continue
        # Ports and client ids change from run to run.
        msg = re.sub(r" as \S+$", "", re.sub(r"tcp://[0-9.]+:[0-9]+", "the broker", m.group(2)))
        w = WAIT_TEXT.match(msg)
        if w:
            waits.append((w.group(1), w.group(2)))
            continue
        # The table is read by people: long messages are cut.
        short = msg if len(msg) <= 90 else msg[:87] + "..."
        if short not in said:
            said.append(short)
    parts = list(said)
    if waits:
        kinds = []
        for k, _ in waits:
            if k not in kinds:
                kinds.append(k)
        parts.append("retry (%s) after %s s" % (", ".join(kinds),
                                                ", ".join(s for _, s in waits)))
    return "; ".join(parts) if parts else "(nothing logged)"


class TestFaultMatrix(E2ECase):
    """One daemon for the whole class; the cases run in name order."""

    rows = []  # (fault, what the agent did, recovery s, broker exact)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rows = []
        cls.next_job_id = 100
        cls.case_no = 0
        try:
            cls.agent_id = "faults_%d" % os.getpid()
            cls.B = "modelarts/%s" % cls.agent_id
            cls.P = "%s/%s" % (cls.B, testlib.PROJECT_ID)
            cls.sim.set_jobs(first_jobs())
            cls.sub = testlib.Subscriber(cls.procs, cls.broker.port, cls.B + "/#").start()
            path = os.path.join(cls.tmp.path, "faults.conf")
            testlib.write_agent_config(path, cls.sim.port, cls.broker.port, cls.certs["ca"],
                                       cls.agent_id, per_page=PER_PAGE,
                                       poll_interval=POLL_INTERVAL_S, timeout=TIMEOUT_S)
            cls.agent = testlib.start_agent(cls.procs, ["-c", path, "-v"],
                                            log_dir=cls.tmp.path)
            ok = cls.sub.wait_for(lambda ms: any(
                m.topic == cls.B + "/health" and m.json()["poll_ok"] for m in ms), 15)
            if not ok:
                raise RuntimeError("the daemon set no baseline")
        except Exception:
            cls.procs.stop_all()
            cls.tmp.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.rows:
                table = cls.matrix()
                os.makedirs(os.path.dirname(MATRIX_PATH), exist_ok=True)
                with open(MATRIX_PATH, "w", encoding="utf-8") as f:
                    f.write(table)
                print("\n" + table)
        finally:
            super().tearDownClass()

    @classmethod
    def matrix(cls):
        out = ["| fault | what the agent did | recovery (s) | broker exact |",
               "|---|---|---|---|"]
        for fault, did, secs, exact in cls.rows:
            out.append("| %s | %s | %s | %s |" % (
                fault, did.replace("|", "\\|"), "-" if secs is None else "%.2f" % secs,
                "yes" if exact else "no"))
        return "\n".join(out) + "\n"

    def setUp(self):
        # The class's daemon, simulator and topics stay; nothing is reset.
        TestFaultMatrix.case_no += 1

    # ---- helpers ------------------------------------------------------------

    def agent_log(self, offset=0):
        with open(self.agent.log_path, "r", errors="replace") as f:
            f.seek(offset)
            return f.read()

    def log_size(self):
        return os.path.getsize(self.agent.log_path)

    def healths(self, sub, start=0):
        return [(m.time, m.json()) for m in sub.snapshot()[start:]
                if m.topic == self.B + "/health"]

    def wait_good_poll(self, timeout=20):
        """Wait for a good poll that starts after this call: the next poll is
        then about a second away, so a change made now is not caught half-way."""
        mark = len(self.sub.snapshot())
        ok = self.sub.wait_for(lambda ms: any(
            m.topic == self.B + "/health" and m.json()["poll_ok"]
            and m.json()["consecutive_failures"] == 0 for m in ms[mark:]), timeout)
        self.assertTrue(ok, "no good poll: %s" % self.agent_log()[-3000:])
        return self.healths(self.sub, mark)[-1][1]

    def change_jobs(self):
        """One status change (a job on page 2 or 3) and one new job."""
        jid = 6 + TestFaultMatrix.case_no % 6
        job = self.sim.call("GET", "/_sim/jobs/%d" % jid)
        status = next(s for s in (10, 11, 12, 8, 9) if s != job["status"])
        self.sim.patch_job(jid, {"status": status})
        new = TestFaultMatrix.next_job_id
        TestFaultMatrix.next_job_id += 1
        self.sim.add_job({"job_id": new, "job_name": "fault-job-%d" % new, "version_id": new,
                          "status": 7, "create_time": 1700000000000 + new, "duration": 0,
                          "job_desc": "added before fault %d" % TestFaultMatrix.case_no,
                          "version_count": 1})

    def api_requests_after(self, seq):
        return [r for r in self.sim.requests() if r["kind"] == "api" and r["seq"] > seq]

    def wait_hit(self, seq, page, timeout):
        """The first list call after seq (for page, if given): the request
        the fault hit. Its time is the simulator's wall clock."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for r in self.api_requests_after(seq):
                m = re.search(r"(?:^|&)page=([0-9]+)", r["query"])
                if page is None or (m is not None and int(m.group(1)) == page):
                    return r
            time.sleep(0.05)
        self.fail("no list call for page %s: %s" % (page, self.agent_log()[-3000:]))

    def wait_recovery(self, sub, mark, after, timeout, reconnects_above=None):
        """The first good poll (health poll_ok, consecutive_failures 0)
        whose health arrives after the monotonic time after (and, with
        reconnects_above, on a new MQTT session): (its message, the largest
        consecutive_failures reported before it)."""
        def recovered(ms):
            worst = 0
            for m in ms[mark:]:
                if m.topic != self.B + "/health":
                    continue
                h = m.json()
                if m.time <= after:
                    continue
                if not h["poll_ok"]:
                    worst = max(worst, h["consecutive_failures"])
                elif (h["consecutive_failures"] == 0
                      and (reconnects_above is None or h["mqtt_reconnects"] > reconnects_above)):
                    return m, worst
            return None

        ok = sub.wait_for(recovered, timeout)
        self.assertTrue(ok, "no recovery within %.0f s: %s" % (timeout, self.agent_log()[-4000:]))
        return recovered(sub.snapshot())

    def broker_differences(self):
        """How the broker's retained job topics differ from the simulator's
        jobs; an empty list when they match exactly."""
        want = {j["job_id"]: j for j in self.sim_jobs()}
        held = {t: p for t, p in self.retained(self.P + "/jobs/+").items() if p}
        prefix = self.P + "/jobs/"
        diffs = []
        for jid, job in sorted(want.items()):
            payload = held.pop(prefix + str(jid), None)
            if payload is None:
                diffs.append("job %d missing" % jid)
            elif json.loads(payload.decode("utf-8")) != expected_job_payload(job):
                diffs.append("job %d: broker %s, want %s" % (
                    jid, payload.decode("utf-8", "replace"), expected_job_payload(job)))
        diffs += ["retained %s for a job the simulator does not have" % t for t in sorted(held)]
        return diffs

    def cleared_existing_jobs(self, messages):
        """Zero-byte job messages for jobs the simulator still has."""
        existing = {self.P + "/jobs/%d" % j["job_id"] for j in self.sim_jobs()}
        return sorted({m.topic for m in messages
                       if m.topic in existing and m.payload == b""})

    def sim_jobs(self):
        return self.sim.call("GET", "/_sim/jobs")

    def run_case(self, label, inject, page=None, timeout=15, broker_restart=False):
        """Baseline, change, inject, measure, check; the row is recorded
        whatever the outcome. page: the page the fault waits for (None: the
        next list call)."""
        self.assertIsNone(self.agent.poll(), "the daemon is not running")
        before = self.wait_good_poll()
        self.change_jobs()
        seq = max([r["seq"] for r in self.sim.requests()] or [0])
        log_from = self.log_size()
        mark = len(self.sub.snapshot())
        wall_minus_mono = time.time() - time.monotonic()
        t0 = time.monotonic()
        row = [label, "", None, False]
        try:
            inject()
            if broker_restart:
                # The old subscription went with the broker.
                earlier = self.sub.snapshot()[mark:]
                self.sub.stop()
                TestFaultMatrix.sub = testlib.Subscriber(self.procs, self.broker.port,
                                                         self.B + "/#").start()
                sub, sub_mark, after = TestFaultMatrix.sub, 0, t0
            else:
                sub, sub_mark, earlier = self.sub, mark, []
                hit = self.wait_hit(seq, page, timeout)
                after = hit["time"] - wall_minus_mono
            m, worst = self.wait_recovery(
                sub, sub_mark, after, timeout,
                reconnects_above=before["mqtt_reconnects"] if broker_restart else None)
            h = m.json()
            row[2] = m.time - t0
            row[1] = summarize_log(self.agent_log(log_from))
            if worst == 0 and not broker_restart:
                row[1] = "no failed poll: %s" % self.resent_how(seq, page)
            diffs = self.broker_differences()
            row[3] = not diffs
            cleared = self.cleared_existing_jobs(earlier + sub.snapshot()[sub_mark:])
            alive = self.agent.poll() is None
        finally:
            if not row[1]:
                row[1] = summarize_log(self.agent_log(log_from))
            TestFaultMatrix.rows.append(tuple(row))
        self.assertTrue(alive, "the daemon exited: %s" % self.agent_log()[-3000:])
        self.assertEqual((h["poll_ok"], h["consecutive_failures"]), (True, 0))
        if not broker_restart:
            self.assertEqual(self.sim.stats()["faults_pending"], 0, "a fault never hit")
        self.assertEqual(diffs, [], "broker not exact after %s:\n%s" % (
            label, self.agent_log(log_from)[-3000:]))
        self.assertEqual(cleared, [], "job topics of existing jobs cleared during %s" % label)
        return m.time - t0

    def resent_how(self, seq, page):
        """How a fault that cost no failed poll was absorbed, from the
        simulator's request log."""
        reqs = [r for r in self.api_requests_after(seq)
                if page is None or re.search(r"(?:^|&)page=%d(?:&|$)" % page, r["query"])]
        if len(reqs) >= 2 and reqs[1]["connection"] != reqs[0]["connection"]:
            return ("page %s sent again at once on a new connection (%.0f ms later), "
                    "nothing logged" % (page, 1000 * (reqs[1]["time"] - reqs[0]["time"])))
        return "nothing logged"

    def page_fault(self, label, timeout=15, **fault):
        """A simulator fault on page 2 of the next poll."""
        self.run_case("%s (page %d)" % (label, FAULT_PAGE),
                      lambda: self.sim.add_fault(page=FAULT_PAGE, **fault),
                      page=FAULT_PAGE, timeout=timeout)

    # ---- the cases, in order ------------------------------------------------------

    def test_01_slow_reply_past_the_timeout(self):
        def slow_once():
            # delay_ms holds every reply: set it, let one request in, clear it.
            seen = self.sim.stats()["requests"]
            self.sim.set_options(delay_ms=(TIMEOUT_S + 1) * 1000)
            try:
                deadline = time.monotonic() + 5
                while self.sim.stats()["requests"] == seen and time.monotonic() < deadline:
                    time.sleep(0.02)
            finally:
                self.sim.set_options(delay_ms=0)
        self.run_case("reply delayed %d s, timeout %d s (page 1)" % (TIMEOUT_S + 1, TIMEOUT_S),
                      slow_once)

    def test_02_stall_mid_body(self):
        self.page_fault("stall mid-body for %d s" % (TIMEOUT_S + 1), kind="stall",
                        ms=(TIMEOUT_S + 1) * 1000)

    def test_03_close_without_response(self):
        self.page_fault("close without response", kind="close")

    def test_04_truncated_body(self):
        self.page_fault("truncated body", kind="truncate")

    def test_05_429_with_retry_after(self):
        self.page_fault("429, Retry-After: 1", status=429, headers={"Retry-After": "1"})

    def test_06_burst_of_five_503s(self):
        # Five failures in a row: waits below 1, 2, 4, 8 and 16 s (at least 1 s).
        self.page_fault("503 x5", status=503, count=5, timeout=45)

    def test_07_garbage_bytes(self):
        self.page_fault("garbage bytes", kind="garbage")

    def test_08_malformed_body(self):
        self.page_fault("malformed JSON body", kind="malformed")

    def test_09_broker_restart(self):
        self.run_case("broker restart, no persistence", self.broker.restart, timeout=20,
                      broker_restart=True)


if __name__ == "__main__":
    unittest.main()

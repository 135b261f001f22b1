# SPDX-License-Identifier: Apache-2.0
"""Shared fixture of the end-to-end tests: per test class a temporary
directory with fresh certificates, a real mosquitto and the simulator; per
test a reset simulator, a unique agent_id and helpers to run the agent and
read what a subscriber sees.

The agent binary is $M2M_BINARY (default build/host/modelarts2mqtt); when
it is missing, every e2e test is skipped (tests/run_tests.py counts a
missing binary as a failure). $M2M_RUN_PREFIX, when set, is the command the
agent runs under (qemu-aarch64 or qemu-arm for the cross-compiled boards).
"""

import json
import os
import re
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import testlib  # noqa: E402

# Status constants without JOBSTAT_ (reference/modelarts-api.md section 1,
# 22 from the SDK table as docs/topics.md lists it).
STATUS_NAMES = {
    0: "UNKNOWN", 1: "INIT", 2: "IMAGE_CREATING", 3: "IMAGE_FAILED", 4: "SUBMIT_TRYING",
    5: "SUBMIT_FAILED", 6: "DELETE_FAILED", 7: "WAITING", 8: "RUNNING", 9: "KILLING",
    10: "COMPLETED", 11: "FAILED", 12: "KILLED", 13: "CANCELED", 14: "LOST", 15: "SCALING",
    16: "SUBMIT_MODEL_FAILED", 17: "DEPLOY_SERVICE_FAILED", 18: "CHECK_INIT",
    19: "CHECK_RUNNING", 20: "CHECK_RUNNING_COMPLETED", 21: "CHECK_FAILED", 22: "MOUNT_FAILED",
}

# DESIGN.md, "phase" table.
PHASES = {
    "pending": (1, 2, 4, 7),
    "running": (8, 15),
    "stopping": (9,),
    "review": (18, 19),
    "succeeded": (10, 20),
    "failed": (3, 5, 6, 11, 14, 16, 17, 21, 22),
    "canceled": (12, 13),
}
PHASE_NAMES = ("pending", "running", "stopping", "review", "succeeded", "failed", "canceled",
               "unknown")
API_FIELDS = ("job_id", "job_name", "version_id", "status", "create_time", "duration",
              "job_desc", "version_count")
HEALTH_KEYS = ("poll_ok", "http_status", "error_class", "error_code", "error_message",
               "latency_ms", "pages", "jobs", "consecutive_failures", "last_success_at",
               "next_poll_at", "mqtt_reconnects", "tracked", "capacity", "version",
               "token_expires_at", "token_renewals")
EVENT_KEYS = ("type", "job_id", "job_name", "from", "from_name", "to", "to_name", "phase", "at")


def status_name(code):
    return STATUS_NAMES.get(code, "CODE_%d" % code)


def phase_of(code):
    for name, codes in PHASES.items():
        if code in codes:
            return name
    return "unknown"


def expected_job_payload(job):
    """The P/jobs/<id> payload DESIGN.md prescribes for a job the API sent."""
    out = {k: job.get(k) for k in API_FIELDS}
    ph = phase_of(job["status"])
    out["status_name"] = status_name(job["status"])
    out["phase"] = ph
    out["terminal"] = ph in ("succeeded", "failed", "canceled")
    return out


def jobs_with_every_status(n=25, first_id=1):
    """n jobs whose statuses run through 0..n-1 (every documented code, 22
    and unknown ones), with realistic other fields."""
    jobs = []
    for i in range(n):
        jid = first_id + i
        jobs.append({
            "job_id": jid,
            "job_name": "train-%03d" % jid,
            "version_id": 5000 + jid,
            "status": i,
            "create_time": 1524189990635 + 1000 * i,
            "duration": 532003 * i,
            "job_desc": "job %d of the e2e set" % jid,
            "version_count": 1 + i % 5,
        })
    return jobs


def now_ms():
    return int(time.time() * 1000)


_slug = re.compile(r"[^A-Za-z0-9_-]")


class E2ECase(unittest.TestCase):
    """Starts certificates, mosquitto and the simulator once per class."""

    sim_options = None  # options the class's simulator starts with
    sim_auth = None  # Simulator.start() keywords: ak, sk, security_token, iam_user, ...
    sim_projects = ()  # more projects the simulator serves: "ID" or "ID:TOKEN"
    broker_log_types = ("error", "warning")  # mosquitto's log_type lines
    # "server" or "wronghost": the broker also listens for MQTT over TLS (broker.tls_port) with
    # that certificate of make_certs(); None: it does not.
    broker_tls = None

    @classmethod
    def setUpClass(cls):
        if not os.access(testlib.binary_path(), os.X_OK):
            raise unittest.SkipTest("agent binary %s not built" % testlib.binary_path())
        cls.tmp = testlib.TempDir("m2m-e2e-")
        cls.procs = testlib.ProcessGroup()
        try:
            cls.certs = testlib.make_certs(cls.tmp.path)
            cls.broker = testlib.Mosquitto(
                cls.procs, cls.tmp.path, log_types=cls.broker_log_types,
                tls_certs=cls.broker_certs()).start()
            cls.sim = testlib.Simulator(cls.procs, cls.certs).start(
                options=cls.sim_options, extra_projects=cls.sim_projects,
                **(cls.sim_auth or {}))
        except Exception:
            cls.procs.stop_all()
            cls.tmp.cleanup()
            raise

    @classmethod
    def broker_certs(cls):
        if cls.broker_tls is None:
            return None
        return {"ca": cls.certs["ca"], "server_cert": cls.certs[cls.broker_tls + "_cert"],
                "server_key": cls.certs[cls.broker_tls + "_key"]}

    @classmethod
    def tearDownClass(cls):
        cls.procs.stop_all()
        cls.tmp.cleanup()

    _counter = 0

    def setUp(self):
        self.sim.reset()
        E2ECase._counter += 1
        # agent_id is at most 64 characters: keep room for new_agent() suffixes.
        name = _slug.sub("_", self._testMethodName.replace("test_", ""))[:28]
        self._agent_base = "%s_%d" % (name, E2ECase._counter)
        self.new_agent()

    def new_agent(self, suffix=None):
        """Switch to a fresh agent_id (own topics), e.g. per subTest."""
        self.agent_id = self._agent_base + ("" if suffix is None else "_%s" % suffix[:28])
        self.B = "modelarts/%s" % self.agent_id
        self.P = "%s/%s" % (self.B, testlib.PROJECT_ID)

    # ---- running the agent ----------------------------------------------

    def config(self, name="agent.conf", **kw):
        """Write a config for this test; keyword arguments as in
        testlib.write_agent_config (sim_port, agent_id filled in)."""
        kw.setdefault("sim_port", self.sim.port)
        kw.setdefault("mqtt_port", self.broker.port)
        kw.setdefault("ca_file", self.certs["ca"])
        kw.setdefault("agent_id", self.agent_id)
        path = os.path.join(self.tmp.path, "%s-%s" % (self.agent_id, name))
        return testlib.write_agent_config(path, **kw)

    def run_agent(self, args, timeout=30, env=None):
        return testlib.run_agent(self.procs, args, timeout=timeout, env=env)

    def run_once(self, extra_args=(), timeout=30, env=None, **cfg):
        """--once with a config of cfg (write_agent_config's keywords; the
        agent's own timeout is modelarts_extra={"timeout": n}). timeout is
        how long the process may run before it is killed."""
        return self.run_agent(["-c", self.config(**cfg), "--once"] + list(extra_args),
                              timeout=timeout, env=env)

    def launch(self, config_path, args=("-v",)):
        """Start the agent as a daemon on config_path; killed at the test's end."""
        self.agent = testlib.start_agent(self.procs, ["-c", config_path] + list(args),
                                         log_dir=self.tmp.path)
        self.addCleanup(self.kill_agent)
        return self.agent

    def kill_agent(self):
        if getattr(self, "agent", None) is not None and self.agent.poll() is None:
            self.procs.stop(self.agent, signal.SIGKILL)

    def stop_agent(self):
        """SIGTERM: the agent must end with exit 0."""
        self.agent.send_signal(signal.SIGTERM)
        self.assertEqual(self.agent.wait(10), 0, self.agent_log(4000))

    def agent_log(self, tail=None):
        """What the daemon logged (the last tail characters when given)."""
        if getattr(self, "agent", None) is None:
            return ""
        try:
            with open(self.agent.log_path, "r", errors="replace") as f:
                text = f.read()
        except OSError:
            return ""
        return text[-tail:] if tail else text

    def assertExit(self, result, code):
        self.assertEqual(result.returncode, code, "agent: %r" % (result,))

    # ---- what a subscriber sees -------------------------------------------

    def subscribe(self, topic=None):
        sub = testlib.Subscriber(self.procs, self.broker.port, topic or self.B + "/#").start()
        self.addCleanup(sub.stop)
        return sub

    def retained(self, topic=None):
        return testlib.retained(self.procs, self.broker.port, topic or self.B + "/#")

    def retained_json(self, topic):
        snap = self.retained(topic)
        self.assertIn(topic, snap, "no retained message on %s" % topic)
        return json.loads(snap[topic].decode("utf-8"))

    def job_topic(self, job_id):
        return "%s/jobs/%d" % (self.P, job_id)

    def assertJobPayload(self, payload, job):
        """payload (bytes) is exactly DESIGN.md's job payload for job."""
        doc = json.loads(payload.decode("utf-8"))
        self.assertEqual(doc, expected_job_payload(job))
        self.assertEqual(list(doc)[:8], list(API_FIELDS), "API fields first, in API order")
        for k in ("job_id", "version_id", "status", "create_time", "duration", "version_count"):
            if job.get(k) is not None:
                self.assertIs(type(doc[k]), int, k)
        self.assertIs(type(doc["terminal"]), bool)

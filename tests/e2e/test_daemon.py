# SPDX-License-Identifier: Apache-2.0
"""Daemon mode (poll_interval = 1): the baseline sends no events, changes in
the API become transition/added/removed events and republished job topics,
unchanged jobs stay quiet, a failed poll removes nothing, SIGTERM ends with
"offline" and exit 0."""

import json
import os
import re
import signal
import time
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_base import EVENT_KEYS, E2ECase, jobs_with_every_status, now_ms  # noqa: E402
import testlib  # noqa: E402


def jobs_12():
    jobs = jobs_with_every_status(12, first_id=1)
    for j in jobs:
        j["status"] = 7 if j["job_id"] % 2 else 8
    return jobs


class DaemonCase(E2ECase):
    def start_daemon(self, per_page=5):
        self.sub = self.subscribe()
        self.config_path = self.config(per_page=per_page, poll_interval=1, timeout=3)
        self.launch(self.config_path)
        self.assertTrue(self.sub.wait_for(self.has(self.P + "/summary"), 15),
                        "no summary after the first poll: %s" % self.agent_log(4000))

    def has(self, topic, payload=None):
        return lambda ms: any(m.topic == topic and (payload is None or m.payload == payload)
                              for m in ms)

    def count(self, topic_part):
        return len([m for m in self.sub.snapshot() if topic_part in m.topic])

    def events(self):
        return [m.json() for m in self.sub.snapshot() if m.topic == self.P + "/events"]

    def wait_polls(self, n):
        """Wait until n more polls have published their health."""
        start = self.count("/health")
        ok = self.sub.wait_for(
            lambda ms: len([m for m in ms if m.topic == self.B + "/health"]) >= start + n, 10)
        self.assertTrue(ok, "fewer than %d more polls: %s" % (n, self.agent_log()))

    def wait_event(self, predicate, what):
        ok = self.sub.wait_for(
            lambda ms: any(predicate(json.loads(m.payload)) for m in ms
                           if m.topic == self.P + "/events"), 10)
        self.assertTrue(ok, "no %s event: %s" % (what, self.agent_log()))
        return [e for e in self.events() if predicate(e)][0]

    def assertEventShape(self, ev):
        self.assertEqual(list(ev), list(EVENT_KEYS))
        self.assertTrue(now_ms() - 30000 <= ev["at"] <= now_ms() + 1000, ev)


class TestDaemon(DaemonCase):
    def test_events_republishing_and_sigterm(self):
        self.sim.set_jobs(jobs_12())
        self.start_daemon()
        # Baseline: every job topic, no events.
        self.assertEqual(self.count("/jobs/"), 12)
        self.assertTrue(self.sub.wait_for(self.has(self.B + "/status", b"online"), 1))
        self.wait_polls(2)
        self.assertEqual(self.events(), [], "events on the baseline or unchanged polls")
        self.assertEqual(self.count("/jobs/"), 12, "unchanged jobs republished")

        # A status change: one transition event, that job republished only.
        before = self.count("/jobs/")
        self.sim.patch_job(3, {"status": 8})
        ev = self.wait_event(lambda e: e["type"] == "transition" and e["job_id"] == 3,
                             "transition")
        self.assertEventShape(ev)
        self.assertEqual((ev["job_name"], ev["from"], ev["from_name"], ev["to"], ev["to_name"],
                          ev["phase"]), ("train-003", 7, "WAITING", 8, "RUNNING", "running"))
        self.wait_polls(2)
        republished = [m for m in self.sub.snapshot() if "/jobs/" in m.topic][before:]
        self.assertEqual([m.topic for m in republished], [self.job_topic(3)])
        self.assertEqual(republished[0].json()["status"], 8)

        # A changed field without a status change: republished, no event.
        n_events = len(self.events())
        self.sim.patch_job(5, {"duration": 999999})
        self.assertTrue(self.sub.wait_for(
            lambda ms: any(m.topic == self.job_topic(5) and json.loads(m.payload)["duration"]
                           == 999999 for m in ms), 10))
        self.wait_polls(1)
        self.assertEqual(len(self.events()), n_events, "event without a status change")

        # A removal: event, and a zero-byte retained message.
        self.sim.delete_job(4)
        ev = self.wait_event(lambda e: e["type"] == "removed", "removed")
        self.assertEventShape(ev)
        self.assertEqual((ev["job_id"], ev["from"], ev["from_name"], ev["to"], ev["to_name"],
                          ev["phase"]), (4, 8, "RUNNING", None, None, "running"))
        self.assertTrue(self.sub.wait_for(self.has(self.job_topic(4), b""), 5))
        self.assertNotIn(self.job_topic(4), self.retained())

        # An addition.
        self.sim.add_job({"job_id": 99, "job_name": "new-job", "status": 7})
        ev = self.wait_event(lambda e: e["type"] == "added", "added")
        self.assertEventShape(ev)
        self.assertEqual((ev["job_id"], ev["job_name"], ev["from"], ev["from_name"], ev["to"],
                          ev["to_name"], ev["phase"]),
                         (99, "new-job", None, None, 7, "WAITING", "pending"))
        self.wait_polls(1)
        s = self.retained_json(self.P + "/summary")
        self.assertEqual(s["total"], 12)

        # SIGTERM: offline, exit 0.
        self.agent.send_signal(signal.SIGTERM)
        self.assertEqual(self.agent.wait(10), 0, self.agent_log())
        self.assertTrue(self.sub.wait_for(self.has(self.B + "/status", b"offline"), 5))
        self.assertEqual(self.retained().get(self.B + "/status"), b"offline")

    def test_a_failed_poll_removes_nothing_until_a_complete_poll(self):
        self.sim.set_jobs(jobs_12())
        self.start_daemon(per_page=5)
        # Act right after a poll published its health: the next poll is about
        # a second away, so it is not caught half-way.
        self.wait_polls(1)
        summaries = self.count("/summary")
        self.sim.add_fault(status=500, page=2, count=2)
        self.sim.delete_job(12)  # on page 3 (create_time order)
        ok = self.sub.wait_for(
            lambda ms: any(m.topic == self.B + "/health"
                           and json.loads(m.payload)["consecutive_failures"] == 2 for m in ms),
            10)
        self.assertTrue(ok, "two failed polls not reported in health: %s" % self.agent_log())
        h = [m.json() for m in self.sub.snapshot() if m.topic == self.B + "/health"][-1]
        self.assertEqual((h["poll_ok"], h["error_class"], h["http_status"]),
                         (False, "transient", 500))
        self.assertEqual(self.events(), [])
        self.assertNotIn(b"", [m.payload for m in self.sub.snapshot() if "/jobs/" in m.topic])
        self.assertEqual(self.count("/summary"), summaries, "summary after a failed poll")
        ev = self.wait_event(lambda e: e["type"] == "removed", "removed")
        self.assertEqual(ev["job_id"], 12)
        self.wait_polls(1)
        h = [m.json() for m in self.sub.snapshot() if m.topic == self.B + "/health"][-1]
        self.assertEqual((h["poll_ok"], h["consecutive_failures"]), (True, 0))
        self.agent.send_signal(signal.SIGINT)
        self.assertEqual(self.agent.wait(10), 0, self.agent_log())



class TestRestartWithoutLoss(DaemonCase):
    def test_restart_takes_the_retained_jobs_as_baseline(self):
        self.sim.set_jobs(jobs_12())
        self.start_daemon()
        self.assertEqual(self.count("/jobs/"), 12)
        self.agent.send_signal(signal.SIGTERM)
        self.assertEqual(self.agent.wait(10), 0, self.agent_log())

        # While the agent is down: job 2 finishes, job 3 is deleted.
        self.sim.patch_job(2, {"status": 10})
        self.sim.delete_job(3)

        self.sub = self.subscribe()
        live_from = len(self.sub.snapshot())
        self.launch(self.config_path)
        ev = self.wait_event(lambda e: e["type"] == "transition" and e["job_id"] == 2,
                             "transition of the job that finished during the restart")
        self.assertEqual((ev["from"], ev["to"], ev["to_name"]), (8, 10, "COMPLETED"))
        ev = self.wait_event(lambda e: e["type"] == "removed" and e["job_id"] == 3,
                             "removal of the job deleted during the restart")
        self.assertEqual(ev["from"], 7)
        self.assertTrue(self.sub.wait_for(self.has(self.job_topic(3), b""), 10),
                        "job 3's retained topic not cleared")
        self.assertIn("baseline from the broker: 12 retained job topics", self.agent_log())
        # The other jobs were known: no "added" events, no republishing.
        self.assertEqual([e for e in self.events() if e["type"] == "added"], [])
        live = [m for m in self.sub.snapshot()[live_from:]
                if "/jobs/" in m.topic and not m.retained]
        self.assertEqual(sorted({m.topic for m in live}),
                         sorted({self.job_topic(2), self.job_topic(3)}),
                         "unchanged jobs republished after the restart")
        self.agent.send_signal(signal.SIGTERM)
        self.assertEqual(self.agent.wait(10), 0, self.agent_log())


class TestBrokerDown(DaemonCase):
    def test_a_broker_down_at_start_is_retried_with_backoff(self):
        self.sim.set_jobs(jobs_12())
        self.broker.stop()
        self.config_path = self.config(per_page=5, poll_interval=20, timeout=2)
        self.launch(self.config_path)
        time.sleep(4.5)
        attempts = re.findall(r"no MQTT session: next attempt in ([0-9.]+) s \(attempt (\d+)\)",
                              self.agent_log())
        # With a 20 s poll interval, retries every interval would give one attempt
        # by now; the backoff gives several, each wait at most base * 2^attempt.
        self.assertGreaterEqual(len(attempts), 2, self.agent_log())
        for wait, attempt in attempts:
            self.assertLessEqual(float(wait), max(1.0, 2 ** (int(attempt) - 1)) + 0.001)
        self.broker.start(port=self.broker.port)
        self.sub = self.subscribe()
        self.assertTrue(self.sub.wait_for(self.has(self.P + "/summary"), 15),
                        "no poll after the broker came up: %s" % self.agent_log())
        self.assertEqual(self.retained().get(self.B + "/status"), b"online")
        self.assertIsNone(self.agent.poll(), "the agent exited while the broker was down")


class TestDaemonReload(DaemonCase):
    def test_sighup_rereads_the_file_and_moves_to_the_new_topics(self):
        self.sim.set_jobs(jobs_12())
        self.start_daemon()
        old_b = self.B
        self.new_agent("hup")
        new_sub = self.subscribe()
        # Rewrite the file the agent was started with: a new agent_id.
        testlib.write_agent_config(self.config_path, self.sim.port, self.broker.port,
                                   self.certs["ca"], self.agent_id, per_page=5,
                                   poll_interval=1, timeout=3)
        self.agent.send_signal(signal.SIGHUP)
        ok = new_sub.wait_for(lambda ms: any(m.topic == self.B + "/status"
                                             and m.payload == b"online" for m in ms), 10)
        self.assertTrue(ok, "no online under the new agent_id: %s" % self.agent_log())
        ok = new_sub.wait_for(lambda ms: any(m.topic == self.B + "/health" for m in ms), 10)
        self.assertTrue(ok, "no health under the new agent_id")
        self.assertIsNone(self.agent.poll(), "the agent exited on SIGHUP")
        self.assertNotEqual(old_b, self.B)
        self.agent.send_signal(signal.SIGTERM)
        self.assertEqual(self.agent.wait(10), 0, self.agent_log())

    def test_broker_restart_is_survived_and_counted(self):
        self.sim.set_jobs(jobs_12())
        self.start_daemon()
        self.broker.restart()
        sub = self.subscribe()
        ok = sub.wait_for(lambda ms: any(
            m.topic == self.B + "/health" and json.loads(m.payload)["mqtt_reconnects"] >= 1
            for m in ms), 20)
        self.assertTrue(ok, "no health with mqtt_reconnects >= 1: %s" % self.agent_log())
        self.assertIsNone(self.agent.poll(), "the agent exited when the broker restarted")
        self.assertEqual(self.retained().get(self.B + "/status"), b"online",
                         "status not online again after the reconnect")
        # The broker came back without persistence: within a poll or two of the
        # reconnect it holds every job topic and the summary again.
        want = {self.job_topic(j["job_id"]) for j in jobs_12()} | {self.P + "/summary"}
        deadline = time.monotonic() + 15
        held = set()
        while time.monotonic() < deadline:
            held = {t for t, p in self.retained().items() if p}
            if want <= held:
                break
            time.sleep(0.5)
        self.assertTrue(want <= held, "missing after the broker restart: %s\n%s"
                        % (sorted(want - held), self.agent_log()))
        self.agent.send_signal(signal.SIGTERM)
        self.assertEqual(self.agent.wait(10), 0, self.agent_log())


if __name__ == "__main__":
    unittest.main()

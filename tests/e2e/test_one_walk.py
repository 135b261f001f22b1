# SPDX-License-Identifier: Apache-2.0
"""One poll is one walk: each page is requested once, whatever the number of
changed jobs; a job read whole is published at once, with its event; only a
complete walk removes jobs and moves the summary; a broker that stops
acknowledging gets every job once it answers again."""

import json
import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_base import expected_job_payload  # noqa: E402
from test_daemon import DaemonCase, jobs_12  # noqa: E402


class TestFirstStart(DaemonCase):
    def check_first_start(self, per_page):
        self.sim.call("POST", "/_sim/generate", {"count": 10000, "seed": 3})
        jobs = {j["job_id"]: j for j in self.sim.call("GET", "/_sim/jobs")}
        r = self.run_once(per_page=per_page, timeout=120)
        self.assertExit(r, 0)
        self.assertEqual(self.sim.stats()["requests"], 10000 // per_page,
                         "each page requested once")
        snap = self.retained(self.P + "/jobs/#")
        self.assertEqual(len(snap), 10000)
        for topic, payload in snap.items():
            job = jobs[int(topic.rsplit("/", 1)[1])]
            self.assertEqual(json.loads(payload), expected_job_payload(job), topic)
        self.assertEqual(self.retained_json(self.P + "/summary")["total"], 10000)
        return r

    def test_a_restart_reads_back_ten_thousand_job_topics(self):
        self.check_first_start(1000)
        r = self.run_once(per_page=1000, timeout=120)
        self.assertExit(r, 0)
        self.assertIn("baseline from the broker: 10000 retained job topics", r.stderr)

    def test_ten_thousand_jobs_at_1000_a_page_take_ten_requests(self):
        self.check_first_start(1000)

    def test_ten_thousand_jobs_at_100_a_page_take_a_hundred_requests(self):
        self.check_first_start(100)

    def test_the_old_change_buffer_key_is_accepted_with_one_warning(self):
        self.sim.set_jobs(jobs_12())
        r = self.run_once(["--set", "modelarts.change_buffer_kib=512"], per_page=5)
        self.assertExit(r, 0)
        self.assertEqual(r.stderr.count("change_buffer_kib does nothing any more"), 1, r.stderr)
        r = self.run_agent(["-c", self.config(per_page=5), "--check-config",
                            "--set", "modelarts.change_buffer_kib=64"])
        self.assertExit(r, 0)
        self.assertIn("change_buffer_kib does nothing any more", r.stderr)


class TestPublishWhenRead(DaemonCase):
    def test_a_failed_walk_publishes_what_it_read_and_removes_nothing(self):
        jobs = jobs_12()
        self.sim.set_jobs(jobs)
        self.start_daemon(per_page=5)
        self.wait_polls(1)
        summary = self.retained_json(self.P + "/summary")
        summaries = self.count("/summary")
        # Job 2 (page 1) completes and job 12 (page 3) is deleted, while the
        # polls fail on page 3.
        self.sim.add_fault(status=500, page=3, count=3)
        self.sim.patch_job(2, {"status": 10, "duration": 4242})
        self.sim.delete_job(12)
        ev = self.wait_event(lambda e: e["type"] == "transition" and e["job_id"] == 2,
                             "transition")
        self.assertEqual((ev["from"], ev["to"]), (8, 10))
        self.assertEqual(self.retained_json(self.job_topic(2))["status"], 10)
        ok = self.sub.wait_for(
            lambda ms: any(m.topic == self.B + "/health"
                           and json.loads(m.payload)["consecutive_failures"] == 3 for m in ms),
            15)
        self.assertTrue(ok, "three failed polls not reported: %s" % self.agent_log(4000))
        # Three failed walks: one event, nothing removed, the summary as it was.
        self.assertEqual(len([e for e in self.events() if e["job_id"] == 2]), 1)
        self.assertEqual([m.topic for m in self.sub.snapshot() if m.payload == b""], [])
        self.assertEqual(self.count("/summary"), summaries)
        self.assertEqual(self.retained_json(self.P + "/summary"), summary)
        # The next complete walk moves the summary and sends no second event;
        # the one after removes job 12.
        self.assertTrue(self.sub.wait_for(self.has(self.job_topic(12), b""), 15),
                        self.agent_log(4000))
        s = self.retained_json(self.P + "/summary")
        self.assertEqual((s["total"], s["succeeded"]), (11, 1))
        self.assertEqual(len([e for e in self.events() if e["job_id"] == 2]), 1)
        self.assertEqual([(e["type"], e["job_id"]) for e in self.events()],
                         [("transition", 2), ("removed", 12)])
        self.stop_agent()


class TestBrokerStopsAcknowledging(DaemonCase):
    def test_every_job_arrives_once_the_broker_answers_again(self):
        jobs = [dict(j, job_id=i + 1, job_name="walk-%03d" % (i + 1), status=8)
                for i, j in enumerate(jobs_12() * 25)][:200]
        self.sim.set_jobs(jobs)
        self.sim.set_options(delay_ms=100)  # a walk of 10 pages takes a second or more
        self.sub = self.subscribe()
        self.config_path = self.config(per_page=20, poll_interval=1, timeout=2)
        self.launch(self.config_path)
        self.assertTrue(self.sub.wait_for(self.has(self.P + "/summary"), 20), self.agent_log())
        changed = list(range(5, 200, 20))  # one job a page
        for jid in changed:
            self.sim.patch_job(jid, {"status": 10})
        # Stop the broker once the next walk is past its second page.
        start = self.sim.stats()["requests"]
        deadline = time.monotonic() + 20
        while self.sim.stats()["requests"] < start + 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        self.broker.proc.send_signal(signal.SIGSTOP)
        try:
            time.sleep(4)  # the agent's 2 s wait for acknowledgements runs out
        finally:
            self.broker.proc.send_signal(signal.SIGCONT)
        self.assertIn("did not acknowledge", self.agent_log())
        # Every job topic and every transition reach the broker.
        for jid in changed:
            self.wait_event(lambda e, j=jid: e["type"] == "transition" and e["job_id"] == j,
                            "transition of job %d" % jid)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            snap = self.retained(self.P + "/jobs/#")
            if all(json.loads(snap.get(self.job_topic(j), b"{}")).get("status") == 10
                   for j in changed):
                break
            time.sleep(0.5)
        for j in jobs:
            if j["job_id"] in changed:
                j["status"] = 10
        for j in jobs:
            self.assertEqual(json.loads(snap[self.job_topic(j["job_id"])]),
                             expected_job_payload(j))
        self.stop_agent()


if __name__ == "__main__":
    unittest.main()

"""A poll holds the jobs that changed until every page has been read: a poll
that fails on any page publishes no job topic and no event, and the next
complete poll publishes them with their events. A change buffer too small for
one walk's changes makes more walks, never a partial picture."""

import json
import os
import re
import signal
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_base import jobs_with_every_status  # noqa: E402
from test_daemon import DaemonCase, jobs_12  # noqa: E402


class TestFailedPollHoldsChanges(DaemonCase):
    def test_a_failed_poll_changes_no_job_topic_and_sends_no_event(self):
        self.sim.set_jobs(jobs_12())
        self.start_daemon(per_page=5)
        self.wait_polls(1)
        before = len(self.sub.snapshot())
        # Two polls fail on page 3 while job 2 (page 1) finishes and job 13
        # (page 3) appears.
        self.sim.add_fault(status=500, page=3, count=2)
        self.sim.patch_job(2, {"status": 10, "duration": 4242})
        new_job = dict(jobs_12()[0], job_id=13, job_name="job-13-late",
                       create_time=jobs_12()[-1]["create_time"] + 1000)
        self.sim.add_job(new_job)
        ok = self.sub.wait_for(
            lambda ms: any(m.topic == self.B + "/health"
                           and json.loads(m.payload)["consecutive_failures"] == 2 for m in ms),
            10)
        self.assertTrue(ok, "two failed polls not reported in health: %s" % self.agent_log())
        during = self.sub.snapshot()[before:]
        self.assertEqual([m.topic for m in during if "/jobs/" in m.topic], [],
                         "job topics published by failed polls")
        self.assertEqual([m.payload for m in during if m.topic.endswith("/events")], [])
        # The first complete poll publishes both, each with its event.
        ev = self.wait_event(lambda e: e["type"] == "transition" and e["job_id"] == 2,
                             "transition")
        self.assertEqual((ev["from"], ev["to"]), (8, 10))
        ev = self.wait_event(lambda e: e["type"] == "added" and e["job_id"] == 13, "added")
        self.assertEqual(ev["job_name"], "job-13-late")
        self.assertEqual(self.retained_json(self.job_topic(2))["status"], 10)
        self.assertEqual(self.retained_json(self.job_topic(13))["job_name"], "job-13-late")
        self.agent.send_signal(signal.SIGINT)
        self.assertEqual(self.agent.wait(10), 0, self.agent_log())


class TestSmallChangeBuffer(DaemonCase):
    def published_jobs(self):
        return {t for t in self.retained() if "/jobs/" in t}

    def test_changes_that_do_not_fit_take_more_walks_in_one_poll(self):
        jobs = jobs_with_every_status(300)
        self.sim.set_jobs(jobs)
        sub = self.subscribe()
        r = self.run_once(["--set", "modelarts.change_buffer_kib=16", "-v"], per_page=100)
        self.assertExit(r, 0)
        requests = self.sim.stats()["requests"]
        # Each walk reads the 3 pages; 300 payloads of ~300 bytes need several.
        self.assertEqual(requests % 3, 0, requests)
        self.assertGreater(requests, 3)
        self.assertEqual(len(self.published_jobs()), 300)
        by_id = {j["job_id"]: j for j in jobs}
        for topic, payload in self.retained().items():
            if "/jobs/" in topic:
                self.assertJobPayload(payload, by_id[int(topic.rsplit("/", 1)[1])])
        sub.wait_for(lambda ms: any(m.payload == b"offline" for m in ms), 5)
        self.assertEqual([m for m in sub.snapshot() if m.topic.endswith("/events")], [],
                         "events for the baseline")
        self.assertEqual(self.retained_json(self.P + "/summary")["total"], 300)

    def test_changes_beyond_the_walk_limit_wait_for_the_next_poll(self):
        jobs = jobs_with_every_status(400)
        self.sim.set_jobs(jobs)
        r = self.run_once(["--set", "modelarts.change_buffer_kib=4"], per_page=200)
        self.assertExit(r, 0)
        self.assertRegex(r.stderr, r"changed jobs did not fit modelarts.change_buffer_kib after "
                                   r"16 walks")
        first = self.published_jobs()
        self.assertGreater(len(first), 0)
        self.assertLess(len(first), 400)
        self.assertEqual(self.sim.stats()["requests"], 16 * 2)
        # The summary counts what the API listed, published or not.
        self.assertEqual(self.retained_json(self.P + "/summary")["total"], 400)
        r = self.run_once(["--set", "modelarts.change_buffer_kib=64"], per_page=200)
        self.assertExit(r, 0)
        self.assertEqual(len(self.published_jobs()), 400)
        self.assertNotRegex(r.stderr, re.compile("did not fit"))


if __name__ == "__main__":
    unittest.main()

# SPDX-License-Identifier: Apache-2.0
"""A steady state that costs almost nothing: a poll of unchanged jobs
publishes nothing at all; the summary and health go out when their content
changes (timestamps aside) and otherwise once per heartbeat."""

import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from test_daemon import DaemonCase, jobs_12  # noqa: E402


class TestSteadyState(DaemonCase):
    def start_with_heartbeat(self, heartbeat):
        self.sub = self.subscribe()
        mqtt = {"heartbeat": heartbeat}  # None: the default (300 s)
        self.config_path = self.config(per_page=5, poll_interval=1, timeout=3, mqtt_extra=mqtt)
        self.launch(self.config_path)
        self.assertTrue(self.sub.wait_for(self.has(self.B + "/health"), 15),
                        "no health after the first poll: %s" % self.agent_log())

    def wait_requests(self, n):
        """Wait until the simulator has answered n more list requests."""
        start = self.sim.stats()["requests"]
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.sim.stats()["requests"] >= start + n:
                return
            time.sleep(0.1)
        self.fail("fewer than %d more requests: %s" % (n, self.agent_log()))

    def test_unchanged_polls_publish_nothing_and_a_change_publishes_only_itself(self):
        self.sim.set_jobs(jobs_12())
        self.start_with_heartbeat(None)
        self.wait_requests(3)  # the second poll (3 pages) is under way or done
        time.sleep(0.3)
        settled = len(self.sub.snapshot())
        self.wait_requests(9)  # three more steady polls
        time.sleep(0.3)
        quiet = self.sub.snapshot()[settled:]
        self.assertEqual([m.topic for m in quiet], [], "messages from unchanged polls")
        self.sim.patch_job(2, {"status": 10})
        self.wait_event(lambda e: e["type"] == "transition" and e["job_id"] == 2, "transition")
        self.wait_requests(6)  # two more polls: nothing else follows
        time.sleep(0.3)
        topics = sorted(m.topic for m in self.sub.snapshot()[settled:])
        self.assertEqual(topics, sorted([self.job_topic(2), self.P + "/events",
                                         self.P + "/summary"]), topics)
        self.agent.send_signal(signal.SIGINT)
        self.assertEqual(self.agent.wait(10), 0, self.agent_log())

    def test_a_server_that_reorders_keys_on_every_response_publishes_nothing_new(self):
        # Key order and spacing change on every response: each job costs a parse,
        # and is found unchanged.
        self.sim.set_jobs(jobs_12())
        self.sim.set_options(shuffle_keys=True, pretty=True, seed=7)
        self.start_with_heartbeat(None)
        self.wait_requests(3)
        time.sleep(0.3)
        settled = len(self.sub.snapshot())
        self.wait_requests(9)
        time.sleep(0.3)
        self.assertEqual([m.topic for m in self.sub.snapshot()[settled:]], [],
                         "messages from polls whose bytes changed but not their jobs")
        self.agent.send_signal(signal.SIGINT)
        self.assertEqual(self.agent.wait(10), 0, self.agent_log())

    def test_the_heartbeat_republishes_unchanged_summary_and_health(self):
        self.sim.set_jobs(jobs_12())
        self.start_with_heartbeat(2)
        first = len([m for m in self.sub.snapshot() if m.topic == self.P + "/summary"])
        self.wait_requests(3 * 6)  # six polls, about six seconds
        summaries = [m for m in self.sub.snapshot() if m.topic == self.P + "/summary"]
        healths = [m for m in self.sub.snapshot() if m.topic == self.B + "/health"]
        # About every two seconds: more than the first, fewer than one per poll.
        self.assertGreaterEqual(len(summaries) - first, 2, self.agent_log())
        self.assertLess(len(summaries), 7)
        self.assertGreaterEqual(len(healths), 3)
        self.assertLess(len(healths), 7)
        ats = [m.json()["updated_at"] for m in summaries]
        self.assertEqual(ats, sorted(set(ats)), "updated_at moves with each summary")


if __name__ == "__main__":
    unittest.main()

# SPDX-License-Identifier: Apache-2.0
"""Nothing stale left on the broker after SIGHUP: a removed project's
retained P/jobs/* (those of an earlier run included), P/summary, P/health
and Home Assistant device are cleared before the agent forgets it; turning
discovery off clears every discovery message it had published, and turning
per-job entities off clears the job entities and keeps the device. What the
remaining projects hold is left as it is. Real mosquitto, the simulator."""

import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import testlib  # noqa: E402
from test_projects import A, B_ID, ProjectsCase, jobs_for  # noqa: E402

PREFIX = "homeassistant"


class LeftoversCase(ProjectsCase):
    def ha_config(self, projects, discovery=True, per_job=True):
        path = self.multi_config(projects)
        with open(path, "a", encoding="utf-8") as f:
            f.write("[homeassistant]\ndiscovery = %s\nprefix = %s\nper_job_entities = %s\n"
                    % ("true" if discovery else "false", PREFIX,
                       "true" if per_job else "false"))
        return path

    def device_topic(self, project):
        return "%s/device/%s_%s/config" % (PREFIX, self.agent_id, project)

    def job_entity_topic(self, project, job_id):
        return "%s/device/%s_%s_job_%d/config" % (PREFIX, self.agent_id, project, job_id)

    def discovery_of(self, project):
        """Retained discovery topics of project's device and job entities."""
        mine = "%s/device/%s_%s" % (PREFIX, self.agent_id, project)
        return sorted(t for t, p in self.retained(PREFIX + "/#").items()
                      if p and (t == mine + "/config" or t.startswith(mine + "_job_")))

    def wait_retained(self, predicate, what, timeout=20):
        """Poll the broker's retained messages until predicate(snapshot) holds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            snap = {t: p for t, p in self.retained("#").items() if p}
            if predicate(snap):
                return snap
            time.sleep(0.3)
        self.fail("%s: %s\n%s" % (what, sorted(snap), self.agent_log(6000)))

    def reload_with(self, path, new_path):
        self.assertEqual(new_path, path)
        self.agent.send_signal(signal.SIGHUP)


class TestRemovedProject(LeftoversCase):
    def test_sighup_removing_a_project_clears_its_topics_and_its_device(self):
        a_jobs, b_jobs = jobs_for(1000, 3), jobs_for(2000, 4)
        self.set_jobs(A, a_jobs)
        self.set_jobs(B_ID, b_jobs)
        sub = self.subscribe()
        path = self.ha_config([A, B_ID])
        self.launch(path)
        self.wait_all(sub, [self.P_of(p) + "/summary" for p in (A, B_ID)] +
                      [self.P_of(p) + "/health" for p in (A, B_ID)])
        b_discovery = [self.device_topic(B_ID)] + sorted(
            self.job_entity_topic(B_ID, j["job_id"]) for j in b_jobs)
        self.wait_retained(lambda s: set(b_discovery) <= set(s), "project B's discovery")
        a_discovery = self.discovery_of(A)
        self.assertEqual(len(a_discovery), 1 + len(a_jobs), a_discovery)
        # A job topic of an earlier run that this run never published.
        stray = self.P_of(B_ID) + "/jobs/1999"
        testlib.publish(self.broker.port, stray, '{"job_id":1999,"status":10}', retain=True)

        self.reload_with(path, self.ha_config([A]))
        P_b = self.P_of(B_ID) + "/"
        snap = self.wait_retained(
            lambda s: not any(t.startswith(P_b) for t in s) and
            not set(b_discovery) & set(s), "project B's topics and device cleared")
        self.assertIn("project %s removed: cleared its 5 retained job topics, summary and health "
                      "and its Home Assistant device" % B_ID, self.agent_log())
        # Project A keeps its jobs, summary and device; its P/health goes, as B/health is its
        # own again.
        P_a = self.P_of(A) + "/"
        self.assertEqual(sorted(t for t in snap if t.startswith(P_a + "jobs/")),
                         sorted("%sjobs/%d" % (P_a, j["job_id"]) for j in a_jobs))
        self.assertIn(P_a + "summary", snap)
        self.wait_retained(lambda s: P_a + "health" not in s, "A's P/health cleared")
        self.assertEqual(self.discovery_of(A), a_discovery)
        self.health_where(sub, self.B + "/health", lambda h: "projects" not in h and
                          h["jobs"] == len(a_jobs), what="B/health of project A alone")
        self.assertIsNone(self.agent.poll(), "the agent exited on SIGHUP")
        self.stop_agent()

    def test_a_project_removed_without_a_broker_logs_that_its_topics_stay(self):
        self.set_jobs(A, jobs_for(1000, 2))
        self.set_jobs(B_ID, jobs_for(2000, 2))
        sub = self.subscribe()
        path = self.multi_config([A, B_ID])
        self.launch(path)
        self.wait_all(sub, [self.P_of(B_ID) + "/summary"])
        self.broker.stop()
        try:
            time.sleep(0.5)
            self.reload_with(path, self.multi_config([A]))
            deadline = time.monotonic() + 10
            while "its retained topics stay" not in self.agent_log() and \
                    time.monotonic() < deadline:
                time.sleep(0.2)
            self.assertIn("project %s removed without a broker session: its retained topics "
                          "stay" % B_ID, self.agent_log())
            self.assertIsNone(self.agent.poll(), "the agent exited on SIGHUP")
        finally:
            self.broker.start()


class TestDiscoveryTurnedOff(LeftoversCase):
    def start_with_discovery(self, jobs):
        self.set_jobs(A, jobs)
        path = self.ha_config([A])
        self.launch(path)
        expected = [self.device_topic(A)] + sorted(
            self.job_entity_topic(A, j["job_id"]) for j in jobs)
        self.wait_retained(lambda s: set(expected) <= set(s), "the discovery messages")
        return path, expected

    def test_discovery_off_clears_every_discovery_message_and_keeps_the_jobs(self):
        jobs = jobs_for(1000, 3)
        path, expected = self.start_with_discovery(jobs)
        self.reload_with(path, self.ha_config([A], discovery=False))
        snap = self.wait_retained(lambda s: not set(expected) & set(s),
                                  "every discovery message cleared")
        self.assertEqual(self.discovery_of(A), [])
        self.assertIn("homeassistant: cleared %d discovery messages of project %s"
                      % (len(expected), A), self.agent_log())
        self.assertEqual(sorted(t for t in snap if t.startswith(self.P + "/jobs/")),
                         sorted(self.job_topic(j["job_id"]) for j in jobs))
        # Nothing announces them again.
        time.sleep(2.5)
        self.assertEqual(self.discovery_of(A), [])
        self.assertIsNone(self.agent.poll(), "the agent exited on SIGHUP")
        self.stop_agent()

    def test_per_job_entities_off_clears_the_jobs_and_keeps_the_device(self):
        jobs = jobs_for(1000, 3)
        path, expected = self.start_with_discovery(jobs)
        self.reload_with(path, self.ha_config([A], per_job=False))
        self.wait_retained(lambda s: not set(expected[1:]) & set(s),
                           "the job entities cleared")
        time.sleep(2.5)  # a poll or two later: the device is there, the jobs stay cleared
        self.assertEqual(self.discovery_of(A), [self.device_topic(A)])
        self.stop_agent()


if __name__ == "__main__":
    unittest.main()

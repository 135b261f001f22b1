# SPDX-License-Identifier: Apache-2.0
"""Several ModelArts projects watched by one agent over one MQTT connection:
[modelarts] project_id lists them, or [modelarts.NAME] sections add them
(each with its own token). One simulator serves every project; mosquitto
logs each client connection, so that the test can count them.

Every project's P/jobs/*, P/summary and P/health are checked exactly
against the simulator; B/health is the combination docs/topics.md
describes; a fault in one project leaves the other's topics alone."""

import json
import os
import re
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_base import (HEALTH_KEYS, PHASE_NAMES, E2ECase, jobs_with_every_status,  # noqa: E402
                      now_ms, phase_of)
import testlib  # noqa: E402

A = testlib.PROJECT_ID  # the simulator's own project
B_ID = "proj-b"  # the simulator's token, as A
D_ID = "proj-d"  # the simulator's token, as A
LAB = "proj-lab"  # a token of its own: only a [modelarts.NAME] section can reach it
LAB_TOKEN = "lab-token-" + "Q7" * 30


def jobs_for(first_id, n):
    """n jobs with ids from first_id, distinct per project."""
    jobs = jobs_with_every_status(n, first_id=first_id)
    for j in jobs:
        j["status"] = 7 if j["job_id"] % 2 else 8
    return jobs


class ProjectsCase(E2ECase):
    sim_projects = (B_ID, D_ID, "%s:%s" % (LAB, LAB_TOKEN))
    broker_log_types = ("error", "warning", "notice")  # "New client connected ..."

    # ---- the simulator's projects ---------------------------------------------

    def set_jobs(self, project, jobs):
        if project == A:
            return self.sim.set_jobs(jobs)
        return self.sim.call("PUT", "/_sim/projects/%s/jobs" % project, jobs)

    def patch_job(self, project, job_id, fields):
        prefix = "/_sim" if project == A else "/_sim/projects/%s" % project
        return self.sim.call("PATCH", "%s/jobs/%d" % (prefix, job_id), fields)

    def add_fault(self, project, **fault):
        return self.sim.call("POST", "/_sim/projects/%s/faults" % project, fault)

    # ---- the agent ---------------------------------------------------------------

    def P_of(self, project):
        return "%s/%s" % (self.B, project)

    def multi_config(self, projects, sections=(), **kw):
        """A config whose [modelarts] project_id lists projects ("" for
        none), plus [modelarts.NAME] sections given as (NAME, {key: value})."""
        kw.setdefault("per_page", 5)
        kw.setdefault("poll_interval", 1)
        kw.setdefault("timeout", 3)
        path = self.config(project_id=", ".join(projects) if projects else None, **kw)
        with open(path, "a", encoding="utf-8") as f:
            for name, keys in sections:
                f.write("[modelarts.%s]\n" % name)
                for k, v in keys.items():
                    f.write("%s = %s\n" % (k, v))
                f.write("\n")
        return path

    def connections(self):
        """Client connections the broker logged for this test's agent."""
        with open(self.broker.log_path, "r", errors="replace") as f:
            log = f.read()
        return len(re.findall(r"New client connected from .* as modelarts2mqtt-%s "
                              % re.escape(self.agent_id), log))

    def wait_all(self, sub, topics, timeout=20):
        ok = sub.wait_for(lambda ms: set(topics) <= {m.topic for m in ms}, timeout)
        self.assertTrue(ok, "missing %s: %s" % (sorted(set(topics) - {
            m.topic for m in sub.snapshot()}), self.agent_log(6000)))

    def health_where(self, sub, topic, predicate, timeout=20, what="health", since=0):
        """The first message on topic, from the since-th message sub saw on,
        whose JSON satisfies predicate; its index is self.found_at."""
        found = []

        def look(ms):
            for i, m in enumerate(ms[since:], since):
                if m.topic == topic and m.payload and predicate(json.loads(m.payload)):
                    found.append((json.loads(m.payload), i))
                    return True
            return False

        self.assertTrue(sub.wait_for(look, timeout), "no %s on %s: %s"
                        % (what, topic, self.agent_log(6000)))
        self.found_at = found[0][1]
        return found[0][0]

    def assertProjectExact(self, project, jobs):
        """Every retained P/jobs/* of project is the job's payload, no more;
        P/summary counts them."""
        P = self.P_of(project)
        snap = self.retained(P + "/#")
        job_topics = {t: p for t, p in snap.items() if t.startswith(P + "/jobs/") and p}
        self.assertEqual(sorted(job_topics),
                         sorted("%s/jobs/%d" % (P, j["job_id"]) for j in jobs), project)
        for j in jobs:
            self.assertJobPayload(job_topics["%s/jobs/%d" % (P, j["job_id"])], j)
        summary = json.loads(snap[P + "/summary"])
        self.assertEqual(summary["total"], len(jobs), project)
        for phase in PHASE_NAMES:
            self.assertEqual(summary[phase], len([j for j in jobs
                                                  if phase_of(j["status"]) == phase]), phase)
        health = json.loads(snap[P + "/health"])
        self.assertLessEqual(set(HEALTH_KEYS), set(health))
        self.assertTrue(health["poll_ok"], health)
        self.assertEqual(health["jobs"], len(jobs))
        return health


class TestSeveralProjects(ProjectsCase):
    def run_projects(self, projects):
        sets = {p: jobs_for(1000 * (i + 1), 7 + 3 * i) for i, p in enumerate(projects)}
        for p, jobs in sets.items():
            self.set_jobs(p, jobs)
        sub = self.subscribe()
        self.launch(self.multi_config(projects))
        self.wait_all(sub, ["%s/summary" % self.P_of(p) for p in projects] +
                      ["%s/health" % self.P_of(p) for p in projects] + [self.B + "/health"])
        healths = {p: self.assertProjectExact(p, jobs) for p, jobs in sets.items()}
        total = self.retained_json(self.B + "/health")
        # The keys of one project's health, in its order, then two more.
        self.assertEqual(list(total), list(healths[A]) + ["projects", "failing"])
        self.assertEqual(total["projects"], len(projects))
        self.assertEqual(total["failing"], [])
        self.assertTrue(total["poll_ok"])
        self.assertEqual(total["http_status"], 200)
        self.assertIsNone(total["error_class"])
        self.assertEqual(total["jobs"], sum(len(j) for j in sets.values()))
        self.assertEqual(total["capacity"], sum(h["capacity"] for h in healths.values()))
        self.assertEqual(total["tracked"], sum(h["tracked"] for h in healths.values()))
        self.assertEqual(total["pages"], sum(h["pages"] for h in healths.values()))
        self.assertEqual(total["consecutive_failures"], 0)
        self.assertLessEqual(total["last_success_at"], now_ms())
        self.assertEqual(self.retained().get(self.B + "/status"), b"online")
        # Nothing but the projects' own topics under B.
        for t in self.retained():
            rest = t[len(self.B) + 1:]
            self.assertTrue(rest in ("status", "health") or rest.split("/")[0] in projects, t)
        self.assertEqual(self.connections(), 1, "one MQTT connection for every project")
        self.stop_agent()
        self.assertEqual(self.retained().get(self.B + "/status"), b"offline")

    def test_two_projects_over_one_connection_are_exact(self):
        self.run_projects([A, B_ID])

    def test_three_projects_over_one_connection_are_exact(self):
        self.run_projects([A, B_ID, D_ID])

    def test_a_fault_in_one_project_leaves_the_other_alone_and_recovers(self):
        a_jobs, b_jobs = jobs_for(1000, 7), jobs_for(2000, 12)  # B: three pages of 5
        self.set_jobs(A, a_jobs)
        self.set_jobs(B_ID, b_jobs)
        sub = self.subscribe()
        self.launch(self.multi_config([A, B_ID]))
        self.health_where(sub, self.B + "/health", lambda h: h["poll_ok"])
        # A job changes in each project; B's next poll fails on page 2.
        self.add_fault(B_ID, status=500, page=2, count=1)
        self.patch_job(A, 1001, {"status": 10})
        self.patch_job(B_ID, 2001, {"status": 10})
        failed = self.health_where(sub, self.P_of(B_ID) + "/health",
                                   lambda h: not h["poll_ok"], what="failed health")
        failed_at = self.found_at
        self.assertEqual((failed["http_status"], failed["error_class"]), (500, "transient"))
        total = self.health_where(sub, self.B + "/health", lambda h: not h["poll_ok"],
                                  what="failed B/health")
        self.assertEqual(total["failing"], [B_ID])
        self.assertEqual((total["http_status"], total["error_class"]), (500, "transient"))
        self.assertEqual(total["consecutive_failures"], 1)
        self.health_where(sub, self.P_of(A) + "/jobs/1001", lambda j: j["status"] == 10,
                          what="A's changed job")
        # One session, one ordered stream: B's job 2001 is on page 1, which
        # was read whole before page 2 failed, so the failed walk published
        # it, with its event, and nothing else of B.
        b_topic = self.P_of(B_ID) + "/jobs/2001"
        before = sub.snapshot()[:failed_at]
        seen_before = [m.json()["status"] for m in before if m.topic == b_topic]
        self.assertEqual(seen_before, [b_jobs[1]["status"], 10])
        b_events = [m.json() for m in before if m.topic == self.P_of(B_ID) + "/events"]
        self.assertEqual([(e["type"], e["job_id"], e["to"]) for e in b_events],
                         [("transition", 2001, 10)])
        # The next poll of B completes; it sends that event no second time.
        self.health_where(sub, self.B + "/health", lambda h: h["poll_ok"] and not h["failing"],
                          what="recovered B/health", since=failed_at)
        a_jobs[1]["status"] = b_jobs[1]["status"] = 10  # jobs 1001 and 2001
        self.assertProjectExact(A, a_jobs)
        self.assertProjectExact(B_ID, b_jobs)
        self.assertEqual(len([m for m in sub.snapshot() if m.topic == self.P_of(B_ID) + "/events"
                              and m.json()["job_id"] == 2001]), 1)
        self.stop_agent()

    def test_a_change_in_one_project_publishes_that_project_only(self):
        self.set_jobs(A, jobs_for(1000, 6))
        self.set_jobs(B_ID, jobs_for(2000, 6))
        self.launch(self.multi_config([A, B_ID]))
        sub = self.subscribe()
        self.wait_all(sub, [self.P_of(A) + "/summary", self.P_of(B_ID) + "/summary"])
        time.sleep(1.5)  # the baseline is over in both
        quiet = self.subscribe()  # no retained messages: what is published from now on
        self.patch_job(B_ID, 2002, {"status": 11})
        ev = self.health_where(quiet, self.P_of(B_ID) + "/events",
                               lambda e: e["job_id"] == 2002, what="B's event")
        self.assertEqual((ev["type"], ev["from"], ev["to"]), ("transition", 8, 11))
        time.sleep(2.5)  # two more polls of each project
        live = [m for m in quiet.snapshot() if not m.retained]
        for m in live:
            self.assertFalse(m.topic.startswith(self.P_of(A) + "/jobs/"), m)
            self.assertNotEqual(m.topic, self.P_of(A) + "/events", m)
        b_jobs = [m.topic for m in live if "/jobs/" in m.topic]
        self.assertEqual(b_jobs, [self.P_of(B_ID) + "/jobs/2002"])
        self.stop_agent()


class TestProjectSections(ProjectsCase):
    def lab_section(self, **extra):
        keys = {"project_id": LAB, "token": LAB_TOKEN}
        keys.update(extra)
        return [("lab", keys)]

    def test_a_section_brings_its_own_token(self):
        self.set_jobs(A, jobs_for(1000, 4))
        self.set_jobs(LAB, jobs_for(3000, 6))
        r = self.run_agent(["-c", self.multi_config([A], self.lab_section()), "--once"])
        self.assertExit(r, 0)
        self.assertProjectExact(A, jobs_for(1000, 4))
        self.assertProjectExact(LAB, jobs_for(3000, 6))
        self.assertEqual(self.retained_json(self.B + "/health")["projects"], 2)
        self.assertNotIn(LAB_TOKEN, r.stderr + r.stdout)

    def test_sections_alone_and_set_with_the_section_name(self):
        """No project in [modelarts]; --set SECTION.KEY splits at the last dot."""
        self.set_jobs(LAB, jobs_for(3000, 3))
        self.set_jobs(B_ID, jobs_for(2000, 2))
        path = self.multi_config([], [("lab", {"project_id": LAB}), ("b", {"project_id": B_ID})])
        r = self.run_agent(["-c", path, "--once", "--set", "modelarts.lab.token=" + LAB_TOKEN])
        self.assertExit(r, 0)
        self.assertProjectExact(LAB, jobs_for(3000, 3))
        self.assertProjectExact(B_ID, jobs_for(2000, 2))

    def test_once_exits_with_the_most_severe_result(self):
        self.set_jobs(A, jobs_for(1000, 3))
        cases = [
            # (faults per project, the LAB section's token, exit code)
            ("refused beats ok", {}, "wrong-" + LAB_TOKEN, 3),
            ("transient alone", {A: 503}, LAB_TOKEN, 1),
            ("refused beats transient", {A: 503}, "wrong-" + LAB_TOKEN, 3),
            ("everything ok", {}, LAB_TOKEN, 0),
        ]
        for name, faults, token, code in cases:
            with self.subTest(name):
                self.sim.call("DELETE", "/_sim/faults")
                for project, status in faults.items():
                    self.add_fault(project, status=status, count=1)
                r = self.run_agent(["-c", self.multi_config([A], self.lab_section(token=token)),
                                    "--once"])
                self.assertExit(r, code)
        # The transient fault hit A only: LAB's topics came through.
        self.assertTrue(self.retained_json(self.P_of(LAB) + "/health")["poll_ok"])

    def test_a_project_configured_twice_is_exit_2(self):
        cases = [
            ("listed twice", [A, A], ()),
            ("list and section", [A], [("x", {"project_id": A})]),
            ("two sections", [], [("x", {"project_id": B_ID}), ("y", {"project_id": B_ID})]),
        ]
        for name, projects, sections in cases:
            with self.subTest(name):
                r = self.run_agent(["-c", self.multi_config(projects, sections),
                                    "--check-config"])
                self.assertExit(r, 2)
                self.assertRegex(r.stderr, r"twice")

    def test_a_section_without_project_or_with_a_shared_key_is_exit_2(self):
        cases = [
            ("no project_id", [("x", {"token": "t"})], r"\[modelarts\.x\] needs project_id"),
            ("a list", [("x", {"project_id": "a, b"})], r"one id"),
            ("poll_interval", [("x", {"project_id": "a", "poll_interval": 5})],
             r"modelarts\.x\.poll_interval: every project shares this key"),
            ("unknown key", [("x", {"project_id": "a", "bogus": 1})],
             r"unknown key modelarts\.x\.bogus"),
        ]
        for name, sections, message in cases:
            with self.subTest(name):
                r = self.run_agent(["-c", self.multi_config([A], sections), "--check-config"])
                self.assertExit(r, 2)
                self.assertRegex(r.stderr, message)

    def test_check_config_and_dry_run_show_every_project(self):
        self.set_jobs(A, jobs_for(1000, 2))
        self.set_jobs(LAB, jobs_for(3000, 2))
        path = self.multi_config([A], self.lab_section())
        r = self.run_agent(["-c", path, "--check-config"])
        self.assertExit(r, 0)
        self.assertIn("configuration OK: 2 projects: %s %s" % (A, LAB), r.stdout)
        r = self.run_agent(["-c", path, "--dry-run"])
        self.assertExit(r, 0)
        topics = [line.split(" ")[0] for line in r.stdout.splitlines()]
        for project, jobs in ((A, jobs_for(1000, 2)), (LAB, jobs_for(3000, 2))):
            for j in jobs:
                self.assertIn("%s/jobs/%d" % (self.P_of(project), j["job_id"]), topics)
            self.assertIn(self.P_of(project) + "/health", topics)
        total = [line for line in r.stdout.splitlines() if line.startswith(self.B + "/health ")]
        self.assertEqual(len(total), 1, r.stdout)
        self.assertEqual(json.loads(total[0].split(" ", 2)[2])["projects"], 2)
        self.assertEqual(self.retained(), {}, "a dry run published")


class TestReloadAndFleet(ProjectsCase):
    def test_sighup_adds_and_removes_a_project(self):
        self.set_jobs(A, jobs_for(1000, 3))
        self.set_jobs(B_ID, jobs_for(2000, 4))
        sub = self.subscribe()
        path = self.multi_config([A])
        self.launch(path)
        self.wait_all(sub, [self.P_of(A) + "/summary", self.B + "/health"])
        self.assertNotIn("projects", self.retained_json(self.B + "/health"))
        self.assertNotIn(self.P_of(A) + "/health", self.retained())

        self.assertEqual(self.multi_config([A, B_ID]), path)
        self.agent.send_signal(signal.SIGHUP)
        self.wait_all(sub, [self.P_of(B_ID) + "/summary", self.P_of(A) + "/health"])
        total = self.health_where(sub, self.B + "/health", lambda h: h.get("projects") == 2,
                                  what="B/health of two projects")
        self.assertEqual(total["jobs"], 7)
        self.assertProjectExact(B_ID, jobs_for(2000, 4))

        self.assertEqual(self.multi_config([B_ID]), path)
        self.agent.send_signal(signal.SIGHUP)
        self.health_where(sub, self.B + "/health", lambda h: "projects" not in h and
                          h["jobs"] == 4, what="B/health of one project again")
        self.assertIsNone(self.agent.poll(), "the agent exited on SIGHUP")
        self.assertEqual(self.connections(), 1, "a project change needs no new connection")
        self.stop_agent()

    def test_two_agents_on_one_broker_never_collide(self):
        self.set_jobs(A, jobs_for(1000, 3))
        self.set_jobs(B_ID, jobs_for(2000, 2))
        first_b = self.B
        sub = self.subscribe("modelarts/#")
        self.launch(self.multi_config([A, B_ID]))
        first = self.agent
        self.new_agent("second")
        self.launch(self.multi_config([A]))
        self.wait_all(sub, [first_b + "/health", first_b + "/%s/summary" % B_ID,
                            self.B + "/health", self.P_of(A) + "/summary"])
        mine = {t for t in self.retained() if t.startswith(self.B + "/")}
        self.assertNotIn(self.B + "/%s/summary" % B_ID, mine)
        self.assertNotIn("projects", self.retained_json(self.B + "/health"))
        self.assertEqual(json.loads(self.retained(first_b + "/#")[first_b + "/health"])
                         ["projects"], 2)
        # The second agent stops: the first stays online.
        self.stop_agent()
        time.sleep(1.5)
        self.assertEqual(self.retained(first_b + "/#")[first_b + "/status"], b"online")
        self.assertEqual(self.retained()[self.B + "/status"], b"offline")
        self.assertIsNone(first.poll(), "the first agent exited")
        first.send_signal(signal.SIGTERM)
        self.assertEqual(first.wait(10), 0)


class TestHomeAssistantDevices(ProjectsCase):
    def test_one_device_per_project_with_its_own_problem_sensor(self):
        self.set_jobs(A, jobs_for(1000, 2))
        self.set_jobs(B_ID, jobs_for(2000, 3))
        devices = ["homeassistant/device/%s_%s/config" % (self.agent_id, p) for p in (A, B_ID)]
        sub = self.subscribe("homeassistant/device/+/config")
        self.launch(self.ha_multi_config([A, B_ID]))
        self.wait_all(sub, devices)
        for project, topic in zip((A, B_ID), devices):
            doc = [m.json() for m in sub.snapshot() if m.topic == topic][-1]
            self.assertEqual(doc["cmps"]["problem"]["state_topic"],
                             self.P_of(project) + "/health")
            self.assertEqual(doc["cmps"]["total"]["state_topic"],
                             self.P_of(project) + "/summary")
            self.assertEqual(doc["availability"][0]["topic"], self.B + "/status")
        self.assertEqual(self.connections(), 1)
        self.stop_agent()

    def ha_multi_config(self, projects):
        path = self.multi_config(projects)
        with open(path, "a", encoding="utf-8") as f:
            f.write("[homeassistant]\ndiscovery = true\n")
        return path


if __name__ == "__main__":
    unittest.main()

# SPDX-License-Identifier: Apache-2.0
"""--once against the simulator and a real mosquitto: paging over one TLS
connection, the retained state a dashboard sees, the request on the wire."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import e2e_base  # noqa: E402
from e2e_base import E2ECase, jobs_with_every_status, now_ms  # noqa: E402
import testlib  # noqa: E402

INT64_MAX = 9223372036854775807


class TestOncePaging(E2ECase):
    def test_25_jobs_at_10_per_page_read_as_3_pages_over_one_tls_connection(self):
        jobs = jobs_with_every_status(25)
        self.sim.set_jobs(jobs)
        sub = self.subscribe()
        r = self.run_once(per_page=10)
        self.assertExit(r, 0)
        st = self.sim.stats()
        self.assertEqual((st["connections"], st["requests"]), (1, 3), st)
        log = self.sim.requests()
        self.assertEqual([q["connection"] for q in log], [log[0]["connection"]] * 3)
        pages = [dict(p.split("=", 1) for p in q["query"].split("&"))["page"] for q in log]
        self.assertEqual(pages, ["1", "2", "3"])

        snap = self.retained()
        for job in jobs:
            with self.subTest(job_id=job["job_id"]):
                topic = self.job_topic(job["job_id"])
                self.assertIn(topic, snap)
                self.assertJobPayload(snap[topic], job)
        job_topics = [t for t in snap if t.startswith(self.P + "/jobs/")]
        self.assertEqual(len(job_topics), 25)
        self.assertEqual(snap[self.B + "/status"], b"offline")

        # Live: online first, offline last, and no events on a first poll.
        live = sub.wait_for(lambda ms: any(m.topic == self.B + "/status"
                                           and m.payload == b"offline" for m in ms), 5)
        self.assertTrue(live)
        msgs = sub.snapshot()
        statuses = [m.payload for m in msgs if m.topic == self.B + "/status"]
        self.assertEqual(statuses[0], b"online")
        self.assertEqual(statuses[-1], b"offline")
        self.assertEqual([m for m in msgs if m.topic == self.P + "/events"], [])
        for m in msgs:
            if m.topic.startswith(self.P + "/jobs/"):
                self.assertEqual(m.qos, 1, "job topics go at QoS 1 by default")

    def test_summary_counts_every_phase_and_status_and_carries_the_api_figures(self):
        jobs = jobs_with_every_status(25)
        self.sim.set_jobs(jobs)
        t0 = now_ms()
        self.assertExit(self.run_once(per_page=10), 0)
        s = self.retained_json(self.P + "/summary")
        want_phase = {p: 0 for p in e2e_base.PHASE_NAMES}
        want_status = {}
        for j in jobs:
            want_phase[e2e_base.phase_of(j["status"])] += 1
            n = e2e_base.status_name(j["status"])
            want_status[n] = want_status.get(n, 0) + 1
        for p in e2e_base.PHASE_NAMES:
            self.assertEqual(s[p], want_phase[p], p)
        self.assertEqual(s["total"], 25)
        self.assertEqual(s["by_status"], want_status)
        self.assertEqual((s["job_total_count"], s["job_count_limit"], s["quotas"]),
                         (25, 45, 50))
        self.assertIsInstance(s["updated_at"], int)
        self.assertTrue(t0 - 1000 <= s["updated_at"] <= now_ms() + 1000, s["updated_at"])

    def test_health_after_a_good_poll(self):
        self.sim.set_jobs(jobs_with_every_status(25))
        t0 = now_ms()
        self.assertExit(self.run_once(per_page=10), 0)
        h = self.retained_json(self.B + "/health")
        for k in e2e_base.HEALTH_KEYS:
            self.assertIn(k, h)
        self.assertEqual((h["poll_ok"], h["http_status"], h["error_class"], h["error_code"]),
                         (True, 200, None, None))
        self.assertEqual((h["pages"], h["jobs"], h["consecutive_failures"], h["tracked"]),
                         (3, 25, 0, 25))
        self.assertIsInstance(h["version"], str)
        self.assertIsInstance(h["latency_ms"], int)
        self.assertGreaterEqual(h["capacity"], 25)
        self.assertTrue(t0 - 1000 <= h["last_success_at"] <= now_ms() + 1000)

    def test_a_full_last_page_ends_the_walk_at_job_total_count(self):
        self.sim.set_jobs(jobs_with_every_status(20))
        self.assertExit(self.run_once(per_page=10), 0)
        self.assertEqual(self.sim.stats()["requests"], 2)

    def test_an_empty_project_publishes_a_zero_summary(self):
        self.sim.set_jobs([])
        self.assertExit(self.run_once(per_page=10), 0)
        self.assertEqual(self.sim.stats()["requests"], 1)
        s = self.retained_json(self.P + "/summary")
        self.assertEqual(s["total"], 0)
        self.assertEqual([s[p] for p in e2e_base.PHASE_NAMES], [0] * 8)

    def test_request_head_carries_host_user_agent_and_the_token(self):
        self.sim.set_jobs(jobs_with_every_status(3))
        self.assertExit(self.run_once(), 0)
        req = self.sim.requests()[0]
        self.assertEqual(req["method"], "GET")
        self.assertEqual(req["version"], "HTTP/1.1")
        self.assertEqual(req["path"], "/v1/%s/training-jobs" % testlib.PROJECT_ID)
        h = {k.lower(): v for k, v in req["headers"]}
        self.assertEqual(h["host"], "localhost:%d" % self.sim.port)
        self.assertRegex(h["user-agent"], r"^modelarts2mqtt/\S+")
        self.assertEqual(h["x-auth-token"], "<redacted: %d bytes>" % len(testlib.TOKEN))
        self.assertEqual(req["body_length"], 0)

    def test_qos_0_is_honoured(self):
        self.sim.set_jobs(jobs_with_every_status(3))
        sub = self.subscribe()
        self.assertExit(self.run_once(qos=0), 0)
        sub.wait_for(lambda ms: len([m for m in ms if "/jobs/" in m.topic]) == 3, 5)
        qos = {m.qos for m in sub.snapshot() if "/jobs/" in m.topic}
        self.assertEqual(qos, {0})


class TestCapacity(E2ECase):
    def test_jobs_beyond_max_jobs_are_still_published_and_counted_as_untracked(self):
        # docs/architecture.md, "Capacity".
        jobs = jobs_with_every_status(12)
        self.sim.set_jobs(jobs)
        self.assertExit(self.run_once(per_page=5, modelarts_extra={"max_jobs": 5}), 0)
        snap = self.retained()
        self.assertEqual(len([t for t in snap if "/jobs/" in t]), 12)
        h = json.loads(snap[self.B + "/health"])
        self.assertEqual((h["tracked"], h["capacity"], h["untracked"], h["jobs"]), (5, 5, 7, 12))
        self.assertEqual(json.loads(snap[self.P + "/summary"])["total"], 12)


class TestLargeIds(E2ECase):
    def test_job_id_2_pow_63_minus_1_survives_into_topic_and_payload(self):
        job = {"job_id": INT64_MAX, "job_name": "max-id", "version_id": INT64_MAX,
               "status": 8, "create_time": INT64_MAX, "duration": INT64_MAX,
               "job_desc": "largest 64-bit ids", "version_count": INT64_MAX}
        self.sim.set_jobs([job, {"job_id": 2 ** 53 + 1, "job_name": "beyond-double",
                                 "status": 10}])
        self.assertExit(self.run_once(), 0)
        snap = self.retained()
        topic = self.P + "/jobs/9223372036854775807"
        self.assertIn(topic, snap)
        self.assertIn(b'"job_id":9223372036854775807', snap[topic].replace(b" ", b""))
        self.assertJobPayload(snap[topic], job)
        other = self.P + "/jobs/%d" % (2 ** 53 + 1)
        self.assertIn(other, snap)
        self.assertEqual(json.loads(snap[other])["job_id"], 2 ** 53 + 1)


class TestPayloadStrings(E2ECase):
    def test_strings_round_trip_through_json_escaping(self):
        jobs = [
            {"job_id": 1, "job_name": "quote\"back\\slash", "status": 8,
             "job_desc": "line1\nline2\ttab \u0001 ctrl / solidus {braces} [brackets]"},
            {"job_id": 2, "job_name": "unicode-ü-日本-😀", "status": 10,
             "job_desc": "Ελληνικά, русский, العربية"},
            {"job_id": 3, "job_name": "", "status": 7, "job_desc": ""},
        ]
        self.sim.set_jobs(jobs)
        for escape in (False, True):
            with self.subTest(ascii_escape=escape):
                self.sim.set_options(ascii_escape=escape)
                self.new_agent("esc%d" % escape)
                self.assertExit(self.run_once(), 0)
                snap = self.retained()
                full = {j["job_id"]: j for j in self.sim.call("GET", "/_sim/jobs")}
                for jid in (1, 2, 3):
                    self.assertJobPayload(snap[self.job_topic(jid)], full[jid])
                    snap[self.job_topic(jid)].decode("utf-8")  # valid UTF-8

    def test_fields_the_api_left_out_or_sent_as_null_are_null(self):
        self.sim.set_jobs([
            {"job_id": 1, "status": 8, "_omit": ["duration", "job_desc", "version_id"]},
            {"job_id": 2, "status": 10, "job_desc": None, "duration": None},
        ])
        self.assertExit(self.run_once(), 0)
        snap = self.retained()
        one = json.loads(snap[self.job_topic(1)])
        self.assertEqual((one["duration"], one["job_desc"], one["version_id"]),
                         (None, None, None))
        self.assertEqual(one["status_name"], "RUNNING")
        two = json.loads(snap[self.job_topic(2)])
        self.assertEqual((two["duration"], two["job_desc"]), (None, None))


if __name__ == "__main__":
    unittest.main()

# SPDX-License-Identifier: Apache-2.0
"""What the API, the network and TLS can do wrong, and what the agent makes
of it: exit code (DESIGN.md), B/health, and nothing removed or summarised
after an incomplete poll."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_base import E2ECase, jobs_with_every_status  # noqa: E402
import testlib  # noqa: E402

# (name, fault for the first request, exit, error_class, http_status,
#  error_code (or a tuple of acceptable ones; None: any, but present), text
#  expected in error_message or None). The agent's own codes are those of
#  docs/topics.md.
API_ERRORS = (
    ("400_invalid_argument", {"status": 400}, 3, "refused", 400, "ModelArts.0101", None),
    ("403_not_authorized", {"status": 403}, 3, "refused", 403, "ModelArts.0108", None),
    ("404_apig_not_found", {"status": 404}, 3, "refused", 404, "APIG.0101", "does not exist"),
    ("200_is_success_false", {"status": 200, "body": {"is_success": False,
                                                      "error_message": "Error string",
                                                      "error_code": "ModelArts.0105"}},
     3, "refused", 200, "ModelArts.0105", "Error string"),
    ("302_redirect_not_followed", {"status": 302}, 3, "refused", 302, None, None),
    ("408_timeout", {"status": 408}, 1, "transient", 408, "APIG.0201", None),
    ("429_apig_throttled", {"status": 429}, 1, "transient", 429, "APIG.0308", "throttling"),
    ("500_internal", {"status": 500}, 1, "transient", 500, "ModelArts.0010", "Internal"),
    ("502_bad_gateway", {"status": 502}, 1, "transient", 502, "APIG.0202", None),
    ("503_unavailable", {"status": 503}, 1, "transient", 503, "ModelArts.4700", None),
    ("truncated_body", {"kind": "truncate"}, 1, "transient", 200, "truncated", None),
    ("garbage_instead_of_http", {"kind": "garbage"}, 1, "transient", None, None, None),
    ("malformed_json", {"kind": "malformed"}, 1, "transient", 200,
     ("malformed_body", "malformed_job"), None),
)


class TestApiErrors(E2ECase):
    def health(self):
        return self.retained_json(self.B + "/health")

    def test_each_api_error_gives_its_exit_code_and_health(self):
        for name, fault, code, cls, http, err, text in API_ERRORS:
            with self.subTest(case=name):
                self.sim.reset()
                self.sim.set_jobs(jobs_with_every_status(5))
                self.sim.add_fault(count=3, **fault)
                self.new_agent(name)
                r = self.run_once()
                self.assertExit(r, code)
                h = self.health()
                self.assertEqual((h["poll_ok"], h["error_class"]), (False, cls), h)
                self.assertEqual(h["http_status"], http, h)
                if isinstance(err, tuple):
                    self.assertIn(h["error_code"], err, h)
                elif err is not None:
                    self.assertEqual(h["error_code"], err, h)
                else:
                    self.assertIsNotNone(h["error_code"], h)
                if text is not None:
                    self.assertIn(text, h["error_message"] or "", h)
                self.assertEqual(h["consecutive_failures"], 1, h)
                snap = self.retained()
                self.assertNotIn(self.P + "/summary", snap)
                self.assertEqual(snap.get(self.B + "/status"), b"offline")
                if name.startswith("302"):
                    self.assertEqual(self.sim.stats()["requests"], 1, "redirect followed")

    def test_wrong_token_exits_3_and_health_names_the_apig_code(self):
        self.sim.set_jobs(jobs_with_every_status(5))
        r = self.run_once(token="not-the-token")
        self.assertExit(r, 3)
        h = self.health()
        self.assertEqual((h["error_class"], h["http_status"], h["error_code"]),
                         ("refused", 401, "APIG.0301"), h)
        self.assertIn("Incorrect IAM authentication information", h["error_message"])
        self.assertEqual([t for t in self.retained() if "/jobs/" in t], [])

    def test_wrong_project_exits_3(self):
        r = self.run_once(project_id="ffffffffffffffffffffffffffffffff")
        self.assertExit(r, 3)
        h = self.retained_json(self.B + "/health")
        self.assertEqual((h["http_status"], h["error_code"]), (403, "ModelArts.0210"))

    def test_500_on_page_2_exits_1_and_removes_nothing(self):
        jobs = jobs_with_every_status(25)
        self.sim.set_jobs(jobs)
        sub = self.subscribe()
        self.sim.add_fault(status=500, page=2, count=5)
        r = self.run_once(per_page=10)
        self.assertExit(r, 1)
        sub.wait_for(lambda ms: any(m.payload == b"offline" for m in ms), 5)
        msgs = sub.snapshot()
        self.assertEqual([m.topic for m in msgs if m.payload == b""], [],
                         "zero-byte (removal) messages after a failed poll")
        self.assertEqual([m for m in msgs if m.topic.endswith("/summary")], [])
        self.assertEqual([m for m in msgs if m.topic.endswith("/events")], [])
        h = self.retained_json(self.B + "/health")
        self.assertEqual((h["poll_ok"], h["http_status"], h["error_class"]),
                         (False, 500, "transient"))
        # Page 1 arrived whole: its jobs say what the API said, and are
        # published; page 2's are not there.
        published = {m.topic for m in msgs if "/jobs/" in m.topic}
        self.assertEqual(published, {self.job_topic(j["job_id"]) for j in jobs[:10]})
        for m in msgs:
            if "/jobs/" in m.topic:
                self.assertJobPayload(m.payload, jobs[int(m.topic.rsplit("/", 1)[1]) - 1])

    def test_a_stalled_response_times_out_within_the_configured_timeout(self):
        self.sim.set_jobs(jobs_with_every_status(5))
        self.sim.add_fault(kind="stall", ms=8000, count=3)
        r = self.run_once(modelarts_extra={"timeout": 1})
        self.assertExit(r, 1)
        self.assertLess(r.elapsed, 6.0, "a 1 s timeout took %.1f s" % r.elapsed)
        h = self.retained_json(self.B + "/health")
        self.assertEqual(h["error_class"], "transient")

    def test_broker_unreachable_exits_1(self):
        dead = testlib.free_port()
        r = self.run_once(mqtt_extra={"uri": "tcp://127.0.0.1:%d" % dead},
                          modelarts_extra={"timeout": 2})
        self.assertExit(r, 1)
        self.assertLess(r.elapsed, 10.0)


class TestTls(E2ECase):
    def test_an_unrelated_ca_fails_verification_with_exit_1(self):
        self.sim.set_jobs(jobs_with_every_status(3))
        r = self.run_once(ca_file=self.certs["other_ca"])
        self.assertExit(r, 1)
        self.assertEqual(self.sim.stats()["requests"], 0)
        h = self.retained_json(self.B + "/health")
        self.assertEqual((h["poll_ok"], h["error_class"], h["error_code"]),
                         (False, "transient", "tls_verify"), h)
        self.assertEqual([t for t in self.retained() if "/jobs/" in t], [])

    def test_a_certificate_for_another_host_fails_verification(self):
        other = testlib.Simulator(self.procs, self.certs).start(
            jobs=jobs_with_every_status(3), cert=self.certs["wronghost_cert"],
            key=self.certs["wronghost_key"])
        self.addCleanup(other.stop)
        r = self.run_once(sim_port=other.port)
        self.assertExit(r, 1)
        self.assertEqual(other.stats()["requests"], 0)

    def test_insecure_with_an_unrelated_ca_works_and_warns(self):
        self.sim.set_jobs(jobs_with_every_status(3))
        r = self.run_once(["-v"], ca_file=self.certs["other_ca"],
                          modelarts_extra={"insecure": "true"})
        self.assertExit(r, 0)
        self.assertRegex((r.stdout + r.stderr).lower(), r"insecure|verif",
                         "no warning about TLS verification being off")
        self.assertEqual(len([t for t in self.retained() if "/jobs/" in t]), 3)


if __name__ == "__main__":
    unittest.main()

# SPDX-License-Identifier: Apache-2.0
"""The firmware image (build/mps2-an386/modelarts2mqtt.elf) end to end: the
agent on the emulated Cortex-M4 board, over lwIP and mbedTLS, against the
simulator over HTTPS and a real mosquitto on the host (mcu_base.py says
how). Every test bounds its time (a board is killed after board_timeout
seconds) and prints the board's console when it fails.

make BOARD=mps2-an386 test runs this file with the bring-up tests; it builds
nothing itself. Python 3 standard library.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "e2e"))

import mcu_base  # noqa: E402
import testlib  # noqa: E402
from e2e_base import (PHASE_NAMES, expected_job_payload, jobs_with_every_status,  # noqa: E402
                      phase_of, status_name)
from mcu_base import EXIT_CONFIG_BLOCK, EXIT_OK, EXIT_REFUSED, EXIT_TRANSIENT  # noqa: E402

AK = "QTWAOYTTINDUT2QVKYUC"
SK = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"


def many_jobs(n, first_id=100000):
    """n jobs with every status code in turn and realistic fields."""
    jobs = []
    for i in range(n):
        jid = first_id + i
        jobs.append({
            "job_id": jid,
            "job_name": "resnet50-run-%05d" % i,
            "version_id": 700000 + i,
            "status": i % 24,  # 0..22 and an unknown code
            "create_time": 1700000000000 + 60000 * i,
            "duration": 1000 * (i % 97),
            "job_desc": "training run %d of the board's test set" % i,
            "version_count": 1 + i % 4,
        })
    return jobs


class BoardCase(mcu_base.FirmwareCase):
    def assertRetainedJobs(self, retained, jobs):
        """Every job's retained topic holds exactly its payload, and there
        is no other job topic."""
        topics = {t for t in retained if t.startswith(self.P + "/jobs/")}
        self.assertEqual(topics, {self.job_topic(j["job_id"]) for j in jobs})
        for j in jobs:
            self.assertEqual(json.loads(retained[self.job_topic(j["job_id"])]),
                             expected_job_payload(j), j["job_id"])

    def assertSummary(self, summary, jobs):
        want_phase = {p: 0 for p in PHASE_NAMES}
        want_status = {}
        for j in jobs:
            want_phase[phase_of(j["status"])] += 1
            name = status_name(j["status"])
            want_status[name] = want_status.get(name, 0) + 1
        for p in PHASE_NAMES:
            self.assertEqual(summary[p], want_phase[p], p)
        self.assertEqual(summary["total"], len(jobs))
        self.assertEqual(summary["by_status"], want_status)
        self.assertEqual(summary["job_total_count"], len(jobs))


class TestPolling(BoardCase):
    def test_a_thousand_jobs_over_ten_pages_every_topic_and_the_summary_exact(self):
        jobs = many_jobs(1000)
        self.sim.set_jobs(jobs)
        sub = self.subscribe()
        board = self.boot(self.config(per_page=100, max_polls=2, poll_interval=2))
        self.assertEqual(board.wait(), EXIT_OK, board.console()[-6000:])
        self.assertIn("poll ok: 1000 jobs on 10 page(s)", board.console())
        retained = self.retained()
        self.assertRetainedJobs(retained, jobs)
        self.assertSummary(json.loads(retained[self.P + "/summary"]), jobs)
        self.assertEqual(retained[self.B + "/status"], b"offline")
        health = json.loads(retained[self.B + "/health"])
        self.assertEqual((health["poll_ok"], health["pages"], health["jobs"], health["tracked"],
                          health["capacity"]), (True, 10, 1000, 1000, 1000), health)
        # Every page over one connection, and the second poll changed nothing.
        requests = [r for r in self.sim.requests() if r["kind"] == "api"]
        self.assertEqual(len(requests), 20)
        sub.wait_for(lambda ms: any(m.payload == b"offline" for m in ms), 5)
        msgs = sub.snapshot()
        job_msgs = [m for m in msgs if m.topic.startswith(self.P + "/jobs/")]
        self.assertEqual(len(job_msgs), 1000, "each job published once in two polls")
        self.assertTrue(all(m.qos == 1 for m in job_msgs))
        self.assertEqual([m for m in msgs if m.topic == self.P + "/events"], [])
        statuses = [m.payload for m in msgs if m.topic == self.B + "/status"]
        self.assertEqual((statuses[0], statuses[-1]), (b"online", b"offline"))
        fp = board.footprint()
        self.assertIsNotNone(fp, "no footprint line")
        self.assertLess(fp["stack_peak"], fp["stack_size"])
        self.assertLess(fp["tls_pool_peak"], fp["tls_pool_size"])

    def test_a_status_change_gives_one_transition_event_and_the_new_payload(self):
        jobs = jobs_with_every_status(20)
        self.sim.set_jobs(jobs)
        sub = self.subscribe()
        board = self.boot(self.config())
        self.wait_polls(sub, 1, 30, board)
        self.sim.patch_job(9, {"status": 10})  # job 9: RUNNING (8) -> COMPLETED
        ok = sub.wait_for(lambda ms: any(m.topic == self.P + "/events" for m in ms), 20)
        self.assertTrue(ok, "no event; the board's console:\n" + board.console()[-6000:])
        self.wait_polls(sub, len([m for m in sub.snapshot()
                                  if m.topic == self.B + "/health"]) + 1, 10, board)
        self.assertExit(board, EXIT_OK, board.stop())
        events = [m.json() for m in sub.snapshot() if m.topic == self.P + "/events"]
        self.assertEqual(len(events), 1, events)
        ev = events[0]
        self.assertEqual((ev["type"], ev["job_id"], ev["from"], ev["from_name"], ev["to"],
                          ev["to_name"], ev["phase"]),
                         ("transition", 9, 8, "RUNNING", 10, "COMPLETED", "succeeded"))
        # The event's time is the board's UTC, from SNTP.
        self.assertLess(abs(ev["at"] / 1000.0 - time.time()), 30, ev)
        changed = dict(jobs[8], status=10)
        retained = self.retained()
        self.assertEqual(json.loads(retained[self.job_topic(9)]), expected_job_payload(changed))
        self.assertEqual(retained[self.B + "/status"], b"offline")

    def test_a_page_that_fails_removes_nothing(self):
        jobs = jobs_with_every_status(25)
        self.sim.set_jobs(jobs)
        sub = self.subscribe()
        board = self.boot(self.config(max_polls=2, poll_interval=2))
        self.wait_polls(sub, 1, 30, board)
        # Before the second poll: jobs 21..25 go, and page 2 fails.
        self.sim.set_jobs(jobs[:20])
        self.sim.add_fault(status=500, page=2, count=10)
        # The last poll failed: the image's exit status says so.
        self.assertExit(board, EXIT_TRANSIENT, board.wait())
        msgs = sub.snapshot()
        self.assertEqual([m.topic for m in msgs if m.payload == b""], [],
                         "zero-byte (removal) messages after a failed poll")
        self.assertEqual([m.json() for m in msgs if m.topic == self.P + "/events"], [])
        self.assertRetainedJobs(self.retained(), jobs)
        health = json.loads(self.retained()[self.B + "/health"])
        self.assertEqual((health["poll_ok"], health["http_status"], health["error_class"]),
                         (False, 500, "transient"))

    def test_a_429_with_retry_after_is_waited_out(self):
        self.sim.set_jobs(jobs_with_every_status(5))
        self.sim.add_fault(status=429, headers={"Retry-After": "3"})
        board = self.boot(self.config(max_polls=2, poll_interval=1))
        self.assertExit(board, EXIT_OK, board.wait())
        times = [r["time"] for r in self.sim.requests() if r["kind"] == "api"]
        self.assertEqual(len(times), 2, times)
        waited = times[1] - times[0]
        # Retry-After: 3 over a 1 s interval: the wait is the server's.
        self.assertGreaterEqual(waited, 2.9, "retried after %.2f s" % waited)
        self.assertLess(waited, 5.0, "retried after %.2f s" % waited)
        self.assertIn("poll failed (HTTP 429, Retry-After): next attempt in 3000 ms",
                      board.console())

    def test_a_rebooted_board_takes_the_retained_job_topics_as_its_baseline(self):
        # lwIP's client hands each retained message over in fragments: 300
        # of them are assembled and read back before the first poll.
        jobs = many_jobs(300)
        self.sim.set_jobs(jobs)
        first = self.boot(self.config(per_page=100, max_polls=1))
        self.assertExit(first, EXIT_OK, first.wait())
        self.sim.patch_job(jobs[42]["job_id"], {"status": 10})
        sub = self.subscribe()
        second = self.boot(self.config(per_page=100, max_polls=1))
        self.assertExit(second, EXIT_OK, second.wait())
        self.assertIn("baseline from the broker: 300 retained job topics", second.console())
        sub.wait_for(lambda ms: any(m.payload == b"offline" for m in ms), 5)
        msgs = sub.snapshot()
        # A new session republishes every job topic (the broker may have lost
        # them), but only the job that changed meanwhile gets an event.
        events = [m.json() for m in msgs if m.topic == self.P + "/events"]
        self.assertEqual([(e["type"], e["job_id"], e["from"], e["to"]) for e in events],
                         [("transition", jobs[42]["job_id"], jobs[42]["status"], 10)])
        jobs[42] = dict(jobs[42], status=10)
        self.assertRetainedJobs(self.retained(), jobs)

    def test_a_broker_restarted_without_persistence_gets_everything_back(self):
        jobs = jobs_with_every_status(15)
        self.sim.set_jobs(jobs)
        board = self.boot(self.config(keepalive=5))
        sub = self.subscribe()
        self.wait_polls(sub, 1, 30, board)
        sub.stop()
        self.subs.remove(sub)
        self.broker.restart()  # persistence is off: every retained message is gone
        deadline = time.monotonic() + 30
        retained = {}
        while time.monotonic() < deadline:
            retained = self.retained()
            if (len([t for t in retained if "/jobs/" in t]) == len(jobs)
                    and self.P + "/summary" in retained):
                break
            time.sleep(0.5)
        self.assertRetainedJobs(retained, jobs)
        self.assertEqual(retained[self.B + "/status"], b"online")
        self.assertSummary(json.loads(retained[self.P + "/summary"]), jobs)
        self.assertIn("reconnecting", board.console())
        self.assertExit(board, EXIT_OK, board.stop())
        health = json.loads(self.retained()[self.B + "/health"])
        self.assertGreaterEqual(health["mqtt_reconnects"], 1, health)


class TestTls(BoardCase):
    def test_a_certificate_for_another_host_is_refused_and_nothing_is_published(self):
        other = testlib.Simulator(self.procs, self.certs).start(
            jobs=jobs_with_every_status(3), cert=self.certs["wronghost_cert"],
            key=self.certs["wronghost_key"])
        self.addCleanup(other.stop)
        board = self.boot(self.config(endpoint_port=other.port, max_polls=1))
        self.assertExit(board, EXIT_TRANSIENT, board.wait())
        self.assertEqual(other.stats()["requests"], 0)
        retained = self.retained()
        self.assertEqual([t for t in retained if "/jobs/" in t or t.endswith("/summary")], [])
        health = json.loads(retained[self.B + "/health"])
        self.assertEqual((health["poll_ok"], health["error_code"]), (False, "tls_verify"), health)


class TestAkSk(BoardCase):
    # The simulator's clock and the SNTP server's run an hour ahead of the
    # host's, which stands in for the board's RTC until SNTP answers: a
    # signature verifies only when its X-Sdk-Date comes from SNTP.
    sim_auth = {"ak": AK, "sk": SK, "clock_offset": 3600}
    sntp_offset = 3600.0

    def test_signed_requests_with_the_sntp_time_are_verified(self):
        jobs = jobs_with_every_status(12)
        self.sim.set_jobs(jobs)
        board = self.boot(self.config(auth="aksk", token=None, ak=AK, sk=SK, max_polls=2))
        self.assertExit(board, EXIT_OK, board.wait())
        stats = self.sim.stats()
        self.assertEqual((stats["aksk_verified"], stats["auth_failures"]), (4, 0), stats)
        self.assertRetainedJobs(self.retained(), jobs)

    def test_a_wrong_secret_key_is_refused_and_the_exit_status_says_so(self):
        self.sim.set_jobs(jobs_with_every_status(3))
        board = self.boot(self.config(auth="aksk", token=None, ak=AK, sk="x" * 40, max_polls=1))
        self.assertExit(board, EXIT_REFUSED, board.wait())
        health = json.loads(self.retained()[self.B + "/health"])
        self.assertEqual((health["http_status"], health["error_code"]), (401, "APIG.0301"))


class TestExitStatus(BoardCase):
    def test_a_configuration_block_without_a_required_key_stops_the_board(self):
        board = self.boot(self.config(project_id=None))
        self.assertExit(board, EXIT_CONFIG_BLOCK, board.wait())
        self.assertIn("project_id: required, missing", board.console())

    def test_a_refused_token_ends_the_run_with_exit_3(self):
        self.sim.set_jobs(jobs_with_every_status(3))
        board = self.boot(self.config(token="not-a-valid-token", max_polls=1))
        self.assertExit(board, EXIT_REFUSED, board.wait())
        self.assertEqual(self.retained()[self.B + "/status"], b"offline")


if __name__ == "__main__":
    import unittest
    unittest.main()

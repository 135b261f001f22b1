# SPDX-License-Identifier: Apache-2.0
"""TLS session resumption across polls: a server that closes idle keep-alive
connections between polls (idle_timeout_ms shorter than poll_interval) gets
one full handshake from the daemon, then resumed ones (session ticket, or
session ID when the server issues no tickets); a server that refuses
resumption, or has forgotten the session, gets full handshakes and every poll
still succeeds. The simulator counts the handshakes of the connections that
carried list calls (api_handshakes_full, api_handshakes_resumed)."""

import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_base import jobs_with_every_status  # noqa: E402
from test_daemon import DaemonCase  # noqa: E402

JOBS = 12
PER_PAGE = 5  # three pages a poll, all over one connection
IDLE_MS = 300  # the server closes a connection idle this long: every poll reconnects


class TestTlsResumption(DaemonCase):
    def setUp(self):
        super().setUp()
        self.sim.set_jobs(jobs_with_every_status(JOBS, first_id=1))

    def first_page_requests(self):
        return [r for r in self.sim.requests()
                if r["kind"] == "api" and "page=1&" in r["query"] + "&"]

    def wait_for_polls(self, n, timeout=20.0):
        """Wait until n polls have been answered in full (the first page of
        poll n + 1 has arrived, so poll n's connection is counted)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.first_page_requests()) > n:
                return
            time.sleep(0.2)
        self.fail("fewer than %d polls: %s" % (n, self.agent_log()))

    def connection_kinds(self):
        """Per connection that carried list calls, in order: "full" or
        "resumed"."""
        kinds = {}
        for r in self.sim.requests():
            if r["kind"] == "api":
                kinds.setdefault(r["connection"], "resumed" if r["tls_resumed"] else "full")
        return [kinds[c] for c in sorted(kinds)]

    def assertPollsOk(self):
        health = [m.json() for m in self.sub.snapshot() if m.topic == self.B + "/health"]
        self.assertTrue(health, "no health published")
        self.assertTrue(all(h["poll_ok"] for h in health),
                        "a poll failed: %s\n%s" % (health, self.agent_log()))

    def run_polls(self, n, **options):
        self.sim.set_options(idle_timeout_ms=IDLE_MS, **options)
        self.start_daemon(per_page=PER_PAGE)
        self.wait_for_polls(n)
        self.assertPollsOk()
        return self.sim.stats(), self.connection_kinds()

    def test_first_poll_full_handshake_later_polls_resumed_with_tickets(self):
        stats, kinds = self.run_polls(4)
        self.assertEqual(stats["api_handshakes_full"], 1, kinds)
        self.assertGreaterEqual(stats["api_handshakes_resumed"], 3, kinds)
        self.assertEqual(kinds[0], "full")
        self.assertEqual(set(kinds[1:]), {"resumed"})
        self.assertGreaterEqual(len(kinds), 4, "one connection a poll: %s" % kinds)
        log = self.agent_log()
        self.assertIn("tls: full handshake", log)
        self.assertIn("tls: session resumed", log)

    def test_session_id_resumption_when_the_server_issues_no_tickets(self):
        stats, kinds = self.run_polls(4, tls_tickets=False)
        self.assertEqual(stats["api_handshakes_full"], 1, kinds)
        self.assertGreaterEqual(stats["api_handshakes_resumed"], 3, kinds)
        self.assertEqual(set(kinds[1:]), {"resumed"})

    def test_server_refusing_resumption_gets_full_handshakes_and_polls_succeed(self):
        stats, kinds = self.run_polls(4, tls_resumption=False)
        self.assertEqual(stats["api_handshakes_resumed"], 0, kinds)
        self.assertGreaterEqual(stats["api_handshakes_full"], 4, kinds)
        self.assertEqual(stats["tls_failures"], 0, stats["last_tls_error"])
        self.assertNotIn("tls: session resumed", self.agent_log())

    def test_server_that_forgot_its_sessions_gets_one_full_handshake_then_resumes(self):
        self.run_polls(2)
        self.sim.call("POST", "/_sim/tls_forget")
        seen = len(self.first_page_requests())
        self.wait_for_polls(seen + 2)
        self.assertPollsOk()
        kinds = self.connection_kinds()
        self.assertEqual(kinds[0], "full")
        self.assertEqual(kinds.count("full"), 2,
                         "one full handshake at start, one after the server forgot: %s" % kinds)
        after = kinds.index("full", 1)
        self.assertGreaterEqual(len(kinds) - after - 1, 1, kinds)
        self.assertEqual(set(kinds[after + 1:]), {"resumed"}, kinds)
        self.assertEqual(self.sim.stats()["tls_failures"], 0)

    def test_keep_alive_across_polls_needs_no_handshake(self):
        # A server that keeps idle connections longer than the poll
        # interval: every poll after the first reuses the connection.
        self.start_daemon(per_page=PER_PAGE)
        self.wait_for_polls(3)
        self.assertPollsOk()
        stats = self.sim.stats()
        self.assertEqual(stats["api_handshakes_full"] + stats["api_handshakes_resumed"], 1,
                         self.connection_kinds())


if __name__ == "__main__":
    unittest.main()

# SPDX-License-Identifier: Apache-2.0
"""Failure pacing of the daemon (docs/failures.md), timed by the simulator's
request log: a 503 burst is retried after growing, jittered delays and the
daemon recovers by itself; a 429's Retry-After (seconds and HTTP date) is
waited out, not less; refused polls go on at a slower, doubling rate. Health's
next_poll_at says when the next request really comes."""

import calendar
import datetime
import email.utils
import math
import os
import re
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_base import E2ECase, jobs_with_every_status  # noqa: E402

# "2024-05-01T12:00:00.123Z warning poll failed (transient): next attempt in
# 1.532 s (attempt 2)"
WAIT_LINE = re.compile(r"^(\S+Z) warning poll failed \(([^)]*)\): next attempt in ([0-9.]+) s "
                       r"\(attempt (\d+)\)$", re.M)

# How late a request may come after the moment it was due: the poll's own
# work, the log line, the health publish and the scheduler, on a busy machine.
LATE = 0.6
# How early: clock reads of two processes on the same host clock.
EARLY = 0.03


def log_time(stamp):
    dt = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ")
    return calendar.timegm(dt.timetuple()) + dt.microsecond / 1e6


class TestBackoff(E2ECase):
    def start_daemon(self, poll_interval):
        self.sub = self.subscribe()
        path = self.config(per_page=10, poll_interval=poll_interval, timeout=3)
        self.launch(path, args=())

    def waits_logged(self):
        """[(log time, why, wait s, attempt)] of every failed poll."""
        return [(log_time(m.group(1)), m.group(2), float(m.group(3)), int(m.group(4)))
                for m in WAIT_LINE.finditer(self.agent_log())]

    def api_times(self):
        return [r["time"] for r in self.sim.requests() if r["kind"] == "api"]

    def wait_requests(self, n, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            times = self.api_times()
            if len(times) >= n:
                return times
            time.sleep(0.1)
        self.fail("fewer than %d list calls in %.0f s: %r\n%s" % (
            n, timeout, self.api_times(), self.agent_log()[-3000:]))

    def healths(self):
        return [m.json() for m in self.sub.snapshot() if m.topic == self.B + "/health"]

    def wait_health(self, predicate, timeout, what):
        ok = self.sub.wait_for(lambda ms: any(
            predicate(m.json()) for m in ms if m.topic == self.B + "/health"), timeout)
        self.assertTrue(ok, "no health with %s: %s" % (what, self.agent_log()[-3000:]))

    def last_health_of_failure(self, n):
        """The one health message of the n-th failed poll in a row, published
        once its retry time is known."""
        hs = [h for h in self.healths() if not h["poll_ok"] and h["consecutive_failures"] == n]
        self.assertEqual(len(hs), 1, "health of failure %d: %r" % (n, self.healths()))
        return hs[-1]

    def assertDueAt(self, actual, due, what):
        self.assertGreaterEqual(actual, due - EARLY, "%s came %.3f s early" % (what, due - actual))
        self.assertLessEqual(actual, due + LATE, "%s came %.3f s late" % (what, actual - due))

    def assertHealthMatches(self, failures, log_entry, next_request):
        """Health's next_poll_at after failure n is the logged wait from the
        log line, and the time the next request came."""
        h = self.last_health_of_failure(failures)
        at = h["next_poll_at"] / 1000.0
        logged_at, _why, wait, _attempt = log_entry
        self.assertLess(abs(at - (logged_at + wait)), 1.0,
                        "next_poll_at %.3f, log says %.3f + %.3f" % (at, logged_at, wait))
        self.assertLess(abs(next_request - at), 1.0,
                        "next_poll_at %.3f, request at %.3f" % (at, next_request))
        return h

    # ---- the tests ----------------------------------------------------------

    def test_503_burst_backs_off_with_jitter_and_recovers_by_itself(self):
        self.sim.set_jobs(jobs_with_every_status(3))
        self.sim.add_fault(status=503, count=3)
        # A long interval: every retry below comes from the backoff.
        self.start_daemon(poll_interval=30)
        self.wait_health(lambda h: h["poll_ok"], 20, "poll_ok after the burst")
        times = self.api_times()
        self.assertEqual(len(times), 4, "three failed polls, one good one, nothing more")
        waits = self.waits_logged()
        self.assertEqual([(w[1], w[3]) for w in waits],
                         [("transient", 1), ("transient", 2), ("transient", 3)], waits)
        for n, (w, gap_start, gap_end) in enumerate(zip(waits, times, times[1:]), 1):
            wait = w[2]
            # Full jitter below 1, 2, 4 s, raised to the one-second floor:
            # below the ceiling (a plain doubling would sit on it), never
            # under the floor.
            ceiling = 2.0 ** (n - 1)
            self.assertGreaterEqual(wait, 1.0, "retry %d after %.3f s" % (n, wait))
            if ceiling > 1.0:
                self.assertLess(wait, ceiling, "retry %d after %.3f s" % (n, wait))
            else:
                self.assertEqual(wait, 1.0)
            # The request comes when the log said, not before.
            self.assertDueAt(gap_end, w[0] + wait, "retry %d" % n)
            self.assertGreaterEqual(gap_end - gap_start, wait - EARLY)
            h = self.assertHealthMatches(n, w, gap_end)
            self.assertEqual((h["error_class"], h["http_status"]), ("transient", 503))
        # Recovered: regular pacing again, the next poll a full interval on.
        h = self.healths()[-1]
        self.assertEqual((h["poll_ok"], h["consecutive_failures"], h["error_class"]),
                         (True, 0, None))
        self.assertAlmostEqual(h["next_poll_at"] / 1000.0, times[-1] + 30, delta=1.0)
        self.assertTrue(self.sub.wait_for(lambda ms: any(m.topic == self.P + "/summary"
                                                         for m in ms), 5))
        self.assertIsNone(self.agent.poll(), "the daemon exited")

    def test_429_retry_after_is_waited_out_in_both_forms(self):
        self.sim.set_jobs(jobs_with_every_status(3))
        # Second resolution: the date is a whole second, some 5..6 s away.
        date = math.ceil(time.time()) + 5
        self.sim.add_fault(status=429, headers={"Retry-After": "2"})
        self.sim.add_fault(status=429,
                           headers={"Retry-After": email.utils.formatdate(date, usegmt=True)})
        self.start_daemon(poll_interval=30)
        self.wait_health(lambda h: h["poll_ok"], 15, "poll_ok after two 429s")
        times = self.api_times()
        self.assertEqual(len(times), 3, "two 429s, one good poll, nothing in between")
        waits = self.waits_logged()
        self.assertEqual([w[1] for w in waits], ["HTTP 429, Retry-After"] * 2, waits)
        # Retry-After: 2 -> two seconds (the backoff alone would say one).
        self.assertEqual(waits[0][2], 2.0)
        self.assertDueAt(times[1], times[0] + 2.0, "the retry after Retry-After: 2")
        self.assertHealthMatches(1, waits[0], times[1])
        # Retry-After: <date> -> at that date, not before.
        self.assertDueAt(times[2], date, "the retry after Retry-After: <date>")
        self.assertGreater(waits[1][2], 1.0)
        self.assertAlmostEqual(waits[1][0] + waits[1][2], date, delta=0.1)
        h = self.assertHealthMatches(2, waits[1], times[2])
        self.assertEqual((h["error_class"], h["http_status"]), ("transient", 429))

    def test_refused_polls_go_on_at_a_slower_doubling_rate(self):
        self.sim.set_jobs(jobs_with_every_status(3))
        self.sim.add_fault(status=403, count=2)
        self.start_daemon(poll_interval=1)
        times = self.wait_requests(4, 15)
        self.assertIsNone(self.agent.poll(), "the daemon exited on a refusal")
        waits = self.waits_logged()
        self.assertEqual([(w[1], w[2], w[3]) for w in waits[:2]],
                         [("refused", 2.0, 1), ("refused", 4.0, 2)], waits)
        gaps = [b - a for a, b in zip(times, times[1:])]
        # Interval 1 s times 2^failures: 2 s, then 4 s; then, recovered, the
        # regular 1 s start to start.
        self.assertDueAt(times[1], waits[0][0] + 2.0, "the retry after one refusal")
        self.assertDueAt(times[2], waits[1][0] + 4.0, "the retry after two refusals")
        self.assertGreater(gaps[1], gaps[0] + 1.5, "the second gap is not longer: %r" % gaps)
        self.assertDueAt(times[3], times[2] + 1.0, "the regular poll after the recovery")
        for n in (1, 2):
            h = self.assertHealthMatches(n, waits[n - 1], times[n])
            self.assertEqual((h["error_class"], h["http_status"]), ("refused", 403))
        self.agent.send_signal(signal.SIGTERM)
        self.assertEqual(self.agent.wait(10), 0, self.agent_log()[-3000:])


if __name__ == "__main__":
    unittest.main()

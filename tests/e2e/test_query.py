# SPDX-License-Identifier: Apache-2.0
"""The query string on the wire: configured parameters only, RFC 3986
percent-encoding, sortBy/order/status/workspace_id as the API names them."""

import os
import re
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_base import E2ECase, jobs_with_every_status  # noqa: E402

UNRESERVED = re.compile(r"[A-Za-z0-9._~-]")


def raw_pairs(query):
    """[(name, raw value)] of a raw query, nothing decoded."""
    out = []
    for part in query.split("&"):
        name, _, value = part.partition("=")
        out.append((name, value))
    return out


def rfc3986(value):
    """Every byte outside the unreserved set as %XX (upper-case hex)."""
    return urllib.parse.quote(value, safe="-._~")


class TestQueryParameters(E2ECase):
    SEARCH = "a b+c/d~e%f=g&h ü日本"

    def test_configured_parameters_are_sent_percent_encoded_per_rfc3986(self):
        self.sim.set_jobs(jobs_with_every_status(5) + [
            {"job_id": 77, "job_name": "x " + self.SEARCH + " y", "status": 8,
             "workspace_id": "ws-1"},
        ])
        r = self.run_once(modelarts_extra={"search_content": self.SEARCH, "status": 8,
                                           "workspace_id": "ws-1", "sort_by": "duration",
                                           "order": "desc"})
        self.assertExit(r, 0)
        reqs = self.sim.requests()
        self.assertEqual(len(reqs), 1)
        q = reqs[0]["query"]
        pairs = raw_pairs(q)
        names = [n for n, _ in pairs]
        self.assertEqual(sorted(names), sorted(set(names)), "a parameter sent twice: %s" % q)
        got = dict(pairs)
        want = {"search_content": rfc3986(self.SEARCH), "status": "8", "workspace_id": "ws-1",
                "sortBy": "duration", "order": "desc", "per_page": "10", "page": "1"}
        self.assertEqual(set(got), set(want), q)
        for k, v in want.items():
            with self.subTest(param=k):
                self.assertEqual(got[k].upper(), v.upper(), q)
        # RFC 3986 2.1: upper-case hex; 2.3: unreserved never encoded.
        for esc in re.findall(r"%(..)", q):
            self.assertEqual(esc, esc.upper(), "lower-case percent-escape in %s" % q)
        self.assertNotIn("+", q)
        self.assertNotIn(" ", q)
        self.assertIn("%20", got["search_content"])
        self.assertIn("~", got["search_content"], "unreserved '~' must stay as it is")
        # The filter reached the API: exactly the one matching job is published.
        snap = self.retained()
        jobs = [t for t in snap if "/jobs/" in t]
        self.assertEqual(jobs, [self.job_topic(77)])

    def test_unset_parameters_are_not_sent(self):
        self.sim.set_jobs(jobs_with_every_status(3))
        self.assertExit(self.run_once(), 0)
        names = {n for n, _ in raw_pairs(self.sim.requests()[0]["query"])}
        self.assertTrue({"per_page", "page"} <= names, names)
        self.assertFalse(names & {"status", "search_content", "workspace_id"}, names)
        self.assertTrue(names <= {"per_page", "page", "sortBy", "order"}, names)

    def test_every_sort_key_and_order_is_sent_as_configured(self):
        self.sim.set_jobs(jobs_with_every_status(3))
        for key in ("job_name", "job_desc", "status", "duration", "version_count",
                    "create_time"):
            for order in ("asc", "desc"):
                with self.subTest(sort_by=key, order=order):
                    self.sim.clear_log()
                    self.new_agent("%s_%s" % (key, order))
                    r = self.run_once(modelarts_extra={"sort_by": key, "order": order})
                    self.assertExit(r, 0)
                    got = dict(raw_pairs(self.sim.requests()[0]["query"]))
                    self.assertEqual((got.get("sortBy"), got.get("order")), (key, order))

    def test_set_overrides_per_page_from_the_command_line(self):
        self.sim.set_jobs(jobs_with_every_status(25))
        r = self.run_once(["--set", "modelarts.per_page=5"], per_page=10)
        self.assertExit(r, 0)
        reqs = self.sim.requests()
        self.assertEqual(len(reqs), 5)
        self.assertTrue(all(dict(raw_pairs(q["query"]))["per_page"] == "5" for q in reqs))
        self.assertEqual(len([t for t in self.retained() if "/jobs/" in t]), 25)

    def test_per_page_1000_reads_2500_jobs_in_3_pages(self):
        self.sim.call("POST", "/_sim/generate", {"count": 2500, "seed": 3})
        # A change buffer that holds all 2,500 new jobs: one walk.
        self.assertExit(self.run_once(["--set", "modelarts.change_buffer_kib=2048"],
                                      per_page=1000), 0)
        self.assertEqual(self.sim.stats()["requests"], 3)
        self.assertEqual(self.retained_json(self.P + "/summary")["total"], 2500)


if __name__ == "__main__":
    unittest.main()

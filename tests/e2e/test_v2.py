# SPDX-License-Identifier: Apache-2.0
"""The v2 list call (POST /v2/{project_id}/training-job-searches) end to end,
against the real agent, mosquitto and the simulator's v2 call: every job
topic exact under its UUID, pages of at most 50, both meanings of offset
found out, a server that ignores offset refused, 64 KB items, filters in the
body, an AK/SK signature over the body checked byte for byte by this test's
own HMAC, events with phase names, a failed page that removes nothing, a
restart, and a v1 and a v2 project in one agent."""

import hashlib
import hmac
import json
import os
import re
import signal
import sys
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_base import E2ECase, jobs_with_every_status  # noqa: E402
from test_daemon import DaemonCase  # noqa: E402
import testlib  # noqa: E402

_tag = uuid.uuid4().hex[:12]
AK = "AKV2%sX" % _tag.upper()
SK = "SKv2-secret-%s" % _tag

# DESIGN.md, "The current training API (v2)".
PHASES = {"Creating": "pending", "Pending": "pending", "Running": "running",
          "Terminating": "stopping", "Completed": "succeeded", "Failed": "failed",
          "Abnormal": "failed", "Terminated": "canceled"}


def expected_v2_payload(item):
    """The P/jobs/<metadata.id> payload DESIGN.md prescribes for a v2 item."""
    md, st = item.get("metadata", {}), item.get("status", {})
    phase = PHASES.get(st.get("phase"), "unknown")
    return {
        "job_id": md["id"].lower(), "job_name": md.get("name"), "job_desc": md.get("description"),
        "create_time": md.get("create_time"), "duration": st.get("duration"),
        "start_time": st.get("start_time"), "user_name": md.get("user_name"),
        "kind": item.get("kind"), "status_name": st.get("phase"),
        "secondary_phase": st.get("secondary_phase"), "phase": phase,
        "terminal": phase in ("succeeded", "failed", "canceled"), "api": "v2",
    }


def v2_jobs(n, status=8):
    jobs = jobs_with_every_status(n, first_id=5001)
    for j in jobs:
        j["status"] = status
    return jobs


class V2Case(E2ECase):
    def v2(self, **kw):
        extra = dict(kw.pop("modelarts_extra", {}) or {}, api="v2")
        kw.setdefault("per_page", 100)
        return dict(kw, modelarts_extra=extra)

    def items(self):
        return self.sim.call("GET", "/_sim/v2/items")

    def item_topic(self, item):
        return "%s/jobs/%s" % (self.P, item["metadata"]["id"])

    def assertBrokerHoldsExactly(self, items):
        snap = {t: p for t, p in self.retained(self.P + "/jobs/#").items() if p}
        self.assertEqual(sorted(snap), sorted(self.item_topic(i) for i in items))
        for i in items:
            self.assertEqual(json.loads(snap[self.item_topic(i)]), expected_v2_payload(i))

    def api_log(self):
        return [q for q in self.sim.requests() if q["kind"] == "api"]


class TestV2Once(V2Case):
    def test_pages_of_fifty_every_topic_exact_and_the_summary_by_phase(self):
        jobs = v2_jobs(130)
        for j, status in zip(jobs, (8, 10, 11, 7)):
            j["status"] = status
        self.sim.set_jobs(jobs)
        r = self.run_once(**self.v2())
        self.assertExit(r, 0)
        self.assertEqual(r.stderr.count("the v2 list takes at most 50 jobs a page"), 1, r.stderr)
        log = self.api_log()
        self.assertEqual([(q["method"], q["body"]["offset"], q["body"]["limit"]) for q in log],
                         [("POST", 0, 50), ("POST", 1, 50), ("POST", 2, 50)])
        self.assertEqual(log[0]["body"]["sort_by"], "create_time")
        items = self.items()
        self.assertEqual(len(items), 130)
        self.assertBrokerHoldsExactly(items)
        s = self.retained_json(self.P + "/summary")
        self.assertEqual((s["total"], s["running"], s["succeeded"], s["failed"], s["pending"]),
                         (130, 127, 1, 1, 1))
        self.assertEqual(s["by_status"], {"Pending": 1, "Running": 127, "Completed": 1,
                                          "Failed": 1})
        self.assertEqual(s["job_total_count"], 130)

    def test_an_offset_that_counts_items_is_found_out(self):
        self.sim.set_jobs(v2_jobs(120))
        self.sim.set_options(v2_offset="item")
        sub = self.subscribe()
        r = self.run_once(**self.v2())
        self.assertExit(r, 0)
        self.assertEqual([q["body"]["offset"] for q in self.api_log()], [0, 1, 51, 101])
        self.assertBrokerHoldsExactly(self.items())
        sub.wait_for(lambda ms: any(m.payload == b"offline" for m in ms), 5)
        topics = [m.topic for m in sub.snapshot() if "/jobs/" in m.topic]
        self.assertEqual(len(topics), len(set(topics)), "a job published twice")

    def test_a_server_that_ignores_offset_is_refused_with_exit_3(self):
        self.sim.set_jobs(v2_jobs(120))
        self.sim.set_options(v2_offset="ignore")
        r = self.run_once(**self.v2())
        self.assertExit(r, 3)
        self.assertIn("it ignores offset", r.stderr)
        self.assertEqual(len(self.api_log()), 3)

    def test_items_of_64_kib_stream_through(self):
        self.sim.set_jobs(v2_jobs(60))
        self.sim.set_options(v2_item_bytes=65536)
        r = self.run_once(**self.v2())
        self.assertExit(r, 0)
        items = self.items()
        self.assertGreaterEqual(len(json.dumps(items[0])), 65536)
        self.assertBrokerHoldsExactly(items)

    def test_status_and_search_content_become_filters(self):
        jobs = v2_jobs(40)
        for j in jobs[:10]:
            j["status"] = 10
        jobs[3]["job_name"] = "bert-special"
        self.sim.set_jobs(jobs)
        r = self.run_once(**self.v2(modelarts_extra={"status": "Completed, Failed",
                                                     "search_content": "special"}))
        self.assertExit(r, 0)
        body = self.api_log()[0]["body"]
        self.assertEqual(body["filters"], [
            {"key": "phase", "operator": "in", "value": ["Completed", "Failed"]},
            {"key": "name", "operator": "like", "value": ["special"]}])
        self.assertBrokerHoldsExactly([i for i in self.items()
                                       if i["metadata"]["name"] == "bert-special"])

    def test_a_restart_reads_the_baseline_back(self):
        self.sim.set_jobs(v2_jobs(30))
        self.assertExit(self.run_once(**self.v2()), 0)
        self.sim.patch_job(5002, {"status": 10})
        sub = self.subscribe()
        r = self.run_once(**self.v2())
        self.assertExit(r, 0)
        self.assertIn("baseline from the broker: 30 retained job topics", r.stderr)
        sub.wait_for(lambda ms: any(m.payload == b"offline" for m in ms), 5)
        events = [m.json() for m in sub.snapshot() if m.topic == self.P + "/events"]
        uid = [i for i in self.items() if i["metadata"]["name"] == "train-5002"][0]
        self.assertEqual([(e["type"], e["job_id"], e["from"], e["to"]) for e in events],
                         [("transition", uid["metadata"]["id"], "Running", "Completed")])

    def test_dry_run_prints_v2_payloads(self):
        self.sim.set_jobs(v2_jobs(3))
        r = self.run_agent(["-c", self.config(**self.v2()), "--dry-run"])
        self.assertExit(r, 0)
        self.assertEqual(r.stdout.count('"api":"v2"'), 3)


class TestV2AkSk(V2Case):
    sim_auth = {"ak": AK, "sk": SK}

    def test_the_signature_covers_the_body_byte_for_byte(self):
        self.sim.set_jobs(v2_jobs(60))
        r = self.run_once(**self.v2(auth="aksk", ak=AK, sk=SK))
        self.assertExit(r, 0)
        self.assertBrokerHoldsExactly(self.items())
        st = self.sim.stats()
        self.assertEqual((st["aksk_verified"], st["auth_failures"]), (2, 0), st)
        for q in self.api_log():
            headers = {k.lower(): v for k, v in q["headers"]}
            m = re.match(r"^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([a-z0-9;-]+), "
                         r"Signature=([0-9a-f]{64})$", headers["authorization"])
            self.assertTrue(m, headers["authorization"])
            self.assertEqual(m.group(2), "content-type;host;x-project-id;x-sdk-date")
            # The body as the agent writes it: compact JSON in its key order.
            body = json.dumps(q["body"], separators=(",", ":")).encode()
            self.assertEqual(int(headers["content-length"]), len(body))
            canonical = "\n".join([
                "POST", "/v2/%s/training-job-searches/" % testlib.PROJECT_ID, "",
                "content-type:%s\nhost:%s\nx-project-id:%s\nx-sdk-date:%s\n" % (
                    headers["content-type"], headers["host"], testlib.PROJECT_ID,
                    headers["x-sdk-date"]),
                m.group(2), hashlib.sha256(body).hexdigest()])
            to_sign = "SDK-HMAC-SHA256\n%s\n%s" % (
                headers["x-sdk-date"], hashlib.sha256(canonical.encode()).hexdigest())
            self.assertEqual(m.group(3), hmac.new(SK.encode(), to_sign.encode(),
                                                  hashlib.sha256).hexdigest())


class TestV2Daemon(DaemonCase):
    def test_phase_names_in_events_and_a_failed_page_removes_nothing(self):
        self.sim.set_jobs(v2_jobs(12))
        self.sub = self.subscribe()
        self.launch(self.config(per_page=5, poll_interval=1, timeout=3,
                                modelarts_extra={"api": "v2"}))
        self.assertTrue(self.sub.wait_for(self.has(self.P + "/summary"), 15), self.agent_log())
        items = {i["metadata"]["name"]: i for i in self.sim.call("GET", "/_sim/v2/items")}
        # Job 5001 (first page) completes and 5012 (third page) goes, while the
        # next polls fail on the third page.
        self.sim.add_fault(status=500, offset=2, count=3)
        self.sim.patch_job(5001, {"status": 10})
        self.sim.delete_job(5012)
        ev = self.wait_event(lambda e: e["type"] == "transition", "transition")
        self.assertEqual((ev["job_id"], ev["from"], ev["from_name"], ev["to"], ev["phase"]),
                         (items["train-5001"]["metadata"]["id"], "Running", "Running",
                          "Completed", "succeeded"))
        gone = "%s/jobs/%s" % (self.P, items["train-5012"]["metadata"]["id"])
        ok = self.sub.wait_for(
            lambda ms: any(m.topic == self.B + "/health"
                           and json.loads(m.payload)["consecutive_failures"] == 3 for m in ms),
            15)
        self.assertTrue(ok, self.agent_log(4000))
        self.assertEqual([m.topic for m in self.sub.snapshot() if m.payload == b""], [])
        # Then the walks complete: the job is removed after two of them.
        self.assertTrue(self.sub.wait_for(self.has(gone, b""), 15), self.agent_log(4000))
        self.wait_event(lambda e: e["type"] == "removed", "removed")
        self.assertEqual([(e["type"], e["job_id"]) for e in self.events()],
                         [("transition", items["train-5001"]["metadata"]["id"]),
                          ("removed", items["train-5012"]["metadata"]["id"])])
        self.agent.send_signal(signal.SIGTERM)
        self.assertEqual(self.agent.wait(10), 0, self.agent_log())


class TestV1AndV2Projects(E2ECase):
    sim_projects = ("p-v2",)

    def test_one_agent_walks_a_v1_and_a_v2_project(self):
        self.sim.set_jobs(v2_jobs(7))
        self.sim.call("PUT", "/_sim/projects/p-v2/jobs", v2_jobs(9))
        path = self.config(per_page=5)
        with open(path, "a") as f:
            f.write("\n[modelarts.second]\nproject_id = p-v2\napi = v2\n")
        r = self.run_agent(["-c", path, "--once"])
        self.assertExit(r, 0)
        snap = self.retained()
        v1 = [t for t in snap if t.startswith(self.P + "/jobs/")]
        v2 = [t for t in snap if t.startswith(self.B + "/p-v2/jobs/")]
        self.assertEqual(len(v1), 7)
        self.assertEqual(len(v2), 9)
        self.assertTrue(all(re.search(r"/jobs/\d+$", t) for t in v1))
        self.assertTrue(all(re.search(r"/jobs/[0-9a-f-]{36}$", t) for t in v2))
        self.assertEqual(json.loads(snap[v2[0]])["api"], "v2")


if __name__ == "__main__":
    unittest.main()

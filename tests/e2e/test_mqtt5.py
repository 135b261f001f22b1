# SPDX-License-Identifier: Apache-2.0
"""[mqtt] protocol = 5: the same topics and payloads as with MQTT 3.1.1, each
JSON payload with content type application/json and payload format
indicator 1, the status words as text/plain, zero-byte removals without
properties, job topics with the message expiry interval, and job topics
republished before they expire (also right after a restart, when the copies
an earlier run left are about to expire)."""

import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_base import E2ECase  # noqa: E402
from test_daemon import jobs_12  # noqa: E402
import testlib  # noqa: E402

# mosquitto_sub -F: retained, QoS, payload format indicator, message expiry
# interval, content type (each empty when absent), payload in hex, topic.
V5_FORMAT = "%r|%q|%F|%E|%C|%x|%t"


class V5Message(testlib.Message):
    __slots__ = ("format", "expiry", "content_type")


class V5Subscriber(testlib.Subscriber):
    """mosquitto_sub speaking MQTT 5, keeping each message's properties."""

    def command(self):
        return ["mosquitto_sub", "-V", "mqttv5", "-h", "127.0.0.1", "-p", str(self.port),
                "-q", "1", "-t", self.topic, "-t", self.probe_topic, "-F", V5_FORMAT]

    def parse_line(self, line):
        parts = line.split(b"|", 6)
        if len(parts) != 7:
            return None
        r, q, fmt, expiry, ctype, hexp, topic = parts
        msg = V5Message(topic.decode("utf-8", "replace"), bytes.fromhex(hexp.decode()),
                        r == b"1", int(q))
        msg.format = int(fmt) if fmt else None
        msg.expiry = int(expiry) if expiry else None
        msg.content_type = ctype.decode() if ctype else None
        return msg


class Mqtt5Case(E2ECase):
    def v5_config(self, expiry, poll_interval=1):
        return self.config(per_page=5, poll_interval=poll_interval, timeout=3,
                           mqtt_extra={"protocol": "5", "message_expiry": expiry})

    def v5_subscribe(self, topic=None):
        sub = V5Subscriber(self.procs, self.broker.port, topic or self.B + "/#").start()
        self.addCleanup(sub.stop)
        return sub

    def wait(self, sub, predicate, what, timeout=15):
        self.assertTrue(sub.wait_for(lambda ms: any(predicate(m) for m in ms), timeout),
                        "%s: %s" % (what, self.agent_log(4000)))


class TestMqtt5(Mqtt5Case):
    def test_properties_on_every_message_and_the_same_topics_and_payloads(self):
        jobs = jobs_12()
        self.sim.set_jobs(jobs)
        sub = self.v5_subscribe()
        self.launch(self.v5_config(3600))
        self.wait(sub, lambda m: m.topic == self.P + "/summary", "no summary")
        self.assertIn("(MQTT 5)", self.agent_log(4000))
        self.sim.delete_job(4)
        self.sim.patch_job(3, {"status": 8})
        self.wait(sub, lambda m: m.topic == self.job_topic(4) and m.payload == b"",
                  "no removal of job 4")
        self.wait(sub, lambda m: m.topic == self.P + "/events"
                  and json.loads(m.payload)["type"] == "removed", "no removed event")
        self.stop_agent()
        self.wait(sub, lambda m: m.topic == self.B + "/status" and m.payload == b"offline",
                  "no offline")

        msgs = sub.snapshot()
        kinds = set()
        for m in msgs:
            with self.subTest(topic=m.topic, payload=m.payload[:40]):
                if m.payload == b"":
                    kinds.add("removal")
                    self.assertEqual((m.content_type, m.format, m.expiry), (None, None, None))
                elif m.topic == self.B + "/status":
                    kinds.add("status")
                    self.assertIn(m.payload, (b"online", b"offline"))
                    self.assertEqual((m.content_type, m.format, m.expiry), ("text/plain", 1, None))
                else:
                    json.loads(m.payload.decode("utf-8"))
                    self.assertEqual((m.content_type, m.format), ("application/json", 1))
                    if m.topic.startswith(self.P + "/jobs/"):
                        kinds.add("job")
                        # What the broker forwards is the interval left.
                        self.assertIsNotNone(m.expiry)
                        self.assertTrue(3590 <= m.expiry <= 3600, m.expiry)
                    else:
                        kinds.add(m.topic.rsplit("/", 1)[1])
                        self.assertIsNone(m.expiry)
        self.assertEqual(kinds, {"removal", "status", "job", "summary", "health", "events"})

        # Same topics and payloads as MQTT 3.1.1.
        snap = self.retained()
        for job in jobs:
            topic = self.job_topic(job["job_id"])
            if job["job_id"] == 4:
                self.assertNotIn(topic, snap)
                continue
            want = dict(job, status=8) if job["job_id"] == 3 else job
            self.assertJobPayload(snap[topic], want)
        self.assertEqual(snap[self.B + "/status"], b"offline")
        summary = json.loads(snap[self.P + "/summary"])
        self.assertEqual((summary["total"], summary["running"]), (11, 6))
        ev = [json.loads(m.payload) for m in msgs if m.topic == self.P + "/events"]
        self.assertEqual(sorted(e["type"] for e in ev), ["removed", "transition"])

    def test_once_with_mqtt5_exits_0_and_leaves_the_same_retained_state(self):
        jobs = jobs_12()
        self.sim.set_jobs(jobs)
        r = self.run_agent(["-c", self.v5_config(0), "--once"])
        self.assertExit(r, 0)
        snap = self.retained()
        for job in jobs:
            self.assertJobPayload(snap[self.job_topic(job["job_id"])], job)
        # message_expiry = 0: the job topics never expire.
        sub = self.v5_subscribe(self.P + "/jobs/+")
        self.wait(sub, lambda m: m.retained, "no retained job topic")
        self.assertEqual({m.expiry for m in sub.snapshot()}, {None})
        self.assertEqual({m.content_type for m in sub.snapshot()}, {"application/json"})


class TestMqtt5Expiry(Mqtt5Case):
    def test_job_topics_are_republished_before_they_expire(self):
        self.sim.set_jobs(jobs_12())
        sub = self.v5_subscribe(self.P + "/jobs/+")
        # 8 s: every job topic is published again every 4 s.
        self.launch(self.v5_config(8))
        self.wait(sub, lambda m: m.topic == self.job_topic(1), "no job topic")
        time.sleep(10)
        counts = {}
        for m in sub.snapshot():
            counts[m.topic] = counts.get(m.topic, 0) + 1
        self.assertEqual(len(counts), 12)
        self.assertGreaterEqual(min(counts.values()), 2, counts)
        self.assertIn("republishing every job topic before its message expiry", self.agent_log(4000))
        # More than one expiry interval after the first publication, the
        # broker still holds every job topic.
        held = [t for t, p in self.retained(self.P + "/jobs/+").items() if p]
        self.assertEqual(len(held), 12)
        self.stop_agent()

    def test_a_restart_refreshes_job_topics_an_earlier_run_left_close_to_expiry(self):
        self.sim.set_jobs(jobs_12())
        path = self.v5_config(12)
        sub = self.v5_subscribe(self.P + "/summary")
        self.launch(path)
        self.wait(sub, lambda m: True, "no summary")
        self.stop_agent()
        # Unchanged jobs are not republished at a restart (the retained
        # topics are the baseline), and 4 s of their 12 are left: the
        # agent refreshes them before, not 6 s after its start.
        time.sleep(8)
        self.launch(path)
        time.sleep(6)
        held = [t for t, p in self.retained(self.P + "/jobs/+").items() if p]
        self.assertEqual(len(held), 12, self.agent_log(4000))
        self.assertIn("baseline from the broker: 12 retained job topics", self.agent_log(4000))
        self.stop_agent()


if __name__ == "__main__":
    unittest.main()

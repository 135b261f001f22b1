# SPDX-License-Identifier: Apache-2.0
"""Home Assistant MQTT discovery ([homeassistant] discovery = true): the
retained device message (components, availability, expire_after, ids that
stay the same across restarts), its republication when Home Assistant says
it is online, per-job entities that follow the jobs, and nothing under the
prefix when discovery is off."""

import json
import os
import re
import signal
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_base import PHASE_NAMES, E2ECase, jobs_with_every_status  # noqa: E402
import testlib  # noqa: E402

PREFIX = "homeassistant"
ENTITY_ID = re.compile(r"^(sensor|binary_sensor)\.(?!_)(?!.*__)[a-z0-9_]+(?<!_)$")
# The summary fields docs/topics.md promises, which the templates may use.
SUMMARY_FIELDS = set(PHASE_NAMES) | {"total", "by_status", "job_total_count",
                                     "job_count_limit", "quotas", "updated_at"}


def jobs_12():
    jobs = jobs_with_every_status(12, first_id=1)
    for j in jobs:
        j["status"] = 7 if j["job_id"] % 2 else 8
    return jobs


class HomeAssistantCase(E2ECase):
    def ha_config(self, discovery=True, per_job=False, heartbeat=0, poll_interval=1):
        path = self.config(per_page=5, poll_interval=poll_interval, timeout=3,
                           mqtt_extra={"heartbeat": heartbeat})
        with open(path, "a", encoding="utf-8") as f:
            f.write("[homeassistant]\ndiscovery = %s\nprefix = %s\nper_job_entities = %s\n"
                    % ("true" if discovery else "false", PREFIX,
                       "true" if per_job else "false"))
        return path

    @property
    def node(self):
        return "%s_%s" % (self.agent_id, testlib.PROJECT_ID)

    @property
    def device_topic(self):
        return "%s/device/%s/config" % (PREFIX, self.node)

    def job_config_topic(self, job_id):
        return "%s/device/%s_job_%d/config" % (PREFIX, self.node, job_id)

    def on(self, sub, topic, payload=None, n=1, timeout=15, live=False):
        """Wait until sub has seen n messages on topic (with payload, live
        ones only when asked); returns them."""
        def match(ms):
            return [m for m in ms if m.topic == topic and (payload is None or m.payload == payload)
                    and not (live and m.retained)]
        ok = sub.wait_for(lambda ms: len(match(ms)) >= n, timeout)
        self.assertTrue(ok, "fewer than %d messages on %s: %s" % (n, topic, self.agent_log(4000)))
        return match(sub.snapshot())


class TestDeviceDiscovery(HomeAssistantCase):
    def check_device_message(self, doc):
        P = self.P
        uid = "modelarts2mqtt_%s" % self.node
        self.assertEqual(doc["dev"]["identifiers"], [uid])
        self.assertTrue(doc["dev"]["name"])
        self.assertEqual(doc["dev"]["sw_version"], doc["o"]["sw_version"])
        self.assertEqual(doc["o"]["name"], "modelarts2mqtt")
        self.assertEqual(doc["availability"], [{"topic": self.B + "/status",
                                                "payload_available": "online",
                                                "payload_not_available": "offline"}])
        self.assertEqual(doc["qos"], 1)
        cmps = doc["cmps"]
        self.assertEqual(sorted(cmps), sorted(["running", "pending", "failed", "succeeded",
                                               "total", "last_update", "problem"]))
        for key, c in cmps.items():
            with self.subTest(component=key):
                self.assertEqual(c["unique_id"], "%s_%s" % (uid, key))
                self.assertRegex(c["default_entity_id"], ENTITY_ID)
                self.assertTrue(c["default_entity_id"].endswith("_" + key))
                self.assertNotIn("object_id", c)
                if key == "problem":
                    self.assertEqual((c["p"], c["device_class"], c["entity_category"],
                                      c["state_topic"]),
                                     ("binary_sensor", "problem", "diagnostic",
                                      self.B + "/health"))
                    self.assertIn("value_json.poll_ok", c["value_template"])
                    # heartbeat 20 s, poll 1 s: 3 x the longest retry wait (900 s).
                    self.assertEqual(c["expire_after"], 2700)
                    continue
                self.assertEqual((c["p"], c["state_topic"]), ("sensor", P + "/summary"))
                # 3 x max(poll_interval 1 s, heartbeat 20 s).
                self.assertEqual(c["expire_after"], 60)
                fields = set(re.findall(r"value_json\.(\w+)", c["value_template"]))
                self.assertTrue(fields and fields <= SUMMARY_FIELDS, c["value_template"])
                if key == "last_update":
                    self.assertEqual(c["device_class"], "timestamp")
                    self.assertEqual(fields, {"updated_at"})
                else:
                    self.assertEqual(fields, {key})
                    self.assertEqual(c["state_class"], "measurement")

    def test_device_message_birth_republish_and_stable_ids(self):
        self.sim.set_jobs(jobs_12())
        sub = testlib.Subscriber(self.procs, self.broker.port, "#").start()
        self.addCleanup(sub.stop)
        path = self.ha_config(heartbeat=20)
        self.launch(path)
        first = self.on(sub, self.device_topic)[0]
        doc = first.json()
        self.check_device_message(doc)
        self.on(sub, self.P + "/summary")
        # The broker keeps it for a Home Assistant that starts later.
        self.assertEqual(json.loads(self.retained(self.device_topic)[self.device_topic]), doc)
        # The templates' fields are in the summary the agent really publishes.
        summary = self.retained_json(self.P + "/summary")
        for key in ("running", "pending", "failed", "succeeded", "total", "updated_at"):
            self.assertIn(key, summary)
        self.assertEqual((summary["running"], summary["pending"], summary["total"]), (6, 6, 12))

        # Home Assistant's birth message: everything again.
        n = len(self.on(sub, self.device_topic))
        testlib.publish(self.broker.port, PREFIX + "/status", b"online")
        again = self.on(sub, self.device_topic, n=n + 1, timeout=10)
        self.assertEqual(again[-1].json(), doc)
        self.assertIn("is online: publishing the discovery messages again", self.agent_log(4000))
        # Anything else on the status topic is not a birth message.
        testlib.publish(self.broker.port, PREFIX + "/status", b"offline")

        # A restart: the same ids, the same message.
        self.stop_agent()
        sub2 = testlib.Subscriber(self.procs, self.broker.port, PREFIX + "/#").start()
        self.addCleanup(sub2.stop)
        self.launch(path)
        second = self.on(sub2, self.device_topic, live=True)[0].json()
        self.assertEqual(second, doc)
        self.assertEqual([c["unique_id"] for c in second["cmps"].values()],
                         [c["unique_id"] for c in doc["cmps"].values()])
        self.assertEqual(len(self.on(sub, self.device_topic, n=n + 2)), n + 2,
                         "the offline status word republished discovery")
        self.stop_agent()

    def test_once_publishes_discovery_and_expire_after_follows_the_poll_interval(self):
        self.sim.set_jobs(jobs_12())
        path = self.ha_config(heartbeat=0, poll_interval=45)
        r = self.run_agent(["-c", path, "--once"])
        self.assertExit(r, 0)
        doc = json.loads(self.retained(self.device_topic)[self.device_topic])
        # heartbeat 0: a summary after every poll, so 3 x poll_interval.
        self.assertEqual(doc["cmps"]["running"]["expire_after"], 135)
        self.assertEqual(doc["cmps"]["problem"]["expire_after"], 2700)


class TestPerJobEntities(HomeAssistantCase):
    def test_job_entities_are_created_cleared_and_announced_again_after_a_restart(self):
        jobs = jobs_12()
        self.sim.set_jobs(jobs)
        sub = testlib.Subscriber(self.procs, self.broker.port, "#").start()
        self.addCleanup(sub.stop)
        path = self.ha_config(per_job=True)
        self.launch(path)
        for j in jobs:
            self.on(sub, self.job_config_topic(j["job_id"]))
        doc = self.on(sub, self.job_config_topic(3))[0].json()
        self.assertEqual(doc["dev"]["identifiers"], ["modelarts2mqtt_%s_job_3" % self.node])
        self.assertEqual(doc["dev"]["name"], "ModelArts job train-003")
        self.assertEqual(doc["dev"]["via_device"], "modelarts2mqtt_%s" % self.node)
        self.assertEqual(doc["availability"][0]["topic"], self.B + "/status")
        phase = doc["cmps"]["phase"]
        self.assertEqual((phase["p"], phase["device_class"]), ("sensor", "enum"))
        self.assertEqual(phase["options"], list(PHASE_NAMES))
        self.assertEqual(phase["state_topic"], self.job_topic(3))
        self.assertEqual(phase["json_attributes_topic"], self.job_topic(3))
        self.assertEqual(phase["value_template"], "{{ value_json.phase }}")
        self.assertEqual(phase["unique_id"], "modelarts2mqtt_%s_job_3_phase" % self.node)
        self.assertRegex(phase["default_entity_id"], ENTITY_ID)
        self.assertNotIn("expire_after", phase, "job topics are not refreshed")

        # A deleted job (gone after two complete polls): its entity goes,
        # before its state topic is emptied.
        self.sim.delete_job(4)
        cleared = self.on(sub, self.job_config_topic(4), payload=b"")[0]
        emptied = self.on(sub, self.job_topic(4), payload=b"")[0]
        order = sub.snapshot()
        self.assertLess(order.index(cleared), order.index(emptied))
        self.assertNotIn(self.job_config_topic(4), self.retained(PREFIX + "/#"))
        # A new job: a new entity.
        self.sim.add_job({"job_id": 99, "job_name": "new-job", "status": 7})
        new = self.on(sub, self.job_config_topic(99))[0].json()
        self.assertEqual(new["dev"]["name"], "ModelArts job new-job")
        held = self.retained(PREFIX + "/#")
        want = {self.job_config_topic(j["job_id"]) for j in jobs if j["job_id"] != 4}
        want |= {self.job_config_topic(99), self.device_topic}
        self.assertEqual({t for t in held if self.node in t}, want)
        self.stop_agent()

        # A restart takes the retained job topics as its baseline and
        # republishes none of them, yet every job is announced again.
        self.sim.delete_job(5)
        sub2 = testlib.Subscriber(self.procs, self.broker.port, PREFIX + "/#").start()
        self.addCleanup(sub2.stop)
        self.launch(path)
        for t in want - {self.device_topic, self.job_config_topic(5)}:
            self.on(sub2, t, live=True)
        self.on(sub2, self.job_config_topic(5), payload=b"", live=True, timeout=20)
        self.stop_agent()


class TestDiscoveryOff(HomeAssistantCase):
    def test_nothing_is_published_under_the_prefix_when_discovery_is_off(self):
        self.sim.set_jobs(jobs_12())
        sub = testlib.Subscriber(self.procs, self.broker.port, PREFIX + "/#").start()
        self.addCleanup(sub.stop)
        mine = self.subscribe()
        path = self.ha_config(discovery=False, per_job=True)
        r = self.run_agent(["-c", path, "--once"])
        self.assertExit(r, 0)
        self.assertIn("per_job_entities = true has no effect", r.stderr)
        mine.wait_for(lambda ms: any(m.topic == self.B + "/status" and m.payload == b"offline"
                                     for m in ms), 5)
        self.assertTrue(any(m.topic.startswith(self.P + "/jobs/") for m in mine.snapshot()))
        self.assertEqual([m for m in sub.snapshot() if self.agent_id in m.topic], [])

    def test_sighup_switching_discovery_on_publishes_it(self):
        self.sim.set_jobs(jobs_12())
        sub = testlib.Subscriber(self.procs, self.broker.port, PREFIX + "/#").start()
        self.addCleanup(sub.stop)
        mine = self.subscribe()
        path = self.ha_config(discovery=False)
        self.launch(path)
        self.on(mine, self.P + "/summary")
        self.assertEqual([m for m in sub.snapshot() if self.agent_id in m.topic], [])
        # The same file, rewritten with discovery on.
        self.assertEqual(self.ha_config(discovery=True), path)
        self.agent.send_signal(signal.SIGHUP)
        doc = self.on(sub, self.device_topic)[0].json()
        self.assertEqual(doc["availability"][0]["topic"], self.B + "/status")
        self.assertIsNone(self.agent.poll(), "the agent exited on SIGHUP")
        self.stop_agent()


if __name__ == "__main__":
    unittest.main()

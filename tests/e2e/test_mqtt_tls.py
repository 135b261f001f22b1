# SPDX-License-Identifier: Apache-2.0
"""MQTT over TLS (the default build, MQTT_TLS=1: Paho's TLS variant): the
agent publishes to an ssl:// and an mqtts:// broker it verifies with
[mqtt] ca_file, and refuses one whose certificate the CA did not sign or
that names another host (exit 1, nothing published). A real mosquitto with
a TLS listener and the test CA's certificates; the router build's refusal of
these URIs is tests/e2e/test_mqtt_plain.py."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_base import E2ECase, jobs_with_every_status  # noqa: E402


class TestMqttOverTls(E2ECase):
    broker_tls = "server"

    def once_over_tls(self, uri, ca_file):
        return self.run_once(mqtt_extra={"uri": uri, "ca_file": ca_file})

    def test_ssl_and_mqtts_brokers_get_every_job(self):
        jobs = jobs_with_every_status(6)
        self.sim.set_jobs(jobs)
        for scheme in ("ssl", "mqtts"):
            with self.subTest(scheme=scheme):
                self.new_agent(scheme)
                r = self.once_over_tls("%s://localhost:%d" % (scheme, self.broker.tls_port),
                                       self.certs["ca"])
                self.assertExit(r, 0)
                snap = self.retained()
                for j in jobs:
                    self.assertJobPayload(snap[self.job_topic(j["job_id"])], j)
                self.assertEqual(snap[self.B + "/status"], b"offline")

    def test_a_broker_the_ca_did_not_sign_is_refused(self):
        self.sim.set_jobs(jobs_with_every_status(2))
        r = self.once_over_tls("ssl://localhost:%d" % self.broker.tls_port,
                               self.certs["other_ca"])
        self.assertExit(r, 1)
        self.assertIn("the MQTT broker is unreachable", r.stdout + r.stderr)
        self.assertEqual(self.retained(), {})



class TestMqttOverTlsWrongName(E2ECase):
    broker_tls = "wronghost"  # signed by the test CA, for elsewhere.example

    def test_a_broker_under_another_name_is_refused(self):
        self.sim.set_jobs(jobs_with_every_status(2))
        r = self.run_once(mqtt_extra={"uri": "ssl://localhost:%d" % self.broker.tls_port,
                                      "ca_file": self.certs["ca"]})
        self.assertExit(r, 1)
        self.assertIn("the MQTT broker is unreachable", r.stdout + r.stderr)
        self.assertEqual(self.retained(), {})


if __name__ == "__main__":
    unittest.main()

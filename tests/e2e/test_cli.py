# SPDX-License-Identifier: Apache-2.0
"""The command line: configuration errors (exit 2 naming the key),
--check-config, --dry-run, --set and the environment, and secrets that
never reach the output."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_base import E2ECase, jobs_with_every_status  # noqa: E402
import testlib  # noqa: E402

# (key, section, bad value, texts the message must contain)
BAD_VALUES = (
    ("per_page", "modelarts", "0", ("per_page", "0", "1", "1000")),
    ("per_page", "modelarts", "1001", ("per_page", "1001", "1000")),
    ("per_page", "modelarts", "ten", ("per_page", "ten")),
    ("order", "modelarts", "up", ("order", "up")),
    ("sort_by", "modelarts", "name", ("sort_by", "name")),
    ("search_content", "modelarts", "x" * 65, ("search_content", "64")),
    ("auth", "modelarts", "basic", ("auth", "basic")),
    ("endpoint", "modelarts", "http://localhost:1", ("endpoint",)),
    ("poll_interval", "modelarts", "0", ("poll_interval", "0")),
    ("qos", "mqtt", "3", ("qos", "3")),
    ("colour", "modelarts", "blue", ("colour",)),
)


class TestConfiguration(E2ECase):
    def test_bad_values_exit_2_and_the_message_names_key_value_and_range(self):
        for key, section, value, texts in BAD_VALUES:
            with self.subTest(key=key, value=value):
                extra = {key: value}
                kw = {"modelarts_extra": extra} if section == "modelarts" else {
                    "mqtt_extra": extra}
                r = self.run_once(**kw)
                self.assertExit(r, 2)
                msg = r.stdout + r.stderr
                for t in texts:
                    self.assertIn(t, msg)
                self.assertEqual(self.sim.stats()["requests"], 0, "polled with a bad config")

    def test_bad_value_given_with_set_exits_2(self):
        r = self.run_agent(["-c", self.config(), "--once", "--set", "modelarts.per_page=0"])
        self.assertExit(r, 2)
        self.assertIn("per_page", r.stderr + r.stdout)

    def test_malformed_set_argument_exits_2(self):
        r = self.run_agent(["-c", self.config(), "--once", "--set", "per_page"])
        self.assertExit(r, 2)

    def test_missing_config_file_exits_2(self):
        r = self.run_agent(["-c", os.path.join(self.tmp.path, "nope.conf"), "--once"])
        self.assertExit(r, 2)
        self.assertIn("nope.conf", r.stderr + r.stdout)

    def test_unknown_option_exits_2(self):
        r = self.run_agent(["--frobnicate"])
        self.assertExit(r, 2)

    def test_version_and_help_exit_0(self):
        r = self.run_agent(["--version"])
        self.assertExit(r, 0)
        self.assertRegex(r.stdout, r"\d+\.\d+\.\d+")
        r = self.run_agent(["--help"])
        self.assertExit(r, 0)
        for opt in ("--once", "--dry-run", "--check-config", "--set"):
            self.assertIn(opt, r.stdout)

    def test_check_config_on_a_good_file_exits_0_without_polling(self):
        sub = self.subscribe()
        r = self.run_agent(["-c", self.config(), "--check-config"])
        self.assertExit(r, 0)
        self.assertEqual(self.sim.stats()["requests"], 0)
        self.assertEqual(sub.snapshot(), [])

    def test_check_config_with_an_unreadable_ca_file_exits_2(self):
        r = self.run_agent(["-c", self.config(ca_file="/nonexistent/ca.pem"), "--check-config"])
        self.assertExit(r, 2)


class TestDryRun(E2ECase):
    def test_dry_run_prints_one_line_per_message_and_needs_no_broker(self):
        jobs = jobs_with_every_status(12)
        self.sim.set_jobs(jobs)
        dead = testlib.free_port()
        r = self.run_agent(["-c", self.config(mqtt_port=dead, per_page=5), "--dry-run"])
        self.assertExit(r, 0)
        lines = [l for l in r.stdout.splitlines() if l.strip()]
        for j in jobs:
            topic = self.job_topic(j["job_id"])
            hits = [l for l in lines if re.search(re.escape(topic) + r"(?![0-9/])", l)]
            self.assertEqual(len(hits), 1, "job %d: %r" % (j["job_id"], hits))
        self.assertEqual(len([l for l in lines if self.P + "/summary" in l]), 1)
        self.assertEqual(len([l for l in lines if self.B + "/health" in l]), 1)
        self.assertEqual(self.sim.stats()["requests"], 3)
        # One line per message: nothing else is printed on stdout.
        self.assertTrue(all(self.B in l for l in lines), lines[:5])


class TestSecretsAndEnvironment(E2ECase):
    def assertNoToken(self, text, where):
        for probe in (testlib.TOKEN, testlib.TOKEN[:24], testlib.TOKEN[-24:]):
            self.assertNotIn(probe, text, "token found in %s" % where)

    def test_the_token_never_appears_in_output_or_mqtt(self):
        self.sim.set_jobs(jobs_with_every_status(5))
        sub = self.subscribe()
        runs = {
            "--once -v": self.run_once(["-v"]),
            "--check-config -v": self.run_agent(["-c", self.config(), "--check-config", "-v"]),
            "--dry-run -v": self.run_agent(["-c", self.config(), "--dry-run", "-v"]),
            "bad per_page -v": self.run_once(["-v"], per_page=0),
        }
        self.sim.add_fault(status=401)
        runs["401 -v"] = self.run_once(["-v"])
        for what, r in runs.items():
            with self.subTest(run=what):
                self.assertNoToken(r.stdout, what + " stdout")
                self.assertNoToken(r.stderr, what + " stderr")
        sub.wait_for(lambda ms: False, 1)
        for m in sub.snapshot():
            self.assertNoToken(m.payload.decode("utf-8", "replace"), m.topic)

    def test_token_from_the_environment_and_precedence(self):
        self.sim.set_jobs(jobs_with_every_status(3))
        env = dict(os.environ, MODELARTS_TOKEN=testlib.TOKEN)
        # No token in the file: the environment supplies it.
        r = self.run_once(env=env, token=None)
        self.assertExit(r, 0)
        # The environment wins over the file.
        self.new_agent("env_over_file")
        r = self.run_once(env=env, token="wrong-in-file")
        self.assertExit(r, 0)
        # --set wins over the environment.
        self.new_agent("set_over_env")
        r = self.run_once(["--set", "modelarts.token=wrong-on-command-line"], env=env)
        self.assertExit(r, 3)


if __name__ == "__main__":
    unittest.main()

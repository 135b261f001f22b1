# SPDX-License-Identifier: Apache-2.0
"""The first command works or says why: a make whose goal compiles stops at
once, before any compiler runs, with one line that names what is missing
(and its package) and `make deps`; goals that compile nothing (deps, clean,
format, dist, ...) and the goals that run deps first (test, demo, ...) do
not check, nor does make -n (tools/deps-check.mk).

A test cannot uninstall headers, so it names ones that do not exist through
the check's lists (M2M_DEPS_HEADERS, M2M_DEPS_LIBS) or a compiler that does
not exist (CC). make -q runs no recipe, so nothing is built whatever
happens; BUILD points into a temporary directory where a goal could
compile."""

import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import testlib  # noqa: E402

ROOT = testlib.ROOT
MISSING = "M2M_DEPS_HEADERS=no/such.h=libno-such-dev"
MESSAGE = "not installed: no/such.h (libno-such-dev); run make deps first"


def make(*args):
    """make in the project, as a user would type it (testlib.user_make_env())."""
    env = testlib.user_make_env()
    r = subprocess.run(["make", "--no-print-directory"] + list(args), cwd=ROOT, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    return r.returncode, r.stdout.decode()


class TestMissingDeps(unittest.TestCase):
    def setUp(self):
        self.tmp = testlib.TempDir("m2m-deps-")
        self.addCleanup(self.tmp.cleanup)
        self.build = os.path.join(self.tmp.path, "build")

    def assertStopsWith(self, result, message):
        rc, out = result
        self.assertEqual(rc, 2, out)
        lines = out.splitlines()
        self.assertEqual(len(lines), 1, out)
        self.assertIn("*** " + message, lines[0])

    def test_make_stops_at_once_with_one_line(self):
        rc, out = make(MISSING, "BUILD=" + self.build)
        self.assertStopsWith((rc, out), MESSAGE + ".  Stop.")
        self.assertNotIn(" -c ", out)
        self.assertFalse(os.path.exists(self.build), "something was built")

    def test_every_goal_that_compiles_checks(self):
        for goal in ("all", "install", "unit", "fuzz-build", "build/host/modelarts2mqtt",
                     "test-run", "e2e-run", "demo-run", "bench-run", "memcheck-run"):
            with self.subTest(goal=goal):
                self.assertStopsWith(make("-q", goal, MISSING, "BUILD=" + self.build), MESSAGE)

    def test_goals_that_compile_nothing_or_run_deps_first_do_not_check(self):
        for goal in ("deps", "clean", "format", "dist", "notices", "install-sysv",
                     "install-openwrt", "jobboard", "test", "e2e", "demo", "bench", "size"):
            with self.subTest(goal=goal):
                rc, out = make("-q", goal, MISSING, "BUILD=" + self.build)
                self.assertIn(rc, (0, 1), out)
                self.assertNotIn("not installed", out)

    def test_a_dry_run_does_not_check(self):
        rc, out = make("-n", MISSING, "BUILD=" + self.build)
        self.assertEqual(rc, 0, out)
        self.assertIn("-c firmware/job_record.c", out)

    def test_the_message_lists_everything_missing(self):
        self.assertStopsWith(make("-q", "M2M_DEPS_HEADERS=no/such.h jsmn.h=libjsmn-dev "
                                  "/no/such/file=libfile-dev other/missing.h"),
                             "not installed: /no/such/file (libfile-dev), no/such.h, "
                             "other/missing.h; run make deps first")

    def test_a_missing_compiler(self):
        self.assertStopsWith(make("-q", "CC=no-such-cc"),
                             "not installed: no-such-cc (build-essential); run make deps first")

    def test_a_cross_board_names_itself_and_its_architecture(self):
        rc, out = make("-q", "BOARD=linux-aarch64", "M2M_DEPS_HEADERS=",
                       "M2M_DEPS_LIBS=libno-such.so=libno-such-dev:arm64")
        self.assertEqual(rc, 2, out)
        self.assertRegex(out, r"not installed: (libno-such\.so \(libno-such-dev:arm64\)|"
                              r"aarch64-linux-gnu-gcc \(gcc-aarch64-linux-gnu\)); "
                              r"run make deps BOARD=linux-aarch64 first")

    def test_the_unit_tests_need_cmocka_and_llhttp_the_binary_does_not(self):
        show = "--eval=m2m-show-deps: ; @echo HEADERS: $(M2M_DEPS_HEADERS)"
        unit_test = os.path.join(self.build, "tests", "test_backoff")
        for goal, wanted in (("all", False), ("unit", True), (unit_test, True)):
            with self.subTest(goal=goal):
                rc, out = make("-n", show, "m2m-show-deps", goal, "BUILD=" + self.build)
                self.assertEqual(rc, 0, out)
                (headers,) = [l for l in out.splitlines() if l.startswith("echo HEADERS:")]
                self.assertIn("jsmn.h=libjsmn-dev", headers)
                self.assertEqual("cmocka.h=libcmocka-dev" in headers, wanted, headers)
                self.assertEqual("/usr/share/llhttp/llhttp.c=node-llhttp" in headers, wanted)


if __name__ == "__main__":
    unittest.main()

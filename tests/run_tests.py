#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The test runner behind `make test`:

    python3 tests/run_tests.py [--unit BIN...] [--san BIN...] [--mcu BIN...] [--fuzz BIN...]
                               [--board-unit IMAGE... --board-run CMD]
                               [--binary AGENT] [--run-prefix CMD] [--skipped TEXT]...
                               [--board-suite DIR] [--no-sim] [-k PATTERN]

Runs each cmocka unit binary (plain, sanitized, then on the microcontroller
configuration of the core), each cmocka unit image of a board (--board-unit,
run as CMD IMAGE: "qemu-system-arm ... -kernel" for the mps2-an386 board),
a short pass of each libFuzzer harness, the simulator's self-tests, then the
end-to-end tests against AGENT, then a board's own Python tests
(--board-suite, e.g. tests/mcu: the mps2-an386 images under QEMU). Prints
one line per binary, image or suite and, as the very last line, "N passed, M
failed" counting test cases. Exit status 0 only when M == 0 and N > 0.

--run-prefix runs every unit binary and the agent through a command, e.g.
"qemu-aarch64" for a cross-compiled board (the e2e tests read it from
$M2M_RUN_PREFIX). Each --skipped TEXT prints one "skip" line saying what
this run leaves out and why.

A unit binary or image that crashes, times out or exits non-zero without a
cmocka failure line counts its unfinished tests (at least one) as failed.

A fuzz harness runs for --fuzz-seconds on a temporary copy of its seed
corpus (tests/fuzz/corpus/NAME) and counts as one test: passed when it exits
0, failed otherwise. A failing input is left next to the binary as
NAME-crash-* (or NAME-timeout-*, NAME-oom-*, NAME-leak-*).
"""

import argparse
import io
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS_DIR)

RE_RUNNING = re.compile(r"^\[=+\] Running (\d+) test\(s\)", re.M)
RE_OK = re.compile(r"^\[\s+OK\s+\] ", re.M)
RE_PASSED = re.compile(r"^\[\s+PASSED\s+\] (\d+) test\(s\)", re.M)
RE_FAILED = re.compile(r"^\[\s+FAILED\s+\] (\d+) test\(s\)", re.M)
RE_FAILED_NAME = re.compile(r"^\[\s+FAILED\s+\] ([^\s(][^\n]*)$", re.M)
RE_SKIPPED = re.compile(r"^\[\s+SKIPPED\s+\] (\d+) test\(s\)", re.M)
RE_FUZZ_STAT = re.compile(r"^stat::(\w+):\s*(\d+)", re.M)


def count_cmocka(output, returncode):
    """(passed, failed, skipped, names of failed tests) from cmocka's output
    and the exit status."""
    declared = sum(int(n) for n in RE_RUNNING.findall(output))
    passed = sum(int(n) for n in RE_PASSED.findall(output))
    failed = sum(int(n) for n in RE_FAILED.findall(output))
    skipped = sum(int(n) for n in RE_SKIPPED.findall(output))
    names = []
    for n in RE_FAILED_NAME.findall(output):
        n = n.strip()
        if not re.match(r"\d+ test\(s\)", n) and n not in names:
            names.append(n)
    finished_groups = len(RE_PASSED.findall(output))
    if returncode != 0 and (failed == 0 or finished_groups < len(RE_RUNNING.findall(output))):
        # Crashed or killed part-way: whatever did not report OK failed.
        oks = len(RE_OK.findall(output))
        passed = oks
        failed = max(1, declared - oks - skipped)
    return passed, failed, skipped, names


def run_unit(path, label, timeout, prefix=()):
    t = time.monotonic()
    if not os.access(path, os.X_OK):
        print("FAIL %-5s %s: not built" % (label, path))
        return 0, 1
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    try:
        # No terminal for the binary: an emulator would otherwise take it over.
        r = subprocess.run(list(prefix) + [path], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout, env=env, cwd=ROOT)
        out = r.stdout.decode("utf-8", "replace")
        rc = r.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        rc = "timeout"
    passed, failed, skipped, names = count_cmocka(out, 0 if rc == 0 else 1)
    status = "ok  " if failed == 0 and rc == 0 and passed > 0 else "FAIL"
    if passed == 0 and failed == 0:
        failed = 1  # a binary that ran no test at all says nothing
        status = "FAIL"
    extra = ""
    if rc != 0:
        extra = " (exit %s)" % (rc if not isinstance(rc, int) or rc >= 0
                                else "signal %d" % -rc)
    if skipped:
        extra += " %d skipped" % skipped
    print("%s %-5s %-44s %3d passed %3d failed  %.1fs%s"
          % (status, label, os.path.relpath(path, ROOT), passed, failed,
             time.monotonic() - t, extra))
    if status == "FAIL":
        for n in names:
            print("       failed: %s" % n)
        lines = out.rstrip().splitlines()
        key = [l for l in lines if "ERROR: AddressSanitizer" in l or "runtime error:" in l
               or l.startswith("SUMMARY:") or "ERROR: LeakSanitizer" in l]
        for l in key[:6] + lines[-10:]:
            print("       " + l)
    return passed, failed


def run_fuzz(path, seconds):
    """One bounded libFuzzer run on a copy of the harness's seed corpus:
    (1, 0) when it exits 0, (0, 1) otherwise."""
    t = time.monotonic()
    name = os.path.basename(path)
    label = "fuzz"
    if not os.access(path, os.X_OK):
        print("FAIL %-5s %s: not built" % (label, path))
        return 0, 1
    # A harness built on the microcontroller configuration (fuzz_x_mcu) shares fuzz_x's seeds.
    seeds = os.path.join(TESTS_DIR, "fuzz", "corpus", re.sub(r"_mcu$", "", name))
    work = tempfile.mkdtemp(prefix="m2m_%s_" % name)
    corpus = os.path.join(work, "corpus")
    prefix = os.path.join(os.path.dirname(os.path.abspath(path)), name + "-")
    try:
        if os.path.isdir(seeds):
            shutil.copytree(seeds, corpus)
        else:
            os.mkdir(corpus)
        cmd = [path, "-max_total_time=%d" % seconds, "-rss_limit_mb=2048", "-timeout=5",
               "-print_final_stats=1", "-artifact_prefix=" + prefix, corpus]
        try:
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=seconds + 60, cwd=ROOT)
            out = r.stdout.decode("utf-8", "replace")
            rc = r.returncode
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"").decode("utf-8", "replace")
            rc = "timeout"
    finally:
        shutil.rmtree(work, ignore_errors=True)
    stats = dict(RE_FUZZ_STAT.findall(out))
    ok = rc == 0
    extra = ""
    if "number_of_executed_units" in stats:
        extra = " %s runs, %s/s" % (stats["number_of_executed_units"],
                                    stats.get("average_exec_per_sec", "?"))
    if rc != 0:
        extra += " (exit %s)" % (rc if not isinstance(rc, int) or rc >= 0
                                 else "signal %d" % -rc)
    print("%s %-5s %-44s %3d passed %3d failed  %.1fs%s"
          % ("ok  " if ok else "FAIL", label, os.path.relpath(path, ROOT), 1 if ok else 0,
             0 if ok else 1, time.monotonic() - t, extra))
    if not ok:
        lines = out.rstrip().splitlines()
        key = [l for l in lines if "ERROR: AddressSanitizer" in l or "runtime error:" in l
               or "invariant failed" in l or l.startswith("SUMMARY:")
               or "ERROR: LeakSanitizer" in l or "ERROR: libFuzzer" in l
               or "Test unit written" in l]
        for l in key[:6] + lines[-12:]:
            print("       " + l)
    return (1, 0) if ok else (0, 1)


class CountingResult(unittest.TextTestResult):
    """Counts passed test cases (subtests fold into their test: a test with
    a failing subtest is one failure)."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.passed = 0
        self._failed_ids = set()
        self.durations = []

    def startTest(self, test):
        self._started = time.monotonic()
        super().startTest(test)

    def stopTest(self, test):
        super().stopTest(test)
        self.durations.append((time.monotonic() - self._started, test.id()))

    def addSuccess(self, test):
        super().addSuccess(test)
        if test.id() not in self._failed_ids:
            self.passed += 1

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._failed_ids.add(test.id())

    def failed_count(self):
        ids = set(self._failed_ids)
        for t in [t for t, _ in self.failures + self.errors] + self.unexpectedSuccesses:
            t = getattr(t, "test_case", t)  # a failed subtest counts for its test
            ids.add(t.id() if hasattr(t, "id") else str(t))
        return len(ids)


def run_suite(label, start_dir, pattern, verbose):
    t = time.monotonic()
    sys.path.insert(0, TESTS_DIR)
    loader = unittest.TestLoader()
    if pattern:
        loader.testNamePatterns = ["*%s*" % pattern]
    try:
        suite = loader.discover(start_dir, pattern="test_*.py", top_level_dir=start_dir)
    except Exception as e:  # an import error in a test file
        print("FAIL %-5s %s: %s" % (label, start_dir, e))
        return 0, 1
    stream = sys.stdout if verbose else io.StringIO()
    runner = unittest.TextTestRunner(stream=stream, resultclass=CountingResult,
                                     verbosity=2 if verbose else 1)
    result = runner.run(suite)
    failed = result.failed_count()
    # Subtest failures leave the test without addSuccess; a test that was
    # neither failed nor skipped but not counted is not possible otherwise.
    passed = result.passed
    skipped = len(result.skipped)
    status = "ok  " if failed == 0 and passed > 0 else "FAIL"
    print("%s %-5s %-44s %3d passed %3d failed  %.1fs%s"
          % (status, label, os.path.relpath(start_dir, ROOT) + "/", passed, failed,
             time.monotonic() - t, " %d skipped" % skipped if skipped else ""))
    if failed and not verbose:
        for t_, tb in result.failures + result.errors:
            print("       --- %s\n       %s" % (t_.id() if hasattr(t_, "id") else t_,
                                               tb.rstrip().replace("\n", "\n       ")))
    if verbose:
        for d, name in sorted(result.durations, reverse=True)[:8]:
            print("       %6.1fs %s" % (d, name))
    if skipped and not verbose:
        reasons = sorted({r for _, r in result.skipped})
        for r in reasons[:5]:
            print("       skipped: %s" % r)
    return passed, failed


def _interrupt(signum, frame):
    raise KeyboardInterrupt()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--unit", nargs="*", default=[], help="cmocka test binaries")
    ap.add_argument("--san", nargs="*", default=[], help="the same, built with sanitizers")
    ap.add_argument("--mcu", nargs="*", default=[],
                    help="the same on the microcontroller configuration of the core")
    ap.add_argument("--board-unit", nargs="*", default=[],
                    help="cmocka unit images of a board, run with --board-run")
    ap.add_argument("--board-run", default="",
                    help="command an image of --board-unit runs under, the image appended")
    ap.add_argument("--fuzz", nargs="*", default=[], help="libFuzzer harness binaries")
    ap.add_argument("--fuzz-seconds", type=int, default=8,
                    help="seconds per fuzz harness (default 8)")
    ap.add_argument("--binary", default=None, help="the agent, for the end-to-end tests")
    ap.add_argument("--run-prefix", default="",
                    help="command the unit binaries and the agent run under (qemu-user)")
    ap.add_argument("--skipped", action="append", default=[],
                    help="a part this run leaves out, with the reason (printed)")
    ap.add_argument("--board-suite", default=None,
                    help="a board's own test directory (tests/mcu: firmware images under QEMU)")
    ap.add_argument("--no-sim", action="store_true", help="skip the simulator self-tests")
    ap.add_argument("-k", dest="pattern", default=None, help="only Python tests matching this")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per unit binary")
    ap.add_argument("-v", "--verbose", action="store_true", help="unittest's verbose output")
    args = ap.parse_args(argv)

    # SIGTERM unwinds like Ctrl-C, so the tests' cleanups stop what they
    # started.
    signal.signal(signal.SIGTERM, _interrupt)

    prefix = shlex.split(args.run_prefix)
    if prefix:
        os.environ["M2M_RUN_PREFIX"] = args.run_prefix
        print("note  running every binary under: %s" % args.run_prefix)
    for text in args.skipped:
        print("skip  %s" % text)

    total_pass = total_fail = 0
    for label, bins in (("unit", args.unit), ("san", args.san), ("mcu", args.mcu)):
        for b in bins:
            p, f = run_unit(b, label, args.timeout, prefix)
            total_pass += p
            total_fail += f
    for b in args.board_unit:
        p, f = run_unit(b, "board", args.timeout, shlex.split(args.board_run))
        total_pass += p
        total_fail += f
    for b in args.fuzz:
        p, f = run_fuzz(b, args.fuzz_seconds)
        total_pass += p
        total_fail += f
    sys.stdout.flush()

    if not args.no_sim:
        p, f = run_suite("sim", os.path.join(TESTS_DIR, "sim"), args.pattern, args.verbose)
        total_pass += p
        total_fail += f
        sys.stdout.flush()

    if args.binary:
        binary = os.path.abspath(args.binary)
        if not os.access(binary, os.X_OK):
            print("FAIL e2e   %s: agent binary not built" % args.binary)
            total_fail += 1
        else:
            os.environ["M2M_BINARY"] = binary
            p, f = run_suite("e2e", os.path.join(TESTS_DIR, "e2e"), args.pattern, args.verbose)
            total_pass += p
            total_fail += f

    if args.board_suite:
        p, f = run_suite("board", os.path.abspath(args.board_suite), args.pattern, args.verbose)
        total_pass += p
        total_fail += f

    print("%d passed, %d failed" % (total_pass, total_fail))
    return 0 if total_fail == 0 and total_pass > 0 else 1


if __name__ == "__main__":
    sys.exit(main())

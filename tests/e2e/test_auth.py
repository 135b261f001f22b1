# SPDX-License-Identifier: Apache-2.0
"""The three ways of authenticating the list call, against the real agent,
mosquitto and the simulator (whose AK/SK verifier and IAM endpoint are its
own, docs/simulator.md): AK/SK signatures (with and without a security
token, a search_content that needs percent-encoding, a wrong key, clock
skew), IAM password tokens (obtained, refused, renewed before expiry and
after a revocation), secrets kept out of every output, and the warning for
a readable file that holds a secret."""

import calendar
import json
import os
import re
import signal
import sys
import time
import unittest
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_base import E2ECase, jobs_with_every_status, now_ms  # noqa: E402
import testlib  # noqa: E402

_tag = uuid.uuid4().hex[:12]
AK = "AKE2E%sX" % _tag.upper()
SK = "SKe2e-secret-%s-9f8e7d6c5b4a" % _tag
OTHER_AK = "AKOTHER%s" % _tag.upper()
OTHER_SK = "SKother-secret-%s-0a1b2c" % _tag
SECURITY_TOKEN = "STSe2e-%s-" % _tag + "Qw8" * 60
IAM_USER = "e2e-user"
IAM_DOMAIN = "e2e-domain"
IAM_PASSWORD = "PWe2e-%s-s3cret!" % _tag

PERM_WARNING = "holds a secret and is readable by other users"
CLOCK_HINT = "check the gateway clock"
RE_AUTHORIZATION = re.compile(
    r"^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$")
RE_SDK_DATE = re.compile(r"^\d{8}T\d{6}Z$")
RE_TOKEN_OBTAINED = re.compile(r"IAM token obtained, valid until (\d{8}T\d{6}Z) \(UTC\)")


def rfc3986_encode(text):
    """Percent-encoding of the signing rules, written here independently of
    the agent: A-Z a-z 0-9 - _ . ~ kept, every other UTF-8 byte %XY."""
    keep = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
    return "".join(chr(b) if b in keep else "%%%02X" % b for b in text.encode("utf-8"))


def header(entry, name):
    """Values of one header in a request-log entry."""
    return [v for k, v in entry["headers"] if k.lower() == name.lower()]


def utc_stamp_ms(stamp):
    """YYYYMMDDTHHMMSSZ as UTC milliseconds."""
    return calendar.timegm(time.strptime(stamp, "%Y%m%dT%H%M%SZ")) * 1000


def check_no_secrets(case, cfg, secrets):
    """Run one -v poll and one --dry-run with cfg; no secret (nor its
    first 24 characters) in stdout, stderr or any MQTT payload."""
    sub = testlib.Subscriber(case.procs, case.broker.port, "#").start()
    case.addCleanup(sub.stop)
    r = case.run_once(["-v"], **cfg)
    case.assertExit(r, 0)
    case.assertTrue(sub.wait_for(lambda ms: any(
        m.topic == case.B + "/status" and m.payload == b"offline" for m in ms), 5))
    dry = case.run_agent(["-c", case.config(name="dry.conf", **cfg), "--dry-run", "-v"])
    case.assertExit(dry, 0)
    case.assertIn(case.P + "/summary", dry.stdout)
    outputs = {"stdout": r.stdout, "stderr": r.stderr, "dry-run stdout": dry.stdout,
               "dry-run stderr": dry.stderr}
    payloads = b"\n".join(m.topic.encode() + b" " + m.payload for m in sub.snapshot())
    case.assertIn(case.P.encode(), payloads, "nothing published")
    for secret in secrets:
        for probe in {secret, secret[:24]}:
            for where, text in outputs.items():
                case.assertNotIn(probe, text, "secret in %s" % where)
            case.assertNotIn(probe.encode(), payloads, "secret in an MQTT message")


class AuthCase(E2ECase):
    sim_auth = {"ak": [(AK, SK), (OTHER_AK, OTHER_SK)], "iam_user": IAM_USER,
                "iam_password": IAM_PASSWORD, "iam_domain": IAM_DOMAIN}

    def aksk(self, **kw):
        kw.setdefault("ak", AK)
        kw.setdefault("sk", SK)
        return dict(auth="aksk", **kw)

    def password(self, **kw):
        kw.setdefault("user", IAM_USER)
        kw.setdefault("password", IAM_PASSWORD)
        kw.setdefault("domain", IAM_DOMAIN)
        return dict(auth="password", **kw)

    def health(self):
        return self.retained_json(self.B + "/health")

    def api_log(self):
        return [q for q in self.sim.requests() if q["kind"] == "api"]

    def job_topics(self):
        return sorted(t for t in self.retained() if t.startswith(self.P + "/jobs/"))

    # ---- the daemon ----------------------------------------------------------

    def start_daemon(self, **cfg):
        self.sub = self.subscribe()
        cfg.setdefault("poll_interval", 1)
        cfg.setdefault("timeout", 3)
        path = self.config(**cfg)
        os.chmod(path, 0o600)
        self.launch(path)

    def healths(self):
        return [m.json() for m in self.sub.snapshot() if m.topic == self.B + "/health"]

    def wait_health(self, predicate, what, timeout=10):
        ok = self.sub.wait_for(
            lambda ms: any(predicate(json.loads(m.payload)) for m in ms
                           if m.topic == self.B + "/health"), timeout)
        self.assertTrue(ok, "no health with %s: %s\n%s" % (what, self.healths()[-3:],
                                                           self.agent_log()[-3000:]))
        return [h for h in self.healths() if predicate(h)][0]


class TestAkSk(AuthCase):
    def test_every_page_is_signed_and_verified_by_the_simulator(self):
        jobs = jobs_with_every_status(25)
        self.sim.set_jobs(jobs)
        r = self.run_once(per_page=10, **self.aksk())
        self.assertExit(r, 0)
        snap = self.retained()
        for job in jobs:
            self.assertJobPayload(snap[self.job_topic(job["job_id"])], job)
        log = self.api_log()
        self.assertEqual(len(log), 3)
        for q in log:
            with self.subTest(seq=q["seq"]):
                self.assertEqual(q["auth"]["mode"], "aksk", q)
                self.assertEqual(q["auth"]["result"], "ok", q["auth"])
                self.assertEqual(q["auth"]["ak"], AK)
                self.assertTrue({"host", "x-project-id", "x-sdk-date"}
                                <= set(q["auth"]["signed_headers"]), q["auth"])
                (authz,) = header(q, "Authorization")
                m = RE_AUTHORIZATION.match(authz)
                self.assertTrue(m, authz)
                self.assertEqual(m.group(1), AK)
                self.assertEqual(m.group(2).split(";"), q["auth"]["signed_headers"])
                (date,) = header(q, "X-Sdk-Date")
                self.assertRegex(date, RE_SDK_DATE)
                self.assertLess(abs(utc_stamp_ms(date) - q["time"] * 1000), 5000)
                self.assertEqual(header(q, "X-Project-Id"), [testlib.PROJECT_ID])
                self.assertEqual(header(q, "X-Auth-Token"), [], "a token sent with aksk")
                self.assertEqual(header(q, "X-Security-Token"), [])
        st = self.sim.stats()
        self.assertEqual((st["aksk_verified"], st["auth_failures"]), (3, 0), st)
        h = self.health()
        self.assertEqual((h["poll_ok"], h["jobs"], h["token_expires_at"], h["token_renewals"]),
                         (True, 25, None, 0), h)

    def test_keys_from_the_environment_are_used(self):
        self.sim.set_jobs(jobs_with_every_status(3))
        env = dict(os.environ, MODELARTS_AK=AK, MODELARTS_SK=SK)
        r = self.run_once(env=env, **self.aksk(ak=None, sk=None))
        self.assertExit(r, 0)
        self.assertEqual([q["auth"]["result"] for q in self.api_log()], ["ok"])
        self.assertNotIn(PERM_WARNING, r.stderr, "no secret in the file, no warning")

    def test_search_content_needing_encoding_is_signed_as_sent(self):
        needle = "a b+c/d~e%f=g&h 日本"
        jobs = [{"job_id": 1, "job_name": "x-%s-1" % needle},
                {"job_id": 2, "job_name": "A B+C/D~E%F=G&H 日本 upper"},
                {"job_id": 3, "job_name": "a b+c/d~e%f=g&h 日"},
                {"job_id": 4, "job_name": "a%20b+c/d~e%25f=g&h 日本"},
                {"job_id": 5, "job_name": "unrelated"}]
        self.sim.set_jobs(jobs)
        r = self.run_once(**self.aksk(modelarts_extra={"search_content": needle}))
        self.assertExit(r, 0)
        # The simulator matches case-insensitively: jobs 1 and 2 only.
        self.assertEqual(self.job_topics(), [self.job_topic(1), self.job_topic(2)])
        (q,) = self.api_log()
        self.assertEqual(q["auth"]["result"], "ok", q["auth"])
        pairs = q["query"].split("&")
        self.assertEqual(pairs, sorted(pairs), "query not in canonical order")
        self.assertIn("search_content=" + rfc3986_encode(needle), pairs)
        self.assertIn("search_content=a%20b%2Bc%2Fd~e%25f%3Dg%26h%20%E6%97%A5%E6%9C%AC", pairs)
        # The query on the wire is the very string the simulator signed.
        self.assertEqual(q["auth"]["canonical_request"].split("\n")[2], q["query"])
        self.assertEqual(q["target"], q["path"] + "?" + q["query"])

    def test_wrong_keys_exit_3_with_the_gateway_code(self):
        cases = (("wrong_sk", AK, OTHER_SK, "signature"),
                 ("unknown_ak", "AKNOTCONFIGURED0000", SK, "unknown_ak"))
        for name, ak, sk, result in cases:
            with self.subTest(case=name):
                self.sim.reset()
                self.sim.set_jobs(jobs_with_every_status(3))
                self.new_agent(name)
                r = self.run_once(**self.aksk(ak=ak, sk=sk))
                self.assertExit(r, 3)
                h = self.health()
                self.assertEqual((h["poll_ok"], h["http_status"], h["error_code"],
                                  h["error_class"]), (False, 401, "APIG.0301", "refused"), h)
                self.assertNotIn(CLOCK_HINT, h["error_message"] or "")
                self.assertEqual([q["auth"]["result"] for q in self.api_log()], [result])
                self.assertEqual(self.job_topics(), [])

    def test_clock_skew_past_15_minutes_is_refused_with_a_clock_hint(self):
        for offset in (1200, -1200):
            with self.subTest(offset_s=offset):
                self.sim.reset()
                self.sim.set_jobs(jobs_with_every_status(3))
                self.sim.set_clock_offset(offset)
                self.new_agent("skew%d" % offset)
                r = self.run_once(**self.aksk())
                self.assertExit(r, 3)
                self.assertIn(CLOCK_HINT, r.stderr)
                h = self.health()
                self.assertTrue((h["error_message"] or "").startswith(CLOCK_HINT), h)
                self.assertEqual((h["http_status"], h["error_class"]), (401, "refused"), h)
                self.assertEqual([q["auth"]["result"] for q in self.api_log()], ["date_range"])
                self.assertEqual(self.job_topics(), [])

    def test_clock_skew_within_15_minutes_works(self):
        for offset in (600, -600):
            with self.subTest(offset_s=offset):
                self.sim.reset()
                self.sim.set_jobs(jobs_with_every_status(3))
                self.sim.set_clock_offset(offset)
                self.new_agent("skew%d" % offset)
                r = self.run_once(**self.aksk())
                self.assertExit(r, 0)
                self.assertNotIn(CLOCK_HINT, r.stderr)
                self.assertEqual(len(self.job_topics()), 3)
                self.assertEqual([q["auth"]["result"] for q in self.api_log()], ["ok"])


class TestAkSkSecurityToken(AuthCase):
    sim_auth = {"ak": AK, "sk": SK, "security_token": SECURITY_TOKEN}

    def test_temporary_credentials_sign_the_security_token(self):
        self.sim.set_jobs(jobs_with_every_status(12))
        r = self.run_once(per_page=5, **self.aksk(
            modelarts_extra={"security_token": SECURITY_TOKEN}))
        self.assertExit(r, 0)
        self.assertEqual(len(self.job_topics()), 12)
        log = self.api_log()
        self.assertEqual(len(log), 3)
        for q in log:
            self.assertEqual(q["auth"]["result"], "ok", q["auth"])
            self.assertIn("x-security-token", q["auth"]["signed_headers"])
            self.assertEqual(header(q, "X-Security-Token"),
                             ["<redacted: %d bytes>" % len(SECURITY_TOKEN)])

    def test_security_token_from_the_environment(self):
        self.sim.set_jobs(jobs_with_every_status(3))
        env = dict(os.environ, MODELARTS_SECURITY_TOKEN=SECURITY_TOKEN)
        r = self.run_once(env=env, **self.aksk())
        self.assertExit(r, 0)
        self.assertEqual([q["auth"]["result"] for q in self.api_log()], ["ok"])

    def test_without_the_right_security_token_the_gateway_refuses(self):
        # (case, security_token configured, the simulator's verdict)
        cases = (("none", None, "malformed"),
                 ("another", SECURITY_TOKEN[:-1] + "Z", "security_token"))
        for name, token, result in cases:
            with self.subTest(case=name):
                self.sim.reset()
                self.sim.set_jobs(jobs_with_every_status(3))
                self.new_agent(name)
                r = self.run_once(**self.aksk(modelarts_extra={"security_token": token}))
                self.assertExit(r, 3)
                h = self.health()
                self.assertEqual((h["http_status"], h["error_code"], h["error_class"]),
                                 (401, "APIG.0301", "refused"), h)
                (q,) = self.api_log()
                self.assertEqual(q["auth"]["result"], result, q["auth"])
                self.assertIn("security-token", q["auth"]["reason"].lower(), q["auth"])
                self.assertEqual(self.job_topics(), [])

    def test_no_secret_of_temporary_credentials_is_shown(self):
        self.sim.set_jobs(jobs_with_every_status(3))
        cfg = self.aksk(modelarts_extra={"security_token": SECURITY_TOKEN})
        check_no_secrets(self, cfg, (SK, SECURITY_TOKEN))


class TestPassword(AuthCase):
    def test_a_token_is_obtained_from_iam_and_used(self):
        jobs = jobs_with_every_status(12)
        self.sim.set_jobs(jobs)
        r = self.run_once(per_page=5, **self.password())
        self.assertExit(r, 0)
        st = self.sim.stats()
        self.assertEqual((st["iam_requests"], st["iam_tokens_issued"], st["requests"]),
                         (1, 1, 3), st)
        snap = self.retained()
        for job in jobs:
            self.assertJobPayload(snap[self.job_topic(job["job_id"])], job)
        log = self.sim.requests()
        self.assertEqual([q["kind"] for q in log], ["iam", "api", "api", "api"])
        iam = log[0]
        self.assertEqual((iam["method"], iam["path"], iam["result"]),
                         ("POST", "/v3/auth/tokens", 201))
        user = iam["body"]["auth"]["identity"]["password"]["user"]
        self.assertEqual((user["name"], user["domain"], user["password"]),
                         (IAM_USER, {"name": IAM_DOMAIN},
                          "<redacted: %d bytes>" % len(IAM_PASSWORD.encode())))
        self.assertEqual(iam["body"]["auth"]["scope"], {"project": {"id": testlib.PROJECT_ID}})
        for q in log[1:]:
            self.assertEqual((q["auth"]["mode"], q["auth"]["result"]), ("token", "live"))
        # The simulator issues tokens for 24 h from the moment of the request.
        issued_expiry_ms = iam["time"] * 1000 + 86400 * 1000
        h = self.health()
        self.assertEqual((h["poll_ok"], h["token_renewals"]), (True, 1), h)
        self.assertIsInstance(h["token_expires_at"], int)
        self.assertLess(abs(h["token_expires_at"] - issued_expiry_ms), 60000, h)
        m = RE_TOKEN_OBTAINED.search(r.stderr)
        self.assertTrue(m, r.stderr)
        self.assertLess(abs(utc_stamp_ms(m.group(1)) - h["token_expires_at"]), 1000)

    def test_password_from_the_environment(self):
        self.sim.set_jobs(jobs_with_every_status(3))
        env = dict(os.environ, MODELARTS_PASSWORD=IAM_PASSWORD)
        r = self.run_once(env=env, **self.password(password=None))
        self.assertExit(r, 0)
        self.assertEqual(self.sim.stats()["iam_tokens_issued"], 1)
        self.assertEqual(len(self.job_topics()), 3)

    def test_iam_refusal_exits_3_and_names_iam(self):
        cases = (("wrong_password", {"password": IAM_PASSWORD + "x"}),
                 ("wrong_user", {"user": "nobody"}),
                 ("wrong_domain", {"domain": "elsewhere"}))
        for name, override in cases:
            with self.subTest(case=name):
                self.sim.reset()
                self.sim.set_jobs(jobs_with_every_status(3))
                self.new_agent(name)
                r = self.run_once(**self.password(**override))
                self.assertExit(r, 3)
                self.assertIn("IAM", r.stderr)
                h = self.health()
                self.assertEqual((h["poll_ok"], h["error_code"], h["error_class"]),
                                 (False, "IAM", "refused"), h)
                self.assertIn("IAM", h["error_message"] or "", h)
                self.assertEqual((h["token_expires_at"], h["token_renewals"]), (None, 0), h)
                st = self.sim.stats()
                self.assertEqual((st["iam_requests"], st["iam_tokens_issued"], st["requests"]),
                                 (1, 0, 0), "no list call without a token: %s" % st)
                self.assertEqual(self.job_topics(), [])

    def test_an_iam_outage_is_transient_and_publishes_nothing(self):
        cases = (("503", {"kind": "status", "status": 503}),
                 ("closed without a response", {"kind": "close"}),
                 ("garbage", {"kind": "garbage"}))
        for name, fault in cases:
            with self.subTest(case=name):
                self.sim.reset()
                self.sim.set_jobs(jobs_with_every_status(3))
                self.new_agent("iam-outage-" + name.split()[0])
                self.sim.add_fault(target="iam", **fault)
                r = self.run_once(**self.password())
                self.assertExit(r, 1)
                h = self.health()
                self.assertEqual((h["poll_ok"], h["error_class"], h["token_renewals"]),
                                 (False, "transient", 0), h)
                st = self.sim.stats()
                self.assertEqual((st["iam_tokens_issued"], st["requests"]), (0, 0),
                                 "no list call without a token: %s" % st)
                self.assertEqual(self.job_topics(), [])
                # IAM is back: the next run gets its token and publishes.
                r = self.run_once(**self.password())
                self.assertExit(r, 0)
                self.assertEqual(len(self.job_topics()), 3)
                self.assertEqual((self.health()["poll_ok"], self.health()["token_renewals"]),
                                 (True, 1))

    def test_daemon_rides_out_an_iam_outage_and_then_polls(self):
        self.sim.set_jobs(jobs_with_every_status(4))
        self.sim.add_fault(target="iam", kind="status", status=503, count=3)
        self.start_daemon(**self.password())
        ok = self.wait_health(lambda h: h["poll_ok"], "a good poll after the outage", 30)
        self.assertEqual((ok["token_renewals"], ok["jobs"], ok["consecutive_failures"]),
                         (1, 4, 0), ok)
        # Each failed poll's health goes out once, with its retry time.
        failed = [h for h in self.healths() if not h["poll_ok"]]
        counts = [h["consecutive_failures"] for h in failed]
        self.assertEqual(counts, [1, 2, 3], failed)
        for h in failed:
            self.assertEqual((h["error_code"], h["error_class"]), ("IAM", "transient"), h)
            self.assertIn("503", h["error_message"], h)
        st = self.sim.stats()
        self.assertEqual((st["iam_requests"], st["iam_tokens_issued"]), (4, 1), st)
        self.assertEqual(len(self.job_topics()), 4)
        results = [q.get("result") for q in self.sim.requests() if q["kind"] == "iam"]
        self.assertEqual(results, ["fault:status"] * 3 + [201], results)
        self.agent.send_signal(signal.SIGTERM)
        self.assertEqual(self.agent.wait(10), 0, self.agent_log()[-3000:])

    def test_daemon_renews_a_token_that_expires_within_the_hour_before_each_poll(self):
        self.sim.set_options(token_lifetime_s=1800)
        self.sim.set_jobs(jobs_with_every_status(3))
        t0 = now_ms()
        self.start_daemon(**self.password())
        h3 = self.wait_health(lambda h: h["token_renewals"] >= 3, "3 renewals", 15)
        self.assertTrue(h3["poll_ok"], h3)
        self.assertLess(abs(h3["token_expires_at"] - (now_ms() + 1800 * 1000)), 30000, h3)
        renewals = [h["token_renewals"] for h in self.healths()]
        # One new token per poll: 1, 2, 3, ...
        self.assertEqual(renewals[:3], [1, 2, 3], renewals)
        self.assertTrue(all(h["poll_ok"] for h in self.healths()), self.healths())
        st = self.sim.stats()
        self.assertGreaterEqual(st["iam_tokens_issued"], 3)
        self.assertGreaterEqual(self.agent_log().count("IAM token obtained"), 3)
        self.assertGreater(h3["token_expires_at"], t0)
        self.agent.send_signal(signal.SIGTERM)
        self.assertEqual(self.agent.wait(10), 0, self.agent_log()[-3000:])

    def test_daemon_renews_once_after_a_revoked_token_and_retries(self):
        self.sim.set_jobs(jobs_with_every_status(12))
        self.start_daemon(per_page=5, **self.password())
        first = self.wait_health(lambda h: h["poll_ok"], "a good poll")
        self.assertEqual(first["token_renewals"], 1, first)
        # Right after a poll's health: the next poll is about a second away.
        n_before = len(self.healths())
        issued = self.sim.stats()["iam_tokens_issued"]
        self.assertEqual(issued, 1)
        self.assertEqual(self.sim.revoke_tokens()["revoked"], 1)
        # A poll already under way when the token was revoked (a loaded machine) may
        # still report the old token: wait for the renewal, then one more poll.
        renewed = self.wait_health(lambda h: h["token_renewals"] == 2, "the renewal")
        self.assertTrue(renewed["poll_ok"], renewed)
        n_renewed = len(self.healths())
        self.assertTrue(self.sub.wait_for(
            lambda ms: len([m for m in ms if m.topic == self.B + "/health"]) >= n_renewed + 1,
            10), self.agent_log()[-3000:])
        after = self.healths()[n_before:]
        for h in after:
            self.assertEqual((h["poll_ok"], h["consecutive_failures"], h["jobs"]),
                             (True, 0, 12), h)
        renewals = [h["token_renewals"] for h in after]
        self.assertEqual(renewals, sorted(renewals), after)
        self.assertEqual(renewals[-1], 2, "renewed more than once: %s" % after)
        self.assertEqual(self.sim.stats()["iam_tokens_issued"], 2)
        results = [q.get("auth", {}).get("result") if q["kind"] == "api" else "iam"
                   for q in self.sim.requests()]
        i = results.index("revoked")
        self.assertEqual(results[i + 1:i + 3], ["iam", "live"],
                         "after the 401: one IAM request, then the page again: %s" % results)
        self.assertEqual(results.count("revoked"), 1, results)
        self.assertEqual(results.count("iam"), 2, results)
        msgs = self.sub.snapshot()
        self.assertEqual([m.topic for m in msgs if "/jobs/" in m.topic and m.payload == b""], [],
                         "a job removed around the renewal")
        self.assertEqual([m for m in msgs if m.topic == self.P + "/events"], [])
        self.agent.send_signal(signal.SIGTERM)
        self.assertEqual(self.agent.wait(10), 0, self.agent_log()[-3000:])


class TestSecretsNeverShown(AuthCase):
    def test_token_mode(self):
        self.sim.set_jobs(jobs_with_every_status(3))
        check_no_secrets(self, {}, (testlib.TOKEN,))

    def test_aksk_mode(self):
        self.sim.set_jobs(jobs_with_every_status(3))
        check_no_secrets(self, self.aksk(), (SK,))

    def test_password_mode_hides_the_password_and_the_issued_token(self):
        self.sim.set_jobs(jobs_with_every_status(3))
        # A seeded simulator issues the same token again when the seed is
        # set again: that is how the test learns the token the agent got.
        self.sim.set_options(seed=8086)
        check_no_secrets(self, self.password(), (IAM_PASSWORD,))
        agent_tokens = [header(q, "X-Auth-Token")[0] for q in self.api_log()]
        self.assertEqual(len(agent_tokens), 2)  # the -v poll and the dry run
        self.sim.set_options(seed=8086)
        issued, _ = self.sim.iam_token(IAM_USER, IAM_PASSWORD, IAM_DOMAIN)
        self.assertEqual(agent_tokens[0], "<redacted: %d bytes>" % len(issued),
                         "the reproduced token is not the agent's")
        self.sim.set_options(seed=8086)
        # Run again from the same seed: the agent gets exactly `issued`.
        self.new_agent("again")
        check_no_secrets(self, self.password(), (IAM_PASSWORD, issued))


class TestSecretFilePermissions(AuthCase):
    CASES = (
        ("token", {}),
        ("aksk", {"auth": "aksk", "ak": AK, "sk": SK}),
        ("password", {"auth": "password", "user": IAM_USER, "password": IAM_PASSWORD,
                      "domain": IAM_DOMAIN}),
        ("mqtt_password", {"token": None, "mqtt_extra": {"password": "mqtt-pw-" + _tag}}),
    )

    def test_a_readable_file_holding_a_secret_is_warned_about(self):
        for name, cfg in self.CASES:
            for mode, warned in ((0o644, True), (0o640, True), (0o604, True), (0o600, False),
                                 (0o400, False)):
                with self.subTest(case=name, mode=oct(mode)):
                    path = self.config(name="%s-%o.conf" % (name, mode), **cfg)
                    os.chmod(path, mode)
                    env = None
                    if cfg.get("token", "") is None:  # the API token from elsewhere
                        env = dict(os.environ, MODELARTS_TOKEN=testlib.TOKEN)
                    r = self.run_agent(["-c", path, "--check-config"], env=env)
                    self.assertExit(r, 0)
                    out = r.stdout + r.stderr
                    if warned:
                        self.assertIn(PERM_WARNING, out)
                        self.assertIn(path, out)
                    else:
                        self.assertNotIn(PERM_WARNING, out)

    def test_no_warning_when_the_secret_comes_from_the_environment(self):
        env = dict(os.environ, MODELARTS_TOKEN=testlib.TOKEN)
        path = self.config(token=None)
        os.chmod(path, 0o644)
        r = self.run_agent(["-c", path, "--check-config"], env=env)
        self.assertExit(r, 0)
        self.assertNotIn(PERM_WARNING, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()

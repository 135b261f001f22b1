# SPDX-License-Identifier: Apache-2.0
"""Self-tests of the simulator's authentication: SDK-HMAC-SHA256 signed list
calls checked by sim_signer, the clock shift, X-Project-Id, and the IAM
password-token endpoint with expiry and revocation.
Run: python3 -m unittest discover -s tests/sim -p 'test_*.py'
"""

import calendar
import email.utils
import http.client
import json
import os
import ssl
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import modelarts_sim  # noqa: E402
import sim_iam  # noqa: E402
import sim_signer  # noqa: E402
import testlib  # noqa: E402

PROJECT = modelarts_sim.DEFAULT_PROJECT_ID
LIST = "/v1/%s/training-jobs" % PROJECT
AK, SK = "SIMTESTAK0000000001", "simtest-secret-key-0000000000000000000001"
AK2, SK2 = "SIMTESTAK0000000002", "another secret / with + odd = chars"
USER, PASSWORD, DOMAIN = "edge-agent", "pa ss:w0rd/é", "acme-corp"

SIG_FAIL = "Incorrect IAM authentication information: verify aksk signature fail"
RANGE_FAIL = ("Incorrect IAM authentication information: the X-Sdk-Date is out of the 15 "
              "minutes range")

_tmp = None
_certs = None


def setUpModule():
    global _tmp, _certs
    _tmp = testlib.TempDir("m2m-simauth-")
    _certs = testlib.make_certs(_tmp.path)


def tearDownModule():
    _tmp.cleanup()


def token_request(user=USER, password=PASSWORD, domain={"name": DOMAIN},
                  scope={"project": {"id": PROJECT}}):
    doc = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "password": password, "domain": domain}}}}}
    if scope is not None:
        doc["auth"]["scope"] = scope
    return doc


class AuthCase(unittest.TestCase):
    """One simulator for the module's tests, reset before every test."""

    @classmethod
    def setUpClass(cls):
        jobs = [{"job_id": i, "job_name": "job-%d" % i} for i in range(1, 6)]
        jobs.append({"job_id": 99, "job_name": "a b+c/d~e%f=g&h 日本"})
        cls.state = modelarts_sim.SimState(None, PROJECT, jobs, credentials={AK: SK, AK2: SK2},
                                           iam_user=USER, iam_password=PASSWORD,
                                           iam_domain=DOMAIN)
        cls.srv = modelarts_sim.start_server(cls.state, _certs["server_cert"],
                                             _certs["server_key"])
        cls.port = cls.srv.server_address[1]
        cls.host = "localhost:%d" % cls.port
        cls.ctx = ssl.create_default_context(cafile=_certs["ca"])

    @classmethod
    def tearDownClass(cls):
        modelarts_sim.stop_server(cls.srv)

    def setUp(self):
        self.state.reset()
        self.state.security_token = None

    def request(self, method, target, headers, body=None):
        c = http.client.HTTPSConnection("localhost", self.port, context=self.ctx, timeout=10)
        self.addCleanup(c.close)
        c.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for k, v in headers:
            c.putheader(k, v)
        if body is not None:
            c.putheader("Content-Length", str(len(body)))
        c.endheaders(body)
        r = c.getresponse()
        data = r.read()
        return r, json.loads(data) if data else None

    def signed(self, query=(), ak=AK, sk=SK, date=None, extra=(), signed_headers=None,
               path=LIST):
        hdrs = [("Host", self.host), ("Content-Type", "application/json")] + list(extra)
        return sim_signer.sign("GET", path, list(query), hdrs, b"", ak, sk,
                               date=date, signed_headers=signed_headers)

    def send(self, s, target=None, headers=None):
        return self.request("GET", target or s.target, headers or s.headers)

    def assert_apig(self, r, doc, status, code, msg):
        self.assertEqual(r.status, status, doc)
        self.assertEqual(set(doc), {"error_msg", "error_code", "request_id"})
        self.assertEqual(doc["error_code"], code)
        self.assertEqual(doc["error_msg"], msg)
        self.assertRegex(doc["request_id"], r"^[0-9a-f]{32}$")

    def last_auth(self):
        return [e for e in self.state.requests if e["kind"] == "api"][-1]["auth"]


class TestSignedListCall(AuthCase):
    def test_a_correctly_signed_request_lists_jobs(self):
        r, doc = self.send(self.signed([("per_page", "100")]))
        self.assertEqual(r.status, 200, doc)
        self.assertEqual(doc["job_total_count"], 6)
        self.assertEqual(self.state.stats_json()["aksk_verified"], 1)
        auth = self.last_auth()
        self.assertEqual((auth["mode"], auth["ak"], auth["result"]), ("aksk", AK, "ok"))
        self.assertEqual(auth["signed_headers"], ["content-type", "host", "x-sdk-date"])

    def test_each_configured_key_pair_works(self):
        for ak, sk in ((AK, SK), (AK2, SK2)):
            with self.subTest(ak=ak):
                r, doc = self.send(self.signed(ak=ak, sk=sk))
                self.assertEqual(r.status, 200, doc)

    def test_wrong_sk_is_a_signature_failure(self):
        r, doc = self.send(self.signed(sk=SK + "0"))
        self.assert_apig(r, doc, 401, "APIG.0301", SIG_FAIL)
        self.assertEqual(self.last_auth()["result"], "signature")
        self.assertEqual(self.state.stats_json()["auth_failures"], 1)

    def test_unknown_ak_says_the_ak_does_not_exist(self):
        r, doc = self.send(self.signed(ak="NOSUCHAK", sk=SK))
        self.assert_apig(r, doc, 401, "APIG.0301",
                         "Incorrect IAM authentication information: Get secretKey failed,"
                         "ak:NOSUCHAK,err:ak not exist")

    def test_a_key_pair_from_the_other_ak_is_refused(self):
        r, doc = self.send(self.signed(ak=AK, sk=SK2))
        self.assert_apig(r, doc, 401, "APIG.0301", SIG_FAIL)

    def test_tampered_query_is_refused(self):
        s = self.signed([("per_page", "10"), ("page", "1")])
        r, doc = self.send(s, target=s.target.replace("per_page=10", "per_page=11"))
        self.assert_apig(r, doc, 401, "APIG.0301", SIG_FAIL)

    def test_tampered_signed_header_value_is_refused(self):
        s = self.signed()
        headers = [(k, "text/plain" if k == "Content-Type" else v) for k, v in s.headers]
        r, doc = self.send(s, headers=headers)
        self.assert_apig(r, doc, 401, "APIG.0301", SIG_FAIL)

    def test_unsigned_extra_header_is_ignored(self):
        s = self.signed()
        r, doc = self.send(s, headers=s.headers + [("User-Agent", "changed/1.0")])
        self.assertEqual(r.status, 200, doc)

    def test_x_sdk_date_missing_from_signed_headers_is_refused(self):
        s = self.signed(signed_headers=["host", "content-type"])
        r, doc = self.send(s)
        self.assert_apig(r, doc, 401, "APIG.0301", SIG_FAIL)
        self.assertIn("x-sdk-date", self.last_auth()["reason"])

    def test_x_sdk_date_header_missing_or_malformed_is_refused(self):
        s = self.signed()
        r, doc = self.send(s, headers=[h for h in s.headers if h[0] != "X-Sdk-Date"])
        self.assert_apig(r, doc, 401, "APIG.0301", SIG_FAIL)
        s = self.signed(extra=[("X-Sdk-Date", "Fri, 15 Mar 2024 08:09:10 GMT")])
        r, doc = self.send(s)
        self.assert_apig(r, doc, 401, "APIG.0301", SIG_FAIL)
        self.assertEqual(self.last_auth()["result"], "date")

    def test_skew_of_16_minutes_is_out_of_range_and_14_is_fine(self):
        now = time.time()
        for minutes in (16, -16):
            with self.subTest(minutes=minutes):
                r, doc = self.send(self.signed(date=now + minutes * 60))
                self.assert_apig(r, doc, 401, "APIG.0301", RANGE_FAIL)
        for minutes in (14, -14):
            with self.subTest(minutes=minutes):
                r, doc = self.send(self.signed(date=now + minutes * 60))
                self.assertEqual(r.status, 200, doc)

    def test_clock_offset_option_shifts_the_gateway_clock(self):
        self.state.set_options({"clock_offset_s": -3600})
        r, doc = self.send(self.signed())
        self.assert_apig(r, doc, 401, "APIG.0301", RANGE_FAIL)
        self.assertEqual(self.last_auth()["result"], "date_range")
        r, doc = self.send(self.signed(date=time.time() - 3600))
        self.assertEqual(r.status, 200, doc)
        # The Date header the gateway sends shows the same wrong clock.
        shown = email.utils.parsedate_to_datetime(r.getheader("Date")).timestamp()
        self.assertLess(abs(shown - (time.time() - 3600)), 5)

    def test_query_with_reserved_and_non_ascii_characters_is_signed_and_verified(self):
        content = "a b+c/d~e%f=g&h 日本"
        s = self.signed([("search_content", content), ("per_page", "5")])
        self.assertIn("search_content=a%20b%2Bc%2Fd~e%25f%3Dg%26h%20%E6%97%A5%E6%9C%AC",
                      s.target)
        r, doc = self.send(s)
        self.assertEqual(r.status, 200, doc)
        self.assertEqual([j["job_id"] for j in doc["jobs"]], [99])

    def test_query_sent_in_another_order_with_lower_case_escapes_verifies(self):
        s = self.signed([("search_content", "a b~"), ("per_page", "5")])
        r, doc = self.send(s, target=LIST + "?search_content=a%20b%7e&per_page=5")
        self.assertEqual(r.status, 200, doc)

    def test_x_project_id_must_equal_the_project_in_the_path(self):
        r, doc = self.send(self.signed(extra=[("X-Project-Id", PROJECT)]))
        self.assertEqual(r.status, 200, doc)
        r, doc = self.send(self.signed(extra=[("X-Project-Id", "0" * 32)]))
        self.assertEqual((r.status, doc["error_code"], doc["is_success"]),
                         (403, "ModelArts.0210", False))
        self.assertIn("X-Project-Id", doc["error_message"])

    def test_security_token_must_be_sent_and_signed_when_configured(self):
        self.state.security_token = "sts-token-" + "q" * 300
        r, doc = self.send(self.signed())
        self.assert_apig(r, doc, 401, "APIG.0301", SIG_FAIL)
        r, doc = self.send(self.signed(extra=[("X-Security-Token", "other")]))
        self.assert_apig(r, doc, 401, "APIG.0301", SIG_FAIL)
        self.assertEqual(self.last_auth()["result"], "security_token")
        s = self.signed(extra=[("X-Security-Token", self.state.security_token)],
                        signed_headers=["host", "x-sdk-date"])
        r, doc = self.send(s)
        self.assert_apig(r, doc, 401, "APIG.0301", SIG_FAIL)
        r, doc = self.send(self.signed(extra=[("X-Security-Token", self.state.security_token)]))
        self.assertEqual(r.status, 200, doc)
        hdrs = dict(self.state.requests[-1]["headers"])
        self.assertEqual(hdrs["X-Security-Token"], "<redacted: 310 bytes>")

    def test_failed_signature_logs_the_servers_canonical_request(self):
        s = self.signed([("page", "1")])
        self.send(s, target=LIST + "?page=2")
        auth = self.last_auth()
        self.assertEqual(auth["canonical_request"],
                         s.canonical_request.replace("page=1", "page=2"))


class TestIam(AuthCase):
    def issue(self, doc=None, query=""):
        body = json.dumps(token_request() if doc is None else doc).encode("utf-8")
        return self.request("POST", "/v3/auth/tokens" + query,
                            [("Host", self.host),
                             ("Content-Type", "application/json;charset=utf8")], body)

    def list_with(self, token):
        return self.request("GET", LIST, [("Host", self.host), ("X-Auth-Token", token)])

    def test_password_token_is_issued_with_201_and_lists_jobs(self):
        t0 = time.time()
        r, doc = self.issue()
        self.assertEqual(r.status, 201, doc)
        token = r.getheader("X-Subject-Token")
        self.assertTrue(token.startswith("MII"))
        self.assertTrue(2000 <= len(token) <= 6000, len(token))
        self.assertRegex(token, r"^[A-Za-z0-9_=-]+$")
        t = doc["token"]
        self.assertEqual(t["methods"], ["password"])
        self.assertEqual(t["project"]["id"], PROJECT)
        self.assertEqual(t["project"]["domain"]["name"], DOMAIN)
        self.assertEqual(t["user"]["name"], USER)
        self.assertRegex(t["expires_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        self.assertRegex(t["issued_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
        expires = calendar.timegm(time.strptime(t["expires_at"][:19], "%Y-%m-%dT%H:%M:%S"))
        self.assertLess(abs(expires - (t0 + 86400)), 5)
        self.assertGreater(int(r.getheader("Content-Length")), 3000)
        self.assertTrue(all(isinstance(c["endpoints"], list) and c["endpoints"]
                            for c in t["catalog"]))
        ma = [c for c in t["catalog"] if c["type"] == "modelarts"][0]
        self.assertEqual(ma["endpoints"][0]["url"], "https://localhost:%d/v1/%s"
                         % (self.port, PROJECT))
        r, listing = self.list_with(token)
        self.assertEqual(r.status, 200, listing)
        self.assertEqual(listing["job_total_count"], 6)
        s = self.state.stats_json()
        self.assertEqual((s["iam_tokens_issued"], s["iam_requests"], s["requests"]), (1, 1, 1))

    def test_scope_by_project_name_and_user_by_domain_id(self):
        r, doc = self.issue(token_request(scope={"project": {"name": "cn-north-4",
                                                             "domain": {"name": DOMAIN}}}))
        self.assertEqual(r.status, 201, doc)
        dom_id = doc["token"]["user"]["domain"]["id"]
        self.assertRegex(dom_id, r"^[0-9a-f]{32}$")
        r, doc = self.issue(token_request(domain={"id": dom_id}))
        self.assertEqual(r.status, 201, doc)
        r, listing = self.list_with(r.getheader("X-Subject-Token"))
        self.assertEqual(r.status, 200, listing)

    def test_domain_scoped_token_is_refused_by_modelarts(self):
        r, doc = self.issue(token_request(scope={"domain": {"name": DOMAIN}}))
        self.assertEqual(r.status, 201, doc)
        self.assertNotIn("project", doc["token"])
        r, listing = self.list_with(r.getheader("X-Subject-Token"))
        self.assertEqual((r.status, listing["error_code"]), (403, "ModelArts.0210"))

    def test_nocatalog_drops_the_catalog(self):
        r, doc = self.issue(query="?nocatalog=true")
        self.assertEqual(r.status, 201)
        self.assertNotIn("catalog", doc["token"])

    def test_wrong_password_user_or_domain_is_401_in_iams_shape(self):
        want = {"error": {"code": 401, "message": "The username or password is wrong.",
                          "title": "Unauthorized"}}
        for doc in (token_request(password=PASSWORD + "x"), token_request(user="nobody"),
                    token_request(domain={"name": "other"}), token_request(domain={"id": "0"})):
            with self.subTest(doc=doc):
                r, got = self.issue(doc)
                self.assertEqual((r.status, got), (401, want))
                self.assertIsNone(r.getheader("X-Subject-Token"))
        self.assertEqual(self.state.stats_json()["iam_tokens_issued"], 0)

    def test_a_fault_aimed_at_iam_hits_the_token_request_only(self):
        self.state.add_faults([{"target": "iam", "status": 503, "count": 2},
                               {"status": 500}])
        r, doc = self.issue()
        self.assertEqual((r.status, doc["error"]["code"], doc["error"]["title"]),
                         (503, 503, "Service Unavailable"), doc)
        self.assertIsNone(r.getheader("X-Subject-Token"))
        # The next fault in the queue is IAM's too: a list call is not hit by it.
        r, listing = self.list_with("no-such-token")
        self.assertEqual(r.status, 401, listing)
        r, doc = self.issue()
        self.assertEqual(r.status, 503, doc)
        # IAM's faults used up: a token, then the list call meets the list fault.
        r, doc = self.issue()
        self.assertEqual(r.status, 201, doc)
        r, listing = self.list_with(r.getheader("X-Subject-Token"))
        self.assertEqual((r.status, listing["error_code"]), (500, "ModelArts.0010"))
        iam = [e["result"] for e in self.state.requests if e["kind"] == "iam"]
        self.assertEqual(iam, ["fault:status", "fault:status", 201])
        with self.assertRaises(ValueError):
            self.state.add_faults({"target": "obs"})

    def test_unknown_project_scope_is_401(self):
        r, doc = self.issue(token_request(scope={"project": {"id": "f" * 32}}))
        self.assertEqual((r.status, doc["error"]["code"]), (401, 401))

    def test_malformed_bodies_are_400(self):
        cases = [b"", b"not json", b"[]", b'{"auth": 1}',
                 json.dumps({"auth": {"identity": {"methods": ["token"]}}}).encode(),
                 json.dumps(token_request(domain={})).encode(),
                 json.dumps(token_request(scope={"project": {}})).encode()]
        for body in cases:
            with self.subTest(body=body):
                r, doc = self.request("POST", "/v3/auth/tokens",
                                      [("Host", self.host), ("Content-Type", "application/json")],
                                      body)
                self.assertEqual(r.status, 400, doc)
                self.assertEqual((doc["error"]["code"], doc["error"]["title"]),
                                 (400, "Bad Request"))

    def test_other_iam_paths_and_methods(self):
        r, doc = self.request("GET", "/v3/projects", [("Host", self.host)])
        self.assertEqual((r.status, doc["error"]["code"]), (404, 404))
        r, doc = self.request("GET", "/v3/auth/tokens", [("Host", self.host)])
        self.assertEqual(r.status, 405)

    def test_request_log_redacts_the_password_to_its_length(self):
        self.issue()
        log = self.state.requests
        self.assertEqual(log[-1]["kind"], "iam")
        user = log[-1]["body"]["auth"]["identity"]["password"]["user"]
        self.assertEqual(user["password"], "<redacted: %d bytes>" % len(PASSWORD.encode()))
        self.assertEqual(user["name"], USER)
        self.assertNotIn(PASSWORD, json.dumps(list(log), ensure_ascii=False))

    def test_short_lifetime_token_expires_with_apig_0301(self):
        self.state.set_options({"token_lifetime_s": 1})
        r, issued = self.issue()
        token = r.getheader("X-Subject-Token")
        self.assertEqual(self.list_with(token)[0].status, 200)
        time.sleep(1.2)
        r, doc = self.list_with(token)
        self.assert_apig(r, doc, 401, "APIG.0301",
                         "Incorrect IAM authentication information: token expires, "
                         "expires_at: " + issued["token"]["expires_at"])

    def test_expiry_follows_the_shifted_clock(self):
        r, doc = self.issue()
        token = r.getheader("X-Subject-Token")
        self.state.set_options({"clock_offset_s": 86400 + 1})
        r, doc = self.list_with(token)
        self.assertEqual(r.status, 401)
        self.assertIn("token expires", doc["error_msg"])

    def test_revoke_makes_every_issued_token_invalid_and_a_new_one_works(self):
        tokens = [self.issue()[0].getheader("X-Subject-Token") for _ in range(2)]
        self.assertNotEqual(tokens[0], tokens[1])
        c = http.client.HTTPSConnection("localhost", self.port, context=self.ctx, timeout=10)
        c.request("POST", "/_sim/revoke_tokens")
        self.assertEqual(json.loads(c.getresponse().read()), {"revoked": 2})
        c.close()
        for t in tokens:
            r, doc = self.list_with(t)
            self.assert_apig(r, doc, 401, "APIG.0307", "The token must be updated.")
        r, doc = self.list_with(self.issue()[0].getheader("X-Subject-Token"))
        self.assertEqual(r.status, 200, doc)

    def test_unknown_token_is_decrypt_token_fail(self):
        r, doc = self.list_with("MII" + "x" * 3000)
        self.assert_apig(r, doc, 401, "APIG.0301",
                         "Incorrect IAM authentication information: decrypt token fail")

    def test_token_length_option(self):
        self.state.set_options({"token_length": 5800})
        r, _ = self.issue()
        self.assertEqual(len(r.getheader("X-Subject-Token")), 5800)
        with self.assertRaises(ValueError):
            self.state.set_options({"token_length": "long"})


class TestCommandLine(unittest.TestCase):
    def test_aksk_iam_and_clock_options_through_testlib(self):
        procs = testlib.ProcessGroup()
        self.addCleanup(procs.stop_all)
        sim = testlib.Simulator(procs, _certs).start(
            ak=[(AK, SK), (AK2, SK2)], security_token="stok", iam_user=USER,
            iam_password=PASSWORD, iam_domain=DOMAIN, clock_offset=-120)
        self.assertEqual(sim.call("GET", "/_sim/options")["clock_offset_s"], -120)
        ctx = ssl.create_default_context(cafile=_certs["ca"])
        host = "localhost:%d" % sim.port

        def get(s):
            c = http.client.HTTPSConnection("localhost", sim.port, context=ctx, timeout=10)
            c.request("GET", s.target, headers=dict(s.headers))
            r = c.getresponse()
            r.read()
            c.close()
            return r.status

        hdrs = [("Host", host), ("X-Security-Token", "stok")]
        self.assertEqual(get(sim_signer.sign("GET", sim.list_path(), [], hdrs, b"", AK2, SK2,
                                             date=time.time() - 120)), 200)
        self.assertEqual(get(sim_signer.sign("GET", sim.list_path(), [], hdrs, b"", AK2, SK2,
                                             date=time.time() + 900)), 401)
        token, doc = sim.iam_token(USER, PASSWORD, DOMAIN)
        self.assertEqual(doc["token"]["project"]["id"], testlib.PROJECT_ID)
        self.assertEqual(sim.stats()["iam_tokens_issued"], 1)
        self.assertEqual(sim.revoke_tokens(), {"revoked": 1})
        self.assertTrue(sim.iam_endpoint.startswith("https://localhost:"))

    def test_ak_without_sk_exits_2(self):
        r = subprocess.run([sys.executable, testlib.SIM_SCRIPT, "--port", "0", "--cert",
                            _certs["server_cert"], "--key", _certs["server_key"], "--ak", "A"],
                           capture_output=True, timeout=20)
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"every --ak needs its --sk", r.stderr)


if __name__ == "__main__":
    unittest.main()

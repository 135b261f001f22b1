# SPDX-License-Identifier: Apache-2.0
"""Self-tests of AK/SK signatures over the v2 list call's POST: signatures
computed here with hashlib and hmac alone (not with sim_signer), over the
SHA-256 of the exact body bytes, with Content-Type signed or not; the
simulator accepts them and refuses a body or a signed header altered by one
byte. Run: python3 -m unittest discover -s tests/sim -p 'test_*.py'
"""

import hashlib
import hmac
import http.client
import json
import os
import ssl
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import modelarts_sim  # noqa: E402
import sim_signer  # noqa: E402
import testlib  # noqa: E402

PROJECT = modelarts_sim.DEFAULT_PROJECT_ID
SEARCH = "/v2/%s/training-job-searches" % PROJECT
AK, SK = "SIMV2AK000000000001", "simv2-secret-key/with+odd=chars 0001"
SDK_CTYPE = "application/json;charset=UTF-8"
SIG_FAIL = "Incorrect IAM authentication information: verify aksk signature fail"

_tmp = None
_certs = None


def setUpModule():
    global _tmp, _certs
    _tmp = testlib.TempDir("m2m-simv2auth-")
    _certs = testlib.make_certs(_tmp.path)


def tearDownModule():
    _tmp.cleanup()


def sdk_date(epoch_s=None):
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if epoch_s is None
                                                       else epoch_s))


def hand_sign(body, headers, signed, path=SEARCH, sk=SK, ak=AK):
    """(Authorization value, canonical request) of a POST of body to path,
    as reference/modelarts-v2-list.md section 5 lays it out: headers is a
    dict of the values sent, signed the lower-case names to sign (sorted
    here); the payload hash is the SHA-256 of the body bytes."""
    names = sorted(signed)
    lower = {k.lower(): v for k, v in headers.items()}
    canonical_headers = "".join("%s:%s\n" % (n, lower[n].strip()) for n in names)
    creq = "\n".join(["POST", path + "/", "", canonical_headers, ";".join(names),
                      hashlib.sha256(body).hexdigest()])
    sts = "SDK-HMAC-SHA256\n%s\n%s" % (lower["x-sdk-date"],
                                       hashlib.sha256(creq.encode("utf-8")).hexdigest())
    sig = hmac.new(sk.encode("utf-8"), sts.encode("utf-8"), hashlib.sha256).hexdigest()
    return ("SDK-HMAC-SHA256 Access=%s, SignedHeaders=%s, Signature=%s"
            % (ak, ";".join(names), sig)), creq


class TestPostSigningOffline(unittest.TestCase):
    """The verifier alone, at a fixed date."""

    DATE = "20250101T000000Z"
    NOW = 1735689600  # 2025-01-01T00:00:00Z
    HOST = "modelarts.example:443"

    def headers(self):
        return {"Content-Type": SDK_CTYPE, "Host": self.HOST, "X-Project-Id": PROJECT,
                "X-Sdk-Date": self.DATE}

    def verify(self, body, headers):
        return sim_signer.verify("POST", SEARCH, list(headers.items()), body, {AK: SK}.get,
                                 self.NOW)

    def test_the_body_hashes_of_the_reference(self):
        self.assertTrue(hashlib.sha256(b"").hexdigest().startswith("e3b0c442"))
        self.assertTrue(hashlib.sha256(b"").hexdigest().endswith("b855"))
        self.assertTrue(hashlib.sha256(b"{}").hexdigest().startswith("44136fa3"))
        self.assertTrue(hashlib.sha256(b"{}").hexdigest().endswith("aff8a"))

    def test_a_hand_signed_post_verifies_with_the_same_canonical_request(self):
        body = b'{"offset":0,"limit":50,"sort_by":"create_time","order":"asc"}'
        h = self.headers()
        auth, creq = hand_sign(body, h, ["content-type", "host", "x-project-id", "x-sdk-date"])
        h["Authorization"] = auth
        ak, signed, got = self.verify(body, h)
        self.assertEqual((ak, signed), (AK, ["content-type", "host", "x-project-id",
                                             "x-sdk-date"]))
        self.assertEqual(got, creq)
        self.assertTrue(creq.endswith("\n" + hashlib.sha256(body).hexdigest()))

    def test_one_byte_of_the_body_changed_is_a_signature_failure(self):
        body = b'{"offset":0,"limit":50}'
        h = self.headers()
        h["Authorization"] = hand_sign(body, h, ["content-type", "host", "x-sdk-date"])[0]
        self.verify(body, h)
        for i in range(len(body)):
            with self.subTest(byte=i):
                bad = bytearray(body)
                bad[i] ^= 0x01
                with self.assertRaises(sim_signer.AuthError) as cm:
                    self.verify(bytes(bad), h)
                self.assertEqual(cm.exception.kind, "signature")

    def test_sim_signer_signs_a_post_as_the_hand_does(self):
        body = b'{"filters":[{"key":"phase","operator":"in","value":["Running"]}]}\n'
        h = self.headers()
        auth, creq = hand_sign(body, h, ["content-type", "host", "x-project-id", "x-sdk-date"])
        s = sim_signer.sign("POST", SEARCH, [], list(h.items()), body, AK, SK)
        self.assertEqual((s.authorization, s.canonical_request), (auth, creq))


class TestSignedV2Call(unittest.TestCase):
    """Signed v2 calls over HTTPS."""

    @classmethod
    def setUpClass(cls):
        jobs = [{"job_id": i, "job_name": "job-%d" % i, "status": 8} for i in range(1, 4)]
        cls.state = modelarts_sim.SimState(None, PROJECT, jobs, credentials={AK: SK})
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

    def send(self, body, headers, path=SEARCH):
        c = http.client.HTTPSConnection("localhost", self.port, context=self.ctx, timeout=10)
        self.addCleanup(c.close)
        c.putrequest("POST", path, skip_host=True, skip_accept_encoding=True)
        for k, v in headers.items():
            c.putheader(k, v)
        c.putheader("Content-Length", str(len(body)))
        c.endheaders(body)
        r = c.getresponse()
        return r.status, json.loads(r.read())

    def headers(self, ctype=SDK_CTYPE, **extra):
        h = {"Host": self.host, "Content-Type": ctype, "X-Sdk-Date": sdk_date()}
        h.update(extra)
        return h

    def last_auth(self):
        return [e for e in self.state.requests if e["kind"] == "api"][-1]["auth"]

    def test_a_hand_signed_post_with_content_type_signed_is_accepted(self):
        body = json.dumps({"offset": 0, "limit": 50, "order": "asc"}).encode()
        h = self.headers(**{"X-Project-Id": PROJECT})
        signed = ["content-type", "host", "x-project-id", "x-sdk-date"]
        h["Authorization"], creq = hand_sign(body, h, signed)
        st, doc = self.send(body, h)
        self.assertEqual(st, 200, doc)
        self.assertEqual(len(doc["items"]), 3)
        auth = self.last_auth()
        self.assertEqual((auth["result"], auth["signed_headers"], auth["canonical_request"]),
                         ("ok", signed, creq))
        self.assertEqual(self.state.stats_json()["aksk_verified"], 1)

    def test_a_body_altered_by_one_byte_is_refused(self):
        body = b'{"offset":0,"limit":10}'
        h = self.headers()
        h["Authorization"] = hand_sign(body, h, ["content-type", "host", "x-sdk-date"])[0]
        self.assertEqual(self.send(body, h)[0], 200)
        altered = body.replace(b"10", b"11")
        self.assertEqual(len(altered), len(body))
        st, doc = self.send(altered, h)
        self.assertEqual((st, doc["error_code"], doc["error_msg"]), (401, "APIG.0301", SIG_FAIL))
        self.assertEqual(self.last_auth()["result"], "signature")
        self.assertEqual(self.state.stats_json()["auth_failures"], 1)

    def test_an_unsigned_content_type_may_change_a_signed_one_may_not(self):
        body = b"{}"
        h = self.headers()
        h["Authorization"] = hand_sign(body, h, ["host", "x-sdk-date"])[0]
        h["Content-Type"] = "application/json"
        self.assertEqual(self.send(body, h)[0], 200)
        self.assertEqual(self.last_auth()["signed_headers"], ["host", "x-sdk-date"])
        h = self.headers()
        h["Authorization"] = hand_sign(body, h, ["content-type", "host", "x-sdk-date"])[0]
        h["Content-Type"] = "application/json"
        st, doc = self.send(body, h)
        self.assertEqual((st, doc["error_msg"]), (401, SIG_FAIL))

    def test_only_x_sdk_date_signed_and_a_trailing_newline_in_the_body(self):
        # As the Go SDK: Content-Type and Host unsigned, the body's "\n" hashed.
        body = b'{"limit":2}\n'
        h = self.headers(ctype="application/json")
        h["Authorization"] = hand_sign(body, h, ["x-sdk-date"])[0]
        st, doc = self.send(body, h)
        self.assertEqual((st, len(doc["items"])), (200, 2))
        st, _ = self.send(body[:-1], h)
        self.assertEqual(st, 401)

    def test_a_signature_for_another_path_or_an_old_date_is_refused(self):
        body = b"{}"
        h = self.headers()
        h["Authorization"] = hand_sign(body, h, ["host", "x-sdk-date"],
                                       path="/v1/%s/training-jobs" % PROJECT)[0]
        self.assertEqual(self.send(body, h)[0], 401)
        h = self.headers()
        h["X-Sdk-Date"] = sdk_date(time.time() - 16 * 60)
        h["Authorization"] = hand_sign(body, h, ["host", "x-sdk-date"])[0]
        st, doc = self.send(body, h)
        self.assertEqual(st, 401)
        self.assertIn("15 minutes", doc["error_msg"])

    def test_a_signed_empty_body_passes_authentication_then_is_2787(self):
        h = self.headers()
        h["Authorization"] = hand_sign(b"", h, ["content-type", "host", "x-sdk-date"])[0]
        st, doc = self.send(b"", h)
        self.assertEqual((st, doc["error_code"]), (400, "ModelArts.2787"))
        self.assertEqual(self.last_auth()["result"], "ok")


if __name__ == "__main__":
    unittest.main()

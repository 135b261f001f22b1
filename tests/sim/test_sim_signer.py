# SPDX-License-Identifier: Apache-2.0
"""Unit tests of sim_signer: every vector of tests/vectors/apig-vectors.json
reproduced byte for byte by sign(), and accepted by verify() as a server
would receive it; the encoder and the verifier's refusals.
Run: python3 -m unittest discover -s tests/sim -p 'test_*.py'
"""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import sim_signer  # noqa: E402

VECTORS = os.path.join(os.path.dirname(HERE), "vectors", "apig-vectors.json")


def load_vectors():
    with open(VECTORS, "r", encoding="utf-8") as f:
        return json.load(f)


def vector_headers(v):
    """The headers the vector's client sends: its own, plus Host when the
    vector signs it."""
    hdrs = list(v["headers"].items())
    if "host" in v["signed_headers"]:
        hdrs.insert(0, ("Host", v["host"]))
    return hdrs


def sign_vector(v, **kw):
    return sim_signer.sign(v["method"], v["path"], [tuple(p) for p in v["query"]],
                           vector_headers(v), v["body"], v["ak"], v["sk"],
                           signed_headers=v["signed_headers"], **kw)


class TestVectors(unittest.TestCase):
    def test_there_are_nine_vectors(self):
        self.assertEqual(len(load_vectors()), 9)

    def test_sign_reproduces_every_vector_byte_for_byte(self):
        for v in load_vectors():
            with self.subTest(vector=v["id"]):
                s = sign_vector(v)
                self.assertEqual(s.canonical_request, v["canonical_request"])
                self.assertEqual(s.string_to_sign, v["string_to_sign"])
                self.assertEqual(s.signature, v["signature"])
                self.assertEqual(s.authorization, v["authorization"])
                if "upstream_expected_signature" in v:
                    self.assertEqual(s.signature, v["upstream_expected_signature"])
                if "request_target_sent_by_sdk" in v:
                    self.assertEqual(s.target, v["request_target_sent_by_sdk"])

    def test_default_signed_headers_are_those_of_the_python_sdk(self):
        # Every header sent but names holding '_': the Python SDK's choice,
        # so its vectors come out the same without naming signed_headers.
        python = [v for v in load_vectors() if "sdk-python-v3" in v["produced_by"]]
        self.assertEqual(len(python), 7)
        for v in python:
            with self.subTest(vector=v["id"]):
                s = sim_signer.sign(v["method"], v["path"], [tuple(p) for p in v["query"]],
                                    vector_headers(v), v["body"], v["ak"], v["sk"])
                self.assertEqual(s.authorization, v["authorization"])

    def test_verify_accepts_every_vector_as_received_and_rebuilds_its_canonical_request(self):
        for v in load_vectors():
            with self.subTest(vector=v["id"]):
                s = sign_vector(v)
                now = sim_signer.parse_date(v["x_sdk_date"])
                ak, signed, creq = sim_signer.verify(
                    v["method"], s.target, s.headers, v["body"].encode("utf-8"),
                    {v["ak"]: v["sk"]}.get, now)
                self.assertEqual((ak, signed), (v["ak"], v["signed_headers"]))
                self.assertEqual(creq, v["canonical_request"])

    def test_verify_rejects_every_vector_with_a_changed_secret(self):
        for v in load_vectors():
            with self.subTest(vector=v["id"]):
                s = sign_vector(v)
                now = sim_signer.parse_date(v["x_sdk_date"])
                with self.assertRaises(sim_signer.AuthError) as cm:
                    sim_signer.verify(v["method"], s.target, s.headers, v["body"].encode(),
                                      {v["ak"]: v["sk"] + "x"}.get, now)
                self.assertEqual(cm.exception.kind, "signature")
                self.assertEqual(cm.exception.canonical_request, v["canonical_request"])


class TestEncoding(unittest.TestCase):
    def test_rule_7_examples(self):
        table = [
            ("AZaz09-_.~", "AZaz09-_.~"), (" ", "%20"), ("+", "%2B"), ("/", "%2F"),
            ("%", "%25"), ("=", "%3D"), ("&", "%26"), ("*", "%2A"), ("é", "%C3%A9"),
            ("日", "%E6%97%A5"), ("\x7f", "%7F"), ("😀", "%F0%9F%98%80"), ("", ""),
        ]
        for raw, want in table:
            with self.subTest(raw=raw):
                self.assertEqual(sim_signer.encode(raw), want)

    def test_canonical_uri_adds_one_trailing_slash_and_encodes_segments(self):
        table = [("/v1/p/training-jobs", "/v1/p/training-jobs/"), ("/a/", "/a/"), ("/", "/"),
                 ("/a b/c~d", "/a%20b/c~d/"), ("/é", "/%C3%A9/")]
        for path, want in table:
            with self.subTest(path=path):
                self.assertEqual(sim_signer.canonical_uri(path), want)

    def test_canonical_query_sorts_by_key_then_value_and_keeps_empty_values(self):
        pairs = [("b", "2"), ("a", "z"), ("a", "y"), ("B", ""), ("c", "x y")]
        self.assertEqual(sim_signer.canonical_query(pairs), "B=&a=y&a=z&b=2&c=x%20y")
        self.assertEqual(sim_signer.canonical_query([]), "")

    def test_received_query_is_re_canonicalised_whatever_its_order_and_escapes(self):
        # What the Go SDK sends (bare key for an empty value, lower-case hex
        # is legal on the wire) is signed as the canonical form.
        got = sim_signer.decode_query("z=1&e&s=a%2bb%20c~&s=%7E")
        self.assertEqual(got, [("z", "1"), ("e", ""), ("s", "a+b c~"), ("s", "~")])
        self.assertEqual(sim_signer.canonical_query(got), "e=&s=a%2Bb%20c~&s=~&z=1")

    def test_date_format_round_trips_and_bad_dates_are_refused(self):
        self.assertEqual(sim_signer.format_date(1710490150), "20240315T080910Z")
        self.assertEqual(sim_signer.parse_date("20240315T080910Z"), 1710490150)
        for bad in ("2024-03-15T08:09:10Z", "20240315T080910", "20241315T080910Z",
                    "20240315T250910Z", "20240315t080910z", ""):
            with self.subTest(date=bad):
                with self.assertRaises(ValueError):
                    sim_signer.parse_date(bad)


class TestVerifyRefusals(unittest.TestCase):
    AK, SK = "AKEXAMPLE", "SKEXAMPLE"
    NOW = 1710490150

    def signed(self, **kw):
        hdrs = kw.pop("headers", [("Host", "localhost:1"), ("X-Sdk-Date", "20240315T080910Z")])
        return sim_signer.sign("GET", "/v1/p/training-jobs", [("page", "1")], hdrs, b"",
                               self.AK, self.SK, **kw)

    def refusal(self, target, headers, now=None, must_sign=()):
        with self.assertRaises(sim_signer.AuthError) as cm:
            sim_signer.verify("GET", target, headers, b"", {self.AK: self.SK}.get,
                              self.NOW if now is None else now, must_sign=must_sign)
        return cm.exception

    def replace(self, headers, name, value):
        return [(n, value if n.lower() == name else v) for n, v in headers]

    def test_the_untouched_request_verifies(self):
        s = self.signed()
        ak, signed, _ = sim_signer.verify("GET", s.target, s.headers, b"", {self.AK: self.SK}.get,
                                          self.NOW)
        self.assertEqual((ak, signed), (self.AK, ["host", "x-sdk-date"]))

    def test_malformed_authorization_values(self):
        s = self.signed()
        good = s.authorization
        cases = [
            good.replace("SDK-HMAC-SHA256 ", "SDK-HMAC-SHA256  "),
            good.replace(", SignedHeaders", ",SignedHeaders"),
            good.replace("Access=", "Credential="),
            good.replace("host;x-sdk-date", "Host;X-Sdk-Date"),
            good.replace("host;x-sdk-date", "x-sdk-date;host"),
            good.replace("host;x-sdk-date", "host;host;x-sdk-date"),
            good.replace("host;x-sdk-date", "host;;x-sdk-date"),
            good[:-1],
            good[:-64] + good[-64:].upper(),
            "SDK-HMAC-SHA256",
        ]
        for auth in cases:
            with self.subTest(authorization=auth):
                e = self.refusal(s.target, self.replace(s.headers, "authorization", auth))
                self.assertEqual(e.kind, "malformed")

    def test_x_sdk_date_must_be_signed_sent_once_and_a_date(self):
        s = self.signed(signed_headers=["host"])
        self.assertIn("lacks x-sdk-date", self.refusal(s.target, s.headers).reason)
        s = self.signed()
        e = self.refusal(s.target, [h for h in s.headers if h[0] != "X-Sdk-Date"])
        self.assertEqual(e.kind, "malformed")
        e = self.refusal(s.target, s.headers + [("X-Sdk-Date", "20240315T080910Z")])
        self.assertEqual(e.kind, "malformed")
        s = self.signed(headers=[("Host", "h"), ("X-Sdk-Date", "2024-03-15")])
        self.assertEqual(self.refusal(s.target, s.headers).kind, "date")

    def test_clock_skew_over_15_minutes_is_refused_either_way(self):
        s = self.signed()
        for skew, ok in ((0, True), (900, True), (-900, True), (901, False), (-901, False)):
            with self.subTest(skew=skew):
                if ok:
                    sim_signer.verify("GET", s.target, s.headers, b"", {self.AK: self.SK}.get,
                                      self.NOW + skew)
                else:
                    self.assertEqual(self.refusal(s.target, s.headers, self.NOW + skew).kind,
                                     "date_range")

    def test_unknown_ak(self):
        s = sim_signer.sign("GET", "/x", [], [("X-Sdk-Date", "20240315T080910Z")], b"", "OTHER",
                            self.SK)
        e = self.refusal(s.target, s.headers)
        self.assertEqual((e.kind, e.ak), ("unknown_ak", "OTHER"))

    def test_tampering_with_any_signed_part_breaks_the_signature(self):
        s = self.signed()
        cases = {
            "query value": (s.target.replace("page=1", "page=2"), s.headers),
            "query added": (s.target + "&per_page=5", s.headers),
            "path": (s.target.replace("/p/", "/q/"), s.headers),
            "host": (s.target, self.replace(s.headers, "host", "localhost:2")),
        }
        for what, (target, headers) in cases.items():
            with self.subTest(tampered=what):
                self.assertEqual(self.refusal(target, headers).kind, "signature")

    def test_unsigned_headers_and_surrounding_blanks_do_not_matter(self):
        s = self.signed()
        headers = self.replace(s.headers, "host", "  localhost:1 ") + [("X-Other", "x")]
        sim_signer.verify("GET", s.target, headers, b"", {self.AK: self.SK}.get, self.NOW)

    def test_must_sign_names_are_required_in_signed_headers(self):
        s = self.signed()
        e = self.refusal(s.target, s.headers, must_sign=("x-security-token",))
        self.assertIn("lacks x-security-token", e.reason)


if __name__ == "__main__":
    unittest.main()

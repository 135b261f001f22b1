# SPDX-License-Identifier: Apache-2.0
"""Self-tests of the ModelArts simulator: the list call as the API page
describes it, the response shapes and faults it can produce, and its
control API. Run: python3 -m unittest discover -s tests/sim -p 'test_*.py'
"""

import http.client
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import modelarts_sim  # noqa: E402
import sim_jobs  # noqa: E402
import testlib  # noqa: E402

TOKEN = "sim-test-token"
PROJECT = modelarts_sim.DEFAULT_PROJECT_ID
LIST = "/v1/%s/training-jobs" % PROJECT

_tmp = None
_certs = None


def setUpModule():
    global _tmp, _certs
    _tmp = testlib.TempDir("m2m-simtest-")
    _certs = testlib.make_certs(_tmp.path)


def tearDownModule():
    _tmp.cleanup()


def jobs_25():
    return [
        {"job_id": i, "job_name": "job-%02d" % (25 - i), "status": i % 13, "duration": i * 1000,
         "job_desc": "desc %d" % (i % 5), "version_count": 1 + i % 4,
         "create_time": 1524189990635 + i, "version_id": 100 + i}
        for i in range(1, 26)
    ]


class SimCase(unittest.TestCase):
    """One simulator per test class, reset before every test."""

    @classmethod
    def make_state(cls):
        return modelarts_sim.SimState(TOKEN, PROJECT, jobs_25())

    @classmethod
    def setUpClass(cls):
        cls.state = cls.make_state()
        cls.srv = modelarts_sim.start_server(cls.state, _certs["server_cert"],
                                             _certs["server_key"])
        cls.port = cls.srv.server_address[1]
        cls.ctx = ssl.create_default_context(cafile=_certs["ca"])

    @classmethod
    def tearDownClass(cls):
        modelarts_sim.stop_server(cls.srv)

    def setUp(self):
        self.state.reset()

    def conn(self):
        c = http.client.HTTPSConnection("localhost", self.port, context=self.ctx, timeout=10)
        self.addCleanup(c.close)
        return c

    def get(self, query="", token=TOKEN, path=LIST, conn=None):
        c = conn or self.conn()
        headers = {} if token is None else {"X-Auth-Token": token}
        c.request("GET", path + ("?" + query if query else ""), headers=headers)
        r = c.getresponse()
        body = r.read()
        return r, body

    def get_json(self, query="", **kw):
        r, body = self.get(query, **kw)
        return r.status, json.loads(body)

    def control(self, method, path, body=None):
        c = self.conn()
        c.request(method, path, body=None if body is None else json.dumps(body))
        r = c.getresponse()
        return r.status, json.loads(r.read())

    def raw(self, data, read_timeout=2.0):
        """Send raw bytes over TLS; return everything read until the server
        closes or read_timeout passes, and whether it closed."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        t = self.ctx.wrap_socket(s, server_hostname="localhost")
        t.settimeout(read_timeout)
        self.addCleanup(t.close)
        t.sendall(data)
        out = b""
        closed = False
        try:
            while True:
                b = t.recv(65536)
                if not b:
                    closed = True
                    break
                out += b
        except (socket.timeout, TimeoutError):
            pass
        except (ssl.SSLError, ConnectionError):
            closed = True
        return out, closed


class TestListCall(SimCase):
    def test_pages_of_ten_cover_25_jobs_and_report_the_total(self):
        seen = []
        for page, expect in ((1, 10), (2, 10), (3, 5), (4, 0)):
            st, doc = self.get_json("per_page=10&page=%d" % page)
            self.assertEqual(st, 200)
            self.assertIs(doc["is_success"], True)
            self.assertEqual(doc["job_total_count"], 25)
            self.assertEqual(len(doc["jobs"]), expect)
            seen += [j["job_id"] for j in doc["jobs"]]
        self.assertEqual(sorted(seen), list(range(1, 26)))

    def test_defaults_are_ten_per_page_first_page_by_job_name_ascending(self):
        st, doc = self.get_json("")
        self.assertEqual(len(doc["jobs"]), 10)
        names = [j["job_name"] for j in doc["jobs"]]
        self.assertEqual(names, sorted(names))
        self.assertEqual(names[0], "job-00")

    def test_each_job_has_the_eight_api_fields_with_their_types_and_nothing_internal(self):
        st, doc = self.get_json("per_page=25")
        self.assertEqual(set(doc), {"is_success", "quotas", "job_total_count", "job_count_limit",
                                    "jobs"})
        for j in doc["jobs"]:
            self.assertEqual(list(j), list(sim_jobs.JOB_FIELDS))
            for k in ("job_id", "version_id", "status", "create_time", "duration",
                      "version_count"):
                self.assertIsInstance(j[k], int)
            self.assertIsInstance(j["job_name"], str)
            self.assertIsInstance(j["job_desc"], str)

    def test_every_sort_key_in_both_orders_sorts_with_job_id_as_tie_break(self):
        for key in sim_jobs.SORT_KEYS:
            for order in ("asc", "desc"):
                with self.subTest(sortBy=key, order=order):
                    st, doc = self.get_json("per_page=1000&sortBy=%s&order=%s" % (key, order))
                    self.assertEqual(st, 200)
                    got = [(j[key], j["job_id"]) for j in doc["jobs"]]
                    self.assertEqual(got, sorted(got, reverse=(order == "desc")))

    def test_invalid_parameters_get_400_with_a_modelarts_error_body(self):
        cases = [
            "per_page=0", "per_page=1001", "per_page=-1", "per_page=ten", "per_page=",
            "page=0", "page=65536", "page=1.5", "sortBy=name", "sortBy=JOB_NAME",
            "order=up", "order=ASC", "search_content=" + "a" * 65, "status=x", "status=-1",
        ]
        for q in cases:
            with self.subTest(query=q):
                st, doc = self.get_json(q)
                self.assertEqual(st, 400)
                self.assertEqual(doc["is_success"], False)
                self.assertEqual(doc["error_code"], "ModelArts.0101")
                self.assertIsInstance(doc["error_message"], str)

    def test_boundary_values_are_accepted(self):
        for q in ("per_page=1", "per_page=1000", "page=65535", "search_content=",
                  "search_content=" + "a" * 64, "order=desc&sortBy=create_time"):
            with self.subTest(query=q):
                st, _ = self.get_json(q)
                self.assertEqual(st, 200)

    def test_search_content_is_a_case_insensitive_substring_of_job_name(self):
        st, doc = self.get_json("per_page=100&search_content=JOB-0")
        self.assertEqual(sorted(j["job_name"] for j in doc["jobs"]),
                         ["job-%02d" % i for i in range(0, 10)])
        self.assertEqual(doc["job_total_count"], 10)

    def test_percent_decoding_keeps_plus_and_decodes_utf8(self):
        self.state.store.add({"job_id": 100, "job_name": "a+b c/日本"})
        self.state.store.add({"job_id": 101, "job_name": "a b"})
        st, doc = self.get_json("search_content=a%2Bb%20c%2F%E6%97%A5%E6%9C%AC")
        self.assertEqual([j["job_id"] for j in doc["jobs"]], [100])
        st, doc = self.get_json("search_content=a+b")
        self.assertEqual([j["job_id"] for j in doc["jobs"]], [100])
        st, doc = self.get_json("search_content=a%20b")
        self.assertEqual([j["job_id"] for j in doc["jobs"]], [101])

    def test_bad_escapes_raw_characters_unknown_and_repeated_parameters_are_refused(self):
        for q in ("search_content=%G1", "search_content=%4", "search_content=%FF",
                  'search_content="x"', "search_content=a|b", "color=red",
                  "per_page=1&per_page=2"):
            with self.subTest(query=q):
                st, doc = self.get_json(q)
                self.assertEqual(st, 400)
                self.assertEqual(doc["error_code"], "ModelArts.0101")

    def test_non_strict_query_ignores_unknown_and_takes_the_first_of_repeats(self):
        self.state.set_options({"strict_query": False})
        st, doc = self.get_json("color=red&per_page=2&per_page=5")
        self.assertEqual(st, 200)
        self.assertEqual(len(doc["jobs"]), 2)

    def test_status_and_workspace_filters(self):
        self.state.store.add({"job_id": 200, "job_name": "ws", "workspace_id": "ws-1",
                              "status": 8})
        st, doc = self.get_json("per_page=100&status=8")
        self.assertEqual(sorted(j["job_id"] for j in doc["jobs"]), [8, 21])
        st, doc = self.get_json("workspace_id=ws-1")
        self.assertEqual([j["job_id"] for j in doc["jobs"]], [200])
        self.assertEqual(doc["job_total_count"], 1)
        st, doc = self.get_json("workspace_id=nope")
        self.assertEqual(st, 400)
        self.assertEqual(doc["error_code"], "ModelArts.0102")

    def test_64_bit_job_id_is_sent_exactly(self):
        self.state.store.replace([{"job_id": sim_jobs.INT64_MAX, "version_id": sim_jobs.INT64_MAX,
                                   "create_time": sim_jobs.INT64_MAX, "duration": 0}])
        r, body = self.get("")
        self.assertIn(b'"job_id":9223372036854775807', body)
        self.assertEqual(json.loads(body)["jobs"][0]["job_id"], 2 ** 63 - 1)


class TestAuthAndRouting(SimCase):
    def test_missing_token_is_401_apig_0301_x_auth_token_not_found(self):
        st, doc = self.get_json("", token=None)
        self.assertEqual(st, 401)
        self.assertEqual(doc["error_code"], "APIG.0301")
        self.assertIn("x-auth-token not found", doc["error_msg"])
        self.assertRegex(doc["request_id"], r"^[0-9a-f]{32}$")

    def test_wrong_token_is_401_apig_0301(self):
        st, doc = self.get_json("", token="wrong")
        self.assertEqual((st, doc["error_code"]), (401, "APIG.0301"))
        self.assertIn("Incorrect IAM authentication information", doc["error_msg"])

    def test_wrong_project_is_403_modelarts_0210(self):
        st, doc = self.get_json("", path="/v1/other/training-jobs")
        self.assertEqual((st, doc["error_code"], doc["is_success"]),
                         (403, "ModelArts.0210", False))

    def test_unknown_path_and_method_are_404_apig_0101(self):
        st, doc = self.get_json("", path="/v2/%s/training-jobs" % PROJECT)
        self.assertEqual((st, doc["error_code"]), (404, "APIG.0101"))
        c = self.conn()
        c.request("POST", LIST, body=b"{}", headers={"X-Auth-Token": TOKEN})
        r = c.getresponse()
        self.assertEqual(r.status, 404)
        r.read()

    def test_request_without_host_header_is_400(self):
        out, _ = self.raw(("GET %s HTTP/1.1\r\nX-Auth-Token: %s\r\nConnection: close\r\n\r\n"
                           % (LIST, TOKEN)).encode())
        self.assertTrue(out.startswith(b"HTTP/1.1 400 "), out[:100])


class TestConnections(SimCase):
    def test_keep_alive_serves_three_pages_on_one_connection(self):
        c = self.conn()
        for p in (1, 2, 3):
            r, _ = self.get("page=%d" % p, conn=c)
            self.assertEqual(r.status, 200)
            self.assertEqual(r.getheader("Connection"), "keep-alive")
        s = self.state.stats_json()
        self.assertEqual((s["connections"], s["requests"]), (1, 3))
        self.assertEqual({r["connection"] for r in self.state.requests}, {1})

    def test_connection_close_option_says_so_and_closes(self):
        self.state.set_options({"connection_close": True})
        out, closed = self.raw(("GET %s HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: %s\r\n\r\n"
                                % (LIST, TOKEN)).encode())
        self.assertIn(b"\r\nConnection: close\r\n", out)
        self.assertTrue(closed)

    def test_silent_close_closes_without_saying_so(self):
        self.state.set_options({"silent_close_every": 1})
        out, closed = self.raw(("GET %s HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: %s\r\n\r\n"
                                % (LIST, TOKEN)).encode())
        self.assertIn(b"\r\nConnection: keep-alive\r\n", out)
        self.assertTrue(closed)
        self.assertEqual(self.state.stats_json()["silent_closes"], 1)

    def test_keep_alive_connection_stays_open(self):
        out, closed = self.raw(("GET %s HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: %s\r\n\r\n"
                                % (LIST, TOKEN)).encode(), read_timeout=0.5)
        self.assertTrue(out.startswith(b"HTTP/1.1 200 OK\r\n"))
        self.assertFalse(closed)

    def test_tls_handshake_failure_is_counted(self):
        bad = ssl.create_default_context(cafile=_certs["other_ca"])
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        with self.assertRaises(ssl.SSLError):
            bad.wrap_socket(s, server_hostname="localhost")
        s.close()
        deadline = time.monotonic() + 3
        while self.state.stats_json()["tls_failures"] < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.state.stats_json()["tls_failures"], 1)

    def test_requests_log_redacts_the_token_to_its_length(self):
        self.get("per_page=3&search_content=a%20b")
        st, log = self.control("GET", "/_sim/requests")
        self.assertEqual(len(log), 1)
        self.assertEqual(log[0]["query"], "per_page=3&search_content=a%20b")
        hdr = {k.lower(): v for k, v in log[0]["headers"]}
        self.assertEqual(hdr["x-auth-token"], "<redacted: %d bytes>" % len(TOKEN))
        self.assertNotIn(TOKEN, json.dumps(log))


class TestTlsSessions(SimCase):
    """Session resumption as a TLS 1.2 client (mbedTLS 2.28) does it."""

    def list_call(self, session=None):
        """One list call on a new TLS 1.2 connection offering session;
        returns (the connection's session, whether the server resumed)."""
        if session is None or not hasattr(self, "client_ctx"):
            self.client_ctx = ssl.create_default_context(cafile=_certs["ca"])
            self.client_ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        t = self.client_ctx.wrap_socket(s, server_hostname="localhost", session=session)
        self.addCleanup(t.close)
        t.sendall(("GET %s HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: %s\r\n"
                   "Connection: close\r\n\r\n" % (LIST, TOKEN)).encode())
        out = b""
        while True:
            try:
                b = t.recv(65536)
            except (ssl.SSLError, ConnectionError):
                break
            if not b:
                break
            out += b
        self.assertTrue(out.startswith(b"HTTP/1.1 200 OK\r\n"), out[:200])
        return t.session, t.session_reused

    def handshakes(self):
        st = self.state.stats_json()
        return (st["api_handshakes_full"], st["api_handshakes_resumed"],
                st["tls_handshakes_full"], st["tls_handshakes_resumed"])

    def three_calls(self):
        session, first = self.list_call()
        reused = [first]
        for _ in range(2):
            session, r = self.list_call(session)
            reused.append(r)
        return reused

    def test_a_session_ticket_resumes_and_is_counted(self):
        self.assertEqual(self.three_calls(), [False, True, True])
        self.assertEqual(self.handshakes(), (1, 2, 1, 2))
        log = [r["tls_resumed"] for r in self.state.requests]
        self.assertEqual(log, [False, True, True])

    def test_without_tickets_the_session_id_resumes(self):
        self.state.set_options({"tls_tickets": False})
        self.assertEqual(self.three_calls(), [False, True, True])
        self.assertEqual(self.handshakes()[:2], (1, 2))

    def test_resumption_off_means_a_full_handshake_every_time(self):
        self.state.set_options({"tls_resumption": False})
        self.assertEqual(self.three_calls(), [False, False, False])
        self.assertEqual(self.handshakes(), (3, 0, 3, 0))

    def test_tls_forget_makes_earlier_sessions_unknown(self):
        session, _ = self.list_call()
        status, _ = self.control("POST", "/_sim/tls_forget")
        self.assertEqual(status, 200)
        session, reused = self.list_call(session)
        self.assertFalse(reused)
        _, reused = self.list_call(session)
        self.assertTrue(reused)

    def test_idle_keep_alive_connection_is_closed_after_idle_timeout(self):
        self.state.set_options({"idle_timeout_ms": 200})
        start = time.monotonic()
        request = "GET %s HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: %s\r\n\r\n" % (LIST, TOKEN)
        out, closed = self.raw(request.encode(), read_timeout=3.0)
        self.assertTrue(out.startswith(b"HTTP/1.1 200 OK\r\n"))
        self.assertTrue(closed)
        self.assertLess(time.monotonic() - start, 2.5)

    def test_idle_timeout_is_checked(self):
        status, _ = self.control("PUT", "/_sim/options", {"idle_timeout_ms": 0})
        self.assertEqual(status, 400)


class TestResponseShapes(SimCase):
    def plain_jobs(self):
        self.state.set_options({"chunked": False, "pretty": False, "shuffle_keys": False,
                                "extra_fields": False})
        return json.loads(self.get("per_page=25")[1])["jobs"]

    def test_every_shape_option_carries_the_same_jobs(self):
        want = self.plain_jobs()
        variants = [
            {"chunked": True},
            {"chunked": True, "chunk_min": 1, "chunk_max": 3, "chunk_extensions": True},
            {"chunked": True, "trailers": True},
            {"pretty": True},
            {"pretty": True, "pretty_indent": "\t", "pretty_newline": "\r\n"},
            {"shuffle_keys": True, "seed": 3},
            {"extra_fields": True},
            {"ascii_escape": True},
            {"write_max": 7},
            {"header_case": "random"},
            {"chunked": True, "chunk_extensions": True, "trailers": True, "pretty": True,
             "shuffle_keys": True, "extra_fields": True, "ascii_escape": True},
        ]
        for v in variants:
            with self.subTest(options=v):
                self.state.reset()
                self.state.set_options(v)
                r, body = self.get("per_page=25")
                self.assertEqual(r.status, 200)
                got = [{k: j[k] for k in sim_jobs.JOB_FIELDS} for j in json.loads(body)["jobs"]]
                self.assertEqual(got, want)

    def test_chunked_framing_has_extensions_and_trailers_on_the_wire(self):
        self.state.set_options({"chunked": True, "chunk_extensions": True, "trailers": True,
                                "chunk_max": 40, "seed": 7})
        out, _ = self.raw(("GET %s?per_page=25 HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: %s"
                           "\r\nConnection: close\r\n\r\n" % (LIST, TOKEN)).encode())
        head, _, rest = out.partition(b"\r\n\r\n")
        self.assertIn(b"Transfer-Encoding: chunked", head)
        self.assertNotIn(b"Content-Length", head)
        self.assertRegex(rest, rb"\r\n[0-9a-fA-F]+;[a-z]")
        self.assertTrue(rest.endswith(b"X-Sim-Trailer: done\r\nX-Sim-Checksum: 0\r\n\r\n"))

    def test_shuffled_keys_change_the_order(self):
        self.state.set_options({"shuffle_keys": True, "seed": 11})
        body = self.get("per_page=25")[1]
        doc = json.loads(body)
        self.assertTrue(any(list(j) != list(sim_jobs.JOB_FIELDS) for j in doc["jobs"]))

    def test_extra_fields_add_unknown_nested_values(self):
        self.state.set_options({"extra_fields": True})
        doc = json.loads(self.get("per_page=2")[1])
        self.assertIn("x_trace", doc)
        self.assertIn("engine", doc["jobs"][0])

    def test_ascii_escape_sends_only_ascii_with_surrogate_pairs(self):
        self.state.store.add({"job_id": 300, "job_name": "aa-ü日本😀"})
        self.state.set_options({"ascii_escape": True})
        body = self.get("search_content=aa-")[1]
        body.decode("ascii")
        self.assertIn(b"\\ud83d\\ude00", body)
        self.assertEqual(json.loads(body)["jobs"][0]["job_name"], "aa-ü日本😀")

    def test_omitted_fields_are_left_out(self):
        self.state.store.replace([{"job_id": 1, "_omit": ["duration", "job_desc"]}])
        j = json.loads(self.get("")[1])["jobs"][0]
        self.assertNotIn("duration", j)
        self.assertNotIn("job_desc", j)
        self.assertIn("status", j)

    def test_delay_slows_every_reply(self):
        self.state.set_options({"delay_ms": 300})
        t = time.monotonic()
        self.get("")
        self.assertGreaterEqual(time.monotonic() - t, 0.3)


class TestFaults(SimCase):
    def test_status_fault_hits_the_next_n_requests_after_skip(self):
        self.state.add_faults({"status": 503, "count": 2, "skip": 1})
        got = [self.get("")[0].status for _ in range(4)]
        self.assertEqual(got, [200, 503, 503, 200])

    def test_page_fault_only_hits_that_page(self):
        self.state.add_faults({"status": 500, "page": 2, "count": 2})
        got = [self.get("per_page=5&page=%d" % p)[0].status for p in (1, 2, 3, 1, 2, 2)]
        self.assertEqual(got, [200, 500, 200, 200, 500, 200])

    def test_default_error_bodies_follow_the_reference(self):
        table = [
            (500, "ModelArts.0010", "error_message"),
            (503, "ModelArts.4700", "error_message"),
            (429, "APIG.0308", "error_msg"),
            (401, "APIG.0301", "error_msg"),
            (502, "APIG.0202", "error_msg"),
        ]
        for status, code, msg_key in table:
            with self.subTest(status=status):
                self.state.add_faults({"status": status})
                r, body = self.get("")
                doc = json.loads(body)
                self.assertEqual((r.status, doc["error_code"]), (status, code))
                self.assertIn(msg_key, doc)
                if status == 429:
                    self.assertEqual(r.getheader("Retry-After"), "1")

    def test_status_fault_with_given_body_and_headers(self):
        self.state.add_faults({"status": 200, "body": {"is_success": False,
                                                       "error_code": "ModelArts.0105",
                                                       "error_message": "Error string"}})
        r, body = self.get("")
        self.assertEqual(r.status, 200)
        self.assertEqual(json.loads(body)["is_success"], False)
        self.state.add_faults({"status": 302, "headers": {"Location": "https://x.invalid/"}})
        r, body = self.get("")
        self.assertEqual((r.status, r.getheader("Location")), (302, "https://x.invalid/"))

    def test_truncate_declares_more_than_it_sends_then_closes(self):
        for chunked in (False, True):
            with self.subTest(chunked=chunked):
                self.state.reset()
                self.state.set_options({"chunked": chunked})
                self.state.add_faults({"kind": "truncate"})
                out, closed = self.raw(("GET %s HTTP/1.1\r\nHost: localhost\r\n"
                                        "X-Auth-Token: %s\r\n\r\n" % (LIST, TOKEN)).encode())
                self.assertTrue(closed)
                head, _, body = out.partition(b"\r\n\r\n")
                if chunked:
                    self.assertFalse(body.endswith(b"0\r\n\r\n"))
                else:
                    n = int(re.search(rb"Content-Length: (\d+)", head).group(1))
                    self.assertLess(len(body), n)

    def test_garbage_is_not_http_and_closes(self):
        self.state.add_faults({"kind": "garbage"})
        out, closed = self.raw(("GET %s HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: %s\r\n\r\n"
                                % (LIST, TOKEN)).encode())
        self.assertFalse(out.startswith(b"HTTP/"))
        self.assertGreater(len(out), 100)
        self.assertTrue(closed)

    def test_malformed_is_well_framed_invalid_json(self):
        self.state.add_faults({"kind": "malformed"})
        r, body = self.get("")
        self.assertEqual(r.status, 200)
        with self.assertRaises(ValueError):
            json.loads(body)

    def test_close_fault_closes_without_a_response(self):
        self.state.add_faults({"kind": "close"})
        out, closed = self.raw(("GET %s HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: %s\r\n\r\n"
                                % (LIST, TOKEN)).encode())
        self.assertEqual((out, closed), (b"", True))

    def test_stall_sends_a_head_then_nothing(self):
        self.state.add_faults({"kind": "stall", "ms": 1500})
        out, closed = self.raw(("GET %s HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: %s\r\n\r\n"
                                % (LIST, TOKEN)).encode(), read_timeout=0.7)
        self.assertTrue(out.startswith(b"HTTP/1.1 200 OK"))
        self.assertFalse(closed)

    def test_unknown_fault_kind_is_refused(self):
        st, doc = self.control("POST", "/_sim/faults", {"kind": "explode"})
        self.assertEqual(st, 400)


class TestControlApi(SimCase):
    def test_put_post_patch_delete_jobs(self):
        st, _ = self.control("PUT", "/_sim/jobs", [{"job_id": 1}, {"job_id": 2}])
        self.assertEqual(st, 200)
        st, _ = self.control("POST", "/_sim/jobs", {"job_id": 3, "job_name": "three"})
        self.assertEqual(st, 200)
        st, j = self.control("PATCH", "/_sim/jobs/2", {"status": 10})
        self.assertEqual((st, j["status"]), (200, 10))
        st, _ = self.control("DELETE", "/_sim/jobs/1")
        self.assertEqual(st, 200)
        st, doc = self.get_json("per_page=10")
        self.assertEqual(sorted((j["job_id"], j["status"]) for j in doc["jobs"]),
                         [(2, 10), (3, 7)])

    def test_control_errors(self):
        self.assertEqual(self.control("DELETE", "/_sim/jobs/999")[0], 404)
        self.assertEqual(self.control("PATCH", "/_sim/jobs/999", {"status": 1})[0], 404)
        self.assertEqual(self.control("POST", "/_sim/jobs", {"job_id": 1})[0], 400)
        self.assertEqual(self.control("PUT", "/_sim/jobs", [{"job_id": 5}, {"job_id": 5}])[0],
                         400)
        self.assertEqual(self.control("PUT", "/_sim/options", {"chunky": True})[0], 400)
        self.assertEqual(self.control("GET", "/_sim/nothing")[0], 404)

    def test_options_round_trip_and_reset_restores_the_start(self):
        st, o = self.control("PUT", "/_sim/options", {"pretty": True, "faults": [{"status": 500}]})
        self.assertEqual((o["pretty"], len(o["faults"])), (True, 1))
        self.control("DELETE", "/_sim/jobs/1")
        self.control("POST", "/_sim/reset")
        st, o = self.control("GET", "/_sim/options")
        self.assertEqual((o["pretty"], o["faults"]), (False, []))
        self.assertEqual(self.state.store.count(), 25)
        self.assertEqual(self.state.stats_json()["requests"], 0)

    def test_control_requests_are_not_counted_as_api_traffic(self):
        self.control("GET", "/_sim/stats")
        s = self.state.stats_json()
        self.assertEqual((s["requests"], s["connections"]), (0, 0))
        self.assertGreaterEqual(s["control_requests"], 1)

    def test_generate_100000_jobs_quickly_and_page_through_them(self):
        t = time.monotonic()
        st, doc = self.control("POST", "/_sim/generate", {"count": 100000, "seed": 5})
        self.assertEqual(doc["generated"], 100000)
        self.assertLess(time.monotonic() - t, 5.0)
        c = self.conn()
        ids = set()
        t = time.monotonic()
        for page in range(1, 101):
            r, body = self.get("per_page=1000&page=%d&sortBy=create_time" % page, conn=c)
            d = json.loads(body)
            self.assertEqual(d["job_total_count"], 100000)
            ids.update(j["job_id"] for j in d["jobs"])
        self.assertEqual(len(ids), 100000)
        self.assertLess(time.monotonic() - t, 60.0)
        statuses = {j["status"] for j in self.state.store.all()}
        self.assertGreater(len(statuses), 15)


class TestDemoTimeline(unittest.TestCase):
    def status_at(self, t):
        return {j["job_id"]: j["status"] for j in sim_jobs.demo_jobs(t, 1700000000000)}

    def test_timeline(self):
        s0 = self.status_at(0)
        self.assertEqual(len(s0), 7)
        self.assertNotIn(1007, s0)
        self.assertEqual((s0[1001], s0[1003]), (7, 7))
        s = self.status_at(36)
        self.assertEqual((s[1001], s[1002], s[1007]), (8, 11, 7))
        self.assertEqual(self.status_at(46)[1004], 12)
        self.assertIn(1006, self.status_at(59.9))
        self.assertNotIn(1006, self.status_at(60))
        s = self.status_at(85)
        self.assertEqual((s[1001], s[1003], s[1007]), (10, 10, 10))

    def test_loops_every_90_seconds_with_durations_growing_while_running(self):
        self.assertEqual(self.status_at(5), self.status_at(95))
        d = {j["job_id"]: j["duration"] for j in sim_jobs.demo_jobs(20, 0)}
        d2 = {j["job_id"]: j["duration"] for j in sim_jobs.demo_jobs(30, 0)}
        self.assertEqual(d2[1001] - d[1001], 10000)
        self.assertEqual(d2[1005], d[1005])


class TestCommandLine(unittest.TestCase):
    def test_prints_port_first_and_serves_until_sigterm(self):
        procs = testlib.ProcessGroup()
        self.addCleanup(procs.stop_all)
        sim = testlib.Simulator(procs, _certs, token=TOKEN, project_id=PROJECT)
        sim.start(jobs=[{"job_id": 9223372036854775807, "job_name": "max"}], generate=0)
        self.assertGreater(sim.port, 0)
        self.assertEqual(sim.stats()["jobs"], 1)
        self.assertEqual(procs.stop(sim.proc), 0)

    def test_demo_mode_lists_the_demo_jobs(self):
        procs = testlib.ProcessGroup()
        self.addCleanup(procs.stop_all)
        sim = testlib.Simulator(procs, _certs, token=TOKEN, project_id=PROJECT).start(demo=True)
        jobs = sim.call("GET", "/_sim/jobs")
        self.assertEqual(len(jobs), 7)

    def test_bad_options_exit_2(self):
        r = subprocess.run([sys.executable, testlib.SIM_SCRIPT, "--port", "0", "--cert",
                            _certs["server_cert"], "--key", _certs["server_key"], "--token",
                            "t", "--options", '{"nope": 1}'], capture_output=True, timeout=20)
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"unknown options: nope", r.stderr)


class TestSeveralProjects(SimCase):
    """One simulator, three projects: each with its own jobs, token, faults
    and control paths."""

    @classmethod
    def make_state(cls):
        state = super().make_state()
        state.add_project("proj-b", "token-b")
        state.add_project("proj-c", TOKEN)  # as --extra-project without :TOKEN
        return state

    def setUp(self):
        self.state.reset_all()

    call = SimCase.control

    def list_jobs(self, project, token, query="per_page=100"):
        c = self.conn()
        c.request("GET", "/v1/%s/training-jobs?%s" % (project, query),
                  headers={"X-Auth-Token": token})
        r = c.getresponse()
        return r.status, json.loads(r.read())

    def test_each_project_lists_its_own_jobs_with_its_own_token(self):
        self.assertEqual(self.call("PUT", "/_sim/projects/proj-b/jobs",
                                   [{"job_id": 7, "status": 8}])[0], 200)
        st, doc = self.list_jobs(PROJECT, TOKEN)
        self.assertEqual((st, len(doc["jobs"])), (200, 25))
        st, doc = self.list_jobs("proj-b", "token-b")
        self.assertEqual((st, [j["job_id"] for j in doc["jobs"]]), (200, [7]))
        st, doc = self.list_jobs("proj-c", TOKEN)  # no token of its own: --token's
        self.assertEqual((st, doc["jobs"]), (200, []))
        self.assertEqual(self.call("GET", "/_sim/projects")[1], [PROJECT, "proj-b", "proj-c"])

    def test_a_token_is_scoped_to_its_project(self):
        self.assertEqual(self.list_jobs("proj-b", TOKEN)[0], 403)
        self.assertEqual(self.list_jobs(PROJECT, "token-b")[0], 403)
        self.assertEqual(self.list_jobs("proj-x", TOKEN)[0], 403)

    def test_a_fault_hits_its_project_only(self):
        self.call("POST", "/_sim/projects/proj-b/faults", {"status": 500, "count": 1})
        self.assertEqual(self.list_jobs(PROJECT, TOKEN)[0], 200)
        self.assertEqual(self.list_jobs("proj-b", "token-b")[0], 500)
        self.assertEqual(self.list_jobs("proj-b", "token-b")[0], 200)

    def test_reset_resets_every_project_and_unknown_projects_are_404(self):
        self.call("POST", "/_sim/projects/proj-b/jobs", {"job_id": 1})
        self.call("POST", "/_sim/reset")
        self.assertEqual(self.list_jobs("proj-b", "token-b")[1]["jobs"], [])
        self.assertEqual(self.call("GET", "/_sim/projects/nope/jobs")[0], 404)

    def test_the_iam_endpoint_scopes_a_token_to_any_served_project(self):
        self.state.iam_user, self.state.iam_password, self.state.iam_domain = "u", "pw", "d"
        self.addCleanup(setattr, self.state, "iam_user", None)
        doc = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": "u", "password": "pw", "domain": {"name": "d"}}}},
            "scope": {"project": {"id": "proj-b"}}}}
        c = self.conn()
        c.request("POST", "/v3/auth/tokens", body=json.dumps(doc).encode(),
                  headers={"Content-Type": "application/json"})
        r = c.getresponse()
        r.read()
        self.assertEqual(r.status, 201)
        token = r.getheader("X-Subject-Token")
        self.assertEqual(self.list_jobs("proj-b", token)[0], 200)
        self.assertEqual(self.list_jobs(PROJECT, token)[0], 403)


if __name__ == "__main__":
    unittest.main()

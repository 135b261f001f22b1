# SPDX-License-Identifier: Apache-2.0
"""Self-tests of the simulator's v2 list call, POST /v2/{project_id}/
training-job-searches: paging with both meanings of offset, filters, sort
order, errors, the items and their padding, the control API's phase changes,
faults, response options and several projects.
Run: python3 -m unittest discover -s tests/sim -p 'test_*.py'
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
import sim_v2_items  # noqa: E402
import testlib  # noqa: E402

TOKEN = "sim-v2-token"
PROJECT = modelarts_sim.DEFAULT_PROJECT_ID
SEARCH = "/v2/%s/training-job-searches" % PROJECT
BASE_MS = 1700000000000
UUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

# The v1-status-to-v2-phase table of docs/simulator.md, written out here on
# its own so that a change of the simulator's table shows.
EXPECTED_PHASE = {
    0: "Unknown", 1: "Creating", 2: "Creating", 3: "Abnormal", 4: "Creating", 5: "Abnormal",
    6: "Abnormal", 7: "Pending", 8: "Running", 9: "Terminating", 10: "Completed", 11: "Failed",
    12: "Terminated", 13: "Terminated", 14: "Abnormal", 15: "Running", 16: "Failed",
    17: "Failed", 18: "Pending", 19: "Running", 20: "Completed", 21: "Failed", 22: "Failed",
    23: "Unknown", 99: "Unknown",
}

_tmp = None
_certs = None


def setUpModule():
    global _tmp, _certs
    _tmp = testlib.TempDir("m2m-simv2-")
    _certs = testlib.make_certs(_tmp.path)


def tearDownModule():
    _tmp.cleanup()


def jobs_25():
    """Jobs 1..25, created one second apart (job 25 newest), status i % 23."""
    return [{"job_id": i, "job_name": "train-%02d" % i, "status": i % 23,
             "create_time": BASE_MS + i * 1000, "duration": i * 60000,
             "job_desc": "Train job %d" % i} for i in range(1, 26)]


def ids(doc):
    """The job ids of a v2 answer's items (from names "train-NN")."""
    return [int(i["metadata"]["name"].split("-")[1]) for i in doc["items"]]


def compact(obj):
    return len(json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


class V2Case(unittest.TestCase):
    """One simulator (the main project and proj-b) per test class, reset
    before every test."""

    @classmethod
    def setUpClass(cls):
        cls.state = modelarts_sim.SimState(TOKEN, PROJECT, jobs_25())
        cls.state.add_project("proj-b", "token-b")
        cls.srv = modelarts_sim.start_server(cls.state, _certs["server_cert"],
                                             _certs["server_key"])
        cls.port = cls.srv.server_address[1]
        cls.ctx = ssl.create_default_context(cafile=_certs["ca"])

    @classmethod
    def tearDownClass(cls):
        modelarts_sim.stop_server(cls.srv)

    def setUp(self):
        self.state.reset_all()

    def conn(self):
        c = http.client.HTTPSConnection("localhost", self.port, context=self.ctx, timeout=20)
        self.addCleanup(c.close)
        return c

    def post(self, body, token=TOKEN, path=SEARCH, headers=None, method="POST", conn=None):
        """(status, JSON answer or None, response headers) of a v2 call.
        body: a JSON value, or bytes sent as they are."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        hdrs = {"Content-Type": "application/json;charset=UTF-8"}
        if token is not None:
            hdrs["X-Auth-Token"] = token
        hdrs.update(headers or {})
        hdrs = {k: v for k, v in hdrs.items() if v is not None}
        c = conn or self.conn()
        c.request(method, path, body=data, headers=hdrs)
        r = c.getresponse()
        raw = r.read()
        try:
            doc = json.loads(raw) if raw else None
        except ValueError:
            doc = raw
        return r.status, doc, r

    def search(self, **fields):
        st, doc, _ = self.post(fields)
        self.assertEqual(st, 200, doc)
        return doc

    def control(self, method, path, body=None):
        c = self.conn()
        c.request(method, path, body=None if body is None else json.dumps(body))
        r = c.getresponse()
        return r.status, json.loads(r.read())

    def options(self, **opts):
        st, doc = self.control("PUT", "/_sim/options", opts)
        self.assertEqual(st, 200, doc)

    def assert_error(self, st, doc, status, code):
        self.assertEqual(st, status, doc)
        self.assertEqual(set(doc), {"error_code", "error_msg"})
        self.assertEqual(doc["error_code"], code)
        self.assertIsInstance(doc["error_msg"], str)
        self.assertTrue(doc["error_msg"])

    def walk(self, limit, filters=None, order=None):
        """Pages in page mode until one is shorter than limit: (metadata
        ids, docs)."""
        seen, docs = [], []
        for page in range(100):
            body = {"offset": page, "limit": limit}
            if filters is not None:
                body["filters"] = filters
            if order is not None:
                body["order"] = order
            doc = self.search(**body)
            docs.append(doc)
            seen += [i["metadata"]["id"] for i in doc["items"]]
            if len(doc["items"]) < limit:
                return seen, docs
        self.fail("the walk did not end")


class TestV2Paging(V2Case):
    def test_page_offsets_walk_25_jobs_newest_first_and_end_at_a_short_page(self):
        got = []
        for offset, n in ((0, 10), (1, 10), (2, 5), (3, 0)):
            doc = self.search(offset=offset, limit=10)
            self.assertEqual(len(doc["items"]), n)
            self.assertEqual((doc["total"], doc["count"], doc["offset"], doc["limit"]),
                             (25, 25, offset, 10))
            got += ids(doc)
        self.assertEqual(got, list(range(25, 0, -1)))

    def test_item_offsets_with_the_v2_offset_option(self):
        self.options(v2_offset="item")
        got = []
        for offset, n in ((0, 10), (10, 10), (20, 5), (25, 0)):
            doc = self.search(offset=offset, limit=10)
            self.assertEqual(len(doc["items"]), n)
            got += ids(doc)
        self.assertEqual(got, list(range(25, 0, -1)))
        self.assertEqual(ids(self.search(offset=3, limit=2)), [22, 21])

    def test_the_probe_of_the_reference_tells_the_two_meanings_apart(self):
        # {offset:1, limit:2} against {offset:0, limit:4}: items 3-4 mean
        # pages, items 2-3 mean item offsets.
        for mode, want in (("page", slice(2, 4)), ("item", slice(1, 3))):
            with self.subTest(v2_offset=mode):
                self.options(v2_offset=mode)
                four = ids(self.search(offset=0, limit=4))
                self.assertEqual(ids(self.search(offset=1, limit=2)), four[want])

    def test_an_ignored_offset_repeats_the_first_page(self):
        self.options(v2_offset="ignore")
        first = ids(self.search(offset=0, limit=5))
        self.assertEqual(ids(self.search(offset=1, limit=5)), first)
        self.assertEqual(ids(self.search(offset=7, limit=5)), first)

    def test_order_desc_by_default_asc_on_request_and_ties_broken_by_job_id(self):
        self.assertEqual(ids(self.search(limit=50)), list(range(25, 0, -1)))
        self.assertEqual(ids(self.search(limit=50, order="asc")), list(range(1, 26)))
        self.assertEqual(ids(self.search(limit=50, order="desc", sort_by="create_time")),
                         list(range(25, 0, -1)))
        tie = [{"job_id": i, "job_name": "train-%02d" % i, "create_time": BASE_MS}
               for i in (3, 1, 2)]
        self.assertEqual(self.control("PUT", "/_sim/jobs", tie)[0], 200)
        self.assertEqual(ids(self.search(limit=50, order="asc")), [1, 2, 3])
        self.assertEqual(ids(self.search(limit=50)), [3, 2, 1])

    def test_top_level_fields_echo_the_request(self):
        doc = self.search(offset=1, limit=3, order="asc", sort_by="create_time", group_by="",
                          workspace_id="0")
        self.assertEqual(list(doc), ["total", "count", "limit", "offset", "sort_by", "order",
                                     "group_by", "workspace_id", "ai_project", "items"])
        self.assertEqual({k: v for k, v in doc.items() if k != "items"},
                         {"total": 25, "count": 25, "limit": 3, "offset": 1,
                          "sort_by": "create_time", "order": "asc", "group_by": "",
                          "workspace_id": "0", "ai_project": "default-ai-project"})

    def test_an_empty_object_takes_the_defaults(self):
        doc = self.search()
        self.assertEqual((doc["offset"], doc["limit"], doc["order"], doc["sort_by"]),
                         (0, 10, "desc", "create_time"))
        self.assertEqual(ids(doc), list(range(25, 15, -1)))

    def test_count_and_total_options(self):
        self.assertEqual(self.search(offset=2, limit=10)["count"], 25)
        self.options(v2_count="page", v2_total=5059)
        doc = self.search(offset=2, limit=10)
        self.assertEqual((doc["count"], doc["total"]), (5, 5059))

    def test_a_filtered_walk_ends_at_a_short_page_while_total_ignores_the_filter(self):
        st, doc = self.control("POST", "/_sim/generate", {"count": 260, "seed": 4})
        self.assertEqual(st, 200)
        active = ["Creating", "Pending", "Running", "Terminating"]
        want = {j["job_id"] for j in self.state.store.all()
                if EXPECTED_PHASE.get(j["status"], "Unknown") in active}
        self.assertGreater(len(want), 50)
        self.assertNotEqual(len(want) % 50, 0)
        seen, docs = self.walk(50, [{"key": "phase", "operator": "in", "value": active}])
        self.assertEqual(len(seen), len(want))
        self.assertEqual(len(docs), len(want) // 50 + 1)
        self.assertEqual({d["total"] for d in docs}, {260})
        self.assertEqual({d["count"] for d in docs}, {len(want)})
        names = {j["job_name"]: j["job_id"] for j in self.state.store.all()}
        got = {names[i["metadata"]["name"]] for d in docs for i in d["items"]}
        self.assertEqual(got, want)

    def test_a_walk_of_exactly_full_pages_ends_at_an_empty_page(self):
        self.control("POST", "/_sim/generate", {"count": 100})
        seen, docs = self.walk(50)
        self.assertEqual([len(d["items"]) for d in docs], [50, 50, 0])
        self.assertEqual(len(set(seen)), 100)

    def test_workspace_id_selects_a_workspace_and_an_unknown_one_is_400(self):
        self.control("POST", "/_sim/jobs", {"job_id": 90, "job_name": "train-90",
                                            "workspace_id": "a" * 32})
        doc = self.search(workspace_id="a" * 32, limit=50)
        self.assertEqual((ids(doc), doc["total"], doc["workspace_id"]), ([90], 1, "a" * 32))
        self.assertEqual(self.search(limit=50)["total"], 25)
        st, doc, _ = self.post({"workspace_id": "b" * 32})
        self.assert_error(st, doc, 400, "ModelArts.0102")


class TestV2Filters(V2Case):
    def names(self, *filters, **fields):
        return ids(self.search(limit=50, filters=list(filters), **fields))

    def expected(self, phases):
        return [i for i in range(25, 0, -1) if EXPECTED_PHASE[i % 23] in phases]

    def test_phase_in_and_not(self):
        self.assertEqual(self.names({"key": "phase", "operator": "in", "value": ["Running"]}),
                         [19, 15, 8])
        self.assertEqual(self.names({"key": "phase", "operator": "in",
                                     "value": ["Failed", "Abnormal"]}),
                         self.expected(("Failed", "Abnormal")))
        others = [p for p in sim_v2_items.PHASES if p not in ("Completed", "Terminated")]
        self.assertEqual(self.names({"key": "phase", "operator": "not",
                                     "value": ["Completed", "Terminated"]}),
                         self.expected(others + ["Unknown"]))

    def test_name_like_is_a_case_insensitive_substring(self):
        self.assertEqual(self.names({"key": "name", "operator": "like", "value": ["AIN-1"]}),
                         list(range(19, 9, -1)))
        self.assertEqual(self.names({"key": "name", "operator": "in", "value": ["train-07"]}),
                         [7])

    def test_filters_combine_with_and(self):
        self.assertEqual(self.names({"key": "name", "operator": "like", "value": ["train-1"]},
                                    {"key": "phase", "operator": "in", "value": ["Running"]}),
                         [19, 15])

    def test_create_time_between_is_inclusive(self):
        lo, hi = str(BASE_MS + 3000), str(BASE_MS + 6000)
        self.assertEqual(self.names({"key": "create_time", "operator": "between",
                                     "value": [lo, hi]}), [6, 5, 4, 3])

    def test_kind_user_name_and_algorithm_name(self):
        self.control("PATCH", "/_sim/jobs/4", {"v2": {"kind": "edge_job", "user_name": "ops"}})
        self.assertEqual(self.names({"key": "kind", "operator": "in", "value": ["edge_job"]}),
                         [4])
        self.assertEqual(len(self.names({"key": "kind", "operator": "in", "value": ["job"]})),
                         24)
        self.assertEqual(self.names({"key": "user_name", "operator": "in", "value": ["ops"]}),
                         [4])
        items = self.search(limit=50)["items"]
        algo = items[0]["algorithm"]["name"]
        want = [ids({"items": [i]})[0] for i in items if i["algorithm"]["name"] == algo]
        self.assertEqual(self.names({"key": "algorithm_name", "operator": "like",
                                     "value": [algo.upper()]}), want)

    def test_unknown_key_operator_and_value_are_2807_2808_2809(self):
        cases = [
            ({"key": "colour", "operator": "in", "value": ["red"]}, "ModelArts.2807"),
            ({"key": "phase", "operator": "eq", "value": ["Running"]}, "ModelArts.2808"),
            ({"key": "phase", "operator": "like", "value": ["Run"]}, "ModelArts.2808"),
            ({"key": "name", "operator": "between", "value": ["a", "b"]}, "ModelArts.2808"),
            ({"key": "phase", "operator": "in", "value": ["Sleeping"]}, "ModelArts.2809"),
            ({"key": "phase", "operator": "in", "value": ["running"]}, "ModelArts.2809"),
            ({"key": "phase", "operator": "in", "value": []}, "ModelArts.2809"),
            ({"key": "kind", "operator": "in", "value": ["cron_job"]}, "ModelArts.2809"),
            ({"key": "create_time", "operator": "between", "value": ["1"]}, "ModelArts.2809"),
            ({"key": "create_time", "operator": "between", "value": ["9", "1"]},
             "ModelArts.2809"),
            ({"key": "create_time", "operator": "between", "value": ["a", "b"]},
             "ModelArts.2809"),
        ]
        for f, code in cases:
            with self.subTest(filter=f):
                st, doc, _ = self.post({"filters": [f]})
                self.assert_error(st, doc, 400, code)

    def test_malformed_filters_are_2788(self):
        cases = [
            {"filters": {"key": "phase"}},
            {"filters": ["phase"]},
            {"filters": [{"key": "phase", "operator": "in", "value": "Running"}]},
            {"filters": [{"key": "phase", "operator": "in", "value": [1]}]},
            {"filters": [{"operator": "in", "value": ["Running"]}]},
            {"filters": [{"key": "phase", "value": ["Running"]}]},
            {"filters": [{"key": "phase", "operator": "in", "value": ["Running"], "x": 1}]},
        ]
        for body in cases:
            with self.subTest(body=body):
                st, doc, _ = self.post(body)
                self.assert_error(st, doc, 400, "ModelArts.2788")


class TestV2Errors(V2Case):
    def test_a_body_that_is_not_json_is_2787(self):
        for body in (b"", b"{", b"nope", b'{"limit": NaN}', b'{"limit": Infinity}',
                     b'\xff\xfe{}', b"{}{}"):
            with self.subTest(body=body):
                st, doc, _ = self.post(body)
                self.assert_error(st, doc, 400, "ModelArts.2787")

    def test_invalid_parameters_are_2788(self):
        cases = [{"limit": 0}, {"limit": 51}, {"limit": -1}, {"limit": "10"}, {"limit": 1.5},
                 {"limit": True}, {"limit": None}, {"offset": -1}, {"offset": "0"},
                 {"offset": 1.0}, {"offset": False}, {"offset": 2 ** 31}, {"order": "up"},
                 {"order": "ASC"}, {"order": 1}, {"sort_by": 5}, {"group_by": 1},
                 {"workspace_id": 0}, [], "x", 3]
        for body in cases:
            with self.subTest(body=body):
                st, doc, _ = self.post(body)
                self.assert_error(st, doc, 400, "ModelArts.2788")

    def test_a_sort_key_other_than_create_time_is_2790(self):
        for key in ("name", "job_name", "Create_time", ""):
            with self.subTest(sort_by=key):
                st, doc, _ = self.post({"sort_by": key})
                self.assert_error(st, doc, 400, "ModelArts.2790")

    def test_boundaries_and_the_sdk_extras_are_accepted(self):
        for body in ({"limit": 1}, {"limit": 50}, {"offset": 2 ** 31 - 1, "limit": 50},
                     {"train_type": "job", "unified_jobs": True, "tags": [], "host_ips": "",
                      "workspace_id": "0", "group_by": ""}):
            with self.subTest(body=body):
                self.assertEqual(self.post(body)[0], 200)
        self.assertEqual(self.search(offset=2 ** 31 - 1, limit=50)["items"], [])

    def test_strict_refuses_unknown_fields_a_query_string_and_other_content_types(self):
        cases = [
            ({"sortBy": "create_time"}, SEARCH, {}, "ModelArts.2788"),
            ({}, SEARCH + "?limit=1", {}, "ModelArts.2764"),
            ({}, SEARCH, {"Content-Type": "text/plain"}, "ModelArts.2787"),
            ({}, SEARCH, {"Content-Type": None}, "ModelArts.2787"),
        ]
        for body, path, headers, code in cases:
            with self.subTest(path=path, body=body, headers=headers):
                st, doc, _ = self.post(body, path=path, headers=headers)
                self.assert_error(st, doc, 400, code)
        self.assertEqual(self.post({}, headers={"Content-Type": "application/json"})[0], 200)
        self.options(strict_query=False)
        for body, path, headers, _ in cases:
            with self.subTest(strict=False, path=path, body=body, headers=headers):
                self.assertEqual(self.post(body, path=path, headers=headers)[0], 200)

    def test_authentication_and_routing_errors(self):
        st, doc, _ = self.post({}, token=None)
        self.assertEqual((st, doc["error_code"]), (401, "APIG.0301"))
        self.assertIn("x-auth-token not found", doc["error_msg"])
        st, doc, _ = self.post({}, token="wrong")
        self.assertEqual((st, doc["error_code"]), (401, "APIG.0301"))
        for method in ("GET", "PUT", "DELETE"):
            with self.subTest(method=method):
                st, doc, _ = self.post({}, method=method)
                self.assertEqual((st, doc["error_code"]), (404, "APIG.0101"))
        st, doc, _ = self.post({}, path=SEARCH + "/")
        self.assertEqual((st, doc["error_code"]), (404, "APIG.0101"))

    def test_a_project_that_is_not_the_tokens_is_404_2786(self):
        for path, token in ((SEARCH, "token-b"), ("/v2/proj-b/training-job-searches", TOKEN),
                            ("/v2/proj-x/training-job-searches", TOKEN)):
            with self.subTest(path=path, token=token):
                st, doc, _ = self.post({}, token=token, path=path)
                self.assert_error(st, doc, 404, "ModelArts.2786")

    def test_x_project_id_not_the_paths_is_403_0210(self):
        st, doc, _ = self.post({}, headers={"X-Project-Id": "proj-b"})
        self.assert_error(st, doc, 403, "ModelArts.0210")
        self.assertEqual(self.post({}, headers={"X-Project-Id": PROJECT})[0], 200)

    def test_a_request_without_host_is_400(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        t = self.ctx.wrap_socket(s, server_hostname="localhost")
        self.addCleanup(t.close)
        t.sendall(("POST %s HTTP/1.1\r\nX-Auth-Token: %s\r\nContent-Type: application/json\r\n"
                   "Content-Length: 2\r\nConnection: close\r\n\r\n{}" % (SEARCH, TOKEN)).encode())
        out = b""
        while True:
            b = t.recv(65536)
            if not b:
                break
            out += b
        self.assertTrue(out.startswith(b"HTTP/1.1 400 "), out[:100])
        self.assertIn(b"APIG.0201", out)


class TestV2Items(V2Case):
    def test_every_item_has_the_documented_shape_and_types(self):
        for item in self.search(limit=50)["items"]:
            with self.subTest(name=item["metadata"]["name"]):
                self.assertEqual(item["kind"], "job")
                md = item["metadata"]
                for k, t in (("id", str), ("name", str), ("description", str),
                             ("create_time", int), ("workspace_id", str), ("user_name", str),
                             ("annotations", dict)):
                    self.assertIsInstance(md[k], t, k)
                self.assertRegex(md["id"], UUID_RE)
                self.assertTrue(all(isinstance(k, str) and isinstance(v, str)
                                    for k, v in md["annotations"].items()))
                s = item["status"]
                self.assertIn(s["phase"], sim_v2_items.PHASES + ("Unknown",))
                for k, t in (("secondary_phase", str), ("duration", int), ("start_time", int),
                             ("node_count_metrics", list), ("tasks", list),
                             ("task_statuses", list), ("running_records", list)):
                    self.assertIsInstance(s[k], t, k)
                for pair in s["node_count_metrics"]:
                    self.assertEqual([type(x) for x in pair], [int, int])
                self.assertTrue(all(re.fullmatch(r"worker-\d+", t) for t in s["tasks"]))
                for ts in s["task_statuses"]:
                    self.assertEqual(set(ts), {"task", "exit_code", "message"})
                    self.assertIsInstance(ts["exit_code"], int)
                for rec in s["running_records"]:
                    self.assertIsInstance(rec["start_at"], int)
                    self.assertIsInstance(rec["end_at"], int)
                a = item["algorithm"]
                for k in ("id", "name", "code_dir", "boot_file", "command", "parameters",
                          "inputs", "outputs", "engine"):
                    self.assertIn(k, a)
                self.assertEqual(set(a["engine"]),
                                 {"engine_id", "engine_name", "engine_version", "image_url"})
                self.assertNotEqual(a["id"], md["id"])
                r = item["spec"]["resource"]
                self.assertIsInstance(r["node_count"], int)
                self.assertEqual(len(s["tasks"]), r["node_count"])
                for k in ("flavor_id", "flavor_name", "pool_id"):
                    self.assertIsInstance(r[k], str)
                info = r["flavor_detail"]["flavor_info"]
                self.assertIn("cpu", info)
                if "gpu" in info:
                    self.assertIsInstance(info["gpu"]["unit_num"], int)
                if "npu" in info:
                    self.assertIsInstance(info["npu"]["unit_num"], str)
                if s["phase"] in ("Running", "Terminating"):
                    self.assertEqual(len(item["endpoints"]["ssh"]["task_urls"]),
                                     r["node_count"])
                else:
                    self.assertNotIn("endpoints", item)

    def test_items_are_2_to_6_kb_and_vary(self):
        self.control("POST", "/_sim/generate", {"count": 300, "seed": 9})
        sizes = []
        for page in range(6):
            sizes += [compact(i) for i in self.search(offset=page, limit=50)["items"]]
        self.assertEqual(len(sizes), 300)
        self.assertGreaterEqual(min(sizes), 2048)
        self.assertLessEqual(max(sizes), 6144)
        self.assertGreater(max(sizes) - min(sizes), 1000)

    def test_ids_are_stable_distinct_uuids_per_job_and_project(self):
        a = self.search(limit=50)["items"]
        b = self.search(limit=50)["items"]
        self.assertEqual([i["metadata"]["id"] for i in a], [i["metadata"]["id"] for i in b])
        self.assertEqual(len({i["metadata"]["id"] for i in a}), 25)
        self.assertEqual(a[0]["metadata"]["id"], sim_v2_items.job_uuid(PROJECT, 25))
        self.control("PUT", "/_sim/projects/proj-b/jobs", jobs_25())
        other = self.post({"limit": 50}, token="token-b",
                          path="/v2/proj-b/training-job-searches")[1]["items"]
        self.assertEqual([i["metadata"]["name"] for i in other],
                         [i["metadata"]["name"] for i in a])
        self.assertFalse({i["metadata"]["id"] for i in other} & {i["metadata"]["id"] for i in a})

    def test_v1_fields_become_metadata_and_status(self):
        item = self.search(limit=1)["items"][0]
        self.assertEqual((item["metadata"]["name"], item["metadata"]["description"],
                          item["metadata"]["create_time"], item["status"]["duration"]),
                         ("train-25", "Train job 25", BASE_MS + 25000, 25 * 60000))

    def test_each_v1_status_maps_to_its_v2_phase(self):
        jobs = [{"job_id": c, "job_name": "train-%02d" % c, "status": c}
                for c in EXPECTED_PHASE]
        jobs.append({"job_id": 98, "job_name": "train-98", "status": "8"})
        self.assertEqual(self.control("PUT", "/_sim/jobs", jobs)[0], 200)
        got = {ids({"items": [i]})[0]: i["status"]["phase"]
               for i in self.search(limit=50)["items"]}
        want = dict(EXPECTED_PHASE)
        want[98] = "Unknown"
        self.assertEqual(got, want)

    def test_start_time_is_zero_until_a_job_starts(self):
        for item in self.search(limit=50)["items"]:
            with self.subTest(name=item["metadata"]["name"]):
                s = item["status"]
                if s["phase"] in ("Creating", "Pending", "Unknown") or \
                        s["secondary_phase"] == "CreateFailed":
                    self.assertEqual((s["start_time"], s["running_records"]), (0, []))
                else:
                    self.assertGreater(s["start_time"], item["metadata"]["create_time"])
                    self.assertEqual(len(s["running_records"]), 1)

    def test_64_kb_items_padded_in_parameters_or_annotations(self):
        self.control("POST", "/_sim/generate", {"count": 50})
        for place in ("parameters", "annotations"):
            with self.subTest(v2_pad_in=place):
                self.options(v2_item_bytes=65536, v2_pad_in=place)
                st, doc, r = self.post({"limit": 50})
                self.assertEqual(st, 200)
                self.assertGreater(int(r.getheader("Content-Length")), 50 * 65536)
                self.assertEqual([compact(i) for i in doc["items"]], [65536] * 50)
                for i in doc["items"]:
                    if place == "parameters":
                        pad = [p for p in i["algorithm"]["parameters"]
                               if p["name"] == "sim_padding"]
                        self.assertEqual(len(pad), 1)
                        self.assertGreater(len(pad[0]["value"]), 55000)
                    else:
                        self.assertGreater(len(i["metadata"]["annotations"]["sim/padding"]),
                                           55000)

    def test_one_job_padded_by_its_own_item_bytes(self):
        self.control("PATCH", "/_sim/jobs/20", {"v2": {"item_bytes": 70000}})
        sizes = {ids({"items": [i]})[0]: compact(i) for i in self.search(limit=50)["items"]}
        self.assertEqual(sizes.pop(20), 70000)
        self.assertLess(max(sizes.values()), 6144)

    def test_id_and_omit_overrides(self):
        self.control("PATCH", "/_sim/jobs/25", {"v2": {
            "id": "custom-id-25", "omit": ["status.secondary_phase", "metadata.description",
                                           "endpoints", "status.no.such.path"]}})
        item = self.search(limit=1)["items"][0]
        self.assertEqual(item["metadata"]["id"], "custom-id-25")
        self.assertNotIn("secondary_phase", item["status"])
        self.assertNotIn("description", item["metadata"])
        self.assertNotIn("endpoints", item)
        self.assertIn("phase", item["status"])

    def test_v2_overrides_never_reach_the_v1_call(self):
        self.control("PATCH", "/_sim/jobs/5", {"v2": {"phase": "Running", "kind": "edge_job"}})
        c = self.conn()
        c.request("GET", "/v1/%s/training-jobs?per_page=100" % PROJECT,
                  headers={"X-Auth-Token": TOKEN})
        jobs = json.loads(c.getresponse().read())["jobs"]
        self.assertEqual({len(j) for j in jobs}, {8})


class TestV2ResponseOptions(V2Case):
    @staticmethod
    def strip(got, plain):
        """got without the keys plain lacks (unknown fields), at the top of
        each item and in its metadata and status."""
        out = {k: got[k] for k in plain}
        for sub in ("metadata", "status"):
            out[sub] = {k: got[sub][k] for k in plain[sub]}
        return out

    def test_every_shape_option_carries_the_same_items(self):
        want = self.search(limit=25)["items"]
        variants = [
            {"chunked": True, "chunk_min": 1, "chunk_max": 50, "chunk_extensions": True,
             "trailers": True},
            {"pretty": True, "pretty_indent": "\t", "pretty_newline": "\r\n"},
            {"shuffle_keys": True, "seed": 3},
            {"extra_fields": True, "seed": 4},
            {"ascii_escape": True},
            {"write_max": 997},
            {"header_case": "random"},
            {"v2_item_bytes": 65536, "chunked": True, "write_max": 4096},
            {"chunked": True, "pretty": True, "shuffle_keys": True, "extra_fields": True,
             "ascii_escape": True, "seed": 5},
        ]
        for v in variants:
            with self.subTest(options=v):
                self.state.reset()
                self.options(**v)
                st, doc, _ = self.post({"limit": 25})
                self.assertEqual(st, 200)
                got = [self.strip(i, w) for i, w in zip(doc["items"], want)]
                if "v2_item_bytes" in v:
                    for i in got:
                        i["algorithm"]["parameters"].pop()
                self.assertEqual(got, want)

    def test_shuffle_reorders_items_and_their_metadata_and_status(self):
        plain = self.search(limit=25)["items"]
        self.options(shuffle_keys=True, seed=11)
        items = self.search(limit=25)["items"]
        for part in (None, "metadata", "status"):
            with self.subTest(part=part):
                order = [list(i if part is None else i[part]) for i in items]
                ref = [list(i if part is None else i[part]) for i in plain]
                self.assertNotEqual(order, ref)

    def test_extra_fields_put_decoys_at_every_level(self):
        self.options(extra_fields=True)
        doc = self.search(limit=2)
        self.assertIn("items_hint", doc)
        self.assertNotIn("jobs_hint", doc)
        self.assertIn("x_links", doc["items"][0])
        self.assertEqual(doc["items"][0]["metadata"]["x_sim"]["id"], "nested-decoy")
        self.assertIn("x_sim", doc["items"][0]["status"])

    def test_chunked_framing_on_the_wire(self):
        self.options(chunked=True, chunk_max=40, seed=7)
        st, doc, r = self.post({"limit": 3})
        self.assertEqual((st, r.getheader("Transfer-Encoding")), (200, "chunked"))
        self.assertIsNone(r.getheader("Content-Length"))
        self.assertEqual(len(doc["items"]), 3)

    def test_delay_connection_close_and_silent_close_apply(self):
        self.options(delay_ms=300)
        t = time.monotonic()
        self.search()
        self.assertGreaterEqual(time.monotonic() - t, 0.3)
        self.options(delay_ms=0, connection_close=True)
        st, _, r = self.post({})
        self.assertEqual((st, r.getheader("Connection")), (200, "close"))
        self.options(connection_close=False, silent_close_every=1)
        self.post({})
        deadline = time.monotonic() + 5  # counted once the answer is out
        while self.state.stats_json()["silent_closes"] == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertEqual(self.state.stats_json()["silent_closes"], 1)


class TestV2Control(V2Case):
    def item(self, job_id):
        st, doc = self.control("GET", "/_sim/jobs/%d/v2" % job_id)
        self.assertEqual(st, 200, doc)
        return doc

    def phase_in_call(self, job_id):
        doc = self.search(limit=1, filters=[{"key": "name", "operator": "in",
                                             "value": ["train-%02d" % job_id]}])
        return doc["items"][0]["status"]["phase"]

    def test_a_status_change_is_a_phase_change(self):
        for status, phase in ((7, "Pending"), (8, "Running"), (9, "Terminating"),
                              (10, "Completed")):
            with self.subTest(status=status):
                st, _ = self.control("PATCH", "/_sim/jobs/5", {"status": status})
                self.assertEqual(st, 200)
                self.assertEqual(self.phase_in_call(5), phase)

    def test_a_phase_override_wins_merges_and_goes_away_with_null(self):
        self.control("PATCH", "/_sim/jobs/8", {"v2": {"kind": "edge_job"}})
        st, job = self.control("PATCH", "/_sim/jobs/8", {"v2": {"phase": "Terminating",
                                                                "secondary_phase": "Lost"}})
        self.assertEqual((st, job["v2"]), (200, {"kind": "edge_job", "phase": "Terminating",
                                                 "secondary_phase": "Lost"}))
        item = self.item(8)
        self.assertEqual((item["status"]["phase"], item["status"]["secondary_phase"],
                          item["kind"]), ("Terminating", "Lost", "edge_job"))
        self.assertEqual(self.phase_in_call(8), "Terminating")
        self.control("PATCH", "/_sim/jobs/8", {"v2": {"phase": None, "secondary_phase": None}})
        self.assertEqual(self.phase_in_call(8), "Running")
        self.assertEqual(self.item(8)["kind"], "edge_job")
        self.control("PATCH", "/_sim/jobs/8", {"v2": {"phase": "Paused"}})
        self.assertEqual(self.phase_in_call(8), "Paused")

    def test_bad_overrides_are_400(self):
        for v2 in ({"phase": 5}, {"colour": "red"}, "Running", {"item_bytes": -1},
                   {"item_bytes": True}, {"omit": "status"}, {"omit": [1]}):
            with self.subTest(v2=v2):
                self.assertEqual(self.control("PATCH", "/_sim/jobs/8", {"v2": v2})[0], 400)
                self.assertEqual(self.control("POST", "/_sim/jobs",
                                              {"job_id": 77, "v2": v2})[0], 400)

    def test_the_control_api_shows_items_as_the_call_sends_them(self):
        self.options(v2_item_bytes=9000)
        sent = self.search(limit=50)["items"]
        self.assertEqual(self.item(25), sent[0])
        st, items = self.control("GET", "/_sim/v2/items")
        self.assertEqual((st, items), (200, sent))
        self.assertEqual(self.control("GET", "/_sim/jobs/999/v2")[0], 404)
        self.assertEqual(self.control("GET", "/_sim/projects/proj-b/v2/items"), (200, []))

    def test_v2_options_are_checked_and_reset(self):
        for bad in ({"v2_offset": "pages"}, {"v2_count": "all"}, {"v2_pad_in": "spec"},
                    {"v2_item_bytes": -1}, {"v2_item_bytes": 2 ** 25}, {"v2_item_bytes": "1"},
                    {"v2_total": "5"}, {"v2_total": -1}):
            with self.subTest(options=bad):
                self.assertEqual(self.control("PUT", "/_sim/options", bad)[0], 400)
        self.options(v2_offset="item", v2_total=7)
        st, o = self.control("GET", "/_sim/options")
        self.assertEqual((o["v2_offset"], o["v2_total"]), ("item", 7))
        self.control("POST", "/_sim/reset")
        st, o = self.control("GET", "/_sim/options")
        self.assertEqual((o["v2_offset"], o["v2_count"], o["v2_total"], o["v2_item_bytes"],
                          o["v2_pad_in"]), ("page", "matching", None, 0, "parameters"))


class TestV2Faults(V2Case):
    def fault(self, **f):
        st, doc = self.control("POST", "/_sim/faults", f)
        self.assertEqual(st, 200, doc)

    def v1(self, page=1):
        c = self.conn()
        c.request("GET", "/v1/%s/training-jobs?page=%d" % (PROJECT, page),
                  headers={"X-Auth-Token": TOKEN})
        r = c.getresponse()
        r.read()
        return r.status

    def test_status_faults_answer_with_v2_bodies_or_the_gateways(self):
        v2_codes = {400: "ModelArts.2788", 403: "ModelArts.0108", 500: "ModelArts.0010",
                    503: "ModelArts.4700"}
        for status, code in v2_codes.items():
            with self.subTest(status=status):
                self.fault(status=status)
                st, doc, _ = self.post({})
                self.assert_error(st, doc, status, code)
        for status, code in ((401, "APIG.0301"), (429, "APIG.0308"), (502, "APIG.0202")):
            with self.subTest(status=status):
                self.fault(status=status)
                st, doc, r = self.post({})
                self.assertEqual((st, doc["error_code"]), (status, code))
                if status == 429:
                    self.assertEqual(r.getheader("Retry-After"), "1")

    def test_throttling_then_success(self):
        self.fault(status=429, count=2)
        self.assertEqual([self.post({})[0] for _ in range(3)], [429, 429, 200])
        self.fault(status=429, body={"error_code": "ModelArts.2799",
                                     "error_msg": "Too many requests."})
        st, doc, _ = self.post({})
        self.assert_error(st, doc, 429, "ModelArts.2799")

    def test_api_offset_and_page_choose_the_calls_a_fault_hits(self):
        self.fault(status=503, api="v1")
        self.assertEqual(self.post({})[0], 200)
        self.assertEqual(self.v1(), 503)
        self.fault(status=503, offset=1)
        self.assertEqual((self.post({"offset": 0})[0], self.v1()), (200, 200))
        self.assertEqual(self.post({"offset": 1})[0], 503)
        self.fault(status=503, page=1)
        self.assertEqual(self.post({"offset": 1})[0], 200)
        self.assertEqual(self.v1(), 503)
        self.fault(status=503, api="v2", skip=1)
        self.assertEqual((self.v1(), self.post({})[0], self.post({})[0]), (200, 200, 503))
        for bad in ({"api": "v3"}, {"api": "v2", "target": "iam"}):
            with self.subTest(fault=bad):
                self.assertEqual(self.control("POST", "/_sim/faults", bad)[0], 400)

    def test_truncate_malformed_and_stall_send_v2_shaped_bodies(self):
        req = ("POST %s HTTP/1.1\r\nHost: localhost\r\nX-Auth-Token: %s\r\nContent-Type: "
               "application/json\r\nContent-Length: 2\r\n\r\n{}" % (SEARCH, TOKEN)).encode()
        for kind in ("truncate", "malformed", "stall"):
            with self.subTest(kind=kind):
                self.fault(kind=kind, ms=300)
                s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                t = self.ctx.wrap_socket(s, server_hostname="localhost")
                self.addCleanup(t.close)
                t.sendall(req)
                t.settimeout(3)
                out = b""
                try:
                    while True:
                        b = t.recv(65536)
                        if not b:
                            break
                        out += b
                except (socket.timeout, TimeoutError, ssl.SSLError, ConnectionError):
                    pass
                head, _, body = out.partition(b"\r\n\r\n")
                self.assertTrue(body.startswith(b'{"total":3,'), body[:80])
                if kind == "malformed":
                    self.assertRaises(ValueError, json.loads, body)
                declared = int(re.search(rb"Content-Length: (\d+)", head).group(1))
                if kind == "malformed":
                    self.assertEqual(declared, len(body))
                else:
                    self.assertGreater(declared, len(body))

    def test_the_request_log_and_stats_tell_v2_calls_apart(self):
        self.post({"limit": 7, "filters": []})
        self.post(b"{not json")
        self.v1()
        log = [e for e in self.state.requests if e["kind"] == "api"]
        self.assertEqual([e["api"] for e in log], ["v2", "v2", "v1"])
        self.assertEqual(log[0]["body"], {"limit": 7, "filters": []})
        self.assertEqual(log[1]["body"], "{not json")
        self.assertNotIn("body", log[2])
        s = self.state.stats_json()
        self.assertEqual((s["requests"], s["v2_requests"]), (3, 2))


class TestV2SeveralProjects(V2Case):
    B = "/v2/proj-b/training-job-searches"

    def test_each_project_searches_its_own_jobs_with_its_own_token(self):
        self.control("PUT", "/_sim/projects/proj-b/jobs",
                     [{"job_id": 7, "job_name": "train-07", "status": 8}])
        st, doc, _ = self.post({"limit": 50}, token="token-b", path=self.B)
        self.assertEqual((st, ids(doc), doc["total"]), (200, [7], 1))
        self.assertEqual(doc["items"][0]["metadata"]["id"], sim_v2_items.job_uuid("proj-b", 7))
        self.assertEqual(self.search(limit=50)["total"], 25)

    def test_options_and_faults_per_project(self):
        self.control("POST", "/_sim/projects/proj-b/faults", {"status": 500})
        self.assertEqual(self.post({})[0], 200)
        self.assertEqual(self.post({}, token="token-b", path=self.B)[0], 500)
        self.assertEqual(self.post({}, token="token-b", path=self.B)[0], 200)


class TestV2CommandLine(unittest.TestCase):
    def test_options_and_extra_projects_from_the_command_line(self):
        procs = testlib.ProcessGroup()
        self.addCleanup(procs.stop_all)
        sim = testlib.Simulator(procs, _certs, token=TOKEN, project_id=PROJECT)
        sim.start(jobs=jobs_25(), options={"v2_offset": "item", "v2_item_bytes": 8192},
                  extra_projects=["proj-c:token-c"])
        ctx = ssl.create_default_context(cafile=_certs["ca"])

        def post(path, token, body):
            c = http.client.HTTPSConnection("localhost", sim.port, context=ctx, timeout=10)
            self.addCleanup(c.close)
            c.request("POST", path, body=json.dumps(body),
                      headers={"X-Auth-Token": token, "Content-Type": "application/json"})
            r = c.getresponse()
            return r.status, json.loads(r.read())

        st, doc = post(SEARCH, TOKEN, {"offset": 3, "limit": 2})
        self.assertEqual((st, ids(doc)), (200, [22, 21]))
        self.assertEqual({compact(i) for i in doc["items"]}, {8192})
        st, doc = post("/v2/proj-c/training-job-searches", "token-c", {})
        self.assertEqual((st, doc["items"], doc["total"]), (200, [], 0))
        self.assertEqual(procs.stop(sim.proc), 0)

    def test_a_bad_v2_option_exits_2(self):
        r = subprocess.run([sys.executable, testlib.SIM_SCRIPT, "--port", "0", "--cert",
                            _certs["server_cert"], "--key", _certs["server_key"], "--token",
                            "t", "--options", '{"v2_offset": "row"}'], capture_output=True,
                           timeout=20)
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"v2_offset", r.stderr)


if __name__ == "__main__":
    unittest.main()

/* SPDX-License-Identifier: Apache-2.0 */
/* test_job_stream_v2.c - the v2 list body (POST /v2/{project_id}/training-job-searches) through
 * the streaming reader (firmware/job_stream.c): the filtered copy of each item, the top-level
 * fields, errors, and memory that does not grow with the item size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "job_stream.h"
#include "m2m_jsmn.h"

#if M2M_WITH_V2

#include "stream_feed.h"

/* ---- checking a handed-out item ---------------------------------------------------------- */

#define ITEM_TOKENS_MAX 1024

static const char *const metadata_members[] = {"id",          "name",         "description",
                                               "create_time", "workspace_id", "user_name"};
static const char *const status_members[] = {"phase", "secondary_phase", "duration", "start_time"};

static int token_is(const char *text, const jsmntok_t *t, const char *name)
{
    size_t n = strlen(name);
    return t->type == JSMN_STRING && (size_t)(t->end - t->start) == n &&
           memcmp(text + t->start, name, n) == 0;
}

static int one_of(const char *text, const jsmntok_t *t, const char *const *names, size_t count)
{
    size_t i;
    for (i = 0; i < count; i++) {
        if (token_is(text, t, names[i])) {
            return 1;
        }
    }
    return 0;
}

static int is_scalar(const jsmntok_t *t)
{
    return t->type == JSMN_STRING || t->type == JSMN_PRIMITIVE;
}

/* An object of kept scalar members starting at tokens[i]; returns the index after it, or -1. */
static int check_inner(const char *text, const jsmntok_t *tok, int i, int count,
                       const char *const *names, size_t n_names)
{
    int members = tok[i].size;
    int m;
    if (tok[i].type != JSMN_OBJECT) {
        return -1;
    }
    i++;
    for (m = 0; m < members; m++) {
        if (i + 1 >= count || tok[i].size != 1 || !one_of(text, &tok[i], names, n_names) ||
            !is_scalar(&tok[i + 1]) || tok[i + 1].size != 0) {
            return -1;
        }
        i += 2;
    }
    return i;
}

/* 0 when item[0..len) is one JSON object (per jsmn, with nothing around it) holding only the
 * kept members: "kind" with a scalar, "metadata" and "status" objects of their kept scalar
 * members. */
static int check_filtered_item(const char *item, size_t len)
{
    static jsmntok_t tok[ITEM_TOKENS_MAX];
    jsmn_parser parser;
    int count;
    int i = 1;
    int m;

    jsmn_init(&parser);
    count = jsmn_parse(&parser, item, len, tok, ITEM_TOKENS_MAX);
    if (count < 1 || tok[0].type != JSMN_OBJECT || tok[0].start != 0 || (size_t)tok[0].end != len) {
        return -1;
    }
    for (m = 0; m < tok[0].size; m++) {
        if (i + 1 >= count || tok[i].size != 1) {
            return -1;
        }
        if (token_is(item, &tok[i], "kind")) {
            if (!is_scalar(&tok[i + 1]) || tok[i + 1].size != 0) {
                return -1;
            }
            i += 2;
        } else if (token_is(item, &tok[i], "metadata")) {
            i = check_inner(item, tok, i + 1, count, metadata_members,
                            sizeof metadata_members / sizeof metadata_members[0]);
        } else if (token_is(item, &tok[i], "status")) {
            i = check_inner(item, tok, i + 1, count, status_members,
                            sizeof status_members / sizeof status_members[0]);
        } else {
            return -1;
        }
        if (i < 0) {
            return -1;
        }
    }
    return i == count ? 0 : -1;
}

/* ---- running a body ---------------------------------------------------------------------- */

#define ITEMS_TEXT_MAX (64 * 1024)

/* Everything a body produced, to compare runs over different splits. */
typedef struct {
    job_stream_status_t feed_status; /* the first error of a feed, or OK */
    job_stream_status_t finish_status;
    int8_t is_success;
    uint8_t has_jobs;
    uint8_t has_job_total_count;
    uint8_t has_job_count_limit;
    uint8_t has_quotas;
    int64_t job_total_count;
    uint32_t jobs_seen;
    char error_code[64];
    char error_message[M2M_API_TEXT_MAX];
    unsigned items; /* handler calls */
    size_t longest_item;
    unsigned bad_items;              /* items that were not valid filtered JSON */
    unsigned unterminated;           /* items without their NUL at item[len] */
    unsigned not_idempotent;         /* items that a second filtering changed */
    char items_text[ITEMS_TEXT_MAX]; /* every item, each followed by '\n' */
    size_t items_text_len;
    unsigned stop_after; /* the handler returns 7 on this call (1-based); 0 never */
} outcome_t;

static job_stream_t stream;
static job_stream_t refilter_stream;
static char refilter_body[M2M_JOB_MAX + 32];
static char refilter_item[M2M_JOB_MAX + 1];
static size_t refilter_len;

static int keep_refiltered(void *user, char *item, size_t len)
{
    (void)user;
    memcpy(refilter_item, item, len);
    refilter_len = len;
    return 0;
}

/* A filtered item read again as the only item of a body comes out unchanged. */
static int refilters_to_itself(const char *item, size_t len)
{
    size_t n =
        (size_t)snprintf(refilter_body, sizeof refilter_body, "{\"items\":[%.*s]}", (int)len, item);
    refilter_len = (size_t)-1;
    job_stream_init_api(&refilter_stream, JOB_STREAM_V2, keep_refiltered, NULL);
    return job_stream_feed(&refilter_stream, (const uint8_t *)refilter_body, n) == JOB_STREAM_OK &&
           job_stream_finish(&refilter_stream) == JOB_STREAM_OK && refilter_len == len &&
           memcmp(refilter_item, item, len) == 0;
}

static int collect_item(void *user, char *item, size_t len)
{
    outcome_t *o = user;
    o->items++;
    if (len > o->longest_item) {
        o->longest_item = len;
    }
    if (item[len] != '\0') {
        o->unterminated++;
    }
    if (check_filtered_item(item, len) != 0) {
        o->bad_items++;
    }
    if (!refilters_to_itself(item, len)) {
        o->not_idempotent++;
    }
    if (o->items_text_len + len + 1 <= sizeof o->items_text) {
        memcpy(o->items_text + o->items_text_len, item, len);
        o->items_text_len += len;
        o->items_text[o->items_text_len++] = '\n';
    }
    return o->items == o->stop_after ? 7 : 0;
}

static void run_api(job_stream_api_t api, const char *body, size_t len, feed_t how, outcome_t *o)
{
    job_stream_t *s = &stream;
    unsigned stop_after = o->stop_after;

    memset(o, 0, sizeof *o);
    o->stop_after = stop_after;
    job_stream_init_api(s, api, collect_item, o);
    o->feed_status = feed_all(s, body, len, how);
    o->finish_status = job_stream_finish(s);
    o->is_success = s->is_success;
    o->has_jobs = s->has_jobs;
    o->has_job_total_count = s->has_job_total_count;
    o->has_job_count_limit = s->has_job_count_limit;
    o->has_quotas = s->has_quotas;
    o->job_total_count = s->job_total_count;
    o->jobs_seen = s->jobs_seen;
    memcpy(o->error_code, s->error_code, sizeof o->error_code);
    memcpy(o->error_message, s->error_message, sizeof o->error_message);
}

static void run_feed(const char *body, size_t len, feed_t how, outcome_t *o)
{
    run_api(JOB_STREAM_V2, body, len, how, o);
}

static outcome_t whole_run;
static outcome_t other_run;

static void run(const char *body, outcome_t *o)
{
    run_feed(body, strlen(body), whole, o);
}

static void assert_same_outcome(const outcome_t *a, const outcome_t *b)
{
    assert_int_equal(a->feed_status, b->feed_status);
    assert_int_equal(a->finish_status, b->finish_status);
    assert_int_equal(a->is_success, b->is_success);
    assert_int_equal(a->has_jobs, b->has_jobs);
    assert_int_equal(a->has_job_total_count, b->has_job_total_count);
    assert_int_equal(a->has_job_count_limit, b->has_job_count_limit);
    assert_int_equal(a->has_quotas, b->has_quotas);
    assert_true(a->job_total_count == b->job_total_count);
    assert_int_equal(a->jobs_seen, b->jobs_seen);
    assert_int_equal(a->items, b->items);
    assert_string_equal(a->error_code, b->error_code);
    assert_string_equal(a->error_message, b->error_message);
    assert_int_equal(a->items_text_len, b->items_text_len);
    assert_memory_equal(a->items_text, b->items_text, a->items_text_len);
}

/* Every item handed out was valid JSON holding only kept members, NUL-terminated, and
 * unchanged by a second filtering. */
static void assert_items_well_made(const outcome_t *o)
{
    assert_int_equal(o->bad_items, 0);
    assert_int_equal(o->unterminated, 0);
    assert_int_equal(o->not_idempotent, 0);
    assert_true(o->longest_item <= M2M_JOB_MAX);
}

/* The body fed whole, byte by byte and split in two at every boundary gives one outcome. */
static void assert_split_invariant(const char *body, size_t len)
{
    size_t k;
    run_feed(body, len, whole, &whole_run);
    assert_items_well_made(&whole_run);
    run_feed(body, len, bytewise, &other_run);
    assert_same_outcome(&whole_run, &other_run);
    for (k = 1; k < len; k++) {
        run_feed(body, len, split_at(k), &other_run);
        assert_same_outcome(&whole_run, &other_run);
    }
}

/* The body fed whole, byte by byte, in the agent's 512-byte reads and in random pieces gives
 * one outcome. */
static void assert_piece_invariant(const char *body, size_t len, unsigned seeds)
{
    static const size_t max_pieces[] = {3, 64, 700, 5000};
    unsigned seed;
    run_feed(body, len, whole, &whole_run);
    assert_items_well_made(&whole_run);
    run_feed(body, len, bytewise, &other_run);
    assert_same_outcome(&whole_run, &other_run);
    for (seed = 0; seed < seeds; seed++) {
        run_feed(body, len, random_pieces(max_pieces[seed % 4], seed), &other_run);
        assert_same_outcome(&whole_run, &other_run);
    }
}

/* The items of o, each followed by '\n', as one string. */
static void assert_items(const outcome_t *o, const char *expected)
{
    assert_int_equal(o->items_text_len, strlen(expected));
    assert_memory_equal(o->items_text, expected, o->items_text_len);
}

/* ---- bodies ------------------------------------------------------------------------------ */

/* The documented sample (modelarts-v2-list reference, section 2) with its elisions filled in,
 * pretty-printed as the API page prints it. */
static const char doc_sample[] =
    "{\n"
    "    \"total\": 5059,\n"
    "    \"count\": 1,\n"
    "    \"limit\": 1,\n"
    "    \"offset\": 0,\n"
    "    \"sort_by\": \"create_time\",\n"
    "    \"order\": \"desc\",\n"
    "    \"group_by\": \"\",\n"
    "    \"workspace_id\": \"0\",\n"
    "    \"ai_project\": \"default-ai-project\",\n"
    "    \"items\": [\n"
    "        {\n"
    "            \"kind\": \"job\",\n"
    "            \"metadata\": {\n"
    "                \"id\": \"3faf5c03-aaa1-4cbe-879d-24b05d997347\",\n"
    "                \"name\": \"trainjob--py14_mem06-byd-108\",\n"
    "                \"description\": \"\",\n"
    "                \"create_time\": 1636447346315,\n"
    "                \"workspace_id\": \"0\",\n"
    "                \"user_name\": \"ei_modelarts_q00357245_01\"\n"
    "            },\n"
    "            \"status\": {\n"
    "                \"phase\": \"Abnormal\",\n"
    "                \"secondary_phase\": \"CreateFailed\",\n"
    "                \"duration\": 0,\n"
    "                \"start_time\": 0,\n"
    "                \"node_count_metrics\": [\n"
    "                    [\n"
    "                        1636447746000,\n"
    "                        0\n"
    "                    ],\n"
    "                    [\n"
    "                        1636447755000,\n"
    "                        0\n"
    "                    ]\n"
    "                ],\n"
    "                \"tasks\": [\n"
    "                    \"worker-0\"\n"
    "                ]\n"
    "            },\n"
    "            \"algorithm\": {\n"
    "                \"code_dir\": \"obs://test-modelarts/code/\",\n"
    "                \"boot_file\": \"obs://test-modelarts/code/minist_common.py\",\n"
    "                \"inputs\": [\n"
    "                    {\n"
    "                        \"name\": \"data_url\",\n"
    "                        \"local_dir\": \"/home/ma-user/modelarts/inputs/data_url_0\",\n"
    "                        \"remote\": {\n"
    "                            \"obs\": {\n"
    "                                \"obs_url\": \"/test-modelarts/data/\"\n"
    "                            }\n"
    "                        }\n"
    "                    }\n"
    "                ],\n"
    "                \"outputs\": [\n"
    "                    {\n"
    "                        \"name\": \"train_url\",\n"
    "                        \"local_dir\": \"/home/ma-user/modelarts/outputs/train_url_0\",\n"
    "                        \"remote\": {\n"
    "                            \"obs\": {\n"
    "                                \"obs_url\": \"/test-modelarts/output/\"\n"
    "                            }\n"
    "                        }\n"
    "                    }\n"
    "                ],\n"
    "                \"engine\": {\n"
    "                    \"engine_id\": \"pytorch-cp36-1.4.0-v2\",\n"
    "                    \"engine_name\": \"PyTorch\",\n"
    "                    \"engine_version\": \"PyTorch-1.4.0-python3.6\"\n"
    "                }\n"
    "            },\n"
    "            \"spec\": {\n"
    "                \"resource\": {\n"
    "                    \"policy\": \"economic\",\n"
    "                    \"flavor_id\": \"modelarts.vm.pnt1.large.eco\",\n"
    "                    \"flavor_name\": \"Computing GPU(Pnt1) instance\",\n"
    "                    \"node_count\": 1,\n"
    "                    \"flavor_detail\": {\n"
    "                        \"flavor_type\": \"GPU\",\n"
    "                        \"billing\": {\n"
    "                            \"code\": \"modelarts.vm.gpu.pnt1\",\n"
    "                            \"unit_num\": 1\n"
    "                        },\n"
    "                        \"flavor_info\": {\n"
    "                            \"cpu\": {\n"
    "                                \"arch\": \"x86\",\n"
    "                                \"core_num\": 8\n"
    "                            },\n"
    "                            \"gpu\": {\n"
    "                                \"unit_num\": 1,\n"
    "                                \"product_name\": \"GP-Pnt1\",\n"
    "                                \"memory\": \"8GB\"\n"
    "                            },\n"
    "                            \"memory\": {\n"
    "                                \"size\": 64,\n"
    "                                \"unit\": \"GB\"\n"
    "                            }\n"
    "                        }\n"
    "                    }\n"
    "                }\n"
    "            }\n"
    "        }\n"
    "    ]\n"
    "}\n";

static const char doc_sample_item[] =
    "{\"kind\":\"job\",\"metadata\":{\"id\":\"3faf5c03-aaa1-4cbe-879d-24b05d997347\","
    "\"name\":\"trainjob--py14_mem06-byd-108\",\"description\":\"\",\"create_time\":1636447346315,"
    "\"workspace_id\":\"0\",\"user_name\":\"ei_modelarts_q00357245_01\"},\"status\":{\"phase\":"
    "\"Abnormal\",\"secondary_phase\":\"CreateFailed\",\"duration\":0,\"start_time\":0}}";

/* The error body of a refused search (HTTP 400). */
static const char error_body[] =
    "{\"error_code\":\"ModelArts.2788\",\"error_msg\":\"Invalid parameter: limit must be in "
    "[1, 50].\"}";

/* A page of three items as the simulator writes them (tests/sim/sim_v2_items.py, with its
 * extra_fields and shuffle_keys options: unknown members and decoys at every level, keys in any
 * order), 16221 bytes. */
static const char sim_page[] =
    "{\"x_trace\":{\"id\":\"7f3a}{\",\"spans\":[{\"n\":\"]}\",\"t\":[1,0.0025,-0.0,1e+300]},[],{}"
    "]},\"items\":[{\"metadata\":{\"name\":\"resnet50-imagenet-004101\",\"workspace_id\":\"0\",\""
    "description\":\"Nightly fine-tuning of the \\\"vision\\\" team {batch 256} \303\251t\303\251"
    " \342\200\223 \360\237\230\200\",\"x_list\":[[],{},[1,[2,[3]]]],\"annotations\":{\"job_templ"
    "ate\":\"Template DL\",\"key_task\":\"worker-0\",\"fault-tolerance/job-retry-num\":\"0\",\"fa"
    "ult-tolerance/job-unconditional-retry\":\"false\",\"jupyter-lab/enable\":\"false\",\"tensorb"
    "oard/enable\":\"false\"},\"create_time\":1700000000123,\"user_name\":\"ml-platform\",\"id\":"
    "\"f0d620fd-13e6-5ee9-96cb-ae1265a2cad3\",\"x_sim\":{\"id\":\"nested-decoy\",\"phase\":\"Runn"
    "ing\",\"s\":\"}]\\\"{[\"}},\"owner\":\"user \\\"q\\\" {} [] \\\\\",\"score\":0.875,\"x_links"
    "\":{\"metadata\":{\"id\":\"decoy-id\",\"name\":\"decoy]}\"},\"status\":{}},\"engine\":{\"nam"
    "e\":\"PyTorch\",\"version\":\"1.8\",\"tags\":[\"gpu\",\"{x}\"]},\"is_free\":false,\"algorith"
    "m\":{\"id\":\"65118d45-19a6-5522-bc47-38b62e4bd89e\",\"name\":\"resnet50-train-1\",\"code_di"
    "r\":\"obs://ma-0b5a3e3b/code/resnet50/\",\"boot_file\":\"obs://ma-0b5a3e3b/code/resnet50/tra"
    "in.py\",\"command\":\"\",\"parameters\":[{\"name\":\"momentum\",\"value\":\"0.99\",\"descrip"
    "tion\":\"momentum of the run\",\"constraint\":{\"type\":\"Float\",\"editable\":true,\"requir"
    "ed\":false,\"sensitive\":false,\"valid_type\":\"None\",\"valid_range\":[]},\"i18n_descriptio"
    "n\":[{\"language\":\"en-us\",\"description\":\"\"}]},{\"name\":\"weight_decay\",\"value\":\""
    "0.0\",\"description\":\"weight decay of the run\",\"constraint\":{\"type\":\"Float\",\"edita"
    "ble\":true,\"required\":false,\"sensitive\":false,\"valid_type\":\"None\",\"valid_range\":[]"
    "},\"i18n_description\":[{\"language\":\"en-us\",\"description\":\"\"}]},{\"name\":\"batch_si"
    "ze\",\"value\":\"64\",\"description\":\"batch size of the run\",\"constraint\":{\"type\":\"I"
    "nteger\",\"editable\":true,\"required\":false,\"sensitive\":false,\"valid_type\":\"None\",\""
    "valid_range\":[]},\"i18n_description\":[{\"language\":\"en-us\",\"description\":\"\"}]},{\"n"
    "ame\":\"learning_rate\",\"value\":\"0.01\",\"description\":\"learning rate of the run\",\"co"
    "nstraint\":{\"type\":\"Float\",\"editable\":true,\"required\":false,\"sensitive\":false,\"va"
    "lid_type\":\"None\",\"valid_range\":[]},\"i18n_description\":[{\"language\":\"en-us\",\"desc"
    "ription\":\"\"}]},{\"name\":\"amp\",\"value\":\"true\",\"description\":\"amp of the run\",\""
    "constraint\":{\"type\":\"Boolean\",\"editable\":true,\"required\":false,\"sensitive\":false,"
    "\"valid_type\":\"None\",\"valid_range\":[]},\"i18n_description\":[{\"language\":\"en-us\",\""
    "description\":\"\"}]},{\"name\":\"epochs\",\"value\":\"300\",\"description\":\"epochs of the"
    " run\",\"constraint\":{\"type\":\"Integer\",\"editable\":true,\"required\":false,\"sensitive"
    "\":false,\"valid_type\":\"None\",\"valid_range\":[]},\"i18n_description\":[{\"language\":\"e"
    "n-us\",\"description\":\"\"}]},{\"name\":\"optimizer\",\"value\":\"sgd\",\"description\":\"o"
    "ptimizer of the run\",\"constraint\":{\"type\":\"String\",\"editable\":true,\"required\":fal"
    "se,\"sensitive\":false,\"valid_type\":\"None\",\"valid_range\":[]},\"i18n_description\":[{\""
    "language\":\"en-us\",\"description\":\"\"}]},{\"name\":\"label_smoothing\",\"value\":\"0.1\""
    ",\"description\":\"label smoothing of the run\",\"constraint\":{\"type\":\"Float\",\"editabl"
    "e\":true,\"required\":false,\"sensitive\":false,\"valid_type\":\"None\",\"valid_range\":[]},"
    "\"i18n_description\":[{\"language\":\"en-us\",\"description\":\"\"}]},{\"name\":\"save_check"
    "point_steps\",\"value\":\"5000\",\"description\":\"save checkpoint steps of the run\",\"cons"
    "traint\":{\"type\":\"Integer\",\"editable\":true,\"required\":false,\"sensitive\":false,\"va"
    "lid_type\":\"None\",\"valid_range\":[]},\"i18n_description\":[{\"language\":\"en-us\",\"desc"
    "ription\":\"\"}]}],\"policies\":{},\"inputs\":[{\"name\":\"data_url\",\"description\":\"\","
    "\"local_dir\":\"/home/ma-user/modelarts/inputs/data_url_0\",\"access_method\":\"parameter\","
    "\"remote\":{\"obs\":{\"obs_url\":\"obs://ma-0b5a3e3b/datasets/resnet50/\"}}}],\"outputs\":[{"
    "\"name\":\"train_url\",\"description\":\"\",\"local_dir\":\"/home/ma-user/modelarts/outputs/"
    "train_url_0\",\"access_method\":\"parameter\",\"remote\":{\"obs\":{\"obs_url\":\"obs://ma-0b"
    "5a3e3b/output/resnet50-imagenet-004101/\"}},\"mode\":\"upload_periodically\",\"period\":30}]"
    ",\"engine\":{\"engine_id\":\"pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64\",\"engine_n"
    "ame\":\"PyTorch\",\"engine_version\":\"pytorch_1.8.0-cuda_10.2-py_3.7-ubuntu_18.04-x86_64\","
    "\"image_url\":\"swr.cn-north-4.myhuaweicloud.com/atelier/pytorch_1_8:pytorch_1.8.0-cuda_10.2"
    "-py_3.7\"},\"local_code_dir\":\"/home/ma-user/modelarts/user-job-dir\",\"working_dir\":\"/ho"
    "me/ma-user/modelarts/user-job-dir\",\"environments\":{\"MA_SKIP_IMAGE_DETECT\":\"1\",\"NCCL_"
    "DEBUG\":\"WARN\"}},\"labels\":[],\"spec\":{\"resource\":{\"policy\":\"economic\",\"flavor_id"
    "\":\"modelarts.vm.pnt1.large.eco\",\"flavor_name\":\"Computing GPU(Pnt1) instance\",\"node_c"
    "ount\":1,\"pool_id\":\"pool-2c2ee5f1\",\"flavor_detail\":{\"flavor_type\":\"GPU\",\"billing"
    "\":{\"code\":\"modelarts.vm.pnt1.large.eco\",\"unit_num\":1},\"flavor_info\":{\"max_num\":1,"
    "\"cpu\":{\"arch\":\"x86\",\"core_num\":8},\"memory\":{\"size\":64,\"unit\":\"GB\"},\"disk\":"
    "{\"size\":500,\"unit\":\"GB\"},\"gpu\":{\"unit_num\":1,\"product_name\":\"NVIDIA-P100\",\"me"
    "mory\":\"16GiB\"}}}},\"log_export_path\":{\"obs_url\":\"obs://ma-0b5a3e3b/logs/resnet50-imag"
    "enet-004101/\"},\"schedule_policy\":{\"priority\":2}},\"endpoints\":{\"ssh\":{\"task_urls\":"
    "[{\"task\":\"worker-0\",\"url\":\"ssh://10.84.162.10:22\"}],\"key_pair_names\":[\"KeyPair-5d"
    "dd\"]},\"jupyter_lab\":{\"url\":\"https://authoring-ssh.modelarts.example/4101/lab\",\"token"
    "\":\"2fd3f8a9dc658b4bc6bb69dc3c7a41b0\"},\"tensorboard\":{\"url\":\"https://authoring-ssh.mo"
    "delarts.example/4101/tb\",\"token\":\"f344a8936c5d650d06bd8aed1c28646f\"}},\"kind\":\"job\","
    "\"spec_id\":null,\"status\":{\"task_statuses\":[{\"task\":\"worker-0\",\"exit_code\":0,\"mes"
    "sage\":\"\"}],\"start_time\":1700000060468,\"duration\":3600000,\"node_count_metrics\":[[170"
    "0000060468,0],[1700000510468,1],[1700000960468,1],[1700001410468,1],[1700001860468,1],[17000"
    "02310468,1],[1700002760468,1],[1700003210468,1]],\"running_records\":[{\"start_at\":17000000"
    "60,\"end_at\":0,\"start_type\":\"init_or_smr\",\"end_reason\":\"\",\"end_recover\":\"\",\"en"
    "d_recover_before_downgrade\":\"\",\"end_reason_before_downgrade\":\"\"}],\"x_sim\":{\"id\":"
    "\"nested-decoy\",\"phase\":\"Running\",\"s\":\"}]\\\"{[\"},\"x_list\":[[],{},[1,[2,[3]]]],\""
    "tasks\":[\"worker-0\"],\"secondary_phase\":\"Running\",\"phase\":\"Running\"}},{\"metadata\""
    ":{\"x_list\":[[],{},[1,[2,[3]]]],\"annotations\":{\"job_template\":\"Template DL\",\"key_tas"
    "k\":\"worker-0\",\"fault-tolerance/job-retry-num\":\"2\",\"fault-tolerance/job-unconditional"
    "-retry\":\"false\",\"jupyter-lab/enable\":\"false\",\"tensorboard/enable\":\"true\"},\"name"
    "\":\"bert-base-squad-004102\",\"user_name\":\"zhang.wei\",\"workspace_id\":\"0\",\"descripti"
    "on\":\"\",\"id\":\"51ad26aa-8534-56f8-bfd9-0f2993b389b1\",\"create_time\":1700000100456,\"x_"
    "sim\":{\"id\":\"nested-decoy\",\"phase\":\"Running\",\"s\":\"}]\\\"{[\"}},\"algorithm\":{\"i"
    "d\":\"6d39e035-bbdb-5fd2-860b-262e63764f8b\",\"name\":\"bert-train-2\",\"code_dir\":\"obs://"
    "ma-0b5a3e3b/code/bert/\",\"boot_file\":\"obs://ma-0b5a3e3b/code/bert/train.py\",\"command\":"
    "\"\",\"parameters\":[{\"name\":\"amp\",\"value\":\"true\",\"description\":\"amp of the run\""
    ",\"constraint\":{\"type\":\"Boolean\",\"editable\":true,\"required\":false,\"sensitive\":fal"
    "se,\"valid_type\":\"None\",\"valid_range\":[]},\"i18n_description\":[{\"language\":\"en-us\""
    ",\"description\":\"\"}]},{\"name\":\"warmup_steps\",\"value\":\"0\",\"description\":\"warmup"
    " steps of the run\",\"constraint\":{\"type\":\"Integer\",\"editable\":true,\"required\":fals"
    "e,\"sensitive\":false,\"valid_type\":\"None\",\"valid_range\":[]},\"i18n_description\":[{\"l"
    "anguage\":\"en-us\",\"description\":\"\"}]},{\"name\":\"optimizer\",\"value\":\"adamw\",\"de"
    "scription\":\"optimizer of the run\",\"constraint\":{\"type\":\"String\",\"editable\":true,"
    "\"required\":false,\"sensitive\":false,\"valid_type\":\"None\",\"valid_range\":[]},\"i18n_de"
    "scription\":[{\"language\":\"en-us\",\"description\":\"\"}]},{\"name\":\"learning_rate\",\"v"
    "alue\":\"0.001\",\"description\":\"learning rate of the run\",\"constraint\":{\"type\":\"Flo"
    "at\",\"editable\":true,\"required\":false,\"sensitive\":false,\"valid_type\":\"None\",\"vali"
    "d_range\":[]},\"i18n_description\":[{\"language\":\"en-us\",\"description\":\"\"}]},{\"name"
    "\":\"momentum\",\"value\":\"0.99\",\"description\":\"momentum of the run\",\"constraint\":{"
    "\"type\":\"Float\",\"editable\":true,\"required\":false,\"sensitive\":false,\"valid_type\":"
    "\"None\",\"valid_range\":[]},\"i18n_description\":[{\"language\":\"en-us\",\"description\":"
    "\"\"}]},{\"name\":\"epochs\",\"value\":\"30\",\"description\":\"epochs of the run\",\"constr"
    "aint\":{\"type\":\"Integer\",\"editable\":true,\"required\":false,\"sensitive\":false,\"vali"
    "d_type\":\"None\",\"valid_range\":[]},\"i18n_description\":[{\"language\":\"en-us\",\"descri"
    "ption\":\"\"}]},{\"name\":\"save_checkpoint_steps\",\"value\":\"5000\",\"description\":\"sav"
    "e checkpoint steps of the run\",\"constraint\":{\"type\":\"Integer\",\"editable\":true,\"req"
    "uired\":false,\"sensitive\":false,\"valid_type\":\"None\",\"valid_range\":[]},\"i18n_descrip"
    "tion\":[{\"language\":\"en-us\",\"description\":\"\"}]}],\"policies\":{},\"inputs\":[{\"name"
    "\":\"data_url\",\"description\":\"\",\"local_dir\":\"/home/ma-user/modelarts/inputs/data_url"
    "_0\",\"access_method\":\"parameter\",\"remote\":{\"obs\":{\"obs_url\":\"obs://ma-0b5a3e3b/da"
    "tasets/bert/\"}}}],\"outputs\":[{\"name\":\"train_url\",\"description\":\"\",\"local_dir\":"
    "\"/home/ma-user/modelarts/outputs/train_url_0\",\"access_method\":\"parameter\",\"remote\":{"
    "\"obs\":{\"obs_url\":\"obs://ma-0b5a3e3b/output/bert-base-squad-004102/\"}},\"mode\":\"uploa"
    "d_periodically\",\"period\":30}],\"engine\":{\"engine_id\":\"pytorch_1.8.0-cuda_10.2-py_3.7-"
    "ubuntu_18.04-x86_64\",\"engine_name\":\"PyTorch\",\"engine_version\":\"pytorch_1.8.0-cuda_10"
    ".2-py_3.7-ubuntu_18.04-x86_64\",\"image_url\":\"swr.cn-north-4.myhuaweicloud.com/atelier/pyt"
    "orch_1_8:pytorch_1.8.0-cuda_10.2-py_3.7\"},\"local_code_dir\":\"/home/ma-user/modelarts/user"
    "-job-dir\",\"working_dir\":\"/home/ma-user/modelarts/user-job-dir\",\"environments\":{\"MA_S"
    "KIP_IMAGE_DETECT\":\"1\",\"NCCL_DEBUG\":\"WARN\"}},\"labels\":[],\"engine\":{\"name\":\"PyTo"
    "rch\",\"version\":\"1.8\",\"tags\":[\"gpu\",\"{x}\"]},\"status\":{\"secondary_phase\":\"Comp"
    "leted\",\"x_list\":[[],{},[1,[2,[3]]]],\"phase\":\"Completed\",\"running_records\":[{\"start"
    "_at\":1700000167,\"end_at\":1700007427,\"start_type\":\"init_or_smr\",\"end_reason\":\"Compl"
    "eted\",\"end_recover\":\"none\",\"end_recover_before_downgrade\":\"\",\"end_reason_before_do"
    "wngrade\":\"\"}],\"duration\":7260000,\"start_time\":1700000167797,\"node_count_metrics\":[["
    "1700000167797,0],[1700001075297,4],[1700001982797,4],[1700002890297,4],[1700003797797,4],[17"
    "00004705297,4],[1700005612797,4],[1700006520297,4]],\"x_sim\":{\"id\":\"nested-decoy\",\"pha"
    "se\":\"Running\",\"s\":\"}]\\\"{[\"},\"tasks\":[\"worker-0\",\"worker-1\",\"worker-2\",\"wor"
    "ker-3\"],\"task_statuses\":[{\"task\":\"worker-0\",\"exit_code\":0,\"message\":\"\"},{\"task"
    "\":\"worker-1\",\"exit_code\":0,\"message\":\"\"},{\"task\":\"worker-2\",\"exit_code\":0,\"m"
    "essage\":\"\"},{\"task\":\"worker-3\",\"exit_code\":0,\"message\":\"\"}]},\"x_links\":{\"met"
    "adata\":{\"id\":\"decoy-id\",\"name\":\"decoy]}\"},\"status\":{}},\"kind\":\"job\",\"score\""
    ":0.875,\"is_free\":false,\"spec_id\":null,\"owner\":\"user \\\"q\\\" {} [] \\\\\",\"spec\":{"
    "\"resource\":{\"policy\":\"economic\",\"flavor_id\":\"modelarts.vm.pnt1.large.eco\",\"flavor"
    "_name\":\"Computing GPU(Pnt1) instance\",\"node_count\":4,\"pool_id\":\"pool-2c2ee5f1\",\"fl"
    "avor_detail\":{\"flavor_type\":\"GPU\",\"billing\":{\"code\":\"modelarts.vm.pnt1.large.eco\""
    ",\"unit_num\":1},\"flavor_info\":{\"max_num\":1,\"cpu\":{\"arch\":\"x86\",\"core_num\":8},\""
    "memory\":{\"size\":64,\"unit\":\"GB\"},\"disk\":{\"size\":500,\"unit\":\"GB\"},\"gpu\":{\"un"
    "it_num\":1,\"product_name\":\"NVIDIA-P100\",\"memory\":\"16GiB\"}}}},\"log_export_path\":{\""
    "obs_url\":\"obs://ma-0b5a3e3b/logs/bert-base-squad-004102/\"},\"schedule_policy\":{\"priorit"
    "y\":1}}},{\"score\":0.875,\"labels\":[],\"engine\":{\"name\":\"PyTorch\",\"version\":\"1.8\""
    ",\"tags\":[\"gpu\",\"{x}\"]},\"spec\":{\"resource\":{\"policy\":\"economic\",\"flavor_id\":"
    "\"modelarts.vm.pnt1.large.eco\",\"flavor_name\":\"Computing GPU(Pnt1) instance\",\"node_coun"
    "t\":1,\"pool_id\":\"pool-2c2ee5f1\",\"flavor_detail\":{\"flavor_type\":\"GPU\",\"billing\":{"
    "\"code\":\"modelarts.vm.pnt1.large.eco\",\"unit_num\":1},\"flavor_info\":{\"max_num\":1,\"cp"
    "u\":{\"arch\":\"x86\",\"core_num\":8},\"memory\":{\"size\":64,\"unit\":\"GB\"},\"disk\":{\"s"
    "ize\":500,\"unit\":\"GB\"},\"gpu\":{\"unit_num\":1,\"product_name\":\"NVIDIA-P100\",\"memory"
    "\":\"16GiB\"}}}},\"log_export_path\":{\"obs_url\":\"obs://ma-0b5a3e3b/logs/yolov5s-coco-0041"
    "03/\"},\"schedule_policy\":{\"priority\":2}},\"owner\":\"user \\\"q\\\" {} [] \\\\\",\"is_fr"
    "ee\":false,\"algorithm\":{\"id\":\"52a5f5ea-25c8-525f-aed5-af969178dfb1\",\"name\":\"yolov5s"
    "-train-3\",\"code_dir\":\"obs://ma-0b5a3e3b/code/yolov5s/\",\"boot_file\":\"obs://ma-0b5a3e3"
    "b/code/yolov5s/train.py\",\"command\":\"\",\"parameters\":[{\"name\":\"momentum\",\"value\":"
    "\"0.9\",\"description\":\"momentum of the run\",\"constraint\":{\"type\":\"Float\",\"editabl"
    "e\":true,\"required\":false,\"sensitive\":false,\"valid_type\":\"None\",\"valid_range\":[]},"
    "\"i18n_description\":[{\"language\":\"en-us\",\"description\":\"\"}]},{\"name\":\"epochs\","
    "\"value\":\"90\",\"description\":\"epochs of the run\",\"constraint\":{\"type\":\"Integer\","
    "\"editable\":true,\"required\":false,\"sensitive\":false,\"valid_type\":\"None\",\"valid_ran"
    "ge\":[]},\"i18n_description\":[{\"language\":\"en-us\",\"description\":\"\"}]},{\"name\":\"o"
    "ptimizer\",\"value\":\"adam\",\"description\":\"optimizer of the run\",\"constraint\":{\"typ"
    "e\":\"String\",\"editable\":true,\"required\":false,\"sensitive\":false,\"valid_type\":\"Non"
    "e\",\"valid_range\":[]},\"i18n_description\":[{\"language\":\"en-us\",\"description\":\"\"}]"
    "},{\"name\":\"label_smoothing\",\"value\":\"0.0\",\"description\":\"label smoothing of the r"
    "un\",\"constraint\":{\"type\":\"Float\",\"editable\":true,\"required\":false,\"sensitive\":f"
    "alse,\"valid_type\":\"None\",\"valid_range\":[]},\"i18n_description\":[{\"language\":\"en-us"
    "\",\"description\":\"\"}]},{\"name\":\"num_workers\",\"value\":\"8\",\"description\":\"num w"
    "orkers of the run\",\"constraint\":{\"type\":\"Integer\",\"editable\":true,\"required\":fals"
    "e,\"sensitive\":false,\"valid_type\":\"None\",\"valid_range\":[]},\"i18n_description\":[{\"l"
    "anguage\":\"en-us\",\"description\":\"\"}]},{\"name\":\"batch_size\",\"value\":\"16\",\"desc"
    "ription\":\"batch size of the run\",\"constraint\":{\"type\":\"Integer\",\"editable\":true,"
    "\"required\":false,\"sensitive\":false,\"valid_type\":\"None\",\"valid_range\":[]},\"i18n_de"
    "scription\":[{\"language\":\"en-us\",\"description\":\"\"}]},{\"name\":\"seed\",\"value\":\""
    "0\",\"description\":\"seed of the run\",\"constraint\":{\"type\":\"Integer\",\"editable\":tr"
    "ue,\"required\":false,\"sensitive\":false,\"valid_type\":\"None\",\"valid_range\":[]},\"i18n"
    "_description\":[{\"language\":\"en-us\",\"description\":\"\"}]},{\"name\":\"save_checkpoint_"
    "steps\",\"value\":\"1000\",\"description\":\"save checkpoint steps of the run\",\"constraint"
    "\":{\"type\":\"Integer\",\"editable\":true,\"required\":false,\"sensitive\":false,\"valid_ty"
    "pe\":\"None\",\"valid_range\":[]},\"i18n_description\":[{\"language\":\"en-us\",\"descriptio"
    "n\":\"\"}]},{\"name\":\"amp\",\"value\":\"false\",\"description\":\"amp of the run\",\"const"
    "raint\":{\"type\":\"Boolean\",\"editable\":true,\"required\":false,\"sensitive\":false,\"val"
    "id_type\":\"None\",\"valid_range\":[]},\"i18n_description\":[{\"language\":\"en-us\",\"descr"
    "iption\":\"\"}]}],\"policies\":{},\"inputs\":[{\"name\":\"data_url\",\"description\":\"\",\""
    "local_dir\":\"/home/ma-user/modelarts/inputs/data_url_0\",\"access_method\":\"parameter\",\""
    "remote\":{\"obs\":{\"obs_url\":\"obs://ma-0b5a3e3b/datasets/yolov5s/\"}}}],\"outputs\":[{\"n"
    "ame\":\"train_url\",\"description\":\"\",\"local_dir\":\"/home/ma-user/modelarts/outputs/tra"
    "in_url_0\",\"access_method\":\"parameter\",\"remote\":{\"obs\":{\"obs_url\":\"obs://ma-0b5a3"
    "e3b/output/yolov5s-coco-004103/\"}},\"mode\":\"upload_periodically\",\"period\":30}],\"engin"
    "e\":{\"engine_id\":\"mindspore_1.7.0-cann_5.1.0-py_3.7-euler_2.8.3\",\"engine_name\":\"Ascen"
    "d-Powered-Engine\",\"engine_version\":\"mindspore_1.7.0-cann_5.1.0-py_3.7-euler_2.8.3-aarch6"
    "4\",\"image_url\":\"swr.cn-north-4.myhuaweicloud.com/atelier/mindspore_1_7_0:mindspore_1.7.0"
    "-cann_5.1.0\"},\"local_code_dir\":\"/home/ma-user/modelarts/user-job-dir\",\"working_dir\":"
    "\"/home/ma-user/modelarts/user-job-dir\",\"environments\":{\"MA_SKIP_IMAGE_DETECT\":\"1\",\""
    "NCCL_DEBUG\":\"WARN\"}},\"metadata\":{\"x_sim\":{\"id\":\"nested-decoy\",\"phase\":\"Running"
    "\",\"s\":\"}]\\\"{[\"},\"create_time\":1700000200789,\"annotations\":{\"job_template\":\"Tem"
    "plate DL\",\"key_task\":\"worker-0\",\"fault-tolerance/job-retry-num\":\"2\",\"fault-toleran"
    "ce/job-unconditional-retry\":\"false\",\"jupyter-lab/enable\":\"false\",\"tensorboard/enable"
    "\":\"false\"},\"description\":\"queued \\\\ back\\\\slash\",\"user_name\":\"anna.schmidt\","
    "\"workspace_id\":\"9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e\",\"x_list\":[[],{},[1,[2,[3]]]],\"name"
    "\":\"yolov5s-coco-004103\",\"id\":\"0bcefbe6-a0d4-5e55-af4a-b91add89133a\"},\"status\":{\"ta"
    "sks\":[\"worker-0\"],\"x_list\":[[],{},[1,[2,[3]]]],\"task_statuses\":[],\"node_count_metric"
    "s\":[],\"phase\":\"Pending\",\"start_time\":0,\"duration\":0,\"running_records\":[],\"second"
    "ary_phase\":\"Queuing\",\"x_sim\":{\"id\":\"nested-decoy\",\"phase\":\"Running\",\"s\":\"}]"
    "\\\"{[\"}},\"x_links\":{\"metadata\":{\"id\":\"decoy-id\",\"name\":\"decoy]}\"},\"status\":{"
    "}},\"spec_id\":null,\"kind\":\"hetero_job\"}],\"total\":5059,\"flags\":[true,false,null],\"e"
    "mpty_obj\":{},\"count\":3,\"order\":\"desc\",\"offset\":0,\"group_by\":\"\",\"ai_project\":"
    "\"default-ai-project\",\"items_hint\":{\"items\":[{\"metadata\":{\"id\":\"not-an-item\"}}],"
    "\"total\":-1},\"sort_by\":\"create_time\",\"nested\":{\"a\":{\"b\":{\"c\":{\"d\":[[[\"deep\""
    "]]]}}}},\"limit\":3,\"notice\":\"brackets ] } [ { and \\\"quotes\\\" and \\\\ back\\\\slashe"
    "s\",\"workspace_id\":\"0\"}";

/* Its items filtered, as an independent JSON reader computes them. */
static const char *const sim_page_items[] = {
    "{\"metadata\":{\"name\":\"resnet50-imagenet-004101\",\"workspace_id\":\"0\",\"description\":"
    "\"Nightly fine-tuning of the \\\"vision\\\" team {batch 256} \303\251t\303\251 \342\200\223 "
    "\360\237\230\200\",\"create_time\":1700000000123,\"user_name\":\"ml-platform\",\"id\":\"f0d6"
    "20fd-13e6-5ee9-96cb-ae1265a2cad3\"},\"kind\":\"job\",\"status\":{\"start_time\":170000006046"
    "8,\"duration\":3600000,\"secondary_phase\":\"Running\",\"phase\":\"Running\"}}",
    "{\"metadata\":{\"name\":\"bert-base-squad-004102\",\"user_name\":\"zhang.wei\",\"workspace_i"
    "d\":\"0\",\"description\":\"\",\"id\":\"51ad26aa-8534-56f8-bfd9-0f2993b389b1\",\"create_time"
    "\":1700000100456},\"status\":{\"secondary_phase\":\"Completed\",\"phase\":\"Completed\",\"du"
    "ration\":7260000,\"start_time\":1700000167797},\"kind\":\"job\"}",
    "{\"metadata\":{\"create_time\":1700000200789,\"description\":\"queued \\\\ back\\\\slash\","
    "\"user_name\":\"anna.schmidt\",\"workspace_id\":\"9f2c4e6a8b0d1f3a5c7e9b1d3f5a7c9e\",\"name"
    "\":\"yolov5s-coco-004103\",\"id\":\"0bcefbe6-a0d4-5e55-af4a-b91add89133a\"},\"status\":{\"ph"
    "ase\":\"Pending\",\"start_time\":0,\"duration\":0,\"secondary_phase\":\"Queuing\"},\"kind\":"
    "\"hetero_job\"}",
};

/* ---- item bodies ------------------------------------------------------------------------- */

static char body_buf[4 * 1024 * 1024 + 4096];

/* {"total":1,"items":[item]} in body_buf; returns its length. */
static size_t page_of(const char *item)
{
    return (size_t)snprintf(body_buf, sizeof body_buf, "{\"total\":1,\"items\":[%s]}", item);
}

/* The simulator's padding text: no byte JSON escapes; braces and brackets inside a string. */
static const char filler[] = "lr=0.001;{batch:[32,64]},momentum:0.9;warmup=[0,500]} ";

static size_t put(char *out, const char *text)
{
    size_t n = strlen(text);
    memcpy(out, text, n);
    return n;
}

static size_t put_filler(char *out, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        out[i] = filler[i % (sizeof filler - 1)];
    }
    return n;
}

/* An item of exactly size bytes whose bulk is one padding string, in algorithm.parameters or
 * in metadata.annotations, as the simulator pads items (sim_v2_items.pad()). */
static const char padded_head[] =
    "{\"kind\":\"job\",\"metadata\":{\"id\":\"3faf5c03-aaa1-4cbe-879d-24b05d997347\",\"name\":"
    "\"big\","
    "\"annotations\":{\"job_template\":\"Template DL\",\"sim/padding\":\"";
static const char padded_middle[] =
    "\"},\"create_time\":1636447346315},\"status\":{\"phase\":\"Running\",\"node_count_metrics\":"
    "[[1636447746000,0],[1636447755000,2]],\"duration\":60000},\"algorithm\":{\"id\":\"a1\","
    "\"parameters\":[{\"name\":\"lr\",\"value\":\"0.1\"},{\"name\":\"sim_padding\",\"value\":\"";
static const char padded_tail[] =
    "\",\"constraint\":{\"type\":\"String\",\"editable\":true}}],\"engine\":{\"engine_id\":\"x\"}},"
    "\"spec\":{\"resource\":{\"node_count\":1}}}";
static const char padded_filtered[] =
    "{\"kind\":\"job\",\"metadata\":{\"id\":\"3faf5c03-aaa1-4cbe-879d-24b05d997347\",\"name\":"
    "\"big\","
    "\"create_time\":1636447346315},\"status\":{\"phase\":\"Running\",\"duration\":60000}}";

enum { PAD_IN_PARAMETERS, PAD_IN_ANNOTATIONS };

static size_t padded_item(char *out, size_t size, int place)
{
    size_t pad =
        size - (sizeof padded_head - 1) - (sizeof padded_middle - 1) - (sizeof padded_tail - 1);
    size_t at = put(out, padded_head);
    if (place == PAD_IN_ANNOTATIONS) {
        at += put_filler(out + at, pad);
    }
    at += put(out + at, padded_middle);
    if (place == PAD_IN_PARAMETERS) {
        at += put_filler(out + at, pad);
    }
    at += put(out + at, padded_tail);
    return at;
}

/* {"total":n,"items":[n padded items of item_size bytes]} in body_buf. */
static size_t padded_page(unsigned n, size_t item_size, int place)
{
    size_t at = (size_t)sprintf(body_buf, "{\"total\":%u,\"count\":%u,\"items\":[", n, n);
    unsigned i;
    for (i = 0; i < n; i++) {
        if (i > 0) {
            body_buf[at++] = ',';
        }
        at += padded_item(body_buf + at, item_size, place);
    }
    at += put(body_buf + at, "],\"limit\":50}");
    return at;
}

/* ---- the documented and simulated pages -------------------------------------------------- */

static void documented_sample_gives_total_and_its_filtered_item(void **state)
{
    outcome_t *o = &whole_run;
    (void)state;

    run(doc_sample, o);
    assert_int_equal(o->feed_status, JOB_STREAM_OK);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->has_jobs, 1);
    assert_int_equal(o->has_job_total_count, 1);
    assert_true(o->job_total_count == 5059);
    /* count, limit and the rest are not v1's fields under other names */
    assert_int_equal(o->has_job_count_limit, 0);
    assert_int_equal(o->has_quotas, 0);
    assert_int_equal(o->is_success, -1);
    assert_string_equal(o->error_code, "");
    assert_string_equal(o->error_message, "");
    assert_int_equal(o->items, 1);
    assert_int_equal(o->jobs_seen, 1);
    assert_items_well_made(o);
    assert_int_equal(o->items_text_len, strlen(doc_sample_item) + 1);
    assert_memory_equal(o->items_text, doc_sample_item, strlen(doc_sample_item));
}

static void simulator_page_gives_exactly_the_kept_members_of_each_item(void **state)
{
    outcome_t *o = &whole_run;
    char expected[4096];
    size_t at = 0;
    size_t i;
    (void)state;

    for (i = 0; i < sizeof sim_page_items / sizeof sim_page_items[0]; i++) {
        at += (size_t)snprintf(expected + at, sizeof expected - at, "%s\n", sim_page_items[i]);
    }
    run(sim_page, o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->items, 3);
    assert_items_well_made(o);
    assert_items(o, expected);
    assert_true(o->job_total_count == 5059);
    assert_int_equal(o->is_success, -1);
    /* the page is 16 KB; each item's copy is a few hundred bytes */
    assert_true(strlen(sim_page) > 10 * M2M_JOB_MAX);
    assert_true(o->longest_item < 512);
}

static void every_split_of_a_page_gives_the_same_items(void **state)
{
    (void)state;

    assert_split_invariant(doc_sample, strlen(doc_sample));
    assert_split_invariant(error_body, strlen(error_body));
    /* The simulated page (16 KB): split at every boundary, in random pieces and in reads. */
    assert_split_invariant(sim_page, strlen(sim_page));
    assert_piece_invariant(sim_page, strlen(sim_page), 40);
    {
        job_stream_t *s = &stream;
        size_t len = strlen(sim_page);
        size_t at;
        memset(&other_run, 0, sizeof other_run);
        job_stream_init_api(s, JOB_STREAM_V2, collect_item, &other_run);
        for (at = 0; at < len; at += M2M_RECV_CHUNK) {
            size_t n = len - at < M2M_RECV_CHUNK ? len - at : M2M_RECV_CHUNK;
            assert_int_equal(job_stream_feed(s, (const uint8_t *)sim_page + at, n), JOB_STREAM_OK);
        }
        assert_int_equal(job_stream_finish(s), JOB_STREAM_OK);
        assert_int_equal(other_run.items_text_len, whole_run.items_text_len);
        assert_memory_equal(other_run.items_text, whole_run.items_text, whole_run.items_text_len);
    }
}

/* ---- what an item keeps ------------------------------------------------------------------ */

typedef struct {
    const char *item;     /* one element of "items" */
    const char *filtered; /* what the handler receives */
} filter_case_t;

static const filter_case_t filter_cases[] = {
    /* nothing kept */
    {"{}", "{}"},
    {" { \n } ", "{}"},
    {"{\"algorithm\":{\"parameters\":[{\"name\":\"lr\",\"value\":\"0.1\"}]}}", "{}"},
    {"{\"spec\":1,\"endpoints\":null,\"tasks\":[],\"count\":-0.5e-3,\"free\":false}", "{}"},
    /* a skipped first member leaves no leading comma, a skipped last one no trailing comma */
    {"{\"algorithm\":{\"a\":[1,{\"b\":\"}\"}]},\"kind\":\"job\"}", "{\"kind\":\"job\"}"},
    {"{\"kind\":\"job\",\"spec\":{\"resource\":{\"node_count\":1}}}", "{\"kind\":\"job\"}"},
    {"{\"a\":1,\"b\":[2],\"kind\":\"x\",\"c\":{},\"d\":\"e\"}", "{\"kind\":\"x\"}"},
    {"{\"kind\":\"job\",\"algorithm\":{},\"endpoints\":[],\"status\":{\"phase\":\"Running\"}}",
     "{\"kind\":\"job\",\"status\":{\"phase\":\"Running\"}}"},
    /* a kept metadata or status that keeps nothing */
    {"{\"metadata\":{\"annotations\":{\"a\":\"b\"}},\"status\":{}}",
     "{\"metadata\":{},\"status\":{}}"},
    {"{\"status\":{\"node_count_metrics\":[[1636447746000,0]],\"tasks\":[\"worker-0\"],"
     "\"task_statuses\":[{\"task\":\"worker-0\",\"exit_code\":0,\"message\":\"\"}],"
     "\"running_records\":[{\"start_at\":1,\"end_at\":0,\"end_reason\":\"\"}]}}",
     "{\"status\":{}}"},
    /* inside them: skipped first, middle and last members; containers dropped */
    {"{\"metadata\":{\"annotations\":{\"k\":\"v\"},\"id\":\"u\",\"labels\":[1],\"name\":\"n\","
     "\"extra\":null}}",
     "{\"metadata\":{\"id\":\"u\",\"name\":\"n\"}}"},
    {"{\"status\":{\"phase\":{\"a\":1},\"secondary_phase\":[\"x\"],\"duration\":5,"
     "\"start_time\":{}}}",
     "{\"status\":{\"duration\":5}}"},
    {"{\"metadata\":{\"id\":\"1\",\"name\":\"2\",\"description\":\"3\",\"create_time\":4,"
     "\"workspace_id\":\"5\",\"user_name\":\"6\"},\"status\":{\"phase\":\"7\","
     "\"secondary_phase\":\"8\",\"duration\":9,\"start_time\":10}}",
     "{\"metadata\":{\"id\":\"1\",\"name\":\"2\",\"description\":\"3\",\"create_time\":4,"
     "\"workspace_id\":\"5\",\"user_name\":\"6\"},\"status\":{\"phase\":\"7\","
     "\"secondary_phase\":\"8\",\"duration\":9,\"start_time\":10}}"},
    /* kind, metadata and status of another type are skipped */
    {"{\"kind\":{\"a\":1},\"metadata\":\"m\",\"status\":[{\"phase\":\"Running\"}]}", "{}"},
    {"{\"metadata\":null,\"status\":7,\"kind\":[\"job\"]}", "{}"},
    /* scalars of every type, kept as written */
    {"{\"kind\":null,\"metadata\":{\"create_time\":-1.5E+3,\"name\":true,\"description\":false,"
     "\"id\":0,\"user_name\":null}}",
     "{\"kind\":null,\"metadata\":{\"create_time\":-1.5E+3,\"name\":true,\"description\":false,"
     "\"id\":0,\"user_name\":null}}"},
    {"{\"kind\":7,\"status\":{\"duration\":-0,\"start_time\":1e-7}}",
     "{\"kind\":7,\"status\":{\"duration\":-0,\"start_time\":1e-7}}"},
    /* whitespace anywhere: the copy is compact */
    {" {\n \"kind\" :\t\"job\" ,\r\n \"metadata\" : { \"id\" : \"a\" , \"x\" : [ 1 , 2 ] } ,"
     " \"status\" : { \"duration\" : 12 } } ",
     "{\"kind\":\"job\",\"metadata\":{\"id\":\"a\"},\"status\":{\"duration\":12}}"},
    /* escapes in kept strings are kept; skipped strings hold quotes, brackets, escapes */
    {"{\"x\":\"\\\"}]\\\\\",\"metadata\":{\"description\":\"a\\\"b\\\\c\\/"
     "d\\n\\u00e9\\ud83d\\ude00 "
     "{[}]\",\"y\":\"\\u007d\\\"\"},\"z\":[\"]\",\"}\"]}",
     "{\"metadata\":{\"description\":\"a\\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00 {[}]\"}}"},
    {"{\"metadata\":{\"name\":\"\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80\"}}",
     "{\"metadata\":{\"name\":\"\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80\"}}"},
    /* duplicate keys are all kept, in order */
    {"{\"kind\":\"a\",\"kind\":\"b\",\"metadata\":{\"id\":\"1\",\"id\":\"2\"},\"metadata\":{}}",
     "{\"kind\":\"a\",\"kind\":\"b\",\"metadata\":{\"id\":\"1\",\"id\":\"2\"},\"metadata\":{}}"},
    /* kept names at another level are other members */
    {"{\"id\":\"x\",\"phase\":\"Running\",\"name\":\"n\",\"metadata\":{\"phase\":\"P\","
     "\"kind\":\"k\",\"status\":{}},\"status\":{\"id\":\"i\",\"name\":\"n\",\"metadata\":{}}}",
     "{\"metadata\":{},\"status\":{}}"},
    /* decoys inside skipped members */
    {"{\"algorithm\":{\"kind\":\"x\",\"metadata\":{\"id\":\"decoy\"}},\"x_links\":{\"metadata\":"
     "{\"id\":\"d\"},\"status\":{}},\"metadata\":{\"annotations\":{\"id\":\"z\"},\"x_sim\":"
     "{\"id\":\"nested\",\"phase\":\"Running\"}}}",
     "{\"metadata\":{}}"},
    /* prefixes and extensions of kept names are other names */
    {"{\"kin\":1,\"kinds\":2,\"Kind\":3,\"metadata\":{\"ids\":1,\"i\":2,\"user\":3,\"name \":4},"
     "\"status\":{\"phases\":1,\"start\":2,\"\":3}}",
     "{\"metadata\":{},\"status\":{}}"},
    /* escaped keys are matched, and written, decoded */
    {"{\"\\u006bind\":\"job\",\"metad\\u0061ta\":{\"n\\u0061me\":\"x\",\"\\u0069\\u0064\":\"y\"},"
     "\"st\\u0061tus\":{\"ph\\u0061se\":\"R\"}}",
     "{\"kind\":\"job\",\"metadata\":{\"name\":\"x\",\"id\":\"y\"},\"status\":{\"phase\":\"R\"}}"},
    {"{\"\\u0061lgorithm\":{\"kind\":1},\"ki\\nd\":2}", "{}"},
    /* ... unless the raw key is over 24 bytes: then it is an unknown one */
    {"{\"status\":{\"\\u0073\\u0065\\u0063\\u006fndary_phase\":\"x\",\"secondary_phase\":\"y\"}}",
     "{\"status\":{\"secondary_phase\":\"y\"}}"},
    /* empty strings */
    {"{\"\":1,\"kind\":\"\",\"metadata\":{\"\":\"\",\"name\":\"\"}}",
     "{\"kind\":\"\",\"metadata\":{\"name\":\"\"}}"},
};

static void each_item_keeps_only_its_kept_members(void **state)
{
    char expected[2048];
    size_t i;
    (void)state;

    for (i = 0; i < sizeof filter_cases / sizeof filter_cases[0]; i++) {
        const filter_case_t *c = &filter_cases[i];
        size_t len = page_of(c->item);
        run_feed(body_buf, len, whole, &whole_run);
        if (whole_run.finish_status != JOB_STREAM_OK || whole_run.items != 1 ||
            whole_run.items_text_len != strlen(c->filtered) + 1 ||
            memcmp(whole_run.items_text, c->filtered, whole_run.items_text_len - 1) != 0) {
            print_error("case %zu: %s -> %s (%.*s)\n", i, c->item,
                        job_stream_strerror(whole_run.finish_status), (int)whole_run.items_text_len,
                        whole_run.items_text);
        }
        assert_int_equal(whole_run.finish_status, JOB_STREAM_OK);
        assert_int_equal(whole_run.items, 1);
        snprintf(expected, sizeof expected, "%s\n", c->filtered);
        assert_items(&whole_run, expected);
        assert_split_invariant(body_buf, len);
    }
}

static void items_of_every_case_in_one_page_are_handed_out_in_order(void **state)
{
    char expected[8192];
    size_t at = (size_t)sprintf(body_buf, "{\"items\":[");
    size_t e = 0;
    size_t i;
    (void)state;

    for (i = 0; i < sizeof filter_cases / sizeof filter_cases[0]; i++) {
        at += (size_t)sprintf(body_buf + at, "%s%s", i ? "," : "", filter_cases[i].item);
        e += (size_t)snprintf(expected + e, sizeof expected - e, "%s\n", filter_cases[i].filtered);
    }
    at += (size_t)sprintf(body_buf + at, "],\"total\":%zu}", i);
    assert_piece_invariant(body_buf, at, 20);
    assert_int_equal(whole_run.finish_status, JOB_STREAM_OK);
    assert_int_equal(whole_run.items, i);
    assert_items(&whole_run, expected);
}

/* ---- item size --------------------------------------------------------------------------- */

static void items_of_64_kb_and_more_are_filtered_to_their_kept_members(void **state)
{
    static const size_t sizes[] = {64 * 1024, 64 * 1024 + 1, 1024 * 1024};
    char expected[1024];
    size_t i;
    int place;
    (void)state;

    snprintf(expected, sizeof expected, "%s\n", padded_filtered);
    for (place = PAD_IN_PARAMETERS; place <= PAD_IN_ANNOTATIONS; place++) {
        for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            size_t len = padded_page(1, sizes[i], place);
            assert_true(len > sizes[i]);
            run_feed(body_buf, len, whole, &whole_run);
            assert_int_equal(whole_run.finish_status, JOB_STREAM_OK);
            assert_items_well_made(&whole_run);
            assert_items(&whole_run, expected);
            assert_true(whole_run.job_total_count == 1);
            run_feed(body_buf, len, bytewise, &other_run);
            assert_same_outcome(&whole_run, &other_run);
            run_feed(body_buf, len, random_pieces(M2M_RECV_CHUNK, (uint32_t)i), &other_run);
            assert_same_outcome(&whole_run, &other_run);
        }
    }
}

static void memory_does_not_grow_with_item_or_page_size(void **state)
{
    static const unsigned pages[] = {1, 10, 50};
    char expected[1024];
    size_t i;
    (void)state;

    /* The context is one fixed size: one job buffer and a bit per nesting level. */
    assert_true(sizeof(job_stream_t) < M2M_JOB_MAX + 512);
    snprintf(expected, sizeof expected, "%s\n", padded_filtered);
    for (i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        /* 50 items of 64 KB: a page of 3.2 MB through a context of 2 KB */
        size_t len = padded_page(pages[i], 64 * 1024, (int)(i & 1));
        job_stream_t *s = &stream;
        size_t at;
        memset(&whole_run, 0, sizeof whole_run);
        job_stream_init_api(s, JOB_STREAM_V2, collect_item, &whole_run);
        for (at = 0; at < len; at += M2M_RECV_CHUNK) {
            size_t n = len - at < M2M_RECV_CHUNK ? len - at : M2M_RECV_CHUNK;
            assert_int_equal(job_stream_feed(s, (const uint8_t *)body_buf + at, n), JOB_STREAM_OK);
        }
        assert_int_equal(job_stream_finish(s), JOB_STREAM_OK);
        assert_int_equal(whole_run.items, pages[i]);
        assert_int_equal(s->jobs_seen, pages[i]);
        assert_true(s->job_total_count == pages[i]);
        assert_items_well_made(&whole_run);
        assert_int_equal(whole_run.items_text_len, pages[i] * strlen(expected));
        assert_memory_equal(whole_run.items_text + whole_run.items_text_len - strlen(expected),
                            expected, strlen(expected));
    }
}

/* {"items":[{"algorithm":{64 KB},"metadata":{"description":"ddd..."}}]} whose filtered item
 * is exactly size bytes. */
static const char long_text_head[] = "{\"metadata\":{\"description\":\"";
static const char long_text_tail[] = "\"}}";

static size_t item_keeping_bytes(size_t size)
{
    size_t text = size - (sizeof long_text_head - 1) - (sizeof long_text_tail - 1);
    size_t at = put(body_buf, "{\"items\":[{\"algorithm\":{\"command\":\"");
    at += put_filler(body_buf + at, 64 * 1024);
    at += put(body_buf + at, "\"},");
    at += put(body_buf + at, long_text_head + 1);
    memset(body_buf + at, 'd', text);
    at += text;
    at += put(body_buf + at, long_text_tail);
    at += put(body_buf + at, "]}");
    return at;
}

static void kept_members_over_the_job_buffer_are_too_large(void **state)
{
    size_t extra;
    size_t len;
    (void)state;

    /* Exactly M2M_JOB_MAX bytes kept (the 64 KB skipped around them do not count). */
    len = item_keeping_bytes(M2M_JOB_MAX);
    run_feed(body_buf, len, whole, &whole_run);
    assert_int_equal(whole_run.finish_status, JOB_STREAM_OK);
    assert_int_equal(whole_run.longest_item, M2M_JOB_MAX);
    assert_items_well_made(&whole_run);
    run_feed(body_buf, len, bytewise, &other_run);
    assert_same_outcome(&whole_run, &other_run);

    /* One to four bytes more: the copy overflows in the text, at its quote, at the closing
     * brace of metadata, or at that of the item. */
    for (extra = 1; extra <= 4; extra++) {
        len = item_keeping_bytes(M2M_JOB_MAX + extra);
        run_feed(body_buf, len, whole, &whole_run);
        assert_int_equal(whole_run.feed_status, JOB_STREAM_ERR_JOB_TOO_LARGE);
        assert_int_equal(whole_run.finish_status, JOB_STREAM_ERR_JOB_TOO_LARGE);
        assert_int_equal(whole_run.items, 0);
        run_feed(body_buf, len, bytewise, &other_run);
        assert_same_outcome(&whole_run, &other_run);
    }
}

static void kept_numbers_literals_and_heads_count_against_the_job_buffer(void **state)
{
    size_t at;
    size_t digits;
    unsigned i;
    (void)state;

    /* A number: {"status":{"duration":1000...}} of M2M_JOB_MAX bytes, then one more digit. */
    for (digits = 0; digits <= 1; digits++) {
        size_t n = M2M_JOB_MAX - strlen("{\"status\":{\"duration\":}}") + digits;
        at = put(body_buf, "{\"items\":[{\"status\":{\"duration\":1");
        memset(body_buf + at, '0', n - 1);
        at += n - 1;
        at += put(body_buf + at, "}}]}");
        run_feed(body_buf, at, whole, &whole_run);
        assert_int_equal(whole_run.finish_status,
                         digits ? JOB_STREAM_ERR_JOB_TOO_LARGE : JOB_STREAM_OK);
        run_feed(body_buf, at, bytewise, &other_run);
        assert_same_outcome(&whole_run, &other_run);
    }
    /* Duplicate "kind":null members (12 bytes each with the comma) until the copy overflows,
     * in a literal or in a member's head. */
    for (i = 125; i <= 130; i++) {
        unsigned k;
        size_t kept = 1 + 11 * (size_t)i + (i - 1) + 1;
        at = put(body_buf, "{\"items\":[{");
        for (k = 0; k < i; k++) {
            at += put(body_buf + at, k ? ",\"kind\":null" : "\"kind\":null");
        }
        at += put(body_buf + at, "}]}");
        run_feed(body_buf, at, whole, &whole_run);
        assert_int_equal(whole_run.finish_status,
                         kept <= M2M_JOB_MAX ? JOB_STREAM_OK : JOB_STREAM_ERR_JOB_TOO_LARGE);
        if (kept <= M2M_JOB_MAX) {
            assert_int_equal(whole_run.longest_item, kept);
        }
        run_feed(body_buf, at, bytewise, &other_run);
        assert_same_outcome(&whole_run, &other_run);
    }
}

/* ---- nesting ----------------------------------------------------------------------------- */

/* An item whose skipped member (in the item, or in its kept metadata) nests containers down to
 * exactly `depth` (the top-level object is 1), with a string of brackets at the bottom. */
static size_t nested_item_body(unsigned depth, int in_metadata)
{
    unsigned first = in_metadata ? 5 : 4; /* the depth of the first container opened below */
    unsigned d;
    size_t at =
        put(body_buf, in_metadata ? "{\"items\":[{\"metadata\":{\"id\":\"i\",\"annotations\":"
                                  : "{\"items\":[{\"kind\":\"job\",\"algorithm\":");
    for (d = first; d <= depth; d++) {
        at += put(body_buf + at, (d & 1) ? "[" : "{\"k\":");
    }
    at += put(body_buf + at, "\"}]{[\"");
    for (d = depth; d >= first; d--) {
        body_buf[at++] = (d & 1) ? ']' : '}';
    }
    at += put(body_buf + at, in_metadata ? ",\"name\":\"n\"}}]}" : ",\"kind\":\"k\"}]}");
    return at;
}

static void nesting_in_skipped_parts_is_bounded(void **state)
{
    int in_metadata;
    (void)state;

    for (in_metadata = 0; in_metadata <= 1; in_metadata++) {
        size_t len = nested_item_body(M2M_JSON_DEPTH_MAX, in_metadata);
        run_feed(body_buf, len, whole, &whole_run);
        assert_int_equal(whole_run.finish_status, JOB_STREAM_OK);
        assert_items(&whole_run, in_metadata ? "{\"metadata\":{\"id\":\"i\",\"name\":\"n\"}}\n"
                                             : "{\"kind\":\"job\",\"kind\":\"k\"}\n");
        assert_split_invariant(body_buf, len);

        len = nested_item_body(M2M_JSON_DEPTH_MAX + 1, in_metadata);
        run_feed(body_buf, len, whole, &whole_run);
        assert_int_equal(whole_run.feed_status, JOB_STREAM_ERR_TOO_DEEP);
        assert_int_equal(whole_run.finish_status, JOB_STREAM_ERR_TOO_DEEP);
        assert_int_equal(whole_run.items, 0);
        run_feed(body_buf, len, bytewise, &other_run);
        assert_same_outcome(&whole_run, &other_run);
    }
}

/* ---- top-level fields -------------------------------------------------------------------- */

static void error_body_gives_code_and_message(void **state)
{
    outcome_t *o = &whole_run;
    (void)state;

    run(error_body, o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_string_equal(o->error_code, "ModelArts.2788");
    assert_string_equal(o->error_message, "Invalid parameter: limit must be in [1, 50].");
    assert_int_equal(o->has_jobs, 0);
    assert_int_equal(o->has_job_total_count, 0);
    assert_int_equal(o->is_success, -1);
    assert_int_equal(o->items, 0);

    run("{\"error_message\":\"\\u00e9 \\\"x\\\"\",\"error_code\":\"APIG.0308\"}", o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_string_equal(o->error_code, "APIG.0308");
    assert_string_equal(o->error_message, "\xC3\xA9 \"x\"");
}

/* The job buffer holds the items, then error text read after them: the text is only itself. */
static void error_text_after_the_list_is_only_the_text(void **state)
{
    static const char v2_body[] =
        "{\"items\":[{\"kind\":\"job\",\"metadata\":{\"description\":\"kept text\"}}],"
        "\"error_msg\":\"after \\u00e9\",\"error_code\":\"ModelArts.0010\"}";
    static const char v1_body[] =
        "{\"jobs\":[{\"job_id\":1,\"job_name\":\"a job\"}],\"error_message\":\"after\","
        "\"error_code\":\"ModelArts.0105\"}";
    outcome_t *o = &whole_run;
    (void)state;

    run(v2_body, o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->items, 1);
    assert_string_equal(o->error_message, "after \xC3\xA9");
    assert_string_equal(o->error_code, "ModelArts.0010");
    assert_split_invariant(v2_body, strlen(v2_body));

    run_api(JOB_STREAM_V1, v1_body, strlen(v1_body), whole, o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->items, 1);
    assert_string_equal(o->error_message, "after");
    assert_string_equal(o->error_code, "ModelArts.0105");
}

static void total_is_an_exact_integer_and_the_last_one_wins(void **state)
{
    outcome_t *o = &whole_run;
    (void)state;

    run("{\"total\":9223372036854775807,\"items\":[]}", o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->has_job_total_count, 1);
    assert_true(o->job_total_count == INT64_MAX);
    assert_int_equal(o->has_jobs, 1);
    assert_int_equal(o->items, 0);

    run("{\"total\":3,\"total\":\"5\"}", o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->has_job_total_count, 0);
    run("{\"total\":null,\"total\":-2}", o);
    assert_int_equal(o->has_job_total_count, 1);
    assert_true(o->job_total_count == -2);

    run("{\"total\":1.5}", o);
    assert_int_equal(o->finish_status, JOB_STREAM_ERR_NUMBER);
    run("{\"total\":9223372036854775808}", o);
    assert_int_equal(o->finish_status, JOB_STREAM_ERR_NUMBER);
}

static void null_items_is_absent(void **state)
{
    outcome_t *o = &whole_run;
    (void)state;

    run("{\"items\":null,\"total\":0}", o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->has_jobs, 0);
    assert_int_equal(o->jobs_seen, 0);
}

static void each_api_reads_only_its_own_fields(void **state)
{
    static const char v1_fields[] =
        "{\"is_success\":true,\"jobs\":[{\"job_id\":1,\"status\":7}],\"job_total_count\":3,"
        "\"job_count_limit\":4,\"quotas\":5,\"error_code\":\"E\",\"items\":[{\"kind\":\"job\"}]}";
    static const char v2_fields[] = "{\"total\":5,\"items\":[{\"kind\":\"job\"}]}";
    outcome_t *o = &whole_run;
    (void)state;

    /* v2 takes "items" and the errors, nothing of v1's */
    run(v1_fields, o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->is_success, -1);
    assert_int_equal(o->has_job_total_count, 0);
    assert_int_equal(o->has_job_count_limit, 0);
    assert_int_equal(o->has_quotas, 0);
    assert_string_equal(o->error_code, "E");
    assert_items(o, "{\"kind\":\"job\"}\n");

    /* v1 takes "jobs" (raw), never "items" or "total" */
    run_api(JOB_STREAM_V1, v1_fields, strlen(v1_fields), whole, o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->is_success, 1);
    assert_int_equal(o->has_quotas, 1);
    assert_items(o, "{\"job_id\":1,\"status\":7}\n");
    run_api(JOB_STREAM_V1, v2_fields, strlen(v2_fields), whole, o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->has_jobs, 0);
    assert_int_equal(o->has_job_total_count, 0);
    assert_int_equal(o->items, 0);

    /* job_stream_init() is the v1 reader; an unknown API value reads v1 too */
    job_stream_init(&stream, NULL, NULL);
    assert_int_equal(job_stream_feed(&stream, (const uint8_t *)v1_fields, strlen(v1_fields)),
                     JOB_STREAM_OK);
    assert_int_equal(job_stream_finish(&stream), JOB_STREAM_OK);
    assert_int_equal(stream.jobs_seen, 1);
    assert_int_equal(stream.is_success, 1);
    run_api((job_stream_api_t)7, v2_fields, strlen(v2_fields), whole, o);
    assert_int_equal(o->finish_status, JOB_STREAM_OK);
    assert_int_equal(o->has_jobs, 0);
}

/* ---- errors ------------------------------------------------------------------------------ */

#define WITH_NUL(text) text, sizeof(text) - 1

typedef struct {
    const char *body;
    size_t len; /* 0: strlen(body) */
    job_stream_status_t expected;
} error_case_t;

static const error_case_t error_cases[] = {
    /* ERR_JOBS_NOT_ARRAY */
    {"{\"items\":{}}", 0, JOB_STREAM_ERR_JOBS_NOT_ARRAY},
    {"{\"items\":{\"kind\":\"job\"}}", 0, JOB_STREAM_ERR_JOBS_NOT_ARRAY},
    {"{\"items\":\"[]\"}", 0, JOB_STREAM_ERR_JOBS_NOT_ARRAY},
    {"{\"items\":1}", 0, JOB_STREAM_ERR_JOBS_NOT_ARRAY},
    {"{\"items\":true}", 0, JOB_STREAM_ERR_JOBS_NOT_ARRAY},
    {"{\"items\":false}", 0, JOB_STREAM_ERR_JOBS_NOT_ARRAY},
    /* ERR_JOB_NOT_OBJECT */
    {"{\"items\":[1]}", 0, JOB_STREAM_ERR_JOB_NOT_OBJECT},
    {"{\"items\":[[]]}", 0, JOB_STREAM_ERR_JOB_NOT_OBJECT},
    {"{\"items\":[\"{}\"]}", 0, JOB_STREAM_ERR_JOB_NOT_OBJECT},
    {"{\"items\":[null]}", 0, JOB_STREAM_ERR_JOB_NOT_OBJECT},
    {"{\"items\":[{\"kind\":\"job\"}, true]}", 0, JOB_STREAM_ERR_JOB_NOT_OBJECT},
    {"{\"items\":[{},[{\"kind\":\"job\"}]]}", 0, JOB_STREAM_ERR_JOB_NOT_OBJECT},
    /* ERR_SYNTAX in kept and skipped parts alike */
    {"{\"items\":[{\"algorithm\":\"\x01\"}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{\"kind\":\"a\x1f\"}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{\"metadata\":{\"annotations\":{\"a\":\"x\ny\"}}}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{\"spec\":\"\\q\"}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{\"spec\":\"\\u12G4\"}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{\"ki\\x\":1}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{\"kind\":\"job\",}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{\"spec\":[1,]}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{\"spec\":{\"a\":[}}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{\"spec\":{\"a\":1]}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{\"kind\" \"job\"}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{\"kind\":}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{\"kind\":\"job\" \"x\"}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{\"spec\":tru}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{\"kind\":nul}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{\"status\":{\"duration\":01}}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{\"status\":{\"duration\":1.}}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{\"kind\":'job'}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{kind:1}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{}{}]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{},]}", 0, JOB_STREAM_ERR_SYNTAX},
    {"{\"items\":[{}}", 0, JOB_STREAM_ERR_SYNTAX},
    {WITH_NUL("{\"items\":[{\"kind\":\"a\0\"}]}"), JOB_STREAM_ERR_SYNTAX},
    {WITH_NUL("{\"items\":[{\"spec\":1\0}]}"), JOB_STREAM_ERR_SYNTAX},
    {WITH_NUL("{\"items\":[{\0}]}"), JOB_STREAM_ERR_SYNTAX},
    /* ERR_TRAILING, ERR_NOT_OBJECT */
    {"{\"items\":[]} {}", 0, JOB_STREAM_ERR_TRAILING},
    {"[{\"kind\":\"job\"}]", 0, JOB_STREAM_ERR_NOT_OBJECT},
    /* ERR_TRUNCATED */
    {"{\"items\":[", 0, JOB_STREAM_ERR_TRUNCATED},
    {"{\"items\":[{\"kind\":\"job\"}", 0, JOB_STREAM_ERR_TRUNCATED},
    {"{\"items\":[{\"kind\":\"jo", 0, JOB_STREAM_ERR_TRUNCATED},
    {"{\"items\":[{\"metadata\":{\"create_time\":12", 0, JOB_STREAM_ERR_TRUNCATED},
    {"{\"items\":[{\"kind\":tr", 0, JOB_STREAM_ERR_TRUNCATED},
    {"{\"items\":[{\"algorithm\":{\"a\":[\"\\u00", 0, JOB_STREAM_ERR_TRUNCATED},
};

static void hostile_bodies_give_their_specific_error(void **state)
{
    size_t i;
    (void)state;

    for (i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
        const error_case_t *c = &error_cases[i];
        size_t len = c->len ? c->len : strlen(c->body);
        run_feed(c->body, len, whole, &whole_run);
        if (whole_run.finish_status != c->expected) {
            print_error("case %zu: got \"%s\", expected \"%s\"\n", i,
                        job_stream_strerror(whole_run.finish_status),
                        job_stream_strerror(c->expected));
        }
        assert_int_equal(whole_run.finish_status, c->expected);
        if (c->expected != JOB_STREAM_ERR_TRUNCATED) {
            assert_int_equal(whole_run.feed_status, c->expected);
        }
        assert_split_invariant(c->body, len);
    }
}

static void a_body_cut_at_any_point_is_truncated(void **state)
{
    const char *bodies[] = {doc_sample, error_body, sim_page};
    size_t b;
    (void)state;

    for (b = 0; b < sizeof bodies / sizeof bodies[0]; b++) {
        const char *body = bodies[b];
        size_t full = strlen(body);
        size_t complete = (size_t)(strrchr(body, '}') - body) + 1;
        size_t stride = full > 4096 ? 7 : 1; /* the 16 KB page: every 7th cut */
        size_t cut;
        for (cut = 0; cut < complete; cut += stride) {
            run_feed(body, cut, whole, &whole_run);
            assert_int_equal(whole_run.feed_status, JOB_STREAM_OK);
            assert_int_equal(whole_run.finish_status, JOB_STREAM_ERR_TRUNCATED);
            assert_items_well_made(&whole_run);
        }
        for (cut = complete; cut <= full; cut++) {
            run_feed(body, cut, whole, &whole_run);
            assert_int_equal(whole_run.finish_status, JOB_STREAM_OK);
        }
    }
}

static void handler_can_stop_the_stream(void **state)
{
    outcome_t *o = &whole_run;
    (void)state;

    o->stop_after = 2;
    run_feed(sim_page, strlen(sim_page), whole, o);
    assert_int_equal(o->feed_status, JOB_STREAM_ERR_CALLBACK);
    assert_int_equal(o->finish_status, JOB_STREAM_ERR_CALLBACK);
    assert_int_equal(stream.callback_result, 7);
    assert_int_equal(o->items, 2);
    assert_int_equal(job_stream_feed(&stream, (const uint8_t *)"}", 1), JOB_STREAM_ERR_STATE);
    o->stop_after = 0;
}

static void items_are_counted_without_a_handler(void **state)
{
    (void)state;

    job_stream_init_api(&stream, JOB_STREAM_V2, NULL, NULL);
    assert_int_equal(job_stream_feed(&stream, (const uint8_t *)sim_page, strlen(sim_page)),
                     JOB_STREAM_OK);
    assert_int_equal(job_stream_finish(&stream), JOB_STREAM_OK);
    assert_int_equal(stream.jobs_seen, 3);
}

/* The checks of the handed-out items can fail: they refuse what the filter must never give.
 * jsmn lets some invalid JSON through (a trailing comma); reading an item again does not. */
static void the_item_checks_refuse_what_the_filter_must_not_give(void **state)
{
    static const char *const unkept[] = {
        "{\"algorithm\":{}}",
        "{\"kind\":{}}",
        "{\"metadata\":{\"tasks\":1}}",
        "{\"status\":{\"id\":\"x\"}}",
        "{\"metadata\":[]}",
        "{\"status\":{\"phase\":[1]}}",
        "{\"kind\":\"job\"} ",
        "[]",
    };
    static const char *const not_refiltered[] = {
        "{\"kind\":\"job\",}",
        "{\"kind\" : \"job\"}",
        "{\"kind\":\"job\",\"spec\":1}",
        "{\"\\u006bind\":1}",
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof unkept / sizeof unkept[0]; i++) {
        assert_int_not_equal(check_filtered_item(unkept[i], strlen(unkept[i])), 0);
    }
    for (i = 0; i < sizeof not_refiltered / sizeof not_refiltered[0]; i++) {
        assert_false(refilters_to_itself(not_refiltered[i], strlen(not_refiltered[i])));
    }
    assert_int_equal(check_filtered_item(doc_sample_item, strlen(doc_sample_item)), 0);
    assert_true(refilters_to_itself(doc_sample_item, strlen(doc_sample_item)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(documented_sample_gives_total_and_its_filtered_item),
        cmocka_unit_test(simulator_page_gives_exactly_the_kept_members_of_each_item),
        cmocka_unit_test(every_split_of_a_page_gives_the_same_items),
        cmocka_unit_test(each_item_keeps_only_its_kept_members),
        cmocka_unit_test(items_of_every_case_in_one_page_are_handed_out_in_order),
        cmocka_unit_test(items_of_64_kb_and_more_are_filtered_to_their_kept_members),
        cmocka_unit_test(memory_does_not_grow_with_item_or_page_size),
        cmocka_unit_test(kept_members_over_the_job_buffer_are_too_large),
        cmocka_unit_test(kept_numbers_literals_and_heads_count_against_the_job_buffer),
        cmocka_unit_test(nesting_in_skipped_parts_is_bounded),
        cmocka_unit_test(error_body_gives_code_and_message),
        cmocka_unit_test(error_text_after_the_list_is_only_the_text),
        cmocka_unit_test(total_is_an_exact_integer_and_the_last_one_wins),
        cmocka_unit_test(null_items_is_absent),
        cmocka_unit_test(each_api_reads_only_its_own_fields),
        cmocka_unit_test(hostile_bodies_give_their_specific_error),
        cmocka_unit_test(a_body_cut_at_any_point_is_truncated),
        cmocka_unit_test(handler_can_stop_the_stream),
        cmocka_unit_test(items_are_counted_without_a_handler),
        cmocka_unit_test(the_item_checks_refuse_what_the_filter_must_not_give),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else  /* !M2M_WITH_V2 */

/* Built without the v2 list call, the v2 reading is left out: a body is read as v1, so the
 * items of a v2 body are never handed out, and a v1 body reads as it always does. */
static unsigned calls;

static int count_call(void *user, char *job, size_t len)
{
    (void)user;
    (void)job;
    (void)len;
    calls++;
    return 0;
}

static void without_v2_every_body_is_read_as_v1(void **state)
{
    static const char v2_body[] =
        "{\"total\":2,\"items\":[{\"kind\":\"job\"},{\"metadata\":{\"id\":\"x\"}}],"
        "\"error_msg\":\"m\"}";
    static const char v1_body[] = "{\"is_success\":true,\"jobs\":[{\"job_id\":1}],\"quotas\":3}";
    job_stream_t s;
    (void)state;

    calls = 0;
    job_stream_init_api(&s, JOB_STREAM_V2, count_call, NULL);
    assert_int_equal(job_stream_feed(&s, (const uint8_t *)v2_body, strlen(v2_body)), JOB_STREAM_OK);
    assert_int_equal(job_stream_finish(&s), JOB_STREAM_OK);
    assert_int_equal(calls, 0);
    assert_int_equal(s.has_jobs, 0);
    assert_int_equal(s.has_job_total_count, 0);
    assert_string_equal(s.error_message, "m");

    job_stream_init_api(&s, JOB_STREAM_V2, count_call, NULL);
    assert_int_equal(job_stream_feed(&s, (const uint8_t *)v1_body, strlen(v1_body)), JOB_STREAM_OK);
    assert_int_equal(job_stream_finish(&s), JOB_STREAM_OK);
    assert_int_equal(calls, 1);
    assert_int_equal(s.is_success, 1);
    assert_true(s.quotas == 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(without_v2_every_body_is_read_as_v1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
#endif /* M2M_WITH_V2 */

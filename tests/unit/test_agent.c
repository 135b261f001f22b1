/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_agent.c - one poll is one walk (firmware/agent.c): each page requested
 * once, each changed job published as it is read and recorded once the
 * broker acknowledged it, removals and the summary only after a complete
 * walk, one write per request. The agent runs against tests/unit/
 * loopback_world.h: a TLS server and an MQTT broker in this process.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "loopback_world.h"

#define CAPACITY 4000

typedef struct {
    m2m_port_t world;
    world_client_t client;
    m2m_agent_config_t cfg;
    job_entry_t table[CAPACITY];
    uint64_t table_ids2[CAPACITY];
    uint32_t table_bytes[CAPACITY];
    m2m_agent_t agent;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    world_init(&f->world);
    world_client_init(&f->client);
    f->world.token = "t0k3n";
    f->cfg.host = WORLD_HOST;
    f->cfg.port = 443;
    f->cfg.project_id = "p1";
    f->cfg.auth = M2M_AUTH_TOKEN;
    f->cfg.token = "t0k3n";
    f->cfg.per_page = 20;
    f->cfg.base_topic = "modelarts";
    f->cfg.agent_id = "gw";
    f->cfg.qos = 1;
    f->cfg.version = "test";
    f->cfg.heartbeat_ms = 0;
    f->cfg.table_bytes = f->table_bytes;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    tls_client_forget_session(&f->agent.tls);
    world_client_free(&f->client);
    world_free(&f->world);
    free(f);
    return 0;
}

static void start(fixture_t *f)
{
    assert_int_equal(
        m2m_agent_init(&f->agent, &f->cfg, &f->world, &f->client.ssl, f->table, CAPACITY, 1000),
        M2M_POLL_OK);
    assert_int_equal(m2m_agent_start(&f->agent), M2M_POLL_OK);
}

static m2m_poll_result_t poll_once(fixture_t *f)
{
    return m2m_agent_poll(&f->agent, 0);
}

static const char *job_topic(char *buf, size_t cap, int64_t id)
{
    snprintf(buf, cap, "modelarts/gw/p1/jobs/%lld", (long long)id);
    return buf;
}

/* The status the broker retains for job id, or -1 when it holds nothing. */
static int retained_status(const fixture_t *f, int64_t id)
{
    char topic[64];
    const char *p = world_retained(&f->world, job_topic(topic, sizeof topic, id));
    const char *s = p != NULL ? strstr(p, "\"status\":") : NULL;
    return s != NULL ? atoi(s + 9) : -1;
}

/* Acknowledged events of a type for one job. */
static int events_for(const fixture_t *f, const char *type, int64_t id)
{
    char needle[96];
    snprintf(needle, sizeof needle, "\"type\":\"%s\",\"job_id\":%lld,", type, (long long)id);
    return world_count(&f->world, "/events", needle);
}

static void first_start_is_one_walk_and_publishes_every_job(void **state)
{
    fixture_t *f = *state;
    int i;
    world_set_jobs(&f->world, 250, 1000);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    /* 250 jobs at 20 a page: 12 full pages and a short one, each once. */
    assert_int_equal(f->world.requests, 13);
    for (i = 0; i < 13; i++) {
        assert_int_equal(f->world.pages[i], (uint32_t)i + 1);
    }
    for (i = 0; i < 250; i++) {
        assert_int_equal(retained_status(f, 1000 + i), 8);
    }
    assert_int_equal(world_count(&f->world, "/events", NULL), 0); /* the baseline */
    assert_int_equal(world_count(&f->world, "/summary", "\"total\":250,"), 1);
    assert_int_equal(f->agent.table.count, 250);
}

static void more_changes_than_the_window_is_still_one_walk(void **state)
{
    fixture_t *f = *state;
    int n = 3 * M2M_PUBLISH_WINDOW + 5;
    int i;
    world_set_jobs(&f->world, n, 1);
    f->cfg.per_page = 1000;
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_int_equal(f->world.requests, 1);
    assert_int_equal(f->world.blocked_waits, 0); /* an answering broker: no stop */
    for (i = 0; i < n; i++) {
        assert_int_equal(retained_status(f, 1 + i), 8);
    }
    /* A second poll finds nothing new: nothing is published. */
    {
        int before = f->world.n_log;
        assert_int_equal(poll_once(f), M2M_POLL_OK);
        assert_int_equal(world_count(&f->world, "/events", NULL), 0);
        assert_int_equal(f->world.requests, 2);
        /* health and summary only (heartbeat 0: every poll) */
        assert_true(f->world.n_log - before <= 2);
    }
}

static void a_lagging_broker_fills_the_window_and_loses_nothing(void **state)
{
    fixture_t *f = *state;
    int n = 5 * M2M_PUBLISH_WINDOW;
    int i;
    world_set_jobs(&f->world, n, 1);
    f->cfg.per_page = 1000;
    start(f);
    /* The broker acknowledges only when the agent waits: the window fills,
     * and the agent waits for its oldest job, one at a time. */
    f->world.lag = 1000000;
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_int_equal(f->world.requests, 1);
    assert_true(f->world.blocked_waits >= n - M2M_PUBLISH_WINDOW);
    assert_int_equal(f->agent.table.count, (uint32_t)n);
    for (i = 0; i < n; i++) {
        assert_int_equal(retained_status(f, 1 + i), 8);
        assert_non_null(job_table_find(&f->agent.table, job_key_v1(1 + i)));
    }
    /* Recorded as published: a second poll publishes no job. */
    f->world.lag = 0;
    {
        int before = world_count(&f->world, "/1", NULL);
        assert_int_equal(poll_once(f), M2M_POLL_OK);
        assert_int_equal(world_count(&f->world, "/1", NULL), before);
    }
}

/* A failed poll's health goes out once, when the caller has set its retry
 * time; a successful poll's at once. */
static void a_failed_poll_publishes_health_once_with_its_retry_time(void **state)
{
    fixture_t *f = *state;
    const char *h;
    world_set_jobs(&f->world, 10, 1);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_int_equal(world_count(&f->world, "/health", NULL), 1);

    world_fail_page(&f->world, 1, PAGE_HTTP_500, 1);
    assert_int_equal(poll_once(f), M2M_POLL_TRANSIENT);
    assert_int_equal(world_count(&f->world, "/health", NULL), 1); /* not yet */
    m2m_agent_set_next_poll(&f->agent, 1700000123456);
    assert_int_equal(world_count(&f->world, "/health", NULL), 2);
    h = world_retained(&f->world, "modelarts/gw/health");
    assert_non_null(h);
    assert_non_null(strstr(h, "\"poll_ok\":false,"));
    assert_non_null(strstr(h, "\"next_poll_at\":1700000123456"));

    /* A second failure in a row, with the same retry time: its own message. */
    world_fail_page(&f->world, 1, PAGE_HTTP_500, 1);
    assert_int_equal(poll_once(f), M2M_POLL_TRANSIENT);
    m2m_agent_set_next_poll(&f->agent, 1700000123456);
    assert_int_equal(world_count(&f->world, "/health", "\"consecutive_failures\":2,"), 1);
    assert_int_equal(world_count(&f->world, "/health", NULL), 3);
}

static void a_failed_page_keeps_what_it_published_and_removes_nothing(void **state)
{
    fixture_t *f = *state;
    world_set_jobs(&f->world, 100, 1);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_int_equal(world_count(&f->world, "/summary", NULL), 1);

    /* Job 6 (page 1) completes, job 100 (page 5) is deleted, and page 3
     * fails. */
    f->world.jobs[5].status = 10;
    f->world.n_jobs = 99;
    world_fail_page(&f->world, 3, PAGE_HTTP_500, 1);
    assert_int_equal(poll_once(f), M2M_POLL_TRANSIENT);
    assert_int_equal(f->world.requests, 5 + 3);
    assert_int_equal(retained_status(f, 6), 10);
    assert_int_equal(events_for(f, "transition", 6), 1);
    assert_int_equal(retained_status(f, 100), 8);                  /* not removed */
    assert_int_equal(world_count(&f->world, "/summary", NULL), 1); /* no summary */

    /* The next complete walk sends no second event; the summary moves. */
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_int_equal(events_for(f, "transition", 6), 1);
    assert_int_equal(world_count(&f->world, "/summary", NULL), 2);
    assert_int_equal(world_count(&f->world, "/summary", "\"succeeded\":1,"), 1);
    assert_int_equal(retained_status(f, 100), 8); /* missed once */

    /* Missing from two complete walks: removed. */
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_int_equal(retained_status(f, 100), -1);
    assert_int_equal(events_for(f, "removed", 100), 1);
    assert_int_equal(f->agent.table.count, 99);
}

static void a_broken_page_is_requested_again_on_a_new_connection(void **state)
{
    fixture_t *f = *state;
    world_set_jobs(&f->world, 60, 1);
    world_fail_page(&f->world, 2, PAGE_NO_RESPONSE, 1);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    /* Page 2 twice (its connection broke before the answer), the rest once. */
    assert_int_equal(f->world.requests, 4);
    assert_int_equal(f->world.pages[1], 2);
    assert_int_equal(f->world.pages[2], 2);
    assert_int_equal(f->world.handshakes, 2);
}

static void a_first_poll_that_fails_sends_no_events_later(void **state)
{
    fixture_t *f = *state;
    int i;
    world_set_jobs(&f->world, 60, 1);
    world_fail_page(&f->world, 2, PAGE_HTTP_500, 1);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_TRANSIENT);
    /* Page 1 was read whole: its jobs are on the broker. */
    for (i = 0; i < 20; i++) {
        assert_int_equal(retained_status(f, 1 + i), 8);
    }
    assert_int_equal(retained_status(f, 21), -1);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    for (i = 0; i < 60; i++) {
        assert_int_equal(retained_status(f, 1 + i), 8);
    }
    /* No complete walk before: still the baseline, no events. */
    assert_int_equal(world_count(&f->world, "/events", NULL), 0);
    for (i = 0; i < 20; i++) {
        char topic[64];
        assert_int_equal(world_count(&f->world, job_topic(topic, sizeof topic, 1 + i), NULL), 1);
    }
}

static void the_whole_jobs_of_a_truncated_page_are_published(void **state)
{
    fixture_t *f = *state;
    int i, published = 0;
    world_set_jobs(&f->world, 60, 1);
    world_fail_page(&f->world, 2, PAGE_TRUNCATED, 1);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_TRANSIENT);
    for (i = 20; i < 40; i++) {
        published += retained_status(f, 1 + i) == 8;
    }
    /* Half the page arrived: the jobs in it that arrived whole. */
    assert_true(published >= 5 && published < 20);
    assert_int_equal(retained_status(f, 41), -1);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    for (i = 0; i < 60; i++) {
        assert_int_equal(retained_status(f, 1 + i), 8);
    }
}

static void a_broker_that_stops_acknowledging_gets_everything_back(void **state)
{
    fixture_t *f = *state;
    int i;
    world_set_jobs(&f->world, 100, 1);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_OK);

    /* Jobs 4, 14, ..., 94 complete (two a page); the broker acknowledges
     * seven more messages, then nothing. */
    for (i = 3; i < 100; i += 10) {
        f->world.jobs[i].status = 10;
    }
    f->world.acks_left = 7;
    assert_int_equal(poll_once(f), M2M_POLL_TRANSIENT);
    assert_false(f->world.session_up);
    /* The walk went on (the window had room); its end found the broker
     * silent. */
    assert_int_equal(f->world.requests, 5 + 5);

    /* The broker is back: a new session, then a poll. */
    f->world.acks_left = -1;
    assert_int_equal(m2m_agent_start(&f->agent), M2M_POLL_OK);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    for (i = 0; i < 100; i++) {
        assert_int_equal(retained_status(f, 1 + i), i % 10 == 3 ? 10 : 8);
    }
    /* Every transition reached the broker exactly once: the jobs whose
     * messages it acknowledged before it stopped answering (4, 14, 24) were
     * recorded and not sent again; job 34's topic arrived but its event did
     * not, so its event went with the next poll. */
    for (i = 3; i < 100; i += 10) {
        assert_int_equal(events_for(f, "transition", 1 + i), 1);
    }
}

static void an_unacknowledged_removal_is_published_again(void **state)
{
    fixture_t *f = *state;
    world_set_jobs(&f->world, 30, 1);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    f->world.n_jobs = 29; /* job 30 is deleted */
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    f->world.acks_left = 0;
    assert_int_equal(poll_once(f), M2M_POLL_TRANSIENT);
    assert_int_equal(retained_status(f, 30), 8);
    assert_non_null(job_table_find(&f->agent.table, job_key_v1(30)));

    f->world.acks_left = -1;
    assert_int_equal(m2m_agent_start(&f->agent), M2M_POLL_OK);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_int_equal(retained_status(f, 30), -1);
    assert_int_equal(events_for(f, "removed", 30), 1);
    assert_null(job_table_find(&f->agent.table, job_key_v1(30)));
}

static void a_restart_takes_the_broker_as_its_baseline(void **state)
{
    fixture_t *f = *state;
    world_set_jobs(&f->world, 40, 1);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    /* A new agent over the same broker: job 7 changed while it was down. */
    f->world.jobs[6].status = 11;
    tls_client_forget_session(&f->agent.tls);
    memset(&f->agent, 0, sizeof f->agent);
    start(f);
    assert_int_equal(f->agent.restored, 40);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_int_equal(events_for(f, "transition", 7), 1);
    assert_int_equal(retained_status(f, 7), 11);
}

static void one_page_request_is_one_write(void **state)
{
    fixture_t *f = *state;
    world_set_jobs(&f->world, 30, 1);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_int_equal(f->world.requests, 2);
    assert_int_equal(f->world.records_last_request, 1);
    assert_int_equal(f->world.sends_last_request, 1);
}

static void a_token_longer_than_the_buffer_still_streams(void **state)
{
    fixture_t *f = *state;
    static char token[5001];
    memset(token, 'k', sizeof token - 1);
    f->world.token = token;
    f->cfg.token = token;
    world_set_jobs(&f->world, 30, 1);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_int_equal(retained_status(f, 30), 8);
    assert_true(f->world.records_last_request > 1);
}

#if M2M_FAST_DIFF
/* Job topics published (and acknowledged) so far. */
static int job_messages(const fixture_t *f)
{
    int i, n = 0;
    for (i = 0; i < f->world.n_log; i++) {
        n += f->world.log[i].acked && strstr(f->world.log[i].topic, "/jobs/") != NULL;
    }
    return n;
}

static void a_steady_poll_parses_no_job(void **state)
{
    fixture_t *f = *state;
    int before;
    world_set_jobs(&f->world, 100, 1);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_int_equal(f->agent.jobs_parsed, 100);
    before = job_messages(f) + world_count(&f->world, "/events", NULL);
    assert_int_equal(before, 100);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_int_equal(f->agent.jobs_parsed, 0);
    assert_int_equal(world_count(&f->world, "/summary", "\"total\":100,"), 2);
    /* One job changes: that one is parsed and published, with its event. */
    f->world.jobs[41].status = 10;
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_int_equal(f->agent.jobs_parsed, 1);
    assert_int_equal(job_messages(f) + world_count(&f->world, "/events", NULL), before + 2);
    assert_int_equal(retained_status(f, 42), 10);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_int_equal(f->agent.jobs_parsed, 0);
}

static void other_bytes_of_the_same_jobs_publish_nothing(void **state)
{
    fixture_t *f = *state;
    int before;
    world_set_jobs(&f->world, 60, 1);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    before = job_messages(f);
    assert_int_equal(before, 60);
    /* The server orders the keys otherwise and spaces them: each job is
     * parsed once, found unchanged, and not published. */
    f->world.status_first = 1;
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_int_equal(f->agent.jobs_parsed, 60);
    assert_int_equal(job_messages(f), before);
    assert_int_equal(world_count(&f->world, "/events", NULL), 0);
    /* The same bytes again: no parse. */
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_int_equal(f->agent.jobs_parsed, 0);
    /* Back to the first order, a changed job among them. */
    f->world.status_first = 0;
    f->world.jobs[7].status = 11;
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_int_equal(f->agent.jobs_parsed, 60);
    assert_int_equal(job_messages(f), before + 1);
    assert_int_equal(retained_status(f, 8), 11);
}
#endif

#if M2M_WITH_V2
/* The loopback world's UUID of job id. */
static const char *uuid_of(char buf[40], int64_t id)
{
    snprintf(buf, 40, "00000000-0000-4000-8000-%012llx", (unsigned long long)id);
    return buf;
}

static const char *v2_retained(const fixture_t *f, int64_t id)
{
    char topic[96];
    char uuid[40];
    snprintf(topic, sizeof topic, "modelarts/gw/p1/jobs/%s", uuid_of(uuid, id));
    return world_retained(&f->world, topic);
}

static void use_v2(fixture_t *f)
{
    f->cfg.api = M2M_API_V2;
    f->cfg.table_ids2 = f->table_ids2;
    f->cfg.per_page = 1000; /* used as 50 */
}

static void v2_walks_pages_of_fifty_and_publishes_uuid_topics(void **state)
{
    fixture_t *f = *state;
    char uuid[40];
    int i;
    use_v2(f);
    world_set_jobs(&f->world, 120, 7);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    /* Offsets 0, 1, 2: pages of 50, the last one short. */
    assert_int_equal(f->world.requests, 3);
    assert_int_equal(f->world.pages[1], 1);
    assert_int_equal(f->world.pages[2], 2);
    for (i = 0; i < 120; i++) {
        const char *p = v2_retained(f, 7 + i);
        char needle[64];
        assert_non_null(p);
        snprintf(needle, sizeof needle, "{\"job_id\":\"%s\",", uuid_of(uuid, 7 + i));
        assert_non_null(strstr(p, needle));
        assert_non_null(strstr(p, "\"status_name\":\"Running\""));
        assert_non_null(strstr(p, "\"api\":\"v2\"}"));
    }
    assert_int_equal(world_count(&f->world, "/summary", "\"by_status\":{\"Running\":120}"), 1);
    assert_int_equal(world_count(&f->world, "/summary", "\"job_total_count\":120,"), 1);
}

static void v2_finds_out_that_offset_counts_items(void **state)
{
    fixture_t *f = *state;
    int i;
    use_v2(f);
    f->world.v2_item_offset = 1;
    world_set_jobs(&f->world, 120, 7);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    /* 0, then 1 (which shows items 2..51: the probe), then 51 and 101. */
    assert_int_equal(f->world.requests, 4);
    assert_int_equal(f->world.pages[2], 51);
    assert_int_equal(f->world.pages[3], 101);
    for (i = 0; i < 120; i++) {
        char uuid[40];
        char topic[96];
        snprintf(topic, sizeof topic, "/jobs/%s", uuid_of(uuid, 7 + i));
        assert_int_equal(world_count(&f->world, topic, NULL), 1); /* each published once */
    }
    assert_int_equal(world_count(&f->world, "/summary", "\"total\":120,"), 1);
}

static void v2_refuses_a_server_that_ignores_offset(void **state)
{
    fixture_t *f = *state;
    use_v2(f);
    f->world.v2_ignore_offset = 1;
    world_set_jobs(&f->world, 120, 7);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_REFUSED);
    assert_int_equal(f->world.requests, 3);
    assert_string_equal(f->agent.error_code, "paging");
}

static void v2_events_name_phases_and_removals_clear_uuid_topics(void **state)
{
    fixture_t *f = *state;
    char uuid[40];
    char needle[200];
    use_v2(f);
    world_set_jobs(&f->world, 30, 7);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    f->world.jobs[3].status = 10;
    f->world.n_jobs = 29; /* the last job (id 36) is deleted */
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    snprintf(needle, sizeof needle,
             "{\"type\":\"transition\",\"job_id\":\"%s\",\"job_name\":\"job-3\","
             "\"from\":\"Running\",\"from_name\":\"Running\",\"to\":\"Completed\","
             "\"to_name\":\"Completed\",\"phase\":\"succeeded\",",
             uuid_of(uuid, 10));
    assert_int_equal(world_count(&f->world, "/events", needle), 1);
    assert_non_null(strstr(v2_retained(f, 10), "\"status_name\":\"Completed\""));
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_null(v2_retained(f, 36));
    snprintf(needle, sizeof needle, "{\"type\":\"removed\",\"job_id\":\"%s\",", uuid_of(uuid, 36));
    assert_int_equal(world_count(&f->world, "/events", needle), 1);
    assert_int_equal(f->agent.table.count, 29);
}

static void v2_restart_takes_the_broker_as_its_baseline(void **state)
{
    fixture_t *f = *state;
    use_v2(f);
    world_set_jobs(&f->world, 40, 7);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    f->world.jobs[6].status = 11;
    tls_client_forget_session(&f->agent.tls);
    memset(&f->agent, 0, sizeof f->agent);
    start(f);
    assert_int_equal(f->agent.restored, 40);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_int_equal(world_count(&f->world, "/events", "\"type\":\"transition\""), 1);
    assert_int_equal(world_count(&f->world, "/events", NULL), 1);
}

static void v2_items_of_64_kib_stream_through(void **state)
{
    fixture_t *f = *state;
    int i;
    use_v2(f);
    f->world.v2_bulk = 64 * 1024;
    world_set_jobs(&f->world, 60, 7);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    for (i = 0; i < 60; i++) {
        assert_non_null(v2_retained(f, 7 + i));
    }
}

static void a_v2_request_is_one_write(void **state)
{
    fixture_t *f = *state;
    use_v2(f);
    world_set_jobs(&f->world, 70, 7);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_int_equal(f->world.records_last_request, 1);
}
#endif

#if M2M_WITH_AKSK
static void a_signed_page_request_is_one_write(void **state)
{
    fixture_t *f = *state;
    f->world.token = NULL; /* the loopback server does not check signatures */
    f->cfg.auth = M2M_AUTH_AKSK;
    f->cfg.token = NULL;
    f->cfg.ak = "QTWAOYTTINDUT2QVKYUC";
    f->cfg.sk = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc";
    world_set_jobs(&f->world, 30, 1);
    start(f);
    assert_int_equal(poll_once(f), M2M_POLL_OK);
    assert_int_equal(f->world.records_last_request, 1);
    assert_int_equal(retained_status(f, 30), 8);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] =
    { cmocka_unit_test_setup_teardown(first_start_is_one_walk_and_publishes_every_job, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(more_changes_than_the_window_is_still_one_walk, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(a_lagging_broker_fills_the_window_and_loses_nothing, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(a_failed_poll_publishes_health_once_with_its_retry_time,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(a_failed_page_keeps_what_it_published_and_removes_nothing,
                                      setup, teardown),
      cmocka_unit_test_setup_teardown(a_broken_page_is_requested_again_on_a_new_connection, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(a_first_poll_that_fails_sends_no_events_later, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(the_whole_jobs_of_a_truncated_page_are_published, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(a_broker_that_stops_acknowledging_gets_everything_back, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(an_unacknowledged_removal_is_published_again, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(a_restart_takes_the_broker_as_its_baseline, setup, teardown),
      cmocka_unit_test_setup_teardown(one_page_request_is_one_write, setup, teardown),
      cmocka_unit_test_setup_teardown(a_token_longer_than_the_buffer_still_streams, setup,
                                      teardown),
#if M2M_WITH_AKSK
      cmocka_unit_test_setup_teardown(a_signed_page_request_is_one_write, setup, teardown),
#endif
#if M2M_FAST_DIFF
      cmocka_unit_test_setup_teardown(a_steady_poll_parses_no_job, setup, teardown),
      cmocka_unit_test_setup_teardown(other_bytes_of_the_same_jobs_publish_nothing, setup,
                                      teardown),
#endif
#if M2M_WITH_V2
      cmocka_unit_test_setup_teardown(v2_walks_pages_of_fifty_and_publishes_uuid_topics, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(v2_finds_out_that_offset_counts_items, setup, teardown),
      cmocka_unit_test_setup_teardown(v2_refuses_a_server_that_ignores_offset, setup, teardown),
      cmocka_unit_test_setup_teardown(v2_events_name_phases_and_removals_clear_uuid_topics, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(v2_restart_takes_the_broker_as_its_baseline, setup, teardown),
      cmocka_unit_test_setup_teardown(v2_items_of_64_kib_stream_through, setup, teardown),
      cmocka_unit_test_setup_teardown(a_v2_request_is_one_write, setup, teardown),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

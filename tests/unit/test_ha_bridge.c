/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_ha_bridge.c - Home Assistant discovery as a client of a port's MQTT
 * session (homeassistant/ha_bridge.c): what it publishes when a session
 * starts, around the agent's publishes, after Home Assistant's birth and
 * after a read-back, and what it leaves due when a publish fails.
 *
 * The port here records every m2m_mqtt_publish() and log line; the bridge
 * needs no other port call. homeassistant/ is not part of libm2mcore.a, so
 * its files are compiled into this test directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../homeassistant/ha_bridge.c"
#include "../../homeassistant/ha_job_set.c"

#define SENT_MAX 64

typedef struct {
    char topic[HA_TOPIC_MAX];
    size_t len;
    int qos;
    int retain;
} sent_t;

struct m2m_port {
    sent_t sent[SENT_MAX];
    int n_sent;
    int fail_publishes; /* publishes still to refuse */
    char last_log[HA_LOG_MAX];
    int logs;
};

int32_t m2m_mqtt_publish(m2m_port_t *port, const char *topic, const void *payload, size_t len,
                         int qos, int retain)
{
    sent_t *s;
    (void)payload;
    if (port->fail_publishes > 0) {
        port->fail_publishes--;
        return M2M_PORT_ERR_NOT_CONNECTED;
    }
    assert_true(port->n_sent < SENT_MAX);
    s = &port->sent[port->n_sent++];
    snprintf(s->topic, sizeof s->topic, "%s", topic);
    s->len = len;
    s->qos = qos;
    s->retain = retain;
    return M2M_PORT_OK;
}

void m2m_log(m2m_port_t *port, m2m_log_level_t level, const char *message)
{
    (void)level;
    snprintf(port->last_log, sizeof port->last_log, "%s", message);
    port->logs++;
}

#define DEVICE "homeassistant/device/gw_p1/config"
#define JOB(id) "homeassistant/device/gw_p1_job_" #id "/config"
#define JOB_TOPIC(id) "modelarts/gw/p1/jobs/" #id
#define PAYLOAD(name) "{\"job_id\":1,\"job_name\":\"" name "\",\"status\":8}"

static m2m_port_t port;
static ha_bridge_t bridge;
static ha_bridge_t second;

static void configure(ha_bridge_t *b, const char *project, int per_job)
{
    ha_settings_t s;
    memset(&s, 0, sizeof s);
    s.prefix = "homeassistant";
    s.base_topic = "modelarts";
    s.agent_id = "gw";
    s.project_id = project;
    s.version = "1.2.3";
    s.qos = 1;
    assert_int_equal(ha_bridge_configure(b, &s, per_job), 0);
}

static int set_up(void **state)
{
    (void)state;
    memset(&port, 0, sizeof port);
    memset(&bridge, 0, sizeof bridge);
    memset(&second, 0, sizeof second);
    configure(&bridge, "p1", 1);
    return 0;
}

static int tear_down(void **state)
{
    (void)state;
    ha_bridge_free(&bridge);
    ha_bridge_free(&second);
    return 0;
}

static void publish_job(const char *topic, const char *payload)
{
    size_t len = payload != NULL ? strlen(payload) : 0;
    ha_bridge_before_publish(&bridge, &port, topic, len);
    ha_bridge_after_publish(&bridge, &port, topic, payload, len);
}

static void a_session_start_publishes_the_device_message_retained(void **state)
{
    (void)state;
    assert_string_equal(ha_bridge_status_topic(&bridge), "homeassistant/status");
    ha_bridge_session_started(&bridge, &port);
    assert_int_equal(port.n_sent, 1);
    assert_string_equal(port.sent[0].topic, DEVICE);
    assert_true(port.sent[0].len > 0);
    assert_int_equal(port.sent[0].qos, 1);
    assert_int_equal(port.sent[0].retain, 1);
    assert_string_equal(port.last_log, "homeassistant: discovery published on " DEVICE);
}

static void a_new_job_is_announced_once_and_again_when_its_name_changes(void **state)
{
    (void)state;
    ha_bridge_session_started(&bridge, &port);
    publish_job(JOB_TOPIC(7), PAYLOAD("a"));
    assert_int_equal(port.n_sent, 2);
    assert_string_equal(port.sent[1].topic, JOB(7));
    assert_int_equal(port.sent[1].retain, 1);
    publish_job(JOB_TOPIC(7), PAYLOAD("a")); /* a new status, the same name */
    assert_int_equal(port.n_sent, 2);
    publish_job(JOB_TOPIC(7), PAYLOAD("b"));
    assert_int_equal(port.n_sent, 3);
    assert_string_equal(port.sent[2].topic, JOB(7));
    /* Topics that are not the project's jobs are none of its business. */
    publish_job("modelarts/gw/p1/summary", "{}");
    publish_job("modelarts/gw/p2/jobs/8", PAYLOAD("c"));
    assert_int_equal(port.n_sent, 3);
}

static void a_job_that_goes_loses_its_entity_before_its_topic_empties(void **state)
{
    (void)state;
    ha_bridge_session_started(&bridge, &port);
    publish_job(JOB_TOPIC(7), PAYLOAD("a"));
    ha_bridge_before_publish(&bridge, &port, JOB_TOPIC(7), 0);
    assert_int_equal(port.n_sent, 3);
    assert_string_equal(port.sent[2].topic, JOB(7));
    assert_int_equal(port.sent[2].len, 0);
    assert_int_equal(port.sent[2].retain, 1);
    assert_null(ha_job_set_find(&bridge.jobs, 7));
    ha_bridge_after_publish(&bridge, &port, JOB_TOPIC(7), "", 0);
    assert_int_equal(port.n_sent, 3);
}

static void without_per_job_entities_only_the_device_goes_out(void **state)
{
    (void)state;
    configure(&bridge, "p1", 0);
    ha_bridge_session_started(&bridge, &port);
    publish_job(JOB_TOPIC(7), PAYLOAD("a"));
    ha_bridge_before_publish(&bridge, &port, JOB_TOPIC(7), 0);
    assert_int_equal(port.n_sent, 1);
}

static void a_live_birth_republishes_everything_at_the_next_service(void **state)
{
    (void)state;
    ha_bridge_session_started(&bridge, &port);
    publish_job(JOB_TOPIC(7), PAYLOAD("a"));
    assert_int_equal(port.n_sent, 2);
    /* Not births: a retained "online", another word, another topic. */
    assert_int_equal(ha_bridge_on_message(&bridge, "homeassistant/status", "online", 6, 1), 1);
    assert_int_equal(ha_bridge_on_message(&bridge, "homeassistant/status", "offline", 7, 0), 1);
    assert_int_equal(ha_bridge_on_message(&bridge, "elsewhere/status", "online", 6, 0), 0);
    ha_bridge_take_births(&bridge);
    ha_bridge_service(&bridge, &port, 1);
    assert_int_equal(port.n_sent, 2);
    /* A birth is answered only once taken, and only with a session. */
    assert_int_equal(ha_bridge_on_message(&bridge, "homeassistant/status", "online", 6, 0), 1);
    ha_bridge_service(&bridge, &port, 1);
    assert_int_equal(port.n_sent, 2);
    ha_bridge_take_births(&bridge);
    ha_bridge_service(&bridge, &port, 0);
    assert_int_equal(port.n_sent, 2);
    assert_string_equal(port.last_log, "homeassistant: homeassistant/status is online: publishing "
                                       "the discovery messages again (project p1)");
    ha_bridge_service(&bridge, &port, 1);
    assert_int_equal(port.n_sent, 4);
    assert_string_equal(port.sent[2].topic, DEVICE);
    assert_string_equal(port.sent[3].topic, JOB(7));
}

/* Clearing: every known job's entity, then the device when asked; the job
 * set is empty afterwards and nothing is due. */
static void clearing_empties_every_entity_and_the_device_when_asked(void **state)
{
    (void)state;
    ha_bridge_session_started(&bridge, &port);
    publish_job(JOB_TOPIC(7), PAYLOAD("a"));
    publish_job(JOB_TOPIC(9), PAYLOAD("b"));
    assert_int_equal(port.n_sent, 3);
    assert_int_equal(ha_bridge_clear(&bridge, &port, 0), 2);
    assert_int_equal(port.n_sent, 5);
    assert_string_equal(port.sent[3].topic, JOB(7));
    assert_string_equal(port.sent[4].topic, JOB(9));
    assert_int_equal(port.sent[3].len, 0);
    assert_int_equal(port.sent[4].retain, 1);
    assert_int_equal(bridge.jobs.count, 0);

    publish_job(JOB_TOPIC(7), PAYLOAD("a"));
    assert_int_equal(ha_bridge_clear(&bridge, &port, 1), 2);
    assert_int_equal(port.n_sent, 8);
    assert_string_equal(port.sent[6].topic, JOB(7));
    assert_string_equal(port.sent[7].topic, DEVICE);
    assert_int_equal(port.sent[7].len, 0);
    ha_bridge_service(&bridge, &port, 1);
    assert_int_equal(port.n_sent, 8);

    /* A failed publish is reported and leaves the rest. */
    publish_job(JOB_TOPIC(7), PAYLOAD("a"));
    port.fail_publishes = 1;
    assert_int_equal(ha_bridge_clear(&bridge, &port, 1), -1);
}

static void jobs_read_back_are_announced_at_the_next_service(void **state)
{
    (void)state;
    ha_bridge_session_started(&bridge, &port);
    ha_bridge_on_retained(&bridge, JOB_TOPIC(3), PAYLOAD("x"), strlen(PAYLOAD("x")));
    ha_bridge_on_retained(&bridge, JOB_TOPIC(4), "", 0); /* a cleared topic */
    ha_bridge_on_retained(&bridge, "modelarts/gw/p1/summary", "{}", 2);
    assert_int_equal(port.n_sent, 1);
    ha_bridge_service(&bridge, &port, 1);
    assert_int_equal(port.n_sent, 2);
    assert_string_equal(port.sent[1].topic, JOB(3));
    ha_bridge_service(&bridge, &port, 1);
    assert_int_equal(port.n_sent, 2);
}

static void what_a_failed_publish_left_goes_out_at_the_next_service(void **state)
{
    (void)state;
    port.fail_publishes = 1;
    ha_bridge_session_started(&bridge, &port);
    assert_int_equal(port.n_sent, 0);
    ha_bridge_service(&bridge, &port, 1);
    assert_int_equal(port.n_sent, 1);
    assert_string_equal(port.sent[0].topic, DEVICE);
    port.fail_publishes = 1;
    publish_job(JOB_TOPIC(9), PAYLOAD("n"));
    assert_int_equal(port.n_sent, 1);
    ha_bridge_service(&bridge, &port, 1);
    assert_int_equal(port.n_sent, 2);
    assert_string_equal(port.sent[1].topic, JOB(9));
}

static void a_new_session_announces_every_known_job_again(void **state)
{
    (void)state;
    ha_bridge_session_started(&bridge, &port);
    publish_job(JOB_TOPIC(1), PAYLOAD("a"));
    publish_job(JOB_TOPIC(2), PAYLOAD("b"));
    assert_int_equal(port.n_sent, 3);
    ha_bridge_session_started(&bridge, &port);
    assert_int_equal(port.n_sent, 6);
    assert_string_equal(port.sent[3].topic, DEVICE);
    assert_string_equal(port.sent[4].topic, JOB(1));
    assert_string_equal(port.sent[5].topic, JOB(2));
}

static void every_bridge_of_a_session_has_its_device_and_its_jobs(void **state)
{
    (void)state;
    configure(&second, "p2", 1);
    bridge.next = &second;
    ha_bridge_session_started(&bridge, &port);
    assert_int_equal(port.n_sent, 2);
    assert_string_equal(port.sent[0].topic, DEVICE);
    assert_string_equal(port.sent[1].topic, "homeassistant/device/gw_p2/config");
    ha_bridge_after_publish(&bridge, &port, "modelarts/gw/p2/jobs/5", PAYLOAD("q"),
                            strlen(PAYLOAD("q")));
    assert_int_equal(port.n_sent, 3);
    assert_string_equal(port.sent[2].topic, "homeassistant/device/gw_p2_job_5/config");
    assert_null(ha_job_set_find(&bridge.jobs, 5));
    assert_non_null(ha_job_set_find(&second.jobs, 5));
}

static void a_changed_device_forgets_the_jobs_of_the_old_one(void **state)
{
    (void)state;
    ha_bridge_session_started(&bridge, &port);
    publish_job(JOB_TOPIC(1), PAYLOAD("a"));
    configure(&bridge, "p1", 1); /* the same device: kept */
    assert_int_equal(bridge.jobs.count, 1);
    configure(&bridge, "p9", 1);
    assert_int_equal(bridge.jobs.count, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, set_up, tear_down)
    const struct CMUnitTest tests[] = {
        T(a_session_start_publishes_the_device_message_retained),
        T(a_new_job_is_announced_once_and_again_when_its_name_changes),
        T(a_job_that_goes_loses_its_entity_before_its_topic_empties),
        T(without_per_job_entities_only_the_device_goes_out),
        T(a_live_birth_republishes_everything_at_the_next_service),
        T(jobs_read_back_are_announced_at_the_next_service),
        T(what_a_failed_publish_left_goes_out_at_the_next_service),
        T(a_new_session_announces_every_known_job_again),
        T(every_bridge_of_a_session_has_its_device_and_its_jobs),
        T(a_changed_device_forgets_the_jobs_of_the_old_one),
        T(clearing_empties_every_entity_and_the_device_when_asked),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mqtt_paho.c - m2m_mqtt_* (include/m2m_port.h) with Paho MQTT C's
 * synchronous client (libpaho-mqtt3cs; libpaho-mqtt3c, without TLS, when
 * built with MQTT_TLS=0), or the dry run (mqtt_dryrun.c).
 *
 * Callbacks are installed, so Paho runs its own thread for the session:
 * keep-alive pings and acknowledgements go on while the agent is busy with
 * a long HTTP poll, and m2m_mqtt_service() only has to sleep. The thread is
 * started inside MQTTClient_connect() with SIGINT, SIGTERM and SIGHUP
 * blocked, so those signals always reach the main thread and end its sleep.
 *
 * Publishing is pipelined: a QoS 1 or 2 publish returns once Paho has sent
 * it, and the deliveryComplete callback counts the acknowledgements, so that
 * m2m_mqtt_wait_acks() waits on a condition variable until few enough
 * messages wait. At most PORT_MQTT_INFLIGHT messages are in flight; a publish
 * beyond that waits for the oldest. (With Paho's thread running,
 * MQTTClient_waitForCompletion() polls in 100 ms sleeps: waiting for one
 * message at a time that way would cost 100 ms a message.)
 *
 * Each connect creates a fresh client and each disconnect destroys it: a
 * session that was lost is opened again by the next m2m_mqtt_connect().
 *
 * With [mqtt] protocol = 5 the session is MQTT 5 (clean start, no session
 * kept after it): every payload carries its content type (application/json,
 * or text/plain for the status words) and the payload format indicator 1
 * (UTF-8), and non-empty job topics carry the message expiry interval, so a
 * broker drops a retained job topic that nobody refreshes. A zero-byte
 * payload (a cleared topic) carries no property.
 *
 * Another client of the session (the daemon's Home Assistant discovery)
 * follows it through port_mqtt_hooks_t (port_posix.h): the session's start,
 * each publish, the messages of its own subscriptions, the read-back, and
 * the idle time of m2m_mqtt_service(). This file only calls the hooks.
 */
#include "config.h"
#include "port_posix.h"
#include "sd_notify.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include <MQTTReasonCodes.h>

#include "mqtt_dryrun.h"

static int is_set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

#if M2M_MQTT_TLS
static int uri_is_tls(const char *uri)
{
    return strncmp(uri, "ssl://", 6) == 0 || strncmp(uri, "mqtts://", 8) == 0;
}
#endif

static int is_v5(const m2m_port_t *port)
{
    return port->mqtt.protocol_v5;
}

/* 1 if topic is B/<project_id>/jobs/<something>: a job topic of any of the
 * agent's projects. */
static int is_job_topic(const m2m_port_t *port, const char *topic)
{
    const char *b = port->mqtt.agent_topic;
    const char *project;
    size_t n;
    size_t project_len;
    if (b == NULL || b[0] == '\0') {
        return 0;
    }
    n = strlen(b);
    if (strncmp(topic, b, n) != 0 || topic[n] != '/') {
        return 0;
    }
    project = topic + n + 1;
    project_len = strcspn(project, "/");
    return project_len > 0 && strncmp(project + project_len, "/jobs/", 6) == 0 &&
           project[project_len + 6] != '\0';
}

/* The hooks of the main thread, one at a time (port_posix.h). */
static int hook_may_run(const m2m_port_t *port)
{
    return port->hooks != NULL && !port->in_hook;
}

static void hook_session_started(m2m_port_t *port)
{
    if (hook_may_run(port) && port->hooks->session_started != NULL) {
        port->in_hook = 1;
        port->hooks->session_started(port->hooks_ctx, port);
        port->in_hook = 0;
    }
}

static void hook_service(m2m_port_t *port)
{
    if (hook_may_run(port) && port->hooks->service != NULL) {
        port->in_hook = 1;
        port->hooks->service(port->hooks_ctx, port);
        port->in_hook = 0;
    }
}

void port_mqtt_set_hooks(m2m_port_t *port, const port_mqtt_hooks_t *hooks, void *ctx)
{
    port = port_session(port);
    pthread_mutex_lock(&port->ack_lock);
    port->hooks = hooks;
    port->hooks_ctx = hooks != NULL ? ctx : NULL;
    pthread_mutex_unlock(&port->ack_lock);
}

/* The subscriptions: the hooks' own for the whole session (port_posix.h),
 * and what m2m_mqtt_read_retained() reads back while it runs. Anything else
 * is dropped. */
static int on_message(void *context, char *topic, int topic_len, MQTTClient_message *message)
{
    m2m_port_t *port = (m2m_port_t *)context;
    size_t len = message->payloadlen > 0 ? (size_t)message->payloadlen : 0;
    pthread_mutex_lock(&port->ack_lock);
    if (topic_len == 0 && port->hooks != NULL && port->hooks->message != NULL &&
        port->hooks->message(port->hooks_ctx, topic, message->payload, len, message->retained)) {
        /* taken by the hooks' client */
    } else if (port->retained_fn != NULL && message->retained && topic_len == 0) {
        port->retained_fn(port->retained_user, topic, message->payload, len);
        port->retained_seen++;
        if (port->hooks != NULL && port->hooks->read_back != NULL) {
            port->hooks->read_back(port->hooks_ctx, topic, message->payload, len);
        }
        if (is_v5(port) && len > 0 && is_job_topic(port, topic)) {
            /* What the broker sends is the interval left. */
            int left = MQTTProperties_getNumericValue(&message->properties,
                                                      MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL);
            if (left >= 0 && (uint32_t)left < port->retained_expiry_min_s) {
                port->retained_expiry_min_s = (uint32_t)left;
            }
        }
    }
    pthread_mutex_unlock(&port->ack_lock);
    MQTTClient_freeMessage(&message);
    MQTTClient_free(topic);
    return 1;
}

static void on_delivered(void *context, MQTTClient_deliveryToken token)
{
    m2m_port_t *port = (m2m_port_t *)context;
    (void)token; /* messages are acknowledged in the order they were sent */
    pthread_mutex_lock(&port->ack_lock);
    port->acked++;
    pthread_cond_broadcast(&port->ack_cond);
    pthread_mutex_unlock(&port->ack_lock);
}

static void on_connection_lost(void *context, char *cause)
{
    m2m_port_t *port = (m2m_port_t *)context;
    pthread_mutex_lock(&port->ack_lock);
    port->session_lost = 1;
    pthread_cond_broadcast(&port->ack_cond);
    pthread_mutex_unlock(&port->ack_lock);
    port_logf(port, M2M_LOG_WARN, "mqtt: connection to %s lost%s%s", port->mqtt.uri,
              cause != NULL ? ": " : "", cause != NULL ? cause : "");
}

static const char *connack_text(int rc)
{
    switch (rc) {
    case 1:
        return "unacceptable protocol version";
    case 2:
        return "client identifier rejected";
    case 3:
        return "server unavailable";
    case 4:
        return "bad user name or password";
    case 5:
        return "not authorized";
    }
    if (rc == MQTTCLIENT_FAILURE) {
        return "no connection (network, TLS or timeout)";
    }
    return MQTTClient_strerror(rc);
}

static void free_properties(m2m_port_t *port)
{
    if (port->props_built) {
        MQTTProperties_free(&port->props_json);
        MQTTProperties_free(&port->props_job);
        MQTTProperties_free(&port->props_text);
        port->props_built = 0;
    }
}

static void destroy_client(m2m_port_t *port)
{
    if (port->client_created) {
        MQTTClient_destroy(&port->client);
        port->client_created = 0;
    }
    free_properties(port);
    port->session_up = 0;
}

/* Add a string or a numeric property; MQTTProperties_add copies strings. */
static int add_property(MQTTProperties *props, enum MQTTPropertyCodes code, const char *text,
                        unsigned int number)
{
    MQTTProperty p;
    memset(&p, 0, sizeof p);
    p.identifier = code;
    if (text != NULL) {
        p.value.data.data = (char *)(uintptr_t)text; /* copied, never written */
        p.value.data.len = (int)strlen(text);
    } else if (code == MQTTPROPERTY_CODE_PAYLOAD_FORMAT_INDICATOR) {
        p.value.byte = (unsigned char)number;
    } else {
        p.value.integer4 = number;
    }
    return MQTTProperties_add(props, &p) == 0 ? 0 : -1;
}

/* The three property sets of an MQTT 5 session. Returns 0 or -1. */
static int build_properties(m2m_port_t *port)
{
    static const MQTTProperties empty = MQTTProperties_initializer;
    int rc = 0;
    port->props_json = empty;
    port->props_job = empty;
    port->props_text = empty;
    port->props_built = 1;
    rc |= add_property(&port->props_json, MQTTPROPERTY_CODE_CONTENT_TYPE, "application/json", 0);
    rc |= add_property(&port->props_json, MQTTPROPERTY_CODE_PAYLOAD_FORMAT_INDICATOR, NULL, 1);
    rc |= add_property(&port->props_job, MQTTPROPERTY_CODE_CONTENT_TYPE, "application/json", 0);
    rc |= add_property(&port->props_job, MQTTPROPERTY_CODE_PAYLOAD_FORMAT_INDICATOR, NULL, 1);
    if (port->mqtt.message_expiry_s > 0) {
        rc |= add_property(&port->props_job, MQTTPROPERTY_CODE_MESSAGE_EXPIRY_INTERVAL, NULL,
                           port->mqtt.message_expiry_s);
    }
    rc |= add_property(&port->props_text, MQTTPROPERTY_CODE_CONTENT_TYPE, "text/plain", 0);
    rc |= add_property(&port->props_text, MQTTPROPERTY_CODE_PAYLOAD_FORMAT_INDICATOR, NULL, 1);
    return rc == 0 ? 0 : -1;
}

/* CONNACK reason codes of MQTT 5 that judge our identity, not the network:
 * client identifier not valid, bad user name or password, not authorized,
 * banned, bad authentication method. */
static int v5_refused(int rc)
{
    return rc == MQTTREASONCODE_CLIENT_IDENTIFIER_NOT_VALID ||
           rc == MQTTREASONCODE_BAD_USER_NAME_OR_PASSWORD || rc == MQTTREASONCODE_NOT_AUTHORIZED ||
           rc == MQTTREASONCODE_BANNED || rc == MQTTREASONCODE_BAD_AUTHENTICATION_METHOD;
}

int32_t m2m_mqtt_connect(m2m_port_t *port, const char *will_topic, const char *will_payload,
                         int qos)
{
    MQTTClient_connectOptions opts = MQTTClient_connectOptions_initializer;
    MQTTClient_willOptions will = MQTTClient_willOptions_initializer;
#if M2M_MQTT_TLS
    MQTTClient_SSLOptions ssl = MQTTClient_SSLOptions_initializer;
#endif
    MQTTClient_createOptions create = MQTTClient_createOptions_initializer;
    const port_mqtt_settings_t *s;
    sigset_t block;
    sigset_t old;
    int rc;

    port = port_session(port);
    s = &port->mqtt;
    port->retained_expiry_min_s = UINT32_MAX; /* until a read-back says otherwise */
    if (port->dry_run) {
        port->session_up = 1;
        port_logf(port, M2M_LOG_INFO, "dry run: messages are printed, no broker is used");
        hook_session_started(port);
        return M2M_PORT_OK;
    }
    m2m_mqtt_disconnect(port);

    /* MQTT 5 has to be chosen when the client is created. */
    create.MQTTVersion = is_v5(port) ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
    rc = MQTTClient_createWithOptions(&port->client, s->uri, s->client_id,
                                      MQTTCLIENT_PERSISTENCE_NONE, NULL, &create);
    if (rc != MQTTCLIENT_SUCCESS) {
        port_logf(port, M2M_LOG_ERROR, "mqtt: cannot create a client for %s: %s", s->uri,
                  MQTTClient_strerror(rc));
        return M2M_PORT_ERR_CONNECT;
    }
    port->client_created = 1;
    pthread_mutex_lock(&port->ack_lock);
    port->session_lost = 0;
    port->queued = 0;
    port->acked = 0;
    pthread_mutex_unlock(&port->ack_lock);
    rc = MQTTClient_setCallbacks(port->client, port, on_connection_lost, on_message, on_delivered);
    if (rc != MQTTCLIENT_SUCCESS) {
        port_logf(port, M2M_LOG_ERROR, "mqtt: cannot set callbacks: %s", MQTTClient_strerror(rc));
        destroy_client(port);
        return M2M_PORT_ERR_CONNECT;
    }

    will.topicName = will_topic;
    will.message = will_payload;
    will.retained = 1;
    will.qos = qos;
    opts.will = &will;
    opts.keepAliveInterval = (int)s->keepalive_s;
    opts.cleansession = 1;
    /* A window of messages in flight; Paho's "reliable" mode would allow
     * one, with a 100 ms polling wait of its own. */
    opts.reliable = 0;
    opts.maxInflightMessages = PORT_MQTT_INFLIGHT;
    opts.MQTTVersion = MQTTVERSION_3_1_1;
    if (is_v5(port)) {
        /* MQTT 5 replaces clean session by clean start (Paho refuses both). */
        opts.MQTTVersion = MQTTVERSION_5;
        opts.cleansession = 0;
        opts.cleanstart = 1;
        if (build_properties(port) != 0) {
            port_logf(port, M2M_LOG_ERROR, "mqtt: out of memory for MQTT 5 properties");
            destroy_client(port);
            return M2M_PORT_ERR_CONNECT;
        }
    }
    opts.connectTimeout = (int)(s->timeout_ms + 999u) / 1000;
    opts.username = is_set(s->username) ? s->username : NULL;
    opts.password = is_set(s->password) ? s->password : NULL;
#if M2M_MQTT_TLS
    if (uri_is_tls(s->uri)) {
        ssl.trustStore = s->ca_file;
        ssl.enableServerCertAuth = 1;
        ssl.verify = 1; /* the host name too, not only the chain */
        ssl.sslVersion = MQTT_SSL_VERSION_TLS_1_2;
        opts.ssl = &ssl;
    }
#endif /* without it, config_finish() refuses ssl:// and mqtts:// */

    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    if (is_v5(port)) {
        /* The last will is a status word, like "online". */
        MQTTResponse response = MQTTClient_connect5(port->client, &opts, NULL, &port->props_text);
        rc = (int)response.reasonCode;
        MQTTResponse_free(response);
    } else {
        rc = MQTTClient_connect(port->client, &opts);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    if (rc == MQTTCLIENT_SUCCESS) {
        port->session_up = 1;
        port_logf(port, M2M_LOG_INFO, "mqtt: connected to %s as %s (MQTT %s)", s->uri, s->client_id,
                  is_v5(port) ? "5" : "3.1.1");
        hook_session_started(port);
        return M2M_PORT_OK;
    }
    if (is_v5(port) && rc >= MQTTREASONCODE_UNSPECIFIED_ERROR) {
        const char *why = MQTTReasonCode_toString((enum MQTTReasonCodes)rc);
        port_logf(port, M2M_LOG_WARN, "mqtt: cannot connect to %s: %s", s->uri,
                  why != NULL ? why : "refused");
        destroy_client(port);
        return v5_refused(rc) ? M2M_PORT_ERR_REFUSED : M2M_PORT_ERR_CONNECT;
    }
    port_logf(port, M2M_LOG_WARN, "mqtt: cannot connect to %s: %s", s->uri, connack_text(rc));
    destroy_client(port);
    /* CONNACK 2, 4 and 5: the broker judged our identity, not the network. */
    if (rc == 2 || rc == 4 || rc == 5) {
        return M2M_PORT_ERR_REFUSED;
    }
    return M2M_PORT_ERR_CONNECT;
}

static void deadline_in(struct timespec *deadline, uint32_t timeout_ms)
{
    clock_gettime(CLOCK_MONOTONIC, deadline);
    deadline->tv_sec += (time_t)(timeout_ms / 1000u);
    deadline->tv_nsec += (long)(timeout_ms % 1000u) * 1000000L;
    if (deadline->tv_nsec >= 1000000000L) {
        deadline->tv_sec++;
        deadline->tv_nsec -= 1000000000L;
    }
}

/* Wait until at most `pending` messages wait for their acknowledgement, the
 * session is lost, or no acknowledgement arrived for timeout_ms. */
static int32_t wait_for_acks(m2m_port_t *port, unsigned long pending, uint32_t timeout_ms)
{
    struct timespec deadline;
    int32_t result;
    deadline_in(&deadline, timeout_ms);
    pthread_mutex_lock(&port->ack_lock);
    while (port->queued - port->acked > pending && !port->session_lost) {
        unsigned long acked = port->acked;
        int rc = pthread_cond_timedwait(&port->ack_cond, &port->ack_lock, &deadline);
        if (port->acked != acked) {
            deadline_in(&deadline, timeout_ms); /* progress: the broker is alive */
        } else if (rc == ETIMEDOUT) {
            break;
        }
    }
    result = port->queued - port->acked <= pending ? M2M_PORT_OK
             : port->session_lost                  ? M2M_PORT_ERR_NOT_CONNECTED
                                                   : M2M_PORT_ERR_TIMEOUT;
    pthread_mutex_unlock(&port->ack_lock);
    return result;
}

/* Messages waiting for their acknowledgement. */
static unsigned long in_flight(m2m_port_t *port)
{
    unsigned long n;
    pthread_mutex_lock(&port->ack_lock);
    n = port->queued - port->acked;
    pthread_mutex_unlock(&port->ack_lock);
    return n;
}

/* The properties of an MQTT 5 publish, or NULL for none. */
static MQTTProperties *properties_for(m2m_port_t *port, const char *topic, const void *payload,
                                      size_t len)
{
    if (len == 0) {
        return NULL;
    }
    if (((const char *)payload)[0] != '{') {
        return &port->props_text;
    }
    return is_job_topic(port, topic) ? &port->props_job : &port->props_json;
}

/* One publish through Paho; returns its MQTTCLIENT_* code. */
static int paho_publish(m2m_port_t *port, const char *topic, const void *payload, size_t len,
                        int qos, int retain)
{
    MQTTClient_deliveryToken token = 0;
    int rc;
    if (is_v5(port)) {
        MQTTProperties *props = properties_for(port, topic, payload, len);
        MQTTProperties none = MQTTProperties_initializer;
        MQTTResponse response =
            MQTTClient_publish5(port->client, topic, (int)len, len > 0 ? payload : "", qos, retain,
                                props != NULL ? props : &none, &token);
        rc = (int)response.reasonCode;
        MQTTResponse_free(response);
    } else {
        rc = MQTTClient_publish(port->client, topic, (int)len, len > 0 ? payload : "", qos, retain,
                                &token);
    }
    return rc;
}

/* One message to the broker (or the dry run's output), acknowledgements
 * counted; see m2m_mqtt_publish(). */
static int32_t publish_message(m2m_port_t *port, const char *topic, const void *payload, size_t len,
                               int qos, int retain)
{
    int rc;

    if (port->dry_run) {
        mqtt_dryrun_print(port->dry_run_out, topic, payload, len, retain);
        return M2M_PORT_OK;
    }
    if (!port->session_up || !MQTTClient_isConnected(port->client)) {
        return M2M_PORT_ERR_NOT_CONNECTED;
    }
    if (len > INT_MAX) {
        return M2M_PORT_ERR_IO;
    }
    for (;;) {
        if (qos > 0) {
            int32_t st = wait_for_acks(port, PORT_MQTT_INFLIGHT - 1, port->mqtt.timeout_ms);
            if (st != M2M_PORT_OK) {
                return st;
            }
            /* Counted before it is sent: its acknowledgement may come first. */
            pthread_mutex_lock(&port->ack_lock);
            port->queued++;
            pthread_mutex_unlock(&port->ack_lock);
        }
        rc = paho_publish(port, topic, payload, len, qos, retain);
        if (rc != MQTTCLIENT_SUCCESS && qos > 0) {
            pthread_mutex_lock(&port->ack_lock);
            port->queued--;
            pthread_mutex_unlock(&port->ack_lock);
        }
        if (rc != MQTTCLIENT_MAX_MESSAGES_INFLIGHT) {
            break;
        }
        /* The broker allows fewer messages in flight than we would send
         * (MQTT 5 receive maximum): wait for one more acknowledgement. */
        if (in_flight(port) == 0 ||
            wait_for_acks(port, in_flight(port) - 1, port->mqtt.timeout_ms) != M2M_PORT_OK) {
            return M2M_PORT_ERR_TIMEOUT;
        }
    }
    if (rc == MQTTCLIENT_DISCONNECTED) {
        return M2M_PORT_ERR_NOT_CONNECTED;
    }
    if (rc != MQTTCLIENT_SUCCESS) {
        port_logf(port, M2M_LOG_DEBUG, "mqtt: publish to %s: %s", topic, MQTTClient_strerror(rc));
        return M2M_PORT_ERR_IO;
    }
    /* A first poll may publish thousands of messages: each one is progress. */
    sdnotify_watchdog_progress();
    return M2M_PORT_OK;
}

int32_t m2m_mqtt_wait_acks(m2m_port_t *port, uint32_t most)
{
    int32_t st;
    unsigned long left;
    port = port_session(port);
    if (port->dry_run) {
        return 0;
    }
    st = wait_for_acks(port, most, port->mqtt.timeout_ms);
    left = in_flight(port);
    if (st != M2M_PORT_OK) {
        port_logf(port, M2M_LOG_DEBUG, "mqtt: %lu message(s) not acknowledged: %s", left,
                  st == M2M_PORT_ERR_TIMEOUT ? "timed out" : "session lost");
        return st;
    }
    return left <= most ? (int32_t)left : (int32_t)most; /* acknowledgements only add up */
}

int32_t m2m_mqtt_publish(m2m_port_t *port, const char *topic, const void *payload, size_t len,
                         int qos, int retain)
{
    int32_t rc;
    int hooked;
    port = port_session(port);
    hooked = hook_may_run(port);
    if (hooked && port->hooks->publishing != NULL) {
        port->in_hook = 1;
        port->hooks->publishing(port->hooks_ctx, port, topic, len);
        port->in_hook = 0;
    }
    rc = publish_message(port, topic, payload, len, qos, retain);
    if (rc == M2M_PORT_OK && hooked && port->hooks->published != NULL) {
        port->in_hook = 1;
        port->hooks->published(port->hooks_ctx, port, topic, payload, len);
        port->in_hook = 0;
    }
    return rc;
}

int32_t port_mqtt_subscribe(m2m_port_t *port, const char *topic_filter, int qos)
{
    int rc;
    port = port_session(port);
    if (!port->client_created) {
        return M2M_PORT_ERR_NOT_CONNECTED;
    }
    if (is_v5(port)) {
        MQTTResponse response = MQTTClient_subscribe5(port->client, topic_filter, qos, NULL, NULL);
        /* A SUBACK reason code below 0x80 is the QoS granted. */
        rc = response.reasonCode < MQTTREASONCODE_UNSPECIFIED_ERROR ? MQTTCLIENT_SUCCESS
                                                                    : (int)response.reasonCode;
        MQTTResponse_free(response);
    } else {
        rc = MQTTClient_subscribe(port->client, topic_filter, qos);
    }
    if (rc != MQTTCLIENT_SUCCESS) {
        port_logf(port, M2M_LOG_DEBUG, "mqtt: subscribe to %s: %s", topic_filter,
                  MQTTClient_strerror(rc));
        return rc == MQTTCLIENT_DISCONNECTED ? M2M_PORT_ERR_NOT_CONNECTED : M2M_PORT_ERR_IO;
    }
    return M2M_PORT_OK;
}

static void unsubscribe(m2m_port_t *port, const char *topic_filter)
{
    if (is_v5(port)) {
        MQTTResponse response = MQTTClient_unsubscribe5(port->client, topic_filter, NULL);
        MQTTResponse_free(response);
    } else {
        (void)MQTTClient_unsubscribe(port->client, topic_filter);
    }
}

int32_t m2m_mqtt_read_retained(m2m_port_t *port, const char *topic_filter,
                               m2m_mqtt_message_fn on_message_fn, void *user, uint32_t quiet_ms,
                               uint32_t max_ms)
{
    uint32_t waited = 0;
    uint32_t quiet = 0;
    unsigned long seen = 0;
    int rc;

    port = port_session(port);

    if (port->dry_run) {
        return M2M_PORT_OK; /* no broker: nothing retained */
    }
    if (!port->client_created) {
        return M2M_PORT_ERR_NOT_CONNECTED;
    }
    pthread_mutex_lock(&port->ack_lock);
    port->retained_fn = on_message_fn;
    port->retained_user = user;
    port->retained_seen = 0;
    pthread_mutex_unlock(&port->ack_lock);
    /* QoS 0: a broker queues a limited number of QoS 1 messages for a
     * subscriber (mosquitto: max_queued_messages, 1000) and drops the rest,
     * while thousands of retained job topics may come back at once. */
    rc = port_mqtt_subscribe(port, topic_filter, 0) == M2M_PORT_OK ? MQTTCLIENT_SUCCESS
                                                                   : MQTTCLIENT_FAILURE;
    /* The broker sends what it retains right after the subscription:
     * wait until it has been quiet for quiet_ms. */
    while (rc == MQTTCLIENT_SUCCESS && quiet < quiet_ms && waited < max_ms) {
        unsigned long now_seen;
        port_sleep_ms(50);
        waited += 50;
        pthread_mutex_lock(&port->ack_lock);
        now_seen = port->retained_seen;
        pthread_mutex_unlock(&port->ack_lock);
        quiet = now_seen == seen ? quiet + 50 : 0;
        if (now_seen != seen) {
            sdnotify_watchdog_progress(); /* a long read-back is progress too */
        }
        seen = now_seen;
    }
    if (rc == MQTTCLIENT_SUCCESS) {
        unsubscribe(port, topic_filter);
    }
    pthread_mutex_lock(&port->ack_lock);
    port->retained_fn = NULL;
    port->retained_user = NULL;
    pthread_mutex_unlock(&port->ack_lock);
    if (rc != MQTTCLIENT_SUCCESS) {
        port_logf(port, M2M_LOG_WARN, "mqtt: cannot subscribe to %s", topic_filter);
        return M2M_PORT_ERR_IO;
    }
    /* What the read-back gave the hooks (jobs of an earlier run) is
     * published now. */
    hook_service(port);
    return M2M_PORT_OK;
}

void m2m_mqtt_service(m2m_port_t *port, uint32_t wait_ms)
{
    port = port_session(port);
    /* Paho's own thread serves the session; see the top of the file. What
     * its callbacks left for the main thread is done here. */
    hook_service(port);
    port_sleep_ms(wait_ms);
}

void m2m_mqtt_disconnect(m2m_port_t *port)
{
    port = port_session(port);
    if (port->dry_run) {
        port->session_up = 0;
        return;
    }
    if (port->client_created && MQTTClient_isConnected(port->client)) {
        if (is_v5(port)) {
            (void)MQTTClient_disconnect5(port->client, 1000, MQTTREASONCODE_NORMAL_DISCONNECTION,
                                         NULL);
        } else {
            (void)MQTTClient_disconnect(port->client, 1000);
        }
    }
    destroy_client(port);
}

int port_mqtt_session_up(m2m_port_t *port)
{
    port = port_session(port);
    if (!port->session_up) {
        return 0;
    }
    return port->dry_run || MQTTClient_isConnected(port->client);
}

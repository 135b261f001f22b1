/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_jobs.c - the agent's jobs, of either list call: each job as the splitter hands it out
 * (diffed against the job table, published at once with its event when it changed, recorded
 * once the broker acknowledged it), the removals after a complete walk, and the baseline read
 * back from the broker at start.
 */
#include <string.h>

#include "agent.h"
#include "agent_internal.h"
#include "job_status.h"
#include "strbuf.h"

/* ---- keys and topics ------------------------------------------------------- */

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    unsigned i;
    for (i = 0; i < 8; i++) {
        v = v << 8 | p[i];
    }
    return v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
    unsigned i;
    for (i = 8; i-- > 0;) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* A v2 job's key: the UUID's 128 bits. */
static job_key_t uuid_key(const uint8_t id[16])
{
    job_key_t k;
    k.id = (int64_t)be64(id);
    k.id2 = be64(id + 8);
    return k;
}

const char *agent_key_uuid(const job_key_t *key, char out[37])
{
    uint8_t id[16];
    put_be64(id, (uint64_t)key->id);
    put_be64(id + 8, key->id2);
    return job_uuid_format(id, out);
}

long agent_topic(m2m_agent_t *a, int with_project, const char *suffix, const job_key_t *key)
{
    strbuf_t sb;
    strbuf_init(&sb, a->topic, sizeof a->topic);
    strbuf_puts(&sb, a->cfg->base_topic);
    strbuf_putc(&sb, '/');
    strbuf_puts(&sb, a->cfg->agent_id);
    strbuf_putc(&sb, '/');
    if (with_project) {
        strbuf_puts(&sb, a->cfg->project_id);
        strbuf_putc(&sb, '/');
    }
    strbuf_puts(&sb, suffix);
    if (key != NULL) {
        if (AGENT_V2(a)) {
            char uuid[37];
            strbuf_puts(&sb, agent_key_uuid(key, uuid));
        } else {
            strbuf_int(&sb, key->id);
        }
    }
    return strbuf_result(&sb);
}

int agent_publish(m2m_agent_t *a, const void *payload, size_t len, int retain)
{
    int32_t rc = m2m_mqtt_publish(a->port, a->topic, payload, len, a->cfg->qos, retain);
    if (rc != M2M_PORT_OK) {
        a->publish_error = 1;
        agent_log_parts(a, M2M_LOG_WARN, "publish to ", a->topic, " failed", "");
        return -1;
    }
    if (a->cfg->qos > 0) {
        a->sent++; /* acknowledged later: see agent_confirm() */
    }
    return 0;
}

/* P/events: job_id as the API names the job (a number, or v2's UUID). */
static int publish_event(m2m_agent_t *a, event_t *ev, const job_key_t *key)
{
    char uuid[37];
    long len;
    ev->job_id = key->id;
    ev->job_uuid = AGENT_V2(a) ? agent_key_uuid(key, uuid) : NULL;
    ev->v2 = AGENT_V2(a);
    ev->at = m2m_time_utc_ms(a->port);
    len = payload_event(a->payload, sizeof a->payload, ev);
    if (len < 0 || agent_topic(a, 1, "events", NULL) < 0) {
        return -1;
    }
    return agent_publish(a, a->payload, (size_t)len, 0);
}

/* ---- acknowledgements -------------------------------------------------------- */

int agent_confirm(m2m_agent_t *a, uint32_t waiting)
{
    int32_t left =
        a->publish_error ? M2M_PORT_ERR_NOT_CONNECTED : m2m_mqtt_wait_acks(a->port, waiting);
    if (left < 0) {
        if (!a->publish_error) {
            a->publish_error = 1;
            m2m_log(a->port, M2M_LOG_WARN,
                    "the broker did not acknowledge what was published: the next poll publishes "
                    "it again");
        }
        a->unacked_count = 0;
        return -1;
    }
    /* The broker acknowledges in order: the messages that still wait are the newest. */
    while (a->unacked_count > 0) {
        const m2m_unacked_t *u = &a->unacked[a->unacked_first];
        if (a->sent - u->seq < (uint32_t)left) {
            break;
        }
        (void)job_table_store(&a->table, u->key, u->status,
                              (uint64_t)u->fingerprint_hi << 32 | u->fingerprint_lo);
#if M2M_FAST_DIFF
        job_table_record_bytes(&a->table, u->key, u->bytes);
#endif
        a->unacked_first = (a->unacked_first + 1u) % M2M_PUBLISH_WINDOW;
        a->unacked_count--;
    }
    return 0;
}

/* A job published: it waits in the ring. When the ring is full, wait for its oldest job;
 * otherwise only take what was acknowledged meanwhile, so that publishing never stops for a
 * round trip while there is room. */
static int await_ack(m2m_agent_t *a, const job_key_t *key, int64_t status, uint64_t fingerprint,
                     uint32_t bytes)
{
    m2m_unacked_t *u = &a->unacked[(a->unacked_first + a->unacked_count) % M2M_PUBLISH_WINDOW];
    u->key = *key;
#if M2M_FAST_DIFF
    u->bytes = bytes;
#else
    (void)bytes;
#endif
    u->seq = a->sent;
    u->fingerprint_lo = (uint32_t)fingerprint;
    u->fingerprint_hi = (uint8_t)(fingerprint >> 32);
    u->status =
        (uint16_t)(status < 0 || status > JOB_TABLE_STATUS_MAX ? JOB_TABLE_STATUS_MAX : status);
    a->unacked_count++;
    return agent_confirm(a, a->unacked_count < M2M_PUBLISH_WINDOW
                                ? UINT32_MAX
                                : a->sent - a->unacked[a->unacked_first].seq);
}

/* ---- one job --------------------------------------------------------------- */

/* A job of either list call, as the agent diffs and publishes it. */
typedef struct {
    union {
        job_record_t v1;
        job_record_v2_t v2;
    } rec;
    job_key_t key;
    int64_t status; /* v1: the JOBSTAT code; v2: the phase's job_v2_phase_t */
    uint64_t fingerprint;
    uint32_t bytes;   /* the hash of its bytes (0: not taken) */
    const char *name; /* NULL when absent */
    size_t name_len;
} agent_job_t;

static job_record_status_t read_job(m2m_agent_t *a, char *text, size_t len, agent_job_t *j)
{
    job_record_status_t st;
    if (AGENT_V2(a)) {
        job_record_v2_t *r = &j->rec.v2;
        st = job_record_parse_v2(&a->record_parser, text, len, r);
        j->key = uuid_key(r->id);
        j->status = job_v2_phase_code(r->phase.p, r->phase.len);
        j->fingerprint = job_record_v2_fingerprint(r);
        j->name = r->name.p;
        j->name_len = r->name.len;
        return st;
    }
    st = job_record_parse(&a->record_parser, text, len, &j->rec.v1);
    j->key = job_key_v1(j->rec.v1.job_id);
    j->status = j->rec.v1.status;
    j->fingerprint = job_record_fingerprint(&j->rec.v1);
    j->name = (j->rec.v1.present & JOB_HAS_JOB_NAME) ? j->rec.v1.job_name : NULL;
    j->name_len = j->rec.v1.job_name_len;
    return st;
}

static long job_payload(m2m_agent_t *a, const agent_job_t *j)
{
    if (AGENT_V2(a)) {
        return payload_job_v2(a->payload, sizeof a->payload, &j->rec.v2);
    }
    return payload_job(a->payload, sizeof a->payload, &j->rec.v1);
}

/* Publish a job read whole: its topic, then its event (added, or a transition when the status
 * changed; none before the first complete walk). Returns 0, or -1 when the broker failed. */
static int publish_job(m2m_agent_t *a, const agent_job_t *j, job_table_result_t res,
                       const job_entry_t *before, size_t payload_len)
{
    if (agent_topic(a, 1, "jobs/", &j->key) < 0 ||
        agent_publish(a, a->payload, payload_len, 1) != 0) {
        return -1;
    }
    if (a->baseline_done && (res == JOB_TABLE_NEW ||
                             (res == JOB_TABLE_CHANGED && (int64_t)before->status != j->status))) {
        event_t ev;
        ev.type = res == JOB_TABLE_NEW ? EVENT_ADDED : EVENT_TRANSITION;
        ev.job_name = j->name;
        ev.job_name_len = j->name_len;
        ev.from = before->status;
        ev.to = j->status;
        if (publish_event(a, &ev, &j->key) != 0) {
            return -1;
        }
    }
    if (res == JOB_TABLE_FULL) {
        return 0; /* untracked: published on every poll */
    }
    if (res == JOB_TABLE_NEW) {
        /* Counted once in this walk even before the broker confirms it. */
        job_table_hold(&a->table, j->key, j->status);
    }
    return await_ack(a, &j->key, j->status, j->fingerprint, j->bytes);
}

/* v2: what the walk learns of the API's offset from the jobs it lists. */
static void note_v2_job(m2m_agent_t *a, const job_key_t *key)
{
    m2m_v2_walk_t *w = &a->v2;
    if (w->request == 1) {
        w->last = *key;
    } else if (w->request == 2 && key->id == w->last.id && key->id2 == w->last.id2) {
        w->probe_seen = 1;
    }
}

#if M2M_FAST_DIFF
/* The first value of a member named quoted_key ("\"job_id\"") in text, or
 * NULL. A guess: it may be a value of a nested object or sit inside a string,
 * which only makes the bytes match no entry (job_table_observe_bytes). */
static const char *peek_value(const char *text, size_t len, const char *quoted_key, size_t n)
{
    const char *end = text + len;
    const char *p = text;
    while ((p = memchr(p, '"', (size_t)(end - p))) != NULL && (size_t)(end - p) > n) {
        if (memcmp(p, quoted_key, n) == 0) {
            const char *v = p + n;
            while (v < end && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')) {
                v++;
            }
            if (v < end && *v == ':') {
                v++;
                while (v < end && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')) {
                    v++;
                }
                return v;
            }
        }
        p++;
    }
    return NULL;
}

/* The key a job's text names, read without parsing it: v1's job_id, v2's
 * metadata.id. Returns 0, or -1 when none was found. */
static int peek_key(const m2m_agent_t *a, const char *text, size_t len, job_key_t *key)
{
    const char *end = text + len;
    const char *v;
    if (AGENT_V2(a)) {
        uint8_t id[16];
        v = peek_value(text, len, "\"id\"", 4);
        if (v == NULL || end - v < 38 || *v != '"' || job_uuid_parse(v + 1, 36, id) != 0) {
            return -1;
        }
        *key = uuid_key(id);
        return 0;
    }
    /* The API sends job_id first: look there before searching. */
    v = len > 10 && memcmp(text, "{\"job_id\":", 10) == 0 ? text + 10
                                                          : peek_value(text, len, "\"job_id\"", 8);
    if (v != NULL) {
        const char *d = v;
        int64_t id = 0;
        /* Up to 18 digits cannot overflow; anything else is read exactly. */
        while (d < end && d - v < 18 && *d >= '0' && *d <= '9') {
            id = id * 10 + (*d++ - '0');
        }
        if (d == v || d == end || (*d >= '0' && *d <= '9') || *d == '-' || *d == '.' || *d == 'e' ||
            *d == 'E' || (*v == '0' && d - v > 1)) {
            d = v;
            while (d < end && ((*d >= '0' && *d <= '9') || *d == '-')) {
                d++;
            }
            if (json_parse_int64(v, (size_t)(d - v), &id) != 0) {
                return -1;
            }
        }
        *key = job_key_v1(id);
        return 0;
    }
    return -1;
}

/* A job whose bytes are those it was last read with is unchanged: counted
 * without being parsed. Returns 1 when it was, 0 to parse it; *bytes is its
 * hash (0 when its key could not be read). */
static int known_by_bytes(m2m_agent_t *a, const char *text, size_t len, uint32_t *bytes)
{
    job_key_t key;
    uint16_t status;
    job_bytes_result_t seen;
    *bytes = 0;
    if (a->table.bytes == NULL || peek_key(a, text, len, &key) != 0) {
        return 0;
    }
    *bytes = job_bytes_hash(text, len);
    seen = job_table_observe_bytes(&a->table, key, *bytes, &status);
    if (seen == JOB_BYTES_PARSE) {
        return 0;
    }
    a->page_jobs++;
    a->poll_jobs++;
    if (AGENT_V2(a)) {
        note_v2_job(a, &key);
    }
    if (seen == JOB_BYTES_SAME) {
        a->v2.fresh++;
        summary_count(&a->summary, status);
    }
    return 1;
}
#endif /* M2M_FAST_DIFF */

int agent_on_job(void *user, char *text, size_t len)
{
    m2m_agent_t *a = (m2m_agent_t *)user;
    agent_job_t j;
    job_entry_t before;
    job_table_result_t res;
    long payload_len;
    job_record_status_t st;
    uint32_t bytes = 0;

#if M2M_FAST_DIFF
    if (known_by_bytes(a, text, len, &bytes)) {
        return 0;
    }
    a->jobs_parsed++;
#endif
    st = read_job(a, text, len, &j);
    j.bytes = bytes;
    if (st != JOB_RECORD_OK) {
        agent_set_error(a, "malformed_job", job_record_strerror(st));
        return 1;
    }
    a->page_jobs++;
    a->poll_jobs++;
    if (AGENT_V2(a)) {
        note_v2_job(a, &j.key);
    }
    res = job_table_observe(&a->table, j.key, j.status, j.fingerprint, &before);
    if (res == JOB_TABLE_DUPLICATE) {
        return 0; /* offset paging listed it twice: count it once */
    }
    a->v2.fresh++;
    summary_count(&a->summary, j.status);
    if (res == JOB_TABLE_SAME) {
#if M2M_FAST_DIFF
        /* Other bytes, the same content (key order, spacing): the next
         * reading with these bytes needs no parse. */
        job_table_record_bytes(&a->table, j.key, bytes);
#endif
        return 0;
    }
    if (res == JOB_TABLE_FULL && !a->full_warned) {
        a->full_warned = 1;
        agent_log_parts(
            a, M2M_LOG_WARN,
            "job table full: jobs beyond modelarts.max_jobs are published on every poll "
            "but get no events or removals",
            "", "", "");
    }
    payload_len = job_payload(a, &j);
    if (payload_len < 0) {
        agent_set_error(a, "payload", "a job does not fit the payload buffer");
        return 1;
    }
    if (publish_job(a, &j, res, &before, (size_t)payload_len) != 0) {
        agent_set_error(a, "mqtt", "publishing to the broker failed");
        return 2;
    }
    return 0;
}

/* ---- removals ---------------------------------------------------------------- */

static int on_removed(void *user, const job_entry_t *entry)
{
    m2m_agent_t *a = (m2m_agent_t *)user;
    job_key_t key = job_table_key(&a->table, entry);
    if (a->publish_error || agent_topic(a, 1, "jobs/", &key) < 0 ||
        agent_publish(a, "", 0, 1) != 0) {
        return 1; /* kept as it is: the next complete poll tries again */
    }
    if (a->baseline_done) {
        event_t ev;
        ev.type = EVENT_REMOVED;
        ev.job_name = NULL;
        ev.job_name_len = 0;
        ev.from = entry->status;
        ev.to = 0;
        (void)publish_event(a, &ev, &key);
    }
    return 0;
}

void agent_publish_removals(m2m_agent_t *a)
{
    if (job_table_end_poll(&a->table, on_removed, a) != 0 && agent_confirm(a, 0) == 0) {
        (void)job_table_drop_gone(&a->table);
    }
}

/* ---- the baseline from the broker ------------------------------------------ */

/* One retained job topic read back at start: its payload holds what the job was last
 * published with, so it parses and fingerprints like the API's own job object; its topic must
 * name the same job. */
static void on_retained_job(void *user, const char *topic, const void *payload, size_t len)
{
    m2m_agent_t *a = (m2m_agent_t *)user;
    const char *id_text = strrchr(topic, '/');
    agent_job_t j;

    if (len == 0 || len >= sizeof a->payload || id_text == NULL) {
        return; /* a cleared topic, or not one of ours */
    }
    memcpy(a->payload, payload, len);
    a->payload[len] = '\0';
    if (read_job(a, a->payload, len, &j) != JOB_RECORD_OK ||
        agent_topic(a, 1, "jobs/", &j.key) < 0 || strcmp(a->topic, topic) != 0) {
        return;
    }
    if (job_table_update(&a->table, j.key, j.status, j.fingerprint, NULL) == JOB_TABLE_NEW) {
        a->restored++;
    }
}

void agent_restore_baseline(m2m_agent_t *a)
{
    char filter[M2M_TOPIC_MAX];
    char line[LOG_LINE_MAX];
    strbuf_t sb;
    if (a->table.count != 0 || a->baseline_done || agent_topic(a, 1, "jobs/+", NULL) < 0) {
        return; /* a reconnect: the agent's own table is the baseline */
    }
    memcpy(filter, a->topic, sizeof filter); /* the callback builds topics in a->topic */
    a->restored = 0;
    job_table_begin_poll(&a->table);
    if (m2m_mqtt_read_retained(a->port, filter, on_retained_job, a, M2M_RETAINED_QUIET_MS,
                               M2M_RETAINED_MAX_MS) != M2M_PORT_OK) {
        return;
    }
    if (a->restored > 0) {
        a->baseline_done = 1;
        strbuf_init(&sb, line, sizeof line);
        strbuf_puts(&sb, "baseline from the broker: ");
        strbuf_uint(&sb, a->restored);
        strbuf_puts(&sb, " retained job topics of an earlier run");
        m2m_log(a->port, M2M_LOG_INFO, line);
    }
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_job_stream.c - libFuzzer harness for the list-call body path: the job
 * splitter (firmware/job_stream.c), the job parser (job_record.c, json_text.c)
 * and the job table (job_table.c), wired as the agent wires them.
 *
 * Input layout: byte 0 steers the run, the rest is the response body.
 *   byte0 & 3    the largest piece fed at once: 1, 7, 64 or 4096 bytes;
 *   byte0 >> 2   seeds the generator of the piece sizes (1..largest).
 * Each job handed out is parsed, fingerprinted and entered in a table of 64
 * entries. The same body is then read a second time, whole, as the next poll.
 *
 * Invariants checked (abort() on violation, which libFuzzer reports):
 *   - a job handed out is 2..M2M_JOB_MAX bytes, '{' to '}', NUL after it;
 *   - a parsed job has job_id and status; its decoded strings lie inside the
 *     job text; its fingerprint is below 2^40 and the same when recomputed;
 *   - the table stays sorted by job_id (strictly), count <= capacity; NEW,
 *     CHANGED, SAME leave an entry with the job's status and fingerprint;
 *     FULL happens only with a full table and leaves no entry;
 *   - after an error every feed returns ERR_STATE and finish the same error;
 *     error_code and error_message are NUL-terminated inside their buffers;
 *     jobs_seen equals the number of callbacks;
 *   - split invariance: the whole-body pass hands out the same job texts and ends
 *     with the same status (and, when OK, the same top-level fields); as a
 *     second poll of an unchanged body it reports
 *     no job NEW or CHANGED (a first sighting is SAME, a repeat DUPLICATE, an
 *     untracked job FULL), and ending it removes nothing; two empty polls
 *     then report every entry gone, in job_id order.
 * A job named "stop" makes the callback return 42: the stream must end with
 * JOB_STREAM_ERR_CALLBACK and callback_result 42.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job_record.h"
#include "job_stream.h"
#include "job_table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#include "stream_pieces.h"

#define TABLE_CAPACITY 64
#define LOG_MAX 8192 /* results remembered per pass; a body holds at most size / 2 jobs */
#define STOP_RESULT 42
#define FINGERPRINT_LIMIT (UINT64_C(1) << 40)

/* A result that is not a job_table_result_t: the job did not parse. */
#define RESULT_UNPARSED 100

typedef struct {
    job_table_t *table;
    job_record_parser_t parser;
    uint32_t callbacks;
    uint64_t job_hash; /* FNV-1a over every job text handed out, as handed out */
    uint8_t log[LOG_MAX];
} pass_t;

static job_entry_t entries[TABLE_CAPACITY];
static job_table_t table;
static job_stream_t stream, first_stream;
static pass_t first, second;

static void check_table(const job_table_t *t)
{
    uint32_t i;

    CHECK(t->count <= t->capacity);
    for (i = 1; i < t->count; i++) {
        CHECK(t->entries[i - 1].job_id < t->entries[i].job_id);
    }
}

static int inside(const char *p, size_t n, const char *text, size_t len)
{
    return p >= text && n <= len && (size_t)(p - text) <= len - n;
}

static uint16_t clamped(int64_t status)
{
    return status < 0 || status > JOB_TABLE_STATUS_MAX ? JOB_TABLE_STATUS_MAX : (uint16_t)status;
}

static int on_job(void *user, char *job, size_t len)
{
    pass_t *pass = (pass_t *)user;
    job_record_t rec;
    job_record_status_t st;
    uint64_t fp;
    uint16_t previous = 0;
    uint32_t count_before;
    job_table_result_t res;
    job_entry_t *e;
    uint8_t logged = RESULT_UNPARSED;

    CHECK(len >= 2 && len <= M2M_JOB_MAX);
    CHECK(job[0] == '{' && job[len - 1] == '}' && job[len] == '\0');
    for (size_t i = 0; i <= len; i++) {
        pass->job_hash = (pass->job_hash ^ (uint8_t)job[i]) * UINT64_C(0x100000001b3);
    }

    memset(&rec, 0xA5, sizeof rec);
    st = job_record_parse(&pass->parser, job, len, &rec);
    CHECK(job_record_strerror(st) != NULL);
    if (st == JOB_RECORD_OK) {
        CHECK((rec.present & (JOB_HAS_JOB_ID | JOB_HAS_STATUS)) ==
              (JOB_HAS_JOB_ID | JOB_HAS_STATUS));
        if (rec.present & JOB_HAS_JOB_NAME) {
            CHECK(inside(rec.job_name, rec.job_name_len, job, len));
        }
        if (rec.present & JOB_HAS_JOB_DESC) {
            CHECK(inside(rec.job_desc, rec.job_desc_len, job, len));
        }
        fp = job_record_fingerprint(&rec);
        CHECK(fp < FINGERPRINT_LIMIT);
        CHECK(job_record_fingerprint(&rec) == fp);

        count_before = pass->table->count;
        res = job_table_update(pass->table, job_key_v1(rec.job_id), rec.status, fp, &previous);
        check_table(pass->table);
        e = job_table_find(pass->table, job_key_v1(rec.job_id));
        switch (res) {
        case JOB_TABLE_NEW:
            CHECK(pass->table->count == count_before + 1);
            /* fall through */
        case JOB_TABLE_CHANGED:
        case JOB_TABLE_SAME:
            CHECK(e != NULL);
            CHECK(e->status == clamped(rec.status));
            CHECK(e->fingerprint_lo == (uint32_t)fp);
            CHECK(e->fingerprint_hi == (uint8_t)(fp >> 32));
            CHECK(e->flags & JOB_ENTRY_SEEN);
            break;
        case JOB_TABLE_DUPLICATE:
            CHECK(e != NULL && (e->flags & JOB_ENTRY_SEEN));
            break;
        case JOB_TABLE_FULL:
            CHECK(e == NULL);
            CHECK(count_before == pass->table->capacity);
            break;
        default:
            CHECK(0);
        }
        logged = (uint8_t)res;
    }
    if (pass->callbacks < LOG_MAX) {
        pass->log[pass->callbacks] = logged;
    }
    pass->callbacks++;
    if (st == JOB_RECORD_OK && (rec.present & JOB_HAS_JOB_NAME) && rec.job_name_len == 4 &&
        memcmp(rec.job_name, "stop", 4) == 0) {
        return STOP_RESULT;
    }
    return 0;
}

/* Read body[0..n) in pieces of 1..max_piece bytes (whole when max_piece is 0); returns the
 * final status. */
static job_stream_status_t run_pass(pass_t *pass, const uint8_t *body, size_t n, size_t max_piece,
                                    uint32_t seed)
{
    job_stream_status_t fin;

    pass->callbacks = 0;
    pass->job_hash = UINT64_C(0xcbf29ce484222325);
    job_stream_init(&stream, on_job, pass);
    fin = feed_in_pieces(&stream, body, n, max_piece, seed);
    CHECK(stream.jobs_seen == pass->callbacks);
    CHECK(stream.is_success >= -1 && stream.is_success <= 1);
    if (fin == JOB_STREAM_ERR_CALLBACK) {
        CHECK(stream.callback_result == STOP_RESULT);
    }
    return fin;
}

static uint32_t removed_count;
static int64_t removed_last;

static int on_removed(void *user, const job_entry_t *entry)
{
    (void)user;
    CHECK(removed_count == 0 || entry->job_id > removed_last);
    removed_last = entry->job_id;
    removed_count++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t pieces[4] = {1, 7, 64, 4096};
    job_stream_status_t st1, st2;
    uint32_t i, n1, tracked;

    if (size < 1) {
        return 0;
    }
    job_table_init(&table, entries, TABLE_CAPACITY);
    job_table_begin_poll(&table);
    first.table = &table;
    second.table = &table;

    st1 = run_pass(&first, data + 1, size - 1, pieces[data[0] & 3], data[0] >> 2);
    tracked = table.count;
    if (st1 == JOB_STREAM_OK) {
        removed_count = 0;
        CHECK(job_table_end_poll(&table, on_removed, NULL) == 0);
        CHECK(removed_count == 0 && table.count == tracked);
    }

    memcpy(&first_stream, &stream, sizeof stream);
    job_table_begin_poll(&table);
    st2 = run_pass(&second, data + 1, size - 1, 0, 0);

    CHECK(st1 == st2);
    if (st1 == JOB_STREAM_OK) {
        CHECK(first_stream.is_success == stream.is_success);
        CHECK(first_stream.has_jobs == stream.has_jobs);
        CHECK(first_stream.has_job_total_count == stream.has_job_total_count);
        CHECK(first_stream.has_job_count_limit == stream.has_job_count_limit);
        CHECK(first_stream.has_quotas == stream.has_quotas);
        CHECK(first_stream.job_total_count == stream.job_total_count);
        CHECK(first_stream.job_count_limit == stream.job_count_limit);
        CHECK(first_stream.quotas == stream.quotas);
        CHECK(strcmp(first_stream.error_code, stream.error_code) == 0);
        CHECK(strcmp(first_stream.error_message, stream.error_message) == 0);
    }
    CHECK(first.callbacks == second.callbacks);
    CHECK(first.job_hash == second.job_hash);
    n1 = first.callbacks < LOG_MAX ? first.callbacks : LOG_MAX;
    for (i = 0; i < n1; i++) {
        uint8_t a = first.log[i], b = second.log[i];
        if (a == RESULT_UNPARSED) {
            CHECK(b == RESULT_UNPARSED);
        } else if (a == JOB_TABLE_NEW) {
            CHECK(b == JOB_TABLE_SAME);
        } else {
            CHECK(a == JOB_TABLE_DUPLICATE || a == JOB_TABLE_FULL);
            CHECK(b == a);
        }
    }
    CHECK(table.count == tracked);
    if (st2 == JOB_STREAM_OK) {
        removed_count = 0;
        CHECK(job_table_end_poll(&table, on_removed, NULL) == 0);
        CHECK(removed_count == 0 && table.count == tracked);
    }

    /* Polls that list nothing: the first only marks every entry MISSED, the
     * second reports them all gone, in job_id order. */
    job_table_begin_poll(&table);
    removed_count = 0;
    CHECK(job_table_end_poll(&table, on_removed, NULL) == 0);
    CHECK(removed_count == 0 && table.count == tracked);
    job_table_begin_poll(&table);
    CHECK(job_table_end_poll(&table, on_removed, NULL) == tracked);
    /* Gone, kept until the removals are acknowledged. */
    CHECK(removed_count == tracked && table.count == tracked);
    CHECK(job_table_drop_gone(&table) == tracked);
    CHECK(table.count == 0);
    return 0;
}

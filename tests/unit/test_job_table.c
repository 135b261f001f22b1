/* SPDX-License-Identifier: Apache-2.0 */
/* test_job_table.c - the per-job memory between polls (firmware/job_table.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "job_table.h"
#include "m2m_defaults.h"

#define BIG 10000u

static job_entry_t storage[BIG];

static void entry_is_16_bytes(void **state)
{
    (void)state;
    assert_int_equal(sizeof(job_entry_t), 16);
}

static void first_sight_is_new_then_same(void **state)
{
    job_table_t t;
    uint16_t prev = 777;
    job_entry_t *e;
    (void)state;

    job_table_init(&t, storage, 4);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_update(&t, job_key_v1(5), 8, 0xABCDEF0123ull, &prev), JOB_TABLE_NEW);
    assert_int_equal(prev, 777); /* untouched for NEW */
    assert_int_equal(t.count, 1);
    e = job_table_find(&t, job_key_v1(5));
    assert_non_null(e);
    assert_int_equal(e->job_id, 5);
    assert_int_equal(e->status, 8);
    assert_int_equal(e->fingerprint_lo, (uint32_t)0xCDEF0123u);
    assert_int_equal(e->fingerprint_hi, 0xAB);
    assert_true(e->flags & JOB_ENTRY_SEEN);

    job_table_begin_poll(&t);
    assert_false(e->flags & JOB_ENTRY_SEEN);
    assert_int_equal(job_table_update(&t, job_key_v1(5), 8, 0xABCDEF0123ull, &prev),
                     JOB_TABLE_SAME);
    assert_true(e->flags & JOB_ENTRY_SEEN);
}

static void status_change_is_changed_with_previous_status(void **state)
{
    job_table_t t;
    uint16_t prev = 0;
    (void)state;

    job_table_init(&t, storage, 4);
    job_table_begin_poll(&t);
    job_table_update(&t, job_key_v1(5), 8, 1, NULL);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_update(&t, job_key_v1(5), 10, 1, &prev), JOB_TABLE_CHANGED);
    assert_int_equal(prev, 8);
    assert_int_equal(job_table_find(&t, job_key_v1(5))->status, 10);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_update(&t, job_key_v1(5), 10, 1, &prev), JOB_TABLE_SAME);
}

static void fingerprint_change_in_any_of_40_bits_is_changed(void **state)
{
    job_table_t t;
    uint16_t prev = 0;
    unsigned bit;
    (void)state;

    job_table_init(&t, storage, 4);
    job_table_begin_poll(&t);
    job_table_update(&t, job_key_v1(9), 8, 0, NULL);
    for (bit = 0; bit < 40; bit++) {
        job_table_begin_poll(&t);
        assert_int_equal(job_table_update(&t, job_key_v1(9), 8, 1ull << bit, &prev),
                         JOB_TABLE_CHANGED);
        assert_int_equal(prev, 8);
        job_table_begin_poll(&t);
        assert_int_equal(job_table_update(&t, job_key_v1(9), 8, 0, NULL), JOB_TABLE_CHANGED);
    }
}

static void fingerprint_bits_above_40_are_ignored(void **state)
{
    job_table_t t;
    (void)state;

    job_table_init(&t, storage, 4);
    job_table_begin_poll(&t);
    job_table_update(&t, job_key_v1(9), 8, 0x12345ull, NULL);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_update(&t, job_key_v1(9), 8, 0xFFFFFF0000012345ull, NULL),
                     JOB_TABLE_SAME);
}

static void second_listing_in_one_poll_is_duplicate_and_ignored(void **state)
{
    job_table_t t;
    uint16_t prev = 0;
    job_entry_t *e;
    (void)state;

    job_table_init(&t, storage, 4);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_update(&t, job_key_v1(3), 7, 100, NULL), JOB_TABLE_NEW);
    assert_int_equal(job_table_update(&t, job_key_v1(3), 8, 200, &prev), JOB_TABLE_DUPLICATE);
    assert_int_equal(prev, 7);
    e = job_table_find(&t, job_key_v1(3));
    assert_int_equal(e->status, 7);
    assert_int_equal(e->fingerprint_lo, 100);
    assert_int_equal(t.count, 1);

    job_table_begin_poll(&t);
    assert_int_equal(job_table_update(&t, job_key_v1(3), 7, 100, NULL), JOB_TABLE_SAME);
    assert_int_equal(job_table_update(&t, job_key_v1(3), 7, 100, &prev), JOB_TABLE_DUPLICATE);
}

static void new_job_in_full_table_is_full_and_counted(void **state)
{
    job_table_t t;
    (void)state;

    job_table_init(&t, storage, 2);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_update(&t, job_key_v1(1), 1, 0, NULL), JOB_TABLE_NEW);
    assert_int_equal(job_table_update(&t, job_key_v1(2), 1, 0, NULL), JOB_TABLE_NEW);
    assert_int_equal(job_table_update(&t, job_key_v1(3), 1, 0, NULL), JOB_TABLE_FULL);
    assert_int_equal(job_table_update(&t, job_key_v1(0), 1, 0, NULL), JOB_TABLE_FULL);
    assert_int_equal(t.untracked, 2);
    assert_int_equal(t.count, 2);
    assert_null(job_table_find(&t, job_key_v1(3)));
    /* known jobs still update in a full table */
    assert_int_equal(job_table_update(&t, job_key_v1(1), 1, 0, NULL), JOB_TABLE_DUPLICATE);
    job_table_begin_poll(&t);
    assert_int_equal(t.untracked, 0);
    assert_int_equal(job_table_update(&t, job_key_v1(2), 8, 0, NULL), JOB_TABLE_CHANGED);
}

static void capacity_zero_tracks_nothing(void **state)
{
    job_table_t t;
    (void)state;

    job_table_init(&t, NULL, 0);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_update(&t, job_key_v1(1), 8, 0, NULL), JOB_TABLE_FULL);
    assert_int_equal(job_table_update(&t, job_key_v1(1), 8, 0, NULL), JOB_TABLE_FULL);
    assert_int_equal(t.untracked, 2);
    assert_int_equal(t.count, 0);
    assert_null(job_table_find(&t, job_key_v1(1)));
    job_table_invalidate_all(&t);
    assert_int_equal(job_table_end_poll(&t, NULL, NULL), 0);
}

static void status_is_clamped_to_65535(void **state)
{
    static const struct {
        int64_t status;
        uint16_t stored;
    } cases[] = {
        {0, 0},         {22, 22},           {65534, 65534}, {65535, 65535},
        {65536, 65535}, {INT64_MAX, 65535}, {-1, 65535},    {INT64_MIN, 65535},
    };
    job_table_t t;
    size_t i;
    (void)state;

    job_table_init(&t, storage, 16);
    job_table_begin_poll(&t);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(job_table_update(&t, job_key_v1((int64_t)i), cases[i].status, 0, NULL),
                         JOB_TABLE_NEW);
        assert_int_equal(job_table_find(&t, job_key_v1((int64_t)i))->status, cases[i].stored);
    }
}

/* The next complete poll lists again exactly the jobs the last one listed:
 * what that one missed is missed a second time. */
static void relist_seen(job_table_t *t)
{
    uint32_t i;
    job_table_begin_poll(t);
    for (i = 0; i < t->count; i++) {
        if (!(t->entries[i].flags & JOB_ENTRY_MISSED)) {
            t->entries[i].flags |= JOB_ENTRY_SEEN;
        }
    }
}

struct removed_log {
    int64_t ids[16];
    uint16_t statuses[16];
    unsigned n;
};

static int record_removed(void *user, const job_entry_t *entry)
{
    struct removed_log *log = user;

    assert_true(log->n < 16);
    log->ids[log->n] = entry->job_id;
    log->statuses[log->n] = entry->status;
    log->n++;
    return 0;
}

/* A removal the broker did not take: the entry must stay. */
static int refuse_removal(void *user, const job_entry_t *entry)
{
    unsigned *calls = user;
    (void)entry;
    (*calls)++;
    return 1;
}

static void unseen_jobs_are_removed_in_id_order(void **state)
{
    static const int64_t ids[] = {50, -3, 7, 1000, 20, 8, INT64_MAX, INT64_MIN};
    static const int64_t kept[] = {-3, 8, 50};
    static const int64_t gone[] = {INT64_MIN, 7, 20, 1000, INT64_MAX};
    struct removed_log log;
    job_table_t t;
    size_t i;
    (void)state;

    memset(&log, 0, sizeof log);
    job_table_init(&t, storage, 16);
    job_table_begin_poll(&t);
    for (i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        job_table_update(&t, job_key_v1(ids[i]), (int64_t)i, 0, NULL);
    }
    job_table_begin_poll(&t);
    for (i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        assert_int_equal(job_table_update(&t, job_key_v1(kept[i]), 99, 0, NULL), JOB_TABLE_CHANGED);
    }
    /* one absence proves nothing: kept, marked */
    assert_int_equal(job_table_end_poll(&t, record_removed, &log), 0);
    assert_int_equal(log.n, 0);
    assert_int_equal(t.count, 8);
    relist_seen(&t);
    assert_int_equal(job_table_end_poll(&t, record_removed, &log), 5);
    assert_int_equal(log.n, 5);
    /* Gone, but kept until the broker acknowledged the removals. */
    assert_int_equal(t.count, 8);
    assert_int_equal(job_table_drop_gone(&t), 5);
    for (i = 0; i < 5; i++) {
        assert_int_equal(log.ids[i], gone[i]);
    }
    assert_int_equal(log.statuses[0], 7); /* INT64_MIN was listed 8th (i = 7) */
    assert_int_equal(log.statuses[1], 2);
    assert_int_equal(t.count, 3);
    for (i = 0; i < 3; i++) {
        assert_int_equal(t.entries[i].job_id, kept[i]);
        assert_int_equal(t.entries[i].status, 99);
        assert_ptr_equal(job_table_find(&t, job_key_v1(kept[i])), &t.entries[i]);
    }
    for (i = 0; i < 5; i++) {
        assert_null(job_table_find(&t, job_key_v1(gone[i])));
    }
    /* nothing unseen now: a second call removes nothing */
    assert_int_equal(job_table_end_poll(&t, NULL, NULL), 0);
    assert_int_equal(t.count, 3);
}

static void removed_job_returns_as_new(void **state)
{
    job_table_t t;
    (void)state;

    job_table_init(&t, storage, 4);
    job_table_begin_poll(&t);
    job_table_update(&t, job_key_v1(1), 8, 0, NULL);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_end_poll(&t, NULL, NULL), 0);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_end_poll(&t, NULL, NULL), 1);
    assert_int_equal(job_table_drop_gone(&t), 1);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_update(&t, job_key_v1(1), 8, 0, NULL), JOB_TABLE_NEW);
}

static void invalidate_all_makes_every_job_changed_once(void **state)
{
    job_table_t t;
    int64_t id;
    (void)state;

    job_table_init(&t, storage, 8);
    job_table_begin_poll(&t);
    for (id = 1; id <= 5; id++) {
        job_table_update(&t, job_key_v1(id), 8, (uint64_t)id, NULL);
    }
    job_table_invalidate_all(&t);
    job_table_begin_poll(&t);
    for (id = 1; id <= 5; id++) {
        assert_int_equal(job_table_update(&t, job_key_v1(id), 8, (uint64_t)id, NULL),
                         JOB_TABLE_CHANGED);
    }
    job_table_begin_poll(&t);
    for (id = 1; id <= 5; id++) {
        assert_int_equal(job_table_update(&t, job_key_v1(id), 8, (uint64_t)id, NULL),
                         JOB_TABLE_SAME);
    }
}

static void a_job_missed_once_then_listed_again_stays(void **state)
{
    job_table_t t;
    (void)state;

    job_table_init(&t, storage, 4);
    job_table_begin_poll(&t);
    job_table_update(&t, job_key_v1(1), 8, 0, NULL);
    job_table_update(&t, job_key_v1(2), 8, 0, NULL);
    assert_int_equal(job_table_end_poll(&t, NULL, NULL), 0);

    job_table_begin_poll(&t); /* job 2 skipped by offset paging */
    assert_int_equal(job_table_update(&t, job_key_v1(1), 8, 0, NULL), JOB_TABLE_SAME);
    assert_int_equal(job_table_end_poll(&t, NULL, NULL), 0);
    assert_true(job_table_find(&t, job_key_v1(2))->flags & JOB_ENTRY_MISSED);

    job_table_begin_poll(&t); /* listed again: the mark goes */
    assert_int_equal(job_table_update(&t, job_key_v1(1), 8, 0, NULL), JOB_TABLE_SAME);
    assert_int_equal(job_table_update(&t, job_key_v1(2), 8, 0, NULL), JOB_TABLE_SAME);
    assert_int_equal(job_table_end_poll(&t, NULL, NULL), 0);
    assert_false(job_table_find(&t, job_key_v1(2))->flags & JOB_ENTRY_MISSED);

    job_table_begin_poll(&t); /* one more absence is again only a mark */
    assert_int_equal(job_table_update(&t, job_key_v1(1), 8, 0, NULL), JOB_TABLE_SAME);
    assert_int_equal(job_table_end_poll(&t, NULL, NULL), 0);
    assert_int_equal(t.count, 2);
}

static void invalidated_job_reports_changed_once(void **state)
{
    job_table_t t;
    uint16_t prev = 0;
    (void)state;

    job_table_init(&t, storage, 4);
    job_table_begin_poll(&t);
    job_table_update(&t, job_key_v1(4), 8, 0x1234, NULL);
    job_table_invalidate_all(&t);
    job_table_invalidate_all(&t); /* twice is the same as once */
    assert_int_equal(t.count, 1);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_update(&t, job_key_v1(4), 8, 0x1234, &prev), JOB_TABLE_CHANGED);
    assert_int_equal(prev, 8);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_update(&t, job_key_v1(4), 8, 0x1234, NULL), JOB_TABLE_SAME);
}

/* A fixed-seed xorshift generator: the order is random but repeatable. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void ten_thousand_random_inserts_stay_sorted_and_findable(void **state)
{
    static int64_t ids[BIG];
    job_table_t t;
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    uint32_t i;
    (void)state;

    /* distinct ids spread over the signed range, then shuffled */
    for (i = 0; i < BIG; i++) {
        ids[i] = ((int64_t)i - (int64_t)(BIG / 2)) * 1000003 + (int64_t)(i % 7);
    }
    for (i = BIG - 1; i > 0; i--) {
        uint32_t j = (uint32_t)(next_random(&seed) % (i + 1u));
        int64_t tmp = ids[i];
        ids[i] = ids[j];
        ids[j] = tmp;
    }
    job_table_init(&t, storage, BIG);
    job_table_begin_poll(&t);
    for (i = 0; i < BIG; i++) {
        assert_int_equal(job_table_update(&t, job_key_v1(ids[i]), i % 23, i, NULL), JOB_TABLE_NEW);
    }
    assert_int_equal(t.count, BIG);
    for (i = 1; i < BIG; i++) {
        assert_true(t.entries[i - 1].job_id < t.entries[i].job_id);
    }
    for (i = 0; i < BIG; i++) {
        job_entry_t *e = job_table_find(&t, job_key_v1(ids[i]));
        assert_non_null(e);
        assert_int_equal(e->job_id, ids[i]);
        assert_int_equal(e->status, i % 23);
        assert_int_equal(e->fingerprint_lo, i);
    }
    assert_null(job_table_find(&t, job_key_v1(ids[0] + 1000003 / 2)));
    assert_int_equal(job_table_update(&t, job_key_v1(INT64_MAX), 1, 0, NULL), JOB_TABLE_FULL);

    /* keep every other id, drop the rest in one pass */
    job_table_begin_poll(&t);
    for (i = 0; i < BIG; i += 2) {
        assert_int_equal(job_table_update(&t, job_key_v1(ids[i]), i % 23, i, NULL), JOB_TABLE_SAME);
    }
    assert_int_equal(job_table_end_poll(&t, NULL, NULL), 0);
    relist_seen(&t);
    assert_int_equal(job_table_end_poll(&t, NULL, NULL), BIG / 2);
    assert_int_equal(job_table_drop_gone(&t), BIG / 2);
    assert_int_equal(t.count, BIG / 2);
    for (i = 1; i < t.count; i++) {
        assert_true(t.entries[i - 1].job_id < t.entries[i].job_id);
    }
    for (i = 0; i < BIG; i++) {
        if (i % 2 == 0) {
            assert_non_null(job_table_find(&t, job_key_v1(ids[i])));
        } else {
            assert_null(job_table_find(&t, job_key_v1(ids[i])));
        }
    }
}

static void increasing_ids_append(void **state)
{
    job_table_t t;
    uint32_t i;
    (void)state;

    job_table_init(&t, storage, BIG);
    job_table_begin_poll(&t);
    for (i = 0; i < BIG; i++) {
        assert_int_equal(job_table_update(&t, job_key_v1((int64_t)i * 2), 8, 0, NULL),
                         JOB_TABLE_NEW);
    }
    for (i = 0; i < BIG; i++) {
        assert_int_equal(t.entries[i].job_id, (int64_t)i * 2);
    }
    assert_null(job_table_find(&t, job_key_v1(3)));
    assert_null(job_table_find(&t, job_key_v1(-1)));
    assert_null(job_table_find(&t, job_key_v1((int64_t)BIG * 2)));
}

static void observe_changes_nothing_but_seen(void **state)
{
    job_table_t t;
    job_entry_t before;
    (void)state;

    job_table_init(&t, storage, 4);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_observe(&t, job_key_v1(7), 8, 0x11, &before), JOB_TABLE_NEW);
    assert_int_equal(t.count, 0);
    assert_int_equal(job_table_store(&t, job_key_v1(7), 8, 0x11), 0);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_observe(&t, job_key_v1(7), 10, 0x22, &before), JOB_TABLE_CHANGED);
    assert_int_equal(before.status, 8);
    assert_int_equal(before.fingerprint_lo, 0x11);
    /* Not stored: the entry still says what was last published. */
    assert_int_equal(job_table_find(&t, job_key_v1(7))->status, 8);
    assert_int_equal(job_table_find(&t, job_key_v1(7))->fingerprint_lo, 0x11);
    assert_true(job_table_find(&t, job_key_v1(7))->flags & JOB_ENTRY_SEEN);
    assert_int_equal(job_table_observe(&t, job_key_v1(7), 10, 0x22, &before), JOB_TABLE_DUPLICATE);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_observe(&t, job_key_v1(7), 8, 0x11, NULL), JOB_TABLE_SAME);
}

static void stale_and_unchanged_is_republish(void **state)
{
    job_table_t t;
    (void)state;

    job_table_init(&t, storage, 4);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_store(&t, job_key_v1(3), 8, 0x99), 0);
    job_table_invalidate_all(&t);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_observe(&t, job_key_v1(3), 8, 0x99, NULL), JOB_TABLE_REPUBLISH);
    assert_int_equal(job_table_store(&t, job_key_v1(3), 8, 0x99), 0);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_observe(&t, job_key_v1(3), 8, 0x99, NULL), JOB_TABLE_SAME);
    /* A STALE job whose content moved on is a plain change. */
    job_table_invalidate_all(&t);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_observe(&t, job_key_v1(3), 10, 0x99, NULL), JOB_TABLE_CHANGED);
}

static void held_jobs_count_once_and_unpublished_ones_go_silently(void **state)
{
    job_table_t t;
    unsigned calls = 0;
    (void)state;

    job_table_init(&t, storage, 4);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_observe(&t, job_key_v1(1), 8, 0x1, NULL), JOB_TABLE_NEW);
    job_table_hold(&t, job_key_v1(1), 8);
    assert_int_equal(t.count, 1);
    /* Held: a second listing in the same walk is a duplicate, counted once. */
    assert_int_equal(job_table_observe(&t, job_key_v1(1), 8, 0x1, NULL), JOB_TABLE_DUPLICATE);
    assert_int_equal(job_table_observe(&t, job_key_v1(2), 8, 0x2, NULL), JOB_TABLE_NEW);
    job_table_hold(&t, job_key_v1(2), 8);
    /* Job 1's publish was acknowledged, job 2's was not. */
    assert_int_equal(job_table_store(&t, job_key_v1(1), 8, 0x1), 0);
    assert_int_equal(job_table_end_poll(&t, refuse_removal, &calls), 0);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_observe(&t, job_key_v1(1), 8, 0x1, NULL), JOB_TABLE_SAME);
    assert_int_equal(job_table_observe(&t, job_key_v1(2), 8, 0x2, NULL), JOB_TABLE_NEW);
    job_table_begin_poll(&t);
    job_table_hold(&t, job_key_v1(3), 8);
    job_table_begin_poll(&t);
    /* Not listed: job 3 goes at once, without a removal for the broker;
     * job 2 too; job 1 is missed once. */
    assert_int_equal(job_table_end_poll(&t, refuse_removal, &calls), 0);
    assert_int_equal(calls, 0);
    assert_int_equal(t.count, 1);
    assert_non_null(job_table_find(&t, job_key_v1(1)));
}

static job_key_t wide_key(int64_t id, uint64_t id2)
{
    job_key_t k;
    k.id = id;
    k.id2 = id2;
    return k;
}

#if M2M_WITH_V2
static void a_wide_table_keys_on_all_128_bits(void **state)
{
    static uint64_t ids2[8];
    job_table_t t;
    struct removed_log log;
    (void)state;

    memset(&log, 0, sizeof log);
    job_table_init_wide(&t, storage, ids2, 8);
    job_table_begin_poll(&t);
    /* Three UUIDs sharing their first half, one sharing its second. */
    assert_int_equal(job_table_update(&t, wide_key(7, 3), 1, 0x1, NULL), JOB_TABLE_NEW);
    assert_int_equal(job_table_update(&t, wide_key(7, 1), 2, 0x2, NULL), JOB_TABLE_NEW);
    assert_int_equal(job_table_update(&t, wide_key(7, UINT64_MAX), 3, 0x3, NULL), JOB_TABLE_NEW);
    assert_int_equal(job_table_update(&t, wide_key(-5, 3), 4, 0x4, NULL), JOB_TABLE_NEW);
    assert_int_equal(job_table_update(&t, wide_key(7, 1), 2, 0x2, NULL), JOB_TABLE_DUPLICATE);
    assert_int_equal(t.count, 4);
    /* Sorted by the whole key; each entry's second half beside it. */
    assert_int_equal(job_table_key(&t, &t.entries[0]).id, -5);
    assert_true(job_table_key(&t, &t.entries[1]).id2 == 1);
    assert_true(job_table_key(&t, &t.entries[2]).id2 == 3);
    assert_true(job_table_key(&t, &t.entries[3]).id2 == UINT64_MAX);
    assert_int_equal(job_table_find(&t, wide_key(7, 3))->status, 1);
    assert_null(job_table_find(&t, wide_key(7, 2)));
    assert_null(job_table_find(&t, wide_key(8, 3)));
    /* Removal compacts both arrays. */
    job_table_begin_poll(&t);
    assert_int_equal(job_table_update(&t, wide_key(7, UINT64_MAX), 3, 0x3, NULL), JOB_TABLE_SAME);
    job_table_end_poll(&t, NULL, NULL);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_update(&t, wide_key(7, UINT64_MAX), 3, 0x3, NULL), JOB_TABLE_SAME);
    assert_int_equal(job_table_end_poll(&t, record_removed, &log), 3);
    assert_int_equal(job_table_drop_gone(&t), 3);
    assert_int_equal(t.count, 1);
    assert_true(job_table_key(&t, &t.entries[0]).id2 == UINT64_MAX);
    assert_non_null(job_table_find(&t, wide_key(7, UINT64_MAX)));
}

#endif

static void a_narrow_table_refuses_a_wide_key(void **state)
{
    job_table_t t;
    (void)state;

    job_table_init(&t, storage, 4);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_store(&t, wide_key(1, 9), 8, 0), -1);
    assert_int_equal(t.count, 0);
    assert_int_equal(job_table_key(&t, &t.entries[0]).id2, 0);
}

#if M2M_FAST_DIFF
static void a_job_read_with_its_last_bytes_is_known_unparsed(void **state)
{
    static uint32_t bytes[8];
    job_table_t t;
    uint16_t status = 0;
    int64_t id;
    (void)state;

    job_table_init(&t, storage, 8);
    job_table_keep_bytes(&t, bytes);
    job_table_begin_poll(&t);
    /* Unknown, or known without bytes: parse. */
    assert_int_equal(job_table_observe_bytes(&t, job_key_v1(5), 77, &status), JOB_BYTES_PARSE);
    for (id = 1; id <= 5; id++) {
        assert_int_equal(job_table_store(&t, job_key_v1(id * 10), 8, (uint64_t)id), 0);
        job_table_record_bytes(&t, job_key_v1(id * 10), (uint32_t)(100 + id));
    }
    /* An insertion in front moves the bytes with their entries. */
    assert_int_equal(job_table_store(&t, job_key_v1(1), 9, 1), 0);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_observe_bytes(&t, job_key_v1(1), 0, &status), JOB_BYTES_PARSE);
    assert_int_equal(job_table_observe_bytes(&t, job_key_v1(30), 102, &status), JOB_BYTES_PARSE);
    assert_int_equal(job_table_observe_bytes(&t, job_key_v1(30), 103, &status), JOB_BYTES_SAME);
    assert_int_equal(status, 8);
    assert_true(job_table_find(&t, job_key_v1(30))->flags & JOB_ENTRY_SEEN);
    assert_int_equal(job_table_observe_bytes(&t, job_key_v1(30), 103, &status),
                     JOB_BYTES_DUPLICATE);
    /* Stale (the broker may have lost it): parsed, to be published again. */
    job_table_invalidate_all(&t);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_observe_bytes(&t, job_key_v1(40), 104, &status), JOB_BYTES_PARSE);
    /* A store clears STALE; the bytes it was read with are recorded apart. */
    assert_int_equal(job_table_store(&t, job_key_v1(40), 8, 4), 0);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_observe_bytes(&t, job_key_v1(40), 104, &status), JOB_BYTES_SAME);
    /* Removal compacts the bytes with the entries. */
    job_table_begin_poll(&t);
    assert_int_equal(job_table_observe_bytes(&t, job_key_v1(50), 105, &status), JOB_BYTES_PARSE);
    job_table_store(&t, job_key_v1(50), 8, 5);
    job_table_end_poll(&t, NULL, NULL);
    job_table_begin_poll(&t);
    job_table_store(&t, job_key_v1(50), 8, 5);
    assert_int_equal(job_table_end_poll(&t, NULL, NULL), 5);
    assert_int_equal(job_table_drop_gone(&t), 5);
    assert_int_equal(t.count, 1);
    assert_int_equal(bytes[0], 105);
    /* A status the table clamps is not trusted by bytes. */
    job_table_store(&t, job_key_v1(60), 70000, 6);
    job_table_record_bytes(&t, job_key_v1(60), 106);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_observe_bytes(&t, job_key_v1(60), 106, &status), JOB_BYTES_PARSE);
}
#endif

static void a_removal_the_broker_refused_is_kept(void **state)
{
    job_table_t t;
    unsigned calls = 0;
    (void)state;

    job_table_init(&t, storage, 4);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_store(&t, job_key_v1(9), 8, 0), 0);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_end_poll(&t, refuse_removal, &calls), 0);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_end_poll(&t, refuse_removal, &calls), 0);
    assert_int_equal(calls, 1);
    assert_non_null(job_table_find(&t, job_key_v1(9)));
    assert_false(job_table_find(&t, job_key_v1(9))->flags & JOB_ENTRY_GONE);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_end_poll(&t, NULL, NULL), 1);
    assert_int_equal(job_table_drop_gone(&t), 1);
    assert_null(job_table_find(&t, job_key_v1(9)));
}

static void an_unacknowledged_removal_is_reported_again(void **state)
{
    struct removed_log log;
    job_table_t t;
    (void)state;

    memset(&log, 0, sizeof log);
    job_table_init(&t, storage, 4);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_store(&t, job_key_v1(9), 8, 0x5), 0);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_end_poll(&t, record_removed, &log), 0);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_end_poll(&t, record_removed, &log), 1);
    assert_true(job_table_find(&t, job_key_v1(9))->flags & JOB_ENTRY_GONE);
    /* The broker did not acknowledge: no drop; the next complete poll
     * reports it again. */
    job_table_begin_poll(&t);
    assert_int_equal(job_table_end_poll(&t, record_removed, &log), 1);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.ids[1], 9);
    assert_int_equal(job_table_drop_gone(&t), 1);
    assert_int_equal(t.count, 0);
}

static void a_job_listed_again_after_its_removal_is_republished(void **state)
{
    job_table_t t;
    (void)state;

    job_table_init(&t, storage, 4);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_store(&t, job_key_v1(9), 8, 0x5), 0);
    job_table_begin_poll(&t);
    job_table_end_poll(&t, NULL, NULL);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_end_poll(&t, NULL, NULL), 1);
    /* The clear may have reached the broker: the same job, unchanged, must
     * be published again, in this poll and, unless that publish is
     * acknowledged, the next. */
    job_table_begin_poll(&t);
    assert_int_equal(job_table_observe(&t, job_key_v1(9), 8, 0x5, NULL), JOB_TABLE_REPUBLISH);
    assert_int_equal(job_table_end_poll(&t, NULL, NULL), 0);
    assert_false(job_table_find(&t, job_key_v1(9))->flags & JOB_ENTRY_GONE);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_observe(&t, job_key_v1(9), 8, 0x5, NULL), JOB_TABLE_REPUBLISH);
    assert_int_equal(job_table_store(&t, job_key_v1(9), 8, 0x5), 0);
    job_table_begin_poll(&t);
    assert_int_equal(job_table_observe(&t, job_key_v1(9), 8, 0x5, NULL), JOB_TABLE_SAME);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(entry_is_16_bytes),
        cmocka_unit_test(observe_changes_nothing_but_seen),
        cmocka_unit_test(stale_and_unchanged_is_republish),
        cmocka_unit_test(held_jobs_count_once_and_unpublished_ones_go_silently),
#if M2M_WITH_V2
        cmocka_unit_test(a_wide_table_keys_on_all_128_bits),
#endif
        cmocka_unit_test(a_narrow_table_refuses_a_wide_key),
#if M2M_FAST_DIFF
        cmocka_unit_test(a_job_read_with_its_last_bytes_is_known_unparsed),
#endif
        cmocka_unit_test(a_removal_the_broker_refused_is_kept),
        cmocka_unit_test(an_unacknowledged_removal_is_reported_again),
        cmocka_unit_test(a_job_listed_again_after_its_removal_is_republished),
        cmocka_unit_test(first_sight_is_new_then_same),
        cmocka_unit_test(status_change_is_changed_with_previous_status),
        cmocka_unit_test(fingerprint_change_in_any_of_40_bits_is_changed),
        cmocka_unit_test(fingerprint_bits_above_40_are_ignored),
        cmocka_unit_test(second_listing_in_one_poll_is_duplicate_and_ignored),
        cmocka_unit_test(new_job_in_full_table_is_full_and_counted),
        cmocka_unit_test(capacity_zero_tracks_nothing),
        cmocka_unit_test(status_is_clamped_to_65535),
        cmocka_unit_test(unseen_jobs_are_removed_in_id_order),
        cmocka_unit_test(removed_job_returns_as_new),
        cmocka_unit_test(a_job_missed_once_then_listed_again_stays),
        cmocka_unit_test(invalidate_all_makes_every_job_changed_once),
        cmocka_unit_test(invalidated_job_reports_changed_once),
        cmocka_unit_test(ten_thousand_random_inserts_stay_sorted_and_findable),
        cmocka_unit_test(increasing_ids_append),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

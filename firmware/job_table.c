/* SPDX-License-Identifier: Apache-2.0 */
/* job_table.c - the per-job memory between polls; see include/job_table.h. */
#include "job_table.h"

#include "m2m_defaults.h"

#include <string.h>

/* The RAM formula in the docs counts 16 bytes per tracked job (C99 has no
 * _Static_assert: a negative array size fails the build instead). */
typedef char job_entry_is_16_bytes[(sizeof(job_entry_t) == 16) ? 1 : -1];

#define FINGERPRINT_HI_SHIFT 32

void job_table_init(job_table_t *t, job_entry_t *storage, uint32_t capacity)
{
    job_table_init_wide(t, storage, NULL, capacity);
}

void job_table_init_wide(job_table_t *t, job_entry_t *storage, uint64_t *ids2, uint32_t capacity)
{
    t->entries = storage;
    t->ids2 = ids2;
    t->bytes = NULL;
    t->capacity = capacity;
    t->count = 0;
#if !M2M_OPTIMIZE_SIZE
    t->next = 0;
#endif
    t->untracked = 0;
}

void job_table_begin_poll(job_table_t *t)
{
    uint32_t i;

    for (i = 0; i < t->count; i++) {
        t->entries[i].flags &= (uint8_t)~JOB_ENTRY_SEEN;
    }
    t->untracked = 0;
}

/* Wide tables (keys of 128 bits) exist for the v2 list only. */
static uint64_t *wide_ids(const job_table_t *t)
{
#if M2M_WITH_V2
    return t->ids2;
#else
    (void)t;
    return NULL;
#endif
}
#define IDS2(t) wide_ids(t)

job_key_t job_table_key(const job_table_t *t, const job_entry_t *e)
{
    job_key_t k;
    k.id = e->job_id;
    k.id2 = IDS2(t) != NULL ? IDS2(t)[e - t->entries] : 0;
    return k;
}

static uint32_t *bytes_hashes(const job_table_t *t)
{
#if M2M_FAST_DIFF
    return t->bytes;
#else
    (void)t;
    return NULL;
#endif
}
#define BYTES(t) bytes_hashes(t)

void job_table_keep_bytes(job_table_t *t, uint32_t *bytes)
{
    t->bytes = bytes;
}

/* Move entry read to slot write, with its columns. */
static void move_entry(job_table_t *t, uint32_t write, uint32_t read)
{
    t->entries[write] = t->entries[read];
    if (IDS2(t) != NULL) {
        IDS2(t)[write] = IDS2(t)[read];
    }
    if (BYTES(t) != NULL) {
        BYTES(t)[write] = BYTES(t)[read];
    }
}

/* 1 when entry i's key is below key. */
static int key_below(const job_table_t *t, uint32_t i, job_key_t key)
{
    int64_t id = t->entries[i].job_id;
    if (id != key.id || IDS2(t) == NULL) {
        return id < key.id;
    }
    return IDS2(t)[i] < key.id2;
}

static int key_equal(const job_table_t *t, uint32_t i, job_key_t key)
{
    return t->entries[i].job_id == key.id &&
           (IDS2(t) == NULL ? key.id2 == 0 : IDS2(t)[i] == key.id2);
}

/* Index of the first entry whose key is >= key (count if none). */
static uint32_t lower_bound(const job_table_t *t, job_key_t key)
{
    uint32_t lo = 0, hi = t->count;

    /* New ids usually arrive in increasing order: check the end first. */
    if (hi == 0 || key_below(t, hi - 1, key)) {
        return hi;
    }
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2u;

        if (key_below(t, mid, key)) {
            lo = mid + 1u;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Index of key's entry, or count when it is not tracked. Walks list jobs in
 * creation order, which is usually key order: the entry after the last one
 * found is tried first. */
static uint32_t find_index(job_table_t *t, job_key_t key)
{
#if M2M_OPTIMIZE_SIZE
    /* The small form: a binary search, without the hint. */
    uint32_t at = lower_bound(t, key);
    return at < t->count && key_equal(t, at, key) ? at : t->count;
#else
    uint32_t at = t->next;
    if (at >= t->count || !key_equal(t, at, key)) {
        at = lower_bound(t, key);
        if (at >= t->count || !key_equal(t, at, key)) {
            return t->count;
        }
    }
    t->next = at + 1;
    return at;
#endif
}

/* Negative codes have no meaning in the API; they share the "too large"
 * value so a stored status is never mistaken for a real small code. */
static uint16_t clamp_status(int64_t status)
{
    if (status < 0 || status > JOB_TABLE_STATUS_MAX) {
        return JOB_TABLE_STATUS_MAX;
    }
    return (uint16_t)status;
}

static void set_fingerprint(job_entry_t *e, uint64_t fingerprint)
{
    e->fingerprint_lo = (uint32_t)fingerprint;
    e->fingerprint_hi = (uint8_t)(fingerprint >> FINGERPRINT_HI_SHIFT);
}

job_table_result_t job_table_observe(job_table_t *t, job_key_t key, int64_t status,
                                     uint64_t fingerprint, job_entry_t *before)
{
    uint32_t at = find_index(t, key);
    job_entry_t *e;

    if (at == t->count) {
        if (t->count >= t->capacity) {
            t->untracked++;
            return JOB_TABLE_FULL;
        }
        return JOB_TABLE_NEW;
    }
    e = &t->entries[at];
    if (before != NULL) {
        *before = *e;
    }
    if (e->flags & JOB_ENTRY_SEEN) {
        return JOB_TABLE_DUPLICATE;
    }
    e->flags |= JOB_ENTRY_SEEN;
    if (e->flags & JOB_ENTRY_UNPUBLISHED) {
        return JOB_TABLE_NEW;
    }
    if (e->status != clamp_status(status) || e->fingerprint_lo != (uint32_t)fingerprint ||
        e->fingerprint_hi != (uint8_t)(fingerprint >> FINGERPRINT_HI_SHIFT)) {
        return JOB_TABLE_CHANGED;
    }
    return (e->flags & (JOB_ENTRY_STALE | JOB_ENTRY_GONE)) ? JOB_TABLE_REPUBLISH : JOB_TABLE_SAME;
}

/* The entry for key, inserted (zeroed but for the key) when it is new;
 * NULL when it is new and the table is full. */
static job_entry_t *find_or_insert(job_table_t *t, job_key_t key)
{
    uint32_t at = lower_bound(t, key);
    job_entry_t *e = &t->entries[at];

    if (at < t->count && key_equal(t, at, key)) {
        return e;
    }
    if (t->count >= t->capacity || (IDS2(t) == NULL && key.id2 != 0)) {
        return NULL;
    }
    memmove(e + 1, e, (size_t)(t->count - at) * sizeof *e);
    if (IDS2(t) != NULL) {
        memmove(IDS2(t) + at + 1, IDS2(t) + at, (size_t)(t->count - at) * sizeof *IDS2(t));
        IDS2(t)[at] = key.id2;
    }
    if (BYTES(t) != NULL) {
        memmove(BYTES(t) + at + 1, BYTES(t) + at, (size_t)(t->count - at) * sizeof *BYTES(t));
        BYTES(t)[at] = 0;
    }
    t->count++;
    memset(e, 0, sizeof *e);
    e->job_id = key.id;
    return e;
}

int job_table_store(job_table_t *t, job_key_t key, int64_t status, uint64_t fingerprint)
{
    job_entry_t *e = find_or_insert(t, key);

    if (e == NULL) {
        return -1;
    }
    e->status = clamp_status(status);
    set_fingerprint(e, fingerprint);
    e->flags = (uint8_t)((e->flags | JOB_ENTRY_SEEN) &
                         ~(JOB_ENTRY_STALE | JOB_ENTRY_UNPUBLISHED | JOB_ENTRY_GONE));
    return 0;
}

void job_table_hold(job_table_t *t, job_key_t key, int64_t status)
{
    uint32_t count = t->count;
    job_entry_t *e = find_or_insert(t, key);

    if (e != NULL && t->count != count) {
        e->status = clamp_status(status);
        e->flags = JOB_ENTRY_SEEN | JOB_ENTRY_UNPUBLISHED;
    }
}

job_table_result_t job_table_update(job_table_t *t, job_key_t key, int64_t status,
                                    uint64_t fingerprint, uint16_t *previous_status)
{
    job_entry_t before;
    job_table_result_t res = job_table_observe(t, key, status, fingerprint, &before);

    if (previous_status != NULL && res != JOB_TABLE_NEW && res != JOB_TABLE_FULL) {
        *previous_status = before.status;
    }
    if (res == JOB_TABLE_NEW || res == JOB_TABLE_CHANGED || res == JOB_TABLE_REPUBLISH) {
        (void)job_table_store(t, key, status, fingerprint);
    }
    return res == JOB_TABLE_REPUBLISH ? JOB_TABLE_CHANGED : res;
}

job_entry_t *job_table_find(job_table_t *t, job_key_t key)
{
    uint32_t at = find_index(t, key);
    return at < t->count ? &t->entries[at] : NULL;
}

void job_table_invalidate_all(job_table_t *t)
{
    uint32_t i;

    for (i = 0; i < t->count; i++) {
        t->entries[i].flags |= JOB_ENTRY_STALE;
    }
}

uint32_t job_table_end_poll(job_table_t *t, job_table_removed_fn on_removed, void *user)
{
    uint32_t read, write = 0, gone = 0;

    /* The callback sees each entry before the compaction can overwrite it:
     * slot write never passes slot read. */
    for (read = 0; read < t->count; read++) {
        job_entry_t *e = &t->entries[read];
        if (e->flags & JOB_ENTRY_SEEN) {
            /* Listed again after a removal that may have reached the
             * broker: until its topic is published again, it is stale. */
            if (e->flags & JOB_ENTRY_GONE) {
                e->flags |= JOB_ENTRY_STALE;
            }
            e->flags &= (uint8_t) ~(JOB_ENTRY_MISSED | JOB_ENTRY_GONE);
        } else if (e->flags & JOB_ENTRY_UNPUBLISHED) {
            continue; /* never published: nothing to clear */
        } else if (!(e->flags & JOB_ENTRY_MISSED)) {
            e->flags |= JOB_ENTRY_MISSED; /* first absence: keep it */
        } else if (on_removed == NULL || on_removed(user, e) == 0) {
            e->flags |= JOB_ENTRY_GONE;
            gone++;
        }
        if (write != read) {
            move_entry(t, write, read);
        }
        write++;
    }
    t->count = write;
    return gone;
}

uint32_t job_table_drop_gone(job_table_t *t)
{
    uint32_t read, write = 0;

    for (read = 0; read < t->count; read++) {
        if (t->entries[read].flags & JOB_ENTRY_GONE) {
            continue;
        }
        if (write != read) {
            move_entry(t, write, read);
        }
        write++;
    }
    read = t->count - write;
    t->count = write;
    return read;
}

#if M2M_FAST_DIFF
job_bytes_result_t job_table_observe_bytes(job_table_t *t, job_key_t key, uint32_t bytes_hash,
                                           uint16_t *status)
{
    uint32_t at;
    job_entry_t *e;

    if (BYTES(t) == NULL || t->count == 0) {
        return JOB_BYTES_PARSE;
    }
    at = find_index(t, key);
    if (at == t->count || BYTES(t)[at] != bytes_hash || bytes_hash == 0) {
        return JOB_BYTES_PARSE;
    }
    e = &t->entries[at];
    if (e->flags & JOB_ENTRY_SEEN) {
        return JOB_BYTES_DUPLICATE;
    }
    if ((e->flags & (JOB_ENTRY_STALE | JOB_ENTRY_GONE | JOB_ENTRY_UNPUBLISHED)) ||
        e->status == JOB_TABLE_STATUS_MAX) {
        return JOB_BYTES_PARSE;
    }
    e->flags |= JOB_ENTRY_SEEN;
    *status = e->status;
    return JOB_BYTES_SAME;
}

void job_table_record_bytes(job_table_t *t, job_key_t key, uint32_t bytes_hash)
{
    uint32_t at;
    if (BYTES(t) == NULL) {
        return;
    }
    at = find_index(t, key);
    if (at < t->count) {
        BYTES(t)[at] = bytes_hash;
    }
}
#endif /* M2M_FAST_DIFF */

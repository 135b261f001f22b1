/* SPDX-License-Identifier: Apache-2.0 */
/*
 * job_table.h - what the agent remembers about each job between polls.
 *
 * A fixed-capacity array, placed by the caller, of 16-byte entries sorted by
 * key (binary search). An entry holds exactly what change detection needs:
 * the id, the last status (for the "from" of a transition event) and a
 * 40-bit fingerprint of the last published payload. No allocation.
 *
 * A key is v1's job_id (an int64), or v2's metadata.id, a UUID of 128 bits
 * kept exactly: its first 64 bits in the entry, the other 64 in a second
 * array the caller places beside it (job_table_init_wide), so a v1 table
 * costs 16 bytes per job and a v2 table 24.
 *
 * A poll first observes each job (job_table_observe, which changes nothing
 * but the SEEN flag), publishes the jobs that changed, and stores their new
 * state once the broker acknowledged them (job_table_store), so the table
 * always describes what the broker holds: a publish that was not
 * acknowledged leaves the entry as it was, and the next poll finds the
 * change again.
 */
#ifndef JOB_TABLE_H
#define JOB_TABLE_H

#include <stddef.h>
#include <stdint.h>

/* A job's identity. */
typedef struct {
    int64_t id;   /* v1: job_id; v2: the UUID's bytes 0..7, big-endian */
    uint64_t id2; /* v1: 0; v2: the UUID's bytes 8..15, big-endian */
} job_key_t;

/* The key of a v1 job. */
static inline job_key_t job_key_v1(int64_t job_id)
{
    job_key_t k;
    k.id = job_id;
    k.id2 = 0;
    return k;
}

typedef struct {
    int64_t job_id;          /* job_key_t.id */
    uint32_t fingerprint_lo; /* low 32 bits of the payload fingerprint */
    uint16_t status;         /* last status; codes over 65534 and negative ones read 65535 */
    uint8_t fingerprint_hi;  /* bits 32..39 of the fingerprint */
    uint8_t flags;           /* JOB_ENTRY_* */
} job_entry_t;

enum {
    JOB_ENTRY_SEEN = 1u << 0,        /* listed in the poll in progress */
    JOB_ENTRY_STALE = 1u << 1,       /* invalidated: the next update reports CHANGED */
    JOB_ENTRY_MISSED = 1u << 2,      /* absent from the last complete poll */
    JOB_ENTRY_UNPUBLISHED = 1u << 3, /* listed, never published: observed as NEW;
                                        dropped silently when it is not listed */
    JOB_ENTRY_GONE = 1u << 4,        /* its removal was published, not yet
                                        acknowledged (job_table_drop_gone) */
};

/* Status values above this, and negative ones, are stored as JOB_TABLE_STATUS_MAX. */
#define JOB_TABLE_STATUS_MAX 65535

typedef struct {
    job_entry_t *entries; /* caller's storage, capacity entries */
    uint64_t *ids2;       /* wide tables: the keys' id2, beside entries; NULL: all 0 */
    uint32_t *bytes;      /* job_table_keep_bytes(): each job's bytes hash; NULL: none */
    uint32_t capacity;    /* 0..UINT32_MAX/2 */
    uint32_t count;       /* entries in use, sorted by key */
    uint32_t next;        /* the entry after the last one found: where a walk
                             that lists jobs in key order looks first */
    uint32_t untracked;   /* jobs of the current poll that did not fit */
} job_table_t;

typedef enum {
    JOB_TABLE_NEW = 0,       /* first time seen: inserted */
    JOB_TABLE_CHANGED = 1,   /* known; status or fingerprint differs: updated */
    JOB_TABLE_SAME = 2,      /* known and unchanged */
    JOB_TABLE_DUPLICATE = 3, /* already seen in this poll: left as it was */
    JOB_TABLE_FULL = 4,      /* new, but the table is full: not tracked */
    JOB_TABLE_REPUBLISH = 5  /* known, unchanged, but STALE: the broker may have
                                lost it (job_table_observe only) */
} job_table_result_t;

/* Start an empty table over storage[capacity], for keys whose id2 is 0 (v1). */
void job_table_init(job_table_t *t, job_entry_t *storage, uint32_t capacity);

/* Start an empty table over storage[capacity] and ids2[capacity], for keys
 * of 128 bits (v2). */
void job_table_init_wide(job_table_t *t, job_entry_t *storage, uint64_t *ids2, uint32_t capacity);

/* The key of an entry of t. */
job_key_t job_table_key(const job_table_t *t, const job_entry_t *e);

/* Keep beside each entry a hash of the exact bytes its job was last read
 * with, in bytes[capacity] (4 bytes per job), so that a job read again with
 * the same bytes is known unchanged before it is parsed
 * (job_table_observe_bytes). Call after init, before the first entry.
 * Built with M2M_FAST_DIFF 0: does nothing. */
void job_table_keep_bytes(job_table_t *t, uint32_t *bytes);

/* What job_table_observe_bytes() found. */
typedef enum {
    JOB_BYTES_PARSE = 0,    /* not known by these bytes: parse the job */
    JOB_BYTES_SAME = 1,     /* the bytes of the last reading: unchanged, SEEN set */
    JOB_BYTES_DUPLICATE = 2 /* those bytes again in this poll */
} job_bytes_result_t;

/* Classify a listed job by key and the hash of its bytes (any value but 0)
 * without parsing it: SAME when the entry was last read with the same bytes
 * and needs nothing else (not STALE, GONE or UNPUBLISHED, a status below
 * JOB_TABLE_STATUS_MAX); then SEEN is set and *status is the entry's. A key
 * taken from the bytes by a guess is safe: only the bytes the entry was read
 * with match. */
job_bytes_result_t job_table_observe_bytes(job_table_t *t, job_key_t key, uint32_t bytes_hash,
                                           uint16_t *status);

/* Record that key's entry (if tracked) was read with bytes whose hash is
 * bytes_hash (0: forget it). */
void job_table_record_bytes(job_table_t *t, job_key_t key, uint32_t bytes_hash);

/* Start a poll: clear every SEEN flag and the untracked count. */
void job_table_begin_poll(job_table_t *t);

/* Record that the job was listed with this status and payload fingerprint
 * (only the low 40 bits are kept). Sets SEEN. When the result is CHANGED or
 * DUPLICATE, *previous_status (if not NULL) is the status stored before. */
job_table_result_t job_table_update(job_table_t *t, job_key_t key, int64_t status,
                                    uint64_t fingerprint, uint16_t *previous_status);

/* Classify a listed job without changing what the table remembers: only the
 * SEEN flag of a known entry is set, and untracked counts a FULL. *before
 * (if not NULL) receives the entry as it was, for CHANGED, SAME, REPUBLISH
 * and DUPLICATE. An UNPUBLISHED entry is observed as NEW. Never returns
 * JOB_TABLE_CHANGED for a STALE or GONE entry whose status and fingerprint
 * match: that is JOB_TABLE_REPUBLISH. */
job_table_result_t job_table_observe(job_table_t *t, job_key_t key, int64_t status,
                                     uint64_t fingerprint, job_entry_t *before);

/* Remember that the job was published with this status and fingerprint: the
 * entry is updated (STALE, UNPUBLISHED and GONE cleared, SEEN set) or
 * inserted. Returns 0, or -1 when the job is new and the table is full. */
int job_table_store(job_table_t *t, job_key_t key, int64_t status, uint64_t fingerprint);

/* Remember that the job was listed but is not published yet (its publish
 * waits for the broker's acknowledgement): a new entry flagged UNPUBLISHED
 * and SEEN, so that the job is counted once in the walk and observed as NEW
 * by the next one unless job_table_store() records it first. A known entry
 * is left as it is. Does nothing when the table is full. */
void job_table_hold(job_table_t *t, job_key_t key, int64_t status);

/* Find an entry by id; NULL if not tracked. */
job_entry_t *job_table_find(job_table_t *t, job_key_t key);

/* Make every job look changed at its next update: after the broker lost its
 * retained messages, the next poll republishes every job topic. */
void job_table_invalidate_all(job_table_t *t);

/* Called by job_table_end_poll for each entry about to go. Returns 0 when
 * its removal was published (the entry is flagged GONE), nonzero to keep the
 * entry as it is for the next complete poll (it stays MISSED). */
typedef int (*job_table_removed_fn)(void *user, const job_entry_t *entry);

/* After a complete poll. Offset paging can skip a row when jobs are deleted
 * during a walk, so one absence proves nothing: an entry not SEEN in this
 * poll is marked MISSED and kept; an entry not SEEN in this poll nor in the
 * previous complete one goes: on_removed (may be NULL) is called for it, in
 * key order, and it is flagged GONE unless on_removed returns nonzero.
 * GONE entries stay until job_table_drop_gone(): when the removal is not
 * acknowledged, the next complete poll reports them again, and one that is
 * listed again is observed as REPUBLISH (the broker may have cleared it). An
 * UNPUBLISHED entry not SEEN is dropped at once, without on_removed: nothing
 * was ever published for it. Seeing an entry again clears MISSED and GONE.
 * Returns how many entries are GONE. */
uint32_t job_table_end_poll(job_table_t *t, job_table_removed_fn on_removed, void *user);

/* Forget every GONE entry: the broker acknowledged their removal. Returns
 * how many went. */
uint32_t job_table_drop_gone(job_table_t *t);

#endif /* JOB_TABLE_H */

/* SPDX-License-Identifier: Apache-2.0 */
/* tls_platform.c - mbedTLS's memory pool and clock; see tls_platform.h. */
#include "tls_platform.h"

#include <stdint.h>
#include <string.h>

#include "mbedtls/memory_buffer_alloc.h"
#include "mbedtls/platform.h"
#include "mbedtls/platform_util.h"

#include "clock.h"

/* Bytes at the pool's start that mbedtls_memory_buffer_alloc_init() writes
 * (its first block header, 32 bytes on a 32-bit core) and that the paint
 * below leaves alone. */
#define POOL_HEADER_ROOM 64u
#define POOL_PAINT 0xA5u

static unsigned char pool[TLS_POOL_SIZE] __attribute__((aligned(8)));
static int pool_ready;

void *mps2_tls_calloc_unset(size_t n, size_t size)
{
    (void)n;
    (void)size;
    return NULL;
}

void mps2_tls_free_unset(void *p)
{
    (void)p;
}

void tls_platform_init(void)
{
    mbedtls_memory_buffer_alloc_init(pool, sizeof pool);
    /* The allocator keeps its bookkeeping in headers inside the blocks and
     * calloc zeroes what it hands out, so every byte ever used stops
     * holding the paint: the high-water mark. */
    memset(pool + POOL_HEADER_ROOM, POOL_PAINT, sizeof pool - POOL_HEADER_ROOM);
    pool_ready = 1;
}

size_t tls_pool_peak_bytes(void)
{
    size_t n = sizeof pool;
    if (!pool_ready) {
        return 0;
    }
    while (n > POOL_HEADER_ROOM && pool[n - 1] == POOL_PAINT) {
        n--;
    }
    return n;
}

time_t mps2_tls_time(time_t *now)
{
    time_t t = (time_t)(clock_utc_ms() / 1000);
    if (now != NULL) {
        *now = t;
    }
    return t;
}

/* UTC calendar fields from seconds since 1970, for certificate validity
 * (MBEDTLS_PLATFORM_GMTIME_R_ALT): the days-to-civil conversion of the
 * proleptic Gregorian calendar, eras of 400 years. */
struct tm *mbedtls_platform_gmtime_r(const mbedtls_time_t *tt, struct tm *tm_buf)
{
    int64_t t = (int64_t)*tt;
    int64_t days = t / 86400;
    int64_t secs = t % 86400;
    int64_t era;
    int64_t doe;
    int64_t yoe;
    int64_t doy;
    int64_t mp;
    int64_t year;

    if (secs < 0) {
        secs += 86400;
        days -= 1;
    }
    days += 719468; /* from 1970-01-01 to 0000-03-01 */
    era = (days >= 0 ? days : days - 146096) / 146097;
    doe = days - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    year = yoe + era * 400 + (mp >= 10 ? 1 : 0);

    memset(tm_buf, 0, sizeof *tm_buf);
    tm_buf->tm_year = (int)(year - 1900);
    tm_buf->tm_mon = (int)(mp < 10 ? mp + 2 : mp - 10);
    tm_buf->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    tm_buf->tm_hour = (int)(secs / 3600);
    tm_buf->tm_min = (int)(secs / 60 % 60);
    tm_buf->tm_sec = (int)(secs % 60);
    return tm_buf;
}

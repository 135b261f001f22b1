/* SPDX-License-Identifier: Apache-2.0 */
/* decimal.c - unsigned decimal numbers from text; see include/decimal.h. */
#include "decimal.h"

int decimal_parse_u64(const char *s, uint64_t *out)
{
    /* The overflow test compares with constants, so no 64-bit division
     * (a C library helper on a 32-bit target) is needed. */
    const uint64_t last_tenth = UINT64_MAX / 10u;
    const unsigned last_digit = (unsigned)(UINT64_MAX % 10u);
    uint64_t v = 0;
    if (s == 0 || *s == '\0') {
        return -1;
    }
    for (; *s != '\0'; s++) {
        unsigned d;
        if (*s < '0' || *s > '9') {
            return -1;
        }
        d = (unsigned)(*s - '0');
        if (v > last_tenth || (v == last_tenth && d > last_digit)) {
            return -1;
        }
        v = v * 10u + d;
    }
    *out = v;
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * decimal.h - unsigned decimal numbers read from text: configuration values
 * and environment variables of the ports.
 */
#ifndef DECIMAL_H
#define DECIMAL_H

#include <stdint.h>

/* Read s, one or more ASCII digits and nothing else (no sign, no spaces;
 * leading zeros are fine), as a number of at most UINT64_MAX. Returns 0 with
 * *out set, or -1 when s is NULL or empty, holds another character, or is
 * too large (*out untouched). */
int decimal_parse_u64(const char *s, uint64_t *out);

#endif /* DECIMAL_H */

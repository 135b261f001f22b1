/* SPDX-License-Identifier: Apache-2.0 */
/*
 * m2m_jsmn.h - the one way the project includes jsmn (Debian's libjsmn-dev).
 *
 * jsmn's token layout depends on its options, so every file sees the same
 * ones: strict mode (no unquoted strings) and parent links (linear-time
 * parsing). The implementation is compiled once, in firmware/job_record.c.
 */
#ifndef M2M_JSMN_H
#define M2M_JSMN_H

#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#ifndef M2M_JSMN_IMPLEMENTATION
#define JSMN_HEADER
#endif
#include <jsmn.h>

#endif /* M2M_JSMN_H */

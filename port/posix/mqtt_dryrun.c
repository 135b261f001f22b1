/* SPDX-License-Identifier: Apache-2.0 */
/* mqtt_dryrun.c - the lines --dry-run prints; see mqtt_dryrun.h. */
#include "mqtt_dryrun.h"

void mqtt_dryrun_print(FILE *out, const char *topic, const void *payload, size_t len, int retain)
{
    const unsigned char *p = (const unsigned char *)payload;
    size_t i;

    fputs(topic, out);
    fputs(retain ? " [retained] " : " ", out);
    if (len == 0) {
        fputs("(empty)", out);
    }
    /* One message, one line: a control byte cannot start another. */
    for (i = 0; i < len; i++) {
        putc(p[i] < 0x20 || p[i] == 0x7f ? '?' : p[i], out);
    }
    putc('\n', out);
    fflush(out);
}

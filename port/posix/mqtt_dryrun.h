/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mqtt_dryrun.h - what --dry-run prints instead of publishing.
 */
#ifndef MQTT_DRYRUN_H
#define MQTT_DRYRUN_H

#include <stddef.h>
#include <stdio.h>

/* Write one line "<topic> [retained] <payload>" to out ("[retained]" only
 * for a retained message; "(empty)" for a zero-byte payload), control
 * bytes of the payload shown as '?', and flush. */
void mqtt_dryrun_print(FILE *out, const char *topic, const void *payload, size_t len, int retain);

#endif /* MQTT_DRYRUN_H */

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mqtt_frames.h - where a stream of MQTT packets may be cut without harm
 * to lwIP 2.1's parser (mqtt_framing.c says why): at a packet boundary, or,
 * inside a packet too large to hold whole, after the fixed header plus a
 * whole number of pieces of what the client's receive buffer takes at a
 * time. Bytes in, a length out: no lwIP, no I/O.
 */
#ifndef PORT_LWIP_MQTT_FRAMES_H
#define PORT_LWIP_MQTT_FRAMES_H

#include <stddef.h>
#include <stdint.h>

/* The position in the stream between two calls. Zeroed: at a packet's
 * start. */
typedef struct {
    uint32_t packet_left; /* bytes of a large packet not handed on yet */
    uint16_t piece;       /* the size of that packet's pieces */
} mqtt_frames_t;

/* buf[0..n) is the stream from the last cut on. hold is the most bytes the
 * caller can hold (a packet up to this size is cut whole); client_buf is
 * lwIP's MQTT_VAR_HEADER_BUFFER_LEN (at least 6). Returns how many bytes
 * from buf's start end on a safe cut (0..n), and moves *st past them; or
 * -1 when a fixed header is malformed (a remaining length over 4 bytes). */
long mqtt_frames_safe_prefix(mqtt_frames_t *st, const uint8_t *buf, size_t n, size_t hold,
                             size_t client_buf);

#endif /* PORT_LWIP_MQTT_FRAMES_H */

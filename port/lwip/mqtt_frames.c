/* SPDX-License-Identifier: Apache-2.0 */
/* mqtt_frames.c - safe cuts in a stream of MQTT packets; see mqtt_frames.h. */
#include "mqtt_frames.h"

/* The fixed header at buf[0..n): its length (2..5) with the remaining
 * length in *rest; 0 when it is not complete yet; -1 when malformed. */
static int fixed_header(const uint8_t *buf, size_t n, uint32_t *rest)
{
    uint32_t value = 0;
    size_t i;
    for (i = 1; i < n && i <= 4; i++) {
        value |= (uint32_t)(buf[i] & 0x7Fu) << (7u * (i - 1u));
        if ((buf[i] & 0x80u) == 0) {
            *rest = value;
            return (int)i + 1;
        }
    }
    return i > 4 ? -1 : 0;
}

long mqtt_frames_safe_prefix(mqtt_frames_t *st, const uint8_t *buf, size_t n, size_t hold,
                             size_t client_buf)
{
    size_t pos = 0;
    for (;;) {
        size_t avail = n - pos;
        uint32_t rest = 0;
        uint32_t total;
        size_t pieces;
        int hdr;

        if (st->packet_left > 0) {
            /* Inside a large packet, at a whole number of pieces. */
            if (avail >= st->packet_left) {
                pos += st->packet_left;
                st->packet_left = 0;
                continue;
            }
            pieces = avail / st->piece;
            pos += pieces * st->piece;
            st->packet_left -= (uint32_t)(pieces * st->piece);
            return (long)pos;
        }
        if (avail == 0) {
            return (long)pos;
        }
        hdr = fixed_header(buf + pos, avail, &rest);
        if (hdr <= 0) {
            return hdr < 0 ? -1 : (long)pos;
        }
        total = (uint32_t)hdr + rest;
        if (total <= avail) {
            pos += total; /* a whole packet */
            continue;
        }
        if (total <= hold) {
            return (long)pos; /* it will be held whole: wait for the rest */
        }
        /* Too large to hold: pieces of what the client's buffer takes after
         * this header, which it hands on one by one. */
        st->piece = (uint16_t)(client_buf - (size_t)hdr);
        pieces = (avail - (size_t)hdr) / st->piece;
        if (pieces == 0) {
            return (long)pos;
        }
        pos += (size_t)hdr + pieces * st->piece;
        st->packet_left = total - (uint32_t)(hdr + pieces * st->piece);
    }
}

/* SPDX-License-Identifier: Apache-2.0 */
/* test_lwip_mqtt_frames.c - safe cuts in a stream of MQTT packets
 * (port/lwip/mqtt_frames.c): what the lwIP port hands lwIP 2.1's MQTT
 * parser must end at a packet boundary, or inside a packet too large to
 * hold at a whole number of the client buffer's pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../port/lwip/mqtt_frames.c"

#define HOLD 512u       /* PORT_LWIP_MQTT_STAGE */
#define CLIENT_BUF 208u /* MQTT_VAR_HEADER_BUFFER_LEN of the mps2-an386 board */
#define STREAM_MAX 200000u
#define PACKETS_MAX 2000u

static uint8_t stream[STREAM_MAX];
static uint8_t safe[STREAM_MAX + 1]; /* 1 where a cut is harmless */

static uint32_t next_random(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

/* One packet of type byte and remaining length rest at stream[at..];
 * returns its total length and marks its safe cuts. */
static size_t put_packet(size_t at, uint32_t rest)
{
    size_t hdr = 1;
    uint32_t v = rest;
    size_t total;
    size_t k;
    stream[at] = 0x30; /* PUBLISH, QoS 0 */
    do {
        uint8_t b = (uint8_t)(v & 0x7Fu);
        v >>= 7;
        stream[at + hdr++] = (uint8_t)(b | (v > 0 ? 0x80u : 0u));
    } while (v > 0);
    total = hdr + rest;
    for (k = hdr; k < total; k++) {
        stream[at + k] = (uint8_t)(k * 7u);
    }
    safe[at] = 1;
    safe[at + total] = 1;
    if (total > HOLD) {
        for (k = hdr + (CLIENT_BUF - hdr); k < total; k += CLIENT_BUF - hdr) {
            safe[at + k] = 1;
        }
    }
    return total;
}

/* Feed the stream through a HOLD-byte staging buffer in chunks of random
 * sizes, as the port does with TCP segments; every cut must be safe, and
 * everything must be cut in the end. */
static void feed(size_t len, uint32_t seed)
{
    static uint8_t stage[HOLD];
    mqtt_frames_t st;
    size_t in = 0;
    size_t staged = 0;
    size_t cut_at = 0;
    memset(&st, 0, sizeof st);
    while (cut_at < len) {
        size_t chunk = 1 + next_random(&seed) % 1460u;
        size_t room = HOLD - staged;
        long n;
        if (chunk > room) {
            chunk = room;
        }
        if (chunk > len - in) {
            chunk = len - in;
        }
        memcpy(stage + staged, stream + in, chunk);
        in += chunk;
        staged += chunk;
        n = mqtt_frames_safe_prefix(&st, stage, staged, HOLD, CLIENT_BUF);
        assert_true(n >= 0);
        /* A full stage always yields a cut: no deadlock. */
        assert_true(n > 0 || staged < HOLD);
        if (n > 0) {
            cut_at += (size_t)n;
            assert_true(safe[cut_at]);
            memmove(stage, stage + n, staged - (size_t)n);
            staged -= (size_t)n;
        }
        if (in == len) {
            assert_int_equal(staged, 0);
            assert_int_equal(cut_at, len);
        }
    }
}

static void every_cut_is_safe_for_random_packets_and_segments(void **state)
{
    uint32_t seed = 0x2545F491u;
    int round;
    (void)state;
    for (round = 0; round < 50; round++) {
        size_t len = 0;
        unsigned i;
        memset(safe, 0, sizeof safe);
        for (i = 0; i < PACKETS_MAX && len < STREAM_MAX - 20000u; i++) {
            uint32_t r = next_random(&seed) % 100u;
            /* Mostly PUBACK-sized and job-sized, some over HOLD. */
            uint32_t rest = r < 30   ? 2u
                            : r < 90 ? 100u + next_random(&seed) % 400u
                                     : 400u + next_random(&seed) % 9000u;
            len += put_packet(len, rest);
        }
        feed(len, seed);
    }
}

static void packets_that_fit_are_handed_on_whole(void **state)
{
    mqtt_frames_t st;
    (void)state;
    memset(&st, 0, sizeof st);
    memset(safe, 0, sizeof safe);
    /* Two 4-byte packets and the first 50 bytes of a 300-byte one. */
    put_packet(0, 2);
    put_packet(4, 2);
    put_packet(8, 297);
    assert_int_equal(mqtt_frames_safe_prefix(&st, stream, 58, HOLD, CLIENT_BUF), 8);
    /* The rest of the third arrives: it goes whole. */
    assert_int_equal(mqtt_frames_safe_prefix(&st, stream + 8, 300, HOLD, CLIENT_BUF), 300);
}

static void a_packet_too_large_to_hold_goes_in_whole_pieces(void **state)
{
    mqtt_frames_t st;
    size_t total;
    (void)state;
    memset(&st, 0, sizeof st);
    memset(safe, 0, sizeof safe);
    total = put_packet(0, 1000); /* 3 bytes of header */
    assert_int_equal(total, 1003);
    /* Less than header and one piece: nothing yet. */
    assert_int_equal(mqtt_frames_safe_prefix(&st, stream, 200, HOLD, CLIENT_BUF), 0);
    /* 512 bytes: the header and two pieces of 205. */
    assert_int_equal(mqtt_frames_safe_prefix(&st, stream, 512, HOLD, CLIENT_BUF), 413);
    /* Then whole pieces, and the end of the packet. */
    assert_int_equal(mqtt_frames_safe_prefix(&st, stream + 413, 300, HOLD, CLIENT_BUF), 205);
    assert_int_equal(mqtt_frames_safe_prefix(&st, stream + 618, 385, HOLD, CLIENT_BUF), 385);
    assert_int_equal(st.packet_left, 0);
}

static void a_malformed_remaining_length_is_refused(void **state)
{
    static const uint8_t bad[] = {0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01};
    static const uint8_t partial[] = {0x30, 0xFF, 0xFF};
    mqtt_frames_t st;
    (void)state;
    memset(&st, 0, sizeof st);
    assert_int_equal(mqtt_frames_safe_prefix(&st, bad, sizeof bad, HOLD, CLIENT_BUF), -1);
    memset(&st, 0, sizeof st);
    assert_int_equal(mqtt_frames_safe_prefix(&st, partial, sizeof partial, HOLD, CLIENT_BUF), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_cut_is_safe_for_random_packets_and_segments),
        cmocka_unit_test(packets_that_fit_are_handed_on_whole),
        cmocka_unit_test(a_packet_too_large_to_hold_goes_in_whole_pieces),
        cmocka_unit_test(a_malformed_remaining_length_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

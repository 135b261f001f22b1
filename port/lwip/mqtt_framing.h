/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mqtt_framing.h - lwIP's MQTT client fed whole packets: a workaround for
 * lwIP 2.1's parser, which loses a packet split between two TCP segments
 * (mqtt_framing.c says how and why).
 *
 * Once the client's TCP connection is up, mqtt_framing_attach() puts the
 * port's receive callback in front of the client's; from then on the
 * client sees whole packets, and packets larger than the staging buffer in
 * pieces it parses correctly. The cost: PORT_LWIP_MQTT_STAGE bytes in the
 * port and one copy of every received MQTT byte.
 */
#ifndef PORT_LWIP_MQTT_FRAMING_H
#define PORT_LWIP_MQTT_FRAMING_H

#include <stddef.h>
#include <stdint.h>

#include "lwip/altcp.h"

#include "m2m_port.h"
#include "mqtt_frames.h"

/* Bytes staged until they end on a packet boundary: packets up to this size
 * reach the client whole. At least MQTT_VAR_HEADER_BUFFER_LEN. */
#ifndef PORT_LWIP_MQTT_STAGE
#define PORT_LWIP_MQTT_STAGE 512u
#endif

typedef struct {
    altcp_recv_fn initial_recv; /* the connection's callback before TCP was up */
    altcp_recv_fn client_recv;  /* the client's own receive callback */
    mqtt_frames_t frames;       /* where the stream may be cut */
    uint16_t staged;            /* bytes in stage */
    uint8_t stage[PORT_LWIP_MQTT_STAGE];
} port_lwip_framing_t;

/* Right after mqtt_client_connect(): note the connection's receive callback
 * before TCP is up, and empty the staging buffer. */
void mqtt_framing_arm(m2m_port_t *port);

/* Put the framing in front of the client's receive callback once its TCP
 * connection is up (the client has replaced the callback noted by
 * mqtt_framing_arm()), before its CONNACK can arrive; call it in the loop
 * that waits for the CONNACK. Does nothing before that, or when done. */
void mqtt_framing_attach(m2m_port_t *port);

#endif /* PORT_LWIP_MQTT_FRAMING_H */

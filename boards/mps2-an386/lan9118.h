/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lan9118.h - lwIP network interface for the SMSC LAN9118 Ethernet
 * controller of the MPS2 (at 0x40200000; QEMU's model is a LAN9118, the
 * real AN386 board has its pin-compatible LAN9220). Polled: no interrupt,
 * the main loop calls lan9118_poll().
 *
 * Frames are copied between the chip's FIFOs and pbufs word by word; the
 * chip computes no checksums, lwIP does.
 */
#ifndef MPS2_LAN9118_H
#define MPS2_LAN9118_H

#include <stdint.h>

#include "lwip/err.h"
#include "lwip/netif.h"

/* Counters since lan9118_netif_init(). */
typedef struct {
    uint32_t rx_frames;  /* handed to lwIP */
    uint32_t rx_dropped; /* no pbuf free: lwIP's pool was exhausted */
    uint32_t rx_errors;  /* the chip flagged the frame, or its length made no sense */
    uint32_t tx_frames;
    uint32_t tx_errors;   /* from the TX status FIFO */
    uint32_t tx_timeouts; /* the TX FIFO never had room */
} lan9118_stats_t;

/* lwIP's init callback for netif_add(): resets the chip, reads the MAC
 * address it loaded from its EEPROM, enables the MAC's transmitter and
 * receiver (nothing is received before that) and fills in the netif.
 * Returns ERR_IF when no LAN9118 answers at the board's address. */
err_t lan9118_netif_init(struct netif *netif);

/* Hands every frame waiting in the receive FIFO to netif->input() and
 * collects transmit statuses. Returns the number of frames received. */
int lan9118_poll(struct netif *netif);

/* 1 when the PHY reports a link. */
int lan9118_link_up(void);

/* The chip's ID_REV register: 0x0118xxxx for a LAN9118, 0x9220xxxx for a
 * LAN9220. */
uint32_t lan9118_chip_id(void);

const lan9118_stats_t *lan9118_stats(void);

#endif /* MPS2_LAN9118_H */

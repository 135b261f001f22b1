/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lan9118.c - polled lwIP driver for the SMSC LAN9118; see lan9118.h.
 *
 * Register map and bits: SMSC LAN9118 datasheet, "System Control and Status
 * Registers" and "MAC Control and Status Registers". What QEMU's model does
 * differently from the chip, and what this driver does about it:
 * - it drops every frame while MAC_CR's receive enable is clear (its reset
 *   value), and passes every frame while the promiscuous bit is set (also
 *   its reset value): init writes MAC_CR with RXEN and without PRMS;
 * - the length in an RX status word includes the 4-byte FCS, which is in
 *   the data FIFO too: ceil(length / 4) words are read per frame and the
 *   last 4 bytes are not handed to lwIP (as on the chip);
 * - frames of 2 KB or more never arrive, and a full RX FIFO drops frames
 *   without telling: lwipopts.h keeps TCP's window under the FIFO's size;
 * - RX_STATUS_FIFO_PEEK and RX_DP_CTRL's fast-forward misbehave: unused, a
 *   frame is skipped by reading its words;
 * - registers it does not model read as 0 or stop the emulator: only the
 *   modelled ones are touched, and MAC CSR access waits on the busy bit
 *   the chip has even though the model never sets it.
 */
#include "lan9118.h"

#include <string.h>

#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

#include "clock.h"

#define LAN9118_BASE 0x40200000u
#define REG(off) (*(volatile uint32_t *)(uintptr_t)(LAN9118_BASE + (off)))

/* System control and status registers */
#define RX_DATA_FIFO REG(0x00u)
#define TX_DATA_FIFO REG(0x20u)
#define RX_STATUS_FIFO REG(0x40u)
#define TX_STATUS_FIFO REG(0x48u)
#define ID_REV REG(0x50u)
#define IRQ_CFG REG(0x54u)
#define INT_STS REG(0x58u)
#define INT_EN REG(0x5Cu)
#define BYTE_TEST REG(0x64u)
#define RX_CFG REG(0x6Cu)
#define TX_CFG REG(0x70u)
#define HW_CFG REG(0x74u)
#define RX_FIFO_INF REG(0x7Cu)
#define TX_FIFO_INF REG(0x80u)
#define PMT_CTRL REG(0x84u)
#define MAC_CSR_CMD REG(0xA4u)
#define MAC_CSR_DATA REG(0xA8u)
#define E2P_CMD REG(0xB0u)

#define BYTE_TEST_VALUE 0x87654321u
#define HW_CFG_SRST (1u << 0)
#define PMT_CTRL_READY (1u << 0)
#define E2P_CMD_BUSY (1u << 31)
#define TX_CFG_TX_ON (1u << 1)
#define TX_CFG_TXSAO (1u << 2) /* a full TX status FIFO does not stop TX */
#define MAC_CSR_BUSY (1u << 31)
#define MAC_CSR_READ (1u << 30)

/* FIFO levels: RX_FIFO_INF and TX_FIFO_INF */
#define RX_STATUS_USED(inf) (((inf) >> 16) & 0xFFu)
#define TX_STATUS_USED(inf) (((inf) >> 16) & 0xFFu)
#define TX_DATA_FREE(inf) ((inf)&0xFFFFu)

/* RX status word */
#define RX_STS_LENGTH(s) (((s) >> 16) & 0x3FFFu)
#define RX_STS_ERROR (1u << 15)
/* TX status word */
#define TX_STS_ERROR (1u << 15)
/* TX command A and B */
#define TX_CMD_A_FIRST (1u << 13)
#define TX_CMD_A_LAST (1u << 12)

/* MAC control and status registers (indirect, through MAC_CSR_CMD) */
#define MAC_CR 1u
#define MAC_ADDRH 2u
#define MAC_ADDRL 3u
#define MAC_MII_ACC 6u
#define MAC_MII_DATA 7u
#define MAC_CR_FDPX (1u << 20)
#define MAC_CR_TXEN (1u << 3)
#define MAC_CR_RXEN (1u << 2)
#define MII_ACC_PHY1 (1u << 11) /* the internal PHY is address 1 */
#define MII_ACC_BUSY (1u << 0)
#define PHY_BSR 1u
#define PHY_BSR_LINK (1u << 2)

#define FCS_LEN 4u
/* The longest frame lwIP sends or takes: MTU + header (no VLAN tags). */
#define FRAME_MAX (1500u + SIZEOF_ETH_HDR)
/* How long to wait for the chip: its reset takes microseconds; a full TX
 * FIFO drains at line rate. */
#define CHIP_TIMEOUT_MS 100u

static lan9118_stats_t stats;

/* Waits until (reg & mask) == want. Returns 0, or -1 after the timeout. */
static int wait_reg(volatile uint32_t *reg, uint32_t mask, uint32_t want)
{
    uint32_t start = clock_ms();
    while ((*reg & mask) != want) {
        if ((uint32_t)(clock_ms() - start) > CHIP_TIMEOUT_MS) {
            return -1;
        }
    }
    return 0;
}

static int mac_read(uint32_t index, uint32_t *value)
{
    if (wait_reg(&MAC_CSR_CMD, MAC_CSR_BUSY, 0) != 0) {
        return -1;
    }
    MAC_CSR_CMD = MAC_CSR_BUSY | MAC_CSR_READ | index;
    if (wait_reg(&MAC_CSR_CMD, MAC_CSR_BUSY, 0) != 0) {
        return -1;
    }
    *value = MAC_CSR_DATA;
    return 0;
}

static int mac_write(uint32_t index, uint32_t value)
{
    if (wait_reg(&MAC_CSR_CMD, MAC_CSR_BUSY, 0) != 0) {
        return -1;
    }
    MAC_CSR_DATA = value;
    MAC_CSR_CMD = MAC_CSR_BUSY | index;
    return wait_reg(&MAC_CSR_CMD, MAC_CSR_BUSY, 0);
}

static int phy_read(uint32_t reg, uint32_t *value)
{
    uint32_t start = clock_ms();
    uint32_t acc;
    if (mac_write(MAC_MII_ACC, MII_ACC_PHY1 | (reg << 6) | MII_ACC_BUSY) != 0) {
        return -1;
    }
    do {
        if (mac_read(MAC_MII_ACC, &acc) != 0 || (uint32_t)(clock_ms() - start) > CHIP_TIMEOUT_MS) {
            return -1;
        }
    } while ((acc & MII_ACC_BUSY) != 0u);
    return mac_read(MAC_MII_DATA, value);
}

uint32_t lan9118_chip_id(void)
{
    return ID_REV;
}

int lan9118_link_up(void)
{
    uint32_t bsr;
    return phy_read(PHY_BSR, &bsr) == 0 && (bsr & PHY_BSR_LINK) != 0u;
}

const lan9118_stats_t *lan9118_stats(void)
{
    return &stats;
}

/* Copies one frame from the FIFO to the pbuf chain p, word by word. words
 * covers the frame and its FCS; the bytes past frame_len are dropped. */
static void rx_copy(struct pbuf *p, uint32_t words, uint32_t frame_len)
{
    struct pbuf *q = p;
    uint32_t off = 0;
    while (words-- > 0) {
        uint32_t w = RX_DATA_FIFO;
        unsigned char bytes[4];
        uint32_t i;
        memcpy(bytes, &w, sizeof bytes); /* the FIFO is little-endian, as is the core */
        for (i = 0; i < 4u && frame_len > 0u; i++, frame_len--) {
            while (off == q->len) {
                q = q->next;
                off = 0;
            }
            ((unsigned char *)q->payload)[off++] = bytes[i];
        }
    }
}

static void rx_discard(uint32_t words)
{
    while (words-- > 0) {
        (void)RX_DATA_FIFO;
    }
}

static void tx_collect_status(void)
{
    while (TX_STATUS_USED(TX_FIFO_INF) > 0u) {
        if ((TX_STATUS_FIFO & TX_STS_ERROR) != 0u) {
            stats.tx_errors++;
        }
    }
}

int lan9118_poll(struct netif *netif)
{
    int received = 0;
    tx_collect_status();
    while (RX_STATUS_USED(RX_FIFO_INF) > 0u) {
        uint32_t status = RX_STATUS_FIFO;
        uint32_t len = RX_STS_LENGTH(status); /* FCS included */
        uint32_t words = (len + 3u) / 4u;
        struct pbuf *p;

        if ((status & RX_STS_ERROR) != 0u || len < SIZEOF_ETH_HDR + FCS_LEN ||
            len > FRAME_MAX + FCS_LEN) {
            rx_discard(words);
            stats.rx_errors++;
            continue;
        }
        p = pbuf_alloc(PBUF_RAW, (u16_t)(len - FCS_LEN), PBUF_POOL);
        if (p == NULL) {
            rx_discard(words);
            stats.rx_dropped++;
            continue;
        }
        rx_copy(p, words, len - FCS_LEN);
        stats.rx_frames++;
        received++;
        if (netif->input(p, netif) != ERR_OK) {
            pbuf_free(p);
        }
    }
    return received;
}

/* Writes the frame in p to the TX data FIFO as one buffer (first and last
 * segment): command A and B words, then the bytes packed into words. */
static err_t linkoutput(struct netif *netif, struct pbuf *p)
{
    uint32_t len = p->tot_len;
    uint32_t need = 8u + ((len + 3u) & ~3u);
    uint32_t start = clock_ms();
    const struct pbuf *q;
    uint32_t word = 0;
    uint32_t fill = 0;

    (void)netif;
    if (len > FRAME_MAX) {
        return ERR_VAL;
    }
    while (TX_DATA_FREE(TX_FIFO_INF) < need) {
        tx_collect_status();
        if ((uint32_t)(clock_ms() - start) > CHIP_TIMEOUT_MS) {
            stats.tx_timeouts++;
            return ERR_IF;
        }
    }
    TX_DATA_FIFO = TX_CMD_A_FIRST | TX_CMD_A_LAST | len;
    TX_DATA_FIFO = (len << 16) | len; /* command B: packet tag, then length */
    for (q = p; q != NULL; q = q->next) {
        const unsigned char *b = (const unsigned char *)q->payload;
        uint32_t i;
        for (i = 0; i < q->len; i++) {
            word |= (uint32_t)b[i] << (8u * fill);
            if (++fill == 4u) {
                TX_DATA_FIFO = word;
                word = 0;
                fill = 0;
            }
        }
    }
    if (fill > 0u) {
        TX_DATA_FIFO = word;
    }
    stats.tx_frames++;
    return ERR_OK;
}

static int chip_reset(void)
{
    HW_CFG = HW_CFG_SRST;
    if (wait_reg(&HW_CFG, HW_CFG_SRST, 0) != 0 ||
        wait_reg(&PMT_CTRL, PMT_CTRL_READY, PMT_CTRL_READY) != 0 ||
        wait_reg(&E2P_CMD, E2P_CMD_BUSY, 0) != 0) {
        return -1;
    }
    /* Polled: no interrupt line, every status cleared. */
    IRQ_CFG = 0;
    INT_EN = 0;
    INT_STS = 0xFFFFFFFFu;
    return 0;
}

static int read_mac_address(struct netif *netif)
{
    uint32_t lo;
    uint32_t hi;
    if (mac_read(MAC_ADDRL, &lo) != 0 || mac_read(MAC_ADDRH, &hi) != 0) {
        return -1;
    }
    netif->hwaddr[0] = (u8_t)lo;
    netif->hwaddr[1] = (u8_t)(lo >> 8);
    netif->hwaddr[2] = (u8_t)(lo >> 16);
    netif->hwaddr[3] = (u8_t)(lo >> 24);
    netif->hwaddr[4] = (u8_t)hi;
    netif->hwaddr[5] = (u8_t)(hi >> 8);
    netif->hwaddr_len = ETH_HWADDR_LEN;
    return 0;
}

err_t lan9118_netif_init(struct netif *netif)
{
    memset(&stats, 0, sizeof stats);
    if (BYTE_TEST != BYTE_TEST_VALUE || chip_reset() != 0 || read_mac_address(netif) != 0) {
        return ERR_IF;
    }
    TX_CFG = TX_CFG_TX_ON | TX_CFG_TXSAO;
    RX_CFG = 0; /* no offset before the frame, 4-byte end alignment */
    /* Our unicast address and broadcast; no promiscuous, no multicast. */
    if (mac_write(MAC_CR, MAC_CR_FDPX | MAC_CR_TXEN | MAC_CR_RXEN) != 0) {
        return ERR_IF;
    }

    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->mtu = 1500;
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    netif->output = etharp_output;
    netif->linkoutput = linkoutput;
    return ERR_OK;
}

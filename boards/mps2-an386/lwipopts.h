/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lwipopts.h - lwIP 2.1 for the mps2-an386 board: bare metal (NO_SYS=1, raw
 * API, one thread that polls the Ethernet driver and lwIP's timers), IPv4
 * over Ethernet with DHCP, DNS, TCP, UDP, and the SNTP and MQTT apps.
 *
 * Every option not set here keeps lwIP's default (src/include/lwip/opt.h).
 * RAM: the pbuf pool (PBUF_POOL_SIZE x about 1.5 KB), the heap (MEM_SIZE)
 * and the memp pools sized below; `make BOARD=mps2-an386 bringup-size`
 * prints the image's data and bss.
 */
#ifndef MPS2_LWIPOPTS_H
#define MPS2_LWIPOPTS_H

/* ---- System: no OS ---------------------------------------------------- */
#define NO_SYS 1               /* raw API only, no threads, no sys_arch */
#define SYS_LIGHTWEIGHT_PROT 0 /* lwIP is never entered from an interrupt */
#define LWIP_SOCKET 0          /* no BSD sockets ... */
#define LWIP_NETCONN 0         /* ... nor netconn: both need threads */
#define LWIP_NETIF_API 0

/* Asserts cost 10.6 KB of flash in the bring-up image (mostly their
 * message and file name strings): off. Remove this line to debug lwIP
 * itself; a failed assert then prints and exits (lwip_sys.c). */
#define LWIP_NOASSERT 1

/* ---- Memory ------------------------------------------------------------ */
#define MEM_ALIGNMENT 4 /* Cortex-M4: word alignment */
/* lwIP's heap: PBUF_RAM for TCP segments sent with TCP_WRITE_FLAG_COPY (up
 * to TCP_SND_BUF per connection, two connections: API and MQTT) and the
 * DHCP, DNS and ARP packets. The firmware image's end-to-end tests peak at
 * 6.7 KB (1,000 jobs published at once, lwIP's MEM_STATS); 10 KB keeps a
 * third on top. */
#define MEM_SIZE (10 * 1024)
/* Received frames: the driver takes one pool pbuf per frame; TCP holds them
 * until the application reads, up to TCP_WND per connection. The firmware
 * image's end-to-end tests peak at 5 (MEMP_STATS). */
#define PBUF_POOL_SIZE 10
#define MEMP_NUM_PBUF 8           /* PBUF_REF/ROM: DNS and DHCP options */
#define MEMP_NUM_TCP_PCB 4        /* the API connection, MQTT, one closing each */
#define MEMP_NUM_TCP_PCB_LISTEN 1 /* nothing listens; lwIP wants at least one */
#define MEMP_NUM_TCP_SEG 24       /* >= TCP_SND_QUEUELEN, plus received out of order */
#define MEMP_NUM_UDP_PCB 3        /* DHCP, DNS, SNTP */
#define MEMP_NUM_ARP_QUEUE 4
/* lwIP's own timers plus the MQTT client's cyclic timer and SNTP's. */
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 2)

/* ---- Link and IP ------------------------------------------------------- */
#define LWIP_ARP 1
#define LWIP_ETHERNET 1
#define ETH_PAD_SIZE 0   /* the driver copies whole frames; no 2-byte shift */
#define ARP_TABLE_SIZE 4 /* the gateway, the DNS server, a few peers */
#define ARP_QUEUEING 1   /* keep the first packet while ARP resolves */
#define LWIP_IPV4 1
#define LWIP_IPV6 0
#define IP_REASSEMBLY 0 /* TCP segments by MSS; DNS and DHCP answers fit a frame */
#define IP_FRAG 0
#define LWIP_ICMP 1 /* answer pings: handy on a gateway's LAN */
#define LWIP_RAW 0
#define LWIP_IGMP 0
#define LWIP_AUTOIP 0

/* ---- DHCP --------------------------------------------------------------- */
#define LWIP_DHCP 1
/* lwIP probes the offered address with ARP before using it (about a
 * second): kept, as a real LAN wants it. */
#define LWIP_NETIF_HOSTNAME 1 /* send the board's name (option 12) */

/* ---- DNS ------------------------------------------------------------------ */
#define LWIP_DNS 1
#define DNS_TABLE_SIZE 2
#define DNS_MAX_NAME_LENGTH 128
/* Host names given an address in the configuration resolve locally
 * (dns_local_addhost()): the endpoint's name stays what SNI and the
 * certificate check see, and no query leaves the board for it. */
#define DNS_LOCAL_HOSTLIST 1
#define DNS_LOCAL_HOSTLIST_IS_DYNAMIC 1
#define DNS_LOCAL_HOSTLIST_MAX_NAMELEN 64
#define MEMP_NUM_LOCALHOSTLIST 4 /* API endpoint, IAM endpoint, broker, NTP */

/* ---- TCP -------------------------------------------------------------------- */
#define LWIP_TCP 1
#define TCP_MSS 1460
/* The LAN9118's receive FIFO holds about 10 KB (QEMU's model drops frames
 * silently once it is full), so the window stays under it: 4 segments. */
#define TCP_WND (4 * TCP_MSS)
#define TCP_SND_BUF (4 * TCP_MSS)
#define LWIP_ALTCP 0 /* TLS is mbedTLS over the raw TCP API, driven by the agent */

/* ---- UDP and apps ------------------------------------------------------------ */
#define LWIP_UDP 1

/* SNTP: the lwIP port's UTC clock (port/lwip/clock_sntp.c) takes the
 * answer; the server's UDP port is the port's variable, 123 unless the
 * configuration names another (the tests' own server on the host). */
#include <stdint.h>
void port_lwip_sntp_set_time(uint32_t sec, uint32_t us);
extern uint16_t port_lwip_sntp_port;
#define SNTP_SERVER_DNS 0
#define SNTP_STARTUP_DELAY 0
#define SNTP_PORT port_lwip_sntp_port
#define SNTP_SET_SYSTEM_TIME_US(sec, us) port_lwip_sntp_set_time((sec), (us))
/* A lost request is asked again after 2 s (lwIP: 15 s), doubling up to
 * 10 times that: the agent waits for the first answer before it polls. */
#define SNTP_RECV_TIMEOUT 2000

/* MQTT: the output ring buffer must hold a whole PUBLISH (lwIP's client
 * does not split one): the largest payload (the agent's M2M_PAYLOAD_MAX,
 * 2048) + topic (M2M_TOPIC_MAX, 192) + fixed header and length
 * (PORT_LWIP_MQTT_RINGBUF_MIN, port/lwip/port_lwip.h). */
#define MQTT_OUTPUT_RINGBUF_SIZE 2304
/* An incoming PUBLISH's topic must fit the client's header buffer, or the
 * client drops the connection: the longest topic the agent reads back,
 * M2M_TOPIC_MAX, plus packet id and header (PORT_LWIP_MQTT_HEADER_MIN). */
#define MQTT_VAR_HEADER_BUFFER_LEN 208
/* Requests awaiting their acknowledgement at once: a job topic and an
 * event for each of the agent's M2M_PUBLISH_WINDOW (16) jobs; 16 bytes
 * each. Past this, publishing waits for a PUBACK. */
#define MQTT_REQ_MAX_IN_FLIGHT 32

/* ---- Checks, statistics, debug ----------------------------------------------- */
/* The LAN9118 computes no checksums: lwIP generates and checks them all
 * (lwIP's defaults). */
#define LWIP_STATS 0 /* the driver counts its own drops (lan9118.h) */

#endif /* MPS2_LWIPOPTS_H */

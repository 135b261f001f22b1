/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bringup.h - the mps2-an386 bring-up image: boots, gets a DHCP lease,
 * exchanges bytes with a TCP echo server and, through mbedTLS over lwIP's
 * raw TCP, with a TLS server whose certificate it verifies, then exits
 * through semihosting with one of the statuses below.
 *
 * What to talk to comes from a host file read through semihosting,
 * BRINGUP_CONFIG_PATH in QEMU's working directory, lines of "key = value"
 * ('#' or ';' starts a comment):
 *
 *   echo_host     = 10.0.2.2      address of the TCP echo server
 *   echo_port     = 40000         0 or absent: no echo check
 *   echo_bytes    = 65536         bytes sent and expected back
 *   tls_host      = localhost     name for SNI and the certificate check
 *   tls_address   = 10.0.2.2      where tls_host resolves (lwIP's local
 *                                 host list: no DNS query leaves the board)
 *   tls_port      = 40001         0 or absent: no TLS check
 *   ca_file       = /tmp/ca.crt   host path of the CA certificate(s), PEM
 *   dhcp_timeout  = 10000         milliseconds
 *   fault_test    = 0             1: execute an undefined instruction after
 *                                 the configuration is read, to check that a
 *                                 fault is reported and ends the run
 */
#ifndef MPS2_BRINGUP_H
#define MPS2_BRINGUP_H

#include <stdint.h>

#define BRINGUP_CONFIG_PATH "bringup.conf"

/* Exit statuses (semihosting SYS_EXIT_EXTENDED, QEMU's own exit status). A
 * fault exits with 100 + the exception number (fault.h). */
enum {
    BRINGUP_OK = 0,
    BRINGUP_ERR_CONFIG = 2, /* the configuration file is missing or wrong */
    BRINGUP_ERR_NET = 3,    /* no Ethernet controller, or no DHCP lease */
    BRINGUP_ERR_ECHO = 4,   /* the TCP echo exchange failed */
    BRINGUP_ERR_TLS = 5,    /* TLS: connect, handshake or exchange failed */
    BRINGUP_ERR_VERIFY = 6, /* TLS: the server's certificate did not verify */
    BRINGUP_ERR_ENTROPY = 7 /* the entropy source failed */
};

typedef struct {
    char echo_host[64];
    uint16_t echo_port;
    uint32_t echo_bytes;
    char tls_host[64];
    char tls_address[64];
    uint16_t tls_port;
    char ca_file[256];
    uint32_t dhcp_timeout_ms;
    uint32_t fault_test;
} bringup_config_t;

/* Reads and parses path into cfg (defaults first). Returns 0, or -1 after
 * printing what is wrong. */
int bringup_config_read(const char *path, bringup_config_t *cfg);

/* The TCP echo exchange (echo_check.c). Returns BRINGUP_OK or
 * BRINGUP_ERR_ECHO. */
int echo_check(const bringup_config_t *cfg);

/* Two TLS connections, the second resuming the first's session with its
 * ticket (tls_check.c). Returns BRINGUP_OK, BRINGUP_ERR_TLS,
 * BRINGUP_ERR_VERIFY or BRINGUP_ERR_ENTROPY. */
int tls_check(const bringup_config_t *cfg);

#endif /* MPS2_BRINGUP_H */

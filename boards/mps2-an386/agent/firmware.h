/* SPDX-License-Identifier: Apache-2.0 */
/*
 * firmware.h - the modelarts2mqtt firmware image of the mps2-an386 board:
 * the agent on lwIP (port/lwip/) with its configuration block, exiting
 * through semihosting with a status a test can read.
 *
 * The sequence (main.c): console and clock; the configuration block, filled
 * from the host file FIRMWARE_CONFIG_PATH (QEMU's working directory) and
 * parsed (port/lwip/config_block.h has the keys); the network by DHCP; UTC
 * from SNTP; mbedTLS (static pool, the CA of the block, SNI, verification);
 * then the agent polled every poll_interval (port/lwip/agent_loop.h) until
 * max_polls or the control file; "offline" published; the footprint
 * measured (stack paint, TLS pool) on the console; exit.
 */
#ifndef MPS2_FIRMWARE_H
#define MPS2_FIRMWARE_H

#include <stdint.h>

#include "config_block.h"

/* The host file the configuration block is filled from. */
#define FIRMWARE_CONFIG_PATH "m2m.conf"

/* Job table entries in static RAM: the largest max_jobs the block may ask
 * for. 16 bytes each. */
#ifndef FIRMWARE_MAX_JOBS
#define FIRMWARE_MAX_JOBS 1000u
#endif

/* Exit statuses (semihosting SYS_EXIT_EXTENDED: QEMU's own exit status).
 * 0..3 are the last poll's m2m_poll_result_t: 0 means the run ended with a
 * successful poll, which is what a test expects of a good run; 1 transient
 * failure, 2 configuration (the broker refused the credentials), 3 the API
 * refused. A fault exits with 100 + the exception number (fault.h). */
enum {
    FIRMWARE_EXIT_CONFIG_BLOCK = 10, /* the block is missing or wrong */
    FIRMWARE_EXIT_NET = 11,          /* no Ethernet controller or DHCP lease */
    FIRMWARE_EXIT_SNTP = 12,         /* no SNTP answer within sntp_timeout */
    FIRMWARE_EXIT_TLS = 13           /* entropy, CA or TLS setup failed */
};

/* Fill the configuration block from the host file path (semihosting) and
 * parse it into cfg. Returns 0, or -1 after saying why on the console. */
int firmware_config_load(const char *path, config_block_t *cfg);

#endif /* MPS2_FIRMWARE_H */

/* SPDX-License-Identifier: Apache-2.0 */
/* port_posix.c - the port context; see port_posix.h. */
#include "port_posix.h"

#include <string.h>
#include <time.h>

int port_init(m2m_port_t *port, m2m_log_level_t log_level)
{
    pthread_condattr_t attr;
    memset(port, 0, sizeof *port);
    mbedtls_net_init(&port->net);
    port->log_level = log_level;
    port->dry_run_out = stdout;
    if (pthread_mutex_init(&port->ack_lock, NULL) != 0 || pthread_condattr_init(&attr) != 0) {
        return -1;
    }
    /* Deadlines are monotonic: a wall clock step must not stretch a wait. */
    if (pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) != 0 ||
        pthread_cond_init(&port->ack_cond, &attr) != 0) {
        pthread_condattr_destroy(&attr);
        return -1;
    }
    pthread_condattr_destroy(&attr);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sizeof_probe.c - the sizes tools/size.py reports, as the sizes of symbols:
 * compiled for the board, never run; arm-none-eabi-nm -S reads them back.
 */
#include "agent.h"
#include "job_table.h"

/* The caller-placed agent context, buffers included. */
char m2m_sizeof_agent[sizeof(m2m_agent_t)];
/* One tracked job in the caller's table storage. */
char m2m_sizeof_job_entry[sizeof(job_entry_t)];

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log_level.h - the names of the log levels of include/m2m_port.h, as the
 * ports write them at the start of each log line ("warning poll failed ...").
 */
#ifndef LOG_LEVEL_H
#define LOG_LEVEL_H

#include "m2m_port.h"

/* "error", "warning", "info" or "debug"; "log" for a value outside
 * m2m_log_level_t. Static text. */
const char *log_level_name(m2m_log_level_t level);

#endif /* LOG_LEVEL_H */

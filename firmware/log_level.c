/* SPDX-License-Identifier: Apache-2.0 */
/* log_level.c - log level names; see include/log_level.h. */
#include "log_level.h"

const char *log_level_name(m2m_log_level_t level)
{
    switch (level) {
    case M2M_LOG_ERROR:
        return "error";
    case M2M_LOG_WARN:
        return "warning";
    case M2M_LOG_INFO:
        return "info";
    case M2M_LOG_DEBUG:
        return "debug";
    }
    return "log";
}

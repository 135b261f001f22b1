/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_load.c - the configuration block of the emulated board: the host
 * file is read through semihosting into the block's place at the end of the
 * code memory (the linker script's __config_block_start), turned into the
 * block form there, and parsed in place, as a real board parses the flash
 * sector provisioning wrote.
 */
#include "firmware.h"

#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "semihost.h"

extern char __config_block_start[];
extern char __config_block_end[];

/* Room left in front of the text for the block form's growth
 * (config_block_from_text()). */
#define TEXT_OFFSET 64u

int firmware_config_load(const char *path, config_block_t *cfg)
{
    char *block = __config_block_start;
    size_t cap = (size_t)(__config_block_end - __config_block_start);
    int32_t len;
    long size;
    config_block_status_t st;

    len = semihost_read_file(path, block + TEXT_OFFSET, cap - TEXT_OFFSET);
    if (len < 0) {
        log_line("config: cannot read %s (semihosting, QEMU's working directory), or it is "
                 "over %u bytes",
                 path, (unsigned)(cap - TEXT_OFFSET - 1));
        return -1;
    }
    size = config_block_from_text(block, cap, TEXT_OFFSET, (size_t)len);
    if (size < 0) {
        log_line("config: %s does not fit the %u-byte block, or a line is not key = value", path,
                 (unsigned)cap);
        return -1;
    }
    st = config_block_parse(block, (size_t)size, FIRMWARE_MAX_JOBS, cfg);
    if (st != CONFIG_BLOCK_OK) {
        log_line("config: %s: %s: %s", path, cfg->bad_key,
                 st == CONFIG_BLOCK_ERR_KEY       ? "unknown key"
                 : st == CONFIG_BLOCK_ERR_MISSING ? "required, missing"
                 : st == CONFIG_BLOCK_ERR_VALUE   ? "bad value"
                                                  : "not a configuration block");
        return -1;
    }
    log_line("config: %ld-byte block at 0x%08lx", size, (unsigned long)(uintptr_t)block);
    return 0;
}

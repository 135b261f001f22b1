# SPDX-License-Identifier: Apache-2.0
# boards/mps2-an386/unit/unit.mk - the core's unit tests on the board's instruction set: each
# cmocka suite of tests/unit/ that applies to the microcontroller configuration
# (boards/cortex-m4-config.mk) as an image of its own for qemu-system-arm -M mps2-an386,
# linked with the firmware image's own core library ($(MPS2)/libm2mcore.a), mbedTLS and C
# library; results on the console and the exit status through semihosting. Included by
# boards/mps2-an386.mk; make BOARD=mps2-an386 test runs them (tests/run_tests.py --board-unit),
# make BOARD=mps2-an386 mps2-unit builds them.
#
# cmocka is Debian's source package (apt-get source cmocka, unpacked by make deps into
# $(MPS2_SRC)/cmocka like lwIP and mbedTLS), built with unit/cmocka/config.h. The images have a
# C library heap (unit/syscalls.c), for cmocka and the tests only; the firmware image has none.
# They link newlib itself rather than newlib-nano: the suites build test inputs and report
# values with printf's 64-bit and C99 formats (%llx, %zu), which newlib-nano's printf lacks.
# The core and mbedTLS are the firmware image's objects; from the C library they call only
# memcpy, memset, memcmp, memmove, strlen and the like.
#
# (Read before the Makefile's variables are defined: prerequisites name their files directly,
# recipes use = variables.)

MPS2_UNIT := $(MPS2)/unit
MPS2_UNIT_DIR := $(MPS2_DIR)/unit
CMOCKA_DIR := $(MPS2_SRC)/cmocka
MPS2_LLHTTP_DIR := /usr/share/llhttp

# Suites that do not run on the board, and why (docs/boards.md says the same). Those of
# M4_UNTESTED_UNITS test what the microcontroller configuration leaves out.
MPS2_UNIT_SKIPPED := test_agent test_config
MPS2_UNIT_SKIP_REASONS := \
    --skipped "board: test_agent: its loopback world is a TLS server on mbedTLS's test certificates (the board's mbedTLS is a TLS 1.2 client only, without server code or test certificates) with tables of 20,000 messages" \
    --skipped "board: test_config: the Linux port's INI configuration (inih, files, POSIX), not part of the core or of a firmware image" \
    $(foreach t,$(M4_UNTESTED_UNITS),--skipped "board: $(t): tests a module the microcontroller configuration leaves out (boards/cortex-m4-config.mk)")

MPS2_UNIT_SRCS := $(filter-out $(patsubst %,tests/unit/%.c,$(M4_UNTESTED_UNITS) $(MPS2_UNIT_SKIPPED)), \
                               $(sort $(wildcard tests/unit/test_*.c)))
MPS2_UNIT_ELFS := $(patsubst tests/unit/%.c,$(MPS2_UNIT)/%.elf,$(MPS2_UNIT_SRCS))

# The tests see the core's headers and options as the firmware image's core was built with
# them, and mbedTLS's board configuration. Their main() becomes unit_main(), called by
# unit/main.c. _UINTPTR_T_DEFINED: newlib's stdint.h has uintptr_t, which cmocka.h would define
# again.
MPS2_UNIT_CFLAGS = -std=c99 $(WARN) $(MPS2_ARCH) -O1 -g -ffunction-sections -fdata-sections \
                   -D_POSIX_C_SOURCE=200809L -D_UINTPTR_T_DEFINED \
                   -I$(CMOCKA_DIR)/include -Iinclude -Itests/unit -I$(MPS2_DIR) \
                   -I$(MBEDTLS_DIR)/include -DMBEDTLS_CONFIG_FILE=\"mbedtls_config.h\" \
                   -isystem $(MPS2)/jsmn $(MPS2_M2M) -MMD -MP
MPS2_UNIT_LDFLAGS = $(MPS2_ARCH) -nostartfiles -T $(MPS2_UNIT_DIR)/unit.ld \
                    -Wl,--gc-sections -Wl,-u,reset_handler
MPS2_UNIT_SUPPORT := $(MPS2_UNIT)/support/main.o $(MPS2_UNIT)/support/syscalls.o \
                     $(MPS2_UNIT)/support/cmocka.o
MPS2_BOARD_LIB := $(MPS2)/libmps2board.a
MPS2_UNIT_LLHTTP := $(patsubst $(MPS2_LLHTTP_DIR)/%.c,$(MPS2_UNIT)/llhttp/%.o, \
                               $(wildcard $(MPS2_LLHTTP_DIR)/*.c))
-include $(MPS2_UNIT_ELFS:.elf=.d)

.PHONY: mps2-unit-sources mps2-unit
mps2-unit-sources:
	@[ -f $(CMOCKA_DIR)/.debian-version ] || { \
	    echo "$(CMOCKA_DIR) is missing: run make deps BOARD=mps2-an386 first" >&2; exit 1; }

# make BOARD=mps2-an386 mps2-unit: the images, without running them.
mps2-unit: mps2-sources mps2-unit-sources $(MPS2_UNIT_ELFS)

# The board's files as an archive: an image takes what it calls (startup, faults, semihosting,
# the clock, mbedTLS's pool and entropy) and leaves the network alone.
$(MPS2_BOARD_LIB): $(MPS2_BOARD_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# cmocka is third-party code: its own dialect, warnings shown but never fatal.
$(MPS2_UNIT)/support/cmocka.o: $(CMOCKA_DIR)/src/cmocka.c $(MPS2_UNIT_DIR)/cmocka/config.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu99 $(MPS2_ARCH) -O1 -g -ffunction-sections -fdata-sections \
	    -DHAVE_CONFIG_H -D_UINTPTR_T_DEFINED -I$(MPS2_UNIT_DIR)/cmocka -I$(CMOCKA_DIR)/include \
	    -c $< -o $@

$(MPS2_UNIT)/support/%.o: $(MPS2_UNIT_DIR)/%.c | $(MPS2)/jsmn/jsmn.h
	@mkdir -p $(dir $@)
	$(CC) $(MPS2_UNIT_CFLAGS) -c $< -o $@

# llhttp, the HTTP parser's differential reference, from Debian's node-llhttp as on the host.
$(MPS2_UNIT)/llhttp/%.o: $(MPS2_LLHTTP_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu99 $(MPS2_ARCH) -O1 -g -w -I/usr/share/include/llhttp \
	    -c $< -o $@

$(MPS2_UNIT)/%.o: tests/unit/%.c | $(MPS2)/jsmn/jsmn.h mps2-unit-sources
	@mkdir -p $(dir $@)
	$(CC) $(MPS2_UNIT_CFLAGS) $(if $(findstring llhttp,$*),-I/usr/share/include/llhttp) \
	    -Dmain=unit_main -include $(MPS2_UNIT_DIR)/unit_main.h -c $< -o $@

$(MPS2_UNIT)/%.elf: $(MPS2_UNIT)/%.o $(MPS2_UNIT_SUPPORT) $(MPS2_BOARD_LIB) $(MPS2)/libm2mcore.a \
                    $(MBEDTLS_LIBS) $(MPS2_UNIT_DIR)/unit.ld $(MPS2_UNIT_LLHTTP)
	$(CC) $(MPS2_UNIT_LDFLAGS) -Wl,-Map=$(MPS2_UNIT)/$*.map -o $@ $< $(MPS2_UNIT_SUPPORT) \
	    $(if $(findstring llhttp,$*),$(MPS2_UNIT_LLHTTP)) \
	    -Wl,--start-group $(MPS2_BOARD_LIB) $(MPS2)/libm2mcore.a $(MBEDTLS_LIBS) -lc -lgcc \
	    -Wl,--end-group

.SECONDARY: $(patsubst %.elf,%.o,$(MPS2_UNIT_ELFS))

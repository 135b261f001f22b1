# SPDX-License-Identifier: Apache-2.0
# boards/cortex-m4.mk - the portable core on a Cortex-M4F microcontroller (no OS, no binary).
#
#   make BOARD=cortex-m4        build/cortex-m4/libm2mcore.a (firmware/*.c, jsmn included) and
#                               compile boards/cortex-m4/tls_config_check.c
#   make size                   (from any BOARD) the footprint table against DESIGN.md's budgets
#   make deps BOARD=cortex-m4   gcc-arm-none-eabi and libnewlib-arm-none-eabi
#
# An RTOS integrator links build/cortex-m4/libm2mcore.a with their port (include/m2m_port.h),
# mbedTLS built with boards/cortex-m4/mbedtls_config.h, and their MQTT client: docs/porting.md.
#
# How the build proves the core uses no POSIX or OS header: every core file is compiled with
# -nostdinc, so the compiler's own search list is gone, and sees only
#   - build/cortex-m4/sysroot/inc0..inc3: made by tools/mcu_sysroot.py from the toolchain's own
#     directories (GCC's builtin headers, newlib's C library), holding the C standard headers
#     of M4_C_HEADERS and exactly the files those include themselves, nothing else;
#   - build/cortex-m4/sysroot/third_party: copies of Debian's jsmn.h (libjsmn-dev) and the
#     mbedTLS 2.28 headers (libmbedtls-dev), configured by boards/cortex-m4/mbedtls_config.h;
#   - include/ and boards/cortex-m4/.
# unistd.h, sys/socket.h, pthread.h, stdio.h, stdlib.h and every other header are absent: a core
# file including one fails to compile. newlib's internals that the standard headers pull in
# (sys/types.h for time.h, for instance) are present, so m4-include-check also holds every
# #include <...> written in firmware/ and include/ to M4_DIRECT_HEADERS.
BOARD_CROSS_COMPILE := arm-none-eabi-
BOARD_PORT :=
BOARD_CAPACITY := 256
BOARD_DEB_PACKAGES := gcc-arm-none-eabi libnewlib-arm-none-eabi
# A microcontroller has no binary of ours: `make BOARD=cortex-m4` builds the library.
BOARD_ALL = $(CORE_LIB) $(M4_BUILD)/tls_config_check.o

M4_BUILD := build/cortex-m4
M4_SYSROOT := $(M4_BUILD)/sysroot
M4_ARCH := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
include boards/cortex-m4-config.mk
# -fcallgraph-info=su writes each object's call graph with its frames (.ci), from which
# tools/size.py computes the deepest call chain; -fstack-usage the frames alone (.su).
# M4_SIZE_FORMS (boards/cortex-m4-config.mk): the smaller code forms of the hot paths.
M4_OPT := -Os -ffunction-sections -fdata-sections -fstack-usage -fcallgraph-info=su \
          $(M4_SIZE_FORMS)
M4_INC := -nostdinc $(foreach i,0 1 2 3,-isystem $(M4_SYSROOT)/inc$(i)) \
          -isystem $(M4_SYSROOT)/third_party -Iboards/cortex-m4 \
          -DMBEDTLS_CONFIG_FILE=\"mbedtls_config.h\"
# The C standard headers in the sysroot. time.h is there for mbedTLS's headers
# (MBEDTLS_HAVE_TIME: mbedtls_time_t); the core itself includes only M4_DIRECT_HEADERS.
M4_C_HEADERS := string.h stdint.h stddef.h limits.h stdarg.h stdbool.h time.h
M4_DIRECT_HEADERS := string\.h|stdint\.h|stddef\.h|limits\.h|jsmn\.h|mbedtls/[a-z0-9_]+\.h
# The default MCU configuration, M4_FEATURES (boards/cortex-m4-config.mk), is what `make size`
# holds to the budget. M4_FULL_FEATURES is every option on, as on the Linux boards, measured
# beside it.
M4_FULL_FEATURES := -DM2M_WITH_AKSK=1 -DM2M_WITH_IAM_PASSWORD=1 -DM2M_STRERROR_TEXT=1
BOARD_CFLAGS = $(M4_ARCH) $(M4_OPT) $(M4_INC) $(M4_FEATURES)
# The core objects wait for the header tree.
BOARD_CORE_DEPS := $(M4_SYSROOT)/.stamp m4-include-check

$(M4_SYSROOT)/.stamp: tools/mcu_sysroot.py boards/cortex-m4.mk /usr/include/jsmn.h
	$(PYTHON) tools/mcu_sysroot.py --cc $(CC) $(addprefix --cflag=,$(M4_ARCH)) \
	    --out $(M4_SYSROOT) $(M4_C_HEADERS) > $(M4_SYSROOT).files
	mkdir -p $(M4_SYSROOT)/third_party
	cp /usr/include/jsmn.h $(M4_SYSROOT)/third_party/
	cp -R /usr/include/mbedtls /usr/include/psa $(M4_SYSROOT)/third_party/
	touch $@

.PHONY: m4-include-check m4-footprint
m4-include-check:
	@bad=$$(grep -hoE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<[^>]+>' \
	    firmware/*.c firmware/*.h include/*.h | sed -E 's/.*<(.*)>/\1/' \
	    | grep -vxE '$(M4_DIRECT_HEADERS)' | sort -u); \
	if [ -n "$$bad" ]; then echo "the portable core includes non-C-library headers:" $$bad; \
	    exit 1; fi

# Every option on: the full-feature figure of the size table.
# (The Makefile's variables are not defined yet where this file is read: prerequisites name
# their files directly.)
M4_FULL_OBJS := $(patsubst %.c,$(M4_BUILD)/full/%.o,$(sort $(wildcard firmware/*.c)))
$(M4_BUILD)/full/firmware/%.o: firmware/%.c $(wildcard include/*.h firmware/*.h) \
                               | $(BOARD_CORE_DEPS)
	@mkdir -p $(dir $@)
	$(CC) -std=c99 $(WARN) $(M4_ARCH) $(M4_OPT) $(M4_INC) $(M4_FULL_FEATURES) -Iinclude \
	    -c $< -o $@
$(M4_BUILD)/full/libm2mcore.a: $(M4_FULL_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# sizeof(m2m_agent_t) and of a table entry, read back from symbol sizes (nothing runs).
$(M4_BUILD)/sizeof_probe.o: boards/cortex-m4/sizeof_probe.c $(wildcard include/*.h) \
                            | $(BOARD_CORE_DEPS)
	$(CC) $(CORE_CFLAGS) -fno-common -c $< -o $@

# The reference mbedTLS configuration compiles (check_config.h validates it). This is port
# code, so it sees newlib's whole tree (mbedTLS's platform.h includes stdio.h and stdlib.h).
$(M4_BUILD)/tls_config_check.o: boards/cortex-m4/tls_config_check.c include/tls_config.h \
                                boards/cortex-m4/mbedtls_config.h | $(M4_SYSROOT)/.stamp
	$(CC) -std=c99 $(WARN) $(M4_ARCH) -Os -isystem $(M4_SYSROOT)/third_party -Iboards/cortex-m4 \
	    -Iinclude -DMBEDTLS_CONFIG_FILE=\"mbedtls_config.h\" -c $< -o $@

m4-footprint: $(M4_BUILD)/libm2mcore.a $(M4_BUILD)/full/libm2mcore.a $(M4_BUILD)/sizeof_probe.o \
              $(M4_BUILD)/tls_config_check.o
	$(PYTHON) tools/size.py --tool-prefix $(CROSS_COMPILE) --lib $(M4_BUILD)/libm2mcore.a \
	    --full-lib $(M4_BUILD)/full/libm2mcore.a --probe $(M4_BUILD)/sizeof_probe.o \
	    --entry-header include/agent.h --compiler "$$($(CC) --version | head -n 1)" \
	    --libgcc "$$($(CC) $(M4_ARCH) -print-libgcc-file-name)" \
	    --features "$(M4_FEATURES)"

# SPDX-License-Identifier: Apache-2.0
# boards/mps2-an386.mk - the firmware image for QEMU's mps2-an386 (ARM MPS2 with the AN386
# FPGA image: Cortex-M4 with FPU, LAN9118 Ethernet), bare metal: lwIP 2.1 (NO_SYS, raw API)
# and mbedTLS 2.28 built from Debian's source packages, newlib-nano.
#
#   make deps BOARD=mps2-an386          the cross compiler, newlib, qemu-system-arm, and
#                                       Debian's lwip, mbedtls and cmocka sources unpacked into
#                                       build/mps2-an386/src/ (boards/mps2-an386/fetch-sources.sh)
#   make BOARD=mps2-an386 bringup       build/mps2-an386/bringup.elf, the bring-up image
#   make BOARD=mps2-an386 bringup-test  tests/mcu/test_bringup.py: the image under QEMU
#                                       (DHCP, TCP echo, TLS 1.2 with a verified certificate)
#   make BOARD=mps2-an386 bringup-size  the image's size per part (lwIP, mbedTLS, board,
#                                       C library) from the linker map
#   make BOARD=mps2-an386               also build/mps2-an386/modelarts2mqtt.elf and .bin: the
#                                       agent's firmware image (core, port/lwip, the board)
#   make BOARD=mps2-an386 run CONF=f    boot the firmware image in QEMU with the configuration
#                                       file f (port/lwip/config_block.h has the keys)
#   make BOARD=mps2-an386 mps2-unit     build/mps2-an386/unit/test_*.elf: the core's unit tests
#                                       as images for the board (unit/unit.mk)
#   make BOARD=mps2-an386 test          the core's unit tests on the board, the bring-up tests
#                                       and the firmware's end-to-end tests (tests/mcu/) against
#                                       the simulator and mosquitto
#   make size BOARD=mps2-an386          the firmware image's flash and RAM per part, with the
#                                       stack and TLS pool peaks of a measured run, against
#                                       DESIGN.md's budgets
#
# The board's own code (boards/mps2-an386/*.c) is held to the project's warnings; lwIP and
# mbedTLS are compiled with their own code's warnings left as they are. Nothing third-party
# is in the repository: build/ is git-ignored. See boards/mps2-an386/README.md.
BOARD_CROSS_COMPILE := arm-none-eabi-
BOARD_PORT :=
BOARD_CAPACITY := 1000
# No sanitizers, fuzzing or valgrind for this board (Makefile, tests/tests.mk).
BOARD_CROSS := 1
BOARD_DEB_PACKAGES := gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm

MPS2 := build/mps2-an386
MPS2_DIR := boards/mps2-an386
MPS2_SRC := $(MPS2)/src
LWIP_DIR := $(MPS2_SRC)/lwip
MBEDTLS_DIR := $(MPS2_SRC)/mbedtls
# make deps runs this after installing the packages (Makefile, BOARD_DEPS_EXTRA).
BOARD_DEPS_EXTRA = sh $(MPS2_DIR)/fetch-sources.sh $(MPS2_SRC) lwip mbedtls cmocka
# The third-party code in the images, whose notices make notices collects (tools/notices.mk,
# docs/licenses.md): lwIP and mbedTLS from the Debian sources above, newlib-nano.
BOARD_NOTICES := lwip mbedtls newlib
NOTICE_lwip ?= $(LWIP_DIR)/debian/copyright
NOTICE_mbedtls ?= $(MBEDTLS_DIR)/debian/copyright
NOTICE_newlib ?= /usr/share/doc/libnewlib-arm-none-eabi/copyright

BOARD_ALL = mps2-sources $(MPS2)/bringup.elf $(MPS2)/modelarts2mqtt.elf $(MPS2)/modelarts2mqtt.bin
# make test and make size run this board's own targets (tests/tests.mk, Makefile).
BOARD_TEST := mps2-test
BOARD_SIZE := mps2-size

# ---- flags -------------------------------------------------------------------------------

MPS2_ARCH := -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
# nano.specs: newlib-nano's headers and libraries (libc_nano, libg_nano).
MPS2_OPT := -Os -ffunction-sections -fdata-sections --specs=nano.specs
MPS2_INC := -I$(MPS2_DIR) -I$(LWIP_DIR)/src/include -I$(MBEDTLS_DIR)/include \
            -DMBEDTLS_CONFIG_FILE=\"mbedtls_config.h\"
# The configuration headers every lwIP or mbedTLS object depends on.
MPS2_LWIP_CONFIG := $(MPS2_DIR)/lwipopts.h $(MPS2_DIR)/arch/cc.h $(MPS2_DIR)/clock.h
MPS2_TLS_CONFIG := $(MPS2_DIR)/mbedtls_config.h boards/cortex-m4/mbedtls_config.h
# The core's microcontroller configuration (boards/cortex-m4-config.mk): AK/SK on, IAM
# passwords and error sentences off, a publish window of 16, the smaller code forms. The
# core, the port and the application see the same options: the agent's layout depends on them.
include boards/cortex-m4-config.mk
MPS2_M2M := $(M4_FEATURES) $(M4_SIZE_FORMS)
# For the core, when an image links it: the same ABI and mbedTLS configuration, and Debian's
# jsmn.h (libjsmn-dev) copied alone into build/, since /usr/include is the host's.
BOARD_CFLAGS = $(MPS2_ARCH) $(MPS2_OPT) $(MPS2_INC) -isystem $(MPS2)/jsmn $(MPS2_M2M)
BOARD_CORE_DEPS := $(MPS2)/jsmn/jsmn.h
$(MPS2)/jsmn/jsmn.h: /usr/include/jsmn.h
	@mkdir -p $(dir $@)
	cp $< $@
# Our code: C99, the project's warnings (WARN, Makefile), header dependencies tracked.
MPS2_CFLAGS = -std=c99 $(WARN) $(MPS2_ARCH) $(MPS2_OPT) $(MPS2_INC) -MMD -MP
# Third-party code: its own C dialect, warnings shown but never fatal.
MPS2_THIRD_PARTY_CFLAGS = -std=gnu99 $(MPS2_ARCH) $(MPS2_OPT) $(MPS2_INC)

# ---- lwIP: core, IPv4, Ethernet/ARP, DHCP, DNS, TCP, UDP, the SNTP and MQTT apps ----------

LWIP_SRCS := core/init.c core/def.c core/dns.c core/inet_chksum.c core/ip.c core/mem.c \
             core/memp.c core/netif.c core/pbuf.c core/tcp.c core/tcp_in.c core/tcp_out.c \
             core/timeouts.c core/udp.c core/ipv4/dhcp.c core/ipv4/etharp.c \
             core/ipv4/icmp.c core/ipv4/ip4.c core/ipv4/ip4_addr.c netif/ethernet.c \
             apps/sntp/sntp.c apps/mqtt/mqtt.c
LWIP_OBJS := $(patsubst %.c,$(MPS2)/lwip/%.o,$(LWIP_SRCS))
LWIP_LIB := $(MPS2)/liblwip.a

$(MPS2)/lwip/%.o: $(LWIP_DIR)/src/%.c $(MPS2_LWIP_CONFIG)
	@mkdir -p $(dir $@)
	$(CC) $(MPS2_THIRD_PARTY_CFLAGS) -c $< -o $@

$(LWIP_LIB): $(LWIP_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# ---- mbedTLS: the three libraries of its own build -------------------------------------
# Every module of 2.28's library/Makefile; what mbedtls_config.h leaves out compiles to
# nothing, so enabling a module there is enough.

MBEDTLS_CRYPTO_MODS := aes aesni arc4 aria asn1parse asn1write base64 bignum blowfish camellia \
    ccm chacha20 chachapoly cipher cipher_wrap cmac constant_time ctr_drbg des dhm ecdh ecdsa \
    ecjpake ecp ecp_curves entropy entropy_poll error gcm havege hkdf hmac_drbg md md2 md4 md5 \
    memory_buffer_alloc mps_reader mps_trace nist_kw oid padlock pem pk pk_wrap pkcs12 pkcs5 \
    pkparse pkwrite platform platform_util poly1305 psa_crypto psa_crypto_aead \
    psa_crypto_cipher psa_crypto_client psa_crypto_driver_wrappers psa_crypto_ecp \
    psa_crypto_hash psa_crypto_mac psa_crypto_rsa psa_crypto_se psa_crypto_slot_management \
    psa_crypto_storage psa_its_file ripemd160 rsa rsa_internal sha1 sha256 sha512 threading \
    timing version version_features xtea
MBEDTLS_X509_MODS := certs pkcs11 x509 x509_create x509_crl x509_crt x509_csr x509write_crt \
    x509write_csr
MBEDTLS_TLS_MODS := debug net_sockets ssl_cache ssl_ciphersuites ssl_cli ssl_cookie ssl_msg \
    ssl_srv ssl_ticket ssl_tls ssl_tls13_keys
mbedtls_objs = $(patsubst %,$(MPS2)/mbedtls/%.o,$(1))
MBEDTLS_LIBS := $(MPS2)/libmbedtls.a $(MPS2)/libmbedx509.a $(MPS2)/libmbedcrypto.a

$(MPS2)/mbedtls/%.o: $(MBEDTLS_DIR)/library/%.c $(MPS2_TLS_CONFIG)
	@mkdir -p $(dir $@)
	$(CC) $(MPS2_THIRD_PARTY_CFLAGS) -c $< -o $@

$(MPS2)/libmbedcrypto.a: $(call mbedtls_objs,$(MBEDTLS_CRYPTO_MODS))
	rm -f $@
	$(AR) rcs $@ $^
$(MPS2)/libmbedx509.a: $(call mbedtls_objs,$(MBEDTLS_X509_MODS))
	rm -f $@
	$(AR) rcs $@ $^
$(MPS2)/libmbedtls.a: $(call mbedtls_objs,$(MBEDTLS_TLS_MODS))
	rm -f $@
	$(AR) rcs $@ $^

# The sources are unpacked by make deps, never by a build rule. Listed first by every goal
# of this board, this says so instead of make's "No rule to make target ...init.c".
.PHONY: mps2-sources
mps2-sources:
	@for d in $(LWIP_DIR) $(MBEDTLS_DIR); do [ -f $$d/.debian-version ] || { \
	    echo "$$d is missing: run make deps BOARD=mps2-an386 first" >&2; exit 1; }; done

.PHONY: mps2-libs
mps2-libs: mps2-sources $(LWIP_LIB) $(MBEDTLS_LIBS)

# ---- the lwIP port (port/lwip/): any bare-metal lwIP board's ------------------------------
# An archive: the bring-up image links only its TCP stream and wait loop from it.

LWIP_PORT_SRCS := $(sort $(wildcard port/lwip/*.c))
LWIP_PORT_OBJS := $(patsubst %.c,$(MPS2)/%.o,$(LWIP_PORT_SRCS))
LWIP_PORT_LIB := $(MPS2)/libm2mport_lwip.a
# What the port and the firmware application see: the core's headers and options.
MPS2_APP_INC = -Iinclude -Iport/lwip -isystem $(MPS2)/jsmn $(MPS2_M2M) \
               -DM2M_VERSION=\"$(VERSION)\"
-include $(LWIP_PORT_OBJS:.o=.d)

$(MPS2)/port/lwip/%.o: port/lwip/%.c | $(MPS2)/jsmn/jsmn.h
	@mkdir -p $(dir $@)
	$(CC) $(MPS2_CFLAGS) $(MPS2_APP_INC) -c $< -o $@

$(LWIP_PORT_LIB): $(LWIP_PORT_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# ---- board support and the bring-up image ------------------------------------------------

MPS2_BOARD_SRCS := $(sort $(wildcard $(MPS2_DIR)/*.c))
MPS2_BRINGUP_SRCS := $(sort $(wildcard $(MPS2_DIR)/bringup/*.c))
MPS2_FIRMWARE_SRCS := $(sort $(wildcard $(MPS2_DIR)/agent/*.c))
MPS2_BOARD_OBJS := $(patsubst $(MPS2_DIR)/%.c,$(MPS2)/board/%.o,$(MPS2_BOARD_SRCS))
MPS2_BRINGUP_OBJS := $(patsubst $(MPS2_DIR)/%.c,$(MPS2)/board/%.o,$(MPS2_BRINGUP_SRCS))
MPS2_FIRMWARE_OBJS := $(patsubst $(MPS2_DIR)/%.c,$(MPS2)/board/%.o,$(MPS2_FIRMWARE_SRCS))
-include $(MPS2_BOARD_OBJS:.o=.d) $(MPS2_BRINGUP_OBJS:.o=.d) $(MPS2_FIRMWARE_OBJS:.o=.d)

$(MPS2)/board/%.o: $(MPS2_DIR)/%.c | $(MPS2)/jsmn/jsmn.h
	@mkdir -p $(dir $@)
	$(CC) $(MPS2_CFLAGS) -I$(MPS2_DIR)/bringup -I$(MPS2_DIR)/agent $(MPS2_APP_INC) -c $< -o $@

MPS2_LDSCRIPT := $(MPS2_DIR)/mps2-an386.ld
# -nostartfiles: startup.c is the whole C runtime start. The libraries in a group: the board
# code provides what they call back (mbedtls_hardware_poll, sys_now).
MPS2_LDFLAGS = $(MPS2_ARCH) --specs=nano.specs -nostartfiles -T $(MPS2_LDSCRIPT) \
               -Wl,--gc-sections -Wl,--print-memory-usage

$(MPS2)/bringup.elf: $(MPS2_BRINGUP_OBJS) $(MPS2_BOARD_OBJS) $(LWIP_PORT_LIB) $(LWIP_LIB) \
                     $(MBEDTLS_LIBS) $(MPS2_LDSCRIPT)
	$(CC) $(MPS2_LDFLAGS) -Wl,-Map=$(MPS2)/bringup.map -o $@ \
	    $(MPS2_BRINGUP_OBJS) $(MPS2_BOARD_OBJS) \
	    -Wl,--start-group $(LWIP_PORT_LIB) $(LWIP_LIB) $(MBEDTLS_LIBS) -lc -lgcc -Wl,--end-group

# ---- the firmware image: the agent -----------------------------------------------------------
# The core library comes from the Makefile's rules (CORE_LIB, built with BOARD_CFLAGS).

$(MPS2)/modelarts2mqtt.elf: $(MPS2_FIRMWARE_OBJS) $(MPS2_BOARD_OBJS) $(LWIP_PORT_LIB) \
                            $(MPS2)/libm2mcore.a $(LWIP_LIB) $(MBEDTLS_LIBS) $(MPS2_LDSCRIPT)
	$(CC) $(MPS2_LDFLAGS) -Wl,-Map=$(MPS2)/modelarts2mqtt.map -o $@ \
	    $(MPS2_FIRMWARE_OBJS) $(MPS2_BOARD_OBJS) \
	    -Wl,--start-group $(LWIP_PORT_LIB) $(MPS2)/libm2mcore.a $(LWIP_LIB) $(MBEDTLS_LIBS) \
	    -lc -lgcc -Wl,--end-group

# What a flash programmer writes: code, read-only data and .data's initial values.
$(MPS2)/modelarts2mqtt.bin: $(MPS2)/modelarts2mqtt.elf
	$(CROSS_COMPILE)objcopy -O binary $< $@

.PHONY: run
# Boot the firmware image with a configuration file (CONF=...), console on stdio; Ctrl-A X
# leaves QEMU. The file is copied as m2m.conf into a scratch directory, QEMU's working one.
run: mps2-sources $(MPS2)/modelarts2mqtt.elf
	@[ -n "$(CONF)" ] || { echo "usage: make BOARD=mps2-an386 run CONF=file" >&2; exit 2; }
	@d=$$(mktemp -d) && cp "$(CONF)" $$d/m2m.conf && cd $$d && \
	    qemu-system-arm -M mps2-an386 -nographic -semihosting -nic user \
	        -kernel $(abspath $(MPS2)/modelarts2mqtt.elf); rc=$$?; rm -rf $$d; exit $$rc

.PHONY: bringup bringup-test bringup-size mps2-format mps2-test mps2-test-run mps2-size \
        mps2-size-run
bringup: mps2-sources $(MPS2)/bringup.elf

# Runs the image under qemu-system-arm against servers the test starts on 127.0.0.1.
bringup-test: mps2-sources $(MPS2)/bringup.elf
	M2M_MCU_BRINGUP=$(MPS2)/bringup.elf $(PYTHON) tests/mcu/test_bringup.py -v

bringup-size: mps2-sources $(MPS2)/bringup.elf
	$(CROSS_COMPILE)size $(MPS2)/bringup.elf
	$(PYTHON) $(MPS2_DIR)/size_parts.py $(MPS2)/bringup.map

mps2-format:
	clang-format -i $(MPS2_BOARD_SRCS) $(MPS2_BRINGUP_SRCS) $(MPS2_FIRMWARE_SRCS) \
	    $(LWIP_PORT_SRCS) $(wildcard $(MPS2_DIR)/*.h port/lwip/*.h) \
	    $(wildcard $(MPS2_DIR)/arch/*.h $(MPS2_DIR)/bringup/*.h $(MPS2_DIR)/agent/*.h) \
	    $(wildcard $(MPS2_DIR)/unit/*.c $(MPS2_DIR)/unit/*.h $(MPS2_DIR)/unit/cmocka/*.h)

# ---- the core's unit tests on the board ------------------------------------------------------

include $(MPS2_DIR)/unit/unit.mk

# ---- make test and make size for this board -----------------------------------------------
# deps first, on its own: the images need the sources it unpacks.

mps2-test: deps
	@$(MAKE) --no-print-directory BOARD=$(BOARD) mps2-test-run

# How a unit image runs. It uses no network: restrict=on gives the board's LAN9118 a peer that
# reaches nothing.
MPS2_QEMU := qemu-system-arm -M mps2-an386 -nographic -monitor none -nic user,restrict=on \
             -semihosting

# The core's unit tests on the board (unit/unit.mk; an image that hangs is stopped after 120 s),
# then the bring-up tests and the firmware's end-to-end tests (tests/mcu/), in run_tests.py's
# table.
mps2-test-run: mps2-sources mps2-unit-sources $(MPS2)/bringup.elf $(MPS2)/modelarts2mqtt.elf \
               $(MPS2_UNIT_ELFS)
	@M2M_MCU_BRINGUP=$(MPS2)/bringup.elf M2M_MCU_FIRMWARE=$(MPS2)/modelarts2mqtt.elf \
	    $(PYTHON) tests/run_tests.py --no-sim --board-unit $(MPS2_UNIT_ELFS) \
	    --board-run "$(MPS2_QEMU) -kernel" --timeout 120 $(MPS2_UNIT_SKIP_REASONS) \
	    --board-suite tests/mcu

# The stack and TLS pool peaks of two measured runs (ECDSA and RSA servers, 1,000 jobs), taken
# again whenever the image changes.
MPS2_FOOTPRINT := $(MPS2)/footprint-run.json
$(MPS2_FOOTPRINT): $(MPS2)/modelarts2mqtt.elf tests/mcu/measure_footprint.py tests/mcu/mcu_base.py
	M2M_MCU_FIRMWARE=$(MPS2)/modelarts2mqtt.elf $(PYTHON) tests/mcu/measure_footprint.py --out $@

mps2-size: deps
	@$(MAKE) --no-print-directory BOARD=$(BOARD) mps2-size-run

mps2-size-run: mps2-sources $(MPS2)/modelarts2mqtt.elf $(MPS2_FOOTPRINT)
	@$(CROSS_COMPILE)size $(MPS2)/modelarts2mqtt.elf
	@echo
	@$(PYTHON) $(MPS2_DIR)/footprint.py --map $(MPS2)/modelarts2mqtt.map \
	    --elf $(MPS2)/modelarts2mqtt.elf --runs $(MPS2_FOOTPRINT) --nm $(CROSS_COMPILE)nm

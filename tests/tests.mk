# SPDX-License-Identifier: Apache-2.0
# tests/tests.mk - unit tests (cmocka), plain and under ASan/UBSan, and the
# end-to-end tests (tests/e2e: real mosquitto, real TLS, the simulator).

UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
SAN_BUILD := build/$(BOARD)-san
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_CORE_OBJS := $(patsubst %.c,$(SAN_BUILD)/%.o,$(CORE_SRCS))
SAN_CORE_LIB := $(SAN_BUILD)/libm2mcore.a
SAN_BINS := $(patsubst tests/unit/%.c,$(SAN_BUILD)/tests/%,$(UNIT_SRCS))
# The microcontroller configuration on the host: the core built with cortex-m4's options and
# smaller code forms (boards/cortex-m4-config.mk), under ASan/UBSan, and every unit test that
# applies to it.
include boards/cortex-m4-config.mk
MCU_BUILD := build/$(BOARD)-mcu
MCU_CORE_LIB := $(MCU_BUILD)/libm2mcore.a
MCU_BINS := $(filter-out $(addprefix $(MCU_BUILD)/tests/,$(M4_UNTESTED_UNITS)), \
                         $(patsubst tests/unit/%.c,$(MCU_BUILD)/tests/%,$(UNIT_SRCS)))
LLHTTP_DIR := /usr/share/llhttp
LLHTTP_INC := /usr/share/include/llhttp
LLHTTP_SRCS := $(LLHTTP_DIR)/llhttp.c $(LLHTTP_DIR)/api.c $(LLHTTP_DIR)/http.c
TEST_CFLAGS := -std=c99 -D_POSIX_C_SOURCE=200809L $(WARN) -O1 -g -Iinclude -Itests/unit
TEST_LIBS := -lcmocka -linih -lmbedtls -lmbedx509 -lmbedcrypto

# Tests whose name holds "llhttp" also link llhttp, compiled from the C
# sources Debian ships (tests only: llhttp is the differential reference,
# never part of the agent). Its generated code is not held to our warnings.
LLHTTP_OBJS = $(patsubst $(LLHTTP_DIR)/%.c,$(1)/llhttp/%.o,$(LLHTTP_SRCS))
llhttp_for = $(if $(findstring llhttp,$(1)),-I$(LLHTTP_INC) $(call LLHTTP_OBJS,$(2)))

$(BUILD)/llhttp/%.o: $(LLHTTP_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -w -I$(LLHTTP_INC) -c $< -o $@

$(SAN_BUILD)/llhttp/%.o: $(LLHTTP_DIR)/%.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -w $(SAN_FLAGS) -I$(LLHTTP_INC) -c $< -o $@

$(BUILD)/tests/test_%: tests/unit/test_%.c $(CORE_LIB) $(wildcard tests/unit/*.h) \
                       $(call LLHTTP_OBJS,$(BUILD)) | $(BUILD)/tests
	$(CC) $(TEST_CFLAGS) -o $@ $< $(call llhttp_for,$@,$(BUILD)) $(CORE_LIB) $(TEST_LIBS)

$(SAN_BUILD)/firmware/%.o: firmware/%.c $(wildcard include/*.h firmware/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -O1 $(SAN_FLAGS) -c $< -o $@

$(SAN_CORE_LIB): $(SAN_CORE_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(SAN_BUILD)/tests/test_%: tests/unit/test_%.c $(SAN_CORE_LIB) $(wildcard tests/unit/*.h) \
                           $(call LLHTTP_OBJS,$(SAN_BUILD))
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $(SAN_FLAGS) -o $@ $< $(call llhttp_for,$@,$(SAN_BUILD)) \
	    $(SAN_CORE_LIB) $(TEST_LIBS)

$(MCU_BUILD)/firmware/%.o: firmware/%.c $(wildcard include/*.h firmware/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) $(M4_FEATURES) $(M4_SIZE_FORMS) -O1 $(SAN_FLAGS) -c $< -o $@

$(MCU_CORE_LIB): $(patsubst %.c,$(MCU_BUILD)/%.o,$(CORE_SRCS))
	rm -f $@
	$(AR) rcs $@ $^

$(MCU_BUILD)/tests/test_%: tests/unit/test_%.c $(MCU_CORE_LIB) $(wildcard tests/unit/*.h) \
                           $(call LLHTTP_OBJS,$(SAN_BUILD))
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $(M4_FEATURES) $(M4_SIZE_FORMS) $(SAN_FLAGS) -o $@ $< \
	    $(call llhttp_for,$@,$(SAN_BUILD)) $(MCU_CORE_LIB) $(TEST_LIBS)

ifeq ($(BOARD_CROSS),1)
# A cross board runs its unit tests and its agent under qemu-user (BOARD_RUN_PREFIX).
# Sanitizers and libFuzzer are clang/gcc host runtimes: they run with BOARD=host.
TEST_SAN_BINS :=
TEST_MCU_BINS :=
TEST_FUZZ_BINS :=
TEST_RUN_ARGS := --run-prefix "$(BOARD_RUN_PREFIX)"
TEST_SKIP_ARGS := --skipped "san: ASan/UBSan builds run on the host board only (make test)" \
    --skipped "fuzz: libFuzzer harnesses run on the host board only (make test)" \
    --skipped "mcu: the microcontroller configuration's unit tests run on the host board only (make test)"
else
TEST_SAN_BINS := $(SAN_BINS)
TEST_MCU_BINS := $(MCU_BINS)
TEST_FUZZ_BINS := $(FUZZ_BINS)
TEST_RUN_ARGS :=
TEST_SKIP_ARGS :=
endif
# The install test (tests/e2e/test_install.py) installs this board's build.
TEST_ENV := M2M_BOARD=$(BOARD) M2M_STATIC=$(STATIC)

# The builds without MQTT over TLS (MQTT_TLS=0: Paho's plain variant, no OpenSSL), dynamic and
# static, for tests/e2e/test_mqtt_plain.py, whatever this run's STATIC and MQTT_TLS. A make of
# their own each: the port is compiled with -DM2M_MQTT_TLS=0 in build/$(BOARD)-mqtt-plain and
# build/$(BOARD)-static-mqtt-plain (a few seconds). Boards with the Linux port only.
ifeq ($(BOARD_PORT),posix)
MQTT_PLAIN_BIN := build/$(BOARD)-mqtt-plain/modelarts2mqtt
MQTT_PLAIN_STATIC_BIN := build/$(BOARD)-static-mqtt-plain/modelarts2mqtt
TEST_MQTT_PLAIN := mqtt-plain
TEST_ENV += M2M_BINARY_MQTT_PLAIN=$(MQTT_PLAIN_BIN) M2M_BINARY_MQTT_PLAIN_STATIC=$(MQTT_PLAIN_STATIC_BIN)

.PHONY: mqtt-plain
mqtt-plain:
	@$(MAKE) --no-print-directory MQTT_TLS=0 STATIC=0 $(MQTT_PLAIN_BIN)
	@$(MAKE) --no-print-directory MQTT_TLS=0 STATIC=1 $(MQTT_PLAIN_STATIC_BIN)
endif

unit: $(UNIT_BINS) $(TEST_SAN_BINS) $(TEST_MCU_BINS)

# FUZZ_BINS: tests/fuzz/fuzz.mk (a short pass of each harness).
# A firmware board tests its images under its emulator instead (BOARD_TEST: make BOARD=mps2-an386
# test, boards/mps2-an386.mk).
# deps first, then the rest in a second make: only a make that starts after deps sees what it
# installed (node-llhttp's sources above, the libraries; tools/deps-check.mk checks them).
.PHONY: test-run e2e-run
ifeq ($(BOARD_TEST),)
test: deps
	@$(MAKE) --no-print-directory test-run

test-run: $(BIN) unit $(TEST_FUZZ_BINS) $(TEST_MQTT_PLAIN)
	@$(TEST_ENV) $(PYTHON) tests/run_tests.py --unit $(UNIT_BINS) --san $(TEST_SAN_BINS) \
	    --mcu $(TEST_MCU_BINS) --fuzz $(TEST_FUZZ_BINS) --binary $(BIN) $(TEST_RUN_ARGS) $(TEST_SKIP_ARGS)
else
test: $(BOARD_TEST)
endif

e2e: deps
	@$(MAKE) --no-print-directory e2e-run

e2e-run: $(BIN) $(TEST_MQTT_PLAIN)
	@$(TEST_ENV) $(PYTHON) tests/run_tests.py --binary $(BIN) $(TEST_RUN_ARGS)

# Keep the llhttp objects between runs (make would delete them as intermediates).
.SECONDARY: $(call LLHTTP_OBJS,$(BUILD)) $(call LLHTTP_OBJS,$(SAN_BUILD)) \
            $(patsubst %.c,$(MCU_BUILD)/%.o,$(CORE_SRCS))

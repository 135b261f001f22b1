# modelarts2mqtt - the one entry point.
#
#   make                 build build/$(BOARD)/modelarts2mqtt
#   make test            unit tests (plain and ASan/UBSan) and end-to-end tests
#   make demo            simulator + mosquitto + agent, MQTT traffic printed live
#   make deps            install the Debian packages the project needs
#   make format          clang-format every C file
#
# BOARD selects boards/$(BOARD).mk (default: host).

BOARD ?= host
include boards/$(BOARD).mk

VERSION := 0.1.0
BUILD := build/$(BOARD)
PYTHON ?= python3

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wpointer-arith -Wcast-qual -Wformat=2
CORE_CFLAGS := -std=c99 $(WARN) $(BOARD_CFLAGS) -Iinclude
CFLAGS ?=
CPPFLAGS ?=
LDFLAGS ?=
PORT_CFLAGS := -std=c99 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(BOARD_CFLAGS) \
               -Iinclude -Iport/posix -DM2M_VERSION=\"$(VERSION)\" \
               -DM2M_DEFAULT_CAPACITY=$(BOARD_CAPACITY)
PORT_LIBS := -linih -lpaho-mqtt3cs -lmbedtls -lmbedx509 -lmbedcrypto -lpthread

CORE_SRCS := $(sort $(wildcard firmware/*.c))
PORT_SRCS := $(sort $(wildcard port/posix/*.c))
CORE_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(CORE_SRCS))
PORT_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(PORT_SRCS))
CORE_LIB := $(BUILD)/libm2mcore.a
BIN := $(BUILD)/modelarts2mqtt

.PHONY: all deps test unit e2e demo clean format size bench memcheck
.DEFAULT_GOAL := all

all: $(BIN)

$(BUILD)/firmware/%.o: firmware/%.c $(wildcard include/*.h firmware/*.h) | $(BUILD)/firmware
	$(CC) $(CORE_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/port/posix/%.o: port/posix/%.c $(wildcard include/*.h port/posix/*.h) | $(BUILD)/port/posix
	$(CC) $(PORT_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(CORE_LIB): $(CORE_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(PORT_OBJS) $(CORE_LIB)
	$(CC) $(LDFLAGS) -o $@ $(PORT_OBJS) $(CORE_LIB) $(PORT_LIBS) $(LDLIBS)

$(BUILD)/firmware $(BUILD)/port/posix $(BUILD)/tests:
	mkdir -p $@

# ---- dependencies ----------------------------------------------------------

DEB_PACKAGES := build-essential pkg-config libmbedtls-dev libpaho-mqtt-dev libjsmn-dev \
                libinih-dev libcmocka-dev mosquitto mosquitto-clients openssl python3 \
                valgrind clang libclang-rt-14-dev node-llhttp time

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" \
	    || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# ---- tests -------------------------------------------------------------------

include tests/fuzz/fuzz.mk
include tests/tests.mk

# ---- demo --------------------------------------------------------------------

demo: deps $(BIN)
	$(PYTHON) tests/demo.py --binary $(BIN)

format:
	clang-format -i $(CORE_SRCS) $(PORT_SRCS) include/*.h $(wildcard port/posix/*.h) \
	    $(wildcard tests/unit/*.c tests/unit/*.h)

clean:
	rm -rf build

# ---- measurements ------------------------------------------------------------

bench: deps $(BIN)
	$(PYTHON) tests/bench.py --binary $(BIN)

# The daemon under valgrind memcheck for MEMCHECK_POLLS polls (about a second each).
MEMCHECK_POLLS ?= 1000
memcheck: deps $(BIN)
	$(PYTHON) tests/memcheck.py --binary $(BIN) --polls $(MEMCHECK_POLLS)

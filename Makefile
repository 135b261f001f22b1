# SPDX-License-Identifier: Apache-2.0
# modelarts2mqtt - the one entry point.
#
#   make                 build build/$(BOARD)/modelarts2mqtt
#   make test            unit tests (plain and ASan/UBSan) and end-to-end tests
#   make demo            simulator + mosquitto + agent, MQTT traffic printed live
#   make deps            install the Debian packages the project needs (and the job board's
#                        MQTT.js bundle from npm)
#   make format          clang-format every C file
#   make MQTT_TLS=0      build/$(BOARD)-mqtt-plain/modelarts2mqtt: Paho's plain variant, no
#                        OpenSSL (tcp:// and mqtt:// brokers only; docs/boards.md)
#
# BOARD selects boards/$(BOARD).mk (default: host).

BOARD ?= host
include boards/$(BOARD).mk

# Toolchain, as Buildroot and Yocto pass it: CC, AR and STRIP from the command line or the
# environment win; otherwise CROSS_COMPILE (default: the board's, empty on the host) prefixes
# gcc, ar and strip. make's built-in CC=cc and AR=ar have origin "default".
CROSS_COMPILE ?= $(BOARD_CROSS_COMPILE)
ifeq ($(origin CC),default)
CC := $(if $(CROSS_COMPILE),$(CROSS_COMPILE)gcc,cc)
endif
ifeq ($(origin AR),default)
AR := $(CROSS_COMPILE)ar
endif
STRIP ?= $(CROSS_COMPILE)strip

# The release version, in one place: the file VERSION. --version, make dist's tarball, the man
# pages, debian/changelog and the recipes carry it (tests/e2e/test_release.py checks they agree).
VERSION := $(strip $(file <VERSION))
# STATIC=1 links every library statically (one file to copy to a board), into its own
# build directory so that the dynamic build is kept.
STATIC ?= 0
# MQTT_TLS=0 links Paho's plain variant (libpaho-mqtt3c) instead of its TLS one
# (libpaho-mqtt3cs, built on OpenSSL): no OpenSSL in the binary or among its libraries, and an
# ssl:// or mqtts:// broker is a configuration error. The API's HTTPS (mbedTLS) is the same.
# Also into its own build directory: build/$(BOARD)-mqtt-plain, build/$(BOARD)-static-mqtt-plain.
MQTT_TLS ?= 1
ifeq ($(filter 0 1,$(MQTT_TLS)),)
$(error MQTT_TLS must be 1 (MQTT over TLS, Paho with OpenSSL) or 0 (plain MQTT only))
endif
BUILD := build/$(BOARD)$(if $(filter 1,$(STATIC)),-static)$(if $(filter 0,$(MQTT_TLS)),-mqtt-plain)
PYTHON ?= python3

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wpointer-arith -Wcast-qual -Wformat=2
CORE_CFLAGS := -std=c99 $(WARN) $(BOARD_CFLAGS) -Iinclude
CFLAGS ?=
CPPFLAGS ?=
LDFLAGS ?=
PORT_CFLAGS := -std=c99 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) $(BOARD_CFLAGS) \
               -Iinclude -Ihomeassistant -Iport/posix -DM2M_VERSION=\"$(VERSION)\" \
               -DM2M_DEFAULT_CAPACITY=$(BOARD_CAPACITY) -DM2M_MQTT_TLS=$(MQTT_TLS)
# homeassistant/ is a client of a port's MQTT session, for any port whose C library has a heap:
# plain C99, no POSIX.
HA_CFLAGS := -std=c99 $(WARN) $(BOARD_CFLAGS) -Iinclude -Ihomeassistant
PAHO_LIBS := $(if $(filter 1,$(MQTT_TLS)),-lpaho-mqtt3cs,-lpaho-mqtt3c)
PORT_LIBS := -linih $(PAHO_LIBS) -lmbedtls -lmbedx509 -lmbedcrypto -lpthread
ifeq ($(STATIC),1)
# Paho's TLS variant is built on OpenSSL: statically, its libraries come along (and libdl,
# which OpenSSL's module loading uses). The plain variant needs neither.
PORT_LIBS := -static -linih $(PAHO_LIBS) $(if $(filter 1,$(MQTT_TLS)),-lssl -lcrypto) \
             -lmbedtls -lmbedx509 -lmbedcrypto -lpthread $(if $(filter 1,$(MQTT_TLS)),-ldl)
endif

CORE_SRCS := $(sort $(wildcard firmware/*.c))
HA_SRCS := $(sort $(wildcard homeassistant/*.c))
PORT_SRCS := $(sort $(wildcard port/posix/*.c))
CORE_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(CORE_SRCS))
# The Linux port links Home Assistant discovery with it.
PORT_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(PORT_SRCS) $(HA_SRCS))
CORE_LIB := $(BUILD)/libm2mcore.a
BIN := $(BUILD)/modelarts2mqtt

.PHONY: all deps test unit e2e demo jobboard clean format size bench memcheck variants install \
        install-strip install-openwrt install-sysv
.DEFAULT_GOAL := all

# A board without a binary of ours (cortex-m4) names what it builds in BOARD_ALL.
all: $(or $(BOARD_ALL),$(BIN))

$(BUILD)/firmware/%.o: firmware/%.c $(wildcard include/*.h firmware/*.h) \
                        | $(BUILD)/firmware $(BOARD_CORE_DEPS)
	$(CC) $(CORE_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/port/posix/%.o: port/posix/%.c $(wildcard include/*.h homeassistant/*.h port/posix/*.h) \
                          | $(BUILD)/port/posix
	$(CC) $(PORT_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/homeassistant/%.o: homeassistant/%.c $(wildcard include/*.h homeassistant/*.h) \
                            | $(BUILD)/homeassistant
	$(CC) $(HA_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(CORE_LIB): $(CORE_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(PORT_OBJS) $(CORE_LIB)
	$(CC) $(LDFLAGS) -o $@ $(PORT_OBJS) $(CORE_LIB) $(PORT_LIBS) $(LDLIBS)

# The Linux port compiles the version in (-DM2M_VERSION).
$(PORT_OBJS): VERSION

$(BUILD)/firmware $(BUILD)/homeassistant $(BUILD)/port/posix $(BUILD)/tests:
	mkdir -p $@

# ---- dependencies ----------------------------------------------------------

DEB_PACKAGES := build-essential pkg-config libmbedtls-dev libpaho-mqtt-dev libjsmn-dev \
                libinih-dev libcmocka-dev mosquitto mosquitto-clients openssl python3 \
                valgrind clang libclang-rt-14-dev node-llhttp time chromium \
                gnuplot-nox jq curl \
                groff-base man-db systemd shellcheck dpkg-dev debhelper fakeroot \
                $(BOARD_DEB_PACKAGES)

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" \
	    || missing="$$missing $$p"; done; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { $$SUDO apt-get update -qq || echo "apt-get update reported errors; using the indexes it has"; }; \
	  $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@$(MAKE) --no-print-directory jobboard
ifneq ($(BOARD_DEB_LIBS),)
	@sh boards/multiarch-deps.sh $(BOARD_ARCH) $(BOARD_DEB_LIBS) -- $(BOARD_DEB_TOOLS)
endif
# A board's own step after the packages (mps2-an386: Debian's lwIP and mbedTLS sources).
ifneq ($(BOARD_DEPS_EXTRA),)
	@$(BOARD_DEPS_EXTRA)
endif

# ---- tests -------------------------------------------------------------------

include tests/fuzz/fuzz.mk
include tests/tests.mk

# ---- demo --------------------------------------------------------------------

# deps first, then the rest in a second make: a make that starts after deps sees what it
# installed (and tools/deps-check.mk checks it).
.PHONY: demo-run bench-run memcheck-run
demo: deps
	@$(MAKE) --no-print-directory demo-run

demo-run: $(BIN) jobboard
	$(PYTHON) tests/demo.py --binary $(BIN) --jobboard $(JOBBOARD)

# The live job board (examples/jobboard, docs/jobboard.md), assembled in build/jobboard for
# mosquitto's http_dir. Its MQTT client is MQTT.js's browser bundle, installed from npm at the
# version package-lock.json pins, into build/ (never committed).
JOBBOARD := build/jobboard
JOBBOARD_NPM := build/jobboard-npm
JOBBOARD_BUNDLE := $(JOBBOARD_NPM)/node_modules/mqtt/dist/mqtt.min.js

jobboard: $(JOBBOARD)/index.html $(JOBBOARD)/jobboard.js $(JOBBOARD)/mqtt.min.js

$(JOBBOARD_BUNDLE): examples/jobboard/package.json examples/jobboard/package-lock.json
	rm -rf $(JOBBOARD_NPM)
	mkdir -p $(JOBBOARD_NPM)
	cp $^ $(JOBBOARD_NPM)/
	cd $(JOBBOARD_NPM) && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

$(JOBBOARD)/mqtt.min.js: $(JOBBOARD_BUNDLE)
	@mkdir -p $(dir $@)
	cp $< $@

$(JOBBOARD)/%: examples/jobboard/%
	@mkdir -p $(dir $@)
	cp $< $@

format:
	clang-format -i $(CORE_SRCS) $(HA_SRCS) $(PORT_SRCS) include/*.h \
	    $(wildcard homeassistant/*.h port/posix/*.h) \
	    $(wildcard tests/unit/*.c tests/unit/*.h)

clean:
	rm -rf build

# ---- release -----------------------------------------------------------------

# make dist: the release tarball of the committed tree (HEAD), the same bytes for the same
# commit, with its SHA-256 and the recipes that name it (tools/dist.sh, docs/packaging.md).
# DIST_SITE is where the release puts the tarball; the recipes' copies download from there.
DIST_DIR ?= build
DIST_SITE ?= https://example.invalid/modelarts2mqtt/releases

.PHONY: dist
dist:
	@sh tools/dist.sh $(VERSION) $(DIST_DIR) $(DIST_SITE)

# ---- install -----------------------------------------------------------------

# GNU and Buildroot/Yocto conventions: DESTDIR stages, PREFIX places. The configuration goes
# where the agent looks without -c (/etc/modelarts2mqtt/modelarts2mqtt.conf), whatever PREFIX.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
DOCDIR ?= $(PREFIX)/share/doc/modelarts2mqtt
MANDIR ?= $(PREFIX)/share/man
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
INITDIR ?= $(SYSCONFDIR)/init.d
INSTALL ?= install
CONF_DEST := $(DESTDIR)$(SYSCONFDIR)/modelarts2mqtt/modelarts2mqtt.conf
# The service files name /usr/bin and /etc (packaging/): installed with the real paths.
PATHS_SED := sed -e 's|/usr/bin/modelarts2mqtt|$(BINDIR)/modelarts2mqtt|g' \
                 -e 's|/etc/modelarts2mqtt|$(SYSCONFDIR)/modelarts2mqtt|g'
# install_edited,SOURCE,DEST,MODE
install_edited = $(PATHS_SED) $(1) >$(2).tmp && chmod $(3) $(2).tmp && mv $(2).tmp $(2)

# The binary goes in unstripped (packagers strip and keep the debug info); install-strip strips.
# An existing configuration is never overwritten: it holds the operator's settings and secrets.
install: $(BIN)
	$(INSTALL) -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(DOCDIR)
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/modelarts2mqtt
	$(INSTALL) -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/modelarts2mqtt
	@if [ -e $(CONF_DEST) ]; then echo "keeping the existing $(CONF_DEST)"; \
	else echo "$(INSTALL) -m 0600 examples/modelarts2mqtt.conf $(CONF_DEST)"; \
	  $(INSTALL) -m 0600 examples/modelarts2mqtt.conf $(CONF_DEST); fi
	$(INSTALL) -m 0644 README.md NEWS.md LICENSE $(sort $(wildcard docs/*.md)) $(DESTDIR)$(DOCDIR)
	$(INSTALL) -d -m 0755 $(DESTDIR)$(DOCDIR)/licenses
	@$(call copy_notices,$(DESTDIR)$(DOCDIR)/licenses)
	$(INSTALL) -d -m 0755 $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	$(INSTALL) -m 0644 man/modelarts2mqtt.1 $(DESTDIR)$(MANDIR)/man1/modelarts2mqtt.1
	$(INSTALL) -m 0644 man/modelarts2mqtt.conf.5 $(DESTDIR)$(MANDIR)/man5/modelarts2mqtt.conf.5
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
	    $(DESTDIR)$(TMPFILESDIR)
	$(call install_edited,packaging/systemd/modelarts2mqtt.service,\
	    $(DESTDIR)$(SYSTEMDUNITDIR)/modelarts2mqtt.service,0644)
	$(INSTALL) -m 0644 packaging/systemd/modelarts2mqtt.sysusers \
	    $(DESTDIR)$(SYSUSERSDIR)/modelarts2mqtt.conf
	$(call install_edited,packaging/systemd/modelarts2mqtt.tmpfiles,\
	    $(DESTDIR)$(TMPFILESDIR)/modelarts2mqtt.conf,0644)

# Init scripts for systems without systemd (docs/packaging.md); not part of install.
install-openwrt:
	$(INSTALL) -d -m 0755 $(DESTDIR)/etc/init.d
	$(call install_edited,packaging/openwrt/modelarts2mqtt/files/modelarts2mqtt.init,\
	    $(DESTDIR)/etc/init.d/modelarts2mqtt,0755)

install-sysv:
	$(INSTALL) -d -m 0755 $(DESTDIR)$(INITDIR)
	$(call install_edited,packaging/sysv/modelarts2mqtt.init,\
	    $(DESTDIR)$(INITDIR)/modelarts2mqtt,0755)

install-strip: install
	$(STRIP) $(DESTDIR)$(BINDIR)/modelarts2mqtt

# ---- measurements ------------------------------------------------------------

# The portable core's footprint on Cortex-M4 against DESIGN.md's budgets, from any BOARD
# (boards/cortex-m4.mk, tools/size.py, docs/footprint.md). Fails when a budget is missed.
# A board with a firmware image of its own measures the image instead (BOARD_SIZE: make size
# BOARD=mps2-an386).
ifeq ($(BOARD_SIZE),)
size:
	@$(MAKE) --no-print-directory BOARD=cortex-m4 STATIC=0 deps
	@$(MAKE) --no-print-directory BOARD=cortex-m4 STATIC=0 m4-footprint
else
size: $(BOARD_SIZE)
endif

# bench and memcheck measure with valgrind, which runs host binaries only.
HOST_ONLY = $(if $(filter 1,$(BOARD_CROSS)),@echo "$(@:-run=): host board only (valgrind does not \
            run $(BOARD) binaries); run make $(@:-run=) without BOARD" && exit 0;)

bench: deps
	@$(MAKE) --no-print-directory bench-run

bench-run: $(BIN)
	$(HOST_ONLY)$(PYTHON) tests/bench.py --binary $(BIN)

# The four link variants of this board (dynamic and STATIC=1, MQTT_TLS=1 and 0): their sizes
# and the peak RSS of --once over 10,000 jobs (tools/variants.py; on a cross board under
# qemu-user, with the emulated program's own figure too). docs/footprint.md has the results.
VARIANTS_RUNS ?= 5
variants: deps
	@for s in 0 1; do for t in 1 0; do \
	    $(MAKE) --no-print-directory STATIC=$$s MQTT_TLS=$$t || exit 1; done; done
	$(PYTHON) tools/variants.py --board $(BOARD) --strip "$(STRIP)" --runs $(VARIANTS_RUNS) \
	    $(if $(BOARD_RUN_PREFIX),--run-prefix "$(BOARD_RUN_PREFIX)")

# The daemon under valgrind memcheck for MEMCHECK_POLLS polls (about a second each).
MEMCHECK_POLLS ?= 1000
memcheck: deps
	@$(MAKE) --no-print-directory memcheck-run

memcheck-run: $(BIN)
	$(HOST_ONLY)$(PYTHON) tests/memcheck.py --binary $(BIN) --polls $(MEMCHECK_POLLS)

# ---- license notices and the check of what a build needs ---------------------

include tools/notices.mk
include tools/deps-check.mk

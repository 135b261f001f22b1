# SPDX-License-Identifier: Apache-2.0
# tools/deps-check.mk - before anything compiles, what the build needs is there: otherwise make
# stops at once with one line that names what is missing and `make deps`, instead of a compiler
# error about jsmn.h. Included at the end of the Makefile, where every variable is known.
#
# The check runs while make reads its files (tools/deps-check.sh: one preprocessor run, a few
# milliseconds) when a goal compiles, i.e. any goal but those of DEPS_CHECK_SKIP, and never
# under make -n. Those goals compile nothing, or run make deps and then the rest in a second
# make, which checks. What is checked:
#   - the compiler, $(CC);
#   - M2M_DEPS_HEADERS: the libraries' headers, through the compiler with CPPFLAGS and CFLAGS
#     (a packager's sysroot or -I counts), cmocka's and llhttp's too for the unit tests;
#   - M2M_DEPS_LIBS, on a cross board: the libraries for the board's architecture.
# Each entry is WHAT=PACKAGE (tools/deps-check.sh). Both lists may be given on the command line:
# `make M2M_DEPS_HEADERS=no/such.h` shows the message.

DEPS_CHECK_SKIP := deps clean format mps2-format dist notices jobboard install-openwrt \
                   install-sysv test e2e demo bench memcheck size mps2-test mps2-size \
                   m4-include-check mps2-sources mps2-unit-sources
DEPS_GOALS := $(filter-out $(DEPS_CHECK_SKIP),$(or $(MAKECMDGOALS),$(.DEFAULT_GOAL)))
# make -n runs nothing: its first word of MAKEFLAGS holds the one-letter options.
DEPS_DRY_RUN := $(findstring n,$(filter-out -% %=%,$(firstword $(MAKEFLAGS))))
DEPS_TESTS := $(filter unit test-run,$(DEPS_GOALS))$(findstring /tests/,$(DEPS_GOALS))
# The host board's make test runs the fuzz harnesses too (clang).
DEPS_FUZZ_GOALS := fuzz fuzz-build $(if $(BOARD_CROSS),,test-run)
DEPS_FUZZ := $(filter $(DEPS_FUZZ_GOALS),$(DEPS_GOALS))$(findstring build/fuzz/,$(DEPS_GOALS))

ifeq ($(BOARD_PORT),posix)
M2M_DEPS_HEADERS ?= jsmn.h=libjsmn-dev ini.h=libinih-dev MQTTClient.h=libpaho-mqtt-dev \
                    mbedtls/ssl.h=libmbedtls-dev \
                    $(if $(DEPS_TESTS),cmocka.h=libcmocka-dev \
                                       /usr/share/llhttp/llhttp.c=node-llhttp) \
                    $(if $(DEPS_FUZZ),command:$(FUZZ_CC)=$(FUZZ_CC))
else
# A microcontroller board: its toolchain's C library (newlib), and Debian's jsmn and mbedTLS
# headers, which the build copies from the build machine.
M2M_DEPS_HEADERS ?= string.h=libnewlib-arm-none-eabi /usr/include/jsmn.h=libjsmn-dev \
                    /usr/include/mbedtls/ssl.h=libmbedtls-dev
endif

# A cross board links its architecture's libraries (multiarch), which the build machine's
# headers do not vouch for: those of PORT_LIBS (static ones with STATIC=1), and cmocka's shared
# library for the unit tests.
DEPS_LIB_PACKAGES := inih=libinih-dev paho-mqtt3cs=libpaho-mqtt-dev paho-mqtt3c=libpaho-mqtt-dev \
                     mbedtls=libmbedtls-dev ssl=libssl-dev
DEPS_LIB_EXT := $(if $(filter 1,$(STATIC)),a,so)
ifneq ($(BOARD_ARCH),)
M2M_DEPS_LIBS ?= $(addsuffix :$(BOARD_ARCH),$(subst =,.$(DEPS_LIB_EXT)=,$(addprefix lib,$(filter \
                    $(patsubst -l%,%=%,$(filter -l%,$(PORT_LIBS))),$(DEPS_LIB_PACKAGES))))) \
                 $(if $(DEPS_TESTS),libcmocka.so=libcmocka-dev:$(BOARD_ARCH))
endif

DEPS_CC_PACKAGE := $(if $(BOARD_TRIPLET),gcc-$(BOARD_TRIPLET), \
                   $(if $(BOARD_CROSS_COMPILE),gcc-arm-none-eabi,build-essential))
DEPS_HINT := make deps$(if $(filter-out host,$(BOARD)), BOARD=$(BOARD))

ifneq ($(DEPS_GOALS),)
ifeq ($(DEPS_DRY_RUN),)
DEPS_MISSING := $(shell sh tools/deps-check.sh '$(CC)' '$(strip $(DEPS_CC_PACKAGE))' \
                   '$(CPPFLAGS) $(CFLAGS)' \
                   $(M2M_DEPS_HEADERS) $(M2M_DEPS_LIBS))
ifneq ($(DEPS_MISSING),)
$(error not installed: $(DEPS_MISSING); run $(DEPS_HINT) first)
endif
endif
endif

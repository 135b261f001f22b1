# SPDX-License-Identifier: Apache-2.0
# boards/linux-cross.mk - what the cross-compiled Linux boards share (included by
# linux-aarch64.mk and linux-armhf.mk, never a board of its own).
#
# The board names its Debian architecture (BOARD_ARCH), GNU triplet (BOARD_TRIPLET) and
# qemu-user emulator (BOARD_QEMU). The Makefile turns BOARD_CROSS_COMPILE into CC, AR and
# STRIP unless CROSS_COMPILE or CC come from the command line or the environment.
ifeq ($(BOARD_TRIPLET),)
$(error boards/linux-cross.mk is included by a board file; use BOARD=linux-aarch64 or linux-armhf)
endif

BOARD_PORT := posix
BOARD_CROSS_COMPILE := $(BOARD_TRIPLET)-

# The binaries run under qemu-user. The dynamic loader and libraries are the multiarch ones
# (libc6:$(BOARD_ARCH) and the -dev packages' libraries under /usr/lib/$(BOARD_TRIPLET)), which
# qemu finds at their usual paths; a static binary needs none.
BOARD_RUN_PREFIX := $(BOARD_QEMU)

# Sanitizers, libFuzzer and valgrind run on the host board only (tests/tests.mk, Makefile).
BOARD_CROSS := 1

# make deps: the cross compiler and qemu-user for the build machine, the libraries for the
# board's architecture (boards/multiarch-deps.sh aligns Multi-Arch: same versions).
BOARD_DEB_LIBS := libmbedtls-dev libpaho-mqtt-dev libinih-dev libcmocka-dev libssl-dev
BOARD_DEB_TOOLS := gcc-$(BOARD_TRIPLET) libc6-dev-$(BOARD_ARCH)-cross qemu-user

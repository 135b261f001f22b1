# SPDX-License-Identifier: Apache-2.0
# boards/linux-armhf.mk - Linux ARMv7 hard-float gateway: Raspberry Pi 2/3 with a 32-bit OS,
# BeagleBone, i.MX6. Cross-compiled with Debian's gcc-arm-linux-gnueabihf (ARMv7-A, Thumb-2,
# VFPv3-D16, as Debian's armhf port) against the armhf multiarch libraries; the tests run the
# binaries under qemu-arm. See docs/boards.md.
BOARD_ARCH := armhf
BOARD_TRIPLET := arm-linux-gnueabihf
BOARD_QEMU := qemu-arm
BOARD_CFLAGS := -O2 -g
# Default job table capacity on this board (jobs).
BOARD_CAPACITY := 10000
include boards/linux-cross.mk

# SPDX-License-Identifier: Apache-2.0
# boards/linux-aarch64.mk - Linux ARM64 gateway: Raspberry Pi 3/4/5 with a 64-bit OS, and other
# ARMv8-A gateways. Cross-compiled with Debian's gcc-aarch64-linux-gnu against the arm64
# multiarch libraries; the tests run the binaries under qemu-aarch64. See docs/boards.md.
BOARD_ARCH := arm64
BOARD_TRIPLET := aarch64-linux-gnu
BOARD_QEMU := qemu-aarch64
BOARD_CFLAGS := -O2 -g
# Default job table capacity on this board (jobs).
BOARD_CAPACITY := 10000
include boards/linux-cross.mk

# SPDX-License-Identifier: Apache-2.0
# boards/host.mk - Linux x86-64 gateway (the machine you build on).
CC ?= cc
BOARD_CFLAGS := -O2 -g
BOARD_PORT := posix
# Default job table capacity on this board (jobs).
BOARD_CAPACITY := 10000

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unit_main.h - what a suite's main() becomes in a unit-test image: its
 * source is compiled with -Dmain=unit_main and this header forced in
 * (unit.mk), and the image's own main() (main.c) calls it.
 */
#ifndef MPS2_UNIT_MAIN_H
#define MPS2_UNIT_MAIN_H

/* The suite: runs its tests, returns how many failed. */
int unit_main(void);

#endif /* MPS2_UNIT_MAIN_H */

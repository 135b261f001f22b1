/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stack.h - how deep the stack went: the reset handler fills the free stack
 * with a pattern, and the deepest word no longer holding it marks the peak.
 */
#ifndef MPS2_STACK_H
#define MPS2_STACK_H

#include <stddef.h>

/* Fills the stack region below the caller's frame with the pattern. Called
 * once, first thing after reset. */
void stack_paint(void);

/* Bytes of the stack region used so far (the high-water mark). */
size_t stack_peak_bytes(void);

/* The size of the stack region (STACK_SIZE in the linker script). */
size_t stack_size_bytes(void);

#endif /* MPS2_STACK_H */

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fault.h - the handler of every exception the board does not expect
 * (faults, NMI, SVC, PendSV): it prints what happened on the console and
 * ends the program through semihosting with status FAULT_EXIT_BASE plus the
 * exception number (103 for a HardFault), so a test sees a crash as a crash.
 */
#ifndef MPS2_FAULT_H
#define MPS2_FAULT_H

#define FAULT_EXIT_BASE 100

void fault_handler(void) __attribute__((naked));

#endif /* MPS2_FAULT_H */

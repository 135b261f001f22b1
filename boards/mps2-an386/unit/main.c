/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - main() of the unit-test images: the board as a test needs it,
 * then the suite's own main() (compiled as unit_main), whose count of failed
 * tests becomes the image's exit status through semihosting
 * (SYS_EXIT_EXTENDED), so that a failing suite fails the run.
 */
#include <stdio.h>

#include "tls_platform.h"
#include "uart.h"
#include "unit_main.h"

int main(void);

int main(void)
{
    int failed;
    /* A fault is reported on the UART (fault.c) and ends the image with
     * 100 + the exception number: the run counts the unfinished tests. */
    uart_init();
    /* mbedTLS allocates from the board's static pool, as in the firmware
     * image; the C library's heap is for cmocka and the tests. */
    tls_platform_init();
    failed = unit_main();
    fflush(stdout);
    fflush(stderr);
    /* An exit status is a byte: 256 failures must not read as success. */
    return failed <= 0 ? (failed == 0 ? 0 : 255) : (failed < 255 ? failed : 255);
}

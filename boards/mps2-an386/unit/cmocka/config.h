/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.h - cmocka's build configuration for the unit-test images of the
 * mps2-an386 board (arm-none-eabi-gcc, newlib-nano), in place of the one
 * cmocka's CMake would generate on a host: what newlib has, and nothing of
 * what a bare board lacks (clocks, threads, sigsetjmp).
 */
#ifndef MPS2_CMOCKA_CONFIG_H
#define MPS2_CMOCKA_CONFIG_H

#define HAVE_INTTYPES_H 1
#define HAVE_MALLOC_H 1
#define HAVE_SETJMP_H 1
#define HAVE_SIGNAL_H 1
#define HAVE_STDARG_H 1
#define HAVE_STDDEF_H 1
#define HAVE_STDINT_H 1
#define HAVE_STDIO_H 1
#define HAVE_STDLIB_H 1
#define HAVE_STRING_H 1

#define HAVE_CALLOC 1
#define HAVE_EXIT 1
#define HAVE_FPRINTF 1
#define HAVE_FREE 1
#define HAVE_LONGJMP 1
#define HAVE_MALLOC 1
#define HAVE_MEMCPY 1
#define HAVE_MEMSET 1
#define HAVE_PRINTF 1
#define HAVE_SETJMP 1
#define HAVE_SIGNAL 1
#define HAVE_SNPRINTF 1
#define HAVE_STRCMP 1
#define HAVE_STRCPY 1
#define HAVE_VSNPRINTF 1

/* No HAVE_CLOCK_GETTIME, HAVE_CLOCK_REALTIME or HAVE_STRUCT_TIMESPEC: no
 * test times itself. No HAVE_SIGLONGJMP: setjmp and longjmp. No thread-local
 * storage: one thread, and __thread would need a thread pointer. No
 * HAVE_STRSIGNAL: a fault is reported by the board (fault.c), not by a
 * signal. */

#define WORDS_SIZEOF_VOID_P 4

/* newlib's printf here knows no C99 size modifier (%zd): cmocka prints its
 * counts of size_t, an unsigned int on this ABI, with %d instead. */
#define PRIdS "d"

#endif /* MPS2_CMOCKA_CONFIG_H */

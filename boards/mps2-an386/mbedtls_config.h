/* SPDX-License-Identifier: Apache-2.0 */
/*
 * boards/mps2-an386/mbedtls_config.h - mbedTLS 2.28 for the mps2-an386
 * firmware image: boards/cortex-m4/mbedtls_config.h (TLS 1.2 client,
 * ECDHE-ECDSA and ECDHE-RSA on P-256, AES-128-GCM, SHA-256, X.509 with PEM,
 * SNI, max fragment length) plus what a board that must talk to any server
 * and has no heap needs.
 *
 * Build mbedTLS, the core and the board code with
 * -DMBEDTLS_CONFIG_FILE='"mbedtls_config.h"' and this directory first on
 * the include path: the layout of mbedTLS's structures depends on it.
 */
#ifndef M2M_MPS2_MBEDTLS_CONFIG_H
#define M2M_MPS2_MBEDTLS_CONFIG_H

#include <stddef.h>
#include <time.h>

/* ---- Memory: a static pool, never newlib's malloc ---------------------- */
/* mbedTLS allocates from tls_platform.c's array (mbedtls_memory_buffer_
 * alloc_init): a handshake makes some 29,000 small allocations, which a
 * first-fit pool in one array takes without a heap. */
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
/* 8, not 4: a session holds 64-bit time_t fields. */
#define MBEDTLS_MEMORY_ALIGN_MULTIPLE 8
/* What mbedtls_calloc() and mbedtls_free() call until the pool is set up:
 * allocations fail (tls_platform.c) rather than reaching for calloc(), so
 * that neither newlib's malloc nor an _sbrk is linked at all. */
void *mps2_tls_calloc_unset(size_t n, size_t size);
void mps2_tls_free_unset(void *p);
#define MBEDTLS_PLATFORM_STD_CALLOC mps2_tls_calloc_unset
#define MBEDTLS_PLATFORM_STD_FREE mps2_tls_free_unset
/* The pool's own check stops the program on a corrupt heap: C99's _Exit,
 * straight to the board's _exit (syscalls.c), rather than exit() with its
 * atexit machinery and reentrancy structure. */
#define MBEDTLS_PLATFORM_EXIT_MACRO _Exit

/* ---- Time ---------------------------------------------------------------- */
/* Certificate validity and session ticket lifetimes read the board's UTC
 * clock (clock.h) instead of newlib's time(), which would need a
 * _gettimeofday. mbedtls_platform_set_time() may still replace it. */
time_t mps2_tls_time(time_t *now);
#define MBEDTLS_PLATFORM_STD_TIME mps2_tls_time

/* ---- TLS ------------------------------------------------------------------- */
/* Session tickets (RFC 5077): a reconnect resumes instead of redoing the
 * ECDHE and certificate work (client side only; no MBEDTLS_SSL_TICKET_C). */
#define MBEDTLS_SSL_SESSION_TICKETS
/* A server that ignores max_fragment_length sends records of up to 16 KB:
 * the input buffer takes them (this is the board's largest RAM item). */
#define MBEDTLS_SSL_IN_CONTENT_LEN 16384
/* Our requests and MQTT packets are small; 4 KB records out. */
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096

/* Everything else: the reference microcontroller configuration, which ends
 * with check_config.h. */
#include "../cortex-m4/mbedtls_config.h"

#endif /* M2M_MPS2_MBEDTLS_CONFIG_H */

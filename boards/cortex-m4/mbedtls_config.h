/* SPDX-License-Identifier: Apache-2.0 */
/*
 * boards/cortex-m4/mbedtls_config.h - a reference mbedTLS 2.28 configuration
 * for a small-RAM microcontroller running the modelarts2mqtt core.
 *
 * Use it with -DMBEDTLS_CONFIG_FILE='"mbedtls_config.h"' and this directory
 * on the include path, for mbedTLS itself and for the core alike (the layout
 * of mbedTLS's structures depends on the configuration).
 *
 * What it keeps: a TLS 1.2 client only; ECDHE-ECDSA and ECDHE-RSA key
 * exchange on P-256; AES-128-GCM; SHA-256 (also HMAC-SHA-256 for AK/SK
 * request signing); X.509 certificate verification with RSA (PKCS#1 v1.5
 * and PSS) and ECDSA signatures, CA chains given as PEM or DER; SNI; the
 * max_fragment_length extension. Everything else is off: no server side, no
 * TLS 1.0/1.1/1.3, no CBC, no session tickets, no renegotiation, no
 * filesystem, no sockets, no threads.
 *
 * What the port provides (docs/porting.md):
 * - mbedtls_hardware_poll() (MBEDTLS_ENTROPY_HARDWARE_ALT): the MCU's TRNG;
 * - the UTC clock for certificate validity: mbedtls_platform_set_time() with
 *   a function over m2m_time_utc_ms() (MBEDTLS_PLATFORM_TIME_ALT) and
 *   mbedtls_platform_gmtime_r() (MBEDTLS_PLATFORM_GMTIME_R_ALT);
 * - memory for the handshake: mbedTLS allocates with calloc/free (or the
 *   port's allocator through MBEDTLS_PLATFORM_MEMORY and
 *   mbedtls_platform_set_calloc_free(), for example over a static
 *   mbedtls_memory_buffer_alloc_init() arena).
 *
 * RAM: the two record buffers hold MBEDTLS_SSL_IN_CONTENT_LEN and
 * MBEDTLS_SSL_OUT_CONTENT_LEN plus about 90 bytes of record overhead each
 * (GCM: 29 bytes of header, IV and tag, plus MBEDTLS_SSL_CID and padding
 * allowances); the handshake peaks at about 6 to 10 KB of heap more with a
 * 2-certificate RSA-2048 chain and P-256 ECDHE (the parsed chain, the
 * ECDHE and MPI work), released after the handshake except the peer
 * certificate, which MBEDTLS_SSL_KEEP_PEER_CERTIFICATE being off drops.
 *
 * Record size: a server that ignores max_fragment_length may still send
 * 16384-byte records, which a 4096-byte input buffer cannot take (the
 * handshake fails with MBEDTLS_ERR_SSL_INVALID_RECORD). Check the endpoint
 * with `openssl s_client -connect HOST:443 -maxfraglen 4096`: when the
 * reply lacks "Max Fragment Length", build with
 * -DMBEDTLS_SSL_IN_CONTENT_LEN=16384.
 */
#ifndef M2M_MBEDTLS_CONFIG_H
#define M2M_MBEDTLS_CONFIG_H

/* ---- System support ---------------------------------------------------- */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_TIME_ALT
#define MBEDTLS_PLATFORM_GMTIME_R_ALT
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_ENTROPY_HARDWARE_ALT
/* Smaller and slower code paths, which an MCU usually prefers. */
#define MBEDTLS_AES_ROM_TABLES
#define MBEDTLS_AES_FEWER_TABLES
#define MBEDTLS_SHA256_SMALLER

/* ---- Random numbers -------------------------------------------------- */
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_CTR_DRBG_C

/* ---- Symmetric crypto and hashes ---------------------------------------- */
#define MBEDTLS_AES_C
#define MBEDTLS_GCM_C
#define MBEDTLS_CIPHER_C
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C

/* ---- Public key --------------------------------------------------------- */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_OID_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C /* ECDSA signature encoding */
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C

/* ---- Certificates ------------------------------------------------------- */
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_BASE64_C

/* ---- TLS ---------------------------------------------------------------- */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_MAX_FRAGMENT_LENGTH
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
/* MBEDTLS_SSL_KEEP_PEER_CERTIFICATE stays off: no copy of the peer
 * certificate is kept after the handshake. */

/* Only the suites this configuration can run, strongest first. */
#define MBEDTLS_SSL_CIPHERSUITES                                                                   \
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256

/* ---- Sizes (each may be overridden with -D) ------------------------------ */
#ifndef MBEDTLS_SSL_IN_CONTENT_LEN
#define MBEDTLS_SSL_IN_CONTENT_LEN 4096
#endif
#ifndef MBEDTLS_SSL_OUT_CONTENT_LEN
#define MBEDTLS_SSL_OUT_CONTENT_LEN 4096
#endif
/* RSA keys up to 4096 bits (root CAs), in bytes. */
#ifndef MBEDTLS_MPI_MAX_SIZE
#define MBEDTLS_MPI_MAX_SIZE 512
#endif
#ifndef MBEDTLS_MPI_WINDOW_SIZE
#define MBEDTLS_MPI_WINDOW_SIZE 2
#endif
#ifndef MBEDTLS_ECP_MAX_BITS
#define MBEDTLS_ECP_MAX_BITS 256
#endif
#ifndef MBEDTLS_ECP_WINDOW_SIZE
#define MBEDTLS_ECP_WINDOW_SIZE 2
#endif
#ifndef MBEDTLS_ECP_FIXED_POINT_OPTIM
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
#endif
#ifndef MBEDTLS_ENTROPY_MAX_SOURCES
#define MBEDTLS_ENTROPY_MAX_SOURCES 2
#endif

#include "mbedtls/check_config.h"

#endif /* M2M_MBEDTLS_CONFIG_H */

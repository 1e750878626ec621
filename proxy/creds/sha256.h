/* sha256.h: SHA-256 (FIPS 180-4), needed for one thing: a credential's machineId, which Kiro
 * clients derive as the hex SHA-256 of the refresh token when the file does not give one.
 * Hand-rolled because no chosen library (cJSON, libcurl, libmicrohttpd) exposes a hash. */
#ifndef KIRO_CREDS_SHA256_H
#define KIRO_CREDS_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_BLOCK_SIZE 64
/* 64 hex digits and a NUL. */
#define SHA256_HEX_SIZE 65

typedef struct sha256_ctx {
    uint32_t state[8];
    uint64_t total_bytes;                   /* message length so far */
    unsigned char block[SHA256_BLOCK_SIZE]; /* pending partial block */
    size_t block_len;
} sha256_ctx;

void sha256_init(sha256_ctx *ctx);
void sha256_update(sha256_ctx *ctx, const void *data, size_t len);
/* Writes the digest; the context must be initialised again before reuse. */
void sha256_final(sha256_ctx *ctx, unsigned char digest[SHA256_DIGEST_SIZE]);

/* One-shot: lowercase hex digest of data into out (SHA256_HEX_SIZE bytes). */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_SIZE]);

#endif

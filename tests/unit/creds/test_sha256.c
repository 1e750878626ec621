/* test_sha256.c: SHA-256 against the FIPS 180-4 / NIST example vectors, including inputs fed
 * in pieces that straddle block boundaries and the padding edge (55/56/64 bytes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "creds/sha256.h"

static void hex_of(const char *text, char out[SHA256_HEX_SIZE])
{
    sha256_hex(text, strlen(text), out);
}

static void test_abc(void **state)
{
    (void)state;
    char hex[SHA256_HEX_SIZE];
    hex_of("abc", hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_empty(void **state)
{
    (void)state;
    char hex[SHA256_HEX_SIZE];
    hex_of("", hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_448_bits(void **state)
{
    (void)state;
    char hex[SHA256_HEX_SIZE];
    hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_896_bits(void **state)
{
    (void)state;
    char hex[SHA256_HEX_SIZE];
    hex_of("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnop"
           "qrlmnopqrsmnopqrstnopqrstu",
           hex);
    assert_string_equal(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

/* One million 'a' fed in 997-byte pieces: exercises partial-block buffering. */
static void test_million_a_in_pieces(void **state)
{
    (void)state;
    static char piece[997];
    memset(piece, 'a', sizeof piece);
    sha256_ctx ctx;
    sha256_init(&ctx);
    size_t left = 1000000;
    while (left > 0) {
        size_t n = left < sizeof piece ? left : sizeof piece;
        sha256_update(&ctx, piece, n);
        left -= n;
    }
    unsigned char digest[SHA256_DIGEST_SIZE];
    sha256_final(&ctx, digest);
    static const unsigned char expected[SHA256_DIGEST_SIZE] = {
        0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7,
        0xe2, 0x84, 0xd7, 0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97,
        0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0};
    assert_memory_equal(digest, expected, sizeof expected);
}

/* Lengths around the padding edge hashed whole and byte by byte must agree. */
static void test_split_matches_whole(void **state)
{
    (void)state;
    char data[130];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)('A' + i % 26);
    const size_t lengths[] = {0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 130};
    for (size_t k = 0; k < sizeof lengths / sizeof lengths[0]; k++) {
        size_t len = lengths[k];
        unsigned char whole[SHA256_DIGEST_SIZE], split[SHA256_DIGEST_SIZE];
        sha256_ctx ctx;
        sha256_init(&ctx);
        sha256_update(&ctx, data, len);
        sha256_final(&ctx, whole);
        sha256_init(&ctx);
        for (size_t i = 0; i < len; i++)
            sha256_update(&ctx, data + i, 1);
        sha256_final(&ctx, split);
        assert_memory_equal(whole, split, sizeof whole);
    }
    /* And 56 bytes (two-block padding) against a known value. */
    char hex[SHA256_HEX_SIZE];
    sha256_hex("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 56, hex);
    assert_string_equal(hex, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_abc),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_448_bits),
        cmocka_unit_test(test_896_bits),
        cmocka_unit_test(test_million_a_in_pieces),
        cmocka_unit_test(test_split_matches_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* random.c: per-thread xoshiro256** generator seeded from /dev/urandom; see random.h.
 * Identifiers need uniqueness, not secrecy; secrets are never generated here. */
#include "util/random.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static _Thread_local uint64_t state[4];
static _Thread_local int seeded;

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void seed(void)
{
    uint64_t s = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &s, sizeof s) != (ssize_t)sizeof s)
            s = 0;
        close(fd);
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    s ^= (uint64_t)ts.tv_nsec * 0x2545F4914F6CDD1DULL ^ (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&s;
    for (int i = 0; i < 4; i++)
        state[i] = splitmix(&s);
    seeded = 1;
}

uint64_t random_u64(void)
{
    if (!seeded)
        seed();
    const uint64_t result = rotl(state[1] * 5, 7) * 9;
    const uint64_t t = state[1] << 17;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= t;
    state[3] = rotl(state[3], 45);
    return result;
}

uint64_t random_below(uint64_t bound)
{
    if (bound == 0)
        return 0;
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t r;
    do {
        r = random_u64();
    } while (r >= limit);
    return r % bound;
}

void random_uuid(char out[UUID_STR_SIZE])
{
    unsigned char b[16];
    uint64_t a = random_u64(), c = random_u64();
    memcpy(b, &a, 8);
    memcpy(b + 8, &c, 8);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, UUID_STR_SIZE,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

/* Every request gets an id, so this is on the request path: six random bits per character,
 * the two values past the alphabet (62, 63) thrown away so that each character stays uniform,
 * ten characters per random_u64() and no division (random_below() took two per character). */
void random_id(const char *prefix, char *out, size_t out_size)
{
    static const char alphabet[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    if (out_size == 0)
        return;
    size_t n = strlen(prefix);
    if (n > out_size - 1)
        n = out_size - 1;
    memcpy(out, prefix, n);
    uint64_t bits = 0;
    int left = 0;
    for (int i = 0; i < 24 && n + 1 < out_size;) {
        if (left < 6) {
            bits = random_u64();
            left = 60; /* ten 6-bit pieces of the 64 */
        }
        unsigned v = (unsigned)(bits & 63);
        bits >>= 6;
        left -= 6;
        if (v < sizeof alphabet - 1) {
            out[n++] = alphabet[v];
            i++;
        }
    }
    out[n] = '\0';
}

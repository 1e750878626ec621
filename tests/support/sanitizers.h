/* sanitizers.h: tells a test whether this build runs under AddressSanitizer or ThreadSanitizer.
 * Resident-memory bounds are meaningless there (shadow memory, quarantine of freed blocks), so
 * tests that assert on RSS skip those assertions in sanitizer builds and say so. */
#ifndef KIRO_TEST_SANITIZERS_H
#define KIRO_TEST_SANITIZERS_H

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define KIRO_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define KIRO_UNDER_SANITIZER 1
#endif
#endif
#ifndef KIRO_UNDER_SANITIZER
#define KIRO_UNDER_SANITIZER 0
#endif

#endif

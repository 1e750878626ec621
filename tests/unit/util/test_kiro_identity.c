/* test_kiro_identity.c: the user agents of Kiro calls (util/kiro_identity.h), table-driven:
 * the machine id and every configured version land where the Kiro IDE puts them, in both
 * headers of an API call; empty versions fall back to the current defaults; a missing machine
 * id or a version too long for a line gives -1 and no half-built header; the social refresh
 * carries KiroIDE-{kiro}-{machineId} and the IdC refresh the AWS SDK's fixed agent and "node". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/kiro_identity.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* 600 characters: more than any line can hold. */
#define LONG_VERSION                                                                               \
    "1.1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"   \
    "1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"  \
    "1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"  \
    "1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"  \
    "1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"  \
    "1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"  \
    "111111111111111111111111111111111111111111111111111111111111111"

typedef struct api_case {
    const char *name;
    int versions_given; /* 0: NULL is passed for the versions */
    kiro_client_versions versions;
    const char *machine_id;
    int rc;
    const char *amz;   /* expected line ("" when rc is -1) */
    const char *agent; /* expected line */
} api_case;

static const api_case api_cases[] = {
    {"current IDE",
     1,
     {"1.0.27", "1.6.0", "linux#6.1.0", "22.21.1"},
     "machine-a1",
     0,
     "x-amz-user-agent: aws-sdk-js/1.0.27 KiroIDE-1.6.0-machine-a1",
     "User-Agent: aws-sdk-js/1.0.27 ua/2.1 os/linux#6.1.0 lang/js md/nodejs#22.21.1 "
     "api/codewhispererstreaming#1.0.27 m/E KiroIDE-1.6.0-machine-a1"},
    {"newer peer, derived machine id",
     1,
     {"1.0.34", "0.11.107", "darwin#24.6.0", "20.1.0"},
     HEX64,
     0,
     "x-amz-user-agent: aws-sdk-js/1.0.34 KiroIDE-0.11.107-" HEX64,
     "User-Agent: aws-sdk-js/1.0.34 ua/2.1 os/darwin#24.6.0 lang/js md/nodejs#20.1.0 "
     "api/codewhispererstreaming#1.0.34 m/E KiroIDE-0.11.107-" HEX64},
    {"empty versions take the defaults",
     1,
     {"", "", "", ""},
     "m",
     0,
     "x-amz-user-agent: aws-sdk-js/1.0.27 KiroIDE-1.6.0-m",
     "User-Agent: aws-sdk-js/1.0.27 ua/2.1 os/other lang/js md/nodejs#22.21.1 "
     "api/codewhispererstreaming#1.0.27 m/E KiroIDE-1.6.0-m"},
    {"no versions at all",
     0,
     {NULL, NULL, NULL, NULL},
     "m-2",
     0,
     "x-amz-user-agent: aws-sdk-js/1.0.27 KiroIDE-1.6.0-m-2",
     "User-Agent: aws-sdk-js/1.0.27 ua/2.1 os/other lang/js md/nodejs#22.21.1 "
     "api/codewhispererstreaming#1.0.27 m/E KiroIDE-1.6.0-m-2"},
    {"empty machine id", 1, {"1.0.27", "1.6.0", "linux#6", "22"}, "", -1, "", ""},
    {"no machine id", 1, {"1.0.27", "1.6.0", "linux#6", "22"}, NULL, -1, "", ""},
    {"a version too long for a line", 1, {LONG_VERSION, "1.6.0", "linux#6", "22"}, "m", -1, "", ""},
};

static void fill_garbage(kiro_identity_lines *out)
{
    memset(out, 'x', sizeof *out);
    out->amz_user_agent[sizeof out->amz_user_agent - 1] = '\0';
    out->user_agent[sizeof out->user_agent - 1] = '\0';
}

static void api_identity_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof api_cases / sizeof api_cases[0]; i++) {
        const api_case *t = &api_cases[i];
        kiro_identity_lines out;
        fill_garbage(&out); /* a failure must not leave anything behind */
        int rc = kiro_identity_api(t->versions_given ? &t->versions : NULL, t->machine_id, &out);
        if (rc != t->rc || strcmp(out.amz_user_agent, t->amz) != 0 ||
            strcmp(out.user_agent, t->agent) != 0)
            fail_msg("%s: rc %d\n  amz   '%s'\n  agent '%s'", t->name, rc, out.amz_user_agent,
                     out.user_agent);
    }
}

/* Both headers end in the same KiroIDE-{kiro}-{machineId}: the service matches them. */
static void api_headers_name_the_same_client(void **state)
{
    (void)state;
    kiro_client_versions v = {"1.0.27", "1.6.0", "linux#6.1.0", "22.21.1"};
    kiro_identity_lines out;
    assert_int_equal(kiro_identity_api(&v, HEX64, &out), 0);
    const char *suffix = " KiroIDE-1.6.0-" HEX64;
    size_t n = strlen(suffix);
    assert_true(strlen(out.amz_user_agent) > n && strlen(out.user_agent) > n);
    assert_string_equal(out.amz_user_agent + strlen(out.amz_user_agent) - n, suffix);
    assert_string_equal(out.user_agent + strlen(out.user_agent) - n, suffix);
}

typedef struct refresh_case {
    const char *name;
    const char *kiro;
    const char *machine_id;
    int rc;
    const char *agent;
} refresh_case;

static const refresh_case social_cases[] = {
    {"configured version", "1.6.0", HEX64, 0, "User-Agent: KiroIDE-1.6.0-" HEX64},
    {"another version", "0.11.107", "machine-b", 0, "User-Agent: KiroIDE-0.11.107-machine-b"},
    {"default version", "", "m", 0, "User-Agent: KiroIDE-1.6.0-m"},
    {"no machine id", "1.6.0", "", -1, ""},
    {"a version too long for a line", LONG_VERSION, "m", -1, ""},
};

static void social_refresh_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof social_cases / sizeof social_cases[0]; i++) {
        const refresh_case *t = &social_cases[i];
        kiro_client_versions v = {.kiro = t->kiro};
        kiro_identity_lines out;
        fill_garbage(&out);
        int rc = kiro_identity_social_refresh(&v, t->machine_id, &out);
        if (rc != t->rc || strcmp(out.user_agent, t->agent) != 0 || out.amz_user_agent[0])
            fail_msg("%s: rc %d, agent '%s', amz '%s'", t->name, rc, out.user_agent,
                     out.amz_user_agent);
    }
}

static void idc_refresh_is_the_sso_oidc_client(void **state)
{
    (void)state;
    kiro_identity_lines out;
    fill_garbage(&out);
    kiro_identity_idc_refresh(&out);
    assert_string_equal(out.amz_user_agent,
                        "x-amz-user-agent: aws-sdk-js/3.738.0 ua/2.1 os/other lang/js "
                        "md/browser#unknown_unknown api/sso-oidc#3.738.0 m/E KiroIDE");
    assert_string_equal(out.user_agent, "User-Agent: node");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(api_identity_cases),
        cmocka_unit_test(api_headers_name_the_same_client),
        cmocka_unit_test(social_refresh_cases),
        cmocka_unit_test(idc_refresh_is_the_sso_oidc_client),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

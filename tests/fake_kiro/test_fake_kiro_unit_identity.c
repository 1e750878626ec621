/* test_fake_kiro_unit_identity.c: fake-kiro's client identity rules (identity.h), table-driven:
 * what the Kiro IDE sends passes for each kind of endpoint, and each way of getting it wrong
 * (missing header, no machine id, no version, another client's agent, the two headers naming
 * different clients, an API agent on a refresh, a machine id too long) is refused with a
 * reason. Then the proxy's own builder (util/kiro_identity.h) against these rules: whatever it
 * builds passes, so the proxy and its test upstream agree on one shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "identity.h"
#include "util/kiro_identity.h"

#define MID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define API_AMZ "aws-sdk-js/1.0.27 KiroIDE-1.6.0-" MID
#define API_AGENT                                                                                  \
    "aws-sdk-js/1.0.27 ua/2.1 os/linux#6.1.0 lang/js md/nodejs#22.21.1 "                           \
    "api/codewhispererstreaming#1.0.27 m/E KiroIDE-1.6.0-" MID
#define IDC_AMZ                                                                                    \
    "aws-sdk-js/3.738.0 ua/2.1 os/other lang/js md/browser#unknown_unknown api/sso-oidc#3.738.0 "  \
    "m/E KiroIDE"

typedef struct identity_case {
    const char *name;
    fk_identity_kind kind;
    const char *amz;
    const char *agent;
    const char *problem; /* NULL: accepted; else a word the reason must contain */
} identity_case;

static const identity_case cases[] = {
    /* Kiro API calls */
    {"the IDE", FK_IDENTITY_KIRO_API, API_AMZ, API_AGENT, NULL},
    {"a newer IDE with a uuid machine id", FK_IDENTITY_KIRO_API,
     "aws-sdk-js/1.0.34 KiroIDE-0.11.107-1b4e28ba-2fa1-11d2-883f-0016d3cca427",
     "aws-sdk-js/1.0.34 ua/2.1 os/darwin#24.6.0 lang/js md/nodejs#20.1.0 "
     "api/codewhispererstreaming#1.0.34 m/E KiroIDE-0.11.107-1b4e28ba-2fa1-11d2-883f-0016d3cca427",
     NULL},
    {"no headers", FK_IDENTITY_KIRO_API, NULL, NULL, "x-amz-user-agent"},
    {"no user-agent", FK_IDENTITY_KIRO_API, API_AMZ, NULL, "user-agent"},
    {"curl's agent", FK_IDENTITY_KIRO_API, API_AMZ, "curl/7.88.1", "user-agent"},
    {"no machine id", FK_IDENTITY_KIRO_API, "aws-sdk-js/1.0.27 KiroIDE-1.6.0-", API_AGENT,
     "x-amz-user-agent"},
    {"no version", FK_IDENTITY_KIRO_API, "aws-sdk-js/1.0.27 KiroIDE--" MID, API_AGENT,
     "x-amz-user-agent"},
    {"KiroIDE alone", FK_IDENTITY_KIRO_API, "aws-sdk-js/1.0.27 KiroIDE", API_AGENT,
     "x-amz-user-agent"},
    {"another product", FK_IDENTITY_KIRO_API, "aws-sdk-js/1.0.27 OtherIDE-1.6.0-" MID, API_AGENT,
     "x-amz-user-agent"},
    {"no sdk version", FK_IDENTITY_KIRO_API, "aws-sdk-js/ KiroIDE-1.6.0-" MID, API_AGENT,
     "x-amz-user-agent"},
    {"a machine id of 65 characters", FK_IDENTITY_KIRO_API,
     "aws-sdk-js/1.0.27 KiroIDE-1.6.0-" MID "0", API_AGENT, "x-amz-user-agent"},
    {"a space in the machine id", FK_IDENTITY_KIRO_API, "aws-sdk-js/1.0.27 KiroIDE-1.6.0-a b",
     API_AGENT, "x-amz-user-agent"},
    {"user-agent without the streaming api", FK_IDENTITY_KIRO_API, API_AMZ,
     "aws-sdk-js/1.0.27 ua/2.1 os/linux#6.1.0 lang/js md/nodejs#22.21.1 m/E KiroIDE-1.6.0-" MID,
     "user-agent"},
    {"two different machines", FK_IDENTITY_KIRO_API, "aws-sdk-js/1.0.27 KiroIDE-1.6.0-other",
     API_AGENT, "different"},
    {"two different versions", FK_IDENTITY_KIRO_API, "aws-sdk-js/1.0.27 KiroIDE-1.5.0-" MID,
     API_AGENT, "different"},
    {"the refresh agent on an API call", FK_IDENTITY_KIRO_API, NULL, "KiroIDE-1.6.0-" MID,
     "x-amz-user-agent"},
    /* social refresh */
    {"social: the IDE", FK_IDENTITY_SOCIAL_REFRESH, NULL, "KiroIDE-1.6.0-" MID, NULL},
    {"social: no user-agent", FK_IDENTITY_SOCIAL_REFRESH, NULL, NULL, "user-agent"},
    {"social: libcurl's agent", FK_IDENTITY_SOCIAL_REFRESH, NULL, "kiro-proxy/1.0.0", "user-agent"},
    {"social: the API agent", FK_IDENTITY_SOCIAL_REFRESH, API_AMZ, API_AGENT, "user-agent"},
    {"social: no machine id", FK_IDENTITY_SOCIAL_REFRESH, NULL, "KiroIDE-1.6.0", "user-agent"},
    /* IdC refresh */
    {"idc: the sso-oidc client", FK_IDENTITY_IDC_REFRESH, IDC_AMZ, "node", NULL},
    {"idc: no x-amz-user-agent", FK_IDENTITY_IDC_REFRESH, NULL, "node", "x-amz-user-agent"},
    {"idc: not for KiroIDE", FK_IDENTITY_IDC_REFRESH,
     "aws-sdk-js/3.738.0 ua/2.1 os/other lang/js md/browser#unknown_unknown "
     "api/sso-oidc#3.738.0 m/E",
     "node", "x-amz-user-agent"},
    {"idc: another api", FK_IDENTITY_IDC_REFRESH,
     "aws-sdk-js/3.738.0 ua/2.1 os/other lang/js md/browser#unknown_unknown api/sso#3.738.0 m/E "
     "KiroIDE",
     "node", "x-amz-user-agent"},
    {"idc: the social agent", FK_IDENTITY_IDC_REFRESH, IDC_AMZ, "KiroIDE-1.6.0-" MID, "node"},
    {"idc: no user-agent", FK_IDENTITY_IDC_REFRESH, IDC_AMZ, NULL, "user-agent"},
    /* endpoints that ask for nothing */
    {"introspection", FK_IDENTITY_NONE, NULL, NULL, NULL},
};

static void rules_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const identity_case *t = &cases[i];
        const char *problem = fk_identity_problem(t->kind, t->amz, t->agent);
        if (!t->problem && problem)
            fail_msg("%s: refused (%s)", t->name, problem);
        if (t->problem && (!problem || !strstr(problem, t->problem)))
            fail_msg("%s: %s%s, expected a reason naming '%s'", t->name,
                     problem ? "refused with " : "accepted", problem ? problem : "", t->problem);
    }
}

static void endpoint_kinds(void **state)
{
    (void)state;
    assert_int_equal(fk_identity_kind_of(FK_EP_ASSISTANT), FK_IDENTITY_KIRO_API);
    assert_int_equal(fk_identity_kind_of(FK_EP_MODELS), FK_IDENTITY_KIRO_API);
    assert_int_equal(fk_identity_kind_of(FK_EP_MCP), FK_IDENTITY_KIRO_API);
    assert_int_equal(fk_identity_kind_of(FK_EP_REFRESH), FK_IDENTITY_SOCIAL_REFRESH);
    assert_int_equal(fk_identity_kind_of(FK_EP_TOKEN), FK_IDENTITY_IDC_REFRESH);
    assert_int_equal(fk_identity_kind_of(FK_EP_FAKE_STATS), FK_IDENTITY_NONE);
    assert_int_equal(fk_identity_kind_of(FK_EP_FAKE_IDENTITY), FK_IDENTITY_NONE);
    assert_int_equal(fk_identity_kind_of(FK_EP_NOT_FOUND), FK_IDENTITY_NONE);
}

/* The value of a "Name: value" line built by the proxy ("" stays ""; NULL for an empty line:
 * the header is not sent). */
static const char *value_of(const char *line)
{
    const char *colon = strchr(line, ':');
    return colon ? colon + 2 : NULL;
}

static void the_proxy_builder_passes(void **state)
{
    (void)state;
    static const kiro_client_versions versions[] = {
        {"1.0.27", "1.6.0", "linux#6.1.0", "22.21.1"},
        {"1.0.34", "0.11.107", "darwin#24.6.0", "20.1.0"},
        {"", "", "", ""},
    };
    static const char *const machines[] = {MID, "m", "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
                                           "a.b_c"};
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        for (size_t j = 0; j < sizeof machines / sizeof machines[0]; j++) {
            kiro_identity_lines api, social;
            assert_int_equal(kiro_identity_api(&versions[i], machines[j], &api), 0);
            assert_int_equal(kiro_identity_social_refresh(&versions[i], machines[j], &social), 0);
            const char *problem = fk_identity_problem(
                FK_IDENTITY_KIRO_API, value_of(api.amz_user_agent), value_of(api.user_agent));
            if (problem)
                fail_msg("API identity %s / %s refused: %s", api.amz_user_agent, api.user_agent,
                         problem);
            problem =
                fk_identity_problem(FK_IDENTITY_SOCIAL_REFRESH, NULL, value_of(social.user_agent));
            if (problem)
                fail_msg("social identity %s refused: %s", social.user_agent, problem);
        }
    }
    kiro_identity_lines idc;
    kiro_identity_idc_refresh(&idc);
    assert_null(fk_identity_problem(FK_IDENTITY_IDC_REFRESH, value_of(idc.amz_user_agent),
                                    value_of(idc.user_agent)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rules_table),
        cmocka_unit_test(endpoint_kinds),
        cmocka_unit_test(the_proxy_builder_passes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

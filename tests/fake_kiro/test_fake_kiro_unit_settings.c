/* test_fake_kiro_unit_settings.c: fake-kiro's settings table, command line, live configuration
 * (fail-count and reset) and routing table, without a server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util/listen_addr.h"
#include "options.h"
#include "router.h"
#include "settings.h"

/* ---- settings and options ---- */

static void test_settings_text_bounds_and_names(void **state)
{
    (void)state;
    fk_values v;
    fk_values_init(&v);
    char err[256];
    assert_non_null(fk_setting_find("slow-ms"));
    assert_ptr_equal(fk_setting_find("slow-ms"), fk_setting_find("slow_ms"));
    assert_null(fk_setting_find("no-such-thing"));
    assert_int_equal(fk_setting_apply_text(&v, fk_setting_find("slow-ms"), "50", err, sizeof err),
                     0);
    assert_int_equal(v.slow_ms, 50);
    assert_int_equal(fk_setting_apply_text(&v, fk_setting_find("slow-ms"), "5x", err, sizeof err),
                     -1);
    assert_int_equal(fk_setting_apply_text(&v, fk_setting_find("status"), "200", err, sizeof err),
                     -1);
    assert_int_equal(fk_setting_apply_text(&v, fk_setting_find("status"), "429", err, sizeof err),
                     0);
    assert_int_equal(
        fk_setting_apply_text(&v, fk_setting_find("frame-bytes"), "0", err, sizeof err), -1);
    assert_int_equal(fk_setting_apply_text(&v, fk_setting_find("exception"), "Bad Type\r\n", err,
                                           sizeof err),
                     -1);
    assert_int_equal(fk_setting_apply_text(&v, fk_setting_find("reject-token"), "a", err,
                                           sizeof err),
                     0);
    assert_int_equal(fk_setting_apply_text(&v, fk_setting_find("reject-token"), "b", err,
                                           sizeof err),
                     0);
    assert_int_equal(v.reject_token.count, 2);
    assert_true(fk_strlist_contains(&v.reject_token, "b"));
    fk_values_free(&v);
}

static void test_settings_json_is_all_or_nothing(void **state)
{
    (void)state;
    fk_values v;
    fk_values_init(&v);
    char err[256];
    cJSON *good = cJSON_Parse("{\"hang\":true,\"fail_count\":2,\"status\":429,"
                              "\"exception\":\"ThrottlingException\",\"reject_token\":[\"x\"]}");
    assert_int_equal(fk_values_apply_json(&v, good, err, sizeof err), 0);
    assert_true(v.hang);
    assert_int_equal(v.fail_count, 2);
    assert_string_equal(v.exception, "ThrottlingException");
    cJSON *bad = cJSON_Parse("{\"hang\":false,\"slow_ms\":\"fast\"}");
    assert_int_equal(fk_values_apply_json(&v, bad, err, sizeof err), -1);
    assert_non_null(strstr(err, "slow_ms"));
    assert_true(v.hang); /* unchanged */
    cJSON *unknown = cJSON_Parse("{\"hange\":true}");
    assert_int_equal(fk_values_apply_json(&v, unknown, err, sizeof err), -1);
    assert_non_null(strstr(err, "hange"));

    cJSON *round = fk_values_to_json(&v);
    fk_values copy;
    fk_values_init(&copy);
    assert_int_equal(fk_values_apply_json(&copy, round, err, sizeof err), 0);
    assert_int_equal(copy.status, 429);
    assert_int_equal(copy.reject_token.count, 1);
    fk_values_clear_faults(&copy);
    assert_false(fk_values_has_assistant_fault(&copy));
    assert_int_equal(copy.reject_token.count, 1); /* behaviour survives */

    cJSON_Delete(round);
    cJSON_Delete(good);
    cJSON_Delete(bad);
    cJSON_Delete(unknown);
    fk_values_free(&copy);
    fk_values_free(&v);
}

static void test_options_parse(void **state)
{
    (void)state;
    fk_options o;
    char err[256];
    char *argv[] = {"fake-kiro", "--listen", "[::1]:8080", "--slow-ms=20", "--hang", "-v",
                    "--extra-model", "m1", "--port-file", "/tmp/p", NULL};
    assert_int_equal(fk_options_parse(&o, 10, argv, err, sizeof err), 0);
    assert_string_equal(o.host, "::1");
    assert_int_equal(o.port, 8080);
    assert_int_equal(o.values.slow_ms, 20);
    assert_true(o.values.hang);
    assert_true(o.verbose);
    assert_string_equal(o.port_file, "/tmp/p");
    assert_int_equal(o.values.extra_model.count, 1);
    fk_options_free(&o);

    char *bad1[] = {"fake-kiro", "--slow-ms", NULL};
    assert_int_equal(fk_options_parse(&o, 2, bad1, err, sizeof err), -1);
    char *bad2[] = {"fake-kiro", "--bogus", NULL};
    assert_int_equal(fk_options_parse(&o, 2, bad2, err, sizeof err), -1);
    char *bad3[] = {"fake-kiro", "--hang=1", NULL};
    assert_int_equal(fk_options_parse(&o, 2, bad3, err, sizeof err), -1);
    char *bad4[] = {"fake-kiro", "--listen", "nohostport", NULL};
    assert_int_equal(fk_options_parse(&o, 3, bad4, err, sizeof err), -1);

    char host[64];
    int port;
    assert_int_equal(listen_addr_parse(":0", host, sizeof host, &port), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(listen_addr_parse("0.0.0.0:65536", host, sizeof host, &port), -1);
    assert_int_equal(listen_addr_parse("::1:80", host, sizeof host, &port), -1);
}

static void test_config_fail_count_and_reset(void **state)
{
    (void)state;
    fk_values startup;
    fk_values_init(&startup);
    startup.status = 500;
    startup.fail_count = 2;
    startup.frame_bytes = 7;
    fk_config c;
    assert_int_equal(fk_config_init(&c, &startup), 0);
    fk_assistant_settings s;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(fk_config_take_assistant(&c, &s), 0);
        assert_int_equal(s.faulted, i < 2);
        assert_int_equal(s.status, i < 2 ? 500 : 0);
        assert_int_equal(s.frame_bytes, 7);
        fk_assistant_settings_free(&s);
    }
    char err[128];
    cJSON *patch = cJSON_Parse("{\"frame_bytes\":3,\"fail_count\":1}");
    assert_int_equal(fk_config_apply_json(&c, patch, err, sizeof err), 0);
    cJSON_Delete(patch);
    assert_int_equal(fk_config_take_assistant(&c, &s), 0); /* counting restarted */
    assert_true(s.faulted);
    assert_int_equal(s.frame_bytes, 3);
    fk_assistant_settings_free(&s);
    assert_int_equal(fk_config_reset(&c), 0);
    assert_int_equal(fk_config_take_assistant(&c, &s), 0);
    assert_false(s.faulted);          /* faults off */
    assert_int_equal(s.frame_bytes, 7); /* command-line behaviour back */
    fk_assistant_settings_free(&s);
    fk_config_destroy(&c);
    fk_values_free(&startup);
}

/* ---- router ---- */

static void test_router(void **state)
{
    (void)state;
    assert_int_equal(fk_route("/generateAssistantResponse"), FK_EP_ASSISTANT);
    assert_int_equal(fk_route("/q/us-east-1/generateAssistantResponse"), FK_EP_ASSISTANT);
    assert_int_equal(fk_route("/ListAvailableModels"), FK_EP_MODELS);
    assert_int_equal(fk_route("/refreshToken"), FK_EP_REFRESH);
    assert_int_equal(fk_route("/token"), FK_EP_TOKEN);
    assert_int_equal(fk_route("/__fake/stats"), FK_EP_FAKE_STATS);
    assert_int_equal(fk_route("/__fake/token"), FK_EP_NOT_FOUND);
    assert_int_equal(fk_route("/generateAssistantResponse/x"), FK_EP_NOT_FOUND);
    assert_true(fk_route_allows(FK_EP_MODELS, "GET"));
    assert_true(fk_route_allows(FK_EP_MODELS, "POST"));
    assert_false(fk_route_allows(FK_EP_ASSISTANT, "GET"));
    assert_false(fk_route_allows(FK_EP_ASSISTANT, "POS"));
    assert_string_equal(fk_endpoint_name(FK_EP_TOKEN), "token");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings_text_bounds_and_names),
        cmocka_unit_test(test_settings_json_is_all_or_nothing),
        cmocka_unit_test(test_options_parse),
        cmocka_unit_test(test_config_fail_count_and_reset),
        cmocka_unit_test(test_router),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

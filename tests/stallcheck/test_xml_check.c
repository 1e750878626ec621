/* test_xml_check.c: the XML well-formedness checker the SVG tests rely on must itself reject
 * what a browser rejects, or the SVG tests could pass on broken pictures. Table-driven: each row
 * a document and whether it is well-formed (and, when not, a word of the expected error). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "xml_check.h"

typedef struct xml_case {
    const char *doc;
    bool ok;
    const char *error_has; /* a word of the error, when not ok */
} xml_case;

static const xml_case cases[] = {
    {"<svg/>", true, NULL},
    {"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg a=\"1\" b='2'><g><t>x &amp; y &#60; "
     "&#x3C;</t></g></svg>\n",
     true, NULL},
    {"<!-- c --><svg><![CDATA[ a < b & c ]]><?pi x?></svg><!-- after -->", true, NULL},
    {"<!DOCTYPE svg><svg>\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80</svg>", true, NULL},
    {"", false, "no root"},
    {"   ", false, "no root"},
    {"<svg>", false, "never closed"},
    {"<svg></g>", false, "does not match"},
    {"<svg><g></svg></g>", false, "does not match"},
    {"<svg/><svg/>", false, "second root"},
    {"<svg/>text", false, "outside the root"},
    {"<svg>a & b</svg>", false, "reference"},
    {"<svg>&nbsp;</svg>", false, "unknown entity"},
    {"<svg>&#0;</svg>", false, "illegal character"},
    {"<svg>&#x110000;</svg>", false, "out of range"},
    {"<svg a=1/>", false, "quoted"},
    {"<svg a=\"1\" a=\"2\"/>", false, "twice"},
    {"<svg a=\"<\"/>", false, "'<' inside"},
    {"<svg a=\"1\"b=\"2\"/>", false, "whitespace"},
    {"<svg a=\"1/>", false, "not closed"},
    {"<svg><!-- a -- b --></svg>", false, "'--'"},
    {"<svg>]]></svg>", false, "']]>'"},
    {"<svg>\x01</svg>", false, "not allowed"},
    {"<svg>\xff</svg>", false, "UTF-8"},
    {"<svg>\xc0\xaf</svg>", false, "UTF-8"},     /* overlong '/' */
    {"<svg>\xed\xa0\x80</svg>", false, "UTF-8"}, /* a surrogate */
    {"<1svg/>", false, "name"},
    {"<svg></svg><?xml version=\"1.0\"?>", false, "declaration"},
    {"<!DOCTYPE svg [<!ENTITY x \"y\">]><svg/>", false, "internal subset"},
    {"<![CDATA[x]]><svg/>", false, "CDATA"},
};

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        xml_result r;
        bool ok = xml_check(cases[i].doc, strlen(cases[i].doc), NULL, &r);
        if (ok != cases[i].ok)
            fail_msg("case %zu (%s): expected %s, got %s (%s)", i, cases[i].doc,
                     cases[i].ok ? "well-formed" : "an error", ok ? "well-formed" : "an error",
                     r.error);
        if (!ok && cases[i].error_has && !strstr(r.error, cases[i].error_has))
            fail_msg("case %zu (%s): error '%s' lacks '%s'", i, cases[i].doc, r.error,
                     cases[i].error_has);
    }
}

typedef struct counts {
    int starts, ends, deepest;
    bool saw_class_token;
} counts;

static void count_start(void *ctx, const char *name, size_t len, const xml_attr *attrs, size_t n,
                        int depth)
{
    (void)name;
    (void)len;
    counts *c = ctx;
    c->starts++;
    if (depth > c->deepest)
        c->deepest = depth;
    if (xml_attr_has_token(xml_find_attr(attrs, n, "class"), "timedout"))
        c->saw_class_token = true;
}

static void count_end(void *ctx, int depth)
{
    (void)depth;
    ((counts *)ctx)->ends++;
}

static void test_visitor(void **state)
{
    (void)state;
    const char *doc =
        "<svg><g class=\"run\"><rect class=\"probe  timedout\"/><text>x</text></g></svg>";
    counts c = {0, 0, 0, false};
    xml_visitor v = {&c, count_start, count_end, NULL};
    xml_result r;
    assert_true(xml_check(doc, strlen(doc), &v, &r));
    assert_int_equal(c.starts, 4);
    assert_int_equal(c.ends, 4);
    assert_int_equal(c.deepest, 3);
    assert_true(c.saw_class_token);
    assert_int_equal(r.elements, 4);
    xml_attr a = {"class", 5, "probe answered", 14};
    assert_true(xml_attr_has_token(&a, "answered"));
    assert_false(xml_attr_has_token(&a, "answer"));
}

static void test_error_line(void **state)
{
    (void)state;
    const char *doc = "<svg>\n<g>\n</h>\n</svg>";
    xml_result r;
    assert_false(xml_check(doc, strlen(doc), NULL, &r));
    assert_int_equal(r.line, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_visitor),
        cmocka_unit_test(test_error_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* xml_check.h: a small, strict XML well-formedness checker for the tests of the SVG pictures.
 *
 * A picture a browser refuses to show is worse than none, and browsers refuse SVG that is not
 * well-formed XML (an unescaped '&' in a route, a '<' in a command line, a stray byte). This
 * checker reads a whole document and fails at the first breach of XML 1.0's well-formedness
 * rules that matter for generated documents: one root element; matching start and end tags;
 * element and attribute names; quoted attribute values without '<'; no attribute twice on an
 * element; every '&' a known entity (amp lt gt quot apos) or a character reference to a legal
 * character; no "]]>" in text; comments without "--"; processing instructions, CDATA sections
 * and a DOCTYPE without an internal subset; only whitespace, comments and PIs outside the
 * root; valid UTF-8 and no control characters but tab, newline and carriage return. It does
 * not validate against a schema or resolve namespaces.
 *
 * While it reads, it reports every element (its name, its attributes, its depth) and every end
 * tag to a visitor, so a test can look for the lanes and bars it expects without a second
 * parser. Nothing is allocated but the tag stack (bounded by XML_CHECK_MAX_DEPTH). */
#ifndef TESTS_XML_CHECK_H
#define TESTS_XML_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#define XML_CHECK_MAX_DEPTH 256
#define XML_CHECK_MAX_ATTRS 64

typedef struct xml_attr {
    const char *name; /* not NUL-terminated: name_len bytes */
    size_t name_len;
    const char *value; /* raw (references not expanded), value_len bytes */
    size_t value_len;
} xml_attr;

typedef struct xml_visitor {
    void *ctx;
    /* an element started (self-closing ones too, followed at once by on_end) */
    void (*on_start)(void *ctx, const char *name, size_t name_len, const xml_attr *attrs,
                     size_t attr_count, int depth);
    void (*on_end)(void *ctx, int depth);
    /* text between tags, raw */
    void (*on_text)(void *ctx, const char *text, size_t len, int depth);
} xml_visitor;

typedef struct xml_result {
    bool ok;
    size_t line;     /* of the first error, 1-based */
    char error[160]; /* "" when ok */
    size_t elements; /* elements seen */
} xml_result;

/* Checks doc (len bytes). visitor may be NULL. Returns true when well-formed; out says where it
 * is not. */
bool xml_check(const char *doc, size_t len, const xml_visitor *visitor, xml_result *out);

/* True when attribute value (raw) has the whitespace-separated token. */
bool xml_attr_has_token(const xml_attr *attr, const char *token);
/* The attribute called name, or NULL. */
const xml_attr *xml_find_attr(const xml_attr *attrs, size_t count, const char *name);
/* True when the attribute's raw value equals text. */
bool xml_attr_equals(const xml_attr *attr, const char *text);

#endif

/* xml_check.c: the strict well-formedness checker; see xml_check.h.
 *
 * A hand-written recursive-descent reader over the whole buffer: position, line, the stack of
 * open tag names (pointers into the document), and the first error. */
#include "xml_check.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct reader {
    const char *doc;
    size_t len, pos, line;
    const xml_visitor *visitor;
    xml_result *out;
    const char *open_names[XML_CHECK_MAX_DEPTH];
    size_t open_lens[XML_CHECK_MAX_DEPTH];
    int depth;
} reader;

static bool fail(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(reader *r, const char *fmt, ...)
{
    if (!r->out->ok)
        return false; /* keep the first error */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->out->error, sizeof r->out->error, fmt, ap);
    va_end(ap);
    r->out->line = r->line;
    r->out->ok = false;
    return false;
}

static bool at_end(const reader *r)
{
    return r->pos >= r->len;
}

static bool starts(const reader *r, const char *s)
{
    size_t n = strlen(s);
    return r->len - r->pos >= n && memcmp(r->doc + r->pos, s, n) == 0;
}

/* Decodes one UTF-8 character at pos: its code point and length; 0 length when invalid. */
static size_t utf8_at(const reader *r, size_t pos, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)r->doc + pos;
    size_t left = r->len - pos;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t n = (s[0] & 0xE0) == 0xC0   ? 2
               : (s[0] & 0xF0) == 0xE0 ? 3
               : (s[0] & 0xF8) == 0xF0 ? 4
                                       : 0;
    if (n == 0 || n > left)
        return 0;
    uint32_t c = s[0] & (0x7F >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    static const uint32_t min_for[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < min_for[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0; /* overlong, out of range, or a surrogate */
    *cp = c;
    return n;
}

static bool legal_char(uint32_t c)
{
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
           (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* Moves past one character, checking it is legal. */
static bool advance(reader *r)
{
    uint32_t c;
    size_t n = utf8_at(r, r->pos, &c);
    if (n == 0)
        return fail(r, "invalid UTF-8 at byte %zu", r->pos);
    if (!legal_char(c))
        return fail(r, "character U+%04X is not allowed in XML", (unsigned)c);
    if (c == '\n')
        r->line++;
    r->pos += n;
    return true;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_space(reader *r)
{
    while (!at_end(r) && is_space(r->doc[r->pos])) {
        if (r->doc[r->pos] == '\n')
            r->line++;
        r->pos++;
    }
}

static bool name_start(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':' || c >= 0x80;
}

static bool name_char(unsigned char c)
{
    return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static bool read_name(reader *r, const char **name, size_t *len)
{
    if (at_end(r) || !name_start((unsigned char)r->doc[r->pos]))
        return fail(r, "a name was expected");
    size_t start = r->pos;
    while (!at_end(r) && name_char((unsigned char)r->doc[r->pos]))
        r->pos++;
    *name = r->doc + start;
    *len = r->pos - start;
    return true;
}

/* A reference after '&': a predefined entity or a character reference to a legal character. */
static bool read_reference(reader *r)
{
    r->pos++; /* '&' */
    size_t start = r->pos;
    while (!at_end(r) && r->doc[r->pos] != ';' && r->pos - start < 12)
        r->pos++;
    if (at_end(r) || r->doc[r->pos] != ';')
        return fail(r, "'&' that does not start a reference (write &amp;)");
    const char *ref = r->doc + start;
    size_t len = r->pos - start;
    r->pos++;
    static const char *const known[] = {"amp", "lt", "gt", "quot", "apos"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (len == strlen(known[i]) && memcmp(ref, known[i], len) == 0)
            return true;
    if (len >= 2 && ref[0] == '#') {
        bool hex = ref[1] == 'x';
        size_t digits = hex ? 2 : 1;
        if (digits >= len)
            return fail(r, "an empty character reference");
        uint32_t c = 0;
        for (size_t i = digits; i < len; i++) {
            char d = ref[i];
            int v = d >= '0' && d <= '9'          ? d - '0'
                    : hex && d >= 'a' && d <= 'f' ? d - 'a' + 10
                    : hex && d >= 'A' && d <= 'F' ? d - 'A' + 10
                                                  : -1;
            if (v < 0)
                return fail(r, "a bad digit in a character reference");
            c = c * (hex ? 16 : 10) + (uint32_t)v;
            if (c > 0x10FFFF)
                return fail(r, "a character reference out of range");
        }
        if (!legal_char(c))
            return fail(r, "a character reference to an illegal character");
        return true;
    }
    return fail(r, "unknown entity '&%.*s;'", (int)len, ref);
}

static bool read_attr_value(reader *r, xml_attr *a)
{
    if (at_end(r) || (r->doc[r->pos] != '"' && r->doc[r->pos] != '\''))
        return fail(r, "an attribute value must be quoted");
    char quote = r->doc[r->pos++];
    size_t start = r->pos;
    while (!at_end(r) && r->doc[r->pos] != quote) {
        if (r->doc[r->pos] == '<')
            return fail(r, "'<' inside an attribute value");
        if (r->doc[r->pos] == '&') {
            if (!read_reference(r))
                return false;
            continue;
        }
        if (!advance(r))
            return false;
    }
    if (at_end(r))
        return fail(r, "an attribute value is not closed");
    a->value = r->doc + start;
    a->value_len = r->pos - start;
    r->pos++;
    return true;
}

static bool read_comment(reader *r)
{
    r->pos += 4; /* <!-- */
    while (!at_end(r)) {
        if (starts(r, "--")) {
            if (starts(r, "-->")) {
                r->pos += 3;
                return true;
            }
            return fail(r, "'--' inside a comment");
        }
        if (!advance(r))
            return false;
    }
    return fail(r, "a comment is not closed");
}

static bool read_pi(reader *r)
{
    r->pos += 2; /* <? */
    const char *name;
    size_t len;
    if (!read_name(r, &name, &len))
        return false;
    bool is_decl =
        len == 3 && (name[0] | 0x20) == 'x' && (name[1] | 0x20) == 'm' && (name[2] | 0x20) == 'l';
    if (is_decl && (name - r->doc != 2 || memcmp(name, "xml", 3) != 0))
        return fail(r, "the XML declaration must be 'xml' at the very start");
    while (!at_end(r) && !starts(r, "?>"))
        if (!advance(r))
            return false;
    if (at_end(r))
        return fail(r, "a processing instruction is not closed");
    r->pos += 2;
    return true;
}

static bool read_cdata(reader *r)
{
    r->pos += 9; /* <![CDATA[ */
    while (!at_end(r) && !starts(r, "]]>"))
        if (!advance(r))
            return false;
    if (at_end(r))
        return fail(r, "a CDATA section is not closed");
    r->pos += 3;
    return true;
}

static bool read_doctype(reader *r)
{
    r->pos += 9; /* <!DOCTYPE */
    while (!at_end(r) && r->doc[r->pos] != '>') {
        if (r->doc[r->pos] == '[')
            return fail(r, "a DOCTYPE with an internal subset is not accepted here");
        if (!advance(r))
            return false;
    }
    if (at_end(r))
        return fail(r, "a DOCTYPE is not closed");
    r->pos++;
    return true;
}

static bool read_start_tag(reader *r)
{
    r->pos++; /* < */
    const char *name;
    size_t name_len;
    if (!read_name(r, &name, &name_len))
        return false;
    xml_attr attrs[XML_CHECK_MAX_ATTRS];
    size_t count = 0;
    for (;;) {
        bool spaced = !at_end(r) && is_space(r->doc[r->pos]);
        skip_space(r);
        if (at_end(r))
            return fail(r, "a start tag is not closed");
        char c = r->doc[r->pos];
        if (c == '>' || starts(r, "/>"))
            break;
        if (!spaced)
            return fail(r, "attributes must be separated by whitespace");
        if (count >= XML_CHECK_MAX_ATTRS)
            return fail(r, "more than %d attributes on one element", XML_CHECK_MAX_ATTRS);
        xml_attr *a = &attrs[count];
        if (!read_name(r, &a->name, &a->name_len))
            return false;
        for (size_t i = 0; i < count; i++)
            if (attrs[i].name_len == a->name_len &&
                memcmp(attrs[i].name, a->name, a->name_len) == 0)
                return fail(r, "attribute '%.*s' given twice", (int)a->name_len, a->name);
        skip_space(r);
        if (at_end(r) || r->doc[r->pos] != '=')
            return fail(r, "'=' expected after attribute '%.*s'", (int)a->name_len, a->name);
        r->pos++;
        skip_space(r);
        if (!read_attr_value(r, a))
            return false;
        count++;
    }
    bool empty = starts(r, "/>");
    r->pos += empty ? 2 : 1;
    r->out->elements++;
    if (r->visitor && r->visitor->on_start)
        r->visitor->on_start(r->visitor->ctx, name, name_len, attrs, count, r->depth + 1);
    if (empty) {
        if (r->visitor && r->visitor->on_end)
            r->visitor->on_end(r->visitor->ctx, r->depth + 1);
        return true;
    }
    if (r->depth >= XML_CHECK_MAX_DEPTH)
        return fail(r, "elements nested deeper than %d", XML_CHECK_MAX_DEPTH);
    r->open_names[r->depth] = name;
    r->open_lens[r->depth] = name_len;
    r->depth++;
    return true;
}

static bool read_end_tag(reader *r)
{
    r->pos += 2; /* </ */
    const char *name;
    size_t len;
    if (!read_name(r, &name, &len))
        return false;
    skip_space(r);
    if (at_end(r) || r->doc[r->pos] != '>')
        return fail(r, "an end tag is not closed");
    r->pos++;
    if (r->depth == 0)
        return fail(r, "end tag '</%.*s>' without a start tag", (int)len, name);
    int d = r->depth - 1;
    if (r->open_lens[d] != len || memcmp(r->open_names[d], name, len) != 0)
        return fail(r, "end tag '</%.*s>' does not match '<%.*s>'", (int)len, name,
                    (int)r->open_lens[d], r->open_names[d]);
    if (r->visitor && r->visitor->on_end)
        r->visitor->on_end(r->visitor->ctx, r->depth);
    r->depth--;
    return true;
}

static bool read_text(reader *r)
{
    size_t start = r->pos;
    bool only_space = true;
    while (!at_end(r) && r->doc[r->pos] != '<') {
        char c = r->doc[r->pos];
        if (c == '&') {
            if (!read_reference(r))
                return false;
            only_space = false;
            continue;
        }
        if (starts(r, "]]>"))
            return fail(r, "']]>' in text");
        if (!is_space(c))
            only_space = false;
        if (!advance(r))
            return false;
    }
    if (r->depth == 0 && !only_space)
        return fail(r, "text outside the root element");
    if (r->depth > 0 && r->visitor && r->visitor->on_text)
        r->visitor->on_text(r->visitor->ctx, r->doc + start, r->pos - start, r->depth);
    return true;
}

bool xml_check(const char *doc, size_t len, const xml_visitor *visitor, xml_result *out)
{
    memset(out, 0, sizeof *out);
    out->ok = true;
    reader r = {doc, len, 0, 1, visitor, out, {NULL}, {0}, 0};
    if (starts(&r, "\xEF\xBB\xBF"))
        r.pos += 3; /* a byte order mark */
    bool root_seen = false, root_done = false;
    while (!at_end(&r) && out->ok) {
        if (r.doc[r.pos] != '<') {
            read_text(&r);
            continue;
        }
        if (starts(&r, "<!--")) {
            read_comment(&r);
        } else if (starts(&r, "<?")) {
            read_pi(&r);
        } else if (starts(&r, "<![CDATA[")) {
            if (r.depth == 0)
                fail(&r, "a CDATA section outside the root element");
            else
                read_cdata(&r);
        } else if (starts(&r, "<!DOCTYPE")) {
            if (root_seen)
                fail(&r, "a DOCTYPE after the root element");
            else
                read_doctype(&r);
        } else if (starts(&r, "</")) {
            read_end_tag(&r);
            if (out->ok && r.depth == 0)
                root_done = true;
        } else {
            if (root_done)
                fail(&r, "a second root element");
            else if (read_start_tag(&r)) {
                root_seen = true;
                if (r.depth == 0)
                    root_done = true; /* a self-closing root */
            }
        }
    }
    if (out->ok && !root_seen)
        fail(&r, "no root element");
    if (out->ok && r.depth > 0)
        fail(&r, "'<%.*s>' is never closed", (int)r.open_lens[r.depth - 1],
             r.open_names[r.depth - 1]);
    return out->ok;
}

bool xml_attr_equals(const xml_attr *attr, const char *text)
{
    return attr && attr->value_len == strlen(text) &&
           memcmp(attr->value, text, attr->value_len) == 0;
}

const xml_attr *xml_find_attr(const xml_attr *attrs, size_t count, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < count; i++)
        if (attrs[i].name_len == n && memcmp(attrs[i].name, name, n) == 0)
            return &attrs[i];
    return NULL;
}

bool xml_attr_has_token(const xml_attr *attr, const char *token)
{
    if (!attr)
        return false;
    size_t n = strlen(token);
    const char *v = attr->value, *end = attr->value + attr->value_len;
    while (v < end) {
        while (v < end && is_space(*v))
            v++;
        const char *t = v;
        while (v < end && !is_space(*v))
            v++;
        if ((size_t)(v - t) == n && memcmp(t, token, n) == 0)
            return true;
    }
    return false;
}

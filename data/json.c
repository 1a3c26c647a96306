/* json.c: see json.h. Every value goes through json_start, which writes
 * the comma, the line break and indentation, and the key that come before
 * it. */
#include "json.h"

#include <math.h>

void json_init(json_writer *w, FILE *f)
{
    w->f = f;
    w->depth = 0;
}

static void json_newline(json_writer *w, int depth)
{
    fputc('\n', w->f);
    for (int i = 0; i < depth; i++) fputs("  ", w->f);
}

static void json_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p == '\t')
            fputs("\\t", f);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* Members of objects and containers inside arrays start a new line;
 * plain values inside arrays, and members of flat objects, follow each
 * other on one. */
static void json_start(json_writer *w, const char *key, int is_container)
{
    if (w->depth == 0 || w->depth > JSON_MAX_DEPTH) return;
    int level = w->depth - 1;
    json_container kind = w->kind[level];
    if (w->count[level]++ > 0) fputc(',', w->f);
    if (kind == JSON_OBJECT || (kind == JSON_ARRAY && is_container)) {
        json_newline(w, w->depth);
        w->multiline[level] = 1;
    } else if (w->count[level] > 1) {
        fputc(' ', w->f);
    }
    if (kind != JSON_ARRAY && key) {
        json_quoted(w->f, key);
        fputs(": ", w->f);
    }
}

static void json_open(json_writer *w, const char *key, json_container kind)
{
    json_start(w, key, 1);
    fputc(kind == JSON_ARRAY ? '[' : '{', w->f);
    if (w->depth < JSON_MAX_DEPTH) {
        w->kind[w->depth] = kind;
        w->count[w->depth] = 0;
        w->multiline[w->depth] = 0;
    }
    w->depth++;
}

static void json_close(json_writer *w, char bracket)
{
    if (w->depth == 0) return;
    w->depth--;
    if (w->depth < JSON_MAX_DEPTH && w->multiline[w->depth])
        json_newline(w, w->depth);
    fputc(bracket, w->f);
    if (w->depth == 0) fputc('\n', w->f);
}

void json_begin_object(json_writer *w, const char *key)
{
    json_open(w, key, JSON_OBJECT);
}

void json_begin_flat_object(json_writer *w, const char *key)
{
    json_open(w, key, JSON_FLAT_OBJECT);
}

void json_end_object(json_writer *w) { json_close(w, '}'); }

void json_begin_array(json_writer *w, const char *key)
{
    json_open(w, key, JSON_ARRAY);
}

void json_end_array(json_writer *w) { json_close(w, ']'); }

void json_number(json_writer *w, const char *key, double value)
{
    json_start(w, key, 0);
    if (isfinite(value))
        fprintf(w->f, "%.6g", value);
    else
        fputs("null", w->f);
}

void json_integer(json_writer *w, const char *key, long long value)
{
    json_start(w, key, 0);
    fprintf(w->f, "%lld", value);
}

void json_string(json_writer *w, const char *key, const char *value)
{
    json_start(w, key, 0);
    if (value)
        json_quoted(w->f, value);
    else
        fputs("null", w->f);
}

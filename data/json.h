/* json.h: writing one JSON document to a stream, a value at a time.
 *
 * The writer keeps the nesting and the commas; the caller says what comes
 * next. key names the value inside an object and is NULL inside an array
 * or for the outermost value:
 *     json_writer w;
 *     json_init(&w, stdout);
 *     json_begin_object(&w, NULL);
 *     json_number(&w, "accuracy", 0.9);
 *     json_begin_array(&w, "labels");
 *     json_string(&w, NULL, "pia");
 *     json_end_array(&w);
 *     json_end_object(&w);           -- ends the document with a newline
 * Object members go one a line, indented; arrays of numbers or strings,
 * and objects begun with json_begin_flat_object, stay on one line. NaN and infinities, which JSON cannot hold, are written
 * as null.
 */
#ifndef IRMAS_JSON_H
#define IRMAS_JSON_H

#include <stdio.h>

#define JSON_MAX_DEPTH 16 /* containers open at once */

typedef enum { JSON_OBJECT, JSON_FLAT_OBJECT, JSON_ARRAY } json_container;

typedef struct {
    FILE *f;
    int depth;
    json_container kind[JSON_MAX_DEPTH]; /* per open container */
    int count[JSON_MAX_DEPTH];           /* values written in it so far */
    int multiline[JSON_MAX_DEPTH];       /* 1 once a value took a new line */
} json_writer;

void json_init(json_writer *w, FILE *f);

void json_begin_object(json_writer *w, const char *key);
/* An object written on one line: for small records such as
 * {"precision": 0.5, "recall": 1, "f1": 0.667}. */
void json_begin_flat_object(json_writer *w, const char *key);
void json_end_object(json_writer *w);
void json_begin_array(json_writer *w, const char *key);
void json_end_array(json_writer *w);

void json_number(json_writer *w, const char *key, double value);
void json_integer(json_writer *w, const char *key, long long value);
/* value NULL writes null. */
void json_string(json_writer *w, const char *key, const char *value);

#endif

/* tool_common.h: what irmas-eval and irmas-tag share: the model (or the
 * AudioSet teacher) they run and the numbers their flags take.
 *
 * Without --model a tool runs the installed default model (IRMAS_DEFAULT_MODEL
 * in config.h) or, when that is missing, models/default.irm in the source
 * tree, so a fresh build works before `ninja install`.
 */
#ifndef IRMAS_TOOL_COMMON_H
#define IRMAS_TOOL_COMMON_H

#include <getopt.h>
#include <stdio.h>

#include "model.h"
#include "model_limits.h"
#include "teacher.h"

/* The usage lines of the options that choose what classifies (--model,
 * --weights, --teacher), the same in irmas-eval and irmas-tag. */
#define TOOL_MODEL_USAGE \
    "  --model      the model (default: the installed default model)\n" \
    "  --weights    where a model's pretrained front-end's weights are\n" \
    "               (default: $IRMAS_WEIGHTS, else " IRMAS_DEFAULT_WEIGHTS ")\n" \
    "  --teacher    instead of a model, the AudioSet teacher whose " \
    "weights DIR\n" \
    "               holds (tensors.tsv, weights.f32; EfficientAT " \
    "mn04_as), zero-shot\n"

/* Loads path, or the default model when path is NULL; *used says which
 * file that was, under limits (model_limits.h). A model with a pretrained
 * front-end gets its weights from weights, else where pretrained.h looks
 * (irmas_pretrained_load_model). Prints why not (prefixed with tool) and returns
 * NULL on failure. */
irmas_model *tool_load_model(const char *tool, const char *path,
                       const irmas_model_limits *limits, const char *weights,
                       const char **used);

/* Prints one line describing m: classes, rate, window, front-end. */
void tool_describe_model(FILE *f, const char *path, const irmas_model *m);

/* The AudioSet teacher's shape (teacher.h) as a model holds it, for the
 * tools' bookkeeping: 32 kHz, 3-second windows, our 11 classes in IRMAS
 * order. It has no layers and is never run. NULL when out of memory. */
irmas_model *tool_teacher_shape(void);

/* Loads the teacher's weights from dir; prints why not (prefixed with
 * tool: which file is missing or damaged, and where to get the weights)
 * and returns NULL on failure. */
teacher_weights *tool_load_teacher(const char *tool, const char *dir);

/* Prints one line describing the teacher in dir, as tool_describe_model
 * does a model; shape is tool_teacher_shape's. */
void tool_describe_teacher(FILE *f, const char *dir, const irmas_model *shape);

/* Seconds above 0 and at most an hour, or -1. */
double tool_parse_seconds(const char *text);

/* A number above 0 and at most 1, or -1. */
double tool_parse_fraction(const char *text);

/* --gate DBFS|off, as irmasd takes it: a level at or below 0 dBFS, or
 * "off" (-INFINITY). 0 and *gate, or -1 after saying so as tool. */
int tool_parse_gate(const char *tool, const char *text, double *gate);

/* A whole number from 1 to 1024, or -1. */
int tool_parse_count(const char *text);

/* Sets limits from --max-model-memory or --max-model-ops (option, the long
 * option's name) and text, as model_limits_option does. Returns 0, or 2 (a
 * usage error, the exit status) after printing "tool: reason" on stderr. */
int tool_limits_option(const char *tool, irmas_model_limits *limits,
                       const char *option, const char *text);

/* For getopt_long's '?' with opterr 0: says on stderr, as
 * "tool: error: ...", that the flag at argv[optind - 1] is unknown or
 * lacks its value. Header-only, so every program can use it. */
static inline void tool_bad_flag(const char *tool, char *const argv[])
{
    fprintf(stderr, "%s: error: %s: unknown flag or missing value (see %s "
                    "--help)\n", tool, argv[optind - 1], tool);
}

/* Room for tool_utc_now's text and its NUL. */
#define TOOL_DATE_SIZE 32

/* Writes the current time in UTC as "2026-12-06T19:40:56Z", the date
 * provenance lines carry, into date and returns it; "" if the clock
 * cannot be read. */
const char *tool_utc_now(char date[TOOL_DATE_SIZE]);

/* The hop irmas-tag and irmas-eval classify at, as irmasd does by default
 * (seconds; never longer than the model's window). */
#define TOOL_DEFAULT_HOP 0.5

/* The hop in samples of m for seconds (<= 0: TOOL_DEFAULT_HOP). */
int tool_hop_samples(const irmas_model *m, double seconds);

#endif

/* cli.h: irmas-synth's command line.
 *
 *   irmas-synth --out DIR --per-class N [--seed S] [--soundfont FILE]...
 *               [--samples DIR] [--classes cel,cla,...]
 *               [--accompaniment P[:LEVEL_DB]] [--augment none|light|full]
 *               [--seconds 3] [--rate 44100] [--threads 2]
 *               [--excerpts LOW[:HIGH]] [--source-base N]
 *
 * Parsing only: every value is checked here, so a bad flag is one clear
 * message before anything loads.
 */
#ifndef SYNTH_CLI_H
#define SYNTH_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "augment.h"
#include "instruments.h"
#include "status.h"

enum { CLI_MAX_FONTS = 16 };

typedef struct {
    const char *out_dir;
    int per_class;
    uint64_t seed;
    int n_fonts;                      /* 0: the default training soundfonts */
    const char *fonts[CLI_MAX_FONTS];
    const char *samples_dir;          /* NULL: leads from soundfonts */
    int n_classes;
    int classes[CLASS_COUNT];         /* class indices, in IRMAS order */
    double accomp_chance, accomp_db;
    augment_level augment;
    double seconds;
    int rate;
    int threads;
    int excerpts_low, excerpts_high;  /* excerpts per source */
    long source_base;
    int help;
    int version; /* --version: say the version and stop */
} cli_options;

/* Fills o from argv. A bad or missing value is IRMAS_ERR_ARG with a
 * message naming the flag. */
irmas_status cli_parse(int argc, char **argv, cli_options *o, char *err,
                       size_t errlen);

void cli_usage(FILE *f);

#endif

/* run_options.h: the settings of a training run: irmas-train's command
 * line, parsed and checked, and written back as one for checkpoints.
 *
 * A checkpoint stores the run's command line (as run_options_args gives
 * it) so that `irmas-train --resume FILE` alone continues the run. A
 * resume parses the stored arguments, then the new ones over them: flags
 * that only say how long, how fast or where to write (--epochs,
 * --patience, --threads, --out, --checkpoint, --log, --teacher-cache) may
 * change; those that define the model and its data, the teacher among
 * them (run_options_defining), must not, and
 * run_options_same_run names the first that did.
 */
#ifndef IRMAS_RUN_OPTIONS_H
#define IRMAS_RUN_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "spec_augment.h"
#include "cnn_zoo.h"
#include "model_arch.h"
#include "model.h"

#define RUN_MAX_DIRS 64

typedef struct {
    const char *dirs[RUN_MAX_DIRS]; /* --data, in order */
    int n_dirs;
    arch_family family;        /* --model (model_arch.h) */
    const cnn_zoo_arch *arch;  /* cnn and crnn: which CNN (cnn_zoo.h); NULL
                                  for the others */
    layer_kind cell;     /* --model: recurrent, and crnn's lstm */
    int gru_reset_after; /* --model gru (1) or gru-original (0) */
    image_kind image;    /* cnn and crnn: --image */
    int image_size, image_channels;
    int hidden, frame, dense;
    double dropout;
    double mixup; /* --mixup ALPHA; 0: none */
    double warp;  /* --warp W; 0: none */
    double level; /* --level DB; 0: none */
    double eq;    /* --eq DB; 0: none */
    spec_augment_params augment; /* --augment F,FW,T,TW; all zero: none */
    const char *classes;  /* --classes; "" for every class with data */
    const char *split_by; /* --split-by */
    int mixdown;
    frontend_kind frontend;
    int fft, hop, mels;
    norm_kind norm;
    int rate;
    double window; /* seconds */
    int epochs, batch, patience, threads;
    double lr, clip, val_fraction, test_fraction;
    uint64_t seed;
    const char *out, *checkpoint, *log; /* checkpoint: default OUT.ckpt */
    const char *resume;                 /* --resume, or NULL */
    const char *init;                   /* --init, or NULL: the seed's */
    const char *export_dir;             /* --export, or NULL */
    const char *teacher;       /* --teacher DIR, or NULL: no distillation */
    const char *teacher_cache; /* --teacher-cache, or NULL: the default */
    double distill, temperature;            /* loss.h's w and T */
    const char *unlabelled[RUN_MAX_DIRS];   /* --unlabelled, in order */
    int n_unlabelled;
    double unlabelled_confidence; /* --unlabelled-confidence; 0: all */
    double match_embedding; /* --match-embedding: loss.h's lambda; 0: none */
    const char *weights; /* --weights: efficientat-mn04's, or NULL */
    uint64_t given; /* bit i: option i of the table was on the command line */
} run_options;

/* The defaults: the study's best model (an LSTM with H = 100 reading
 * |X_t| = 100 raw samples a step, 3 s windows at 44.1 kHz) and training
 * settings that suit it; for image models, 150 x 150 multiresolution
 * recurrence plots of 3 resolutions, the study's input. */
void run_options_defaults(run_options *o);

/* Parses argv[1..argc) over o (strings point into argv). Returns 0; 1 if
 * --help was asked for (the usage is printed on stdout); 2 after printing
 * what is wrong on stderr. */
int run_options_parse(run_options *o, int argc, char *const argv[]);

/* Checks the options together (what no single flag shows, and the
 * required ones); returns 0, or 2 after printing what is wrong. */
int run_options_check(const run_options *o);

void run_options_usage(FILE *f);

/* 1 if the command line gave any option that shapes the network:
 * --model, --hidden, --dense, --frame, --frontend, --fft, --hop, --mels,
 * --norm, --rate, --window, --image, --image-size or --image-channels. */
int run_options_network_given(const run_options *o);

/* Sets the options that shape the network, those the command line left
 * out, to what builds the network of model m as shape arch: m's rate,
 * window, normalisation, front-end and image, and for a recurrent or
 * stats shape the units of its cell and of the dense layer before its
 * softmax. Returns 0, changing nothing, when --model named another
 * shape. Whether arch is m's shape, only building it tells (irmas-train
 * --init tries each in turn). */
int run_options_network_of(run_options *o, const irmas_model *m,
                           const model_arch *arch);

/* o as an argument list: "--flag", "value", ... each NUL-terminated, in a
 * new buffer of *size bytes. run_options_args gives every flag a resume
 * keeps (all but --resume and --export); run_options_defining those that
 * define the model and data. NULL when out of memory. */
char *run_options_args(const run_options *o, size_t *size);
char *run_options_defining(const run_options *o, size_t *size);

/* Splits an argument list made by run_options_args into argv form after
 * argv[0] = program: a new array of *argc pointers into args. */
char **run_options_split(const char *program, const char *args, size_t size,
                         int *argc);

/* 1 if two defining lists agree; else 0, with a sentence naming the first
 * flag that differs in why. */
int run_options_same_run(const char *before, size_t before_size,
                         const char *now, size_t now_size, char *why,
                         size_t why_size);

#endif

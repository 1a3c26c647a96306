/* run_options.c: irmas-train's command line (see run_options.h).
 *
 * Each flag is an entry of one table; its index is its bit in `given`.
 * Parsing applies flags one at a time with a range check each, so a bad
 * value is named with the flag that took it. Writing back goes through
 * the same names, one "--flag value" pair (or lone "--flag") per setting,
 * with numbers printed so they parse back to the same bits.
 */
#include "run_options.h"

#include "config.h"
#include "irmas/version.h"
#include "number.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    OPT_DATA, OPT_MODEL, OPT_HIDDEN, OPT_FRAME, OPT_DENSE, OPT_DROPOUT, OPT_MIXUP,
    OPT_CLASSES, OPT_SPLIT_BY, OPT_MIXDOWN, OPT_FRONTEND, OPT_FFT, OPT_HOP,
    OPT_MELS, OPT_NORM, OPT_RATE, OPT_WINDOW, OPT_BATCH, OPT_LR, OPT_CLIP,
    OPT_SEED, OPT_VAL, OPT_TEST, OPT_EPOCHS, OPT_PATIENCE, OPT_THREADS,
    OPT_OUT, OPT_CHECKPOINT, OPT_LOG, OPT_RESUME, OPT_EXPORT, OPT_HELP,
    OPT_IMAGE, OPT_IMAGE_SIZE, OPT_IMAGE_CHANNELS, OPT_AUGMENT, OPT_TEACHER,
    OPT_DISTILL, OPT_TEMPERATURE, OPT_UNLABELLED, OPT_TEACHER_CACHE, OPT_WEIGHTS,
    OPT_VERSION, OPT_WARP, OPT_LEVEL, OPT_EQ, OPT_INIT, OPT_UNLABELLED_CONFIDENCE,
    OPT_MATCH_EMBEDDING, OPT_COUNT
};

#define GIVEN(id) (1ull << (id))

#define OPT(name, arg, id) {name, arg, NULL, 256 + (id)}
static const struct option option_table[] = {
    OPT("data", required_argument, OPT_DATA),
    OPT("model", required_argument, OPT_MODEL),
    OPT("hidden", required_argument, OPT_HIDDEN),
    OPT("frame", required_argument, OPT_FRAME),
    OPT("dense", required_argument, OPT_DENSE),
    OPT("dropout", required_argument, OPT_DROPOUT),
    OPT("mixup", required_argument, OPT_MIXUP),
    OPT("classes", required_argument, OPT_CLASSES),
    OPT("split-by", required_argument, OPT_SPLIT_BY),
    OPT("mixdown", no_argument, OPT_MIXDOWN),
    OPT("frontend", required_argument, OPT_FRONTEND),
    OPT("fft", required_argument, OPT_FFT),
    OPT("hop", required_argument, OPT_HOP),
    OPT("mels", required_argument, OPT_MELS),
    OPT("norm", required_argument, OPT_NORM),
    OPT("rate", required_argument, OPT_RATE),
    OPT("window", required_argument, OPT_WINDOW),
    OPT("batch", required_argument, OPT_BATCH),
    OPT("lr", required_argument, OPT_LR),
    OPT("clip", required_argument, OPT_CLIP),
    OPT("seed", required_argument, OPT_SEED),
    OPT("val-fraction", required_argument, OPT_VAL),
    OPT("test-fraction", required_argument, OPT_TEST),
    OPT("epochs", required_argument, OPT_EPOCHS),
    OPT("patience", required_argument, OPT_PATIENCE),
    OPT("threads", required_argument, OPT_THREADS),
    OPT("out", required_argument, OPT_OUT),
    OPT("checkpoint", required_argument, OPT_CHECKPOINT),
    OPT("log", required_argument, OPT_LOG),
    OPT("resume", required_argument, OPT_RESUME),
    OPT("export", required_argument, OPT_EXPORT),
    OPT("help", no_argument, OPT_HELP),
    OPT("image", required_argument, OPT_IMAGE),
    OPT("image-size", required_argument, OPT_IMAGE_SIZE),
    OPT("image-channels", required_argument, OPT_IMAGE_CHANNELS),
    OPT("augment", required_argument, OPT_AUGMENT),
    OPT("teacher", required_argument, OPT_TEACHER),
    OPT("distill", required_argument, OPT_DISTILL),
    OPT("temperature", required_argument, OPT_TEMPERATURE),
    OPT("unlabelled", required_argument, OPT_UNLABELLED),
    OPT("teacher-cache", required_argument, OPT_TEACHER_CACHE),
    OPT("weights", required_argument, OPT_WEIGHTS),
    OPT("version", no_argument, OPT_VERSION),
    OPT("warp", required_argument, OPT_WARP),
    OPT("level", required_argument, OPT_LEVEL),
    OPT("eq", required_argument, OPT_EQ),
    OPT("init", required_argument, OPT_INIT),
    OPT("unlabelled-confidence", required_argument, OPT_UNLABELLED_CONFIDENCE),
    OPT("match-embedding", required_argument, OPT_MATCH_EMBEDDING),
    {NULL, 0, NULL, 0},
};

void run_options_defaults(run_options *o)
{
    *o = (run_options){
        .family = ARCH_RECURRENT, .cell = LAYER_LSTM, .gru_reset_after = 1,
        .image = IMAGE_MRP, .image_size = CNN_ZOO_STUDY_SIZE,
        .image_channels = CNN_ZOO_STUDY_CHANNELS, .hidden = 100,
        .frame = 100, .dropout = 0.2, .classes = "", .split_by = "irmas",
        .frontend = FRONTEND_RAW, .fft = 1024, .hop = 512, .mels = 64,
        .norm = NORM_PEAK, .rate = 44100, .window = 3.0, .batch = 32,
        .lr = 1e-3, .clip = 5.0, .seed = 1, .val_fraction = 0.15,
        .test_fraction = 0.15, .epochs = 50, .patience = 5, .threads = 2,
        .distill = 0.5, .temperature = 2.0};
}

void run_options_usage(FILE *f)
{
    fputs(
"usage: irmas-train --data DIR [--data DIR ...] --out FILE.irm [options]\n"
"       irmas-train --resume CHECKPOINT [--epochs N ...]\n"
"model (defaults: the study's best, an LSTM reading 100 samples a step)\n"
"  --model rnn|lstm|gru|gru-original|blstm   the recurrent cell (lstm)\n"
"  --model stats     statistics of the frames (each log-mel band's or\n"
"                    teacher feature's mean and deviation) into the\n"
"                    softmax; needs --frontend logmel or efficientat-mn04\n"
"  --model cnn-b1 .. cnn-b4    the study's CNNs on the window's image\n"
"  --model cnn-mel   a CNN for 64 x 64 log-mel images (its default image):\n"
"                    3 x 3 kernels, level-free input\n"
"  --model crnn-b1 .. crnn-b4  Bk's CNN sets the initial state of a\n"
"                    128-unit LSTM over the frames\n"
"  --hidden H        recurrent models: hidden units (100)\n"
"  --frame X         raw front-end: samples per timestep, |X_t| (100)\n"
"  --dense N         recurrent and stats models: a ReLU layer of N units\n"
"                    before the softmax (0: none); cnn-bK and cnn-mel:\n"
"                    their hidden layer's units (0: the CNN's, 128)\n"
"  --dropout P       dropout on what enters the softmax's layers while\n"
"                    training (0.2)\n"
"  --mixup ALPHA     mix each training example with another of its batch\n"
"                    (inputs and targets), its share drawn from\n"
"                    Beta(ALPHA, ALPHA), e.g. 0.2 (none)\n"
"  --augment F,FW,T,TW   log-mel models (frames or --image logmel): F\n"
"                    masks of up to FW mel bands and T masks of up to TW\n"
"                    frames on each training example (SpecAugment), e.g.\n"
"                    2,8,2,16 (none)\n"
"  --warp W          log-mel models (frames or --image logmel): scale each\n"
"                    training example's spectrum in frequency by a factor\n"
"                    from 1/(1+W) to 1+W, as another instrument of its\n"
"                    kind, e.g. 0.1 (none)\n"
"  --eq DB           log-mel models (frames or --image logmel): play each\n"
"                    training example through a random curve of gains\n"
"                    over frequency, up to DB decibels either way, as\n"
"                    another microphone or room, e.g. 6 (none)\n"
"  --level DB        log-mel frames: play each training example louder or\n"
"                    quieter by up to DB decibels, as through another\n"
"                    microphone or gain, e.g. 20 (none)\n"
"  --image stack|mrp|logmel   cnn and crnn: the image, samples stacked\n"
"                    row by row, multiresolution recurrence plots (mrp)\n"
"                    or the log-mel spectrogram, level-free (logmel);\n"
"                    default: the CNN's own (mrp; logmel for cnn-mel)\n"
"  --image-size N    its side in pixels (150; 64 for cnn-mel)\n"
"  --image-channels N   mrp: resolutions (3); stack and logmel have 1\n"
"  --frontend raw|logmel|efficientat-mn04   the model's input (raw);\n"
"                    efficientat-mn04: the AudioSet teacher's per-frame\n"
"                    embeddings (384 every 0.32 s at 32 kHz), frozen\n"
"  --weights DIR     efficientat-mn04: its weights (default: $IRMAS_WEIGHTS,\n"
"                    else the installed ones)\n"
"  --fft N --hop N --mels N   logmel: frame, hop and bands (1024, 512, 64)\n"
"  --norm peak|none  scale each window to peak 1 (peak for raw, none for\n"
"                    logmel, which can then stream)\n"
"  --rate HZ         the model's sample rate (44100)\n"
"  --window SECONDS  the window classified at once (3)\n"
"data\n"
"  --data DIR        a labelled data set (IRMAS layouts, or a folder per\n"
"                    class); several add up\n"
"  --classes a,b,... the classes, in this order (every class with data)\n"
"  --split-by irmas|file|regex:PATTERN   what makes excerpts one source\n"
"  --mixdown         average the channels instead of one example each\n"
"  --val-fraction F --test-fraction F   held-out shares (0.15, 0.15)\n"
"distillation (docs/training.md, \"Distillation\")\n"
"  --teacher DIR|MODEL.irm   the AudioSet teacher's weights (tensors.tsv\n"
"                    and weights.f32), or a trained model with the same\n"
"                    classes and window: its probabilities for the\n"
"                    classes become soft targets beside the labels\n"
"  --distill W       the soft targets' share of the loss, 0 to 1 (0.5)\n"
"  --temperature T   both distributions softened at T (2)\n"
"  --unlabelled DIR  audio without labels, trained on the teacher's\n"
"                    targets alone; several add up\n"
"  --unlabelled-confidence P   train only on the unlabelled windows\n"
"                    where the teacher's largest value for the classes\n"
"                    is at least P, 0 to 1 (0: every window)\n"
"  --match-embedding L   the AudioSet teacher, or a model on its frames\n"
"                    (audioset-head.irm): draw the pre-activations of\n"
"                    the hidden layer (--dense 384) towards the\n"
"                    AudioSet teacher's embedding of each window, at\n"
"                    weight L, e.g. 1 (0: none)\n"
"  --teacher-cache DIR   where the targets, and efficientat-mn04's\n"
"                    frames, are kept by file content\n"
"                    ($XDG_CACHE_HOME/irmasd/teacher-targets)\n"
"training\n"
"  --init MODEL.irm  start from a trained model's weights instead of the\n"
"                    seed's (fine-tuning), e.g. with a lower --lr: its own\n"
"                    network; shape options left out are taken from it.\n"
"                    Classes it does not name start from the seed\n"
"  --epochs N        at most N epochs (50)\n"
"  --batch B         examples per update (32)\n"
"  --lr RATE         Adam's learning rate (0.001)\n"
"  --clip NORM       largest gradient norm, 0 for none (5)\n"
"  --patience N      stop after N epochs without a better validation loss\n"
"                    (5; 0: never)\n"
"  --seed S          the seed of everything random (1)\n"
"  --threads N       worker threads (2)\n"
"output\n"
"  --out FILE.irm    the best model\n"
"  --checkpoint FILE written every epoch (FILE.irm.ckpt)\n"
"  --resume FILE     continue the run a checkpoint is from\n"
"  --log FILE.csv    one line per epoch\n"
"  --export DIR      also write the initial weights, the training frames\n"
"                    or images (as floats: small corpora) and the order,\n"
"                    for bench/train_torch.py (recurrent models and CNNs)\n"
"  -h, --help        this help; --version: the version\n",
        f);
}

/* ---- parsing one flag ------------------------------------------------- */

static int bad_value(const char *flag, const char *what, const char *text)
{
    fprintf(stderr, "irmas-train: error: --%s takes %s, not '%s'\n", flag, what,
            text);
    return 2;
}

static int parse_int(const char *flag, const char *text, long min, long max,
                     int *out)
{
    long v;
    if (number_whole(text, min, max, &v) != 0) {
        char what[96];
        snprintf(what, sizeof what, "a whole number from %ld to %ld", min,
                 max);
        return bad_value(flag, what, text);
    }
    *out = (int)v;
    return 0;
}

/* A number of at least lo (above it, when lo_open) and at most hi (below
 * it, when hi_open). */
static int parse_real(const char *flag, const char *text, double lo,
                      int lo_open, double hi, int hi_open, double *out)
{
    double v;
    if (number_real(text, lo_open ? nextafter(lo, INFINITY) : lo,
                    hi_open ? nextafter(hi, -INFINITY) : hi, &v) != 0) {
        char what[96];
        snprintf(what, sizeof what, "a number %s %g and %s %g",
                 lo_open ? "above" : "at least", lo,
                 hi_open ? "below" : "at most", hi);
        return bad_value(flag, what, text);
    }
    *out = v;
    return 0;
}

static int parse_seed(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || strchr(text, '-'))
        return bad_value("seed", "a whole number from 0 to 2^64 - 1", text);
    *out = v;
    return 0;
}

#define AUGMENT_MAX_MASKS 16
#define AUGMENT_MAX_WIDTH 1024

/* --augment F,FW,T,TW: four whole numbers, counts and widths. */
static int parse_augment(const char *text, spec_augment_params *out)
{
    long v[4];
    const char *at = text;
    for (int i = 0; i < 4; i++) {
        char *end;
        errno = 0;
        v[i] = strtol(at, &end, 10);
        long max = i % 2 ? AUGMENT_MAX_WIDTH : AUGMENT_MAX_MASKS;
        if (errno || end == at || v[i] < 0 || v[i] > max ||
            *end != (i < 3 ? ',' : '\0')) {
            char what[128];
            snprintf(what, sizeof what, "F,FW,T,TW: masks per example (0 "
                     "to %d) and their widest runs (0 to %d), e.g. 2,8,2,16",
                     AUGMENT_MAX_MASKS, AUGMENT_MAX_WIDTH);
            return bad_value("augment", what, text);
        }
        at = end + 1;
    }
    *out = (spec_augment_params){.freq_masks = (int)v[0],
                                 .freq_width = (int)v[1],
                                 .time_masks = (int)v[2],
                                 .time_width = (int)v[3]};
    return 0;
}

static int parse_model(run_options *o, const char *text)
{
    model_arch a;
    if (model_arch_parse(text, &a) != 0)
        return bad_value("model", MODEL_ARCH_NAMES, text);
    o->family = a.family;
    o->arch = a.zoo;
    o->cell = a.cell;
    o->gru_reset_after = a.gru_reset_after;
    return 0;
}

/* Index of text in names[n], or -1 (after saying so for flag). */
static int parse_choice(const char *flag, const char *text,
                        const char *const *names, int n, const char *what)
{
    for (int i = 0; i < n; i++)
        if (strcmp(text, names[i]) == 0) return i;
    bad_value(flag, what, text);
    return -1;
}

/* Adds dir to a list of folders (--data or --unlabelled), which the first
 * such flag of a command line empties: new folders replace stored ones. */
static int parse_folder(const char *flag, const char **dirs, int *n,
                        const char *dir, int *given)
{
    if (!*given) *n = 0;
    *given = 1;
    if (*n == RUN_MAX_DIRS) {
        fprintf(stderr, "irmas-train: error: at most %d --%s folders\n",
                RUN_MAX_DIRS, flag);
        return 2;
    }
    dirs[(*n)++] = dir;
    return 0;
}

/* The front-end, image and normalisation flags. */
static int parse_signal(run_options *o, int id, const char *arg)
{
    static const char *const frontends[] = {"raw", "logmel",
                                            "efficientat-mn04"};
    static const frontend_kind frontend_kinds[] = {
        FRONTEND_RAW, FRONTEND_LOGMEL, FRONTEND_EFFICIENTAT_MN04};
    static const char *const norms[] = {"none", "peak"};
    int i;
    switch (id) {
    case OPT_IMAGE:
        o->image = image_kind_parse(arg);
        return o->image ? 0 : bad_value("image", "stack, mrp or logmel", arg);
    case OPT_IMAGE_SIZE:
        return parse_int("image-size", arg, 1, IMAGE_MAX_SIZE,
                         &o->image_size);
    case OPT_IMAGE_CHANNELS:
        return parse_int("image-channels", arg, 1, IMAGE_MAX_CHANNELS,
                         &o->image_channels);
    case OPT_FRONTEND:
        i = parse_choice("frontend", arg, frontends, 3,
                         "raw, logmel or efficientat-mn04");
        if (i < 0) return 2;
        o->frontend = frontend_kinds[i];
        return 0;
    case OPT_NORM:
        i = parse_choice("norm", arg, norms, 2, "peak or none");
        if (i < 0) return 2;
        o->norm = i == 0 ? NORM_NONE : NORM_PEAK;
        return 0;
    case OPT_FFT: return parse_int("fft", arg, 16, 65536, &o->fft);
    case OPT_HOP: return parse_int("hop", arg, 1, 65536, &o->hop);
    case OPT_MELS: return parse_int("mels", arg, 1, 1024, &o->mels);
    case OPT_RATE: return parse_int("rate", arg, 1000, 384000, &o->rate);
    case OPT_WINDOW:
        return parse_real("window", arg, 0, 1, 3600, 0, &o->window);
    }
    return 2;
}

/* The training and output flags. */
static int parse_training(run_options *o, int id, const char *arg)
{
    switch (id) {
    case OPT_BATCH: return parse_int("batch", arg, 1, 65536, &o->batch);
    case OPT_LR: return parse_real("lr", arg, 0, 1, 10, 0, &o->lr);
    case OPT_CLIP: return parse_real("clip", arg, 0, 0, 1e6, 0, &o->clip);
    case OPT_SEED: return parse_seed(arg, &o->seed);
    case OPT_VAL:
        return parse_real("val-fraction", arg, 0, 1, 1, 1, &o->val_fraction);
    case OPT_TEST:
        return parse_real("test-fraction", arg, 0, 0, 1, 1,
                          &o->test_fraction);
    case OPT_EPOCHS: return parse_int("epochs", arg, 1, 1000000, &o->epochs);
    case OPT_PATIENCE:
        return parse_int("patience", arg, 0, 1000000, &o->patience);
    case OPT_THREADS: return parse_int("threads", arg, 1, 64, &o->threads);
    case OPT_OUT: o->out = arg; return 0;
    case OPT_CHECKPOINT: o->checkpoint = arg; return 0;
    case OPT_LOG: o->log = arg; return 0;
    case OPT_RESUME: o->resume = arg; return 0;
    case OPT_INIT: o->init = arg; return 0;
    case OPT_EXPORT: o->export_dir = arg; return 0;
    case OPT_TEACHER: o->teacher = arg; return 0;
    case OPT_TEACHER_CACHE: o->teacher_cache = arg; return 0;
    case OPT_DISTILL:
        return parse_real("distill", arg, 0, 0, 1, 0, &o->distill);
    case OPT_TEMPERATURE:
        return parse_real("temperature", arg, 0, 1, 100, 0, &o->temperature);
    case OPT_MATCH_EMBEDDING:
        return parse_real("match-embedding", arg, 0, 0, 100, 0,
                          &o->match_embedding);
    case OPT_UNLABELLED_CONFIDENCE:
        return parse_real("unlabelled-confidence", arg, 0, 0, 1, 0,
                          &o->unlabelled_confidence);
    case OPT_WEIGHTS: o->weights = arg; return 0;
    }
    return parse_signal(o, id, arg);
}

static int parse_flag(run_options *o, int id, const char *arg,
                      int *data_given, int *unlabelled_given)
{
    switch (id) {
    case OPT_DATA:
        return parse_folder("data", o->dirs, &o->n_dirs, arg, data_given);
    case OPT_UNLABELLED:
        return parse_folder("unlabelled", o->unlabelled, &o->n_unlabelled,
                            arg, unlabelled_given);
    case OPT_MODEL: return parse_model(o, arg);
    case OPT_HIDDEN: return parse_int("hidden", arg, 1, 4096, &o->hidden);
    case OPT_FRAME: return parse_int("frame", arg, 1, 65536, &o->frame);
    case OPT_DENSE: return parse_int("dense", arg, 0, 4096, &o->dense);
    case OPT_DROPOUT:
        return parse_real("dropout", arg, 0, 0, 1, 1, &o->dropout);
    case OPT_MIXUP:
        return parse_real("mixup", arg, 0, 1, 4, 0, &o->mixup);
    case OPT_AUGMENT: return parse_augment(arg, &o->augment);
    case OPT_WARP: return parse_real("warp", arg, 0, 1, 0.5, 0, &o->warp);
    case OPT_LEVEL: return parse_real("level", arg, 0, 1, 60, 0, &o->level);
    case OPT_EQ: return parse_real("eq", arg, 0, 1, 24, 0, &o->eq);
    case OPT_CLASSES: o->classes = arg; return 0;
    case OPT_SPLIT_BY: o->split_by = arg; return 0;
    case OPT_MIXDOWN: o->mixdown = 1; return 0;
    }
    return parse_training(o, id, arg);
}

int run_options_parse(run_options *o, int argc, char *const argv[])
{
    int data_given = 0, unlabelled_given = 0, c;
    optind = 0; /* start afresh: this may be the second command line */
    opterr = 0; /* the message below says it */
    while ((c = getopt_long(argc, argv, "h", option_table, NULL)) != -1) {
        int id = c == 'h' ? OPT_HELP : c - 256;
        if (id < 0 || id >= OPT_COUNT) {
            fprintf(stderr, "irmas-train: error: %s: unknown flag or missing "
                            "value (see irmas-train --help)\n", argv[optind - 1]);
            return 2;
        }
        if (id == OPT_HELP) {
            run_options_usage(stdout);
            return 1;
        }
        if (id == OPT_VERSION) {
            printf("irmas-train %s\n", IRMAS_VERSION);
            return 1;
        }
        if (parse_flag(o, id, optarg, &data_given, &unlabelled_given))
            return 2;
        o->given |= GIVEN(id);
    }
    if (optind < argc) {
        fprintf(stderr, "irmas-train: error: unexpected argument '%s'; every "
                        "setting is a --flag (see --help)\n", argv[optind]);
        return 2;
    }
    /* Log-mel frames have no peak to keep; without per-window scaling the
     * streaming classifier can share frames between windows. */
    if (o->frontend != FRONTEND_RAW && !(o->given & GIVEN(OPT_NORM)))
        o->norm = NORM_NONE;
    /* The teacher reads 32 kHz. */
    if (o->frontend == FRONTEND_EFFICIENTAT_MN04 &&
        !(o->given & GIVEN(OPT_RATE)))
        o->rate = FRONTEND_MN04_RATE;
    /* Each CNN reads by default the image it was made for; a logmel image
     * is the same at any level, so no window needs scaling to its peak. */
    if (o->arch && !(o->given & GIVEN(OPT_IMAGE))) o->image = o->arch->image;
    if (o->arch && !(o->given & GIVEN(OPT_IMAGE_SIZE)))
        o->image_size = o->arch->image_size;
    if (o->image == IMAGE_LOGMEL && o->family == ARCH_CNN &&
        !(o->given & GIVEN(OPT_NORM)))
        o->norm = NORM_NONE;
    if (!(o->given & GIVEN(OPT_IMAGE_CHANNELS)))
        o->image_channels = image_default_channels(o->image);
    return 0;
}

/* ---- checking them together ------------------------------------------- */

static int fail(const char *message)
{
    fprintf(stderr, "irmas-train: error: %s\n", message);
    return 2;
}

/* The pretrained front-end has its own rate and frames. */
static int check_pretrained(const run_options *o)
{
    uint64_t frame_flags =
        GIVEN(OPT_FRAME) | GIVEN(OPT_FFT) | GIVEN(OPT_HOP) | GIVEN(OPT_MELS);
    if (o->given & frame_flags)
        return fail("--frame, --fft, --hop and --mels shape the raw and "
                    "logmel front-ends; efficientat-mn04 has its own frames");
    if (o->rate != FRONTEND_MN04_RATE)
        return fail("--frontend efficientat-mn04 reads 32 kHz; leave out "
                    "--rate or give --rate 32000");
    if (o->family != ARCH_RECURRENT && o->family != ARCH_STATS)
        return fail("--frontend efficientat-mn04 feeds a recurrent or "
                    "stats head: --model lstm, gru, blstm or stats");
    if (frontend_params_frames(&(frontend_params){.kind = o->frontend},
                               (int)lround(o->window * o->rate)) < 1 ||
        o->window < 0.1)
        return fail("--frontend efficientat-mn04 needs a --window of at "
                    "least 0.1 s");
    return 0;
}

static int check_frontend(const run_options *o)
{
    uint64_t logmel_only = GIVEN(OPT_FFT) | GIVEN(OPT_HOP) | GIVEN(OPT_MELS);
    if (o->frontend == FRONTEND_EFFICIENTAT_MN04)
        return check_pretrained(o);
    if (o->frontend == FRONTEND_LOGMEL && (o->given & GIVEN(OPT_FRAME)))
        return fail("--frame sets |X_t| for the raw front-end; with "
                    "--frontend logmel set --fft and --hop instead");
    if (o->frontend == FRONTEND_RAW && (o->given & logmel_only))
        return fail("--fft, --hop and --mels belong to --frontend logmel; "
                    "the raw front-end reads --frame samples a step");
    long samples = lround(o->window * o->rate);
    long frame = o->frontend == FRONTEND_RAW ? o->frame : o->fft;
    if (samples < frame) {
        fprintf(stderr, "irmas-train: error: a --window of %g s is %ld samples at "
                        "%d Hz, shorter than one frame (%ld samples); "
                        "lengthen the window\n",
                o->window, samples, o->rate, frame);
        return 2;
    }
    return 0;
}

static int reads_image(const run_options *o)
{
    return o->family == ARCH_CNN || o->family == ARCH_CRNN;
}

static int reads_logmel_frames(const run_options *o)
{
    return o->family != ARCH_CNN && o->frontend == FRONTEND_LOGMEL;
}

/* Log-mel frames, or else a logmel image: what --augment, --warp and
 * --eq change (the trainer's spectrogram). */
static int reads_spectrogram(const run_options *o)
{
    return reads_logmel_frames(o) ||
           (reads_image(o) && o->image == IMAGE_LOGMEL);
}

/* The flags that shape a model against the --model they go with. */
static int check_model_flags(const run_options *o)
{
    uint64_t image_flags = GIVEN(OPT_IMAGE) | GIVEN(OPT_IMAGE_SIZE) |
                           GIVEN(OPT_IMAGE_CHANNELS);
    uint64_t frame_flags = GIVEN(OPT_FRONTEND) | GIVEN(OPT_FRAME) |
                           GIVEN(OPT_FFT) | GIVEN(OPT_HOP) | GIVEN(OPT_MELS);
    int image = reads_image(o);
    if (!image && (o->given & image_flags))
        return fail("--image, --image-size and --image-channels belong to "
                    "the image models, --model cnn-bK and crnn-bK");
    if (o->family != ARCH_RECURRENT && (o->given & GIVEN(OPT_HIDDEN)))
        return fail("--hidden sizes the cell of a recurrent model; stats and "
                    "cnn-bK have none, and crnn-bK's LSTM is as wide as "
                    "Bk's dense layer (128)");
    if (o->family == ARCH_CRNN && (o->given & GIVEN(OPT_DENSE)))
        return fail("--dense adds a layer to a recurrent or stats model, "
                    "or sizes a cnn-bK's hidden one; crnn-bK's is Bk's "
                    "own, as wide as its LSTM");
    if (o->family == ARCH_CNN && (o->given & frame_flags))
        return fail("cnn-bK reads only the window's image; --frontend, "
                    "--frame, --fft, --hop and --mels belong to models "
                    "that read frames");
    if (o->family == ARCH_STATS && o->frontend == FRONTEND_RAW)
        return fail("--model stats summarises log-mel frames or the "
                    "teacher's; add --frontend logmel or efficientat-mn04");
    if (o->export_dir && o->family != ARCH_RECURRENT && o->family != ARCH_CNN)
        return fail("--export writes what bench/train_torch.py reads, "
                    "which trains recurrent models and CNNs only");
    return 0;
}

/* A flag that changes log-mel input (--augment, --warp, --eq, --level) against
 * the input it changes: does says what it does to it, undone what
 * bench/train_torch.py therefore never does ("masks no frames"); changes
 * is 0 when its value leaves every frame as it is (masks of width 0),
 * which --export allows. images is 1 when the flag changes a logmel image
 * too (--level does not: the image is the same at any level). */
static int check_logmel_change(const run_options *o, int id, int changes,
                               int images, const char *does,
                               const char *undone)
{
    if (!(o->given & GIVEN(id))) return 0;
    const char *flag = option_table[id].name;
    char why[256];
    if (!(images ? reads_spectrogram(o) : reads_logmel_frames(o))) {
        snprintf(why, sizeof why, "--%s %s, and this model reads none: "
                 "add --frontend logmel%s", flag, does,
                 images ? ", or read --image logmel"
                        : " (a logmel image is the same at any level)");
        return fail(why);
    }
    if (o->export_dir && changes) {
        snprintf(why, sizeof why, "--export is for bench/train_torch.py, "
                 "which %s; leave out --%s to compare with it", undone, flag);
        return fail(why);
    }
    return 0;
}

/* --augment against the log-mel frames it masks. */
static int check_augment(const run_options *o)
{
    if (!(o->given & GIVEN(OPT_AUGMENT))) return 0;
    int status = check_logmel_change(o, OPT_AUGMENT,
                                     spec_augment_runs(&o->augment) > 0, 1,
                                     "masks log-mel bands and frames",
                                     "masks no frames");
    if (status != 0) return status;
    frontend_params p = {.kind = FRONTEND_LOGMEL, .frame = o->hop,
                         .fft_size = o->fft, .mels = o->mels};
    int frames = frontend_params_frames(&p, (int)lround(o->window * o->rate));
    int bands = o->mels;
    const char *sizes = "--mels";
    if (!reads_logmel_frames(o)) {
        frames = bands = o->image_size;
        sizes = "--image-size";
    }
    const spec_augment_params *a = &o->augment;
    if (a->freq_width <= bands && a->time_width <= frames) return 0;
    fprintf(stderr, "irmas-train: error: --augment %d,%d,%d,%d: runs of up to %d "
                    "bands and %d frames, but a window has %d bands (%s) "
                    "and %d frames; narrow them\n",
            a->freq_masks, a->freq_width, a->time_masks, a->time_width,
            a->freq_width, a->time_width, bands, sizes, frames);
    return 2;
}

/* The image against the window, and the CNN against the image. */
static int check_image(const run_options *o)
{
    image_params p = {.kind = o->image, .size = o->image_size,
                      .channels = o->image_channels};
    char err[512];
    if (image_check(&p, o->rate, (int)lround(o->window * o->rate), err,
                    sizeof err) != IRMAS_OK) {
        fprintf(stderr, "irmas-train: error: %s\n", err);
        return 2;
    }
    cnn_zoo_stack stack;
    if (cnn_zoo_build(o->arch, o->image_size, o->image_channels, 1, &stack,
                      err, sizeof err) != IRMAS_OK) {
        fprintf(stderr, "irmas-train: error: --image-size %d: %s\n", o->image_size,
                err);
        return 2;
    }
    return 0;
}

/* The distillation flags need a teacher (--teacher-cache also serves a
 * pretrained front-end's frames), and the export has no room for its
 * targets. */
static int check_distill(const run_options *o)
{
    uint64_t teacher_only = GIVEN(OPT_DISTILL) | GIVEN(OPT_TEMPERATURE) |
                            GIVEN(OPT_UNLABELLED) | GIVEN(OPT_MATCH_EMBEDDING);
    if (!o->teacher && (o->given & teacher_only))
        return fail("--distill, --temperature, --unlabelled and "
                    "--match-embedding need --teacher DIR, the network "
                    "whose targets they are about");
    if (o->n_unlabelled == 0 && (o->given & GIVEN(OPT_UNLABELLED_CONFIDENCE)))
        return fail("--unlabelled-confidence chooses among the windows of "
                    "--unlabelled DIR; give the folder, or leave it out");
    if (!o->teacher && o->frontend != FRONTEND_EFFICIENTAT_MN04 &&
        (o->given & GIVEN(OPT_TEACHER_CACHE)))
        return fail("--teacher-cache keeps what the teacher computes: the "
                    "targets of --teacher DIR, or the frames of --frontend "
                    "efficientat-mn04; give one of them, or leave it out");
    if (o->teacher && o->export_dir)
        return fail("--export writes hard labels for bench/train_torch.py, "
                    "which knows no teacher; leave out --teacher to "
                    "export");
    if (o->mixup > 0.0 && o->export_dir)
        return fail("--export writes unmixed examples for "
                    "bench/train_torch.py; leave out --mixup to export");
    return 0;
}

int run_options_check(const run_options *o)
{
    if (o->n_dirs == 0)
        return fail("give at least one --data DIR (or --resume a "
                    "checkpoint); see --help");
    if (!o->out)
        return fail("give --out FILE.irm, where the trained model goes");
    if (strcmp(o->split_by, "irmas") != 0 && strcmp(o->split_by, "file") != 0 &&
        strncmp(o->split_by, "regex:", 6) != 0)
        return fail("--split-by takes irmas, file or regex:PATTERN");
    if (o->val_fraction + o->test_fraction >= 1.0)
        return fail("--val-fraction and --test-fraction add up to 1 or "
                    "more, which leaves nothing to train on");
    int status = check_model_flags(o);
    if (status == 0) status = check_distill(o);
    if (status == 0 && o->family != ARCH_CNN) status = check_frontend(o);
    if (status == 0) status = check_augment(o);
    if (status == 0)
        status = check_logmel_change(o, OPT_WARP, 1, 1,
                                     "scales log-mel spectra in frequency",
                                     "warps no frames");
    if (status == 0)
        status = check_logmel_change(o, OPT_EQ, 1, 1,
                                     "changes log-mel spectra's colour",
                                     "equalises nothing");
    if (status == 0)
        status = check_logmel_change(o, OPT_LEVEL, 1, 0,
                                     "makes log-mel frames louder or quieter",
                                     "changes no levels");
    if (status == 0 && reads_image(o)) status = check_image(o);
    return status;
}

/* ---- writing them back ------------------------------------------------ */

static void put_flag(FILE *f, int id)
{
    fprintf(f, "--%s", option_table[id].name);
    fputc('\0', f);
}

static void put_text(FILE *f, int id, const char *value)
{
    put_flag(f, id);
    fputs(value, f);
    fputc('\0', f);
}

static void put_int(FILE *f, int id, long value)
{
    put_flag(f, id);
    fprintf(f, "%ld", value);
    fputc('\0', f);
}

/* A real in the fewest digits that read back as the same double, so that
 * a flag given as 0.4 is stored and quoted as 0.4. */
static void put_real(FILE *f, int id, double value)
{
    char text[32];
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(text, sizeof text, "%.*g", digits, value);
        if (strtod(text, NULL) == value) break;
    }
    put_flag(f, id);
    fputs(text, f);
    fputc('\0', f);
}

/* --model, and the flags of its shape that it takes (check_model_flags):
 * only those, so that a resume reads them back without complaint. */
static void put_shape(FILE *f, const run_options *o)
{
    char name[32];
    model_arch a = {.family = o->family, .cell = o->cell,
                    .gru_reset_after = o->gru_reset_after, .zoo = o->arch};
    model_arch_name(&a, name, sizeof name);
    put_text(f, OPT_MODEL, name);
    if (o->family == ARCH_RECURRENT) put_int(f, OPT_HIDDEN, o->hidden);
    if (o->family == ARCH_RECURRENT || o->family == ARCH_STATS ||
        (o->family == ARCH_CNN && o->dense > 0))
        put_int(f, OPT_DENSE, o->dense);
    if (reads_image(o)) {
        put_text(f, OPT_IMAGE, image_kind_name(o->image));
        put_int(f, OPT_IMAGE_SIZE, o->image_size);
        put_int(f, OPT_IMAGE_CHANNELS, o->image_channels);
    }
    if (o->family == ARCH_CNN) return;
    put_text(f, OPT_FRONTEND, frontend_kind_name(o->frontend));
    if (o->frontend == FRONTEND_RAW) {
        put_int(f, OPT_FRAME, o->frame);
    } else if (o->frontend == FRONTEND_LOGMEL) {
        put_int(f, OPT_FFT, o->fft);
        put_int(f, OPT_HOP, o->hop);
        put_int(f, OPT_MELS, o->mels);
    }
}

/* --augment: written for every model that reads log-mel frames, masks or
 * none, so that a resume with other masks is refused naming this flag. */
static void put_augment(FILE *f, const spec_augment_params *a)
{
    put_flag(f, OPT_AUGMENT);
    fprintf(f, "%d,%d,%d,%d", a->freq_masks, a->freq_width, a->time_masks,
            a->time_width);
    fputc('\0', f);
}

static void put_defining(FILE *f, const run_options *o)
{
    put_shape(f, o);
    put_real(f, OPT_DROPOUT, o->dropout);
    if (o->mixup > 0.0) put_real(f, OPT_MIXUP, o->mixup);
    if (reads_spectrogram(o)) put_augment(f, &o->augment);
    if (o->warp > 0.0) put_real(f, OPT_WARP, o->warp);
    if (o->eq > 0.0) put_real(f, OPT_EQ, o->eq);
    if (o->level > 0.0) put_real(f, OPT_LEVEL, o->level);
    put_text(f, OPT_NORM, o->norm == NORM_PEAK ? "peak" : "none");
    put_int(f, OPT_RATE, o->rate);
    put_real(f, OPT_WINDOW, o->window);
    put_text(f, OPT_CLASSES, o->classes);
    put_text(f, OPT_SPLIT_BY, o->split_by);
    if (o->mixdown) put_flag(f, OPT_MIXDOWN);
    put_real(f, OPT_VAL, o->val_fraction);
    put_real(f, OPT_TEST, o->test_fraction);
    put_int(f, OPT_BATCH, o->batch);
    put_real(f, OPT_LR, o->lr);
    put_real(f, OPT_CLIP, o->clip);
    put_flag(f, OPT_SEED);
    fprintf(f, "%" PRIu64, o->seed);
    fputc('\0', f);
    if (o->init) put_text(f, OPT_INIT, o->init);
    for (int i = 0; i < o->n_dirs; i++) put_text(f, OPT_DATA, o->dirs[i]);
    if (!o->teacher) return;
    put_text(f, OPT_TEACHER, o->teacher);
    put_real(f, OPT_DISTILL, o->distill);
    put_real(f, OPT_TEMPERATURE, o->temperature);
    for (int i = 0; i < o->n_unlabelled; i++)
        put_text(f, OPT_UNLABELLED, o->unlabelled[i]);
    if (o->n_unlabelled > 0)
        put_real(f, OPT_UNLABELLED_CONFIDENCE, o->unlabelled_confidence);
    if (o->match_embedding > 0.0)
        put_real(f, OPT_MATCH_EMBEDDING, o->match_embedding);
}

/* Runs put over a memory stream; the buffer, or NULL. */
static char *collect(const run_options *o, int everything, size_t *size)
{
    char *buffer = NULL;
    FILE *f = open_memstream(&buffer, size);
    if (!f) return NULL;
    put_defining(f, o);
    if (everything) {
        put_int(f, OPT_EPOCHS, o->epochs);
        put_int(f, OPT_PATIENCE, o->patience);
        put_int(f, OPT_THREADS, o->threads);
        put_text(f, OPT_OUT, o->out);
        if (o->checkpoint) put_text(f, OPT_CHECKPOINT, o->checkpoint);
        if (o->log) put_text(f, OPT_LOG, o->log);
        if (o->teacher_cache)
            put_text(f, OPT_TEACHER_CACHE, o->teacher_cache);
        if (o->weights) put_text(f, OPT_WEIGHTS, o->weights);
    }
    if (fclose(f) != 0) {
        free(buffer);
        return NULL;
    }
    return buffer;
}

int run_options_network_given(const run_options *o)
{
    uint64_t network = GIVEN(OPT_MODEL) | GIVEN(OPT_HIDDEN) |
                       GIVEN(OPT_DENSE) | GIVEN(OPT_FRAME) |
                       GIVEN(OPT_FRONTEND) | GIVEN(OPT_FFT) | GIVEN(OPT_HOP) |
                       GIVEN(OPT_MELS) | GIVEN(OPT_NORM) | GIVEN(OPT_RATE) |
                       GIVEN(OPT_WINDOW) | GIVEN(OPT_IMAGE) |
                       GIVEN(OPT_IMAGE_SIZE) | GIVEN(OPT_IMAGE_CHANNELS);
    return (o->given & network) != 0;
}

/* 1 unless the command line gave flag id. */
static int not_given(const run_options *o, int id)
{
    return !(o->given & GIVEN(id));
}

int run_options_network_of(run_options *o, const irmas_model *m,
                           const model_arch *arch)
{
    if (!not_given(o, OPT_MODEL) &&
        (o->family != arch->family || o->arch != arch->zoo ||
         o->cell != arch->cell || o->gru_reset_after != arch->gru_reset_after))
        return 0;
    o->family = arch->family;
    o->arch = arch->zoo;
    o->cell = arch->cell;
    o->gru_reset_after = arch->gru_reset_after;
    if (not_given(o, OPT_RATE)) o->rate = m->sample_rate;
    if (not_given(o, OPT_WINDOW))
        o->window = (double)m->window_samples / m->sample_rate;
    if (not_given(o, OPT_NORM)) o->norm = m->norm;
    if (m->frontend.kind && not_given(o, OPT_FRONTEND))
        o->frontend = m->frontend.kind;
    if (m->frontend.kind == FRONTEND_RAW && not_given(o, OPT_FRAME))
        o->frame = m->frontend.frame;
    if (m->frontend.kind == FRONTEND_LOGMEL) {
        if (not_given(o, OPT_HOP)) o->hop = m->frontend.frame;
        if (not_given(o, OPT_FFT)) o->fft = m->frontend.fft_size;
        if (not_given(o, OPT_MELS)) o->mels = m->frontend.mels;
    }
    if (m->image.kind) {
        if (not_given(o, OPT_IMAGE)) o->image = m->image.kind;
        if (not_given(o, OPT_IMAGE_SIZE)) o->image_size = m->image.size;
        if (not_given(o, OPT_IMAGE_CHANNELS))
            o->image_channels = m->image.channels;
    }
    const layer *before = &m->layers[m->n_layers > 1 ? m->n_layers - 2 : 0];
    int dense = not_given(o, OPT_DENSE);
    if (arch->family == ARCH_CNN && dense && before->kind == LAYER_DENSE &&
        before->u.dense.outputs != arch->zoo->hidden)
        o->dense = before->u.dense.outputs;
    if (arch->family != ARCH_RECURRENT && arch->family != ARCH_STATS) return 1;
    const layer *first = &m->layers[0];
    if (layer_is_recurrent(first) && not_given(o, OPT_HIDDEN))
        o->hidden = layer_outputs(first) / (first->kind == LAYER_BLSTM ? 2 : 1);
    if (dense)
        o->dense = m->n_layers > 2 && before->kind == LAYER_DENSE
                       ? before->u.dense.outputs
                       : 0;
    return 1;
}

char *run_options_args(const run_options *o, size_t *size)
{
    return collect(o, 1, size);
}

char *run_options_defining(const run_options *o, size_t *size)
{
    return collect(o, 0, size);
}

char **run_options_split(const char *program, const char *args, size_t size,
                         int *argc)
{
    int n = 1;
    for (size_t i = 0; i < size; i++) n += args[i] == '\0';
    char **argv = calloc((size_t)n + 1, sizeof *argv);
    if (!argv) return NULL;
    argv[0] = (char *)program;
    *argc = 1;
    for (size_t i = 0; i < size; i += strlen(args + i) + 1)
        argv[(*argc)++] = (char *)args + i;
    return argv;
}

/* Appends text to out[out_size] after its first *used bytes, cutting it
 * short rather than overflowing; out stays NUL-terminated. */
static void append_text(char *out, size_t out_size, size_t *used,
                        const char *text)
{
    size_t room = out_size - 1 - *used, length = strlen(text);
    if (length > room) length = room;
    memcpy(out + *used, text, length);
    *used += length;
    out[*used] = '\0';
}

/* The flag whose value token i of args[size] is part of, and that value,
 * written into out: "--hidden 100", or "nothing" past the end. */
static void describe_flag(const char *args, size_t size, size_t at,
                          char *out, size_t out_size)
{
    if (out_size == 0) return;
    size_t used = 0;
    out[0] = '\0';
    if (at >= size) {
        append_text(out, out_size, &used, "nothing");
        return;
    }
    size_t flag = 0;
    for (size_t i = 0; i <= at; i += strlen(args + i) + 1)
        if (strncmp(args + i, "--", 2) == 0) flag = i;
    append_text(out, out_size, &used, args + flag);
    for (size_t i = flag + strlen(args + flag) + 1;
         i < size && strncmp(args + i, "--", 2) != 0;
         i += strlen(args + i) + 1) {
        append_text(out, out_size, &used, " ");
        append_text(out, out_size, &used, args + i);
    }
}

int run_options_same_run(const char *before, size_t before_size,
                         const char *now, size_t now_size, char *why,
                         size_t why_size)
{
    size_t a = 0, b = 0;
    while (a < before_size && b < now_size &&
           strcmp(before + a, now + b) == 0) {
        a += strlen(before + a) + 1;
        b += strlen(now + b) + 1;
    }
    if (a >= before_size && b >= now_size) return 1;
    char was[256], is[256];
    describe_flag(before, before_size, a, was, sizeof was);
    describe_flag(now, now_size, b, is, sizeof is);
    snprintf(why, why_size, "the checkpoint's run has '%s' where this "
                            "command has '%s'; a resumed run keeps its "
                            "model and data (only --epochs, --patience, "
                            "--threads, --out, --checkpoint, --log, "
                            "--teacher-cache and --weights may change)",
                            was, is);
    return 0;
}

/* irmas-model: inspect, check and create .irm model files.
 *
 *   irmas-model info FILE    what the model is, layer by layer
 *   irmas-model check FILE   exit 0 if it is a model irmasd can run, else 1
 *   irmas-model new ...      write an untrained model with random weights
 *   irmas-model diff A B     the largest difference of every tensor
 *   irmas-model average --out FILE A B ...   the mean of their weights
 *
 * info and check read the file with irmas_model_load, which already refuses any
 * damaged or inconsistent file with a message naming the field; check then
 * runs a window of silence through irmas_window_classify, as irmasd would, and
 * wants finite probabilities that sum to 1. new builds the study's
 * architectures with weights drawn uniformly from +-1/sqrt(fan-in), for
 * trying pipelines and benchmarks before a model is trained: a recurrent
 * layer, an optional ReLU layer and a softmax; the statistics baseline
 * (stats, an optional ReLU layer, a softmax); the CNNs (the study's B1
 * to B4 and our cnn-mel) on an image; and the CRNNs, a CNN's image
 * branch giving an LSTM over the
 * frames its initial state (cnn_zoo.h and model.h say how).
 *
 * Exit status: 0 success, 1 an invalid model or a failure, 2 bad usage.
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "irmas/version.h"
#include "cnn_zoo.h"
#include "model.h"
#include "model_arch.h"
#include "model_average.h"
#include "model_diff.h"
#include "model_file.h"
#include "number.h"
#include "pretrained.h"
#include "rng.h"
#include "tool_common.h"
#include "window.h"

#define EXIT_USAGE 2
#define NEW_MAX_UNITS 65536

static const char usage_text[] =
    "usage: irmas-model COMMAND [OPTIONS]\n"
    "\n"
    "Inspects, checks and creates irmas model files (.irm).\n"
    "\n"
    "commands:\n"
    "  info FILE    the model: rate, window, front-end, classes, layers,\n"
    "               parameters and provenance\n"
    "  check FILE   exit 0 if FILE is a valid model, 1 with the reason if "
    "not\n"
    "  new ...      write an untrained model with small random weights\n"
    "  diff A B     the largest difference of every weight tensor of two\n"
    "               models of the same shape\n"
    "  average --out FILE A B ...   a model whose weights are the mean of\n"
    "               theirs (runs fine-tuned from one model)\n"
    "\n"
    "`irmas-model COMMAND --help` describes a command; --version says the\n"
    "version.\n";

static const char info_text[] =
    "usage: irmas-model info FILE\n"
    "\n"
    "Prints what FILE holds: sample rate, window (samples and seconds), the\n"
    "front-end and its parameters, frames per window, the image and its\n"
    "size, normalisation, the classes in output order, each layer with its\n"
    "shape and parameter count, the total, and the provenance (data,\n"
    "command, date). Exits 1 if FILE is not a valid model.\n";

static const char check_text[] =
    "usage: irmas-model check FILE\n"
    "\n"
    "Exits 0 if FILE is a valid model: it reads back whole (checksum, sizes,\n"
    "shapes), its layers fit together, its weights are finite, and a window\n"
    "of silence classifies to finite probabilities that sum to 1. Otherwise\n"
    "prints why and exits 1. A model whose front-end is pretrained\n"
    "(efficientat-mn04) runs with the weights in $IRMAS_WEIGHTS, else the\n"
    "installed ones.\n";

static const char new_text[] =
    "usage: irmas-model new --arch ARCH [--hidden H] [--dense N]\n"
    "         [--frontend raw --frame X\n"
    "        | --frontend logmel [--fft N] [--hop N] [--mels N] [--fmin HZ]\n"
    "                            [--fmax HZ]]\n"
    "         [--image stack|mrp|logmel] [--image-size N]\n"
    "         [--image-channels N]\n"
    "         --rate R --window SECONDS --classes A,B,... [--norm none|peak]\n"
    "         [--seed S] --out FILE\n"
    "\n"
    "Writes an UNTRAINED model: its weights are small random numbers, so "
    "what\n"
    "it says about audio means nothing. It is for testing pipelines "
    "(irmasd,\n"
    "irmas-eval, irmas-tag) and for benchmarks; train a real model with\n"
    "irmas-train.\n"
    "\n"
    "  --arch       rnn, lstm, gru (PyTorch's form), gru-original (Cho et "
    "al.'s,\n"
    "               the study's), blstm: a recurrent layer (needs --hidden\n"
    "               and --frontend);\n"
    "               stats: each feature's mean and deviation over the window\n"
    "               (front-end default: logmel);\n"
    "               cnn-b1 .. cnn-b4: the study's CNNs on an image, no\n"
    "               front-end; cnn-mel: ours, for 64 x 64 logmel images;\n"
    "               crnn-b1 .. crnn-b4: a CNN's blocks on the image give an\n"
    "               LSTM of 128 units over the frames its initial state\n"
    "               (front-end default: raw, --frame 100)\n"
    "  --hidden     units of the recurrent layer (1 to 65536)\n"
    "  --dense      units of a ReLU layer before the softmax (default: none;\n"
    "               recurrent and stats models)\n"
    "  --image      cnn and crnn: stack, mrp: multiresolution recurrence "
    "plots,\n"
    "               or logmel: the log-mel spectrogram (default: the one the\n"
    "               CNN was made for, mrp for the study's, logmel for mel)\n"
    "  --image-size pixels a side (default 150, the study's)\n"
    "  --image-channels\n"
    "               mrp resolutions (default 3, the study's); stack has 1\n"
    "  --frontend   raw: --frame samples per timestep (the study's |X_t|)\n"
    "               logmel: log mel bands of a --fft point FFT (default "
    "2048)\n"
    "               every --hop samples (default fft/4), --mels bands "
    "(default\n"
    "               128) from --fmin (default 0) to --fmax Hz (default "
    "rate/2)\n"
    "  --rate       sample rate in Hz\n"
    "  --window     seconds per classified window\n"
    "  --classes    the class labels in output order, comma-separated\n"
    "  --norm       peak: scale each window to peak 1 first (default none)\n"
    "  --seed       seed of the random weights (default 1)\n"
    "  --out        the file to write\n";

/* ---- info ---- */

static long layer_parameters(const layer *l)
{
    layer copy = *l;
    layer_tensor t[LAYER_MAX_TENSORS];
    int n = layer_tensors(&copy, t);
    long total = 0;
    for (int i = 0; i < n; i++) total += t[i].count;
    return total;
}

/* "3x150x150 -> 16x47x47, k10 s3 p0, relu": an image layer's input and
 * output images, then its window. */
static void describe_image_layer(const layer *l, char *out, size_t size)
{
    if (l->kind == LAYER_CONV2D) {
        const conv2d_layer *c = &l->u.conv2d;
        snprintf(out, size, "%dx%dx%d -> %dx%dx%d, k%d s%d p%d, %s",
                 c->channels, c->height, c->width, c->filters,
                 conv2d_out_height(c), conv2d_out_width(c), c->kernel,
                 c->stride, c->padding, activation_name(c->act));
        return;
    }
    const pool_layer *p = &l->u.pool;
    snprintf(out, size, "%dx%dx%d -> %dx%dx%d, %dx%d s%d", p->channels,
             p->height, p->width, p->channels, pool_out_height(p),
             pool_out_width(p), p->size, p->size, p->stride);
}

/* "40 -> 8", with what sets the kind apart. */
static void describe_shape(const layer *l, char *out, size_t size)
{
    switch (l->kind) {
    case LAYER_CONV2D:
    case LAYER_MAXPOOL:
        describe_image_layer(l, out, size);
        break;
    case LAYER_STATS:
        snprintf(out, size, "%d -> %d, mean and deviation",
                 l->u.stats.inputs, 2 * l->u.stats.inputs);
        break;
    case LAYER_DENSE:
        snprintf(out, size, "%d -> %d, %s", l->u.dense.inputs,
                 l->u.dense.outputs, activation_name(l->u.dense.act));
        break;
    case LAYER_GRU:
        snprintf(out, size, "%d -> %d, %s", l->u.gru.inputs, l->u.gru.hidden,
                 l->u.gru.reset_after ? "reset after (PyTorch)"
                                      : "reset before (original)");
        break;
    case LAYER_BLSTM:
        snprintf(out, size, "%d -> 2 x %d", l->u.blstm.fwd.inputs,
                 l->u.blstm.fwd.hidden);
        break;
    default:
        snprintf(out, size, "%d -> %d", layer_inputs(l), layer_outputs(l));
    }
}

static void print_frontend(const irmas_model *m)
{
    const frontend_params *p = &m->frontend;
    if (p->kind == 0) {
        printf("front-end   none: the model reads no frames\n");
        return;
    }
    if (p->kind == FRONTEND_RAW)
        printf("front-end   raw: %d samples per frame (|X_t|)\n", p->frame);
    else if (frontend_is_pretrained(p))
        printf("front-end   %s: the AudioSet teacher's per-frame "
               "embeddings, weights.f32 CRC-32 0x%08x (not in this file)\n",
               frontend_kind_name(p->kind), p->checksum);
    else
        printf("front-end   logmel: %d-point FFT every %d samples, %d mel "
               "bands from %g to %g Hz\n", p->fft_size, p->frame, p->mels,
               (double)p->fmin, (double)p->fmax);
    printf("            %d features per frame, %d frames per window\n",
           model_features(m), model_frames(m));
}

static void print_image(const irmas_model *m)
{
    const image_params *p = &m->image;
    if (p->kind == 0) return;
    printf("image       %s: %d x %d pixels, %d channel%s%s\n",
           image_kind_name(p->kind), p->size, p->size, p->channels,
           p->channels == 1 ? "" : "s",
           p->kind == IMAGE_MRP ? " (resolutions)" : "");
}

static void print_info(const char *path, const irmas_model *m)
{
    struct stat st;
    if (stat(path, &st) == 0)
        printf("file        %s (%lld bytes)\n", path, (long long)st.st_size);
    printf("sample rate %d Hz\n", m->sample_rate);
    printf("window      %d samples (%.3f s)\n", m->window_samples,
           (double)m->window_samples / m->sample_rate);
    print_frontend(m);
    print_image(m);
    printf("normalise   %s; feature mean and scale: %s\n",
           m->norm == NORM_PEAK ? "each window to peak 1" : "none",
           m->feature_mean ? "stored" : "none");
    printf("classes     %d:", m->classes);
    for (int c = 0; c < m->classes; c++) printf(" %s", m->labels[c]);
    printf("\nlayers      %d\n", m->n_layers);
    for (int i = 0; i < m->n_layers; i++) {
        char shape[96];
        describe_shape(&m->layers[i], shape, sizeof shape);
        printf("  %2d %-7s %-40s %10ld parameters\n", i,
               layer_kind_name(m->layers[i].kind), shape,
               layer_parameters(&m->layers[i]));
    }
    long total = model_parameters(m);
    printf("parameters  %ld (%.1f KiB of float32)\n", total,
           total * 4.0 / 1024.0);
    model_cost cost = model_cost_of(m);
    printf("cost        %.1f MB to run, %.3f G operations a window\n",
           cost.memory_bytes / 1048576.0, cost.ops / 1e9);
    printf("provenance  %s\n",
           m->provenance && *m->provenance ? m->provenance : "(none)");
}

/* ---- check ---- */

/* Runs a window of silence; 0 if the probabilities are finite and sum to
 * 1, else -1 with the reason in err. */
static int check_silence(const irmas_model *m, char *err, size_t errlen)
{
    irmas_window *w = NULL;
    float *silence = calloc((size_t)m->window_samples, sizeof *silence);
    float probs[MODEL_MAX_CLASSES];
    if (!silence) {
        snprintf(err, errlen, "out of memory for a window of silence");
        return -1;
    }
    irmas_status status = irmas_window_new(m, &w, err, errlen);
    if (status == IRMAS_OK) irmas_window_classify(w, silence, probs);
    irmas_window_free(w);
    free(silence);
    if (status != IRMAS_OK) return -1;

    double sum = 0.0;
    for (int c = 0; c < m->classes; c++) {
        if (!isfinite(probs[c])) {
            snprintf(err, errlen, "a window of silence gives class '%s' a "
                     "probability of %g", m->labels[c], (double)probs[c]);
            return -1;
        }
        sum += probs[c];
    }
    if (fabs(sum - 1.0) > 1e-4) {
        snprintf(err, errlen, "a window of silence gives probabilities "
                 "summing to %g, not 1", sum);
        return -1;
    }
    return 0;
}

/* ---- new ---- */

typedef struct {
    const char *arch;
    arch_family family;
    layer_kind kind;
    const cnn_zoo_arch *zoo; /* cnn and crnn */
    int reset_after, hidden, dense;
    frontend_params frontend;
    image_params image;
    int rate;
    double window;
    const char *classes;
    norm_kind norm;
    uint64_t seed;
    const char *out;
} new_options;

/* Says what is wrong with the options and returns the exit status. */
static int fail_usage(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static int fail_usage(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "irmas-model: error: new: ");
    vfprintf(stderr, fmt, args);
    fprintf(stderr, "\nrun `irmas-model new --help` for the options\n");
    va_end(args);
    return EXIT_USAGE;
}

/* A whole number from min to max, or -1 after saying why not. */
static long parse_whole(const char *option, const char *text, long min,
                        long max)
{
    long v;
    if (number_whole(text, min, max, &v) != 0) {
        fprintf(stderr, "irmas-model: error: new: %s must be a whole number from "
                        "%ld to %ld, not '%s'\n", option, min, max, text);
        return -1;
    }
    return v;
}

static double parse_real(const char *option, const char *text, double min,
                         double max)
{
    double v;
    if (number_real(text, min, max, &v) != 0) {
        fprintf(stderr, "irmas-model: error: new: %s must be a number from %g to "
                        "%g, not '%s'\n", option, min, max, text);
        return NAN;
    }
    return v;
}

static int parse_arch(new_options *o, const char *text)
{
    model_arch a;
    if (model_arch_parse(text, &a) != 0)
        return fail_usage("--arch is '%s'; use " MODEL_ARCH_NAMES, text);
    o->arch = text;
    o->family = a.family;
    o->kind = a.cell;
    o->reset_after = a.gru_reset_after;
    o->zoo = a.zoo;
    return 0;
}

enum {
    OPT_FFT = 256,
    OPT_HOP,
    OPT_MELS,
    OPT_FMIN,
    OPT_FMAX,
    OPT_IMAGE,
    OPT_IMAGE_SIZE,
    OPT_IMAGE_CHANNELS
};

static const struct option new_long_options[] = {
    {"arch", required_argument, NULL, 'a'},
    {"hidden", required_argument, NULL, 'H'},
    {"dense", required_argument, NULL, 'd'},
    {"frontend", required_argument, NULL, 'f'},
    {"frame", required_argument, NULL, 'x'},
    {"fft", required_argument, NULL, OPT_FFT},
    {"hop", required_argument, NULL, OPT_HOP},
    {"mels", required_argument, NULL, OPT_MELS},
    {"fmin", required_argument, NULL, OPT_FMIN},
    {"fmax", required_argument, NULL, OPT_FMAX},
    {"image", required_argument, NULL, OPT_IMAGE},
    {"image-size", required_argument, NULL, OPT_IMAGE_SIZE},
    {"image-channels", required_argument, NULL, OPT_IMAGE_CHANNELS},
    {"rate", required_argument, NULL, 'r'},
    {"window", required_argument, NULL, 'w'},
    {"classes", required_argument, NULL, 'c'},
    {"norm", required_argument, NULL, 'n'},
    {"seed", required_argument, NULL, 's'},
    {"out", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Applies one option; 0, or the exit status after saying what is wrong. */
static int new_option(new_options *o, int opt, const char *arg)
{
    const struct {
        int opt;
        const char *name;
        long min, max;
        int *to;
    } whole[] = {
        {'H', "--hidden", 1, NEW_MAX_UNITS, &o->hidden},
        {'d', "--dense", 0, NEW_MAX_UNITS, &o->dense},
        {'x', "--frame", 1, 1 << 20, &o->frontend.frame},
        {OPT_HOP, "--hop", 1, 1 << 20, &o->frontend.frame},
        {OPT_FFT, "--fft", 16, 1 << 20, &o->frontend.fft_size},
        {OPT_MELS, "--mels", 1, 1 << 19, &o->frontend.mels},
        {'r', "--rate", 1000, 1000000, &o->rate},
        {OPT_IMAGE_SIZE, "--image-size", 1, IMAGE_MAX_SIZE, &o->image.size},
        {OPT_IMAGE_CHANNELS, "--image-channels", 1, IMAGE_MAX_CHANNELS,
         &o->image.channels},
    };
    for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++) {
        if (whole[i].opt != opt) continue;
        long v = parse_whole(whole[i].name, arg, whole[i].min, whole[i].max);
        if (v < 0) return EXIT_USAGE;
        *whole[i].to = (int)v;
        return 0;
    }
    double x = 0.0;
    switch (opt) {
    case 'a': return parse_arch(o, arg);
    case 'w':
        x = o->window = parse_real("--window", arg, 0.001, 300.0);
        break;
    case OPT_FMIN:
        x = parse_real("--fmin", arg, 0.0, 1e6);
        o->frontend.fmin = (float)x;
        break;
    case OPT_FMAX:
        x = parse_real("--fmax", arg, 0.0, 1e6);
        o->frontend.fmax = (float)x;
        break;
    case 's': {
        long seed = parse_whole("--seed", arg, 0, LONG_MAX);
        if (seed < 0) return EXIT_USAGE;
        o->seed = (uint64_t)seed;
        break;
    }
    case 'c': o->classes = arg; break;
    case 'o': o->out = arg; break;
    case 'f':
        if (strcmp(arg, "raw") == 0) o->frontend.kind = FRONTEND_RAW;
        else if (strcmp(arg, "logmel") == 0) o->frontend.kind = FRONTEND_LOGMEL;
        else return fail_usage("--frontend is '%s'; use raw or logmel", arg);
        break;
    case OPT_IMAGE:
        o->image.kind = image_kind_parse(arg);
        if (!o->image.kind)
            return fail_usage("--image is '%s'; use stack, mrp or logmel", arg);
        break;
    case 'n':
        if (strcmp(arg, "none") == 0) o->norm = NORM_NONE;
        else if (strcmp(arg, "peak") == 0) o->norm = NORM_PEAK;
        else return fail_usage("--norm is '%s'; use none or peak", arg);
        break;
    }
    return isnan(x) ? EXIT_USAGE : 0;
}

/* The front-end's defaults for what was not given. */
static void frontend_defaults(frontend_params *p, int rate)
{
    if (p->kind != FRONTEND_LOGMEL) return;
    if (!p->fft_size) p->fft_size = 2048;
    if (!p->frame) p->frame = p->fft_size / 4;
    if (!p->mels) p->mels = 128;
    if (!p->fmax) p->fmax = 0.5f * (float)rate;
}

/* What a family needs and refuses, and its defaults: a front-end for the
 * models that read frames (raw |X_t| = 100 for a CRNN, logmel for stats),
 * an image for the CNNs and CRNNs, the one each was made for (the study's
 * 150 x 150 mrp with 3 resolutions, cnn-mel's 64 x 64 logmel). */
static int family_defaults(new_options *o)
{
    int zoo = o->family == ARCH_CNN || o->family == ARCH_CRNN;
    frontend_params *p = &o->frontend;
    if (!zoo && (o->image.kind || o->image.size || o->image.channels))
        return fail_usage("--image, --image-size and --image-channels are "
                          "for cnn-* and crnn-* models");
    if (zoo && (o->hidden || o->dense))
        return fail_usage("%s sets its own layers' sizes; drop --hidden and "
                          "--dense", o->arch);
    if (o->family == ARCH_CNN && p->kind)
        return fail_usage("%s reads no frames; drop --frontend", o->arch);
    if (o->family == ARCH_RECURRENT && !o->hidden)
        return fail_usage("--hidden is required");
    if (o->family == ARCH_RECURRENT && !p->kind)
        return fail_usage("--frontend is required");
    if (o->family == ARCH_STATS && !p->kind) p->kind = FRONTEND_LOGMEL;
    if (o->family == ARCH_CRNN && !p->kind)
        *p = (frontend_params){.kind = FRONTEND_RAW, .frame = 100};
    if (!zoo) return 0;
    if (!o->image.kind) o->image.kind = o->zoo->image;
    if (!o->image.size) o->image.size = o->zoo->image_size;
    if (!o->image.channels)
        o->image.channels = image_default_channels(o->image.kind);
    return 0;
}

/* Fills what was not given from the defaults, and says what is missing. */
static int new_defaults(new_options *o)
{
    const char *missing = !o->family ? "--arch"
                          : !o->rate ? "--rate"
                          : !o->window ? "--window"
                          : !o->classes ? "--classes"
                          : !o->out ? "--out" : NULL;
    if (missing) return fail_usage("%s is required", missing);
    int status = family_defaults(o);
    if (status) return status;
    if (o->frontend.kind == FRONTEND_RAW && !o->frontend.frame)
        return fail_usage("--frontend raw needs --frame");
    frontend_defaults(&o->frontend, o->rate);
    return 0;
}

/* Comma-separated labels into m; 0, or -1 with the reason in err. */
static int set_labels(irmas_model *m, const char *list, char *err, size_t errlen)
{
    m->classes = 0;
    for (const char *at = list;; at++) {
        size_t n = strcspn(at, ",");
        if (n == 0 || n >= MODEL_LABEL_MAX ||
            m->classes == MODEL_MAX_CLASSES) {
            snprintf(err, errlen, "--classes '%s': give 1 to %d labels of 1 "
                     "to %d bytes, separated by commas", list,
                     MODEL_MAX_CLASSES, MODEL_LABEL_MAX - 1);
            return -1;
        }
        memcpy(m->labels[m->classes++], at, n);
        at += n;
        if (!*at) return 0;
    }
}

static void set_shape(layer *l, const new_options *o, int inputs)
{
    l->kind = o->kind;
    lstm_layer cell = {.inputs = inputs, .hidden = o->hidden};
    switch (o->kind) {
    case LAYER_RNN:
        l->u.rnn = (rnn_layer){.inputs = inputs, .hidden = o->hidden};
        break;
    case LAYER_LSTM: l->u.lstm = cell; break;
    case LAYER_GRU:
        l->u.gru = (gru_layer){.inputs = inputs, .hidden = o->hidden,
                               .reset_after = o->reset_after};
        break;
    case LAYER_BLSTM: l->u.blstm = (blstm_layer){cell, cell}; break;
    default: break;
    }
}

static void add_dense(irmas_model *m, int inputs, int outputs, activation act)
{
    layer *l = &m->layers[m->n_layers++];
    l->kind = LAYER_DENSE;
    l->u.dense = (dense_layer){.inputs = inputs, .outputs = outputs,
                               .act = act};
}

/* The ReLU layer (with --dense) and the softmax after `inputs` values. */
static void add_head(irmas_model *m, const new_options *o, int inputs)
{
    if (o->dense > 0) {
        add_dense(m, inputs, o->dense, ACT_RELU);
        inputs = o->dense;
    }
    add_dense(m, inputs, m->classes, ACT_SOFTMAX);
}

/* A CNN's layers, or a CRNN's: the CNN's branch, then an LSTM over the
 * frames as wide as the branch, then the softmax. 0, or -1 with the reason
 * in err. */
static int add_zoo_layers(irmas_model *m, const new_options *o, char *err,
                          size_t errlen)
{
    cnn_zoo_stack s;
    int crnn = o->family == ARCH_CRNN;
    if (cnn_zoo_build(o->zoo, o->image.size, o->image.channels, m->classes,
                      &s, err, errlen) != IRMAS_OK ||
        cnn_zoo_append(&s, crnn, m, err, errlen) != IRMAS_OK)
        return -1;
    if (!crnn) return 0;
    layer *l = &m->layers[m->n_layers++];
    l->kind = LAYER_LSTM;
    l->u.lstm = (lstm_layer){.inputs = model_features(m),
                             .hidden = s.hidden.outputs};
    add_dense(m, s.hidden.outputs, m->classes, ACT_SOFTMAX);
    return 0;
}

/* The layers --arch makes; 0, or -1 with the reason in err. */
static int add_layers(irmas_model *m, const new_options *o, char *err,
                      size_t errlen)
{
    layer *first = &m->layers[0];
    switch (o->family) {
    case ARCH_RECURRENT:
        set_shape(first, o, model_features(m));
        break;
    case ARCH_STATS:
        first->kind = LAYER_STATS;
        first->u.stats = (stats_layer){.inputs = model_features(m)};
        break;
    case ARCH_CNN:
    case ARCH_CRNN:
        return add_zoo_layers(m, o, err, errlen);
    }
    m->n_layers = 1;
    add_head(m, o, layer_outputs(first));
    return 0;
}

/* Inputs per output of l: a convolution's taps, another layer's inputs. */
static int fan_in(const layer *l)
{
    if (l->kind == LAYER_CONV2D)
        return l->u.conv2d.channels * l->u.conv2d.kernel * l->u.conv2d.kernel;
    return layer_inputs(l);
}

static void randomise(irmas_model *m, uint64_t seed)
{
    rng r;
    rng_from_word(&r, seed); /* the same weights on every machine */
    for (int i = 0; i < m->n_layers; i++) {
        layer_tensor t[LAYER_MAX_TENSORS];
        int n = layer_tensors(&m->layers[i], t);
        double bound = 1.0 / sqrt((double)fan_in(&m->layers[i]));
        for (int j = 0; j < n; j++)
            for (long k = 0; k < t[j].count; k++)
                (*t[j].data)[k] =
                    (float)(bound * (2.0 * rng_uniform(&r) - 1.0));
    }
}

/* "untrained: ...; command: irmas-model new ...; date: ...". argv starts
 * at "new". */
static int set_provenance(irmas_model *m, int argc, char **argv, uint64_t seed)
{
    char text[4096];
    size_t used = (size_t)snprintf(text, sizeof text, "untrained: random "
                                   "weights (seed %llu); command: irmas-model",
                                   (unsigned long long)seed);
    for (int i = 0; i < argc && used < sizeof text; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, " %s",
                                 argv[i]);
    char date[TOOL_DATE_SIZE];
    if (used < sizeof text && *tool_utc_now(date))
        snprintf(text + used, sizeof text - used, "; date: %s", date);
    return model_set_provenance(m, text) == IRMAS_OK ? 0 : -1;
}

static irmas_model *build_model(const new_options *o, char *err, size_t errlen)
{
    irmas_model *m = irmas_model_new();
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    m->sample_rate = o->rate;
    m->window_samples = (int)lround(o->window * o->rate);
    m->frontend = o->frontend;
    m->image = o->image;
    m->norm = o->norm;
    if (set_labels(m, o->classes, err, errlen) != 0 ||
        add_layers(m, o, err, errlen) != 0 ||
        model_alloc_weights(m, 0, err, errlen) != IRMAS_OK ||
        model_validate(m, err, errlen) != IRMAS_OK) {
        irmas_model_free(m);
        return NULL;
    }
    randomise(m, o->seed);
    return m;
}

static int command_new(int argc, char **argv)
{
    new_options o = {.seed = 1};
    int opt;
    optind = 1;
    opterr = 0; /* fail_usage says it */
    while ((opt = getopt_long(argc, argv, "", new_long_options, NULL)) != -1) {
        if (opt == 'h') {
            fputs(new_text, stdout);
            return 0;
        }
        if (opt == '?')
            return fail_usage("%s: unknown flag or missing value", argv[optind - 1]);
        int status = new_option(&o, opt, optarg);
        if (status) return status;
    }
    if (optind < argc)
        return fail_usage("unexpected argument '%s'", argv[optind]);
    int status = new_defaults(&o);
    if (status) return status;

    char err[512] = "";
    irmas_model *m = build_model(&o, err, sizeof err);
    if (!m) {
        fprintf(stderr, "irmas-model: error: new: %s\n", err);
        return EXIT_USAGE;
    }
    if (set_provenance(m, argc, argv, o.seed) != 0 ||
        irmas_model_save(m, o.out, err, sizeof err) != IRMAS_OK) {
        fprintf(stderr, "irmas-model: error: new: %s\n", *err ? err : "out of memory");
        irmas_model_free(m);
        return 1;
    }
    printf("%s: an untrained %s model, %ld parameters, random weights "
           "(seed %llu)\n", o.out, o.arch,
           model_parameters(m), (unsigned long long)o.seed);
    irmas_model_free(m);
    return 0;
}

/* ---- main ---- */

static int info_action(const char *path, const irmas_model *m)
{
    print_info(path, m);
    return 0;
}

static int check_action(const char *path, const irmas_model *m)
{
    char err[256];
    if (check_silence(m, err, sizeof err) != 0) {
        fprintf(stderr, "irmas-model: error: check: %s: %s\n", path, err);
        return 1;
    }
    printf("%s: valid: %d classes, %ld parameters; a window of silence "
           "gives finite probabilities summing to 1\n", path, m->classes,
           model_parameters(m));
    return 0;
}

/* info and check: loads the one FILE argument (with its pretrained
 * front-end's weights when runs is 1) and runs action on it. */
static int command_file(int argc, char **argv, const char *help, int runs,
                        int (*action)(const char *path, const irmas_model *m))
{
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        fputs(help, stdout);
        return 0;
    }
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "irmas-model: error: %s: give one model FILE\n%s", argv[0],
                help);
        return EXIT_USAGE;
    }
    char err[4096];
    irmas_model *m = NULL;
    irmas_status status =
        runs ? irmas_pretrained_load_model(argv[1], NULL, NULL, &m, err, sizeof err)
             : irmas_model_load(argv[1], &m, err, sizeof err);
    if (status != IRMAS_OK) {
        fprintf(stderr, "irmas-model: error: %s: %s\n", argv[0], err);
        return 1;
    }
    int exit_status = action(argv[1], m);
    irmas_model_free(m);
    return exit_status;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *command = argv[1];
    if (strcmp(command, "--help") == 0 || strcmp(command, "-h") == 0 ||
        strcmp(command, "help") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(command, "--version") == 0) {
        printf("irmas-model %s\n", IRMAS_VERSION);
        return 0;
    }
    if (strcmp(command, "info") == 0)
        return command_file(argc - 1, argv + 1, info_text, 0, info_action);
    if (strcmp(command, "check") == 0)
        return command_file(argc - 1, argv + 1, check_text, 1, check_action);
    if (strcmp(command, "new") == 0) return command_new(argc - 1, argv + 1);
    if (strcmp(command, "diff") == 0)
        return model_diff_command(argc - 1, argv + 1);
    if (strcmp(command, "average") == 0)
        return model_average_command(argc - 1, argv + 1);
    fprintf(stderr, "irmas-model: error: unknown command '%s'\n%s", command,
            usage_text);
    return EXIT_USAGE;
}

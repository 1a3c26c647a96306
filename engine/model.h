/* model.h: a trained classifier as the engine holds it in memory.
 *
 * A model reads windows of window_samples samples at sample_rate. It first
 * optionally scales the window to peak 1 (the study's normalisation,
 * NORM_PEAK), then reads it in one or both of two ways:
 *   frames  its front-end (frontend.h) turns the window into frames, each
 *           feature standardised with a stored mean and scale, which the
 *           frame layers read: recurrent layers (the last one hands its
 *           final state on), or one stats layer (stats.h);
 *   image   its image builder (image.h, image.kind != 0) turns the window
 *           into an image, which conv2d and maxpool layers read, flattened
 *           at the end into the dense layers that follow them.
 * The layers are kept in this order, and the model.h functions below name
 * the three parts:
 *   [0, model_image_end)              the image branch: conv2d and maxpool
 *                                     layers, then, when frame layers
 *                                     follow, the dense layers between;
 *   [model_image_end, model_head_start) the frame layers;
 *   [model_head_start, n_layers)      the head: dense layers, the last a
 *                                     softmax with one output per class.
 * So there are three shapes of model:
 *   recurrent or statistics  frame layers, head (image.kind 0);
 *   CNN                      image layers, head (frontend.kind 0: no frames);
 *   CRNN                     image branch, recurrent layers, head: the
 *                            branch's output is the initial hidden state h
 *                            of the first recurrent layer (an rnn, lstm or
 *                            gru of as many units; an lstm's c starts at 0),
 *                            which then runs over the frames as usual.
 *
 * All weights live in one arena the model owns, so a model is freed with
 * one call and written to a file in one pass (model_file.h). The arena holds
 * each layer's tensors in layer order and layer_tensors order, contiguous,
 * then feature_mean and feature_scale when present. Building one:
 *     irmas_model *m = irmas_model_new();
 *     ...set sample_rate, window_samples, frontend and/or image, labels,
 *        layers' kinds and shapes...
 *     model_alloc_weights(m, err, sizeof err);   -- zeroed weights
 *     model_validate(m, err, sizeof err);
 */
#ifndef IRMAS_MODEL_H
#define IRMAS_MODEL_H

#include "irmas/irmas.h"

#include "frontend.h"
#include "image.h"
#include "layer.h"
#include "status.h"

#define MODEL_MAX_CLASSES 64
#define MODEL_LABEL_MAX 32 /* bytes, with the terminating NUL */
#define MODEL_MAX_LAYERS 16

typedef enum {
    NORM_NONE = 0, /* samples are used as they arrive */
    NORM_PEAK = 1  /* each window is scaled so its largest |sample| is 1 */
} norm_kind;

struct irmas_model {
    int sample_rate;    /* Hz */
    int window_samples; /* samples per classified window */
    frontend_params frontend; /* kind 0: the model reads no frames */
    image_params image;       /* kind 0: the model reads no image */
    norm_kind norm;
    float *feature_mean;  /* [features] or NULL: subtracted from each feature */
    float *feature_scale; /* [features] or NULL: then multiplied */
    int classes;
    char labels[MODEL_MAX_CLASSES][MODEL_LABEL_MAX];
    char *provenance; /* free text: data, command, date; owned, may be NULL */
    /* A pretrained front-end's weights (pretrained.h), owned, or NULL: not
     * in the model file, attached after loading. */
    struct teacher_weights *pretrained;
    int n_layers;
    layer layers[MODEL_MAX_LAYERS];
    float *arena; /* owns every tensor above */
    long arena_floats;
};

/* A zeroed model, or NULL when out of memory. */
irmas_model *irmas_model_new(void);

/* Allocates zeroed weights for every layer's tensors (and, if with_norm,
 * feature_mean = 0 and feature_scale = 1) in one arena, replacing any. */
irmas_status model_alloc_weights(irmas_model *m, int with_norm, char *err,
                                 size_t errlen);

/* Checks that the model is complete and consistent: rate and window
 * positive; the front-end valid for the rate with at least one frame per
 * window if the model has frame layers, and kind 0 if not; the image
 * parameters valid (image_check) if it has image layers, and kind 0 if
 * not; the layers in the order above (frame layers: recurrent ones with a
 * blstm only as the last, or a single stats layer; a CRNN's branch output
 * as wide as its first recurrent layer's state, which is no blstm); shapes
 * chained (features or image -> first layer, each layer's outputs -> the
 * next one's inputs); the last layer a softmax with one output per class;
 * labels non-empty and distinct; every tensor allocated and finite. The
 * message names the layer or field that is wrong. */
irmas_status model_validate(const irmas_model *m, char *err, size_t errlen);

/* Checks that label can name a class: 1 to MODEL_LABEL_MAX - 1 bytes of
 * printable ASCII, none of them a space or one of #*,/?[]{} (labels are
 * printed and become parts of OSC addresses). The message quotes the label
 * with unprintable bytes escaped and says which byte is wrong.
 * model_validate applies it to every label. */
irmas_status model_label_check(const char *label, char *err, size_t errlen);

/* Sets the provenance string (copied). */
irmas_status model_set_provenance(irmas_model *m, const char *text);

/* Replaces NaN and infinite samples by 0 and, for NORM_PEAK, scales
 * samples[0..n) so the largest magnitude is 1 (silence stays silence). */
void model_prepare_samples(const irmas_model *m, float *samples, long n);

/* Applies feature_mean and feature_scale to features[frames][features]. */
void model_standardise(const irmas_model *m, float *features, int frames,
                       int features_per_frame);

/* IRMAS_OK if b's weights can start the training of a (irmas-train
 * --init): both read the same input (rate, window and scaling, front-end
 * settings and image) through the same layers, tensors of the same names
 * and lengths, but for the softmax, whose classes may differ; else
 * IRMAS_ERR_ARG, the message saying what differs. */
irmas_status model_same_body(const irmas_model *a, const irmas_model *b,
                             char *err, size_t errlen);

/* IRMAS_OK if a and b have the same shape: the same layers of the same
 * kinds, tensors of the same names and lengths in the same order, as many
 * classes and features, and feature statistics in both or neither; else
 * IRMAS_ERR_ARG, the message naming the first layer or tensor that
 * differs. Their weights can then be compared or copied arena to arena. */
irmas_status model_same_shape(const irmas_model *a, const irmas_model *b,
                              char *err, size_t errlen);

/* The number of parameters (floats) in all layers. */
long model_parameters(const irmas_model *m);

/* Features per frame and frames per window, from the front-end's params
 * (both 0 for a model that reads no frames). */
int model_features(const irmas_model *m);
int model_frames(const irmas_model *m);

/* What the model reads of a window, for messages: "150x150 mrp images
 * (3 channels)", "logmel frames (64 features)", or for a CRNN both, joined
 * by " and ". Always NUL-terminated, cut to size. */
void model_describe_input(const irmas_model *m, char *out, size_t size);

/* The highest frequency the model reads: its log-mel bands' top, or half
 * its rate. */
double model_top_frequency(const irmas_model *m);

/* Refuses audio at rate Hz when it cannot carry the frequencies m reads
 * (rate / 2 below model_top_frequency): IRMAS_ERR_ARG with one message
 * naming source ("the device", a file's path) and the rate it needs. The
 * same rule for irmasd's devices and files, the plugins and the tools. */
irmas_status model_check_rate(const irmas_model *m, int rate, const char *source,
                              char *err, size_t errlen);

/* 1 if the model has frame layers; 1 if it has image layers. */
int model_reads_frames(const irmas_model *m);
int model_reads_image(const irmas_model *m);

/* The parts (see the top of this file): the image branch is layers
 * [0, model_image_end) (0 when the model reads no image); the frame layers
 * are [model_image_end, model_head_start). For a plain CNN both are the
 * index of its first dense layer. */
int model_image_end(const irmas_model *m);

/* The head: model_head_start is the index of its first layer; model_head
 * runs it on in (the frame layers' output, or for a plain CNN the last
 * image layer's, flattened) and writes probs[classes], using
 * scratch[model_head_scratch(m)]. */
int model_head_start(const irmas_model *m);
int model_head_scratch(const irmas_model *m);
void model_head(const irmas_model *m, const float *in, float *scratch,
                float *probs);

#endif

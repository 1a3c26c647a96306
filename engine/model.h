/* model.h: a trained classifier as the engine holds it in memory.
 *
 * A model reads windows of window_samples samples at sample_rate, turns
 * each into frames with its front-end (frontend.h), optionally scales the
 * window to peak 1 first (the study's normalisation), standardises each
 * feature with a stored mean and scale, and runs its layers in order. The
 * first layers are recurrent and read the frames; the last recurrent layer
 * hands its final state to the dense layers; the last layer is a dense
 * softmax over the classes, whose labels the model carries.
 *
 * All weights live in one arena the model owns, so a model is freed with
 * one call and written to a file in one pass (model_file.h). The arena holds
 * each layer's tensors in layer order and layer_tensors order, contiguous,
 * then feature_mean and feature_scale when present. Building one:
 *     model *m = model_new();
 *     ...set sample_rate, window_samples, frontend, labels, layers' kinds
 *        and shapes...
 *     model_alloc_weights(m, err, sizeof err);   -- zeroed weights
 *     model_validate(m, err, sizeof err);
 */
#ifndef IRMAS_MODEL_H
#define IRMAS_MODEL_H

#include "frontend.h"
#include "layer.h"
#include "status.h"

#define MODEL_MAX_CLASSES 64
#define MODEL_LABEL_MAX 32 /* bytes, with the terminating NUL */
#define MODEL_MAX_LAYERS 16

typedef enum {
    NORM_NONE = 0, /* samples are used as they arrive */
    NORM_PEAK = 1  /* each window is scaled so its largest |sample| is 1 */
} norm_kind;

typedef struct model {
    int sample_rate;    /* Hz */
    int window_samples; /* samples per classified window */
    frontend_params frontend;
    norm_kind norm;
    float *feature_mean;  /* [features] or NULL: subtracted from each feature */
    float *feature_scale; /* [features] or NULL: then multiplied */
    int classes;
    char labels[MODEL_MAX_CLASSES][MODEL_LABEL_MAX];
    char *provenance; /* free text: data, command, date; owned, may be NULL */
    int n_layers;
    layer layers[MODEL_MAX_LAYERS];
    float *arena; /* owns every tensor above */
    long arena_floats;
} model;

/* A zeroed model, or NULL when out of memory. */
model *model_new(void);

/* Frees the model, its arena and its provenance. NULL is fine. */
void model_free(model *m);

/* Allocates zeroed weights for every layer's tensors (and, if with_norm,
 * feature_mean = 0 and feature_scale = 1) in one arena, replacing any. */
irmas_status model_alloc_weights(model *m, int with_norm, char *err,
                                 size_t errlen);

/* Checks that the model is complete and consistent: rate and window
 * positive, the front-end valid for the rate, at least one frame per
 * window, layer shapes chained (features -> first layer, each layer's
 * outputs -> the next one's inputs), recurrent layers before dense ones (at
 * least one, a blstm only as the last of them), the last layer a softmax
 * with one output per class, labels non-empty and distinct, every tensor
 * allocated and finite. The message names the layer or field that is
 * wrong. */
irmas_status model_validate(const model *m, char *err, size_t errlen);

/* Sets the provenance string (copied). */
irmas_status model_set_provenance(model *m, const char *text);

/* Replaces NaN and infinite samples by 0 and, for NORM_PEAK, scales
 * samples[0..n) so the largest magnitude is 1 (silence stays silence). */
void model_prepare_samples(const model *m, float *samples, long n);

/* Applies feature_mean and feature_scale to features[frames][features]. */
void model_standardise(const model *m, float *features, int frames,
                       int features_per_frame);

/* Index of label in the model's classes, or -1. */
int model_class_index(const model *m, const char *label);

/* The number of parameters (floats) in all layers. */
long model_parameters(const model *m);

/* Features per frame and frames per window, from the front-end's params. */
int model_features(const model *m);
int model_frames(const model *m);

/* The head: the dense layers after the recurrent ones. model_head_start is
 * the index of the first of them (the number of recurrent layers);
 * model_head runs them on in (the last recurrent layer's final output) and
 * writes probs[classes], using scratch[model_head_scratch(m)]. */
int model_head_start(const model *m);
int model_head_scratch(const model *m);
void model_head(const model *m, const float *in, float *scratch,
                float *probs);

#endif

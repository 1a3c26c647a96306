/* testmodel.h: models with random weights for the engine's tests: a
 * front-end, one or more recurrent layers, an optional dense ReLU layer and
 * a softmax head, as the study builds them; and small models of the other
 * shapes (model.h): a CNN, a CRNN and a statistics model; and the AudioSet
 * teacher's weights folder with random weights.
 */
#ifndef IRMAS_TESTMODEL_H
#define IRMAS_TESTMODEL_H

#include "model.h"

#include <stdint.h>

#define TM_MAX_RECURRENT 4

typedef struct {
    int sample_rate, window_samples;
    frontend_params frontend;
    norm_kind norm;
    int with_norm;  /* random feature_mean and feature_scale */
    int recurrent;  /* how many of kinds[] and hidden[] are used */
    layer_kind kinds[TM_MAX_RECURRENT];
    int hidden[TM_MAX_RECURRENT];
    int gru_reset_after;
    int dense_units; /* a ReLU layer before the softmax; 0 for none */
    int classes;
    uint64_t seed;
} tm_spec;

/* A raw-front-end spec: rate 8000 Hz, a 0.5 s window, |X_t| = frame, one
 * recurrent layer of the given kind and size, a 12-unit ReLU layer and 5
 * classes. */
tm_spec tm_raw_spec(layer_kind kind, int frame, int hidden);

/* A validated model built from spec with weights drawn uniformly from
 * +-1/sqrt(fan-in); labels are "c0", "c1", .... Fails the test on error. */
irmas_model *tm_model(const tm_spec *spec);

/* A small image model at 8000 Hz with a 0.5 s window, 3 classes:
 *   image   16 x 16, stack (1 channel) or mrp (2 channels)
 *   conv2d  4 filters, 3 x 3, stride 1, padding 1, ReLU   -> 4 x 16 x 16
 *   maxpool 2 x 2, stride 2                               -> 4 x 8 x 8
 *   conv2d  6 filters, 3 x 3, stride 2, no padding, ReLU  -> 6 x 3 x 3
 *   maxpool 2 x 2, stride 1                               -> 6 x 2 x 2
 *   dense   24 -> 8, ReLU (CNN) or TANH (a CRNN's branch)
 *   lstm    CRNN only: 8 units over raw frames of 20 samples, starting
 *           from the branch's output, with a memory long enough that the
 *           starting state still matters at the window's end
 *   dense   8 -> 3, softmax */
typedef struct {
    image_kind image;
    int crnn;
    norm_kind norm;
    uint64_t seed;
} tm_image_spec;

irmas_model *tm_image_model(const tm_image_spec *spec);

/* The statistics baseline, small: 8000 Hz, 0.5 s windows, a 256-point
 * log-mel front-end every 128 samples with 16 bands, stats (16 -> 32), a
 * ReLU layer of dense_units (0 for none), a softmax over 3 classes. */
irmas_model *tm_stats_model(int dense_units, int with_norm, uint64_t seed);

/* Wants model_validate to refuse m (IRMAS_ERR_ARG) with a message holding
 * both a and b; frees m. */
void tm_expect_invalid(irmas_model *m, const char *a, const char *b);

/* Largest |sum(probs) - 1| is within tol and every value finite and in
 * [0, 1]. */
int tm_is_distribution(const float *probs, int n, float tol);

/* Writes an AudioSet teacher (teacher.h) with random weights into the
 * existing folder dir: its tensors.tsv and a weights.f32 drawn uniformly
 * from +-0.2, the same for a seed. Fails the test on error. */
void tm_random_teacher(const char *dir, uint64_t seed);

#endif

/* testmodel.h: models with random weights for the engine's tests: a
 * front-end, one or more recurrent layers, an optional dense ReLU layer and
 * a softmax head, as the study builds them.
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
model *tm_model(const tm_spec *spec);

/* Largest |sum(probs) - 1| is within tol and every value finite and in
 * [0, 1]. */
int tm_is_distribution(const float *probs, int n, float tol);

#endif

/* network.h: the models irmas-train builds, and their initial weights.
 *
 * The study's recurrent classifiers (its appendix B): a front-end, one
 * recurrent layer (rnn, lstm, gru or blstm) whose final state feeds an
 * optional ReLU layer and a softmax over the classes. Dropout, which the
 * study puts after the recurrent layer, exists only while training
 * (backprop.h), so it is not part of the model.
 */
#ifndef IRMAS_NETWORK_H
#define IRMAS_NETWORK_H

#include "model.h"
#include "rng.h"

typedef struct {
    int sample_rate, window_samples;
    frontend_params frontend;
    norm_kind norm;
    layer_kind cell;     /* LAYER_RNN, LAYER_LSTM, LAYER_GRU or LAYER_BLSTM */
    int gru_reset_after; /* for LAYER_GRU: 1 PyTorch's form, 0 Cho et al.'s */
    int hidden;          /* units of the cell (of each direction of a blstm) */
    int dense;           /* units of the ReLU layer; 0 for none */
    int classes;
    char labels[MODEL_MAX_CLASSES][MODEL_LABEL_MAX];
} network_spec;

/* A validated model of that shape with zero weights, feature_mean 0 and
 * feature_scale 1. The message names the setting that is impossible. */
irmas_status network_build(const network_spec *spec, model **out, char *err,
                           size_t errlen);

/* Draws m's initial weights from r, the way Keras (the study's library)
 * does by default where it is simple to: input and dense weights Glorot
 * uniform, recurrent weights uniform in +-1/sqrt(H) (PyTorch's rule, in
 * place of Keras's orthogonal matrices), biases 0 except the LSTM's
 * forget gate at 1. */
void network_init(model *m, rng *r);

#endif

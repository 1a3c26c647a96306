/* network.h: the models irmas-train builds, and their initial weights.
 *
 * Every shape of model.h, from the study's appendix B and the model
 * card's baseline:
 *   recurrent  a front-end, one recurrent layer (rnn, lstm, gru or blstm)
 *              whose final state feeds an optional ReLU layer and a
 *              softmax over the classes;
 *   statistics a log-mel front-end, a stats layer, the same head;
 *   CNN        one of the study's B1 to B4, or cnn-mel (cnn_zoo.h), on
 *              the window's image, reading no frames;
 *   CRNN       Bk's blocks and a TANH dense layer on the image, giving the
 *              initial state of an rnn, lstm or gru as wide over the
 *              frames, then the head.
 * Dropout, which the study puts before the head, exists only while
 * training (backprop.h), so it is not part of the model.
 */
#ifndef IRMAS_NETWORK_H
#define IRMAS_NETWORK_H

#include "cnn_zoo.h"
#include "model.h"
#include "rng.h"

typedef struct {
    int sample_rate, window_samples;
    frontend_params frontend;
    norm_kind norm;
    layer_kind cell;     /* LAYER_RNN, LAYER_LSTM, LAYER_GRU or LAYER_BLSTM */
    int gru_reset_after; /* for LAYER_GRU: 1 PyTorch's form, 0 Cho et al.'s */
    int hidden;          /* units of the cell (of each direction of a blstm);
                            a CRNN's cell is as wide as its branch instead */
    int dense;           /* units of the ReLU layer; 0 for none. A CNN's
                            hidden layer's units instead; 0: its own */
    int stats;           /* 1: a stats layer reads the frames, not a cell */
    const cnn_zoo_arch *cnn; /* an image branch of this architecture: with
                                frontend.kind 0 a CNN, else a CRNN; NULL
                                for none */
    image_params image;      /* with cnn: the image it reads */
    int classes;
    char labels[MODEL_MAX_CLASSES][MODEL_LABEL_MAX];
} network_spec;

/* A validated model of that shape with zero weights and, when it reads
 * frames, feature_mean 0 and feature_scale 1. The message names the
 * setting that is impossible. */
irmas_status network_build(const network_spec *spec, irmas_model **out, char *err,
                           size_t errlen);

/* Draws m's initial weights from r, the way Keras (the study's library)
 * does by default where it is simple to: input, convolution and dense
 * weights Glorot uniform, recurrent weights uniform in +-1/sqrt(H) (PyTorch's rule, in
 * place of Keras's orthogonal matrices), biases 0 except the LSTM's
 * forget gate at 1. */
void network_init(irmas_model *m, rng *r);

#endif

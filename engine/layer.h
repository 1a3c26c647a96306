/* layer.h: one layer of a model, whatever its kind, and the list of its
 * weight tensors.
 *
 * A model is a front-end followed by a list of layers (model.h). Code that
 * treats every kind alike (the model file, the trainer's optimiser, weight
 * allocation) walks a layer's tensors through layer_tensors instead of
 * switching on the kind, so a new kind of layer is added in one place.
 */
#ifndef IRMAS_LAYER_H
#define IRMAS_LAYER_H

#include "blstm.h"
#include "dense.h"
#include "gru.h"
#include "lstm.h"
#include "rnn.h"

typedef enum {
    LAYER_DENSE = 1,
    LAYER_RNN = 2,
    LAYER_LSTM = 3,
    LAYER_GRU = 4,
    LAYER_BLSTM = 5
} layer_kind;

typedef struct {
    layer_kind kind;
    union {
        dense_layer dense;
        rnn_layer rnn;
        lstm_layer lstm;
        gru_layer gru;
        blstm_layer blstm;
    } u;
} layer;

#define LAYER_MAX_TENSORS 8

/* One weight tensor of a layer: its name in the model file ("w_x", "bias",
 * "fwd.w_h", ...), where the layer keeps its pointer, and its length. */
typedef struct {
    const char *name;
    float **data;
    long count;
} layer_tensor;

/* Fills out[] with l's tensors in file order and returns how many. */
int layer_tensors(layer *l, layer_tensor out[LAYER_MAX_TENSORS]);

/* "dense", "rnn", "lstm", "gru", "blstm", or NULL for an unknown kind. */
const char *layer_kind_name(layer_kind kind);

/* 1 for the kinds that read a sequence of frames (rnn, lstm, gru, blstm). */
int layer_is_recurrent(const layer *l);

/* Features per frame (recurrent) or per row (dense) that l reads, and the
 * size of what it produces (for a recurrent layer: per frame, or its final
 * state; 2H for blstm). */
int layer_inputs(const layer *l);
int layer_outputs(const layer *l);

#endif

/* layer.h: one layer of a model, whatever its kind, and the list of its
 * weight tensors.
 *
 * Kinds come in three families: layers that read the window's frames
 * (rnn, lstm, gru, blstm, and stats, which summarises them), layers that
 * read the window's image (conv2d, maxpool), and dense layers, which read
 * a flat vector: whatever the layer before them produced.
 *
 * A model is a front-end followed by a list of layers (model.h). Code that
 * treats every kind alike (the model file, the trainer's optimiser, weight
 * allocation) walks a layer's tensors through layer_tensors instead of
 * switching on the kind, so a new kind of layer is added in one place.
 */
#ifndef IRMAS_LAYER_H
#define IRMAS_LAYER_H

#include "blstm.h"
#include "conv2d.h"
#include "dense.h"
#include "gru.h"
#include "lstm.h"
#include "pool.h"
#include "rnn.h"
#include "stats.h"

typedef enum {
    LAYER_DENSE = 1,
    LAYER_RNN = 2,
    LAYER_LSTM = 3,
    LAYER_GRU = 4,
    LAYER_BLSTM = 5,
    LAYER_CONV2D = 6,
    LAYER_MAXPOOL = 7,
    LAYER_STATS = 8
} layer_kind;

typedef struct {
    layer_kind kind;
    union {
        dense_layer dense;
        rnn_layer rnn;
        lstm_layer lstm;
        gru_layer gru;
        blstm_layer blstm;
        conv2d_layer conv2d;
        pool_layer pool;
        stats_layer stats;
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

/* "dense", "rnn", "lstm", "gru", "blstm", "conv2d", "maxpool", "stats",
 * or NULL for an unknown kind. */
const char *layer_kind_name(layer_kind kind);

/* l as one line of text for the PyTorch scripts of bench/, which build
 * the same network from it: "conv2d CHANNELS FILTERS KERNEL STRIDE PADDING
 * ACTIVATION", "maxpool SIZE STRIDE", "dense INPUTS OUTPUTS ACTIVATION",
 * or the kind's name alone for the others. Returns what snprintf does. */
int layer_describe(const layer *l, char *out, size_t len);

/* 1 for the kinds that carry a state from frame to frame (rnn, lstm, gru,
 * blstm). */
int layer_is_recurrent(const layer *l);

/* 1 for the kinds that read the window's frames: the recurrent ones and
 * stats. */
int layer_reads_frames(const layer *l);

/* 1 for the kinds that read an image (conv2d, maxpool). */
int layer_reads_image(const layer *l);

/* Features per frame (frame layers), floats per image (image layers) or
 * per row (dense) that l reads, and the size of what it produces (for a
 * recurrent layer: per frame, or its final state; 2H for blstm; 2F for
 * stats; a whole output image for conv2d and maxpool). */
int layer_inputs(const layer *l);
int layer_outputs(const layer *l);

#endif

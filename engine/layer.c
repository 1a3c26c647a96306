/* layer.c: what layer.h says about every kind of layer: its weight
 * tensors in model-file order, its name, its family and its shape.
 *
 * This is the one place that knows each kind's tensors; the model file,
 * weight allocation and the trainer's optimiser all go through
 * layer_tensors. Max-pooling and stats have no weights, so they list no
 * tensors and cost nothing in the arena or the file's data section.
 */
#include "layer.h"

#include <stddef.h>
#include <stdio.h>

static layer_tensor tensor(const char *name, float **data, long count)
{
    return (layer_tensor){name, data, count};
}

/* The three tensors of an LSTM, named with names[] (plain for an lstm
 * layer, "fwd."/"bwd." for a half of a blstm). */
static int lstm_tensors(lstm_layer *l, const char *const names[3],
                        layer_tensor *out)
{
    long gates = 4L * l->hidden;
    out[0] = tensor(names[0], &l->w_x, gates * l->inputs);
    out[1] = tensor(names[1], &l->w_h, gates * l->hidden);
    out[2] = tensor(names[2], &l->bias, gates);
    return 3;
}

int layer_tensors(layer *l, layer_tensor out[LAYER_MAX_TENSORS])
{
    static const char *const plain[3] = {"w_x", "w_h", "bias"};
    static const char *const fwd[3] = {"fwd.w_x", "fwd.w_h", "fwd.bias"};
    static const char *const bwd[3] = {"bwd.w_x", "bwd.w_h", "bwd.bias"};
    switch (l->kind) {
    case LAYER_DENSE: {
        dense_layer *d = &l->u.dense;
        out[0] = tensor("weights", &d->weights, (long)d->outputs * d->inputs);
        out[1] = tensor("bias", &d->bias, d->outputs);
        return 2;
    }
    case LAYER_RNN: {
        rnn_layer *r = &l->u.rnn;
        out[0] = tensor("w_x", &r->w_x, (long)r->hidden * r->inputs);
        out[1] = tensor("w_h", &r->w_h, (long)r->hidden * r->hidden);
        out[2] = tensor("bias", &r->bias, r->hidden);
        return 3;
    }
    case LAYER_LSTM:
        return lstm_tensors(&l->u.lstm, plain, out);
    case LAYER_GRU: {
        gru_layer *g = &l->u.gru;
        long gates = 3L * g->hidden;
        out[0] = tensor("w_x", &g->w_x, gates * g->inputs);
        out[1] = tensor("w_h", &g->w_h, gates * g->hidden);
        out[2] = tensor("b_x", &g->b_x, gates);
        out[3] = tensor("b_h", &g->b_h, gates);
        return 4;
    }
    case LAYER_BLSTM: {
        int n = lstm_tensors(&l->u.blstm.fwd, fwd, out);
        return n + lstm_tensors(&l->u.blstm.bwd, bwd, out + n);
    }
    case LAYER_CONV2D: {
        conv2d_layer *c = &l->u.conv2d;
        out[0] = tensor("weights", &c->weights, conv2d_weight_count(c));
        out[1] = tensor("bias", &c->bias, c->filters);
        return 2;
    }
    case LAYER_MAXPOOL:
    case LAYER_STATS:
        return 0;
    }
    return 0;
}

const char *layer_kind_name(layer_kind kind)
{
    switch (kind) {
    case LAYER_DENSE: return "dense";
    case LAYER_RNN: return "rnn";
    case LAYER_LSTM: return "lstm";
    case LAYER_GRU: return "gru";
    case LAYER_BLSTM: return "blstm";
    case LAYER_CONV2D: return "conv2d";
    case LAYER_MAXPOOL: return "maxpool";
    case LAYER_STATS: return "stats";
    }
    return NULL;
}

int layer_describe(const layer *l, char *out, size_t len)
{
    switch (l->kind) {
    case LAYER_CONV2D: {
        const conv2d_layer *c = &l->u.conv2d;
        return snprintf(out, len, "conv2d %d %d %d %d %d %s", c->channels,
                        c->filters, c->kernel, c->stride, c->padding,
                        activation_name(c->act));
    }
    case LAYER_MAXPOOL:
        return snprintf(out, len, "maxpool %d %d", l->u.pool.size,
                        l->u.pool.stride);
    case LAYER_DENSE:
        return snprintf(out, len, "dense %d %d %s", l->u.dense.inputs,
                        l->u.dense.outputs, activation_name(l->u.dense.act));
    default:
        return snprintf(out, len, "%s", layer_kind_name(l->kind));
    }
}

int layer_is_recurrent(const layer *l)
{
    return l->kind == LAYER_RNN || l->kind == LAYER_LSTM ||
           l->kind == LAYER_GRU || l->kind == LAYER_BLSTM;
}

int layer_reads_frames(const layer *l)
{
    return layer_is_recurrent(l) || l->kind == LAYER_STATS;
}

int layer_reads_image(const layer *l)
{
    return l->kind == LAYER_CONV2D || l->kind == LAYER_MAXPOOL;
}

int layer_inputs(const layer *l)
{
    switch (l->kind) {
    case LAYER_DENSE: return l->u.dense.inputs;
    case LAYER_RNN: return l->u.rnn.inputs;
    case LAYER_LSTM: return l->u.lstm.inputs;
    case LAYER_GRU: return l->u.gru.inputs;
    case LAYER_BLSTM: return l->u.blstm.fwd.inputs;
    case LAYER_CONV2D: return (int)conv2d_inputs(&l->u.conv2d);
    case LAYER_MAXPOOL: return (int)pool_inputs(&l->u.pool);
    case LAYER_STATS: return l->u.stats.inputs;
    }
    return 0;
}

int layer_outputs(const layer *l)
{
    switch (l->kind) {
    case LAYER_DENSE: return l->u.dense.outputs;
    case LAYER_RNN: return l->u.rnn.hidden;
    case LAYER_LSTM: return l->u.lstm.hidden;
    case LAYER_GRU: return l->u.gru.hidden;
    case LAYER_BLSTM: return l->u.blstm.fwd.hidden + l->u.blstm.bwd.hidden;
    case LAYER_CONV2D: return (int)conv2d_outputs(&l->u.conv2d);
    case LAYER_MAXPOOL: return (int)pool_outputs(&l->u.pool);
    case LAYER_STATS: return 2 * l->u.stats.inputs;
    }
    return 0;
}

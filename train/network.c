/* network.c: building and initialising the trainer's models (see
 * network.h).
 *
 * A model is built in the order its layers run: the image branch, which
 * cnn_zoo_append lays out from the architecture's table, then the frame
 * layer and the head. */
#include "network.h"

#include <math.h>
#include <string.h>

/* Sets l to a cell of the spec's kind reading inputs, of hidden units. */
static void network_cell(const network_spec *s, int inputs, int hidden,
                         layer *l)
{
    lstm_layer lstm = {.inputs = inputs, .hidden = hidden};
    l->kind = s->cell;
    switch (s->cell) {
    case LAYER_RNN:
        l->u.rnn = (rnn_layer){.inputs = inputs, .hidden = hidden};
        break;
    case LAYER_LSTM: l->u.lstm = lstm; break;
    case LAYER_GRU:
        l->u.gru = (gru_layer){.inputs = inputs, .hidden = hidden,
                               .reset_after = s->gru_reset_after};
        break;
    case LAYER_BLSTM:
        l->u.blstm.fwd = lstm;
        l->u.blstm.bwd = lstm;
        break;
    default: break;
    }
}

static void network_dense(layer *l, int inputs, int outputs, activation act)
{
    l->kind = LAYER_DENSE;
    l->u.dense = (dense_layer){.inputs = inputs, .outputs = outputs,
                               .act = act};
}

/* The image branch: a whole CNN, or a CRNN's branch, whose width goes to
 * *branch. */
static irmas_status network_image(const network_spec *spec, int crnn,
                                  irmas_model *m, int *branch, char *err,
                                  size_t errlen)
{
    cnn_zoo_arch arch = *spec->cnn;
    if (!crnn && spec->dense > 0) arch.hidden = spec->dense;
    cnn_zoo_stack stack;
    irmas_status status = cnn_zoo_build(&arch, spec->image.size,
                                        spec->image.channels, spec->classes,
                                        &stack, err, errlen);
    if (status != IRMAS_OK) return status;
    *branch = stack.hidden.outputs;
    return cnn_zoo_append(&stack, crnn, m, err, errlen);
}

/* The frame layer (a cell, as wide as the branch if there is one, or
 * stats) and the head after it. */
static void network_frames(const network_spec *spec, irmas_model *m, int branch)
{
    layer *first = &m->layers[m->n_layers++];
    if (spec->stats) {
        first->kind = LAYER_STATS;
        first->u.stats.inputs = model_features(m);
    } else {
        network_cell(spec, model_features(m), branch ? branch : spec->hidden,
                     first);
    }
    int inputs = layer_outputs(first);
    if (spec->dense > 0) {
        network_dense(&m->layers[m->n_layers++], inputs, spec->dense,
                      ACT_RELU);
        inputs = spec->dense;
    }
    network_dense(&m->layers[m->n_layers++], inputs, spec->classes,
                  ACT_SOFTMAX);
}

irmas_status network_build(const network_spec *spec, irmas_model **out, char *err,
                           size_t errlen)
{
    *out = NULL;
    irmas_model *m = irmas_model_new();
    if (!m) return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                               "out of memory for a model");
    m->sample_rate = spec->sample_rate;
    m->window_samples = spec->window_samples;
    m->frontend = spec->frontend;
    if (spec->cnn) m->image = spec->image;
    m->norm = spec->norm;
    m->classes = spec->classes;
    memcpy(m->labels, spec->labels, sizeof m->labels);
    int reads_frames = spec->frontend.kind != 0, branch = 0;
    irmas_status status = IRMAS_OK;
    if (reads_frames)
        status = frontend_check(&m->frontend, m->sample_rate, err, errlen);
    if (status == IRMAS_OK && spec->cnn)
        status = network_image(spec, reads_frames, m, &branch, err, errlen);
    if (status == IRMAS_OK && reads_frames) network_frames(spec, m, branch);
    if (status == IRMAS_OK)
        status = model_alloc_weights(m, reads_frames, err, errlen);
    if (status == IRMAS_OK) status = model_validate(m, err, errlen);
    if (status != IRMAS_OK) {
        irmas_model_free(m);
        return status;
    }
    *out = m;
    return IRMAS_OK;
}

static void fill_uniform(rng *r, float *w, long n, double limit)
{
    for (long i = 0; i < n; i++)
        w[i] = (float)((2.0 * rng_uniform_float(r) - 1.0) * limit);
}

static void init_lstm(lstm_layer *l, rng *r)
{
    long gates = 4L * l->hidden;
    fill_uniform(r, l->w_x, gates * l->inputs,
                 sqrt(6.0 / (double)(l->inputs + gates)));
    fill_uniform(r, l->w_h, gates * l->hidden, 1.0 / sqrt(l->hidden));
    for (int j = 0; j < l->hidden; j++) l->bias[l->hidden + j] = 1.0f;
}

/* The input and recurrent weights of an rnn or gru: w_x [gates][inputs],
 * w_h [gates][hidden]. */
static void init_cell(float *w_x, float *w_h, int gates, int inputs,
                      int hidden, rng *r)
{
    fill_uniform(r, w_x, (long)gates * inputs,
                 sqrt(6.0 / (double)(inputs + gates)));
    fill_uniform(r, w_h, (long)gates * hidden, 1.0 / sqrt(hidden));
}

/* Glorot's limit for a convolution: each output pixel sees channels k^2
 * inputs, and each input reaches filters k^2 outputs. */
static void init_conv2d(conv2d_layer *c, rng *r)
{
    double taps = (double)c->kernel * c->kernel;
    fill_uniform(r, c->weights, conv2d_weight_count(c),
                 sqrt(6.0 / (taps * (c->channels + c->filters))));
}

static void init_layer(layer *l, rng *r)
{
    switch (l->kind) {
    case LAYER_CONV2D: init_conv2d(&l->u.conv2d, r); break;
    case LAYER_MAXPOOL:
    case LAYER_STATS: break;
    case LAYER_DENSE: {
        dense_layer *d = &l->u.dense;
        fill_uniform(r, d->weights, (long)d->outputs * d->inputs,
                     sqrt(6.0 / (double)(d->inputs + d->outputs)));
        break;
    }
    case LAYER_RNN:
        init_cell(l->u.rnn.w_x, l->u.rnn.w_h, l->u.rnn.hidden,
                  l->u.rnn.inputs, l->u.rnn.hidden, r);
        break;
    case LAYER_LSTM: init_lstm(&l->u.lstm, r); break;
    case LAYER_GRU:
        init_cell(l->u.gru.w_x, l->u.gru.w_h, 3 * l->u.gru.hidden,
                  l->u.gru.inputs, l->u.gru.hidden, r);
        break;
    case LAYER_BLSTM:
        init_lstm(&l->u.blstm.fwd, r);
        init_lstm(&l->u.blstm.bwd, r);
        break;
    }
}

void network_init(irmas_model *m, rng *r)
{
    memset(m->arena, 0, (size_t)model_parameters(m) * sizeof *m->arena);
    for (int i = 0; i < m->n_layers; i++) init_layer(&m->layers[i], r);
}

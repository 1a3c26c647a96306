/* network.c: building and initialising the trainer's models (see
 * network.h). */
#include "network.h"

#include <math.h>
#include <string.h>

/* Sets l to a cell of the spec's kind reading inputs. */
static void network_cell(const network_spec *s, int inputs, layer *l)
{
    lstm_layer lstm = {.inputs = inputs, .hidden = s->hidden};
    l->kind = s->cell;
    switch (s->cell) {
    case LAYER_RNN:
        l->u.rnn = (rnn_layer){.inputs = inputs, .hidden = s->hidden};
        break;
    case LAYER_LSTM: l->u.lstm = lstm; break;
    case LAYER_GRU:
        l->u.gru = (gru_layer){.inputs = inputs, .hidden = s->hidden,
                               .reset_after = s->gru_reset_after};
        break;
    case LAYER_BLSTM:
        l->u.blstm.fwd = lstm;
        l->u.blstm.bwd = lstm;
        break;
    case LAYER_DENSE: break;
    }
}

static void network_dense(layer *l, int inputs, int outputs, activation act)
{
    l->kind = LAYER_DENSE;
    l->u.dense = (dense_layer){.inputs = inputs, .outputs = outputs,
                               .act = act};
}

irmas_status network_build(const network_spec *spec, model **out, char *err,
                           size_t errlen)
{
    *out = NULL;
    model *m = model_new();
    if (!m) return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                               "out of memory for a model");
    m->sample_rate = spec->sample_rate;
    m->window_samples = spec->window_samples;
    m->frontend = spec->frontend;
    m->norm = spec->norm;
    m->classes = spec->classes;
    memcpy(m->labels, spec->labels, sizeof m->labels);
    network_cell(spec, model_features(m), &m->layers[0]);
    int inputs = layer_outputs(&m->layers[0]);
    m->n_layers = 1;
    if (spec->dense > 0) {
        network_dense(&m->layers[m->n_layers++], inputs, spec->dense,
                      ACT_RELU);
        inputs = spec->dense;
    }
    network_dense(&m->layers[m->n_layers++], inputs, spec->classes,
                  ACT_SOFTMAX);
    irmas_status status = frontend_check(&m->frontend, m->sample_rate, err,
                                         errlen);
    if (status == IRMAS_OK)
        status = model_alloc_weights(m, 1, err, errlen);
    if (status == IRMAS_OK) status = model_validate(m, err, errlen);
    if (status != IRMAS_OK) {
        model_free(m);
        return status;
    }
    *out = m;
    return IRMAS_OK;
}

static void fill_uniform(rng *r, float *w, long n, double limit)
{
    for (long i = 0; i < n; i++)
        w[i] = (float)((2.0 * rng_uniform(r) - 1.0) * limit);
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

static void init_layer(layer *l, rng *r)
{
    switch (l->kind) {
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

void network_init(model *m, rng *r)
{
    memset(m->arena, 0, (size_t)model_parameters(m) * sizeof *m->arena);
    for (int i = 0; i < m->n_layers; i++) init_layer(&m->layers[i], r);
}

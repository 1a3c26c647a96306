/* testmodel.c: see testmodel.h. */
#include "testmodel.h"

#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdio.h>

tm_spec tm_raw_spec(layer_kind kind, int frame, int hidden)
{
    tm_spec s = {
        .sample_rate = 8000,
        .window_samples = 4000,
        .frontend = {.kind = FRONTEND_RAW, .frame = frame},
        .recurrent = 1,
        .kinds = {kind},
        .hidden = {hidden},
        .gru_reset_after = 1,
        .dense_units = 12,
        .classes = 5,
        .seed = 42,
    };
    return s;
}

/* Sets layer l's shape: kind reading inputs, producing hidden (or, for a
 * blstm, 2 * hidden). */
static void tm_shape(layer *l, layer_kind kind, int inputs, int hidden,
                     int reset_after)
{
    l->kind = kind;
    switch (kind) {
    case LAYER_RNN:
        l->u.rnn = (rnn_layer){.inputs = inputs, .hidden = hidden};
        break;
    case LAYER_LSTM:
        l->u.lstm = (lstm_layer){.inputs = inputs, .hidden = hidden};
        break;
    case LAYER_GRU:
        l->u.gru = (gru_layer){.inputs = inputs, .hidden = hidden,
                               .reset_after = reset_after};
        break;
    case LAYER_BLSTM:
        l->u.blstm.fwd = (lstm_layer){.inputs = inputs, .hidden = hidden};
        l->u.blstm.bwd = l->u.blstm.fwd;
        break;
    case LAYER_DENSE: break;
    }
}

static void tm_dense(layer *l, int inputs, int outputs, activation act)
{
    l->kind = LAYER_DENSE;
    l->u.dense = (dense_layer){.inputs = inputs, .outputs = outputs,
                               .act = act};
}

static void tm_remember_lstm(lstm_layer *l)
{
    for (int j = 0; j < l->hidden; j++) l->bias[l->hidden + j] += 3.0f;
}

/* Gives a cell a long memory, as trained cells have: the LSTM's forget
 * gate (bias +3) and the GRU's update gate (+4) open, the RNN's w_h close
 * to the identity. Then a window's result still depends on the state it
 * started from after a hundred frames, so a stream that started a window
 * from the wrong state would be caught. */
static void tm_remember(layer *l)
{
    switch (l->kind) {
    case LAYER_RNN:
        for (int j = 0; j < l->u.rnn.hidden; j++)
            l->u.rnn.w_h[j * l->u.rnn.hidden + j] += 0.95f;
        break;
    case LAYER_LSTM:
        tm_remember_lstm(&l->u.lstm);
        break;
    case LAYER_GRU:
        for (int j = 0; j < l->u.gru.hidden; j++)
            l->u.gru.b_x[l->u.gru.hidden + j] += 4.0f;
        break;
    case LAYER_BLSTM:
        tm_remember_lstm(&l->u.blstm.fwd);
        tm_remember_lstm(&l->u.blstm.bwd);
        break;
    case LAYER_DENSE: break;
    }
}

model *tm_model(const tm_spec *spec)
{
    model *m = model_new();
    ck_assert_ptr_nonnull(m);
    m->sample_rate = spec->sample_rate;
    m->window_samples = spec->window_samples;
    m->frontend = spec->frontend;
    m->norm = spec->norm;
    m->classes = spec->classes;
    for (int c = 0; c < spec->classes; c++)
        snprintf(m->labels[c], MODEL_LABEL_MAX, "c%d", c);

    int inputs = model_features(m);
    for (int i = 0; i < spec->recurrent; i++) {
        layer *l = &m->layers[m->n_layers++];
        tm_shape(l, spec->kinds[i], inputs, spec->hidden[i],
                 spec->gru_reset_after);
        inputs = layer_outputs(l);
    }
    if (spec->dense_units > 0) {
        tm_dense(&m->layers[m->n_layers++], inputs, spec->dense_units,
                 ACT_RELU);
        inputs = spec->dense_units;
    }
    tm_dense(&m->layers[m->n_layers++], inputs, spec->classes, ACT_SOFTMAX);

    char err[256] = "";
    ck_assert_msg(model_alloc_weights(m, spec->with_norm, err, sizeof err) ==
                      IRMAS_OK, "%s", err);
    tu_rng rng;
    tu_seed(&rng, spec->seed);
    for (int i = 0; i < m->n_layers; i++) {
        layer_tensor t[LAYER_MAX_TENSORS];
        int n = layer_tensors(&m->layers[i], t);
        float bound = 1.0f / sqrtf((float)layer_inputs(&m->layers[i]));
        for (int j = 0; j < n; j++) tu_fill(&rng, *t[j].data, t[j].count,
                                            -bound, bound);
    }
    for (int i = 0; i < spec->recurrent; i++) tm_remember(&m->layers[i]);
    if (spec->with_norm) {
        tu_fill(&rng, m->feature_mean, model_features(m), -0.1f, 0.1f);
        tu_fill(&rng, m->feature_scale, model_features(m), 0.5f, 2.0f);
    }
    ck_assert_msg(model_validate(m, err, sizeof err) == IRMAS_OK, "%s", err);
    return m;
}

int tm_is_distribution(const float *probs, int n, float tol)
{
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        if (!(probs[i] >= 0.0f && probs[i] <= 1.0f)) return 0;
        sum += probs[i];
    }
    return fabs(sum - 1.0) <= tol;
}

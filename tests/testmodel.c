/* testmodel.c: see testmodel.h. */
#include "testmodel.h"

#include "teacher.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    default: break;
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
    default: break;
    }
}

/* Inputs per output of l: what its weights are scaled by. */
static int tm_fan_in(const layer *l)
{
    if (l->kind == LAYER_CONV2D)
        return l->u.conv2d.channels * l->u.conv2d.kernel * l->u.conv2d.kernel;
    return layer_inputs(l);
}

/* Allocates m's weights and draws them uniformly from +-1/sqrt(fan-in),
 * from a generator seeded with seed that is left in *rng. */
static void tm_weights(irmas_model *m, int with_norm, uint64_t seed, tu_rng *rng)
{
    char err[256] = "";
    ck_assert_msg(model_alloc_weights(m, with_norm, err, sizeof err) ==
                      IRMAS_OK, "%s", err);
    tu_seed(rng, seed);
    for (int i = 0; i < m->n_layers; i++) {
        layer_tensor t[LAYER_MAX_TENSORS];
        int n = layer_tensors(&m->layers[i], t);
        float bound = 1.0f / sqrtf((float)tm_fan_in(&m->layers[i]));
        for (int j = 0; j < n; j++) tu_fill(rng, *t[j].data, t[j].count,
                                            -bound, bound);
    }
}

static void tm_check(const irmas_model *m)
{
    char err[256] = "";
    ck_assert_msg(model_validate(m, err, sizeof err) == IRMAS_OK, "%s", err);
}

static void tm_labels(irmas_model *m, int classes)
{
    m->classes = classes;
    for (int c = 0; c < classes; c++)
        snprintf(m->labels[c], MODEL_LABEL_MAX, "c%d", c);
}

irmas_model *tm_model(const tm_spec *spec)
{
    irmas_model *m = irmas_model_new();
    ck_assert_ptr_nonnull(m);
    m->sample_rate = spec->sample_rate;
    m->window_samples = spec->window_samples;
    m->frontend = spec->frontend;
    m->norm = spec->norm;
    tm_labels(m, spec->classes);

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

    tu_rng rng;
    tm_weights(m, spec->with_norm, spec->seed, &rng);
    for (int i = 0; i < spec->recurrent; i++) tm_remember(&m->layers[i]);
    if (spec->with_norm) {
        tu_fill(&rng, m->feature_mean, model_features(m), -0.1f, 0.1f);
        tu_fill(&rng, m->feature_scale, model_features(m), 0.5f, 2.0f);
    }
    tm_check(m);
    return m;
}

static layer *tm_add(irmas_model *m, layer_kind kind)
{
    layer *l = &m->layers[m->n_layers++];
    l->kind = kind;
    return l;
}

/* A forget gate open wide (bias 8, f near 0.9997): the state a CRNN's
 * branch gave is still felt at the window's end, 200 frames later. */
static void tm_remember_long(lstm_layer *l)
{
    for (int j = 0; j < l->hidden; j++) l->bias[l->hidden + j] += 8.0f;
}

/* The conv2d and maxpool layers of tm_image_model, on a 16 x 16 image of
 * the given channels. */
static void tm_image_layers(irmas_model *m, int channels)
{
    tm_add(m, LAYER_CONV2D)->u.conv2d = (conv2d_layer){
        .channels = channels, .height = 16, .width = 16, .filters = 4,
        .kernel = 3, .stride = 1, .padding = 1, .act = ACT_RELU};
    tm_add(m, LAYER_MAXPOOL)->u.pool = (pool_layer){
        .channels = 4, .height = 16, .width = 16, .size = 2, .stride = 2};
    tm_add(m, LAYER_CONV2D)->u.conv2d = (conv2d_layer){
        .channels = 4, .height = 8, .width = 8, .filters = 6, .kernel = 3,
        .stride = 2, .act = ACT_RELU};
    tm_add(m, LAYER_MAXPOOL)->u.pool = (pool_layer){
        .channels = 6, .height = 3, .width = 3, .size = 2, .stride = 1};
}

irmas_model *tm_image_model(const tm_image_spec *spec)
{
    irmas_model *m = irmas_model_new();
    ck_assert_ptr_nonnull(m);
    m->sample_rate = 8000;
    m->window_samples = 4000;
    m->norm = spec->norm;
    int channels = spec->image == IMAGE_STACK ? 1 : 2;
    m->image = (image_params){.kind = spec->image, .size = 16,
                              .channels = channels};
    tm_labels(m, 3);
    tm_image_layers(m, channels);
    tm_dense(tm_add(m, LAYER_DENSE), 24, 8,
             spec->crnn ? ACT_TANH : ACT_RELU);
    if (spec->crnn) {
        m->frontend = (frontend_params){.kind = FRONTEND_RAW, .frame = 20};
        tm_shape(tm_add(m, LAYER_LSTM), LAYER_LSTM, 20, 8, 0);
    }
    tm_dense(tm_add(m, LAYER_DENSE), 8, 3, ACT_SOFTMAX);
    tu_rng rng;
    tm_weights(m, 0, spec->seed, &rng);
    if (spec->crnn) tm_remember_long(&m->layers[m->n_layers - 2].u.lstm);
    tm_check(m);
    return m;
}

irmas_model *tm_stats_model(int dense_units, int with_norm, uint64_t seed)
{
    irmas_model *m = irmas_model_new();
    ck_assert_ptr_nonnull(m);
    m->sample_rate = 8000;
    m->window_samples = 4000;
    m->frontend = (frontend_params){.kind = FRONTEND_LOGMEL, .frame = 128,
                                    .fft_size = 256, .mels = 16,
                                    .fmax = 4000.0f};
    tm_labels(m, 3);
    tm_add(m, LAYER_STATS)->u.stats = (stats_layer){.inputs = 16};
    int inputs = 32;
    if (dense_units > 0) {
        tm_dense(tm_add(m, LAYER_DENSE), inputs, dense_units, ACT_RELU);
        inputs = dense_units;
    }
    tm_dense(tm_add(m, LAYER_DENSE), inputs, 3, ACT_SOFTMAX);
    tu_rng rng;
    tm_weights(m, with_norm, seed, &rng);
    if (with_norm) {
        tu_fill(&rng, m->feature_mean, 16, -10.0f, -5.0f);
        tu_fill(&rng, m->feature_scale, 16, 0.1f, 0.3f);
    }
    tm_check(m);
    return m;
}

void tm_expect_invalid(irmas_model *m, const char *a, const char *b)
{
    char err[256] = "";
    ck_assert_int_eq(model_validate(m, err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_msg(strstr(err, a) && strstr(err, b),
                  "message '%s' lacks '%s' or '%s'", err, a, b);
    irmas_model_free(m);
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

void tm_random_teacher(const char *dir, uint64_t seed)
{
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/tensors.tsv", dir);
    ck_assert_msg(teacher_write_index(path, err, sizeof err) == IRMAS_OK, "%s",
                  err);
    long n = teacher_weight_floats();
    float *w = malloc((size_t)n * sizeof *w);
    ck_assert_ptr_nonnull(w);
    tu_rng r;
    tu_seed(&r, seed);
    tu_fill(&r, w, n, -0.2f, 0.2f);
    snprintf(path, sizeof path, "%s/weights.f32", dir);
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "%s: cannot write", path);
    ck_assert_int_eq(fwrite(w, sizeof *w, (size_t)n, f), n);
    ck_assert_int_eq(fclose(f), 0);
    free(w);
}

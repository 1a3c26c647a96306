/* test_image_models.c: the engine running the image models and the
 * statistics baseline (model.h's CNN, CRNN and statistics shapes).
 *
 * irmas_window_classify is checked against the same model composed by hand here,
 * one building block at a time (image_build, conv2d_forward, pool_forward,
 * dense_forward, the LSTM's project and step, stats_forward); after that it
 * is the reference the streaming classifier's whole-window fallback must
 * match. The study's B1 to B4 are built with cnn_zoo_append as CNNs and
 * CRNNs and must have the parameter counts of its appendix. model_validate
 * must say which layer is out of place in models put together wrongly.
 */
#include "cnn_zoo.h"
#include "irmas/irmas.h"
#include "window.h"
#include "lstm.h"
#include "model_limits.h"
#include "testmodel.h"
#include "testutil.h"
#include "winograd.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static irmas_window *runner(const irmas_model *m)
{
    char err[256] = "";
    irmas_window *w = NULL;
    ck_assert_msg(irmas_window_new(m, &w, err, sizeof err) == IRMAS_OK, "%s", err);
    return w;
}

static void classify(const irmas_model *m, const float *samples, float *probs)
{
    irmas_window *w = runner(m);
    irmas_window_classify(w, samples, probs);
    irmas_window_free(w);
}

/* ---- The whole-window pass composed by hand ---- */

/* The image of samples as the model sees it: prepared, then built. */
static float *hand_image(const irmas_model *m, const float *samples)
{
    char err[256] = "";
    float *prepared = malloc(sizeof(float) * (size_t)m->window_samples);
    float *pixels = malloc(sizeof(float) * (size_t)image_floats(&m->image));
    image_builder *b = NULL;
    memcpy(prepared, samples, sizeof(float) * (size_t)m->window_samples);
    model_prepare_samples(m, prepared, m->window_samples);
    ck_assert_msg(image_new(&m->image, m->sample_rate, m->window_samples, &b, err,
                            sizeof err) == IRMAS_OK, "%s", err);
    image_build(b, prepared, IMAGE_ANYWHERE, pixels);
    image_free(b);
    free(prepared);
    return pixels;
}

/* tm_image_model's branch, layer by layer: conv2d, maxpool, conv2d,
 * maxpool, dense; writes the dense layer's 8 outputs. */
static void hand_branch(const irmas_model *m, const float *pixels, float *out)
{
    const layer *l = m->layers;
    float a[4 * 16 * 16], b[4 * 8 * 8], c[6 * 3 * 3], d[6 * 2 * 2];
    float *work = malloc(sizeof(float) * (size_t)conv2d_work_size(
                                             &l[0].u.conv2d));
    conv2d_forward(&l[0].u.conv2d, pixels, a, 1, work);
    pool_forward(&l[1].u.pool, a, b, 1, NULL);
    conv2d_forward(&l[2].u.conv2d, b, c, 1, work);
    pool_forward(&l[3].u.pool, c, d, 1, NULL);
    dense_forward(&l[4].u.dense, d, out, 1);
    free(work);
}

START_TEST(cnn_window_is_the_layers_in_turn)
{
    static const tm_image_spec specs[] = {
        {IMAGE_STACK, 0, NORM_NONE, 1},
        {IMAGE_MRP, 0, NORM_NONE, 2},
        {IMAGE_MRP, 0, NORM_PEAK, 3},
    };
    const tm_image_spec *spec = &specs[_i];
    irmas_model *m = tm_image_model(spec);
    float *x = tu_noise(m->window_samples, 10 + _i);
    for (long i = 0; i < m->window_samples; i++) x[i] *= 0.3f;

    float *pixels = hand_image(m, x), hidden[8], want[3], got[3];
    hand_branch(m, pixels, hidden);
    dense_forward(&m->layers[5].u.dense, hidden, want, 1);
    classify(m, x, got);
    ck_assert(tm_is_distribution(got, 3, 1e-5f));
    ck_assert_msg(tu_max_abs_diff(got, want, 3) <= 1e-6f,
                  "irmas_window_classify differs by %g",
                  (double)tu_max_abs_diff(got, want, 3));

    /* The same from the image made beforehand. */
    irmas_window *w = runner(m);
    irmas_window_classify_prepared(w, pixels, NULL, got);
    ck_assert(tu_max_abs_diff(got, want, 3) <= 1e-6f);
    irmas_window_free(w);
    free(pixels);
    free(x);
    irmas_model_free(m);
}
END_TEST

/* The CRNN's lstm over the raw frames from h = h0 (or 0), c = 0, then the
 * softmax. */
static void hand_crnn_head(const irmas_model *m, const float *samples,
                           const float *h0, float *probs)
{
    const lstm_layer *l = &m->layers[5].u.lstm;
    int frames = model_frames(m);
    float *prepared = malloc(sizeof(float) * (size_t)m->window_samples);
    float xproj[32], h[8] = {0}, c[8] = {0};
    float *work = malloc(sizeof(float) * (size_t)lstm_work_size(8));
    memcpy(prepared, samples, sizeof(float) * (size_t)m->window_samples);
    model_prepare_samples(m, prepared, m->window_samples);
    if (h0) memcpy(h, h0, sizeof h);
    for (int t = 0; t < frames; t++) {
        lstm_project(l, NULL, prepared + t * 20, 1, xproj); /* raw samples */
        lstm_step(l, NULL, xproj, 0, h, c, 1, work);
    }
    dense_forward(&m->layers[6].u.dense, h, probs, 1);
    free(work);
    free(prepared);
}

START_TEST(crnn_window_starts_the_lstm_from_the_branch)
{
    tm_image_spec spec = {IMAGE_MRP, 1, _i ? NORM_PEAK : NORM_NONE, 4};
    irmas_model *m = tm_image_model(&spec);
    ck_assert_int_eq(model_frames(m), 200);
    float *x = tu_noise(m->window_samples, 20 + _i);

    float *pixels = hand_image(m, x), h0[8], want[3], zero_start[3], got[3];
    hand_branch(m, pixels, h0);
    for (int j = 0; j < 8; j++) ck_assert(fabsf(h0[j]) < 1.0f); /* TANH */
    hand_crnn_head(m, x, h0, want);
    hand_crnn_head(m, x, NULL, zero_start);
    classify(m, x, got);
    ck_assert(tm_is_distribution(got, 3, 1e-5f));
    ck_assert_msg(tu_max_abs_diff(got, want, 3) <= 1e-5f,
                  "irmas_window_classify differs by %g",
                  (double)tu_max_abs_diff(got, want, 3));
    /* The initial state matters: the lstm remembers it. */
    ck_assert_msg(tu_max_abs_diff(zero_start, want, 3) > 1e-4f,
                  "starting from 0 gives the same probabilities");
    free(pixels);
    free(x);
    irmas_model_free(m);
}
END_TEST

START_TEST(stats_window_is_stats_of_the_frames)
{
    irmas_model *m = tm_stats_model(12, 1, 5);
    float *x = tu_noise(m->window_samples, 30);
    char err[256] = "";
    frontend *fe = NULL;
    ck_assert_msg(frontend_new(&m->frontend, m->sample_rate, &fe, err,
                               sizeof err) == IRMAS_OK, "%s", err);
    int frames = model_frames(m);
    float *feats = malloc(sizeof(float) * (size_t)frames * 16);
    for (int t = 0; t < frames; t++)
        frontend_compute(fe, x + t * 128, feats + t * 16);
    model_standardise(m, feats, frames, 16);
    float pooled[32], hidden[12], want[3], got[3];
    stats_forward(&m->layers[0].u.stats, feats, frames, pooled);
    dense_forward(&m->layers[1].u.dense, pooled, hidden, 1);
    dense_forward(&m->layers[2].u.dense, hidden, want, 1);
    classify(m, x, got);
    ck_assert(tm_is_distribution(got, 3, 1e-5f));
    ck_assert(tu_max_abs_diff(got, want, 3) <= 1e-6f);

    irmas_window *w = runner(m);
    irmas_window_classify_frames(w, feats, got);
    ck_assert(tu_max_abs_diff(got, want, 3) <= 1e-6f);
    irmas_window_free(w);
    frontend_free(fe);
    free(feats);
    free(x);
    irmas_model_free(m);
}
END_TEST

/* ---- Streaming: the whole-window fallback ---- */

/* What each emitted window is checked against. */
typedef struct {
    const irmas_model *m;
    irmas_window *w;
    const float *x;
    int hop, count;
} stream_check;

/* The window ending at end_sample must be the next one, a hop after the
 * last, and equal irmas_window_classify on its samples. */
static void check_emitted(void *user, const float *probs,
                          long long end_sample)
{
    stream_check *c = user;
    long long end = c->m->window_samples + (long long)c->count * c->hop;
    float want[MODEL_MAX_CLASSES];
    ck_assert_int_eq(end_sample, end);
    irmas_window_classify(c->w, c->x + end - c->m->window_samples, want);
    ck_assert_msg(tu_max_abs_diff(probs, want, c->m->classes) <= 1e-5f,
                  "window %d differs", c->count);
    c->count++;
}

/* Streams 3.5 windows in chunks of 333 samples with hop_samples; the hop
 * must become want_hop, and every window be as irmas_window_classify says. */
static void check_stream(const irmas_model *m, int hop_samples, int want_hop)
{
    long n = m->window_samples * 7L / 2;
    float *x = tu_noise(n, 40);
    char err[256] = "";
    irmas_stream *s = NULL;
    ck_assert_msg(irmas_stream_new(m, hop_samples, &s, err, sizeof err) ==
                      IRMAS_OK, "%s", err);
    ck_assert_int_eq(irmas_stream_is_incremental(s), 0);
    ck_assert_int_eq(irmas_stream_hop(s), want_hop);
    stream_check c = {.m = m, .w = runner(m), .x = x, .hop = want_hop};
    for (long at = 0; at < n; at += 333)
        irmas_stream_push(s, x + at, at + 333 < n ? 333 : n - at, check_emitted,
                    &c);
    ck_assert_int_eq(c.count, 1 + (n - m->window_samples) / want_hop);
    irmas_stream_free(s);
    irmas_window_free(c.w);
    free(x);
}

START_TEST(stream_falls_back_to_whole_windows)
{
    tm_image_spec cnn = {IMAGE_STACK, 0, NORM_NONE, 6};
    tm_image_spec crnn = {IMAGE_MRP, 1, NORM_NONE, 7};
    irmas_model *m = tm_image_model(&cnn);
    check_stream(m, 1001, 1001); /* no frames: the hop is kept exactly */
    irmas_model_free(m);
    m = tm_image_model(&crnn);
    check_stream(m, 1001, 1000); /* whole raw frames of 20 */
    irmas_model_free(m);
    m = tm_stats_model(0, 1, 8);
    check_stream(m, 1001, 896); /* whole frames of 128 */
    irmas_model_free(m);
}
END_TEST

/* ---- The study's CNNs ---- */

/* Architecture a on 3 s windows at 22.05 kHz read as img, a CNN or (crnn
 * 1) a CRNN over raw frames of 100 samples. */
static irmas_model *zoo_model_on(const cnn_zoo_arch *a, image_params img,
                                 int crnn, int classes)
{
    char err[256] = "";
    cnn_zoo_stack s;
    irmas_model *m = irmas_model_new();
    m->sample_rate = 22050;
    m->window_samples = 3 * 22050;
    m->image = img;
    m->classes = classes;
    for (int c = 0; c < classes; c++)
        snprintf(m->labels[c], MODEL_LABEL_MAX, "c%d", c);
    ck_assert_msg(cnn_zoo_build(a, img.size, img.channels, classes, &s, err,
                                sizeof err) == IRMAS_OK, "%s", err);
    ck_assert_msg(cnn_zoo_append(&s, crnn, m, err, sizeof err) == IRMAS_OK,
                  "%s", err);
    ck_assert_int_eq(m->n_layers, 2 * s.n_blocks + (crnn ? 1 : 2));
    if (crnn) {
        m->frontend = (frontend_params){.kind = FRONTEND_RAW, .frame = 100};
        layer *l = &m->layers[m->n_layers++];
        l->kind = LAYER_LSTM;
        l->u.lstm = (lstm_layer){.inputs = 100, .hidden = s.hidden.outputs};
        l = &m->layers[m->n_layers++];
        l->kind = LAYER_DENSE;
        l->u.dense = (dense_layer){.inputs = s.hidden.outputs,
                                   .outputs = classes, .act = ACT_SOFTMAX};
    }
    ck_assert_msg(model_alloc_weights(m, 0, err, sizeof err) == IRMAS_OK,
                  "%s", err);
    ck_assert_msg(model_validate(m, err, sizeof err) == IRMAS_OK, "%s", err);
    return m;
}

/* The same on the study's images, 150 x 150 recurrence plots of 3
 * resolutions. */
static irmas_model *zoo_model(const cnn_zoo_arch *a, int crnn, int classes)
{
    image_params study = {.kind = IMAGE_MRP, .size = 150, .channels = 3};
    return zoo_model_on(a, study, crnn, classes);
}

START_TEST(study_cnns_as_models)
{
    static const long study_params[] = {55285, 58565, 63717, 128869};
    const cnn_zoo_arch *a = &cnn_zoo[_i];
    irmas_model *m = zoo_model(a, 0, CNN_ZOO_STUDY_CLASSES);
    ck_assert_int_eq(model_parameters(m), study_params[_i]);
    ck_assert_int_eq(model_image_end(m), 2 * a->n_blocks);
    ck_assert_int_eq(model_head_start(m), 2 * a->n_blocks);
    ck_assert_int_eq(model_reads_frames(m), 0);
    ck_assert_int_eq(model_features(m), 0);
    ck_assert_int_eq(model_frames(m), 0);
    ck_assert_int_eq(m->layers[2 * a->n_blocks].u.dense.act, ACT_RELU);
    float *x = tu_noise(m->window_samples, 50), probs[5];
    classify(m, x, probs);
    ck_assert(tm_is_distribution(probs, 5, 1e-5f));
    irmas_model_free(m);

    /* As a CRNN: the branch's dense layer is TANH, an lstm of 128 units
     * (4 * 128 * (100 + 128 + 1) parameters) starts from it. */
    m = zoo_model(a, 1, CNN_ZOO_STUDY_CLASSES);
    ck_assert_int_eq(model_parameters(m),
                     study_params[_i] + 4 * 128 * (100 + 128 + 1));
    ck_assert_int_eq(model_image_end(m), 2 * a->n_blocks + 1);
    ck_assert_int_eq(model_head_start(m), 2 * a->n_blocks + 2);
    ck_assert_int_eq(m->layers[2 * a->n_blocks].u.dense.act, ACT_TANH);
    ck_assert_int_eq(model_frames(m), 661);
    classify(m, x, probs);
    ck_assert(tm_is_distribution(probs, 5, 1e-5f));
    free(x);
    irmas_model_free(m);
}
END_TEST

/* The shipped CNN's shape (cnn-mel on a 96 x 96 log-mel image) with random
 * weights: irmas_window, which sends the 3 x 3 layers with enough channels
 * through winograd.h, gives the probabilities of the layers run one by one
 * through conv2d.h, to within the transforms' rounding. */
START_TEST(cnn_mel_window_is_its_layers)
{
    const cnn_zoo_arch *mel = cnn_zoo_find("mel");
    image_params logmel = {.kind = IMAGE_LOGMEL, .size = 96, .channels = 1};
    irmas_model *m = zoo_model_on(mel, logmel, 0, 11);
    tu_rng r;
    tu_seed(&r, 96);
    int transformed = 0;
    for (int i = 0; i < m->n_layers; i++) {
        layer_tensor t[LAYER_MAX_TENSORS];
        int n = layer_tensors(&m->layers[i], t);
        float scale = m->layers[i].kind == LAYER_CONV2D ? 0.3f : 0.1f;
        for (int k = 0; k < n; k++)
            tu_fill(&r, *t[k].data, t[k].count, -scale, scale);
        if (m->layers[i].kind == LAYER_CONV2D)
            transformed += winograd_suits(&m->layers[i].u.conv2d);
    }
    ck_assert_int_ge(transformed, 2);

    float *x = tu_noise(m->window_samples, 61);
    float *pixels = hand_image(m, x), got[11], want[11];
    irmas_window *w = runner(m);
    irmas_window_classify_prepared(w, pixels, NULL, got);
    irmas_window_free(w);

    /* by hand: each layer in turn, convolutions through im2col */
    long largest = image_floats(&m->image), work_floats = 0;
    for (int i = 0; i < m->n_layers; i++) {
        if (layer_outputs(&m->layers[i]) > largest)
            largest = layer_outputs(&m->layers[i]);
        if (m->layers[i].kind == LAYER_CONV2D &&
            conv2d_work_size(&m->layers[i].u.conv2d) > work_floats)
            work_floats = conv2d_work_size(&m->layers[i].u.conv2d);
    }
    float *a = malloc(sizeof *a * largest), *b = malloc(sizeof *b * largest);
    float *work = malloc(sizeof *work * work_floats);
    memcpy(a, pixels, sizeof *a * image_floats(&m->image));
    for (int i = 0; i < m->n_layers; i++) {
        const layer *l = &m->layers[i];
        if (l->kind == LAYER_CONV2D)
            conv2d_forward(&l->u.conv2d, a, b, 1, work);
        else if (l->kind == LAYER_MAXPOOL)
            pool_forward(&l->u.pool, a, b, 1, NULL);
        else
            dense_forward(&l->u.dense, a, b, 1);
        float *swap = a;
        a = b;
        b = swap;
    }
    memcpy(want, a, sizeof want);
    ck_assert(tm_is_distribution(got, 11, 1e-5f));
    ck_assert_msg(tu_max_abs_diff(got, want, 11) <= 1e-5f,
                  "irmas_window differs from the layers by %g",
                  (double)tu_max_abs_diff(got, want, 11));
    free(a);
    free(b);
    free(work);
    free(pixels);
    free(x);
    irmas_model_free(m);
}
END_TEST

/* cnn-mel on a logmel image classifies, and what it may cost counts the
 * image's own log-mel front-end: more than the same CNN on an image that
 * needs none, by at least the filterbank (64 bands of 1025 bins: at
 * 22.05 kHz 64 frames of 2048 samples span the window) and its 64 FFTs. */
START_TEST(cnn_mel_on_a_logmel_image)
{
    const cnn_zoo_arch *mel = cnn_zoo_find("mel");
    image_params logmel = {.kind = IMAGE_LOGMEL, .size = 64, .channels = 1};
    image_params stack = {.kind = IMAGE_STACK, .size = 64, .channels = 1};
    irmas_model *m = zoo_model_on(mel, logmel, 0, 11);
    irmas_model *plain = zoo_model_on(mel, stack, 0, 11);
    ck_assert_int_eq(model_parameters(m), 126987);
    float *x = tu_noise(m->window_samples, 60), probs[11];
    classify(m, x, probs);
    ck_assert(tm_is_distribution(probs, 11, 1e-5f));
    model_cost with = model_cost_of(m), without = model_cost_of(plain);
    ck_assert_double_ge(with.memory_bytes - without.memory_bytes,
                        4.0 * 64 * 1025);
    ck_assert_double_ge(with.ops - without.ops, 64 * 2.5 * 2048 * 11);
    free(x);
    irmas_model_free(plain);
    irmas_model_free(m);
}
END_TEST

START_TEST(append_needs_room)
{
    char err[256] = "";
    cnn_zoo_stack s;
    irmas_model *m = irmas_model_new();
    m->classes = 2;
    m->n_layers = 5;
    ck_assert(cnn_zoo_build(cnn_zoo_find("b4"), 150, 3, 2, &s, err,
                            sizeof err) == IRMAS_OK);
    ck_assert_int_eq(cnn_zoo_append(&s, 0, m, err, sizeof err),
                     IRMAS_ERR_ARG);
    ck_assert_msg(strstr(err, "needs 12 layers") && strstr(err, "has 5"),
                  "%s", err);
    ck_assert_int_eq(m->n_layers, 5);
    irmas_model_free(m);
}
END_TEST

/* ---- Validation ---- */

/* Breaks a fresh CRNN (tm_image_model; layers conv, pool, conv, pool,
 * dense TANH, lstm, softmax) with how and wants a message with a and b. */
typedef void (*breaker)(irmas_model *m);

static void expect_invalid(int crnn, breaker how, const char *a,
                           const char *b)
{
    tm_image_spec spec = {IMAGE_MRP, crnn, NORM_NONE, 9};
    irmas_model *m = tm_image_model(&spec);
    how(m);
    tm_expect_invalid(m, a, b);
}

static void blstm_first(irmas_model *m)
{
    lstm_layer half = m->layers[5].u.lstm;
    half.hidden = 4;
    m->layers[5].kind = LAYER_BLSTM;
    m->layers[5].u.blstm = (blstm_layer){half, half};
}

static void narrow_lstm(irmas_model *m)
{
    m->layers[5].u.lstm.hidden = 6;
    m->layers[6].u.dense.inputs = 6;
}

static void stats_in_crnn(irmas_model *m)
{
    m->layers[5].kind = LAYER_STATS;
    m->layers[5].u.stats = (stats_layer){.inputs = 20};
    m->layers[6].u.dense.inputs = 40;
}

static void conv_after_dense(irmas_model *m)
{
    /* the CRNN's lstm replaced by a maxpool: conv, pool, conv, pool,
     * dense, pool, softmax */
    m->layers[5] = m->layers[3];
    m->frontend.kind = 0;
}

static void wrong_channels(irmas_model *m) { m->layers[0].u.conv2d.channels = 1; }
static void wrong_chain(irmas_model *m) { m->layers[2].u.conv2d.height = 9; }
static void huge_kernel(irmas_model *m) { m->layers[0].u.conv2d.kernel = 2000; }
static void padded_too_much(irmas_model *m)
{
    conv2d_layer *c = &m->layers[0].u.conv2d;
    c->height = c->width = 1000;
    c->kernel = 999;
    c->padding = 998;
}

static void conv_softmax(irmas_model *m) { m->layers[0].u.conv2d.act = ACT_SOFTMAX; }
static void no_image(irmas_model *m) { m->image.kind = 0; m->image.size = 0; }
static void small_image(irmas_model *m) { m->image.size = 12; }

static void frontend_in_cnn(irmas_model *m)
{
    m->frontend = (frontend_params){.kind = FRONTEND_RAW, .frame = 20};
}

/* Breakers of tm_stats_model(12, ...): stats (16 -> 32), dense (32 -> 12),
 * softmax. Validation stops at the first layer that is wrong, so the
 * layers after it may be left as they are. */
static void stats_then_lstm(irmas_model *m)
{
    m->layers[1].kind = LAYER_LSTM;
    m->layers[1].u.lstm = (lstm_layer){.inputs = 32, .hidden = 12};
}

static void lstm_then_stats(irmas_model *m)
{
    m->layers[1].kind = LAYER_STATS;
    m->layers[1].u.stats = (stats_layer){.inputs = 4};
    m->layers[0].kind = LAYER_LSTM;
    m->layers[0].u.lstm = (lstm_layer){.inputs = 16, .hidden = 4,
                                       .w_x = m->arena, .w_h = m->arena,
                                       .bias = m->arena};
}

static void stats_inputs(irmas_model *m) { m->layers[0].u.stats.inputs = 15; }

static void expect_stats_invalid(breaker how, const char *a, const char *b)
{
    irmas_model *m = tm_stats_model(12, 0, 9);
    how(m);
    tm_expect_invalid(m, a, b);
}

START_TEST(validate_names_what_is_out_of_place)
{
    expect_invalid(1, blstm_first, "layer 5 (blstm) follows the image "
                   "branch", "rnn, lstm or gru");
    expect_invalid(1, narrow_lstm, "layer 5 (lstm) has 6 units",
                   "image branch (layer 4, dense) gives 8");
    expect_invalid(1, stats_in_crnn, "layer 5 (stats) follows the image "
                   "branch", "rnn, lstm or gru");
    expect_invalid(1, conv_after_dense, "layer 5 (maxpool) follows layer 4 "
                   "(dense)", "image layers must come first");
    expect_invalid(0, wrong_channels, "layer 0 (conv2d): its input is 1 x "
                   "16 x 16", "the image gives 2 x 16 x 16");
    expect_invalid(0, wrong_chain, "layer 2 (conv2d): its input is 4 x 9 x "
                   "8", "the layer before it gives 4 x 8 x 8");
    expect_invalid(0, huge_kernel, "layer 0 (conv2d): kernel is 2000",
                   "at most 1024");
    expect_invalid(0, padded_too_much, "layer 0 (conv2d): its output is "
                   "1998 x 1998 pixels", "pad less");
    expect_invalid(0, conv_softmax, "layer 0 (conv2d)", "none or relu");
    expect_invalid(0, no_image, "image.kind 0 is unknown", "stack, mrp or logmel");
    expect_invalid(0, small_image, "layer 0 (conv2d)", "image gives 2 x 12");
    expect_invalid(0, frontend_in_cnn, "frontend.kind is 1",
                   "no frame layers");
    expect_stats_invalid(stats_then_lstm, "layer 0 (stats) is one of 2 "
                         "frame layers", "only one");
    expect_stats_invalid(lstm_then_stats, "layer 1 (stats) is one of 2 "
                         "frame layers", "only one");
    expect_stats_invalid(stats_inputs, "layer 0 (stats): inputs is 15",
                         "front-end gives 16");
}
END_TEST

START_TEST(parts_and_families)
{
    tm_image_spec spec = {IMAGE_MRP, 1, NORM_NONE, 1};
    irmas_model *m = tm_image_model(&spec);
    ck_assert_int_eq(model_reads_frames(m), 1);
    ck_assert_int_eq(model_reads_image(m), 1);
    ck_assert_int_eq(model_image_end(m), 5);
    ck_assert_int_eq(model_head_start(m), 6);
    ck_assert_int_eq(model_head_scratch(m), 6);
    irmas_model_free(m);

    m = tm_stats_model(12, 0, 1);
    ck_assert_int_eq(model_reads_image(m), 0);
    ck_assert_int_eq(model_image_end(m), 0);
    ck_assert_int_eq(model_head_start(m), 1);
    ck_assert_int_eq(layer_reads_frames(&m->layers[0]), 1);
    ck_assert_int_eq(layer_is_recurrent(&m->layers[0]), 0);
    ck_assert_int_eq(layer_outputs(&m->layers[0]), 32);
    ck_assert_str_eq(layer_kind_name(LAYER_STATS), "stats");
    irmas_model_free(m);

    layer conv = {.kind = LAYER_CONV2D,
                  .u.conv2d = {.channels = 2, .height = 10, .width = 12,
                               .filters = 5, .kernel = 3, .stride = 1}};
    layer_tensor t[LAYER_MAX_TENSORS];
    ck_assert_int_eq(layer_tensors(&conv, t), 2);
    ck_assert_str_eq(t[0].name, "weights");
    ck_assert_int_eq(t[0].count, 5 * 2 * 3 * 3);
    ck_assert_str_eq(t[1].name, "bias");
    ck_assert_int_eq(t[1].count, 5);
    ck_assert_int_eq(layer_inputs(&conv), 2 * 10 * 12);
    ck_assert_int_eq(layer_outputs(&conv), 5 * 8 * 10);
    ck_assert_int_eq(layer_reads_image(&conv), 1);
    layer pool = {.kind = LAYER_MAXPOOL,
                  .u.pool = {.channels = 5, .height = 8, .width = 10,
                             .size = 2, .stride = 2}};
    ck_assert_int_eq(layer_tensors(&pool, t), 0);
    ck_assert_int_eq(layer_outputs(&pool), 5 * 4 * 5);
    ck_assert_str_eq(layer_kind_name(LAYER_MAXPOOL), "maxpool");
}
END_TEST

static Suite *image_models_suite(void)
{
    Suite *s = suite_create("image_models");
    TCase *tc = tcase_create("window");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, cnn_window_is_the_layers_in_turn, 0, 3);
    tcase_add_loop_test(tc, crnn_window_starts_the_lstm_from_the_branch, 0,
                        2);
    tcase_add_test(tc, stats_window_is_stats_of_the_frames);
    tcase_add_test(tc, stream_falls_back_to_whole_windows);
    tcase_add_loop_test(tc, study_cnns_as_models, 0, CNN_ZOO_STUDY_COUNT);
    tcase_add_test(tc, cnn_mel_on_a_logmel_image);
    tcase_add_test(tc, cnn_mel_window_is_its_layers);
    suite_add_tcase(s, tc);

    tc = tcase_create("model");
    tcase_add_test(tc, append_needs_room);
    tcase_add_test(tc, validate_names_what_is_out_of_place);
    tcase_add_test(tc, parts_and_families);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(image_models_suite());
}

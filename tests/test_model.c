/* test_model.c: a model in memory: the weight arena, validation and its
 * messages, sample preparation, standardisation and the small look-ups.
 */
#include "classes.h"
#include "model.h"
#include "testmodel.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* An LSTM(8) over raw |X_t| = 40, a 12-unit ReLU layer, 5 classes. */
static irmas_model *small_model(void)
{
    tm_spec spec = tm_raw_spec(LAYER_LSTM, 40, 8);
    spec.with_norm = 1;
    return tm_model(&spec);
}

START_TEST(arena_holds_every_tensor)
{
    irmas_model *m = small_model();
    long params = 4L * 8 * 40 + 4L * 8 * 8 + 4L * 8 /* lstm */
                  + 12L * 8 + 12 + 5L * 12 + 5;     /* relu, softmax */
    ck_assert_int_eq(model_parameters(m), params);
    ck_assert_int_eq(m->arena_floats, params + 2 * 40);

    /* Tensors tile the arena in order, then the normalisation. */
    float *next = m->arena;
    for (int i = 0; i < m->n_layers; i++) {
        layer_tensor t[LAYER_MAX_TENSORS];
        int n = layer_tensors(&m->layers[i], t);
        for (int j = 0; j < n; j++) {
            ck_assert_ptr_eq(*t[j].data, next);
            next += t[j].count;
        }
    }
    ck_assert_ptr_eq(m->feature_mean, next);
    ck_assert_ptr_eq(m->feature_scale, next + 40);

    /* Allocating again replaces the weights with zeros, scale with ones. */
    char err[256] = "";
    ck_assert(model_alloc_weights(m, 1, err, sizeof err) == IRMAS_OK);
    for (long i = 0; i < params + 40; i++) ck_assert(m->arena[i] == 0.0f);
    for (int i = 0; i < 40; i++) ck_assert(m->feature_scale[i] == 1.0f);
    ck_assert(model_validate(m, err, sizeof err) == IRMAS_OK);
    ck_assert(model_alloc_weights(m, 0, err, sizeof err) == IRMAS_OK);
    ck_assert_ptr_null(m->feature_mean);
    ck_assert_ptr_null(m->feature_scale);
    ck_assert_int_eq(m->arena_floats, params);
    irmas_model_free(m);
}
END_TEST

START_TEST(alloc_rejects_unset_shapes)
{
    irmas_model *m = irmas_model_new();
    char err[256] = "";
    ck_assert_int_eq(model_alloc_weights(m, 0, err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_msg(strstr(err, "n_layers"), "%s", err);
    m->n_layers = 1;
    m->layers[0].kind = LAYER_GRU;
    ck_assert_int_eq(model_alloc_weights(m, 0, err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_msg(strstr(err, "layer 0 (gru)"), "%s", err);
    m->layers[0].u.gru = (gru_layer){.inputs = 3, .hidden = 2};
    ck_assert_int_eq(model_alloc_weights(m, 1, err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_msg(strstr(err, "front-end"), "%s", err);
    ck_assert_int_eq(model_alloc_weights(m, 0, err, sizeof err), IRMAS_OK);
    irmas_model_free(m);
}
END_TEST

/* Breaks a fresh small model with how, and expects validation to fail
 * with a message containing each of the given fragments. */
typedef void (*breaker)(irmas_model *m);

static void expect_invalid(breaker how, const char *a, const char *b)
{
    irmas_model *m = small_model();
    how(m);
    tm_expect_invalid(m, a, b);
}

static void break_rate(irmas_model *m) { m->sample_rate = 0; }
static void break_window(irmas_model *m) { m->window_samples = 39; }
static void break_frontend(irmas_model *m) { m->frontend.kind = FRONTEND_LOGMEL; }
static void break_norm(irmas_model *m) { m->norm = (norm_kind)3; }
static void break_classes(irmas_model *m) { m->classes = 0; }
static void break_label(irmas_model *m) { m->labels[3][0] = '\0'; }
static void break_duplicate(irmas_model *m) { strcpy(m->labels[4], "c1"); }
static void break_mean(irmas_model *m) { m->feature_mean[3] = NAN; }
static void break_count(irmas_model *m) { m->n_layers = 0; }
static void break_kind(irmas_model *m) { m->layers[1].kind = (layer_kind)9; }
static void break_first(irmas_model *m) { m->layers[0].u.lstm.inputs = 41; }
static void break_chain(irmas_model *m) { m->layers[1].u.dense.inputs = 7; }
static void break_weight(irmas_model *m) { m->layers[0].u.lstm.w_h[5] = INFINITY; }
static void break_missing(irmas_model *m) { m->layers[0].u.lstm.w_x = NULL; }
static void break_head(irmas_model *m) { m->layers[2].u.dense.act = ACT_RELU; }
static void break_outputs(irmas_model *m) { m->classes = 4; }
static void break_act(irmas_model *m) { m->layers[1].u.dense.act = (activation)9; }
static void break_hidden(irmas_model *m) { m->layers[0].u.lstm.hidden = 0; }

static void break_dense_first(irmas_model *m)
{
    m->layers[0].kind = LAYER_DENSE;
    m->layers[0].u.dense = (dense_layer){.inputs = 40, .outputs = 8,
                                         .act = ACT_TANH};
}

static void break_order(irmas_model *m)
{
    /* lstm, dense, an rnn after the dense layer, then the softmax */
    m->layers[3] = m->layers[2];
    m->layers[2].kind = LAYER_RNN;
    m->layers[2].u.rnn = (rnn_layer){.inputs = 12, .hidden = 12,
                                     .w_x = m->arena, .w_h = m->arena,
                                     .bias = m->arena};
    m->n_layers = 4;
}

static void break_gru(irmas_model *m)
{
    m->layers[0].kind = LAYER_GRU;
    m->layers[0].u.gru = (gru_layer){.inputs = 40, .hidden = 8,
                                     .reset_after = 2, .w_x = m->arena,
                                     .w_h = m->arena, .b_x = m->arena,
                                     .b_h = m->arena};
}

static void break_blstm(irmas_model *m)
{
    /* blstm(4) -> lstm(8): a blstm must be the last recurrent layer */
    lstm_layer half = {.inputs = 40, .hidden = 4, .w_x = m->arena,
                       .w_h = m->arena, .bias = m->arena};
    m->layers[3] = m->layers[2];
    m->layers[2] = m->layers[1];
    m->layers[1] = m->layers[0];
    m->layers[1].u.lstm.inputs = 8;
    m->layers[0].kind = LAYER_BLSTM;
    m->layers[0].u.blstm = (blstm_layer){.fwd = half, .bwd = half};
    m->n_layers = 4;
}

static void break_blstm_halves(irmas_model *m)
{
    lstm_layer half = {.inputs = 40, .hidden = 4, .w_x = m->arena,
                       .w_h = m->arena, .bias = m->arena};
    m->layers[0].kind = LAYER_BLSTM;
    m->layers[0].u.blstm = (blstm_layer){.fwd = half, .bwd = half};
    m->layers[0].u.blstm.bwd.hidden = 3;
}

START_TEST(validate_names_what_is_wrong)
{
    char err[256] = "";
    irmas_model *m = small_model();
    ck_assert_msg(model_validate(m, err, sizeof err) == IRMAS_OK, "%s", err);
    irmas_model_free(m);

    expect_invalid(break_rate, "sample_rate", "positive");
    expect_invalid(break_window, "window_samples 39", "frame");
    expect_invalid(break_frontend, "frontend.fft_size", "power of two");
    expect_invalid(break_norm, "norm", "peak");
    expect_invalid(break_classes, "classes", "0");
    expect_invalid(break_label, "label 3", "empty");
    expect_invalid(break_duplicate, "labels 1 and 4", "c1");
    expect_invalid(break_mean, "feature_mean", "NaN");
    expect_invalid(break_count, "n_layers", "0");
    expect_invalid(break_kind, "layer 1", "unknown kind 9");
    expect_invalid(break_first, "layer 0 (lstm)", "front-end gives 40");
    expect_invalid(break_chain, "layer 1 (dense)", "inputs is 7");
    expect_invalid(break_weight, "layer 0 (lstm)", "tensor 'w_h'");
    expect_invalid(break_missing, "layer 0 (lstm)", "tensor 'w_x'");
    expect_invalid(break_head, "layer 2 (dense)", "softmax");
    expect_invalid(break_outputs, "layer 2 (dense)", "4 classes");
    expect_invalid(break_act, "layer 1 (dense)", "activation 9");
    expect_invalid(break_hidden, "layer 0 (lstm)", "positive");
    expect_invalid(break_dense_first, "layer 0 (dense)", "recurrent");
    expect_invalid(break_order, "layer 2 (rnn)", "dense layer 1");
    expect_invalid(break_gru, "layer 0 (gru)", "reset_after");
    expect_invalid(break_blstm, "layer 0 (blstm)", "last recurrent");
    expect_invalid(break_blstm_halves, "layer 0 (blstm)", "same shape");
}
END_TEST

START_TEST(prepare_samples_cleans_and_normalises)
{
    irmas_model *m = small_model();
    float x[5] = {0.25f, NAN, -0.5f, INFINITY, -INFINITY};
    model_prepare_samples(m, x, 5);
    float clean[5] = {0.25f, 0.0f, -0.5f, 0.0f, 0.0f};
    ck_assert_float_eq(tu_max_abs_diff(x, clean, 5), 0.0f);

    m->norm = NORM_PEAK;
    model_prepare_samples(m, x, 5);
    float peaked[5] = {0.5f, 0.0f, -1.0f, 0.0f, 0.0f};
    ck_assert_float_eq(tu_max_abs_diff(x, peaked, 5), 0.0f);

    float silence[3] = {0.0f, NAN, 0.0f}, zeros[3] = {0};
    model_prepare_samples(m, silence, 3);
    ck_assert_float_eq(tu_max_abs_diff(silence, zeros, 3), 0.0f);
    irmas_model_free(m);
}
END_TEST

START_TEST(standardise_applies_mean_then_scale)
{
    irmas_model *m = small_model();
    float x[2 * 40], want[2 * 40];
    for (int t = 0; t < 2; t++)
        for (int i = 0; i < 40; i++) {
            x[t * 40 + i] = (float)(t + i);
            want[t * 40 + i] =
                ((float)(t + i) - m->feature_mean[i]) * m->feature_scale[i];
        }
    model_standardise(m, x, 2, 40);
    ck_assert_float_eq(tu_max_abs_diff(x, want, 80), 0.0f);

    m->feature_mean = m->feature_scale = NULL; /* then nothing changes */
    memcpy(want, x, sizeof x);
    model_standardise(m, x, 2, 40);
    ck_assert_float_eq(tu_max_abs_diff(x, want, 80), 0.0f);
    irmas_model_free(m);
}
END_TEST

START_TEST(lookups_and_provenance)
{
    irmas_model *m = small_model();
    ck_assert_int_eq(irmas_model_class_index(m, "c3"), 3);
    ck_assert_int_eq(irmas_model_class_index(m, "cello"), -1);
    ck_assert_int_eq(model_features(m), 40);
    ck_assert_int_eq(model_frames(m), 100);
    ck_assert_int_eq(model_head_start(m), 1);
    ck_assert_int_eq(model_head_scratch(m), 24);
    ck_assert(model_set_provenance(m, "first") == IRMAS_OK);
    ck_assert(model_set_provenance(m, "synthetic corpus, seed 42") == IRMAS_OK);
    ck_assert_str_eq(m->provenance, "synthetic corpus, seed 42");
    irmas_model_free(m);
    irmas_model_free(NULL);
}
END_TEST

START_TEST(the_irmas_classes_have_codes_and_names)
{
    ck_assert_int_eq(CLASSES_IRMAS, 11);
    ck_assert_str_eq(classes_code(0), "cel");
    ck_assert_str_eq(classes_code(10), "voi");
    ck_assert_ptr_null(classes_code(11));
    ck_assert_int_eq(classes_find("gac"), 3);
    ck_assert_int_eq(classes_find("kazoo"), -1);
    ck_assert_str_eq(classes_name("gac"), "acoustic guitar");
    ck_assert_str_eq(classes_name("kazoo"), "kazoo"); /* a model's own label */
}
END_TEST

/* model_same_body compares all but the softmax's classes, model_same_shape
 * the classes too, and each names what differs. */
START_TEST(same_body_and_shape_name_what_differs)
{
    tm_spec spec = tm_raw_spec(LAYER_LSTM, 20, 8);
    irmas_model *a = tm_model(&spec);
    spec.classes = 3;
    irmas_model *fewer = tm_model(&spec);
    spec.classes = 5;
    spec.hidden[0] = 9;
    irmas_model *wider = tm_model(&spec);
    spec.hidden[0] = 8;
    spec.frontend.frame = 40;
    irmas_model *longer_frames = tm_model(&spec);
    spec.frontend.frame = 20;
    spec.norm = spec.norm == NORM_PEAK ? NORM_NONE : NORM_PEAK;
    irmas_model *other_scaling = tm_model(&spec);
    char err[256];
    ck_assert_int_eq(model_same_body(a, a, err, sizeof err), IRMAS_OK);
    ck_assert_int_eq(model_same_shape(a, a, err, sizeof err), IRMAS_OK);
    ck_assert_int_eq(model_same_body(a, fewer, err, sizeof err), IRMAS_OK);
    ck_assert_int_eq(model_same_shape(a, fewer, err, sizeof err),
                     IRMAS_ERR_ARG);
    ck_assert_msg(strstr(err, "5 and 3 classes"), "%s", err);
    ck_assert_int_eq(model_same_body(a, wider, err, sizeof err),
                     IRMAS_ERR_ARG);
    ck_assert_msg(strstr(err, "layer 0 (lstm) differs"), "%s", err);
    ck_assert_int_eq(model_same_body(a, longer_frames, err, sizeof err),
                     IRMAS_ERR_ARG);
    ck_assert_msg(strstr(err, "the inputs differ"), "%s", err);
    ck_assert_int_eq(model_same_body(a, other_scaling, err, sizeof err),
                     IRMAS_ERR_ARG);
    ck_assert_msg(strstr(err, "the windows differ: 4000 samples at 8000 Hz") &&
                      strstr(err, ", each scaled to peak 1"), "%s", err);
    irmas_model_free(other_scaling);
    irmas_model_free(a);
    irmas_model_free(fewer);
    irmas_model_free(wider);
    irmas_model_free(longer_frames);
}
END_TEST

static Suite *model_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("model");
    tcase_add_test(tc, arena_holds_every_tensor);
    tcase_add_test(tc, the_irmas_classes_have_codes_and_names);
    tcase_add_test(tc, alloc_rejects_unset_shapes);
    tcase_add_test(tc, validate_names_what_is_wrong);
    tcase_add_test(tc, prepare_samples_cleans_and_normalises);
    tcase_add_test(tc, standardise_applies_mean_then_scale);
    tcase_add_test(tc, lookups_and_provenance);
    tcase_add_test(tc, same_body_and_shape_name_what_differs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(model_suite());
}

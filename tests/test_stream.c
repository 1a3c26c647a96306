/* test_stream.c: the whole-window forward pass and the streaming
 * classifier.
 *
 * irmas_window_classify is checked once against a plain-loop RNN written here;
 * after that it is the reference: every window the stream emits must equal
 * irmas_window_classify on the same samples within 1e-5, whatever the cell, the
 * chunk size in which audio arrives, and the hop. A recorder callback keeps
 * what the stream emitted so each test can compare it afterwards.
 */
#include "alloc_count.h"
#include "cnn_zoo.h"
#include "irmas/irmas.h"
#include "sample.h"
#include "testmodel.h"
#include "testutil.h"

#include <cblas.h>
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EMITS 64

typedef struct {
    int count, classes;
    long long pushed;  /* samples pushed before the current chunk */
    long long arrived; /* ... and with it */
    long long ends[MAX_EMITS];
    float probs[MAX_EMITS][MODEL_MAX_CLASSES];
} recorder;

/* Keeps a window's result; it must come with the chunk that brought the
 * window's last sample, not earlier nor later. */
static void record(void *user, const float *probs, long long end_sample)
{
    recorder *r = user;
    ck_assert_int_lt(r->count, MAX_EMITS);
    ck_assert_int_gt(end_sample, r->pushed);
    ck_assert_int_le(end_sample, r->arrived);
    r->ends[r->count] = end_sample;
    memcpy(r->probs[r->count], probs, (size_t)r->classes * sizeof *probs);
    r->count++;
}

/* n samples of a chord of sines with noise, in [-1, 1]. */
static float *make_signal(long n, int rate, uint64_t seed)
{
    float *x = malloc((size_t)n * sizeof *x);
    ck_assert_ptr_nonnull(x);
    tu_rng rng;
    tu_seed(&rng, seed);
    for (long i = 0; i < n; i++) {
        double t = (double)i / rate;
        x[i] = (float)(0.4 * sin(2 * M_PI * 220 * t) +
                       0.2 * sin(2 * M_PI * 1375 * t)) +
               tu_uniform(&rng, -0.3f, 0.3f);
    }
    return x;
}

static void recorder_start(recorder *r, const irmas_model *m)
{
    memset(r, 0, sizeof *r);
    r->classes = m->classes;
}

/* Pushes x[0..n) into s in chunks of chunk samples. */
static void stream_feed(irmas_stream *s, const float *x, long n, long chunk,
                        recorder *r)
{
    for (long at = 0; at < n; at += chunk) {
        long len = at + chunk < n ? chunk : n - at;
        r->pushed = at;
        r->arrived = at + len;
        irmas_stream_push(s, x + at, len, record, r);
    }
}

/* The same into a new stream with the given hop. */
static void stream_run(const irmas_model *m, int hop, const float *x, long n,
                       long chunk, recorder *r)
{
    char err[256] = "";
    irmas_stream *s;
    ck_assert_msg(irmas_stream_new(m, hop, &s, err, sizeof err) == IRMAS_OK, "%s",
                  err);
    recorder_start(r, m);
    stream_feed(s, x, n, chunk, r);
    irmas_stream_free(s);
}

/* Every emitted window equals irmas_window_classify on its samples, the ends are
 * one hop apart from the first full window, and none is missing. */
static void check_against_window(const irmas_model *m, int hop, const float *x,
                                 long n, const recorder *r)
{
    char err[256] = "";
    irmas_window *w;
    ck_assert_msg(irmas_window_new(m, &w, err, sizeof err) == IRMAS_OK, "%s", err);
    long expected = n < m->window_samples ? 0
                                          : 1 + (n - m->window_samples) / hop;
    ck_assert_int_eq(r->count, expected);
    for (int k = 0; k < r->count; k++) {
        long long end = m->window_samples + (long long)k * hop;
        ck_assert_int_eq(r->ends[k], end);
        float probs[MODEL_MAX_CLASSES];
        irmas_window_classify(w, x + end - m->window_samples, probs);
        ck_assert_msg(tm_is_distribution(r->probs[k], m->classes, 1e-5f),
                      "window %d is not a distribution", k);
        float diff = tu_max_abs_diff(probs, r->probs[k], m->classes);
        ck_assert_msg(diff <= 1e-5f, "window %d (end %lld): stream differs "
                      "from irmas_window_classify by %g", k, end, (double)diff);
    }
    irmas_window_free(w);
}

/* Streams a signal of 4.5 windows through m in every chunk size, for a hop
 * that divides the window's frames, one that does not, and one longer than
 * the window, checking each against irmas_window_classify. */
static void check_stream_model(const irmas_model *m, int incremental)
{
    long n = m->window_samples * 9L / 2;
    float *x = make_signal(n, m->sample_rate, 7);
    int frame = m->frontend.frame;
    int frames = model_frames(m);
    int hops[] = {frames / 4 * frame, frames / 3 * frame + frame / 2 + 1,
                  m->window_samples + 3 * frame};
    long chunks[] = {1, 7, 512, m->window_samples};
    recorder *r = malloc(sizeof *r);
    ck_assert_ptr_nonnull(r);
    for (size_t h = 0; h < sizeof hops / sizeof hops[0]; h++) {
        irmas_stream *s;
        ck_assert(irmas_stream_new(m, hops[h], &s, NULL, 0) == IRMAS_OK);
        int hop = irmas_stream_hop(s);
        ck_assert_int_eq(hop, hops[h] / frame * frame);
        ck_assert_int_eq(irmas_stream_is_incremental(s), incremental);
        irmas_stream_free(s);
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            stream_run(m, hops[h], x, n, chunks[c], r);
            check_against_window(m, hop, x, n, r);
        }
    }
    free(r);
    free(x);
}

START_TEST(window_matches_plain_rnn)
{
    /* A 1-layer RNN and softmax, computed here with plain loops. */
    tm_spec spec = tm_raw_spec(LAYER_RNN, 20, 8);
    spec.dense_units = 0;
    spec.with_norm = 1;
    irmas_model *m = tm_model(&spec);
    float *x = make_signal(m->window_samples, m->sample_rate, 3);
    const rnn_layer *rnn = &m->layers[0].u.rnn;
    const dense_layer *out = &m->layers[1].u.dense;
    double h[8] = {0}, next[8], logits[5], sum = 0.0;
    for (int t = 0; t < model_frames(m); t++) {
        for (int j = 0; j < 8; j++) {
            double a = rnn->bias[j];
            for (int i = 0; i < 20; i++) {
                double f = (x[t * 20 + i] - m->feature_mean[i]) *
                           m->feature_scale[i];
                a += rnn->w_x[j * 20 + i] * f;
            }
            for (int i = 0; i < 8; i++) a += rnn->w_h[j * 8 + i] * h[i];
            next[j] = tanh(a);
        }
        memcpy(h, next, sizeof h);
    }
    for (int c = 0; c < 5; c++) {
        logits[c] = out->bias[c];
        for (int j = 0; j < 8; j++) logits[c] += out->weights[c * 8 + j] * h[j];
        sum += exp(logits[c]);
    }

    irmas_window *w;
    ck_assert(irmas_window_new(m, &w, NULL, 0) == IRMAS_OK);
    float probs[5];
    irmas_window_classify(w, x, probs);
    for (int c = 0; c < 5; c++)
        ck_assert_double_eq_tol(probs[c], exp(logits[c]) / sum, 1e-5);
    irmas_window_free(w);
    free(x);
    irmas_model_free(m);
}
END_TEST

/* The models every hop and chunk size is tried on. */
typedef struct {
    layer_kind kind;
    int frame, hidden;
    int with_norm, reset_after;
    layer_kind stacked; /* a second recurrent layer of 8 units, or 0 */
    norm_kind norm;
    int incremental; /* what the stream must choose */
} stream_case;

static const stream_case stream_cases[] = {
    {LAYER_RNN, 40, 16, 1, 1, 0, NORM_NONE, 1},
    {LAYER_LSTM, 100, 32, 0, 1, 0, NORM_NONE, 1},
    {LAYER_GRU, 40, 8, 0, 1, 0, NORM_NONE, 1},  /* PyTorch's form */
    {LAYER_GRU, 40, 8, 1, 0, 0, NORM_NONE, 1},  /* Cho et al.'s form */
    {LAYER_LSTM, 50, 16, 0, 1, LAYER_GRU, NORM_NONE, 1},
    {LAYER_BLSTM, 50, 8, 0, 1, 0, NORM_NONE, 0}, /* cannot stream */
    {LAYER_GRU, 40, 8, 0, 1, 0, NORM_PEAK, 0},   /* cannot stream */
};

START_TEST(stream_matches_window)
{
    const stream_case *c = &stream_cases[_i];
    tm_spec spec = tm_raw_spec(c->kind, c->frame, c->hidden);
    spec.with_norm = c->with_norm;
    spec.gru_reset_after = c->reset_after;
    spec.norm = c->norm;
    if (c->stacked) {
        spec.recurrent = 2;
        spec.kinds[1] = c->stacked;
        spec.hidden[1] = 8;
    }
    irmas_model *m = tm_model(&spec);
    check_stream_model(m, c->incremental);
    irmas_model_free(m);
}
END_TEST

START_TEST(stream_logmel)
{
    /* 30 frames per window and 32 samples after the last one: the stream
     * must wait for them before it emits. */
    tm_spec spec = tm_raw_spec(LAYER_LSTM, 0, 12);
    spec.frontend = (frontend_params){.kind = FRONTEND_LOGMEL, .frame = 128,
                                      .fft_size = 256, .mels = 20,
                                      .fmin = 50.0f, .fmax = 4000.0f};
    spec.with_norm = 1;
    irmas_model *m = tm_model(&spec);
    for (int i = 0; i < 20; i++) { /* logs of energies: centre them */
        m->feature_mean[i] = 2.0f;
        m->feature_scale[i] = 0.2f;
    }
    ck_assert_int_eq(model_frames(m), 30);
    check_stream_model(m, 1);
    irmas_model_free(m);
}
END_TEST

START_TEST(stream_nan_input)
{
    tm_spec spec = tm_raw_spec(_i ? LAYER_BLSTM : LAYER_LSTM, 40, 8);
    irmas_model *m = tm_model(&spec);
    long n = 3L * m->window_samples;
    float *x = make_signal(n, m->sample_rate, 11);
    for (long i = 0; i < n; i += 97) x[i] = NAN;
    for (long i = 50; i < n; i += 331) x[i] = i % 2 ? INFINITY : -INFINITY;
    recorder r;
    stream_run(m, 0, x, n, 333, &r);
    ck_assert_int_gt(r.count, 0);
    for (int k = 0; k < r.count; k++)
        for (int c = 0; c < m->classes; c++)
            ck_assert(isfinite(r.probs[k][c]));
    check_against_window(m, 4000, x, n, &r);
    free(x);
    irmas_model_free(m);
}
END_TEST

/* The rule the stream's input follows (sample.h): a finite sample passes
 * bit for bit, signed zeros, the largest and the subnormal included; NaN
 * and both infinities become +0. */
START_TEST(sample_finite_rule)
{
    const float kept[] = {0.0f, -0.0f, 1.0f, -0.5f, FLT_MAX, -FLT_MAX,
                          FLT_MIN, 1e-45f, -1e-45f, 123456.75f};
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        float got = sample_finite(kept[i]);
        ck_assert_int_eq(memcmp(&got, &kept[i], sizeof got), 0);
    }
    const float dropped[] = {NAN, -NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++) {
        float got = sample_finite(dropped[i]), zero = 0.0f;
        ck_assert_int_eq(memcmp(&got, &zero, sizeof got), 0);
    }
}
END_TEST

START_TEST(stream_hop_rounding)
{
    tm_spec spec = tm_raw_spec(LAYER_RNN, 30, 8);
    irmas_model *m = tm_model(&spec);
    int asked[] = {0, -5, 1, 29, 30, 61, 4000};
    int got[] = {3990, 3990, 30, 30, 30, 60, 3990};
    for (size_t i = 0; i < sizeof asked / sizeof asked[0]; i++) {
        irmas_stream *s;
        ck_assert(irmas_stream_new(m, asked[i], &s, NULL, 0) == IRMAS_OK);
        ck_assert_int_eq(irmas_stream_hop(s), got[i]);
        irmas_stream_free(s);
    }
    irmas_model_free(m);
}
END_TEST

/* A stream of m at hop that heard one window of noise and was reset
 * gives on x[n] what a new stream gives: the same windows, the same
 * probabilities to the bit. The noise's window starts where x's first
 * does. */
static void check_reset_forgets(const irmas_model *m, int hop, const float *x,
                                long n)
{
    float *noise = make_signal(m->window_samples + 100, m->sample_rate, 99);
    recorder *fresh = malloc(sizeof *fresh), *reset = malloc(sizeof *reset);
    ck_assert(fresh && reset);
    stream_run(m, hop, x, n, 100, fresh);

    irmas_stream *s;
    ck_assert(irmas_stream_new(m, hop, &s, NULL, 0) == IRMAS_OK);
    recorder_start(reset, m);
    stream_feed(s, noise, m->window_samples + 100, 333, reset);
    ck_assert_int_eq(reset->count, 1);
    irmas_stream_reset(s);
    recorder_start(reset, m);
    stream_feed(s, x, n, n, reset);
    irmas_stream_free(s);

    ck_assert_int_eq(reset->count, fresh->count);
    for (int k = 0; k < fresh->count; k++) {
        ck_assert_int_eq(reset->ends[k], fresh->ends[k]);
        ck_assert_float_eq(tu_max_abs_diff(reset->probs[k], fresh->probs[k],
                                           m->classes), 0.0f);
    }
    free(fresh);
    free(reset);
    free(noise);
}

START_TEST(stream_reset_forgets)
{
    tm_spec spec = tm_raw_spec(LAYER_LSTM, 40, 8);
    irmas_model *m = tm_model(&spec);
    long n = 2L * m->window_samples;
    float *x = make_signal(n, m->sample_rate, 5);
    check_reset_forgets(m, 1000, x, n);
    free(x);
    irmas_model_free(m);
}
END_TEST

/* cnn-mel on 64 x 64 log-mel images of 1 s at 16 kHz (frames of 2048
 * samples, 221 apart), with random weights. */
static irmas_model *logmel_cnn(void)
{
    char err[256] = "";
    cnn_zoo_stack s;
    irmas_model *m = irmas_model_new();
    m->sample_rate = 16000;
    m->window_samples = 16000;
    m->image = (image_params){.kind = IMAGE_LOGMEL, .size = 64, .channels = 1};
    m->classes = 3;
    for (int c = 0; c < m->classes; c++)
        snprintf(m->labels[c], MODEL_LABEL_MAX, "c%d", c);
    ck_assert_msg(cnn_zoo_build(cnn_zoo_find("mel"), 64, 1, m->classes, &s,
                                err, sizeof err) == IRMAS_OK, "%s", err);
    ck_assert_msg(cnn_zoo_append(&s, 0, m, err, sizeof err) == IRMAS_OK,
                  "%s", err);
    ck_assert_msg(model_alloc_weights(m, 0, err, sizeof err) == IRMAS_OK,
                  "%s", err);
    tu_rng rng;
    tu_seed(&rng, 17);
    for (int i = 0; i < m->n_layers; i++) {
        layer_tensor t[LAYER_MAX_TENSORS];
        int n = layer_tensors(&m->layers[i], t);
        for (int k = 0; k < n; k++)
            tu_fill(&rng, *t[k].data, t[k].count, -0.3f, 0.3f);
    }
    ck_assert_msg(model_validate(m, err, sizeof err) == IRMAS_OK, "%s", err);
    return m;
}

/* A CNN on a log-mel image streams with its hop rounded down to whole
 * frames of the image, each window's image reusing the frames of the
 * last (image_build), and gives what irmas_window_classify gives on the
 * same samples; after a reset it reuses nothing from before. */
START_TEST(stream_logmel_cnn)
{
    irmas_model *m = logmel_cnn();
    int frame = image_frame_hop(&m->image, m->sample_rate, m->window_samples);
    ck_assert_int_eq(frame, 221);
    irmas_stream *s;
    ck_assert(irmas_stream_new(m, 0, &s, NULL, 0) == IRMAS_OK);
    ck_assert_int_eq(irmas_stream_hop(s), 8000 / frame * frame);
    irmas_stream_free(s);

    long n = m->window_samples * 5L / 2; /* few windows: it runs under qemu */
    float *x = make_signal(n, m->sample_rate, 7);
    recorder *r = malloc(sizeof *r);
    ck_assert_ptr_nonnull(r);
    int hops[] = {4000, 1500};
    long chunks[] = {1, m->window_samples};
    for (size_t h = 0; h < sizeof hops / sizeof hops[0]; h++)
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            stream_run(m, hops[h], x, n, chunks[c], r);
            check_against_window(m, hops[h] / frame * frame, x, n, r);
        }

    check_reset_forgets(m, 4000, x, n);
    free(r);
    free(x);
    irmas_model_free(m);
}
END_TEST

/* Counts windows, and does nothing else. */
static void count_window(void *user, const float *probs, long long end_sample)
{
    (void)probs, (void)end_sample;
    ++*(long *)user;
}

START_TEST(stream_push_does_not_allocate)
{
    tm_spec spec = tm_raw_spec(_i ? LAYER_BLSTM : LAYER_LSTM, 40, 16);
    irmas_model *m = tm_model(&spec);
    long n = 5L * m->window_samples;
    float *x = make_signal(n, m->sample_rate, 1);
    irmas_stream *s;
    ck_assert(irmas_stream_new(m, 0, &s, NULL, 0) == IRMAS_OK);
    /* The counter sees an allocation where there is one... */
    alloc_count_start();
    void *volatile probe = malloc(16);
    ck_assert_int_eq(alloc_count_stop(), 1);
    free(probe);
    /* ...and the stream makes none. (No Check assertion while counting:
     * in fork mode each one sends its location to the parent, which
     * allocates.) */
    long windows = 0;
    alloc_count_start();
    for (long at = 0; at < n; at += 250)
        irmas_stream_push(s, x + at, at + 250 < n ? 250 : n - at, count_window, &windows);
    long allocations = alloc_count_stop();
    ck_assert_int_eq(windows, 5);
    ck_assert_int_eq(allocations, 0);
    irmas_stream_free(s);
    free(x);
    irmas_model_free(m);
}
END_TEST

/* Creating a stream or a window runner puts OpenBLAS on the calling
 * thread alone, whatever the program had set: its own threads would be
 * woken, with system calls, in every classify of a CNN. */
START_TEST(runners_keep_the_blas_on_the_calling_thread)
{
    tm_spec spec = tm_raw_spec(LAYER_LSTM, 40, 16);
    irmas_model *m = tm_model(&spec);
    irmas_stream *s;
    irmas_window *w;
    openblas_set_num_threads(2);
    ck_assert(irmas_stream_new(m, 0, &s, NULL, 0) == IRMAS_OK);
    ck_assert_int_eq(openblas_get_num_threads(), 1);
    openblas_set_num_threads(2);
    ck_assert(irmas_window_new(m, &w, NULL, 0) == IRMAS_OK);
    ck_assert_int_eq(openblas_get_num_threads(), 1);
    irmas_window_free(w);
    irmas_stream_free(s);
    irmas_model_free(m);
}
END_TEST

/* IRMAS_STREAM_WHOLE_WINDOWS makes a model that can stream recompute each
 * window whole: the same hop and window ends as streaming, each window
 * exactly irmas_window_classify on its samples; an unknown flag is
 * refused. */
START_TEST(stream_whole_windows_flag)
{
    tm_spec spec = tm_raw_spec(LAYER_LSTM, 40, 8);
    irmas_model *m = tm_model(&spec);
    long n = 3L * m->window_samples + 77;
    float *x = make_signal(n, m->sample_rate, 7);
    recorder *whole = malloc(sizeof *whole);
    char err[256] = "";
    irmas_stream *s = NULL, *streamed = NULL;
    ck_assert_int_eq(irmas_stream_new_flags(m, 1000, 2, &s, err, sizeof err),
                     IRMAS_ERR_ARG);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err, "unknown flags 0x2"), "%s", err);
    ck_assert_msg(irmas_stream_new_flags(m, 1000, IRMAS_STREAM_WHOLE_WINDOWS,
                                         &s, err, sizeof err) == IRMAS_OK,
                  "%s", err);
    ck_assert(irmas_stream_new(m, 1000, &streamed, NULL, 0) == IRMAS_OK);
    ck_assert_int_eq(irmas_stream_is_incremental(streamed), 1);
    ck_assert_int_eq(irmas_stream_is_incremental(s), 0);
    int hop = irmas_stream_hop(s);
    ck_assert_int_eq(hop, irmas_stream_hop(streamed));
    recorder_start(whole, m);
    stream_feed(s, x, n, 333, whole);

    irmas_window *w;
    ck_assert(irmas_window_new(m, &w, NULL, 0) == IRMAS_OK);
    ck_assert_int_eq(whole->count, 1 + (n - m->window_samples) / hop);
    for (int k = 0; k < whole->count; k++) {
        long long end = m->window_samples + (long long)k * hop;
        ck_assert_int_eq(whole->ends[k], end);
        float probs[MODEL_MAX_CLASSES];
        irmas_window_classify(w, x + end - m->window_samples, probs);
        ck_assert_int_eq(memcmp(probs, whole->probs[k],
                                (size_t)m->classes * sizeof *probs), 0);
    }
    irmas_window_free(w);
    irmas_stream_free(streamed);
    irmas_stream_free(s);
    free(whole);
    free(x);
    irmas_model_free(m);
}
END_TEST

START_TEST(stream_rejects_invalid_model)
{
    tm_spec spec = tm_raw_spec(LAYER_LSTM, 40, 8);
    irmas_model *m = tm_model(&spec);
    m->layers[1].u.dense.inputs = 9;
    char err[256] = "";
    irmas_stream *s = NULL;
    ck_assert_int_eq(irmas_stream_new(m, 0, &s, err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err, "layer 1 (dense)"), "%s", err);
    irmas_window *w = NULL;
    ck_assert_int_eq(irmas_window_new(m, &w, err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_ptr_null(w);
    irmas_model_free(m);
}
END_TEST

static Suite *stream_suite(void)
{
    Suite *s = suite_create("stream");
    TCase *tc = tcase_create("stream");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, window_matches_plain_rnn);
    tcase_add_loop_test(tc, stream_matches_window, 0,
                        sizeof stream_cases / sizeof stream_cases[0]);
    tcase_add_test(tc, stream_logmel);
    tcase_add_test(tc, stream_logmel_cnn);
    tcase_add_loop_test(tc, stream_nan_input, 0, 2);
    tcase_add_test(tc, stream_hop_rounding);
    tcase_add_test(tc, sample_finite_rule);
    tcase_add_test(tc, stream_reset_forgets);
    tcase_add_loop_test(tc, stream_push_does_not_allocate, 0, 2);
    tcase_add_test(tc, stream_whole_windows_flag);
    tcase_add_test(tc, runners_keep_the_blas_on_the_calling_thread);
    tcase_add_test(tc, stream_rejects_invalid_model);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(stream_suite());
}

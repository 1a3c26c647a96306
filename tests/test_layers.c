/* test_layers.c: the engine's layers against reference implementations.
 *
 * The references below are the equations of the layer headers written out
 * as plainly as possible: naive loops, libm's tanh and exp, and double
 * accumulation. Every layer runs on random weights and inputs (testutil.h)
 * through its public functions, and its outputs, states and work tape must
 * match the reference within TOL at every step: batches of one row, of a
 * few rows (our own small-product kernel) and of more rows than that
 * (OpenBLAS), with projections per row and shared by the whole batch.
 */
#include "denormals.h"
#include "fastmath.h"
#include "gemm.h"
#include "isa.h"
#include "recurrent.h"
#include "testdata.h"
#include "testutil.h"

#include <check.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-5
#define INPUTS 13 /* not a multiple of 4: the kernel's tail runs */
#define HIDDEN 37 /* 4H and 3H not multiples of 8: the kernel's tail again */
#define FRAMES 25
#define MAX_BATCH 11

static float *alloc_floats(long n)
{
    float *p = malloc((size_t)(n > 0 ? n : 1) * sizeof *p);
    ck_assert_ptr_nonnull(p);
    return p;
}

static float *random_floats(tu_rng *rng, long n, float scale)
{
    float *p = alloc_floats(n);
    tu_fill(rng, p, n, -scale, scale);
    return p;
}

/* Largest |a[i] - b[i]| of a float result against a double reference. */
static double max_diff(const float *a, const double *b, int n)
{
    double worst = 0.0;
    for (int i = 0; i < n; i++) {
        double d = fabs((double)a[i] - b[i]);
        if (!(d <= worst)) worst = d; /* NaN counts as the worst */
    }
    return worst;
}

static double ref_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* y[n] = W x + b for W [n][k]. */
static void ref_affine(int n, int k, const float *w, const float *x,
                       const float *b, double *y)
{
    for (int j = 0; j < n; j++) {
        double sum = b ? b[j] : 0.0;
        for (int i = 0; i < k; i++) sum += (double)w[(long)j * k + i] * x[i];
        y[j] = sum;
    }
}

/* y[n] = W h + b for W [n][k] and a double h. */
static void ref_affine_d(int n, int k, const float *w, const double *h,
                         const float *b, double *y)
{
    for (int j = 0; j < n; j++) {
        double sum = b ? b[j] : 0.0;
        for (int i = 0; i < k; i++) sum += w[(long)j * k + i] * h[i];
        y[j] = sum;
    }
}

/* ---- References: one step of one row, from a raw frame x ---- */

static void ref_rnn_step(const rnn_layer *l, const float *x, double *h,
                         double *tape)
{
    int H = l->hidden;
    double px[HIDDEN], ph[HIDDEN];
    ref_affine(H, l->inputs, l->w_x, x, l->bias, px);
    ref_affine_d(H, H, l->w_h, h, NULL, ph);
    for (int j = 0; j < H; j++) tape[j] = h[j] = tanh(px[j] + ph[j]);
}

static void ref_lstm_step(const lstm_layer *l, const float *x, double *h,
                          double *c, double *tape)
{
    int H = l->hidden;
    double px[4 * HIDDEN], ph[4 * HIDDEN];
    ref_affine(4 * H, l->inputs, l->w_x, x, l->bias, px);
    ref_affine_d(4 * H, H, l->w_h, h, NULL, ph);
    for (int j = 0; j < H; j++) {
        double i = ref_sigmoid(px[j] + ph[j]);
        double f = ref_sigmoid(px[H + j] + ph[H + j]);
        double g = tanh(px[2 * H + j] + ph[2 * H + j]);
        double o = ref_sigmoid(px[3 * H + j] + ph[3 * H + j]);
        c[j] = f * c[j] + i * g;
        h[j] = o * tanh(c[j]);
        tape[j] = i, tape[H + j] = f, tape[2 * H + j] = g, tape[3 * H + j] = o;
    }
}

static void ref_gru_step(const gru_layer *l, const float *x, double *h,
                         double *tape)
{
    int H = l->hidden;
    double px[3 * HIDDEN], ph[3 * HIDDEN], r[HIDDEN], z[HIDDEN], rh[HIDDEN],
        hn[HIDDEN];
    ref_affine(3 * H, l->inputs, l->w_x, x, l->b_x, px);
    ref_affine_d(3 * H, H, l->w_h, h, l->b_h, ph); /* U h + b_h, all gates */
    for (int j = 0; j < H; j++) {
        r[j] = ref_sigmoid(px[j] + ph[j]);
        z[j] = ref_sigmoid(px[H + j] + ph[H + j]);
        rh[j] = r[j] * h[j];
    }
    if (l->reset_after)
        for (int j = 0; j < H; j++) hn[j] = ph[2 * H + j];
    else
        ref_affine_d(H, H, l->w_h + 2L * H * H, rh, l->b_h + 2 * H, hn);
    for (int j = 0; j < H; j++) {
        double n = tanh(px[2 * H + j] + (l->reset_after ? r[j] : 1.0) * hn[j]);
        tape[j] = r[j], tape[H + j] = z[j], tape[2 * H + j] = n;
        tape[3 * H + j] = hn[j];
        h[j] = z[j] * h[j] + (1.0 - z[j]) * n;
    }
}

static void ref_step(const layer *l, const float *x, double *h, double *c,
                     double *tape)
{
    switch (l->kind) {
    case LAYER_RNN: ref_rnn_step(&l->u.rnn, x, h, tape); break;
    case LAYER_LSTM: ref_lstm_step(&l->u.lstm, x, h, c, tape); break;
    case LAYER_GRU: ref_gru_step(&l->u.gru, x, h, tape); break;
    default: ck_abort_msg("not a cell");
    }
}

/* ---- Building layers with random weights ---- */

/* Gives every tensor of l random weights in +-scale. */
static void layer_randomise(layer *l, tu_rng *rng, float scale)
{
    layer_tensor t[LAYER_MAX_TENSORS];
    int n = layer_tensors(l, t);
    ck_assert_int_gt(n, 0);
    for (int i = 0; i < n; i++) *t[i].data = random_floats(rng, t[i].count, scale);
}

static void layer_release(layer *l)
{
    layer_tensor t[LAYER_MAX_TENSORS];
    int n = layer_tensors(l, t);
    for (int i = 0; i < n; i++) free(*t[i].data);
}

static layer make_cell(layer_kind kind, int reset_after, tu_rng *rng)
{
    layer l = {.kind = kind};
    switch (kind) {
    case LAYER_RNN: l.u.rnn = (rnn_layer){.inputs = INPUTS, .hidden = HIDDEN}; break;
    case LAYER_LSTM: l.u.lstm = (lstm_layer){.inputs = INPUTS, .hidden = HIDDEN}; break;
    case LAYER_GRU:
        l.u.gru = (gru_layer){.inputs = INPUTS, .hidden = HIDDEN,
                              .reset_after = reset_after};
        break;
    default: ck_abort_msg("not a cell");
    }
    layer_randomise(&l, rng, 0.4f);
    return l;
}

/* ---- The cells, step by step ---- */

/* Runs cell l for FRAMES steps on batch rows from random states, through
 * recurrent.h, and compares states and work tapes with the reference after
 * every step. shared: one frame per step for the whole batch (stride 0);
 * otherwise a frame per row. packed: W_h and W_x read from
 * recurrent_pack's copy, as the runners read them, rather than from the
 * layer, as the trainer. */
static void check_cell(const layer *l, int batch, int shared, int packed,
                       tu_rng *rng)
{
    int H = recurrent_hidden(l), P = recurrent_proj_size(l),
        S = recurrent_state_size(l), W = recurrent_work_size(l);
    int is_lstm = l->kind == LAYER_LSTM;
    long rows = shared ? FRAMES : (long)FRAMES * batch;
    float *x = random_floats(rng, rows * INPUTS, 1.0f);
    float *xproj = alloc_floats(rows * P);
    float *state = random_floats(rng, (long)batch * S, 0.5f);
    float *work = alloc_floats((long)batch * W);
    float *copy = packed ? alloc_floats(recurrent_packed_floats(l)) : NULL;
    if (copy) recurrent_pack(l, copy);
    double h[MAX_BATCH][HIDDEN], c[MAX_BATCH][HIDDEN], tape[4 * HIDDEN];
    for (int r = 0; r < batch; r++)
        for (int j = 0; j < H; j++) {
            h[r][j] = state[r * H + j];
            c[r][j] = is_lstm ? state[(batch + r) * H + j] : 0.0;
        }

    recurrent_project(l, copy, x, (int)rows, xproj);
    for (int t = 0; t < FRAMES; t++) {
        long first = shared ? t : (long)t * batch;
        recurrent_step(l, copy, xproj + first * P, shared ? 0 : P, state,
                       batch, work);
        for (int r = 0; r < batch; r++) {
            const float *frame = x + (first + (shared ? 0 : r)) * INPUTS;
            ref_step(l, frame, h[r], c[r], tape);
            const char *kind = layer_kind_name(l->kind);
            double dh = max_diff(state + r * H, h[r], H);
            double dw = max_diff(work + (long)r * W, tape, W);
            double dc = is_lstm ? max_diff(state + (batch + r) * H, c[r], H) : 0;
            ck_assert_msg(dh < TOL && dw < TOL && dc < TOL,
                          "%s batch %d%s%s, step %d, row %d: h off by %g, "
                          "work tape by %g, c by %g", kind, batch,
                          shared ? " shared" : "", packed ? " packed" : "",
                          t, r, dh, dw, dc);
        }
    }
    free(x), free(xproj), free(state), free(work), free(copy);
}

static void check_cell_kind(layer_kind kind, int reset_after)
{
    static const int batches[] = {1, 3, MAX_BATCH};
    tu_rng rng;
    tu_seed(&rng, 1000 + kind * 10 + reset_after);
    layer l = make_cell(kind, reset_after, &rng);
    for (int b = 0; b < 3; b++)
        for (int shared = 0; shared < 2; shared++)
            for (int packed = 0; packed < 2; packed++)
                check_cell(&l, batches[b], shared, packed, &rng);
    layer_release(&l);
}

/* The tests marked "every instruction set" run once per isa.h level (the
 * loop index), on the kernels of that level; a level the CPU lacks passes
 * after saying so. Check runs each in its own process. */
static int use_isa(int level)
{
    if (isa_select((isa_level)level) != 0) {
        printf("%s: not run by this CPU or build, skipped\n",
               isa_name((isa_level)level));
        return 0;
    }
    return 1;
}

/* Every instruction set. */
START_TEST(test_rnn)
{
    if (use_isa(_i)) check_cell_kind(LAYER_RNN, 0);
}
END_TEST

START_TEST(test_lstm)
{
    if (use_isa(_i)) check_cell_kind(LAYER_LSTM, 0);
}
END_TEST

START_TEST(test_gru_reset_after)
{
    if (use_isa(_i)) check_cell_kind(LAYER_GRU, 1);
}
END_TEST

START_TEST(test_gru_reset_before)
{
    if (use_isa(_i)) check_cell_kind(LAYER_GRU, 0);
}
END_TEST

/* The cells' own entry points agree with the dispatch and leave the state
 * layout recurrent.h documents: h of every row, then c of every row. */
START_TEST(test_lstm_state_layout)
{
    tu_rng rng;
    tu_seed(&rng, 7);
    layer l = make_cell(LAYER_LSTM, 0, &rng);
    int batch = 3, H = HIDDEN;
    float *x = random_floats(&rng, INPUTS, 1.0f);
    float *xproj = alloc_floats(4 * H);
    float *state = random_floats(&rng, 2L * batch * H, 0.5f);
    float *h = alloc_floats((long)batch * H), *c = alloc_floats((long)batch * H);
    float *work = alloc_floats((long)batch * lstm_work_size(H));
    memcpy(h, state, (size_t)batch * H * sizeof *h);
    memcpy(c, state + batch * H, (size_t)batch * H * sizeof *c);
    lstm_project(&l.u.lstm, NULL, x, 1, xproj);
    lstm_step(&l.u.lstm, NULL, xproj, 0, h, c, batch, work);
    recurrent_step(&l, NULL, xproj, 0, state, batch, work);
    ck_assert_mem_eq(state, h, (size_t)batch * H * sizeof *h);
    ck_assert_mem_eq(state + batch * H, c, (size_t)batch * H * sizeof *c);
    free(x), free(xproj), free(state), free(h), free(c), free(work);
    layer_release(&l);
}
END_TEST

/* ---- The bidirectional LSTM ---- */

START_TEST(test_blstm)
{
    tu_rng rng;
    tu_seed(&rng, 11);
    layer l = {.kind = LAYER_BLSTM};
    l.u.blstm.fwd = (lstm_layer){.inputs = INPUTS, .hidden = HIDDEN};
    l.u.blstm.bwd = l.u.blstm.fwd;
    layer_randomise(&l, &rng, 0.4f);
    int H = HIDDEN;
    float *x = random_floats(&rng, (long)FRAMES * INPUTS, 1.0f);
    float *work = alloc_floats(blstm_work_size(&l.u.blstm, FRAMES));
    float out[2 * HIDDEN];
    blstm_forward(&l.u.blstm, x, FRAMES, out, work);

    double h[2][HIDDEN] = {{0}}, c[2][HIDDEN] = {{0}}, tape[4 * HIDDEN];
    for (int t = 0; t < FRAMES; t++) {
        ref_lstm_step(&l.u.blstm.fwd, x + (long)t * INPUTS, h[0], c[0], tape);
        ref_lstm_step(&l.u.blstm.bwd, x + (long)(FRAMES - 1 - t) * INPUTS,
                      h[1], c[1], tape);
    }
    double dfwd = max_diff(out, h[0], H), dbwd = max_diff(out + H, h[1], H);
    ck_assert_msg(dfwd < TOL && dbwd < TOL,
                  "blstm: forward half off by %g, backward half by %g", dfwd,
                  dbwd);
    ck_assert_int_eq(layer_outputs(&l), 2 * H);
    free(x), free(work);
    layer_release(&l);
}
END_TEST

/* ---- The dense layer ---- */

static void ref_activate(activation act, double *v, int n)
{
    double max = v[0], sum = 0.0;
    for (int i = 0; i < n; i++) {
        switch (act) {
        case ACT_NONE: break;
        case ACT_RELU: v[i] = v[i] > 0.0 ? v[i] : 0.0; break;
        case ACT_TANH: v[i] = tanh(v[i]); break;
        case ACT_SIGMOID: v[i] = ref_sigmoid(v[i]); break;
        case ACT_SOFTMAX: max = v[i] > max ? v[i] : max; break;
        }
    }
    if (act != ACT_SOFTMAX) return;
    for (int i = 0; i < n; i++) sum += v[i] = exp(v[i] - max);
    for (int i = 0; i < n; i++) v[i] /= sum;
}

START_TEST(test_dense)
{
    activation act = (activation)_i;
    tu_rng rng;
    tu_seed(&rng, 20 + _i);
    int batch = 5, inputs = 2 * HIDDEN, outputs = 11;
    layer l = {.kind = LAYER_DENSE};
    l.u.dense = (dense_layer){.inputs = inputs, .outputs = outputs, .act = act};
    layer_randomise(&l, &rng, 0.5f);
    float *in = random_floats(&rng, (long)batch * inputs, 2.0f);
    float *out = alloc_floats((long)batch * outputs);
    dense_forward(&l.u.dense, in, out, batch);
    for (int r = 0; r < batch; r++) {
        double want[11];
        ref_affine(outputs, inputs, l.u.dense.weights, in + r * inputs,
                   l.u.dense.bias, want);
        ref_activate(act, want, outputs);
        double d = max_diff(out + r * outputs, want, outputs);
        ck_assert_msg(d < TOL, "dense %s, row %d: off by %g",
                      activation_name(act), r, d);
    }
    free(in), free(out);
    layer_release(&l);
}
END_TEST

/* ---- The matrix products ---- */

/* The element (i, j) of a matrix stored row-major or transposed. */
static float at(const float *m, int ld, int transposed, int i, int j)
{
    return transposed ? m[(long)j * ld + i] : m[(long)i * ld + j];
}

/* Checks C = beta C + op(A) op(B) for one of the three products on random
 * operands with padded leading dimensions ('P': A B^T with B packed by
 * gemm_pack, beta 0 only; 'B': the same plus a bias on every row). beta =
 * 0 must ignore C, so C starts as NaN then. */
static void check_gemm(char which, int m, int n, int k, float beta,
                       tu_rng *rng)
{
    int ta = which == 't', tb = which == 'T' || which == 'P' || which == 'B';
    int lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 2, ldc = n + 5;
    long arows = ta ? k : m, brows = tb ? n : k;
    float *a = random_floats(rng, arows * lda, 1.0f);
    float *b = random_floats(rng, brows * ldb, 1.0f);
    float *c = random_floats(rng, (long)m * ldc, 1.0f);
    float *bias = which == 'B' ? random_floats(rng, n, 1.0f) : NULL;
    double *want = calloc((size_t)m * n, sizeof *want);
    ck_assert_ptr_nonnull(want);
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double sum = beta == 0.0f ? 0.0 : beta * c[(long)i * ldc + j];
            if (bias) sum += bias[j];
            for (int t = 0; t < k; t++)
                sum += (double)at(a, lda, ta, i, t) * at(b, ldb, tb, t, j);
            want[(long)i * n + j] = sum;
        }
    if (beta == 0.0f)
        for (long i = 0; i < (long)m * ldc; i++) c[i] = NAN;
    if (which == 'T') gemm_nt(m, n, k, a, lda, b, ldb, beta, c, ldc);
    if (which == 'P' || which == 'B') {
        float *packed = alloc_floats(gemm_packed_floats(n, k));
        gemm_pack(n, k, b, ldb, packed);
        gemm_nt_packed(m, n, k, a, lda, packed, bias, c, ldc);
        free(packed);
    }
    if (which == 'N') gemm_nn(m, n, k, a, lda, b, ldb, beta, c, ldc);
    if (which == 't') gemm_tn(m, n, k, a, lda, b, ldb, beta, c, ldc);
    for (int i = 0; i < m; i++) {
        double d = max_diff(c + (long)i * ldc, want + (long)i * n, n);
        ck_assert_msg(d < TOL * sqrt(k + 1.0), "gemm '%c' %dx%dx%d beta %g: row %d "
                      "off by %g", which, m, n, k, beta, i, d);
    }
    free(a), free(b), free(c), free(bias), free(want);
}

/* A model with huge (finite) weights overflows to inf and then NaN before
 * its softmax, as the fuzzer found; the softmax still gives a
 * distribution: inf as the largest logit, NaN as the smallest. */
START_TEST(test_softmax_of_overflowed_logits)
{
    float v[4] = {INFINITY, NAN, 1.0f, -INFINITY};
    activation_apply(ACT_SOFTMAX, v, 1, 4);
    ck_assert_float_eq(v[0], 1.0f);
    for (int i = 1; i < 4; i++) ck_assert_float_eq(v[i], 0.0f);

    float nans[3] = {NAN, NAN, NAN};
    activation_apply(ACT_SOFTMAX, nans, 1, 3);
    for (int i = 0; i < 3; i++)
        ck_assert_float_eq_tol(nans[i], 1.0f / 3.0f, 1e-6f);
}
END_TEST

/* Every instruction set. */
START_TEST(test_gemm)
{
    static const int shapes[][3] = {{1, 400, 100}, {1, 7, 3},   {2, 9, 5},
                                    {6, 148, 37},  {8, 16, 8},  {9, 33, 17},
                                    {50, 40, 13},  {3, 1, 1},   {4, 5, 0},
                                    {1, 24, 21},   {5, 64, 35}, {2, 8, 128},
                                    {1, 300, 100}, {3, 200, 99}, {1, 80, 7},
                                    {7, 250, 11},  {1323, 400, 100}};
    if (!use_isa(_i)) return;
    tu_rng rng;
    tu_seed(&rng, 3);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int beta = 0; beta < 2; beta++) {
            const int *d = shapes[s];
            check_gemm('T', d[0], d[1], d[2], (float)beta, &rng);
            check_gemm('N', d[0], d[1], d[2], (float)beta, &rng);
            check_gemm('t', d[0], d[1], d[2], (float)beta, &rng);
            if (beta == 0) check_gemm('P', d[0], d[1], d[2], 0.0f, &rng);
            if (beta == 0) check_gemm('B', d[0], d[1], d[2], 0.0f, &rng);
        }
}
END_TEST

/* ---- The fast nonlinearities and logarithm ---- */

START_TEST(test_fastmath)
{
    double worst_tanh = 0.0, worst_sigmoid = 0.0;
    for (float x = -20.0f; x <= 20.0f; x += 1.0f / 1024) {
        double t = fabs(fast_tanhf(x) - tanh(x));
        double s = fabs(fast_sigmoidf(x) - ref_sigmoid(x));
        worst_tanh = t > worst_tanh ? t : worst_tanh;
        worst_sigmoid = s > worst_sigmoid ? s : worst_sigmoid;
    }
    ck_assert_msg(worst_tanh < 1e-6, "fast_tanhf off by %g", worst_tanh);
    ck_assert_msg(worst_sigmoid < 1e-6, "fast_sigmoidf off by %g",
                  worst_sigmoid);
    ck_assert(fabsf(fast_tanhf(INFINITY) - 1.0f) < 1e-6f);
    ck_assert(fabsf(fast_tanhf(-INFINITY) + 1.0f) < 1e-6f);
    ck_assert(fast_sigmoidf(-INFINITY) < 1e-6f);
    ck_assert(isnan(fast_tanhf(NAN)));
    ck_assert_float_eq(fast_tanhf(0.0f), 0.0f);
    ck_assert(fabsf(fast_tanhf(1e-30f) - 1e-30f) < 1e-36f); /* relative */

    /* fast_logf against log in double, from the log-mel floor (1e-10) to
     * 1e30, every 2^-12 of an octave and across 1 closely: within 2e-7
     * relative, or 1e-7 absolute near log 1 = 0. */
    double worst_log = 0.0;
    for (double x = 1e-10; x < 1e30; x *= 1.0 + 1.0 / 4096) {
        double want = log((float)x);
        double error = fabs(fast_logf((float)x) - want);
        double bound = fabs(want) > 0.5 ? 2e-7 * fabs(want) : 1e-7;
        worst_log = error / bound > worst_log ? error / bound : worst_log;
    }
    for (float x = 0.9f; x < 1.1f; x = nextafterf(x, 2.0f)) {
        double error = fabs(fast_logf(x) - log(x));
        worst_log = error / 1e-7 > worst_log ? error / 1e-7 : worst_log;
    }
    ck_assert_msg(worst_log <= 1.0, "fast_logf off by %g of its bound",
                  worst_log);
    ck_assert_float_eq(fast_logf(1.0f), 0.0f);
    ck_assert(isinf(fast_logf(INFINITY)));
    ck_assert(isnan(fast_logf(NAN)));
}
END_TEST

/* ---- What layer.h and recurrent.h say about each kind ---- */

/* Checks that l's tensors are named names[] in order with the counts. */
static void check_tensors(layer *l, const char *const *names,
                          const long *counts, int expected)
{
    layer_tensor t[LAYER_MAX_TENSORS];
    int n = layer_tensors(l, t);
    ck_assert_int_eq(n, expected);
    for (int i = 0; i < n; i++) {
        ck_assert_str_eq(t[i].name, names[i]);
        ck_assert_int_eq(t[i].count, counts[i]);
    }
}

START_TEST(test_layer_tensors)
{
    int I = 5, H = 3;
    layer l = {.kind = LAYER_DENSE};
    l.u.dense = (dense_layer){.inputs = I, .outputs = H};
    check_tensors(&l, (const char *const[]){"weights", "bias"},
                  (const long[]){15, 3}, 2);
    layer_tensor t[LAYER_MAX_TENSORS];
    layer_tensors(&l, t);
    ck_assert_ptr_eq(t[0].data, &l.u.dense.weights);
    ck_assert_ptr_eq(t[1].data, &l.u.dense.bias);

    l = (layer){.kind = LAYER_RNN};
    l.u.rnn = (rnn_layer){.inputs = I, .hidden = H};
    check_tensors(&l, (const char *const[]){"w_x", "w_h", "bias"},
                  (const long[]){15, 9, 3}, 3);

    l = (layer){.kind = LAYER_LSTM};
    l.u.lstm = (lstm_layer){.inputs = I, .hidden = H};
    check_tensors(&l, (const char *const[]){"w_x", "w_h", "bias"},
                  (const long[]){60, 36, 12}, 3);

    l = (layer){.kind = LAYER_GRU};
    l.u.gru = (gru_layer){.inputs = I, .hidden = H};
    check_tensors(&l, (const char *const[]){"w_x", "w_h", "b_x", "b_h"},
                  (const long[]){45, 27, 9, 9}, 4);

    l = (layer){.kind = LAYER_BLSTM};
    l.u.blstm.fwd = (lstm_layer){.inputs = I, .hidden = H};
    l.u.blstm.bwd = l.u.blstm.fwd;
    check_tensors(&l,
                  (const char *const[]){"fwd.w_x", "fwd.w_h", "fwd.bias",
                                        "bwd.w_x", "bwd.w_h", "bwd.bias"},
                  (const long[]){60, 36, 12, 60, 36, 12}, 6);
    layer_tensors(&l, t);
    ck_assert_ptr_eq(t[3].data, &l.u.blstm.bwd.w_x);
}
END_TEST

START_TEST(test_layer_shapes)
{
    static const char *const names[] = {"dense", "rnn",    "lstm",
                                        "gru",   "blstm",  "conv2d",
                                        "maxpool", "stats"};
    for (int k = LAYER_DENSE; k <= LAYER_STATS; k++)
        ck_assert_str_eq(layer_kind_name((layer_kind)k), names[k - 1]);
    ck_assert_ptr_null(layer_kind_name((layer_kind)0));
    ck_assert_ptr_null(layer_kind_name((layer_kind)99));

    /* inputs 5, hidden 3 (dense: outputs 3) for every kind */
    static const int outputs[] = {3, 3, 3, 3, 6}, proj[] = {0, 3, 12, 9, 0},
                     state[] = {0, 3, 6, 3, 0}, work[] = {0, 3, 12, 12, 0};
    for (int k = LAYER_DENSE; k <= LAYER_BLSTM; k++) {
        layer l = {.kind = (layer_kind)k};
        switch (l.kind) {
        case LAYER_DENSE: l.u.dense = (dense_layer){.inputs = 5, .outputs = 3}; break;
        case LAYER_RNN: l.u.rnn = (rnn_layer){.inputs = 5, .hidden = 3}; break;
        case LAYER_LSTM: l.u.lstm = (lstm_layer){.inputs = 5, .hidden = 3}; break;
        case LAYER_GRU: l.u.gru = (gru_layer){.inputs = 5, .hidden = 3}; break;
        case LAYER_BLSTM:
            l.u.blstm.fwd = (lstm_layer){.inputs = 5, .hidden = 3};
            l.u.blstm.bwd = l.u.blstm.fwd;
            break;
        case LAYER_CONV2D: case LAYER_MAXPOOL: case LAYER_STATS: break;
        }
        ck_assert_int_eq(layer_is_recurrent(&l), k != LAYER_DENSE);
        ck_assert_int_eq(layer_inputs(&l), 5);
        ck_assert_int_eq(layer_outputs(&l), outputs[k - 1]);
        ck_assert_int_eq(recurrent_proj_size(&l), proj[k - 1]);
        ck_assert_int_eq(recurrent_state_size(&l), state[k - 1]);
        ck_assert_int_eq(recurrent_work_size(&l), work[k - 1]);
    }
}
END_TEST

/* The image and statistics kinds: which family each belongs to and the
 * sizes it reads and writes. */
START_TEST(test_layer_families)
{
    layer conv = {.kind = LAYER_CONV2D,
                  .u.conv2d = {.channels = 2, .height = 9, .width = 9,
                               .filters = 4, .kernel = 3, .stride = 2}};
    layer pool = {.kind = LAYER_MAXPOOL,
                  .u.pool = {.channels = 4, .height = 4, .width = 4,
                             .size = 2, .stride = 2}};
    layer stats = {.kind = LAYER_STATS, .u.stats = {.inputs = 7}};
    layer_tensor t[LAYER_MAX_TENSORS];
    ck_assert_int_eq(layer_inputs(&conv), 2 * 9 * 9);
    ck_assert_int_eq(layer_outputs(&conv), 4 * 4 * 4);
    ck_assert_int_eq(layer_tensors(&conv, t), 2);
    ck_assert_int_eq(t[0].count, 4 * 2 * 3 * 3);
    ck_assert_int_eq(layer_inputs(&pool), 4 * 4 * 4);
    ck_assert_int_eq(layer_outputs(&pool), 4 * 2 * 2);
    ck_assert_int_eq(layer_tensors(&pool, t), 0);
    ck_assert_int_eq(layer_inputs(&stats), 7);
    ck_assert_int_eq(layer_outputs(&stats), 14);
    ck_assert_int_eq(layer_tensors(&stats, t), 0);
    ck_assert(layer_reads_image(&conv) && layer_reads_image(&pool));
    ck_assert(!layer_reads_frames(&conv) && !layer_is_recurrent(&pool));
    ck_assert(layer_reads_frames(&stats) && !layer_is_recurrent(&stats));
}
END_TEST

/* The level is chosen once a process: these tests need a process of their
 * own, which Check gives each test unless CK_FORK=no (as under qemu-user,
 * scripts/cross-test.sh). */
static int fresh_process(void)
{
    const char *fork_mode = getenv("CK_FORK");
    if (fork_mode && strcmp(fork_mode, "no") == 0) {
        printf("IRMAS_ISA's choice not tested: CK_FORK=no\n");
        return 0;
    }
    return 1;
}

/* IRMAS_ISA names another level, which the engine then uses: "portable"
 * (always there) and avx2 where the CPU has it, both lower than the
 * preferred where the CPU has avx512; without it the widest runs. */
START_TEST(test_isa_choice)
{
    ck_assert_int_eq(isa_parse("portable"), ISA_PORTABLE);
    ck_assert_int_eq(isa_parse("avx512"), ISA_AVX512);
    ck_assert_int_eq(isa_parse("sse9"), -1);
    ck_assert(isa_supported(ISA_PORTABLE));
    isa_level widest = isa_supported(ISA_AVX512) ? ISA_AVX512
                       : isa_supported(ISA_AVX2) ? ISA_AVX2
                                                 : ISA_PORTABLE;
    ck_assert_int_eq(isa_preferred(), widest);
    isa_level asked = _i == 0 ? ISA_PORTABLE : ISA_AVX2;
    if (!isa_supported(asked)) {
        printf("IRMAS_ISA=%s not tested: this CPU or build does not run it\n",
               isa_name(asked));
        return;
    }
    if (!fresh_process()) return;
    setenv("IRMAS_ISA", isa_name(asked), 1);
    ck_assert_int_eq(isa_current_level(), asked);
    if (asked == ISA_PORTABLE) ck_assert_ptr_eq(isa_current(), &kernels_portable);
}
END_TEST

/* An unknown IRMAS_ISA warns, naming it, and the preferred level runs. */
START_TEST(test_isa_unknown)
{
    if (!fresh_process()) return;
    setenv("IRMAS_ISA", "sse9", 1);
    td_capture_begin();
    isa_level chosen = isa_current_level();
    const char *err = td_capture_end();
    ck_assert_int_eq(chosen, isa_preferred());
    ck_assert_msg(strstr(err, "IRMAS_ISA=sse9: no such instruction set"),
                  "warning: %s", err);
}
END_TEST

/* ---- Denormal numbers ---- */

/* 1 when this thread computes with denormals: a product whose result is
 * below FLT_MIN stays nonzero, and a denormal operand counts. volatile, so
 * the compiler computes both here rather than folding them. */
static int computes_denormals(void)
{
    volatile float small = FLT_MIN, tenth = 0.1f, denormal = FLT_MIN / 8;
    volatile float result = small * tenth, doubled = denormal * 2.0f;
    return result != 0.0f && doubled != 0.0f;
}

static void *denormals_seen(void *arg)
{
    *(int *)arg = computes_denormals();
    return NULL;
}

/* Flushes in its own thread (the test's thread keeps its environment),
 * then starts one more: denormals are zero in both. */
static void *flush_then_spawn(void *arg)
{
    int *seen = arg;
    denormals_flush();
    seen[0] = computes_denormals();
    pthread_t child;
    ck_assert_int_eq(pthread_create(&child, NULL, denormals_seen, &seen[1]), 0);
    pthread_join(child, NULL);
    return NULL;
}

/* denormals_flush: results below the normal range and denormal operands
 * are zero in the calling thread and in threads it starts afterwards;
 * other threads compute with denormals as before. */
START_TEST(test_denormals_flush)
{
    ck_assert(computes_denormals());
#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__)
    int seen[2] = {-1, -1};
    pthread_t flusher;
    ck_assert_int_eq(pthread_create(&flusher, NULL, flush_then_spawn, seen), 0);
    pthread_join(flusher, NULL);
    ck_assert_int_eq(seen[0], 0);
    ck_assert_int_eq(seen[1], 0);
    ck_assert(computes_denormals());
#else
    printf("denormals_flush not tested: it does nothing on this CPU family\n");
#endif
}
END_TEST

static Suite *layers_suite(void)
{
    Suite *s = suite_create("layers");
    TCase *tc = tcase_create("layers");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_gemm, 0, ISA_LEVELS);
    tcase_add_test(tc, test_fastmath);
    tcase_add_test(tc, test_denormals_flush);
    tcase_add_loop_test(tc, test_dense, ACT_NONE, ACT_SOFTMAX + 1);
    tcase_add_loop_test(tc, test_rnn, 0, ISA_LEVELS);
    tcase_add_loop_test(tc, test_lstm, 0, ISA_LEVELS);
    tcase_add_loop_test(tc, test_gru_reset_after, 0, ISA_LEVELS);
    tcase_add_loop_test(tc, test_gru_reset_before, 0, ISA_LEVELS);
    tcase_add_loop_test(tc, test_isa_choice, 0, 2);
    tcase_add_test(tc, test_isa_unknown);
    tcase_add_test(tc, test_lstm_state_layout);
    tcase_add_test(tc, test_blstm);
    tcase_add_test(tc, test_layer_families);
    tcase_add_test(tc, test_layer_tensors);
    tcase_add_test(tc, test_softmax_of_overflowed_logits);
    tcase_add_test(tc, test_layer_shapes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(layers_suite());
}

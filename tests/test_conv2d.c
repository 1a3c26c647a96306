/* test_conv2d.c: conv2d, its Winograd form (winograd.h) and max-pooling
 * against plain reference loops, and their backward passes against finite
 * differences.
 *
 * Each gradient check takes the loss L = sum_i out[i] g[i] for a fixed
 * random g, so dL/dout = g, and compares every coordinate of the backward
 * pass with the central difference (L(v + eps) - L(v - eps)) / 2 eps. Both
 * layers are piecewise linear, so the difference is exact up to rounding
 * unless the step crosses a kink (a ReLU turning on or off, a pool's argmax
 * moving); such coordinates are skipped, and the tests check that few are.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv2d.h"
#include "gemm.h"
#include "pool.h"
#include "testutil.h"
#include "winograd.h"

/* A conv2d shape with its own random weights and input. */
typedef struct {
    conv2d_layer l;
    float *in, *out, *work;
} conv_case;

static conv_case conv_case_new(tu_rng *r, int channels, int height, int width,
                               int filters, int kernel, int stride,
                               int padding, activation act)
{
    conv_case c = {.l = {.channels = channels, .height = height,
                         .width = width, .filters = filters, .kernel = kernel,
                         .stride = stride, .padding = padding, .act = act}};
    ck_assert_int_eq(conv2d_check(&c.l, "test", NULL, 0), IRMAS_OK);
    c.l.weights = malloc(sizeof(float) * conv2d_weight_count(&c.l));
    c.l.bias = malloc(sizeof(float) * filters);
    c.in = malloc(sizeof(float) * conv2d_inputs(&c.l) * 2);
    c.out = malloc(sizeof(float) * conv2d_outputs(&c.l) * 2);
    c.work = malloc(sizeof(float) * conv2d_work_size(&c.l));
    tu_fill(r, c.l.weights, conv2d_weight_count(&c.l), -0.5f, 0.5f);
    tu_fill(r, c.l.bias, filters, -0.5f, 0.5f);
    tu_fill(r, c.in, conv2d_inputs(&c.l) * 2, -1.0f, 1.0f);
    /* what an earlier layer left: the unrolling must write or zero it all */
    for (long i = 0; i < conv2d_work_size(&c.l); i++) c.work[i] = NAN;
    return c;
}

static void conv_case_free(conv_case *c)
{
    free(c->l.weights);
    free(c->l.bias);
    free(c->in);
    free(c->out);
    free(c->work);
}

/* The definition in conv2d.h, read literally, in double. */
static void conv_reference(const conv2d_layer *l, const float *in, double *out)
{
    int oh = conv2d_out_height(l), ow = conv2d_out_width(l), k = l->kernel;
    for (int f = 0; f < l->filters; f++)
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++) {
                double sum = l->bias[f];
                for (int c = 0; c < l->channels; c++)
                    for (int i = 0; i < k; i++)
                        for (int j = 0; j < k; j++) {
                            int y = oy * l->stride - l->padding + i;
                            int x = ox * l->stride - l->padding + j;
                            if (y < 0 || y >= l->height || x < 0 || x >= l->width)
                                continue;
                            sum += (double)l->weights[((f * l->channels + c) * k + i) * k + j] *
                                   in[(c * l->height + y) * l->width + x];
                        }
                if (l->act == ACT_RELU && sum < 0.0) sum = 0.0;
                *out++ = sum;
            }
}

START_TEST(conv_forward_matches_reference)
{
    /* {channels, height, width, filters, kernel, stride, padding} */
    static const int shapes[][7] = {
        {1, 5, 5, 1, 1, 1, 0},   {1, 7, 6, 2, 3, 1, 0},
        {3, 9, 9, 4, 3, 2, 1},   {2, 10, 7, 3, 5, 3, 2},
        {3, 16, 16, 8, 10, 3, 0}, {4, 8, 8, 5, 4, 2, 3},
        {5, 6, 11, 2, 2, 1, 1},  {3, 15, 15, 16, 5, 2, 0},
    };
    tu_rng r;
    tu_seed(&r, 6);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        for (int relu = 0; relu <= 1; relu++) {
            const int *p = shapes[s];
            conv_case c = conv_case_new(&r, p[0], p[1], p[2], p[3], p[4], p[5],
                                        p[6], relu ? ACT_RELU : ACT_NONE);
            long n = conv2d_outputs(&c.l);
            double *want = malloc(sizeof *want * n * 2);
            conv2d_forward(&c.l, c.in, c.out, 2, c.work); /* a batch of two */
            conv_reference(&c.l, c.in, want);
            conv_reference(&c.l, c.in + conv2d_inputs(&c.l), want + n);
            for (long i = 0; i < 2 * n; i++)
                ck_assert_msg(fabs(c.out[i] - want[i]) < 1e-4,
                              "shape %zu relu %d output %ld: %g, want %g", s,
                              relu, i, c.out[i], want[i]);
            free(want);
            conv_case_free(&c);
        }
    }
}
END_TEST

/* The scale of each output of conv_reference: the sum of |bias| and every
 * |weight * input| it adds, what the rounding of any order of summing
 * them is proportional to. */
static void conv_magnitudes(const conv2d_layer *l, const float *in,
                            double *scale)
{
    conv2d_layer abs_l = *l;
    long nw = conv2d_weight_count(l), nin = conv2d_inputs(l);
    float *w = malloc(sizeof *w * nw), *b = malloc(sizeof *b * l->filters);
    float *x = malloc(sizeof *x * nin);
    for (long i = 0; i < nw; i++) w[i] = fabsf(l->weights[i]);
    for (int f = 0; f < l->filters; f++) b[f] = fabsf(l->bias[f]);
    for (long i = 0; i < nin; i++) x[i] = fabsf(in[i]);
    abs_l.weights = w;
    abs_l.bias = b;
    abs_l.act = ACT_NONE;
    conv_reference(&abs_l, x, scale);
    free(w);
    free(b);
    free(x);
}

/* F(4 x 4, 3 x 3) against the definition, on shapes that end mid-tile in
 * either direction or both, one tile or many, one channel or many, every
 * padding a 3 x 3 kernel takes. Its transforms round differently from a
 * direct sum: each output must lie within 2e-5 of its own scale (the sum
 * of |terms|; measured up to 4.7e-6 of it on x86-64, some 80 times float's
 * epsilon: the transforms' constants, up to 8, amplify rounding). */
START_TEST(winograd_matches_reference)
{
    /* {channels, height, width, filters, padding} */
    static const int shapes[][5] = {
        {1, 3, 3, 1, 0},   {1, 6, 6, 2, 0},    {2, 7, 9, 3, 1},
        {3, 10, 23, 5, 2}, {8, 18, 18, 4, 0},  {32, 47, 47, 16, 0},
        {16, 22, 22, 64, 1}, {5, 4, 13, 7, 2}, {64, 10, 10, 8, 0},
    };
    tu_rng r;
    tu_seed(&r, 7);
    double worst = 0.0;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        for (int relu = 0; relu <= 1; relu++) {
            const int *p = shapes[s];
            conv_case c = conv_case_new(&r, p[0], p[1], p[2], p[3], 3, 1, p[4],
                                        relu ? ACT_RELU : ACT_NONE);
            long n = conv2d_outputs(&c.l), nw = winograd_work_floats(&c.l);
            float *u = malloc(sizeof *u * winograd_filter_floats(&c.l));
            float *work = malloc(sizeof *work * nw);
            double *want = malloc(sizeof *want * n);
            double *scale = malloc(sizeof *scale * n);
            /* what an earlier layer left: never read before written */
            for (long i = 0; i < nw; i++) work[i] = NAN;
            winograd_prepare(&c.l, u);
            winograd_forward(&c.l, u, c.in, c.out, work);
            conv_reference(&c.l, c.in, want);
            conv_magnitudes(&c.l, c.in, scale);
            for (long i = 0; i < n; i++) {
                double error = fabs(c.out[i] - want[i]);
                ck_assert_msg(error <= 2e-5 * scale[i],
                              "shape %zu relu %d output %ld: %.9g, want %.9g "
                              "(scale %g)", s, relu, i, c.out[i], want[i],
                              scale[i]);
                if (error / scale[i] > worst) worst = error / scale[i];
            }
            free(u);
            free(work);
            free(want);
            free(scale);
            conv_case_free(&c);
        }
    }
    printf("winograd: largest error %.2g of its output's scale\n", worst);
}
END_TEST

/* Which layers irmas_window sends through winograd.h. */
START_TEST(winograd_suits_its_layers)
{
    /* the shipped CNN's second layer */
    conv2d_layer l = {.channels = 32, .height = 47, .width = 47,
                      .filters = 64, .kernel = 3, .stride = 1};
    ck_assert(winograd_suits(&l));
    l.padding = 2;
    ck_assert(winograd_suits(&l));
    l.padding = 0;
    l.kernel = 5;
    ck_assert(!winograd_suits(&l)); /* only 3 x 3 */
    l.kernel = 3;
    l.stride = 2;
    ck_assert(!winograd_suits(&l)); /* only stride 1 */
    l.stride = 1;
    l.channels = WINOGRAD_MIN_CHANNELS - 1;
    ck_assert(!winograd_suits(&l)); /* a first layer: im2col is faster */
    l.channels = 64;
    l.height = l.width = 10; /* 8 x 8 outputs: 4 tiles */
    ck_assert(!winograd_suits(&l));
    l.height = l.width = 18; /* 16 x 16 outputs: 16 tiles */
    ck_assert(winograd_suits(&l));
}
END_TEST

START_TEST(conv_output_sizes)
{
    ck_assert_int_eq(conv2d_output_size(150, 10, 3, 0), 47);
    ck_assert_int_eq(conv2d_output_size(150, 5, 2, 0), 73);
    ck_assert_int_eq(conv2d_output_size(5, 5, 1, 0), 1);
    ck_assert_int_eq(conv2d_output_size(4, 5, 1, 0), 0);
    ck_assert_int_eq(conv2d_output_size(4, 5, 1, 1), 2);
    ck_assert_int_eq(conv2d_output_size(7, 3, 2, 1), 4);
}
END_TEST

START_TEST(conv_check_names_the_problem)
{
    char err[256];
    conv2d_layer l = {.channels = 3, .height = 4, .width = 4, .filters = 2,
                      .kernel = 5, .stride = 1, .act = ACT_RELU};
    ck_assert_int_eq(conv2d_check(&l, "layer 1 (conv2d)", err, sizeof err),
                     IRMAS_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err, "layer 1 (conv2d)"));
    ck_assert_ptr_nonnull(strstr(err, "does not fit"));
    l.kernel = 3;
    l.act = ACT_SOFTMAX;
    ck_assert_int_eq(conv2d_check(&l, "c", err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err, "softmax"));
    l.act = ACT_NONE;
    l.padding = 3;
    ck_assert_int_eq(conv2d_check(&l, "c", err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err, "padding"));
    l.padding = 1;
    l.stride = 0;
    ck_assert_int_eq(conv2d_check(&l, "c", err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err, "stride"));
}
END_TEST

/* sum_i out[i] g[i] of a conv2d forward pass, in double. */
static double conv_loss(conv_case *c, const float *g)
{
    conv2d_forward(&c->l, c->in, c->out, 1, c->work);
    double loss = 0.0;
    for (long i = 0; i < conv2d_outputs(&c->l); i++) loss += (double)c->out[i] * g[i];
    return loss;
}

/* How many outputs are exactly zero: ReLUs switched off. */
static long conv_zeros(conv_case *c)
{
    long zeros = 0;
    for (long i = 0; i < conv2d_outputs(&c->l); i++) zeros += c->out[i] == 0.0f;
    return zeros;
}

/* Compares grad[n] with central differences of conv_loss in v[n]. Returns
 * how many coordinates were skipped because the step moved a ReLU. */
static int conv_check_coords(conv_case *c, const float *g, float *v, long n,
                             const float *grad, const char *what)
{
    const float eps = 2e-3f;
    int skipped = 0;
    conv_loss(c, g);
    long zeros = conv_zeros(c);
    for (long i = 0; i < n; i++) {
        float keep = v[i];
        v[i] = keep + eps;
        double up = conv_loss(c, g);
        long zeros_up = conv_zeros(c);
        v[i] = keep - eps;
        double down = conv_loss(c, g);
        long zeros_down = conv_zeros(c);
        v[i] = keep;
        if (zeros_up != zeros || zeros_down != zeros) {
            skipped++;
            continue;
        }
        double numeric = (up - down) / (2.0 * eps);
        ck_assert_msg(fabs(numeric - grad[i]) < 5e-3 * fmax(1.0, fabs(numeric)),
                      "%s %ld: backward %g, finite difference %g", what, i,
                      grad[i], numeric);
    }
    return skipped;
}

static void conv_gradient_check(int channels, int size, int filters,
                                int kernel, int stride, int padding,
                                activation act)
{
    tu_rng r;
    tu_seed(&r, 60 + kernel * 7 + stride);
    conv_case c = conv_case_new(&r, channels, size, size + 1, filters, kernel,
                                stride, padding, act);
    long nin = conv2d_inputs(&c.l), nout = conv2d_outputs(&c.l);
    long nw = conv2d_weight_count(&c.l);
    float *g = malloc(sizeof *g * nout), *dout = malloc(sizeof *dout * nout);
    float *din = malloc(sizeof *din * nin);
    float *dw = calloc(nw, sizeof *dw), *db = calloc(filters, sizeof *db);
    tu_fill(&r, g, nout, -1.0f, 1.0f);
    conv2d_forward(&c.l, c.in, c.out, 1, c.work);
    for (long i = 0; i < nout; i++) dout[i] = g[i];
    conv2d_backward(&c.l, c.in, c.out, dout, din, dw, db, c.work);
    int skipped = conv_check_coords(&c, g, c.in, nin, din, "input") +
                  conv_check_coords(&c, g, c.l.weights, nw, dw, "weight") +
                  conv_check_coords(&c, g, c.l.bias, filters, db, "bias");
    ck_assert_msg(skipped < (nin + nw + filters) / 10,
                  "%d of %ld coordinates skipped", skipped, nin + nw + filters);
    free(g);
    free(dout);
    free(din);
    free(dw);
    free(db);
    conv_case_free(&c);
}

START_TEST(conv_gradients_linear)
{
    conv_gradient_check(3, 7, 4, 3, 1, 0, ACT_NONE);
    conv_gradient_check(2, 9, 3, 3, 2, 1, ACT_NONE);
    conv_gradient_check(2, 10, 2, 5, 3, 2, ACT_NONE);
    conv_gradient_check(1, 6, 2, 2, 2, 0, ACT_NONE);
}
END_TEST

START_TEST(conv_gradients_relu)
{
    conv_gradient_check(3, 7, 4, 3, 1, 1, ACT_RELU);
    conv_gradient_check(2, 11, 3, 4, 2, 0, ACT_RELU);
}
END_TEST

/* The backward pass adds weight and bias gradients (the trainer sums a
 * batch into them) and may skip the input gradient. */
START_TEST(conv_backward_accumulates)
{
    tu_rng r;
    tu_seed(&r, 61);
    conv_case c = conv_case_new(&r, 2, 6, 6, 3, 3, 1, 1, ACT_NONE);
    long nout = conv2d_outputs(&c.l), nw = conv2d_weight_count(&c.l);
    float *g = malloc(sizeof *g * nout), *dout = malloc(sizeof *dout * nout);
    float *dw1 = calloc(nw, sizeof *dw1), *db1 = calloc(3, sizeof *db1);
    float *dw2 = calloc(nw, sizeof *dw2), *db2 = calloc(3, sizeof *db2);
    tu_fill(&r, g, nout, -1.0f, 1.0f);
    conv2d_forward(&c.l, c.in, c.out, 1, c.work);
    for (int pass = 0; pass < 3; pass++) { /* once into dw1, twice into dw2 */
        for (long i = 0; i < nout; i++) dout[i] = g[i];
        conv2d_backward(&c.l, c.in, c.out, dout, NULL, pass ? dw2 : dw1,
                        pass ? db2 : db1, c.work);
    }
    for (long i = 0; i < nw; i++) ck_assert_float_eq_tol(dw2[i], 2 * dw1[i], 1e-4);
    for (int i = 0; i < 3; i++) ck_assert_float_eq_tol(db2[i], 2 * db1[i], 1e-4);
    free(g);
    free(dout);
    free(dw1);
    free(db1);
    free(dw2);
    free(db2);
    conv_case_free(&c);
}
END_TEST

/* The definition in pool.h, read literally. */
static void pool_reference(const pool_layer *l, const float *in, float *out)
{
    for (int c = 0; c < l->channels; c++)
        for (int oy = 0; oy < pool_out_height(l); oy++)
            for (int ox = 0; ox < pool_out_width(l); ox++) {
                float best = -INFINITY;
                for (int i = 0; i < l->size; i++)
                    for (int j = 0; j < l->size; j++)
                        best = fmaxf(best, in[(c * l->height + oy * l->stride + i) *
                                              l->width + ox * l->stride + j]);
                *out++ = best;
            }
}

/* {channels, height, width, size, stride} */
static const int pool_shapes[][5] = {
    {1, 4, 4, 2, 2}, {3, 47, 47, 3, 3}, {2, 73, 73, 2, 2}, {4, 5, 5, 2, 2},
    {2, 9, 7, 3, 2}, {3, 6, 8, 2, 1},  {1, 5, 5, 5, 5}, {2, 10, 10, 4, 3},
};

START_TEST(pool_forward_matches_reference)
{
    tu_rng r;
    tu_seed(&r, 62);
    for (size_t s = 0; s < sizeof pool_shapes / sizeof pool_shapes[0]; s++) {
        const int *p = pool_shapes[s];
        pool_layer l = {p[0], p[1], p[2], p[3], p[4]};
        ck_assert_int_eq(pool_check(&l, "pool", NULL, 0), IRMAS_OK);
        long nin = pool_inputs(&l), nout = pool_outputs(&l);
        float *in = malloc(sizeof *in * nin * 2), *out = malloc(sizeof *out * nout * 2);
        float *want = malloc(sizeof *want * nout * 2);
        int *argmax = malloc(sizeof *argmax * nout * 2);
        tu_fill(&r, in, nin * 2, -1.0f, 1.0f);
        pool_forward(&l, in, out, 2, argmax);
        pool_reference(&l, in, want);
        pool_reference(&l, in + nin, want + nout);
        for (long i = 0; i < 2 * nout; i++) {
            ck_assert_float_eq(out[i], want[i]);
            ck_assert_float_eq(in[(i / nout) * nin + argmax[i]], out[i]);
        }
        memset(out, 0, sizeof *out * nout * 2);
        pool_forward(&l, in, out, 2, NULL); /* inference records nothing */
        for (long i = 0; i < 2 * nout; i++) ck_assert_float_eq(out[i], want[i]);
        /* Among equals (a ReLU's zeros) the first of the window wins,
         * reading it row by row: its top-left corner. */
        for (long i = 0; i < nin; i++) in[i] = 0.0f;
        pool_forward(&l, in, out, 1, argmax);
        for (int c = 0, i = 0; c < l.channels; c++)
            for (int oy = 0; oy < pool_out_height(&l); oy++)
                for (int ox = 0; ox < pool_out_width(&l); ox++, i++)
                    ck_assert_int_eq(argmax[i],
                                     (c * l.height + oy * l.stride) * l.width +
                                         ox * l.stride);
        free(in);
        free(out);
        free(want);
        free(argmax);
    }
}
END_TEST

/* sum_o out[o] g[o] of a max-pool forward pass, with its argmax. */
static double pool_loss(const pool_layer *l, const float *in, const float *g,
                        float *out, int *argmax)
{
    pool_forward(l, in, out, 1, argmax);
    double loss = 0.0;
    for (long o = 0; o < pool_outputs(l); o++) loss += (double)out[o] * g[o];
    return loss;
}

START_TEST(pool_gradients)
{
    tu_rng r;
    tu_seed(&r, 63);
    const float eps = 1e-3f;
    for (size_t s = 0; s < sizeof pool_shapes / sizeof pool_shapes[0]; s++) {
        const int *p = pool_shapes[s];
        pool_layer l = {p[0], p[1], p[2], p[3], p[4]};
        long nin = pool_inputs(&l), nout = pool_outputs(&l);
        if (nin > 1000) continue; /* each input costs a whole forward pass */
        float *in = malloc(sizeof *in * nin), *out = malloc(sizeof *out * nout);
        float *g = malloc(sizeof *g * nout), *din = malloc(sizeof *din * nin);
        int *argmax = malloc(sizeof *argmax * nout);
        int *moved = malloc(sizeof *moved * nout);
        tu_fill(&r, in, nin, -1.0f, 1.0f);
        tu_fill(&r, g, nout, -1.0f, 1.0f);
        pool_forward(&l, in, out, 1, argmax);
        pool_backward(&l, g, argmax, din);
        int skipped = 0;
        for (long i = 0; i < nin; i++) {
            float keep = in[i];
            in[i] = keep + eps;
            double up = pool_loss(&l, in, g, out, moved);
            int same = memcmp(moved, argmax, sizeof *moved * nout) == 0;
            in[i] = keep - eps;
            double down = pool_loss(&l, in, g, out, moved);
            same = same && memcmp(moved, argmax, sizeof *moved * nout) == 0;
            in[i] = keep;
            if (!same) { /* the step changed which input wins */
                skipped++;
                continue;
            }
            double numeric = (up - down) / (2.0 * eps);
            ck_assert_msg(fabs(numeric - din[i]) < 1e-3,
                          "shape %zu input %ld: backward %g, finite difference %g",
                          s, i, din[i], numeric);
        }
        ck_assert_int_lt(skipped, nin / 10 + 1);
        free(in);
        free(out);
        free(g);
        free(din);
        free(argmax);
        free(moved);
    }
}
END_TEST

START_TEST(pool_check_names_the_problem)
{
    char err[256];
    pool_layer l = {.channels = 8, .height = 1, .width = 1, .size = 2, .stride = 2};
    ck_assert_int_eq(pool_check(&l, "block 3 max-pool", err, sizeof err),
                     IRMAS_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err, "block 3 max-pool"));
    ck_assert_ptr_nonnull(strstr(err, "does not fit"));
    l.height = l.width = 4;
    l.stride = 0;
    ck_assert_int_eq(pool_check(&l, "p", err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err, "stride"));
}
END_TEST

int main(void)
{
    gemm_set_threads(1);
    Suite *s = suite_create("conv2d");
    TCase *conv = tcase_create("conv2d");
    tcase_set_timeout(conv, 30);
    tcase_add_test(conv, conv_forward_matches_reference);
    tcase_add_test(conv, conv_output_sizes);
    tcase_add_test(conv, conv_check_names_the_problem);
    tcase_add_test(conv, conv_gradients_linear);
    tcase_add_test(conv, conv_gradients_relu);
    tcase_add_test(conv, conv_backward_accumulates);
    tcase_add_test(conv, winograd_matches_reference);
    tcase_add_test(conv, winograd_suits_its_layers);
    suite_add_tcase(s, conv);
    TCase *pool = tcase_create("pool");
    tcase_set_timeout(pool, 30);
    tcase_add_test(pool, pool_forward_matches_reference);
    tcase_add_test(pool, pool_gradients);
    tcase_add_test(pool, pool_check_names_the_problem);
    suite_add_tcase(s, pool);
    return tu_run(s);
}

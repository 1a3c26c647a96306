/* test_mobilenet.c: the teacher's layers (mobilenet.h) against plain
 * reference loops in double, on random weights and inputs: depthwise
 * convolution over kernels, strides and paddings, pointwise convolution
 * (through the BLAS), squeeze-excitation, hardswish, and both poolings.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "mobilenet.h"
#include "testutil.h"

#define TOL 1e-4

static float *random_floats(tu_rng *r, long n)
{
    float *p = malloc((size_t)n * sizeof *p);
    ck_assert_ptr_nonnull(p);
    tu_fill(r, p, n, -1.0f, 1.0f);
    return p;
}

/* The definition in mobilenet.h, read literally. */
static double depthwise_reference(const mobilenet_depthwise *l,
                                  const float *in, int c, int oy, int ox)
{
    double sum = l->bias[c];
    for (int i = 0; i < l->kernel; i++)
        for (int j = 0; j < l->kernel; j++) {
            int y = oy * l->stride - l->padding + i;
            int x = ox * l->stride - l->padding + j;
            if (y < 0 || y >= l->height || x < 0 || x >= l->width) continue;
            sum += (double)l->weights[(c * l->kernel + i) * l->kernel + j] *
                   in[((long)c * l->height + y) * l->width + x];
        }
    return sum;
}

START_TEST(depthwise_matches_reference)
{
    /* {channels, height, width, kernel, stride, padding} */
    static const int shapes[][6] = {
        {1, 5, 5, 1, 1, 0},  {3, 8, 9, 3, 1, 1},   {4, 9, 8, 3, 2, 1},
        {2, 10, 7, 5, 1, 2}, {5, 11, 13, 5, 2, 2}, {3, 6, 6, 3, 3, 0},
        {2, 7, 4, 4, 2, 1},  {6, 4, 3, 5, 1, 2},   {2, 9, 9, 1, 2, 0},
        {3, 10, 11, 5, 2, 2}, {2, 5, 3, 3, 2, 1},
    };
    tu_rng r;
    tu_seed(&r, 11);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int *p = shapes[s];
        float *w = random_floats(&r, (long)p[0] * p[3] * p[3]);
        float *b = random_floats(&r, p[0]);
        float *in = random_floats(&r, (long)p[0] * p[1] * p[2]);
        mobilenet_depthwise l = {.channels = p[0], .height = p[1],
                                 .width = p[2], .kernel = p[3],
                                 .stride = p[4], .padding = p[5],
                                 .weights = w, .bias = b};
        int oh = mobilenet_depthwise_out_height(&l);
        int ow = mobilenet_depthwise_out_width(&l);
        ck_assert_int_eq(oh, (p[1] + 2 * p[5] - p[3]) / p[4] + 1);
        ck_assert_int_eq(ow, (p[2] + 2 * p[5] - p[3]) / p[4] + 1);
        float *out = malloc(sizeof *out * p[0] * oh * ow);
        float *work = malloc(sizeof *work * mobilenet_depthwise_work_floats(&l));
        mobilenet_depthwise_forward(&l, in, out, work);
        for (int c = 0; c < p[0]; c++)
            for (int y = 0; y < oh; y++)
                for (int x = 0; x < ow; x++) {
                    double want = depthwise_reference(&l, in, c, y, x);
                    float got = out[((long)c * oh + y) * ow + x];
                    ck_assert_msg(fabs(got - want) < TOL,
                                  "shape %zu channel %d (%d,%d): %g, want %g",
                                  s, c, y, x, got, want);
                }
        free(w);
        free(b);
        free(in);
        free(out);
        free(work);
    }
}
END_TEST

START_TEST(pointwise_matches_reference)
{
    /* {inputs, outputs, pixels}: small ones and ones the BLAS blocks */
    static const int shapes[][3] = {{1, 1, 1}, {3, 5, 7}, {8, 24, 150},
                                    {64, 384, 40}, {17, 9, 301}};
    tu_rng r;
    tu_seed(&r, 12);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int in_ch = shapes[s][0], out_ch = shapes[s][1];
        long pixels = shapes[s][2];
        float *w = random_floats(&r, (long)out_ch * in_ch);
        float *b = random_floats(&r, out_ch);
        float *in = random_floats(&r, in_ch * pixels);
        float *out = malloc(sizeof *out * out_ch * pixels);
        mobilenet_pointwise(in_ch, out_ch, pixels, w, b, in, out);
        for (int o = 0; o < out_ch; o++)
            for (long p = 0; p < pixels; p++) {
                double want = b[o];
                for (int i = 0; i < in_ch; i++)
                    want += (double)w[o * in_ch + i] * in[i * pixels + p];
                ck_assert_msg(fabs(out[o * pixels + p] - want) < TOL,
                              "shape %zu output %d pixel %ld: %g, want %g", s,
                              o, p, out[o * pixels + p], want);
            }
        free(w);
        free(b);
        free(in);
        free(out);
    }
}
END_TEST

START_TEST(squeeze_excite_matches_reference)
{
    enum { C = 24, Q = 8, P = 35 };
    tu_rng r;
    tu_seed(&r, 13);
    float *w1 = random_floats(&r, Q * C), *b1 = random_floats(&r, Q);
    float *w2 = random_floats(&r, C * Q), *b2 = random_floats(&r, C);
    float *x = random_floats(&r, C * P), want[C * P], work[C + Q];
    double mean[C], hidden[Q];
    for (int c = 0; c < C; c++) {
        mean[c] = 0.0;
        for (int p = 0; p < P; p++) mean[c] += x[c * P + p] / (double)P;
    }
    for (int q = 0; q < Q; q++) {
        hidden[q] = b1[q];
        for (int c = 0; c < C; c++) hidden[q] += (double)w1[q * C + c] * mean[c];
        hidden[q] = hidden[q] > 0.0 ? hidden[q] : 0.0;
    }
    for (int c = 0; c < C; c++) {
        double g = b2[c];
        for (int q = 0; q < Q; q++) g += (double)w2[c * Q + q] * hidden[q];
        g = 1.0 / (1.0 + exp(-g));
        for (int p = 0; p < P; p++) want[c * P + p] = (float)(x[c * P + p] * g);
    }
    mobilenet_squeeze_excite(C, P, Q, w1, b1, w2, b2, x, work);
    ck_assert_float_lt(tu_max_abs_diff(x, want, C * P), TOL);
    free(w1);
    free(b1);
    free(w2);
    free(b2);
    free(x);
}
END_TEST

START_TEST(hardswish_matches_definition)
{
    float x[] = {-5.0f, -3.0f, -1.5f, 0.0f, 0.5f, 2.9f, 3.0f, 7.0f};
    float want[] = {0.0f, 0.0f, -0.375f, 0.0f, 0.5f * 3.5f / 6.0f,
                    2.9f * 5.9f / 6.0f, 3.0f, 7.0f};
    mobilenet_hardswish(x, 8);
    ck_assert_float_lt(tu_max_abs_diff(x, want, 8), 1e-6f);
}
END_TEST

START_TEST(pooling_matches_reference)
{
    enum { C = 5, H = 4, W = 7 };
    tu_rng r;
    tu_seed(&r, 14);
    float *x = random_floats(&r, C * H * W), all[C], columns[W * C];
    mobilenet_mean_pool(C, H, W, x, all);
    mobilenet_mean_pool_height(C, H, W, x, columns);
    for (int c = 0; c < C; c++) {
        double total = 0.0;
        for (int t = 0; t < W; t++) {
            double column = 0.0;
            for (int y = 0; y < H; y++) column += x[(c * H + y) * W + t];
            total += column;
            ck_assert_msg(fabs(columns[t * C + c] - column / H) < TOL,
                          "column %d channel %d", t, c);
        }
        ck_assert_msg(fabs(all[c] - total / (H * W)) < TOL, "channel %d", c);
    }
    free(x);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("mobilenet");
    TCase *tc = tcase_create("layers");
    tcase_add_test(tc, depthwise_matches_reference);
    tcase_add_test(tc, pointwise_matches_reference);
    tcase_add_test(tc, squeeze_excite_matches_reference);
    tcase_add_test(tc, hardswish_matches_definition);
    tcase_add_test(tc, pooling_matches_reference);
    suite_add_tcase(s, tc);
    return tu_run(s);
}

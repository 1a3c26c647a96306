/* test_stats.c: statistics pooling (stats.h).
 *
 * The forward pass is compared with the textbook mean and population
 * standard deviation computed here in double precision, the backward pass
 * with central finite differences of the forward one, and the two edge
 * cases a window can produce (one frame, a constant band) must give finite
 * numbers, since a log-mel band of silence is exactly constant.
 */
#include "stats.h"
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>

/* out[2F] by the definition in stats.h, in double. */
static void reference(const float *x, int frames, int features, double *out)
{
    for (int f = 0; f < features; f++) {
        double mean = 0.0, var = 0.0;
        for (int t = 0; t < frames; t++) mean += x[t * features + f];
        mean /= frames;
        for (int t = 0; t < frames; t++) {
            double d = x[t * features + f] - mean;
            var += d * d;
        }
        out[f] = mean;
        out[features + f] = sqrt(var / frames + STATS_EPSILON);
    }
}

START_TEST(forward_is_mean_and_std)
{
    enum { FRAMES = 37, F = 5 };
    float x[FRAMES * F], out[2 * F];
    double want[2 * F];
    tu_rng rng;
    tu_seed(&rng, 1);
    /* Loud, steady bands, where a one-pass sum of squares cancels. */
    for (int i = 0; i < FRAMES * F; i++)
        x[i] = -20.0f + (float)(i % F) + tu_uniform(&rng, -0.5f, 0.5f);
    stats_layer l = {.inputs = F};
    stats_forward(&l, x, FRAMES, out);
    reference(x, FRAMES, F, want);
    for (int i = 0; i < 2 * F; i++)
        ck_assert_msg(fabs(out[i] - want[i]) <= 1e-5 * (1 + fabs(want[i])),
                      "out[%d] = %g, want %g", i, (double)out[i], want[i]);
}
END_TEST

START_TEST(one_frame_and_constant_bands_are_finite)
{
    float x[3] = {4.0f, -2.0f, 0.0f}, out[6];
    stats_layer l = {.inputs = 3};
    stats_forward(&l, x, 1, out);
    for (int f = 0; f < 3; f++) {
        ck_assert_float_eq(out[f], x[f]);
        ck_assert_float_eq_tol(out[3 + f], sqrtf(STATS_EPSILON), 1e-7f);
    }
    /* The gradient through a constant band's std is zero, not NaN. */
    float dout[6] = {1, 1, 1, 1, 1, 1}, dx[3];
    stats_backward(&l, x, 1, out, dout, dx);
    for (int f = 0; f < 3; f++) ck_assert_float_eq_tol(dx[f], 1.0f, 1e-6f);
}
END_TEST

/* sum_k dout[k] out[k]: a loss whose gradient with respect to out is dout. */
static double loss(const stats_layer *l, const float *x, int frames,
                   const float *dout)
{
    float out[16];
    stats_forward(l, x, frames, out);
    double sum = 0.0;
    for (int k = 0; k < 2 * l->inputs; k++) sum += (double)dout[k] * out[k];
    return sum;
}

START_TEST(backward_matches_finite_differences)
{
    enum { FRAMES = 9, F = 4 };
    const float h = 1e-2f;
    float x[FRAMES * F], out[2 * F], dout[2 * F], dx[FRAMES * F];
    tu_rng rng;
    tu_seed(&rng, 2);
    tu_fill(&rng, x, FRAMES * F, -2.0f, 2.0f);
    tu_fill(&rng, dout, 2 * F, -1.0f, 1.0f);
    stats_layer l = {.inputs = F};
    stats_forward(&l, x, FRAMES, out);
    stats_backward(&l, x, FRAMES, out, dout, dx);
    for (int i = 0; i < FRAMES * F; i++) {
        float keep = x[i];
        x[i] = keep + h;
        double up = loss(&l, x, FRAMES, dout);
        x[i] = keep - h;
        double down = loss(&l, x, FRAMES, dout);
        x[i] = keep;
        double numeric = (up - down) / (2.0 * h);
        ck_assert_msg(fabs(numeric - dx[i]) <= 2e-3 * (1 + fabs(numeric)),
                      "dx[%d] = %g, finite differences give %g", i,
                      (double)dx[i], numeric);
    }
}
END_TEST

static Suite *stats_suite(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("stats");
    tcase_add_test(tc, forward_is_mean_and_std);
    tcase_add_test(tc, one_frame_and_constant_bands_are_finite);
    tcase_add_test(tc, backward_matches_finite_differences);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(stats_suite());
}

/* test_image.c: the image builders. Stacking lays a ramp out row by row,
 * pads with silence and resizes by area; an MRP is symmetric with a zero
 * diagonal, has one channel per resolution, and each channel is the plot of
 * its centred segment max-pooled to the image's size.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "testutil.h"

/* The image of samples[n] built with p. Caller frees. */
static float *build(image_params p, const float *samples, int n)
{
    image_builder *b;
    char err[256];
    ck_assert_msg(image_new(&p, n, &b, err, sizeof err) == IRMAS_OK, "%s", err);
    float *pixels = malloc(sizeof *pixels * image_floats(&p));
    for (long i = 0; i < image_floats(&p); i++) pixels[i] = NAN;
    image_build(b, samples, pixels);
    image_free(b);
    return pixels;
}

/* x[i] = -1 + 2 i / n: a ramp over the whole sample range. */
static float *ramp(int n)
{
    float *x = malloc(sizeof *x * n);
    for (int i = 0; i < n; i++) x[i] = -1.0f + 2.0f * (float)i / (float)n;
    return x;
}

START_TEST(stack_lays_out_rows_and_pads_with_silence)
{
    /* 14 samples pad to 16 = 4 x 4; at size 4 nothing is resized */
    float *x = ramp(14);
    float *img = build((image_params){IMAGE_STACK, 4, 1}, x, 14);
    for (int i = 0; i < 16; i++) {
        float want = i < 14 ? 0.5f * (1.0f + x[i]) : 0.5f;
        ck_assert_float_eq_tol(img[i], want, 1e-6);
    }
    free(img);
    free(x);
}
END_TEST

START_TEST(stack_shrinks_by_area)
{
    /* 64 samples make 8 x 8; at size 4 each pixel is the mean of a 2 x 2
     * block */
    float *x = ramp(64);
    float *half = build((image_params){IMAGE_STACK, 4, 1}, x, 64);
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++) {
            float sum = 0.0f;
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++) sum += x[(2 * r + i) * 8 + 2 * c + j];
            ck_assert_float_eq_tol(half[r * 4 + c], 0.5f * (1.0f + sum / 4), 1e-6);
        }
    free(half);
    free(x);
}
END_TEST

START_TEST(stack_weighs_partly_covered_pixels)
{
    /* 9 samples make 3 x 3; at size 2 each output covers 1.5 pixels a
     * side: the first all of pixel 0 and half of pixel 1, the second the
     * other half of pixel 1 and all of pixel 2 */
    static const double cover[2][3] = {{2.0 / 3, 1.0 / 3, 0.0},
                                       {0.0, 1.0 / 3, 2.0 / 3}};
    float *x = ramp(9);
    float *img = build((image_params){IMAGE_STACK, 2, 1}, x, 9);
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 2; c++) {
            double want = 0.0;
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                    want += cover[r][i] * cover[c][j] * 0.5 * (1.0 + x[i * 3 + j]);
            ck_assert_float_eq_tol(img[r * 2 + c], want, 1e-6);
        }
    free(img);
    free(x);
}
END_TEST

START_TEST(stack_enlarges_by_repeating)
{
    float x[4] = {-1.0f, 0.0f, 0.5f, 1.0f}; /* 2 x 2 */
    float *img = build((image_params){IMAGE_STACK, 4, 1}, x, 4);
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++)
            ck_assert_float_eq_tol(img[r * 4 + c],
                                   0.5f * (1.0f + x[(r / 2) * 2 + c / 2]), 1e-6);
    free(img);
}
END_TEST

START_TEST(stack_at_the_study_size)
{
    /* 3 s at 44.1 kHz: 132300 samples pad to 364^2 and shrink to 150^2;
     * a constant window stays constant, silence is mid-grey */
    int n = 132300;
    float *x = malloc(sizeof *x * n);
    for (int i = 0; i < n; i++) x[i] = 0.0f;
    image_params p = {IMAGE_STACK, 150, 1};
    ck_assert_int_eq(image_floats(&p), 150 * 150);
    float *img = build(p, x, n);
    for (int i = 0; i < 150 * 150; i++) ck_assert_float_eq(img[i], 0.5f);
    free(img);
    free(x);
}
END_TEST

START_TEST(mrp_pools_each_centred_segment)
{
    /* 8 samples, size 2, two resolutions. Channel 0 pools [0.9 0 0 0.1]
     * and [0.3 0 0 -0.5] to 0.9 and 0.3; channel 1 takes the middle half
     * [0 0.1 0.3 0] and pools it to 0.1 and 0.3. Pixels are |a - b|,
     * scaled so the largest in the channel is 1. */
    float x[8] = {0.9f, 0.0f, 0.0f, 0.1f, 0.3f, 0.0f, 0.0f, -0.5f};
    float *img = build((image_params){IMAGE_MRP, 2, 2}, x, 8);
    float want[8] = {0.0f, 1.0f, 1.0f, 0.0f, 0.0f, 1.0f, 1.0f, 0.0f};
    for (int i = 0; i < 8; i++) ck_assert_float_eq_tol(img[i], want[i], 1e-6);
    free(img);
}
END_TEST

START_TEST(mrp_properties)
{
    int n = 132300, size = 150;
    tu_rng r;
    tu_seed(&r, 65);
    float *x = malloc(sizeof *x * n);
    /* a 440 Hz tone swelling and fading three times a second, and noise:
     * max-pooling keeps the envelope, so the plots show the swells */
    tu_sine(x, n, 44100, 440.0f, 0.5f);
    for (int i = 0; i < n; i++)
        x[i] = x[i] * (1.0f + sinf(2.0f * (float)M_PI * 3.0f * (float)i / 44100)) +
               tu_uniform(&r, -0.01f, 0.01f);
    for (int channels = 1; channels <= 4; channels++) {
        image_params p = {IMAGE_MRP, size, channels};
        ck_assert_int_eq(image_floats(&p), (long)channels * size * size);
        float *img = build(p, x, n);
        for (int c = 0; c < channels; c++) {
            const float *plot = img + (long)c * size * size;
            float top = 0.0f;
            for (int i = 0; i < size; i++) {
                ck_assert_float_eq(plot[i * size + i], 0.0f);
                for (int j = 0; j < size; j++) {
                    float v = plot[i * size + j];
                    ck_assert_float_eq(v, plot[j * size + i]);
                    ck_assert(v >= 0.0f && v <= 1.0f);
                    top = fmaxf(top, v);
                }
            }
            ck_assert_msg(fabsf(top - 1.0f) < 1e-6f, "channel %d is not full range", c);
        }
        free(img);
    }
    free(x);
}
END_TEST

START_TEST(mrp_fine_channels_see_only_the_centre)
{
    /* a loud first and last eighth reach channel 0 only: channel 1 (the
     * middle half) and channel 2 (the middle quarter) see silence */
    int n = 4096;
    float *x = calloc(n, sizeof *x);
    for (int i = 0; i < n / 8; i++) x[i] = x[n - 1 - i] = (i % 2) ? 1.0f : -1.0f;
    float *img = build((image_params){IMAGE_MRP, 16, 3}, x, n);
    float top[3] = {0};
    for (int c = 0; c < 3; c++)
        for (int i = 0; i < 16 * 16; i++) top[c] = fmaxf(top[c], img[c * 256 + i]);
    ck_assert_float_eq_tol(top[0], 1.0f, 1e-6); /* pooled peaks vs silence */
    ck_assert_float_eq_tol(top[1], 0.0f, 1e-6); /* middle half: [n/4, 3n/4) */
    ck_assert_float_eq_tol(top[2], 0.0f, 1e-6);
    free(img);
    free(x);
}
END_TEST

START_TEST(bad_params_name_the_field)
{
    char err[256];
    image_builder *b;
    image_params p = {IMAGE_STACK, 150, 3};
    ck_assert_int_eq(image_new(&p, 1000, &b, err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_ptr_null(b);
    ck_assert_ptr_nonnull(strstr(err, "image.channels"));
    p = (image_params){IMAGE_MRP, 0, 3};
    ck_assert_int_eq(image_check(&p, 1000, err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err, "image.size"));
    p = (image_params){IMAGE_MRP, 150, 3};
    ck_assert_int_eq(image_check(&p, 500, err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err, "longer window"));
    ck_assert_int_eq(image_check(&p, 600, err, sizeof err), IRMAS_OK);
    p = (image_params){7, 150, 1};
    ck_assert_int_eq(image_check(&p, 600, err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err, "image.kind"));
}
END_TEST

START_TEST(kind_names)
{
    ck_assert_str_eq(image_kind_name(IMAGE_STACK), "stack");
    ck_assert_str_eq(image_kind_name(IMAGE_MRP), "mrp");
    ck_assert_int_eq(image_kind_parse("mrp"), IMAGE_MRP);
    ck_assert_int_eq(image_kind_parse("stack"), IMAGE_STACK);
    ck_assert_int_eq(image_kind_parse("spectrogram"), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("image");
    TCase *stack = tcase_create("stack");
    tcase_add_test(stack, stack_lays_out_rows_and_pads_with_silence);
    tcase_add_test(stack, stack_shrinks_by_area);
    tcase_add_test(stack, stack_weighs_partly_covered_pixels);
    tcase_add_test(stack, stack_enlarges_by_repeating);
    tcase_add_test(stack, stack_at_the_study_size);
    suite_add_tcase(s, stack);
    TCase *mrp = tcase_create("mrp");
    tcase_set_timeout(mrp, 30);
    tcase_add_test(mrp, mrp_pools_each_centred_segment);
    tcase_add_test(mrp, mrp_properties);
    tcase_add_test(mrp, mrp_fine_channels_see_only_the_centre);
    suite_add_tcase(s, mrp);
    TCase *params = tcase_create("params");
    tcase_add_test(params, bad_params_name_the_field);
    tcase_add_test(params, kind_names);
    suite_add_tcase(s, params);
    return tu_run(s);
}

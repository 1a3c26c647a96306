/* test_image.c: the image builders. Stacking lays a ramp out row by row,
 * pads with silence and resizes by area; an MRP is symmetric with a zero
 * diagonal, has one channel per resolution, and each channel is the plot of
 * its centred segment max-pooled to the image's size; a log-mel image is
 * the front-end's bands, highest at the top, in decibels below its
 * loudest, whatever the input's level.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"
#include "image.h"
#include "testutil.h"

/* The image of samples[n] built with p. Caller frees. */
static float *build(image_params p, const float *samples, int n)
{
    image_builder *b;
    char err[256];
    ck_assert_msg(image_new(&p, 44100, n, &b, err, sizeof err) == IRMAS_OK, "%s", err);
    float *pixels = malloc(sizeof *pixels * image_floats(&p));
    for (long i = 0; i < image_floats(&p); i++) pixels[i] = NAN;
    image_build(b, samples, IMAGE_ANYWHERE, pixels);
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

/* A log-mel image of 3 s at 44.1 kHz, 64 x 64: frames of 4096 samples
 * every 2034. */
enum { LM_RATE = 44100, LM_WINDOW = 3 * 44100, LM_SIZE = 64 };
static const image_params logmel_64 = {IMAGE_LOGMEL, LM_SIZE, 1};


START_TEST(logmel_is_the_frontends_bands_in_decibels_below_the_loudest)
{
    float *x = tu_noise(LM_WINDOW, 7);
    float *img = build(logmel_64, x, LM_WINDOW);
    /* the reference: each frame's bands straight from frontend.h */
    frontend_params fp = {.kind = FRONTEND_LOGMEL, .frame = 2034,
                          .fft_size = 4096, .mels = LM_SIZE, .fmin = 0.0f,
                          .fmax = LM_RATE / 2.0f};
    frontend *fe;
    char err[256];
    ck_assert_msg(frontend_new(&fp, LM_RATE, &fe, err, sizeof err) == IRMAS_OK,
                  "%s", err);
    static float bands[LM_SIZE][LM_SIZE]; /* [frame][band] */
    double loudest = -INFINITY;
    for (int t = 0; t < LM_SIZE; t++) {
        frontend_compute(fe, x + (long)t * 2034, bands[t]);
        for (int k = 0; k < LM_SIZE; k++)
            if (bands[t][k] > loudest) loudest = bands[t][k];
    }
    frontend_free(fe);
    for (int t = 0; t < LM_SIZE; t++)
        for (int k = 0; k < LM_SIZE; k++) {
            double db = 10.0 * (bands[t][k] - loudest) / log(10.0);
            double want = db < -80.0 ? 0.0 : 1.0 + db / 80.0;
            ck_assert_float_eq_tol(img[(LM_SIZE - 1 - k) * LM_SIZE + t], want,
                                   1e-5);
        }
    free(img);
    free(x);
}
END_TEST

START_TEST(logmel_puts_a_tone_in_its_band_and_time_across)
{
    /* 1 kHz from the window's middle on: the brightest row is the band
     * centred nearest 1 kHz, and the columns before the tone are black */
    float *x = calloc(LM_WINDOW, sizeof *x);
    tu_sine(x + LM_WINDOW / 2, LM_WINDOW / 2, LM_RATE, 1000.0f, 0.5f);
    float *img = build(logmel_64, x, LM_WINDOW);
    frontend_params fp = {.kind = FRONTEND_LOGMEL, .fft_size = 4096,
                          .mels = LM_SIZE, .fmin = 0.0f, .fmax = LM_RATE / 2.0f};
    int band = (int)lround(frontend_band_position(&fp, 1000.0));
    int last_column = LM_SIZE - 1, brightest_row = 0;
    for (int r = 1; r < LM_SIZE; r++)
        if (img[r * LM_SIZE + last_column] >
            img[brightest_row * LM_SIZE + last_column])
            brightest_row = r;
    ck_assert_int_eq(brightest_row, LM_SIZE - 1 - band);
    ck_assert_float_eq_tol(img[brightest_row * LM_SIZE + last_column], 1.0f,
                           1e-6);
    for (int r = 0; r < LM_SIZE; r++)
        for (int t = 0; t < 30; t++) /* frames 0..29 end before the tone */
            ck_assert_float_eq(img[r * LM_SIZE + t], 0.0f);
    free(img);
    free(x);
}
END_TEST

START_TEST(logmel_is_the_same_at_any_level_and_black_in_silence)
{
    float *x = tu_noise(LM_WINDOW, 3);
    float *loud = build(logmel_64, x, LM_WINDOW);
    for (int i = 0; i < LM_WINDOW; i++) x[i] *= 0.01f; /* 40 dB quieter */
    float *quiet = build(logmel_64, x, LM_WINDOW);
    for (int i = 0; i < LM_SIZE * LM_SIZE; i++)
        ck_assert_float_eq_tol(quiet[i], loud[i], 1e-4);
    memset(x, 0, sizeof *x * LM_WINDOW);
    float *silent = build(logmel_64, x, LM_WINDOW);
    for (int i = 0; i < LM_SIZE * LM_SIZE; i++)
        ck_assert_float_eq(silent[i], 0.0f);
    free(silent);
    free(quiet);
    free(loud);
    free(x);
}
END_TEST

/* A builder given each window's position in a stream (image_build) makes
 * the same image, bit for bit, as one that computes every frame: windows
 * 16, 0, 1 and 20 frames after the last, one between two frames, one
 * behind the last, and IMAGE_ANYWHERE. It does not compute the
 * frames the last image covered: a window whose shared part is silenced
 * (which a stream's never is) still shows the last image's frames there. */
START_TEST(logmel_reuses_the_frames_of_the_last_window_of_a_stream)
{
    enum { HOP = 2034, FRAMES_AHEAD = 40 };
    long n = LM_WINDOW + (long)FRAMES_AHEAD * HOP;
    float *x = tu_noise(n, 21);
    static const long long positions[] = {
        0, 16 * HOP, 16 * HOP, 17 * HOP, 17 * HOP + 5, 20 * HOP, 40 * HOP,
        3 * HOP, IMAGE_ANYWHERE, 39 * HOP};
    image_builder *stream, *fresh;
    char err[256];
    ck_assert(image_new(&logmel_64, LM_RATE, LM_WINDOW, &stream, err,
                        sizeof err) == IRMAS_OK);
    ck_assert(image_new(&logmel_64, LM_RATE, LM_WINDOW, &fresh, err,
                        sizeof err) == IRMAS_OK);
    ck_assert_int_eq(image_frame_hop(&logmel_64, LM_RATE, LM_WINDOW), HOP);
    static float got[LM_SIZE * LM_SIZE], want[LM_SIZE * LM_SIZE];
    for (size_t i = 0; i < sizeof positions / sizeof positions[0]; i++) {
        long start = positions[i] == IMAGE_ANYWHERE ? 8 * HOP
                                                    : (long)positions[i];
        image_build(stream, x + start, positions[i], got);
        image_build(fresh, x + start, IMAGE_ANYWHERE, want);
        ck_assert_msg(memcmp(got, want, sizeof got) == 0,
                      "the window at %lld differs from one built afresh",
                      positions[i]);
    }

    image_build(stream, x, 0, got);
    float *copy = malloc(sizeof *copy * LM_WINDOW);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, x + 16 * HOP, sizeof *copy * LM_WINDOW);
    /* the samples only the shared frames, 0 to 47, read */
    memset(copy, 0, sizeof *copy * (LM_SIZE - 16) * HOP);
    image_build(stream, copy, 16 * HOP, got);
    image_build(fresh, x + 16 * HOP, IMAGE_ANYWHERE, want);
    ck_assert(memcmp(got, want, sizeof got) == 0);
    image_build(stream, copy, IMAGE_ANYWHERE, got);
    ck_assert(memcmp(got, want, sizeof got) != 0);
    free(copy);
    image_free(stream);
    image_free(fresh);
    free(x);
}
END_TEST

START_TEST(bad_params_name_the_field)
{
    char err[256];
    image_builder *b;
    image_params p = {IMAGE_STACK, 150, 3};
    ck_assert_int_eq(image_new(&p, 44100, 1000, &b, err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_ptr_null(b);
    ck_assert_ptr_nonnull(strstr(err, "image.channels"));
    p = (image_params){IMAGE_MRP, 0, 3};
    ck_assert_int_eq(image_check(&p, 44100, 1000, err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err, "image.size"));
    p = (image_params){IMAGE_MRP, 150, 3};
    ck_assert_int_eq(image_check(&p, 44100, 500, err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err, "longer window"));
    ck_assert_int_eq(image_check(&p, 44100, 600, err, sizeof err), IRMAS_OK);
    p = (image_params){7, 150, 1};
    ck_assert_int_eq(image_check(&p, 44100, 600, err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err, "image.kind"));
    p = (image_params){IMAGE_LOGMEL, 64, 3};
    ck_assert_int_eq(image_check(&p, 44100, LM_WINDOW, err, sizeof err),
                     IRMAS_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err, "logmel image has one channel"));
    p = (image_params){IMAGE_LOGMEL, 64, 1};
    ck_assert_int_eq(image_check(&p, 44100, 2000, err, sizeof err),
                     IRMAS_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(err, "at least 2111 samples, not 2000"));
    ck_assert_int_eq(image_check(&p, 44100, 2111, err, sizeof err), IRMAS_OK);
}
END_TEST

START_TEST(kind_names)
{
    ck_assert_str_eq(image_kind_name(IMAGE_STACK), "stack");
    ck_assert_str_eq(image_kind_name(IMAGE_MRP), "mrp");
    ck_assert_int_eq(image_kind_parse("mrp"), IMAGE_MRP);
    ck_assert_int_eq(image_kind_parse("stack"), IMAGE_STACK);
    ck_assert_str_eq(image_kind_name(IMAGE_LOGMEL), "logmel");
    ck_assert_int_eq(image_kind_parse("logmel"), IMAGE_LOGMEL);
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
    TCase *logmel = tcase_create("logmel");
    tcase_add_test(logmel, logmel_is_the_frontends_bands_in_decibels_below_the_loudest);
    tcase_add_test(logmel, logmel_puts_a_tone_in_its_band_and_time_across);
    tcase_add_test(logmel, logmel_is_the_same_at_any_level_and_black_in_silence);
    tcase_add_test(logmel,
                   logmel_reuses_the_frames_of_the_last_window_of_a_stream);
    suite_add_tcase(s, logmel);
    TCase *params = tcase_create("params");
    tcase_add_test(params, bad_params_name_the_field);
    tcase_add_test(params, kind_names);
    suite_add_tcase(s, params);
    return tu_run(s);
}

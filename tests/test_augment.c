/* test_augment.c: the SpecAugment masks of train/spec_augment.h, the
 * frequency warps of train/spec_warp.h and the level changes of
 * train/spec_level.h on their own.
 *
 * The masks are drawn for batches of made-up shapes and applied to frames
 * of random non-zero values, laid out as examples_batch lays them out:
 *   - every run lies inside its example's bands or frames and is no wider
 *     than asked (or than there is room for), and the widths drawn cover
 *     0 to the widest;
 *   - applying them clears exactly the values the runs name and leaves
 *     every other value as it was;
 *   - one seed gives the same masks every time.
 * The warps:
 *   - factors lie between 1 / (1 + most) and 1 + most, as often above 1 as
 *     below, the same from one seed;
 *   - through the real log-mel front-end, a harmonic tone warped by a
 *     factor looks like the same tone played that factor lower, and a
 *     factor of 1 changes nothing.
 * The equaliser's curves:
 *   - points between -most and +most, as often above 0 as below, the same
 *     from one seed, joined by straight lines from the lowest band to the
 *     highest;
 *   - a flat curve changes frames exactly as a level change does, and
 *     moves a logmel image's lit pixels by the gain, black staying black.
 * The level changes:
 *   - gains lie between -most and +most decibels, as often above 0 as
 *     below, the same from one seed;
 *   - through the real log-mel front-end, a tone made 12 dB quieter is
 *     the tone played 12 dB quieter, and the quiet one made 12 dB louder
 *     the loud one; silence stays at the front-end's floor, and a gain of
 *     0 changes nothing.
 * test_train.c runs irmas-train --augment, --warp and --level themselves
 * (the same model from one seed, resuming, refusals).
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "spec_augment.h"
#include "spec_eq.h"
#include "spec_level.h"
#include "spec_warp.h"
#include "testutil.h"

#define ROWS 200

static const spec_augment_params params = {.freq_masks = 3, .freq_width = 5,
                                       .time_masks = 2, .time_width = 7};

/* Checks runs[n] lie in [0, size) and are at most widest wide; counts in
 * seen[0..widest] how often each width came up. */
static void check_runs(const spec_augment_run *runs, int n, int stride,
                       int widest, int size, int *seen)
{
    for (int i = 0; i < n; i++) {
        const spec_augment_run *run = &runs[(long)i * stride];
        ck_assert_int_ge(run->width, 0);
        ck_assert_int_le(run->width, widest);
        ck_assert_int_ge(run->start, 0);
        ck_assert_int_le(run->start + run->width, size);
        if (seen) seen[run->width]++;
    }
}

START_TEST(runs_stay_within_their_widths)
{
    int frames = 20, features = 12, per = spec_augment_runs(&params);
    ck_assert_int_eq(per, 5);
    spec_augment_run runs[ROWS * 5];
    rng r;
    rng_seed(&r, 7);
    spec_augment_draw(&params, frames, features, ROWS, &r, runs);
    int band_widths[6] = {0}, frame_widths[8] = {0};
    for (int i = 0; i < 3; i++)
        check_runs(runs + i, ROWS, per, 5, features, band_widths);
    for (int i = 3; i < 5; i++)
        check_runs(runs + i, ROWS, per, 7, frames, frame_widths);
    for (int w = 0; w <= 5; w++) ck_assert_int_gt(band_widths[w], 0);
    for (int w = 0; w <= 7; w++) ck_assert_int_gt(frame_widths[w], 0);
}
END_TEST

START_TEST(wide_runs_are_cut_to_the_example)
{
    spec_augment_params wide = {.freq_masks = 1, .freq_width = 50,
                           .time_masks = 1, .time_width = 50};
    spec_augment_run runs[ROWS * 2];
    rng r;
    rng_seed(&r, 8);
    spec_augment_draw(&wide, 4, 6, ROWS, &r, runs);
    check_runs(runs, ROWS, 2, 6, 6, NULL);
    check_runs(runs + 1, ROWS, 2, 4, 4, NULL);
}
END_TEST

/* 1 if the runs of one kind, runs[n], cover position i. */
static int covered(const spec_augment_run *runs, int n, int i)
{
    for (int k = 0; k < n; k++)
        if (i >= runs[k].start && i < runs[k].start + runs[k].width) return 1;
    return 0;
}

START_TEST(only_the_runs_drawn_are_cleared)
{
    enum { BATCH = 6, FRAMES = 15, FEATURES = 10 };
    enum { SIZE = FRAMES * BATCH * FEATURES };
    float x[SIZE], before[SIZE];
    tu_rng values;
    tu_seed(&values, 3);
    tu_fill(&values, before, SIZE, 1.0f, 2.0f);
    memcpy(x, before, sizeof x);
    spec_augment_run runs[BATCH * 5];
    rng r;
    rng_seed(&r, 9);
    spec_augment_draw(&params, FRAMES, FEATURES, BATCH, &r, runs);
    spec_layout frames = spec_layout_frames(x, BATCH, FRAMES, FEATURES);
    spec_augment_apply(&params, runs, &frames);
    long cleared = 0;
    for (int t = 0; t < FRAMES; t++)
        for (int row = 0; row < BATCH; row++)
            for (int b = 0; b < FEATURES; b++) {
                const spec_augment_run *mine = runs + row * 5;
                int masked = covered(mine, 3, b) || covered(mine + 3, 2, t);
                long i = ((long)t * BATCH + row) * FEATURES + b;
                ck_assert_float_eq(x[i], masked ? 0.0f : before[i]);
                cleared += masked;
            }
    ck_assert_int_gt(cleared, 0);
}
END_TEST

/* In a logmel image band b is row size-1-b and frame t column t: a mask
 * of bands clears rows, a mask of frames columns. */
START_TEST(masks_clear_an_images_rows_and_columns)
{
    enum { BATCH = 3, SIDE = 8, PIXELS = SIDE * SIDE };
    float images[BATCH * PIXELS];
    for (int i = 0; i < BATCH * PIXELS; i++) images[i] = 1.0f;
    spec_augment_params one_each = {.freq_masks = 1, .freq_width = 2,
                                    .time_masks = 1, .time_width = 3};
    spec_augment_run runs[BATCH * 2];
    for (int row = 0; row < BATCH; row++) {
        runs[2 * row] = (spec_augment_run){.start = row, .width = 2};
        runs[2 * row + 1] = (spec_augment_run){.start = 4, .width = row};
    }
    spec_layout l = spec_layout_images(images, BATCH, SIDE);
    spec_augment_apply(&one_each, runs, &l);
    for (int row = 0; row < BATCH; row++)
        for (int y = 0; y < SIDE; y++)
            for (int x = 0; x < SIDE; x++) {
                int band = SIDE - 1 - y;
                int masked = (band >= row && band < row + 2) ||
                             (x >= 4 && x < 4 + row);
                ck_assert_float_eq(images[row * PIXELS + y * SIDE + x],
                                   masked ? 0.0f : 1.0f);
            }
}
END_TEST

START_TEST(one_seed_gives_the_same_masks)
{
    spec_augment_run a[ROWS * 5], b[ROWS * 5];
    rng ra, rb;
    rng_seed(&ra, 11);
    rng_seed(&rb, 11);
    spec_augment_draw(&params, 30, 24, ROWS, &ra, a);
    spec_augment_draw(&params, 30, 24, ROWS, &rb, b);
    ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
    ck_assert(rng_word(&ra) == rng_word(&rb));
}
END_TEST

START_TEST(no_masks_draw_nothing)
{
    spec_augment_params none = {0};
    ck_assert_int_eq(spec_augment_runs(&none), 0);
    rng r;
    rng_seed(&r, 12);
    uint64_t state = rng_word(&r);
    spec_augment_draw(&none, 30, 24, ROWS, &r, NULL);
    ck_assert(rng_word(&r) == state);
}
END_TEST

/* The warps' factors and the levels' gains, each drawn for up to most:
 * between lo and hi, as many above mid as below. */
typedef struct {
    void (*draw)(double most, int rows, rng *r, float *out);
    double most;
    float lo, mid, hi;
} draw_case;

static const draw_case draws[] = {
    {spec_warp_draw, 0.2, 1.0f / 1.2f - 1e-6f, 1.0f, 1.2f + 1e-6f},
    {spec_level_draw, 12.0, -12.0f, 0.0f, 12.0f},
};

/* Two draws from one seed are equal, lie between lo and hi, fall as often
 * above mid as below, and reach three quarters of the way to each end. */
START_TEST(draws_stay_within_their_range)
{
    const draw_case *c = &draws[_i];
    float a[ROWS], b[ROWS];
    rng ra, rb;
    rng_seed(&ra, 21);
    rng_seed(&rb, 21);
    c->draw(c->most, ROWS, &ra, a);
    c->draw(c->most, ROWS, &rb, b);
    ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
    int above = 0;
    float lowest = c->mid, highest = c->mid;
    for (int i = 0; i < ROWS; i++) {
        ck_assert(a[i] >= c->lo && a[i] <= c->hi);
        above += a[i] > c->mid;
        lowest = fminf(lowest, a[i]);
        highest = fmaxf(highest, a[i]);
    }
    ck_assert_int_gt(above, ROWS / 3);
    ck_assert_int_lt(above, 2 * ROWS / 3);
    ck_assert_float_lt(lowest, c->mid - 0.75f * (c->mid - c->lo));
    ck_assert_float_gt(highest, c->mid + 0.75f * (c->hi - c->mid));
}
END_TEST

enum { RATE = 44100, FFT = 2048, MELS = 64 };

static const frontend_params logmel = {.kind = FRONTEND_LOGMEL, .frame = 1024,
                                       .fft_size = FFT, .mels = MELS,
                                       .fmin = 0.0f, .fmax = RATE / 2};

/* One log-mel frame of ten harmonics of f0, falling 3 dB each, the first
 * of amplitude a. */
static void tone_frame_at(frontend *f, double f0, double a, float *frame)
{
    static float samples[FFT];
    for (int i = 0; i < FFT; i++) {
        double v = 0.0;
        for (int k = 1; k <= 10; k++)
            v += pow(0.7, k - 1) * sin(2.0 * M_PI * k * f0 * i / RATE);
        samples[i] = (float)(a * v);
    }
    frontend_compute(f, samples, frame);
}

static void tone_frame(frontend *f, double f0, float *frame)
{
    tone_frame_at(f, f0, 0.1, frame);
}

/* Any standardisation of MELS bands: the changes undo it first. */
static void standardisation(float *mean, float *scale)
{
    for (int b = 0; b < MELS; b++) {
        mean[b] = -8.0f + 0.1f * b;
        scale[b] = 0.5f + 0.01f * b;
    }
}

static double mean_distance(const float *a, const float *b, int n)
{
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += fabs((double)a[i] - b[i]);
    return sum / n;
}

START_TEST(a_warped_tone_sounds_lower)
{
    frontend *f;
    char err[256];
    ck_assert_int_eq(frontend_new(&logmel, RATE, &f, err, sizeof err),
                     IRMAS_OK);
    float tone[MELS], lower[MELS], x[MELS], mean[MELS], scale[MELS];
    float work[2 * MELS];
    const float factor = 1.12f;
    tone_frame(f, 523.25, tone);
    tone_frame(f, 523.25 / factor, lower);
    standardisation(mean, scale);
    for (int b = 0; b < MELS; b++) x[b] = (tone[b] - mean[b]) * scale[b];
    float one = 1.0f;
    float same[MELS];
    memcpy(same, x, sizeof x);
    spec_layout one_frame = spec_layout_frames(same, 1, 1, MELS);
    spec_warp_apply(&logmel, mean, scale, &one, &one_frame, work);
    ck_assert_int_eq(memcmp(same, x, sizeof x), 0);

    one_frame = spec_layout_frames(x, 1, 1, MELS);
    spec_warp_apply(&logmel, mean, scale, &factor, &one_frame, work);
    for (int b = 0; b < MELS; b++) x[b] = x[b] / scale[b] + mean[b];
    double before = mean_distance(tone, lower, MELS);
    double after = mean_distance(x, lower, MELS);
    ck_assert_msg(after < 0.5 * before,
                  "the tone warped is %.3f from the lower tone (log-mel, "
                  "mean over bands), unwarped %.3f", after, before);
    frontend_free(f);
}
END_TEST

/* The same on a logmel image, its pixels warped as they are: the image of
 * a tone warped by a factor looks like the image of the tone played that
 * factor lower. */
START_TEST(a_warped_image_sounds_lower)
{
    enum { WINDOW = 3 * RATE, SIDE = 64, PIXELS = SIDE * SIDE };
    image_params p = {IMAGE_LOGMEL, SIDE, 1};
    image_builder *b;
    char err[256];
    ck_assert_int_eq(image_new(&p, RATE, WINDOW, &b, err, sizeof err),
                     IRMAS_OK);
    const float factor = 1.12f;
    static float samples[WINDOW], tone[PIXELS], lower[PIXELS];
    for (int k = 0; k < 2; k++) {
        double f0 = k == 0 ? 523.25 : 523.25 / factor;
        for (int i = 0; i < WINDOW; i++) {
            double v = 0.0;
            for (int h = 1; h <= 10; h++)
                v += pow(0.7, h - 1) * sin(2.0 * M_PI * h * f0 * i / RATE);
            samples[i] = (float)(0.1 * v);
        }
        image_build(b, samples, IMAGE_ANYWHERE, k == 0 ? tone : lower);
    }
    image_free(b);
    static float warped[PIXELS];
    memcpy(warped, tone, sizeof tone);
    float work[2 * SIDE];
    frontend_params fp = image_logmel_frontend(&p, RATE, WINDOW);
    spec_layout l = spec_layout_images(warped, 1, SIDE);
    spec_warp_apply(&fp, NULL, NULL, &factor, &l, work);
    double before = mean_distance(tone, lower, PIXELS);
    double after = mean_distance(warped, lower, PIXELS);
    ck_assert_msg(after < 0.5 * before,
                  "the image warped is %.3f from the lower tone's (pixels, "
                  "mean), unwarped %.3f", after, before);
}
END_TEST

/* The largest difference, in log-mel values, between frame x standardised
 * with mean and scale and the log-mel frame want. */
static double largest_difference(const float *x, const float *mean,
                                 const float *scale, const float *want)
{
    double most = 0.0;
    for (int b = 0; b < MELS; b++)
        most = fmax(most, fabs(x[b] / scale[b] + mean[b] - want[b]));
    return most;
}

START_TEST(a_quieter_tone_is_the_tone_played_quieter)
{
    frontend *f;
    char err[256];
    ck_assert_int_eq(frontend_new(&logmel, RATE, &f, err, sizeof err),
                     IRMAS_OK);
    enum { LOUD, QUIET, SILENT, FRAMES };
    float level[FRAMES][MELS], x[FRAMES][MELS], mean[MELS], scale[MELS];
    tone_frame_at(f, 440.0, 0.1, level[LOUD]);
    tone_frame_at(f, 440.0, 0.1 * pow(10.0, -12.0 / 20.0), level[QUIET]);
    static const float silence[FFT];
    frontend_compute(f, silence, level[SILENT]);
    standardisation(mean, scale);
    for (int t = 0; t < FRAMES; t++)
        for (int b = 0; b < MELS; b++)
            x[t][b] = (level[t][b] - mean[b]) * scale[b];

    float unchanged[FRAMES][MELS], none = 0.0f;
    memcpy(unchanged, x, sizeof x);
    spec_level_apply(mean, scale, &none, 1, FRAMES, MELS, &unchanged[0][0]);
    ck_assert_int_eq(memcmp(unchanged, x, sizeof x), 0);

    /* Each frame is a row of its own: rows changed by -12, +12 and +12. */
    const float gains[FRAMES] = {-12.0f, 12.0f, 12.0f};
    spec_level_apply(mean, scale, gains, FRAMES, 1, MELS, &x[0][0]);
    double quieter = largest_difference(x[LOUD], mean, scale, level[QUIET]);
    double louder = largest_difference(x[QUIET], mean, scale, level[LOUD]);
    double silent = largest_difference(x[SILENT], mean, scale,
                                       level[SILENT]);
    /* 12 dB is 2.76 in log-mel values; the samples' rounding, which no
     * gain scales, shows in the weakest bands at about 1e-3. */
    ck_assert_msg(quieter < 1e-2 && louder < 1e-2 && silent < 1e-2,
                  "made 12 dB quieter the tone is %.2g from the quieter "
                  "tone, made louder the quieter one %.2g from the loud "
                  "one, silence %.2g from silence (log-mel, largest over "
                  "bands)", quieter, louder, silent);
    frontend_free(f);
}
END_TEST

/* The equaliser's curves: points within -most .. +most from the seed,
 * the lowest band at the first point, the highest at the last, straight
 * lines between. */
START_TEST(eq_curves_join_their_points)
{
    enum { N = 50 };
    float a[N * SPEC_EQ_POINTS], b[N * SPEC_EQ_POINTS];
    rng ra, rb;
    rng_seed(&ra, 5);
    rng_seed(&rb, 5);
    spec_eq_draw(6.0, N, &ra, a);
    spec_eq_draw(6.0, N, &rb, b);
    ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
    int above = 0;
    for (int i = 0; i < N * SPEC_EQ_POINTS; i++) {
        ck_assert(a[i] >= -6.0f && a[i] <= 6.0f);
        above += a[i] > 0.0f;
    }
    ck_assert_int_gt(above, N * SPEC_EQ_POINTS / 3);
    ck_assert_int_lt(above, 2 * N * SPEC_EQ_POINTS / 3);
    const float points[SPEC_EQ_POINTS] = {-6.0f, 0.0f, 6.0f, 3.0f};
    /* 10 bands: the points fall on bands 0, 3, 6 and 9 */
    ck_assert_float_eq(spec_eq_gain(points, 0, 10), -6.0f);
    ck_assert_float_eq_tol(spec_eq_gain(points, 1, 10), -4.0f, 1e-5);
    ck_assert_float_eq_tol(spec_eq_gain(points, 6, 10), 6.0f, 1e-5);
    ck_assert_float_eq_tol(spec_eq_gain(points, 8, 10), 4.0f, 1e-5);
    ck_assert_float_eq(spec_eq_gain(points, 9, 10), 3.0f);
}
END_TEST

/* A flat curve is a level change: on frames exactly spec_level.h's; on a
 * logmel image every lit pixel moves by the gain over the image's range,
 * black stays black and nothing falls below it. */
START_TEST(a_flat_curve_is_a_level_change)
{
    enum { ROWS_EQ = 2, FRAMES_EQ = 3, SIZE = ROWS_EQ * FRAMES_EQ * MELS };
    float x[SIZE], levelled[SIZE], mean[MELS], scale[MELS];
    tu_rng values;
    tu_seed(&values, 11);
    tu_fill(&values, x, SIZE, -2.0f, 2.0f);
    memcpy(levelled, x, sizeof x);
    standardisation(mean, scale);
    const float gains[ROWS_EQ] = {-12.0f, 6.0f};
    float curves[ROWS_EQ * SPEC_EQ_POINTS];
    for (int i = 0; i < ROWS_EQ * SPEC_EQ_POINTS; i++)
        curves[i] = gains[i / SPEC_EQ_POINTS];
    spec_layout frames = spec_layout_frames(x, ROWS_EQ, FRAMES_EQ, MELS);
    spec_eq_apply(mean, scale, curves, &frames);
    spec_level_apply(mean, scale, gains, ROWS_EQ, FRAMES_EQ, MELS, levelled);
    ck_assert_int_eq(memcmp(x, levelled, sizeof x), 0);

    enum { SIDE = 4 };
    float image[SIDE * SIDE] = {0.0f, 0.05f, 0.5f, 1.0f};
    const float down[SPEC_EQ_POINTS] = {-8.0f, -8.0f, -8.0f, -8.0f};
    spec_layout one = spec_layout_images(image, 1, SIDE);
    spec_eq_apply(NULL, NULL, down, &one);
    ck_assert_float_eq(image[0], 0.0f);  /* black stays black */
    ck_assert_float_eq(image[1], 0.0f);  /* 0.05 - 0.1: not below black */
    ck_assert_float_eq_tol(image[2], 0.4f, 1e-6);
    ck_assert_float_eq_tol(image[3], 0.9f, 1e-6);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("augment");
    TCase *masks = tcase_create("masks");
    tcase_add_test(masks, runs_stay_within_their_widths);
    tcase_add_test(masks, wide_runs_are_cut_to_the_example);
    tcase_add_test(masks, only_the_runs_drawn_are_cleared);
    tcase_add_test(masks, masks_clear_an_images_rows_and_columns);
    tcase_add_test(masks, one_seed_gives_the_same_masks);
    tcase_add_test(masks, no_masks_draw_nothing);
    suite_add_tcase(s, masks);
    TCase *warps = tcase_create("warps");
    tcase_add_loop_test(warps, draws_stay_within_their_range, 0,
                        sizeof draws / sizeof draws[0]);
    tcase_add_test(warps, a_warped_tone_sounds_lower);
    tcase_add_test(warps, a_warped_image_sounds_lower);
    suite_add_tcase(s, warps);
    TCase *levels = tcase_create("levels");
    tcase_add_test(levels, a_quieter_tone_is_the_tone_played_quieter);
    tcase_add_test(levels, eq_curves_join_their_points);
    tcase_add_test(levels, a_flat_curve_is_a_level_change);
    suite_add_tcase(s, levels);
    return tu_run(s);
}

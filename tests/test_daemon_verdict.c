/* test_daemon_verdict.c: what becomes of each classified window (verdict.h),
 * without a thread: the level of digital silence, the gate at its
 * threshold, the moving average against a straightforward reference, its
 * restart after silence and after a gap, windows whose probabilities
 * are not finite, and a window's level measured over its own frames.
 */
#include "daemon_check.h"
#include "verdict.h"

#include <math.h>

static const verdict_settings settings = {.gate_dbfs = -60,
                                          .smooth_seconds = 1.5,
                                          .hop_seconds = 0.5};

START_TEST(levels_are_in_dbfs_with_a_floor_for_silence)
{
    ck_assert_double_eq_tol(verdict_level_dbfs(1.0), 0.0, 1e-12);
    ck_assert_double_eq_tol(verdict_level_dbfs(0.01), -20.0, 1e-9);
    ck_assert_double_eq(verdict_level_dbfs(0.0), VERDICT_SILENCE_FLOOR);
    ck_assert_double_eq(verdict_level_dbfs(1e-30), VERDICT_SILENCE_FLOOR);
}
END_TEST

START_TEST(the_gate_holds_back_windows_below_it)
{
    verdict v;
    verdict_init(&v, 2, &settings);
    const float probs[2] = {0.25f, 0.75f};
    ck_assert_ptr_null(verdict_judge(&v, probs, -60.1));
    ck_assert_int_eq(verdict_is_silent(&v, -60.1), 1);
    ck_assert_int_eq(verdict_is_silent(&v, -60.0), 0);
    const float *out = verdict_judge(&v, probs, -60.0);
    ck_assert_ptr_nonnull(out);
    ck_assert_float_eq(out[1], 0.75f);
    verdict_set(&v, &(verdict_settings){.gate_dbfs = -INFINITY,
                                        .hop_seconds = 0.5});
    ck_assert_ptr_nonnull(verdict_judge(&v, probs, VERDICT_SILENCE_FLOOR));
}
END_TEST

START_TEST(smoothing_is_an_exponential_moving_average)
{
    verdict v;
    verdict_init(&v, 2, &settings);
    double alpha = 1.0 - exp(-0.5 / 1.5), reference = 0.0;
    for (int k = 0; k < 20; k++) {
        float p0 = (k % 3 == 0) ? 0.9f : 0.2f;
        const float probs[2] = {p0, 1.0f - p0};
        const float *out = verdict_judge(&v, probs, -10.0);
        /* The first window is taken as it is, then each weighs alpha. */
        reference = k == 0 ? p0 : reference + alpha * (p0 - reference);
        ck_assert_double_eq_tol(out[0], reference, 1e-6);
        ck_assert_double_eq_tol(out[0] + out[1], 1.0, 1e-6);
    }
}
END_TEST

START_TEST(the_average_starts_afresh_after_silence_and_gaps)
{
    verdict v;
    verdict_init(&v, 2, &settings);
    const float a[2] = {1.0f, 0.0f}, b[2] = {0.0f, 1.0f};
    verdict_judge(&v, a, -10.0);
    ck_assert_ptr_null(verdict_judge(&v, a, -100.0)); /* silent */
    ck_assert_float_eq(verdict_judge(&v, b, -10.0)[1], 1.0f);
    verdict_restart(&v); /* a gap in the audio */
    ck_assert_float_eq(verdict_judge(&v, a, -10.0)[0], 1.0f);
    /* Without smoothing every window stands alone. */
    verdict_set(&v, &(verdict_settings){.gate_dbfs = -60, .hop_seconds = 0.5});
    ck_assert_float_eq(verdict_judge(&v, b, -10.0)[1], 1.0f);
}
END_TEST

START_TEST(windows_that_are_not_finite_are_not_reported)
{
    verdict v;
    verdict_init(&v, 2, &settings);
    const float good[2] = {0.5f, 0.5f}, bad[2] = {NAN, 0.5f};
    verdict_judge(&v, good, -10.0);
    ck_assert_ptr_null(verdict_judge(&v, bad, -10.0));
    /* The average is untouched by the bad window. */
    const float *out = verdict_judge(&v, good, -10.0);
    ck_assert_float_eq(out[0], 0.5f);
}
END_TEST

START_TEST(the_level_is_measured_over_the_window_s_own_frames)
{
    history *h = NULL;
    ck_assert(history_new(100, &h, NULL, 0) == IRMAS_OK);
    float x[40] = {0};
    for (int i = 20; i < 30; i++) x[i] = 0.1f; /* frames 20 to 29 */
    history_push(h, x, 40);
    /* The window of 10 frames ending at frame 29: -20 dBFS. */
    ck_assert_double_eq_tol(verdict_window_level_dbfs(h, 29.0, 10.0), -20.0,
                            1e-5);
    /* One ending at 39 holds only zeros: the floor. */
    ck_assert_double_eq(verdict_window_level_dbfs(h, 39.0, 10.0),
                        VERDICT_SILENCE_FLOOR);
    history_free(h);
}
END_TEST

int main(void)
{
    const TTest *tests[] = {
        levels_are_in_dbfs_with_a_floor_for_silence,
        the_gate_holds_back_windows_below_it,
        smoothing_is_an_exponential_moving_average,
        the_average_starts_afresh_after_silence_and_gaps,
        windows_that_are_not_finite_are_not_reported,
        the_level_is_measured_over_the_window_s_own_frames,
    };
    return daemon_check_run("daemon verdict", tests, 6, 60);
}

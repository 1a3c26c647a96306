/* test_daemon_report.c: what irmasd makes of a window before it leaves
 * (report.h) and how channels become one (mixdown.h), on plain numbers:
 * the gate and the moving average into an OSC window, the stamp of a
 * window that ends in padding, and --print's line. */
#include "daemon_check.h"
#include "daemon_tone.h"
#include "mixdown.h"
#include "report.h"

#include <math.h>
#include <string.h>

START_TEST(mixdown_averages_the_channels_and_drops_non_finite_samples)
{
    const float frames[] = {0.5f, 0.25f, NAN, 1.0f, INFINITY, -INFINITY};
    float mono[3];
    mixdown_interleaved(frames, 3, 2, mono);
    ck_assert_float_eq(mono[0], 0.375f);
    ck_assert_float_eq(mono[1], 0.5f);
    ck_assert_float_eq(mono[2], 0.0f);

    const float left[] = {9.0f, 0.5f, NAN, INFINITY};
    const float right[] = {9.0f, 0.25f, 1.0f, -INFINITY};
    const float *const planar[] = {left, right};
    mixdown_planar(planar, 2, 1, 3, mono); /* from the second frame on */
    ck_assert_float_eq(mono[0], 0.375f);
    ck_assert_float_eq(mono[1], 0.5f);
    ck_assert_float_eq(mono[2], 0.0f);
}
END_TEST

START_TEST(judging_fills_the_osc_window)
{
    char err[256];
    irmas_model *m = daemon_tone_model(16000, "low", "high", 1.0, err, sizeof err);
    ck_assert_ptr_nonnull(m);
    verdict v;
    verdict_init(&v, 2, &(verdict_settings){.gate_dbfs = -60.0,
                                             .smooth_seconds = 0.0,
                                             .hop_seconds = 0.5});
    const float probs[2] = {0.25f, 0.75f};
    osc_window win;
    ck_assert_int_eq(report_judge(&v, m, probs, -20.0, &win), 1);
    ck_assert_int_eq(win.silent, 0);
    ck_assert_int_eq(win.classes, 2);
    ck_assert_str_eq(win.labels[1], "high");
    ck_assert_float_eq(win.probs[1], 0.75f);
    ck_assert_float_eq(win.level_dbfs, -20.0f);

    ck_assert_int_eq(report_judge(&v, m, probs, -70.0, &win), 1);
    ck_assert_int_eq(win.silent, 1);
    ck_assert_ptr_null(win.probs);

    const float broken[2] = {NAN, 1.0f};
    ck_assert_int_eq(report_judge(&v, m, broken, -20.0, &win), 0);
    irmas_model_free(m);
}
END_TEST

START_TEST(a_window_ending_in_padding_is_stamped_at_the_last_frame_captured)
{
    ck_assert_double_eq(report_stamp_frame(1234.5, -1), 1234.5);
    ck_assert_double_eq(report_stamp_frame(999.0, 1000), 999.0);
    ck_assert_double_eq(report_stamp_frame(1500.0, 1000), 999.0);
    osc_window win = {0};
    report_stamp(&win, 2.5, 1000.0, 10.0);
    ck_assert_double_eq(win.capture_wall, 1002.5);
    ck_assert_double_eq(win.capture_mono, 12.5);
}
END_TEST

START_TEST(print_lines_say_the_top_class_or_silence)
{
    static const char labels[2][MODEL_LABEL_MAX] = {"cel", "flu"};
    const float probs[2] = {0.125f, 0.875f};
    osc_window win = {.classes = 2, .labels = labels, .probs = probs};
    char line[256];
    report_line(&win, 1.5, line, sizeof line);
    ck_assert_str_eq(line, "     1.50 s  flu              0.88  | cel 0.12 flu 0.88");
    win = (osc_window){.silent = 1, .level_dbfs = -72.4f};
    report_line(&win, 12.0, line, sizeof line);
    ck_assert_str_eq(line, "    12.00 s  (silence, -72 dBFS)");
}
END_TEST

int main(void)
{
    const TTest *tests[] = {
        mixdown_averages_the_channels_and_drops_non_finite_samples,
        judging_fills_the_osc_window,
        a_window_ending_in_padding_is_stamped_at_the_last_frame_captured,
        print_lines_say_the_top_class_or_silence,
    };
    return daemon_check_run("daemon report", tests, 4, 60);
}

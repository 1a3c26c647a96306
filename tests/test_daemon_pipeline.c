/* test_daemon_pipeline.c: irmasd's audio path without its thread
 * (pipeline.h): blocks in, windows out. Channels mixed down with NaN taken
 * as 0, windows a hop apart stamped with their last frame's capture time,
 * a gap in the audio starting the windows again, a new tagger swapped in
 * primed so its first window comes a hop later, a short input padded, and
 * a new device rate followed. The model is daemon_tone's (low against high
 * sines, 1 s windows). */
#include "daemon_check.h"
#include "daemon_tone.h"
#include "pipeline.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WINDOWS 64
#define BLOCK 512

typedef struct {
    int n, silent[MAX_WINDOWS];
    double seconds[MAX_WINDOWS], wall[MAX_WINDOWS], mono[MAX_WINDOWS];
    float probs[MAX_WINDOWS][2];
} windows_seen;

static void record(void *user, const osc_window *win, double seconds)
{
    windows_seen *w = user;
    ck_assert_int_lt(w->n, MAX_WINDOWS);
    w->silent[w->n] = win->silent;
    w->seconds[w->n] = seconds;
    w->wall[w->n] = win->capture_wall;
    w->mono[w->n] = win->capture_mono;
    if (!win->silent) memcpy(w->probs[w->n], win->probs, sizeof w->probs[0]);
    w->n++;
}

static live_tagger *tone_tagger(int device_rate, double hop)
{
    char err[512] = "";
    irmas_model *m = daemon_tone_model(16000, "low", "high", 1.0, err, sizeof err);
    ck_assert_msg(m != NULL, "%s", err);
    live_tagger *t = NULL;
    ck_assert_msg(live_tagger_new(m, device_rate, hop, 1, &t, err, sizeof err) ==
                  IRMAS_OK, "%s", err);
    return t;
}

/* A pipeline on channels-channel audio, no gate, no smoothing, its device
 * clock 100 s behind the wall clock and 10 s behind the monotonic one. */
static pipeline *tone_pipeline(int device_rate, int channels)
{
    char err[512] = "";
    pipeline *p = NULL;
    ck_assert_msg(pipeline_new(tone_tagger(device_rate, 0.256), channels,
                               -INFINITY, 0.0, &p, err, sizeof err) == IRMAS_OK,
                  "%s", err);
    pipeline_set_clocks(p, 100.0, 10.0);
    return p;
}

/* Pushes seconds of a sine at freq in blocks, frame f captured at
 * f / rate on the device clock (from *frame on); the first block marked
 * discontinuous when asked. Channel 1 of a stereo block is NaN. */
static void push_sine(pipeline *p, int rate, int channels, float freq,
                      double seconds, long long *frame, int gap,
                      windows_seen *seen)
{
    long n = (long)(seconds * rate);
    float *mono = malloc((size_t)n * sizeof *mono);
    float *frames = malloc((size_t)BLOCK * channels * sizeof *frames);
    tu_sine(mono, n, rate, freq, 0.3f);
    for (long i = 0; i < n; i += BLOCK) {
        int len = (int)(n - i < BLOCK ? n - i : BLOCK);
        for (int k = 0; k < len; k++)
            for (int c = 0; c < channels; c++)
                frames[k * channels + c] = c == 0 ? mono[i + k] * channels : NAN;
        ring_block b = {.frames = len, .rate = rate,
                        .discontinuous = gap && i == 0,
                        .capture_time = (double)*frame / rate};
        char err[512] = "";
        ck_assert_msg(pipeline_block(p, &b, frames, record, seen, err,
                                     sizeof err) == IRMAS_OK, "%s", err);
        *frame += len;
    }
    free(frames);
    free(mono);
}

START_TEST(windows_come_a_hop_apart_stamped_with_their_capture_time)
{
    pipeline *p = tone_pipeline(16000, 2);
    windows_seen seen = {0};
    long long frame = 0;
    push_sine(p, 16000, 2, 110.0f, 2.0, &frame, 0, &seen);
    ck_assert_int_eq(seen.n, (32000 - 16000) / 4096 + 1);
    for (int k = 0; k < seen.n; k++) {
        double last = 16000 + 4096.0 * k - 1; /* the window's last frame */
        ck_assert_double_eq_tol(seen.seconds[k], last / 16000, 1e-9);
        ck_assert_double_eq_tol(seen.wall[k], last / 16000 + 100.0, 1e-9);
        ck_assert_double_eq_tol(seen.mono[k], last / 16000 + 10.0, 1e-9);
        ck_assert_int_eq(seen.silent[k], 0);
        ck_assert_float_gt(seen.probs[k][0], 0.9f); /* NaN channel: 0 */
    }
    pipeline_free(p);
}
END_TEST

START_TEST(a_gap_starts_the_windows_again)
{
    pipeline *p = tone_pipeline(16000, 1);
    windows_seen seen = {0};
    long long frame = 0;
    push_sine(p, 16000, 1, 2000.0f, 1.5, &frame, 0, &seen);
    int before = seen.n;
    ck_assert_int_eq(before, 2);
    push_sine(p, 16000, 1, 2000.0f, 1.2, &frame, 1, &seen);
    ck_assert_int_eq(seen.n, before + 1); /* a whole window after the gap */
    ck_assert_double_eq_tol(seen.seconds[before], (24000 + 16000 - 1) / 16000.0,
                            1e-9);
    ck_assert_float_gt(seen.probs[before][1], 0.9f);
    pipeline_free(p);
}
END_TEST

START_TEST(a_swapped_tagger_is_primed_and_comes_a_hop_later)
{
    pipeline *p = tone_pipeline(16000, 1);
    windows_seen seen = {0};
    long long frame = 0;
    push_sine(p, 16000, 1, 110.0f, 1.5, &frame, 0, &seen);
    ck_assert_int_eq(seen.n, 2);
    char err[512] = "";
    ck_assert_msg(pipeline_swap(p, tone_tagger(48000, 0.512), err,
                                sizeof err) == IRMAS_OK, "%s", err);
    ck_assert_int_eq(pipeline_rate(p), 16000);
    push_sine(p, 16000, 1, 110.0f, 0.6, &frame, 0, &seen);
    /* Primed with the last second: the next window ends one hop (0.512 s)
     * after the swap, at frame 24000 + 8192 - 1. */
    ck_assert_int_eq(seen.n, 3);
    ck_assert_double_eq_tol(seen.seconds[2], (24000 + 8192 - 1) / 16000.0, 1e-9);
    ck_assert_float_gt(seen.probs[2][0], 0.9f);

    pipeline_free(p);
}
END_TEST

START_TEST(a_short_input_is_padded_and_stamped_at_its_end)
{
    pipeline *p = tone_pipeline(16000, 1);
    windows_seen seen = {0};
    long long frame = 0;
    push_sine(p, 16000, 1, 110.0f, 0.5, &frame, 0, &seen);
    ck_assert_int_eq(seen.n, 0);
    char note[256] = "";
    ck_assert_int_eq(pipeline_finish(p, record, &seen, note, sizeof note), 1);
    ck_assert_msg(strstr(note, "0.50 s, shorter than the model's 1.00 s window"),
                  "%s", note);
    ck_assert_int_eq(seen.n, 1);
    /* Stamped with the last frame captured, 7999. */
    ck_assert_double_eq_tol(seen.wall[0], 7999.0 / 16000 + 100.0, 1e-9);
    pipeline_free(p);

    p = tone_pipeline(16000, 1);
    frame = 0;
    push_sine(p, 16000, 1, 110.0f, 1.0, &frame, 0, &seen);
    ck_assert_int_eq(pipeline_finish(p, record, &seen, note, sizeof note), 0);
    pipeline_free(p);
}
END_TEST

START_TEST(a_new_device_rate_is_followed)
{
    pipeline *p = tone_pipeline(16000, 1);
    windows_seen seen = {0};
    long long frame = 0;
    push_sine(p, 16000, 1, 110.0f, 0.5, &frame, 0, &seen);
    push_sine(p, 48000, 1, 110.0f, 1.2, &frame, 1, &seen);
    ck_assert_int_eq(pipeline_rate(p), 48000);
    ck_assert_int_eq(seen.n, 1);
    ck_assert_float_gt(seen.probs[0][0], 0.9f);

    /* Too slow for the model: said, and the rate is still followed. */
    float frames[BLOCK] = {0};
    ring_block b = {.frames = BLOCK, .rate = 8000, .discontinuous = 1};
    char err[512] = "";
    ck_assert_int_ne(pipeline_block(p, &b, frames, record, &seen, err,
                                    sizeof err), IRMAS_OK);
    ck_assert_msg(strstr(err, "8000 Hz"), "%s", err);
    ck_assert_int_eq(pipeline_rate(p), 8000);

    /* A new tagger that cannot run at it either is refused; the old one
     * stays. */
    live_tagger *t = tone_tagger(48000, 0.5);
    ck_assert_int_ne(pipeline_swap(p, t, err, sizeof err), IRMAS_OK);
    ck_assert_ptr_ne(pipeline_model(p), live_tagger_model(t));
    live_tagger_free(t);
    pipeline_free(p);
}
END_TEST

START_TEST(the_gate_and_smoothing_change_from_the_next_window)
{
    pipeline *p = tone_pipeline(16000, 1);
    windows_seen seen = {0};
    long long frame = 0;
    push_sine(p, 16000, 1, 110.0f, 1.0, &frame, 0, &seen);
    ck_assert_int_eq(seen.n, 1);
    ck_assert_int_eq(seen.silent[0], 0);
    pipeline_set_verdict(p, -3.0, 0.0); /* a 0.3 sine is at about -13 dBFS */
    push_sine(p, 16000, 1, 110.0f, 0.3, &frame, 0, &seen);
    ck_assert_int_eq(seen.n, 2);
    ck_assert_int_eq(seen.silent[1], 1);
    pipeline_free(p);
}
END_TEST

int main(void)
{
    const TTest *tests[] = {
        windows_come_a_hop_apart_stamped_with_their_capture_time,
        a_gap_starts_the_windows_again,
        a_swapped_tagger_is_primed_and_comes_a_hop_later,
        a_short_input_is_padded_and_stamped_at_its_end,
        a_new_device_rate_is_followed,
        the_gate_and_smoothing_change_from_the_next_window,
    };
    return daemon_check_run("daemon pipeline", tests, 6, 60);
}

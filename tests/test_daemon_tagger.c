/* test_daemon_tagger.c: the daemon's model at work on device audio
 * (live_tagger.h): resampling to the model's rate, windows placed on the
 * device's frames a hop apart, streaming and whole-window recomputation
 * agreeing, restarts, and devices too slow for the model refused. The model
 * is daemon_tone's, which tells a low sine from a high one. */
#include "daemon_check.h"
#include "daemon_tone.h"
#include "live_tagger.h"
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WINDOWS 64

typedef struct {
    int n;
    double last[MAX_WINDOWS];
    float probs[MAX_WINDOWS][2];
} windows_seen;

static void record(void *user, const float *probs, double last_frame)
{
    windows_seen *w = user;
    ck_assert_int_lt(w->n, MAX_WINDOWS);
    w->last[w->n] = last_frame;
    memcpy(w->probs[w->n], probs, sizeof w->probs[0]);
    w->n++;
}

static live_tagger *tone_tagger(int model_rate, int device_rate, int incremental)
{
    char err[512] = "";
    irmas_model *m = daemon_tone_model(model_rate, "low", "high", 1.0, err, sizeof err);
    ck_assert_msg(m != NULL, "%s", err);
    live_tagger *t = NULL;
    ck_assert_msg(live_tagger_new(m, device_rate, 0.256, incremental, &t, err,
                             sizeof err) == IRMAS_OK, "%s", err);
    return t;
}

/* Pushes seconds of a sine at freq in blocks of 512 frames. */
static void push_sine(live_tagger *t, int rate, float freq, double seconds,
                      windows_seen *seen)
{
    long n = (long)(seconds * rate);
    float *x = malloc((size_t)n * sizeof *x);
    tu_sine(x, n, rate, freq, 0.3f);
    for (long i = 0; i < n; i += 512)
        live_tagger_push(t, x + i, n - i < 512 ? n - i : 512, record, seen);
    free(x);
}

START_TEST(windows_land_on_device_frames_a_hop_apart)
{
    live_tagger *t = tone_tagger(16000, 48000, 1);
    ck_assert_double_eq_tol(live_tagger_hop_seconds(t), 0.256, 1e-9);
    ck_assert_double_eq(live_tagger_window_frames(t), 48000.0);
    windows_seen seen = {0};
    push_sine(t, 48000, 110.0f, 3.0, &seen);
    ck_assert_int_eq(seen.n, (48000 - 16000) / 4096 + 1);
    for (int k = 0; k < seen.n; k++) {
        /* Model sample 16000 + 4096 k - 1 is device frame 3 times that. */
        ck_assert_double_eq_tol(seen.last[k], 3.0 * (16000 + 4096 * k - 1), 1e-6);
        ck_assert_float_gt(seen.probs[k][0], 0.9f);
        ck_assert_float_eq_tol(seen.probs[k][0] + seen.probs[k][1], 1.0f, 1e-5f);
    }
    live_tagger_free(t);
}
END_TEST

START_TEST(recomputing_whole_windows_agrees_with_streaming)
{
    live_tagger *streamed = tone_tagger(16000, 44100, 1);
    live_tagger *naive = tone_tagger(16000, 44100, 0);
    windows_seen a = {0}, b = {0};
    push_sine(streamed, 44100, 2000.0f, 2.5, &a);
    push_sine(naive, 44100, 2000.0f, 2.5, &b);
    ck_assert_int_eq(a.n, b.n);
    ck_assert_int_ge(a.n, 5);
    for (int k = 0; k < a.n; k++) {
        ck_assert_double_eq(a.last[k], b.last[k]);
        ck_assert_float_gt(a.probs[k][1], 0.9f);
        ck_assert_float_eq_tol(a.probs[k][1], b.probs[k][1], 1e-4f);
    }
    live_tagger_free(streamed);
    live_tagger_free(naive);
}
END_TEST

START_TEST(a_restart_starts_the_windows_again_at_the_frame_given)
{
    live_tagger *t = tone_tagger(16000, 16000, 1);
    windows_seen seen = {0};
    push_sine(t, 16000, 110.0f, 0.5, &seen);
    ck_assert_int_eq(seen.n, 0);
    live_tagger_restart(t, 100000);
    push_sine(t, 16000, 110.0f, 1.2, &seen);
    ck_assert_int_eq(seen.n, 1);
    ck_assert_double_eq(seen.last[0], 100000.0 + 15999.0);
    live_tagger_free(t);
}
END_TEST

START_TEST(a_device_too_slow_for_the_model_is_refused)
{
    char err[512] = "";
    irmas_model *m = daemon_tone_model(16000, "low", "high", 1.0, err, sizeof err);
    live_tagger *t = NULL;
    ck_assert_int_eq(live_tagger_new(m, 8000, 0.5, 1, &t, err, sizeof err), IRMAS_ERR_ARG);
    ck_assert_ptr_null(t);
    ck_assert_msg(strstr(err, "is at 8000 Hz") && strstr(err, "16000 Hz or more"), "%s", err);
    irmas_model_free(m);

    t = tone_tagger(22050, 44100, 1);
    ck_assert_int_ne(live_tagger_set_device_rate(t, 11025, err, sizeof err), IRMAS_OK);
    ck_assert_int_eq(live_tagger_device_rate(t), 44100);
    ck_assert_int_eq(live_tagger_set_device_rate(t, 96000, err, sizeof err), IRMAS_OK);
    ck_assert_double_eq(live_tagger_window_frames(t), 96000.0);
    live_tagger_free(t);
}
END_TEST

int main(void)
{
    const TTest *tests[] = {
        windows_land_on_device_frames_a_hop_apart,
        recomputing_whole_windows_agrees_with_streaming,
        a_restart_starts_the_windows_again_at_the_frame_given,
        a_device_too_slow_for_the_model_is_refused,
    };
    return daemon_check_run("daemon tagger", tests, 4, 60);
}

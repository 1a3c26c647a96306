/* verdict.h: what is made of each classified window before anyone hears of
 * it: its level, the silence gate, and the moving average of the
 * probabilities.
 *
 * A pure module: no threads, no clocks, no I/O. irmasd's worker and the
 * plugins (LV2, Vamp) run one per tagger, so a window gets the same verdict
 * wherever it is classified.
 *
 *   verdict v;
 *   verdict_init(&v, classes, &(verdict_settings){.gate_dbfs = -60,
 *                .smooth_seconds = 1.5, .hop_seconds = 0.5});
 *   for each window:
 *       double level = verdict_window_level_dbfs(recent, last, frames);
 *       const float *p = verdict_judge(&v, probs, level);
 *       p == NULL: silent (below the gate); else the probabilities to send
 *   after a gap in the audio: verdict_restart(&v);
 */
#ifndef IRMASD_VERDICT_H
#define IRMASD_VERDICT_H

#include "history.h"
#include "model.h"

#define VERDICT_SILENCE_FLOOR -120.0 /* dBFS reported for digital silence */

typedef struct {
    double gate_dbfs;      /* quieter windows are silent; -INFINITY: none */
    double smooth_seconds; /* time constant of the moving average; 0: off */
    double hop_seconds;    /* time between windows */
} verdict_settings;

typedef struct {
    verdict_settings settings;
    int classes;
    float smoothed[MODEL_MAX_CLASSES];
    int smoothing; /* smoothed holds a previous window */
} verdict;

/* Starts judging windows of classes probabilities with settings. */
void verdict_init(verdict *v, int classes, const verdict_settings *settings);

/* Changes the settings; the moving average goes on from where it is. */
void verdict_set(verdict *v, const verdict_settings *settings);

/* Forgets the moving average: the next window starts it afresh (after a
 * gap in the audio, a new model, or silence). */
void verdict_restart(verdict *v);

/* A window's level in dBFS from the mean of its squared samples, never
 * below VERDICT_SILENCE_FLOOR (digital silence included). */
double verdict_level_dbfs(double mean_square);

/* The level in dBFS of the window whose last frame is last_frame and which
 * spans window_frames frames (both fractional when resampled), measured
 * over the frames of it h still holds. */
double verdict_window_level_dbfs(const history *h, double last_frame,
                                 double window_frames);

/* Judges one window of probabilities at level_dbfs: NULL when it is below
 * the gate (the moving average restarts) or its probabilities are not all
 * finite; otherwise the probabilities to report, averaged over about
 * smooth_seconds (an exponential moving average: each window weighs
 * 1 - exp(-hop / smooth)), valid until the next call. */
const float *verdict_judge(verdict *v, const float *probs, double level_dbfs);

/* Says whether level_dbfs is below the gate. */
int verdict_is_silent(const verdict *v, double level_dbfs);

#endif

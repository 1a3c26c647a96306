/* verdict.c: see verdict.h. */
#include "verdict.h"

#include <math.h>

void verdict_init(verdict *v, int classes, const verdict_settings *settings)
{
    *v = (verdict){.settings = *settings, .classes = classes};
}

void verdict_set(verdict *v, const verdict_settings *settings)
{
    v->settings = *settings;
}

void verdict_restart(verdict *v) { v->smoothing = 0; }

double verdict_level_dbfs(double mean_square)
{
    double level = mean_square > 0 ? 10 * log10(mean_square)
                                   : VERDICT_SILENCE_FLOOR;
    return level < VERDICT_SILENCE_FLOOR ? VERDICT_SILENCE_FLOOR : level;
}

double verdict_window_level_dbfs(const history *h, double last_frame,
                                 double window_frames)
{
    double first_frame = last_frame + 1 - window_frames;
    return verdict_level_dbfs(history_mean_square(
        h, (long long)ceil(first_frame), (long long)floor(last_frame) + 1));
}

int verdict_is_silent(const verdict *v, double level_dbfs)
{
    return level_dbfs < v->settings.gate_dbfs;
}

const float *verdict_judge(verdict *v, const float *probs, double level_dbfs)
{
    if (verdict_is_silent(v, level_dbfs)) {
        v->smoothing = 0;
        return NULL;
    }
    for (int c = 0; c < v->classes; c++)
        if (!isfinite(probs[c])) return NULL;
    double tau = v->settings.smooth_seconds;
    float alpha = tau > 0 && v->smoothing
                      ? (float)(1.0 - exp(-v->settings.hop_seconds / tau))
                      : 1.0f;
    for (int c = 0; c < v->classes; c++)
        v->smoothed[c] += alpha * (probs[c] - v->smoothed[c]);
    v->smoothing = 1;
    return v->smoothed;
}

/* stats.c: statistics pooling forward and backward (see stats.h).
 *
 * The forward pass sweeps each feature's frames twice, for the mean and
 * then the squares about it, in double: a one-pass sum of squares would
 * lose the variance to cancellation on loud, steady bands (a log-mel floor
 * near -23 with small wobbles).
 *
 * The backward pass uses the closed form of the two derivatives:
 *     d mean_f / d x[t][f] = 1 / T
 *     d std_f  / d x[t][f] = (x[t][f] - mean_f) / (T std_f)
 * (the second term of the variance's derivative, through the mean, sums
 * to zero over t), so dx[t][f] = (dmean_f + dstd_f (x - mean_f) / std_f)
 * / T.
 */
#include "stats.h"

#include <math.h>

void stats_forward(const stats_layer *l, const float *x, int frames,
                   float *out)
{
    int n = l->inputs;
    float *mean = out, *std = out + n;
    for (int f = 0; f < n; f++) {
        double sum = 0.0;
        for (int t = 0; t < frames; t++) sum += x[(long)t * n + f];
        mean[f] = (float)(sum / frames);
    }
    for (int f = 0; f < n; f++) {
        double squares = 0.0;
        for (int t = 0; t < frames; t++) {
            double d = x[(long)t * n + f] - mean[f];
            squares += d * d;
        }
        std[f] = (float)sqrt(squares / frames + STATS_EPSILON);
    }
}

void stats_backward(const stats_layer *l, const float *x, int frames,
                    const float *out, const float *dout, float *dx)
{
    int n = l->inputs;
    const float *mean = out, *std = out + n;
    const float *dmean = dout, *dstd = dout + n;
    float inv_frames = 1.0f / (float)frames;
    for (int t = 0; t < frames; t++) {
        const float *row = x + (long)t * n;
        float *drow = dx + (long)t * n;
        for (int f = 0; f < n; f++)
            drow[f] = (dmean[f] + dstd[f] * (row[f] - mean[f]) / std[f]) *
                      inv_frames;
    }
}

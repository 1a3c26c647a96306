/* stats.h: statistics pooling, which summarises a window's frames by each
 * feature's mean and standard deviation over time.
 *
 * It is the front half of the model card's baseline (log-mel statistics
 * into a softmax regression, models/HISTORY.md, "Results"): a model that
 * knows how loud each band is on average and how much it moves, and
 * nothing about order. For x[frames][F] it writes out[2F]:
 *     out[f]     = mean_t x[t][f]
 *     out[F + f] = sqrt(var_f + STATS_EPSILON),
 *                  var_f = mean_t (x[t][f] - out[f])^2   (population)
 * The epsilon keeps the square root differentiable on a constant feature.
 * It has no weights; its backward pass lives here too, beside the forward
 * one it must match, like conv2d.h's.
 */
#ifndef IRMAS_STATS_H
#define IRMAS_STATS_H

#define STATS_EPSILON 1e-5f

typedef struct {
    int inputs; /* features per frame, F */
} stats_layer;

/* out[2 * inputs] from x[frames][inputs]; frames >= 1. */
void stats_forward(const stats_layer *l, const float *x, int frames,
                   float *out);

/* dx[frames][inputs] = the gradient of the loss with respect to x, from
 * dout[2 * inputs] and the out that stats_forward wrote for the same x. */
void stats_backward(const stats_layer *l, const float *x, int frames,
                    const float *out, const float *dout, float *dx);

#endif

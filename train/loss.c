/* loss.c: softmax cross-entropy and distillation (see loss.h). */
#include "loss.h"

#include "model.h"

#include <math.h>

/* log p, with the floor of loss.h: a confident mistake stays finite. */
static double floored_log(float p)
{
    return log(p > 1e-30f ? (double)p : 1e-30);
}

double loss_softmax_xent(const float *probs, const int *labels, int batch,
                         int classes, float scale, float *dlogits)
{
    double total = 0.0;
    for (int r = 0; r < batch; r++) {
        const float *p = probs + (long)r * classes;
        total -= floored_log(p[labels[r]]);
        if (!dlogits) continue;
        float *d = dlogits + (long)r * classes;
        for (int c = 0; c < classes; c++) d[c] = scale * p[c];
        d[labels[r]] -= scale;
    }
    return total;
}

/* out[classes] = softmax(log(v) / T), in double: v is a distribution
 * (probabilities), out the same one softened or sharpened at T. */
static void soften(const float *v, int classes, double temperature,
                   double *out)
{
    double top = -INFINITY, sum = 0.0;
    for (int c = 0; c < classes; c++) {
        out[c] = floored_log(v[c]) / temperature;
        if (out[c] > top) top = out[c];
    }
    for (int c = 0; c < classes; c++) sum += out[c] = exp(out[c] - top);
    for (int c = 0; c < classes; c++) out[c] /= sum;
}

/* One row of loss_distill; d may be NULL. */
static double distill_row(const float *p, int label, const float *q,
                          int classes, const loss_distill_params *params,
                          float scale, float *d)
{
    double t = params->temperature, w = label >= 0 ? params->weight : 1.0;
    double s[MODEL_MAX_CLASSES], qt[MODEL_MAX_CLASSES], soft = 0.0;
    soften(p, classes, t, s);
    soften(q, classes, t, qt);
    for (int c = 0; c < classes; c++)
        if (qt[c] > 0.0)
            soft += qt[c] * log(qt[c] / (s[c] > 1e-300 ? s[c] : 1e-300));
    double loss = w * t * t * soft;
    if (label >= 0) loss -= (1.0 - w) * floored_log(p[label]);
    if (!d) return loss;
    for (int c = 0; c < classes; c++) {
        double hard = label >= 0 ? (1.0 - w) * (p[c] - (c == label)) : 0.0;
        d[c] = (float)(scale * (hard + w * t * (s[c] - qt[c])));
    }
    return loss;
}

double loss_distill(const float *probs, const int *labels,
                    const float *targets, int batch, int classes,
                    const loss_distill_params *p, float scale,
                    float *dlogits)
{
    if (!targets)
        return loss_softmax_xent(probs, labels, batch, classes, scale,
                                 dlogits);
    double total = 0.0;
    for (int r = 0; r < batch; r++)
        total += distill_row(probs + (long)r * classes, labels[r],
                             targets + (long)r * classes, classes, p, scale,
                             dlogits ? dlogits + (long)r * classes : NULL);
    return total;
}

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

/* Row r's hard target as a distribution y[classes]: onehot(label), or
 * mixed with its partner's. Returns 0 when the row, or its partner, has
 * no label. */
static int hard_target(const int *labels, const loss_mixup *mix, int r,
                       int classes, double *y)
{
    if (labels[r] < 0 || (mix && mix->partner[r] < 0)) return 0;
    for (int c = 0; c < classes; c++) y[c] = 0.0;
    double share = mix ? mix->share[r] : 1.0;
    y[labels[r]] += share;
    if (mix) y[mix->partner[r]] += 1.0 - share;
    return 1;
}

/* One row of loss_distill: y the hard target or NULL, q the teacher's
 * or NULL (not both); d may be NULL. */
static double distill_row(const float *p, const double *y, const float *q,
                          int classes, const loss_distill_params *params,
                          float scale, float *d)
{
    double t = q ? params->temperature : 1.0;
    double w = !y ? 1.0 : q ? params->weight : 0.0;
    double s[MODEL_MAX_CLASSES], qt[MODEL_MAX_CLASSES], soft = 0.0;
    if (q) {
        soften(p, classes, t, s);
        soften(q, classes, t, qt);
        for (int c = 0; c < classes; c++)
            if (qt[c] > 0.0)
                soft += qt[c] * log(qt[c] / (s[c] > 1e-300 ? s[c] : 1e-300));
    }
    double loss = w * t * t * soft;
    if (y)
        for (int c = 0; c < classes; c++)
            if (y[c] > 0.0) loss -= (1.0 - w) * y[c] * floored_log(p[c]);
    if (!d) return loss;
    for (int c = 0; c < classes; c++) {
        double hard = y ? (1.0 - w) * (p[c] - y[c]) : 0.0;
        d[c] = (float)(scale * (hard + (q ? w * t * (s[c] - qt[c]) : 0.0)));
    }
    return loss;
}

double loss_distill(const float *probs, const int *labels,
                    const loss_mixup *mix, const float *targets, int batch,
                    int classes, const loss_distill_params *p, float scale,
                    float *dlogits)
{
    if (!targets && !mix)
        return loss_softmax_xent(probs, labels, batch, classes, scale,
                                 dlogits);
    double total = 0.0, y[MODEL_MAX_CLASSES];
    for (int r = 0; r < batch; r++) {
        int labelled = hard_target(labels, mix, r, classes, y);
        total += distill_row(probs + (long)r * classes, labelled ? y : NULL,
                             targets ? targets + (long)r * classes : NULL,
                             classes, p, scale,
                             dlogits ? dlogits + (long)r * classes : NULL);
    }
    return total;
}

double loss_embedding(const float *z, const float *embeddings, int batch,
                      int dims, float lambda, float scale, float *dz)
{
    double total = 0.0;
    for (long i = 0; i < (long)batch * dims; i++) {
        double gap = (double)z[i] - embeddings[i];
        total += gap * gap;
        dz[i] += (float)(scale * lambda * 2.0 * gap / dims);
    }
    return lambda * total / dims;
}

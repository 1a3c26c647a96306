/* loss.c: softmax cross-entropy (see loss.h). */
#include "loss.h"

#include <math.h>

double loss_softmax_xent(const float *probs, const int *labels, int batch,
                         int classes, float scale, float *dlogits)
{
    double total = 0.0;
    for (int r = 0; r < batch; r++) {
        const float *p = probs + (long)r * classes;
        float right = p[labels[r]];
        total -= log(right > 1e-30f ? (double)right : 1e-30);
        if (!dlogits) continue;
        float *d = dlogits + (long)r * classes;
        for (int c = 0; c < classes; c++) d[c] = scale * p[c];
        d[labels[r]] -= scale;
    }
    return total;
}

/* adam.c: Adam and gradient clipping (see adam.h).
 *
 * The bias corrections depend only on the step number, so they are
 * computed once per step in double; the loop over parameters is then
 * plain float arithmetic that GCC turns into SIMD code.
 */
#include "adam.h"

#include <math.h>
#include <stdlib.h>

irmas_status adam_init(adam *a, long count, double lr)
{
    *a = (adam){.lr = lr, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8,
                .count = count};
    a->m = calloc((size_t)count, sizeof *a->m);
    a->v = calloc((size_t)count, sizeof *a->v);
    if (a->m && a->v) return IRMAS_OK;
    adam_free(a);
    return IRMAS_ERR_NOMEM;
}

void adam_free(adam *a)
{
    free(a->m);
    free(a->v);
    a->m = a->v = NULL;
}

void adam_step(adam *a, float *params, const float *grads)
{
    a->step++;
    float b1 = (float)a->beta1, b2 = (float)a->beta2, eps = (float)a->eps;
    float step_size = (float)(a->lr / (1.0 - pow(a->beta1, (double)a->step)));
    float root_correction = (float)sqrt(1.0 - pow(a->beta2, (double)a->step));
    float *m = a->m, *v = a->v;
    for (long i = 0; i < a->count; i++) {
        float g = grads[i];
        m[i] = b1 * m[i] + (1.0f - b1) * g;
        v[i] = b2 * v[i] + (1.0f - b2) * g * g;
        float denom = sqrtf(v[i]) / root_correction + eps;
        params[i] -= step_size * m[i] / denom;
    }
}

double adam_clip_norm(float *grads, long count, double max_norm)
{
    double sum = 0.0;
    for (long i = 0; i < count; i++) sum += (double)grads[i] * grads[i];
    double norm = sqrt(sum);
    if (max_norm > 0.0 && norm > max_norm) {
        float scale = (float)(max_norm / (norm + 1e-6));
        for (long i = 0; i < count; i++) grads[i] *= scale;
    }
    return norm;
}

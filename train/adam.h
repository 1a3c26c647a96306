/* adam.h: the optimiser: Adam (Kingma and Ba 2015) over one flat vector of
 * parameters, and the gradient-norm clipping applied before each step.
 *
 * A model's weights are one contiguous run of floats at the start of its
 * arena (model.h), and the trainer keeps its gradients in the same layout,
 * so the optimiser never needs to know about layers. The update is
 * PyTorch's torch.optim.Adam without weight decay, in the same order of
 * operations:
 *     m = b1 m + (1 - b1) g            v = b2 v + (1 - b2) g^2
 *     w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * so the two agree to rounding on the same gradients.
 */
#ifndef IRMAS_ADAM_H
#define IRMAS_ADAM_H

#include "status.h"

typedef struct {
    double lr, beta1, beta2, eps;
    long step;  /* updates done so far (t in the formula, before adding 1) */
    long count; /* parameters */
    float *m;   /* [count] first moments */
    float *v;   /* [count] second moments */
} adam;

/* Zeroed moments for count parameters, PyTorch's defaults b1 = 0.9,
 * b2 = 0.999, eps = 1e-8, and the given learning rate. */
irmas_status adam_init(adam *a, long count, double lr);
void adam_free(adam *a);

/* One update of params[count] with grads[count]. */
void adam_step(adam *a, float *params, const float *grads);

/* Scales grads[count] so their Euclidean norm is at most max_norm (when
 * max_norm > 0) and returns the norm before scaling. */
double adam_clip_norm(float *grads, long count, double max_norm);

#endif

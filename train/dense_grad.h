/* dense_grad.h: the backward pass of the fully connected layer of dense.h.
 *
 * Forward, y = act(z) with z = x W^T + b. Backward splits the same way:
 * dense_grad_activation takes dL/dy to dL/dz through the activation (read
 * from y, which every activation's derivative can be written in), and
 * dense_grad_affine takes dL/dz to the weight gradients and to dL/dx.
 * The classifier's softmax layer skips the first half: loss.h gives dL/dz
 * directly.
 */
#ifndef IRMAS_DENSE_GRAD_H
#define IRMAS_DENSE_GRAD_H

#include "dense.h"

/* dz[batch][n] = dL/dz from y[batch][n] (the layer's output) and
 * dy[batch][n] = dL/dy. For softmax, the full Jacobian:
 * dz_i = y_i (dy_i - sum_j y_j dy_j). dz may be dy. */
void dense_grad_activation(activation act, const float *y, const float *dy,
                           float *dz, int batch, int n);

/* Adds dz^T x to grad->weights and the column sums of dz to grad->bias
 * (grad: a layer of l's shape whose tensors hold gradients), and, when dx
 * is not NULL, writes dx[batch][inputs] = dz W. */
void dense_grad_affine(const dense_layer *l, dense_layer *grad,
                       const float *x, const float *dz, float *dx,
                       int batch);

/* bias[j] += the sum of column j of dz[rows][n], in row order: the bias
 * gradient of a dense layer, and of every recurrent one (bptt.h) from its
 * pre-activation gradients. */
void dense_grad_bias(const float *dz, long rows, int n, float *bias);

#endif

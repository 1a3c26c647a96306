/* dense_grad.c: the dense layer's backward pass (see dense_grad.h). Both
 * products are whole-batch matrix products; only the activation's
 * derivative is a loop. */
#include "dense_grad.h"

#include "gemm.h"

void dense_grad_activation(activation act, const float *y, const float *dy,
                           float *dz, int batch, int n)
{
    for (long i = 0; i < (long)batch * n; i++) {
        switch (act) {
        case ACT_NONE: dz[i] = dy[i]; break;
        case ACT_RELU: dz[i] = y[i] > 0.0f ? dy[i] : 0.0f; break;
        case ACT_TANH: dz[i] = dy[i] * (1.0f - y[i] * y[i]); break;
        case ACT_SIGMOID: dz[i] = dy[i] * y[i] * (1.0f - y[i]); break;
        case ACT_SOFTMAX: break;
        }
    }
    if (act != ACT_SOFTMAX) return;
    for (int r = 0; r < batch; r++) {
        const float *yr = y + (long)r * n, *dyr = dy + (long)r * n;
        float *dzr = dz + (long)r * n;
        double dot = 0.0;
        for (int j = 0; j < n; j++) dot += (double)yr[j] * dyr[j];
        for (int j = 0; j < n; j++) dzr[j] = yr[j] * (dyr[j] - (float)dot);
    }
}

void dense_grad_bias(const float *dz, long rows, int n, float *bias)
{
    for (long r = 0; r < rows; r++)
        for (int j = 0; j < n; j++) bias[j] += dz[r * n + j];
}

void dense_grad_affine(const dense_layer *l, dense_layer *grad,
                       const float *x, const float *dz, float *dx, int batch)
{
    int in = l->inputs, out = l->outputs;
    gemm_tn(out, in, batch, dz, out, x, in, 1.0f, grad->weights, in);
    dense_grad_bias(dz, batch, out, grad->bias);
    if (dx) gemm_nn(batch, in, out, dz, out, l->weights, in, 0.0f, dx, in);
}

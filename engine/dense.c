/* dense.c: the fully connected layer of dense.h: one affine map over the
 * batch (gemm.h), then the activation row by row. */
#include "dense.h"

#include "gemm.h"

void dense_forward(const dense_layer *l, const float *in, float *out,
                   int batch)
{
    gemm_affine(batch, l->outputs, l->inputs, in, l->weights, NULL, l->bias,
                out);
    activation_apply(l->act, out, batch, l->outputs);
}

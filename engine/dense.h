/* dense.h: the fully connected layer, y = act(W x + b), on a batch of rows.
 *
 * It ends every classifier (softmax over the classes) and forms the study's
 * optional 50-unit ReLU layer between the recurrent cell and the softmax.
 */
#ifndef IRMAS_DENSE_H
#define IRMAS_DENSE_H

#include "activation.h"

typedef struct {
    int inputs, outputs;
    activation act;
    float *weights; /* [outputs][inputs] */
    float *bias;    /* [outputs] */
} dense_layer;

/* out[batch][outputs] = act(in[batch][inputs] W^T + b). in and out must not
 * overlap. */
void dense_forward(const dense_layer *l, const float *in, float *out,
                   int batch);

#endif

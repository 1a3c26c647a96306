/* pool.h: max-pooling between the convolutions of the study's CNNs, and the
 * flatten that hands the last of them to the dense layers.
 *
 * Each channel of a [channels][height][width] image is pooled on its own:
 *     out[c][y][x] = max over i, j < size of in[c][y*stride + i][x*stride + j]
 * without padding, so out_height = (height - size) / stride + 1, rounded
 * down: Keras' MaxPooling2D with its default "valid" padding (and its
 * default stride, the size). The forward pass can record which input each
 * output came from, so the backward pass routes the gradient there alone;
 * a tie goes to the first maximum in row order.
 *
 * Flatten is no layer and costs nothing: a planar image is already the flat
 * vector a dense layer reads, element (c, y, x) at c * height * width +
 * y * width + x, i.e. PyTorch's flatten order. Keras flattens channels-last,
 * (y, x, c) at (y * width + x) * channels + c, so a dense layer imported
 * from a Keras model needs its weight columns permuted to match.
 */
#ifndef IRMAS_POOL_H
#define IRMAS_POOL_H

#include "status.h"

typedef struct {
    int channels, height, width; /* the input image */
    int size, stride;            /* a size x size window every stride */
} pool_layer;

int pool_out_height(const pool_layer *l);
int pool_out_width(const pool_layer *l);
long pool_inputs(const pool_layer *l);
long pool_outputs(const pool_layer *l);

/* Checks the shape; the message names the field, prefixed by name. */
irmas_status pool_check(const pool_layer *l, const char *name, char *err,
                        size_t errlen);

/* out[batch][channels][out_height][out_width] from in[batch][channels]
 * [height][width]. If argmax is not NULL, argmax[batch][outputs] receives
 * the index within its image of the input each output took. */
void pool_forward(const pool_layer *l, const float *in, float *out,
                  int batch, int *argmax);

/* din[channels][height][width] = the gradient of one image's input, from
 * dout[outputs] and the argmax its forward pass recorded. */
void pool_backward(const pool_layer *l, const float *dout, const int *argmax,
                   float *din);

#endif

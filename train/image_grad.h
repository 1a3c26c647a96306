/* image_grad.h: the convolutional part of an image branch (conv2d and
 * max-pool layers) trained over a batch of images: its forward pass with
 * what backward needs kept, and its backward pass.
 *
 * The batch goes forward layer by layer (each layer's conv2d_forward or
 * pool_forward over every image), keeping every layer's output and each
 * pool's argmax. Backward then walks one image at a time from the last
 * layer to the first with conv2d_backward and pool_backward, so the
 * gradients between layers need room for one image only, and the weight
 * gradients are summed over the batch as conv2d_backward adds them. The
 * first layer's input gradient is never formed: nothing before it learns.
 *
 * The output is the last layer's image, which is already the flattened
 * vector a dense layer reads (pool.h). Weights are read through the layers
 * given to image_grad_new, so the optimiser may update them in place.
 */
#ifndef IRMAS_IMAGE_GRAD_H
#define IRMAS_IMAGE_GRAD_H

#include "layer.h"
#include "status.h"

typedef struct image_grad image_grad;

/* A pass over layers[0..n) (conv2d and maxpool, each reading the one
 * before), for up to max_batch images at once. grads[0..n) are layers of
 * the same kinds and shapes whose tensors receive the gradients
 * (image_grad_backward adds to them). */
irmas_status image_grad_new(const layer *layers, layer *grads, int n,
                            int max_batch, image_grad **out);
void image_grad_free(image_grad *g);

/* Floats per image of the output: the last layer's outputs. */
int image_grad_outputs(const image_grad *g);

/* Runs the layers over images[batch][first layer's inputs] and returns
 * their output [batch][image_grad_outputs], valid until the next call. */
const float *image_grad_forward(image_grad *g, const float *images,
                                int batch);

/* After image_grad_forward on the same images and batch: takes
 * dout[batch][outputs] = dL/d(output) back through every layer and adds
 * the weight gradients to grads. */
void image_grad_backward(image_grad *g, const float *images, int batch,
                         const float *dout);

#endif

/* conv2d.h: the two-dimensional convolution of the study's CNNs (appendix B),
 * forward and backward.
 *
 * Images are planar, [channels][height][width] row-major, the layout PyTorch
 * uses; the filters are [filters][channels][kernel][kernel], so seen as a
 * matrix they are [outputs][inputs] like every other weight in libirmas
 * (gemm.h), with inputs = channels * kernel * kernel. A layer computes
 *     out[f][y][x] = act(bias[f] + sum_{c,i,j} w[f][c][i][j]
 *                        * in[c][y*stride - padding + i][x*stride - padding + j])
 * reading zeros outside the image (zero padding). The output is
 *     out_height = (height + 2 padding - kernel) / stride + 1   (rounded down)
 * and the same across, which is Keras' "valid" when padding is 0.
 *
 * How: im2col then one matrix product. The patches are unrolled into
 * work[inputs][out_height * out_width] (row r = one tap (c,i,j), column =
 * one output pixel), and out = W work is gemm_nn over the whole image. The
 * backward pass is the same two products transposed plus col2im, which
 * scatters the unrolled gradient back onto the input pixels.
 *
 * The struct carries its input shape, like dense_layer carries its inputs,
 * so a layer knows how many floats it reads and writes without being told.
 */
#ifndef IRMAS_CONV2D_H
#define IRMAS_CONV2D_H

#include "activation.h"
#include "status.h"

typedef struct {
    int channels, height, width; /* the input image */
    int filters, kernel, stride, padding;
    activation act;  /* ACT_NONE or ACT_RELU */
    float *weights;  /* [filters][channels][kernel][kernel] */
    float *bias;     /* [filters] */
} conv2d_layer;

/* Output pixels along one axis of `in` pixels; 0 if the padded input is
 * smaller than the kernel. Shared with pool.h, whose windows slide alike. */
int conv2d_output_size(int in, int kernel, int stride, int padding);

/* The outputs [*lo, *hi) of out along one axis whose input, through kernel
 * tap t (0 .. kernel - 1), lies inside the `in` pixels rather than in the
 * zero padding: *lo == *hi when none does. Shared with mobilenet.h's
 * depthwise convolution, which skips the padding alike. */
void conv2d_inside(int out, int in, int stride, int padding, int t, int *lo,
                   int *hi);

/* One output pixel whose taps sum to sum: bias + sum, through ReLU when
 * relu is set (conv2d_check allows no other activation but none), as
 * activation_apply computes it. conv2d_forward and winograd.h both end
 * with it. */
static inline float conv2d_pixel(float sum, float bias, int relu)
{
    float v = bias + sum;
    return relu ? (v > 0.0f ? v : 0.0f) : v;
}

/* The output's height and width, and floats read, written and learnt. */
int conv2d_out_height(const conv2d_layer *l);
int conv2d_out_width(const conv2d_layer *l);
long conv2d_inputs(const conv2d_layer *l);
long conv2d_outputs(const conv2d_layer *l);
long conv2d_weight_count(const conv2d_layer *l); /* weights, not bias */

/* Checks that an input of channels x height x width is not empty; the
 * message names it as `name`. conv2d_check and pool_check start with it. */
irmas_status conv2d_check_input(int channels, int height, int width,
                                const char *name, char *err, size_t errlen);

/* Checks the shape (every size positive, padding smaller than the kernel,
 * an output of at least one pixel) and the activation; the message names
 * the field, prefixed by `name` ("layer 2 (conv2d)"). */
irmas_status conv2d_check(const conv2d_layer *l, const char *name, char *err,
                          size_t errlen);

/* Floats of work space one image needs, forward or backward: the unrolled
 * patches, inputs-per-output * out_height * out_width. */
long conv2d_work_size(const conv2d_layer *l);

/* out[batch][filters][out_height][out_width] from in[batch][channels]
 * [height][width]. in and out must not overlap; work is overwritten. */
void conv2d_forward(const conv2d_layer *l, const float *in, float *out,
                    int batch, float *work);

/* The backward pass of one image. in and out are what the forward pass
 * read and wrote; dout is the loss gradient with respect to out, and is
 * overwritten by the gradient before the activation. Adds the weight and
 * bias gradients to dweights[filters][channels][kernel][kernel] and
 * dbias[filters] (the trainer sums a batch into them), and writes the
 * input gradient to din (NULL for a first layer, which needs none). */
void conv2d_backward(const conv2d_layer *l, const float *in, const float *out,
                     float *dout, float *din, float *dweights, float *dbias,
                     float *work);

#endif

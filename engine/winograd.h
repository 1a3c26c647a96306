/* winograd.h: a 3 x 3 convolution at stride 1 in fewer multiplications, for
 * inference (internal to the engine; not part of the public interface).
 *
 * conv2d.h computes every output pixel from its nine taps: 9 multiplications
 * per pixel, input channel and filter, done as one matrix product over
 * im2col's unrolled patches. Winograd's minimal filtering F(4 x 4, 3 x 3)
 * (Lavin and Gray, "Fast algorithms for convolutional neural networks",
 * 2016) computes a 4 x 4 tile of outputs from the 6 x 6 input tile under it
 * with 36 multiplications instead of 144:
 *     Y = A^T [ (G g G^T) .* (B^T d B) ] A
 * for a filter g (3 x 3) and an input tile d (6 x 6); .* multiplies element
 * by element, and B^T d B and A^T m A take only additions and small
 * constant multiples. Summed over input channels, the elementwise products
 * become 36 matrix products, one per position xi of the 6 x 6 grid:
 *     M[xi] (filters x tiles) = U[xi] (filters x channels) V[xi] (channels x tiles)
 * with U = the transformed filters (made once, winograd_prepare) and V the
 * transformed input tiles. Each output pixel then costs 36 / 16 = 2.25
 * multiplications per channel and filter instead of 9, through the same
 * GEMM (gemm.h) at a smaller size.
 *
 * The results are the convolution's up to rounding: the transforms' sums
 * round differently from a direct sum over taps, by at most 4.7e-6 of each
 * output's scale (the sum of its terms' magnitudes) in test_conv2d, which
 * measures it against a direct loop. The trainer keeps conv2d.h's exact
 * transposes for its gradients; irmas_window uses this for the layers
 * winograd_suits.
 *
 * Tiles cover the output in 4 x 4 steps; the last row and column of tiles
 * may hang over the output's edge, and read zeros past the padded input.
 */
#ifndef IRMAS_WINOGRAD_H
#define IRMAS_WINOGRAD_H

#include "conv2d.h"

/* Whether l is a convolution this module computes (3 x 3 kernel, stride 1,
 * any padding conv2d_check accepts) and one where it was measured faster
 * than conv2d.h: at least WINOGRAD_MIN_CHANNELS input channels (a first
 * layer reading one channel gives the products nothing to sum) and
 * WINOGRAD_MIN_TILES tiles of output (a small image leaves the 36 products
 * too small to pay for their calls). docs/engine.md has the measurements. */
#define WINOGRAD_MIN_CHANNELS 8
#define WINOGRAD_MIN_TILES 16
int winograd_suits(const conv2d_layer *l);

/* Floats of the transformed filters U of l: 36 * filters * channels. */
long winograd_filter_floats(const conv2d_layer *l);

/* Writes l's transformed filters to u[winograd_filter_floats(l)]. Called
 * once per runner; the filters must not change while u is in use. */
void winograd_prepare(const conv2d_layer *l, float *u);

/* Floats of work space winograd_forward needs for one image of l. */
long winograd_work_floats(const conv2d_layer *l);

/* out[filters][out_height][out_width] from in[channels][height][width],
 * as conv2d_forward computes it (bias and activation included), with the
 * filters transformed into u by winograd_prepare. in and out must not
 * overlap; work[winograd_work_floats(l)] is overwritten. Never allocates. */
void winograd_forward(const conv2d_layer *l, const float *u, const float *in,
                      float *out, float *work);

#endif

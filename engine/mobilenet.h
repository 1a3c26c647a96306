/* mobilenet.h: the layers of a MobileNetV3 (the AudioSet teacher, teacher.h),
 * forward only, each a plain loop over planar images.
 *
 * Images are planar, [channels][height][width] row-major, as in conv2d.h.
 * A depthwise convolution filters every channel with its own kernel
 * (groups = channels); a pointwise convolution is a 1x1 convolution, that
 * is one matrix product [out][in] x [in][height * width] through gemm.h;
 * squeeze-excitation rescales each channel by a gate computed from the
 * channel means; hardswish is x * min(max(x + 3, 0), 6) / 6. The pooling
 * functions average over the whole image (one value per channel) or over
 * the height only (one vector per column: the teacher's frequency axis is
 * the height, its time axis the width).
 *
 * Weights are read-only: these layers never write to them. None of these
 * functions allocates; all are safe to call from any number of threads on
 * separate buffers.
 */
#ifndef IRMAS_MOBILENET_H
#define IRMAS_MOBILENET_H

/* A depthwise convolution: channels images of height x width, each
 * convolved with its own kernel x kernel filter, zero padding, stride. */
typedef struct {
    int channels, height, width;
    int kernel, stride, padding;
    const float *weights; /* [channels][kernel][kernel] */
    const float *bias;    /* [channels] */
} mobilenet_depthwise;

/* The output's height and width (conv2d_output_size of each axis). */
int mobilenet_depthwise_out_height(const mobilenet_depthwise *l);
int mobilenet_depthwise_out_width(const mobilenet_depthwise *l);

/* The floats of work mobilenet_depthwise_forward needs: about one padded
 * channel and one output channel. */
long mobilenet_depthwise_work_floats(const mobilenet_depthwise *l);

/* out[c][oy][ox] = bias[c] + sum_{i,j} w[c][i][j]
 *                  * in[c][oy*stride - padding + i][ox*stride - padding + j],
 * zeros outside the image, each sum taken in that order (bias, then taps
 * row by row). in, out and work (mobilenet_depthwise_work_floats) must not
 * overlap. */
void mobilenet_depthwise_forward(const mobilenet_depthwise *l, const float *in,
                                 float *out, float *work);

/* out[o][p] = bias[o] + sum_i w[o][i] in[i][p] for pixels p < pixels: a 1x1
 * convolution from inputs to outputs channels, w [outputs][inputs]. in and
 * out must not overlap. */
void mobilenet_pointwise(int inputs, int outputs, long pixels, const float *w,
                         const float *bias, const float *in, float *out);

/* Squeeze-excitation in place on x[channels][pixels]: m = the channel
 * means, g = sigmoid(w2 relu(w1 m + b1) + b2), x[c] *= g[c]. w1 is
 * [squeeze][channels], w2 [channels][squeeze]; work holds channels +
 * squeeze floats. */
void mobilenet_squeeze_excite(int channels, long pixels, int squeeze,
                              const float *w1, const float *b1,
                              const float *w2, const float *b2, float *x,
                              float *work);

/* x[i] = x[i] * min(max(x[i] + 3, 0), 6) / 6 for i < n, in place. */
void mobilenet_hardswish(float *x, long n);

/* out[c] = the mean of x[c][height][width]: pooling over both axes. */
void mobilenet_mean_pool(int channels, int height, int width, const float *x,
                         float *out);

/* out[t][c] = the mean over y of x[c][y][t]: pooling over the height only,
 * one channels-long vector per column t < width. */
void mobilenet_mean_pool_height(int channels, int height, int width,
                                const float *x, float *out);

#endif

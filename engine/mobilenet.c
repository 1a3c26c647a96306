/* mobilenet.c: see mobilenet.h. */
#include "mobilenet.h"

#include "activation.h"
#include "conv2d.h"
#include "gemm.h"
#include "isa.h"

#include <string.h>

int mobilenet_depthwise_out_height(const mobilenet_depthwise *l)
{
    return conv2d_output_size(l->height, l->kernel, l->stride, l->padding);
}

int mobilenet_depthwise_out_width(const mobilenet_depthwise *l)
{
    return conv2d_output_size(l->width, l->kernel, l->stride, l->padding);
}

/* The depthwise convolution reads each channel through its stride's
 * phase planes. With stride s, plane (a, b) holds the zero-padded
 * channel's pixels (s r + a, s c + b), PITCH = ceil((width + 2 padding) /
 * s) columns a row. Output pixel (oy, ox) through tap (i, j) reads padded
 * pixel (s oy + i, s ox + j): plane (i mod s, j mod s) at row oy + i / s,
 * column ox + j / s. Laid out with the same pitch, output index
 * q = oy PITCH + ox reads plane index q + (i / s) PITCH + j / s, so one
 * tap is one contiguous loop over every output row at once; the columns
 * from out_w to PITCH are computed and dropped. */
static long depthwise_pitch(const mobilenet_depthwise *l)
{
    return (l->width + 2L * l->padding + l->stride - 1) / l->stride;
}

/* Rows per plane: the padded rows, and the rows the last output row's
 * taps reach, with one more for the columns they run past its end. */
static long depthwise_plane_rows(const mobilenet_depthwise *l)
{
    return (l->height + 2L * l->padding) / l->stride + 2;
}

long mobilenet_depthwise_work_floats(const mobilenet_depthwise *l)
{
    long pitch = depthwise_pitch(l);
    return (long)l->stride * l->stride * depthwise_plane_rows(l) * pitch +
           (long)mobilenet_depthwise_out_height(l) * pitch;
}

/* Fills the stride's phase planes from one input channel, zero where a
 * plane pixel falls in the padding or past the image. */
static void depthwise_planes(const mobilenet_depthwise *l, const float *in,
                             float *planes)
{
    int s = l->stride, pad = l->padding;
    long pitch = depthwise_pitch(l), rows = depthwise_plane_rows(l);
    for (int a = 0; a < s; a++)
        for (int b = 0; b < s; b++) {
            float *plane = planes + (long)(a * s + b) * rows * pitch;
            int first, end; /* the plane columns inside the image */
            conv2d_inside((int)pitch, l->width, s, pad, b, &first, &end);
            for (long r = 0; r < rows; r++) {
                float *row = plane + r * pitch;
                long y = s * r + a - pad;
                if (y < 0 || y >= l->height || first == end) {
                    memset(row, 0, (size_t)pitch * sizeof *row);
                    continue;
                }
                long at = y * l->width + b - pad; /* + c s: column c's */
                for (int c = 0; c < first; c++) row[c] = 0.0f;
                for (int c = first; c < end; c++) row[c] = in[at + (long)c * s];
                for (long c = end; c < pitch; c++) row[c] = 0.0f;
            }
        }
}

/* out[q] += tap * from[q] for n floats: one tap over every output row,
 * in the widest vectors the CPU has. */
ISA_CLONES
static void depthwise_tap(float *restrict out, const float *restrict from,
                          float tap, long n)
{
    for (long q = 0; q < n; q++) out[q] += tap * from[q];
}

/* One channel: its phase planes, then the bias and each tap in turn, in
 * the definition's order (mobilenet.h), over the pitched output, whose
 * first out_w columns are the result. Taps in the padding add zeros. */
static void depthwise_channel(const mobilenet_depthwise *l, const float *w,
                              float bias, const float *in, float *out,
                              float *work)
{
    int k = l->kernel, s = l->stride;
    int out_h = mobilenet_depthwise_out_height(l);
    int out_w = mobilenet_depthwise_out_width(l);
    long pitch = depthwise_pitch(l), rows = depthwise_plane_rows(l);
    float *planes = work, *sums = work + (long)s * s * rows * pitch;
    depthwise_planes(l, in, planes);
    long n = out_h * pitch;
    for (long q = 0; q < n; q++) sums[q] = bias;
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++) {
            const float *plane =
                planes + (long)((i % s) * s + j % s) * rows * pitch;
            depthwise_tap(sums, plane + (i / s) * pitch + j / s,
                          w[i * k + j], n);
        }
    for (int oy = 0; oy < out_h; oy++)
        memcpy(out + (long)oy * out_w, sums + oy * pitch,
               (size_t)out_w * sizeof *out);
}

void mobilenet_depthwise_forward(const mobilenet_depthwise *l, const float *in,
                                 float *out, float *work)
{
    long in_size = (long)l->height * l->width;
    long out_size = (long)mobilenet_depthwise_out_height(l) *
                    mobilenet_depthwise_out_width(l);
    for (int c = 0; c < l->channels; c++)
        depthwise_channel(l, l->weights + (long)c * l->kernel * l->kernel,
                          l->bias[c], in + c * in_size, out + c * out_size,
                          work);
}

void mobilenet_pointwise(int inputs, int outputs, long pixels, const float *w,
                         const float *bias, const float *in, float *out)
{
    for (int o = 0; o < outputs; o++)
        for (long p = 0; p < pixels; p++) out[o * pixels + p] = bias[o];
    gemm_nn(outputs, (int)pixels, inputs, w, inputs, in, (int)pixels, 1.0f,
            out, (int)pixels);
}

void mobilenet_squeeze_excite(int channels, long pixels, int squeeze,
                              const float *w1, const float *b1,
                              const float *w2, const float *b2, float *x,
                              float *work)
{
    float *means = work, *hidden = work + channels;
    mobilenet_mean_pool(channels, 1, (int)pixels, x, means);
    gemm_affine(1, squeeze, channels, means, w1, NULL, b1, hidden);
    activation_apply(ACT_RELU, hidden, 1, squeeze);
    gemm_affine(1, channels, squeeze, hidden, w2, NULL, b2, means);
    activation_apply(ACT_SIGMOID, means, 1, channels);
    for (int c = 0; c < channels; c++)
        for (long p = 0; p < pixels; p++) x[c * pixels + p] *= means[c];
}

void mobilenet_hardswish(float *x, long n)
{
    for (long i = 0; i < n; i++) {
        float gate = x[i] + 3.0f;
        gate = gate < 0.0f ? 0.0f : gate > 6.0f ? 6.0f : gate;
        x[i] = x[i] * gate / 6.0f;
    }
}

void mobilenet_mean_pool(int channels, int height, int width, const float *x,
                         float *out)
{
    long pixels = (long)height * width;
    for (int c = 0; c < channels; c++) {
        double sum = 0.0;
        for (long p = 0; p < pixels; p++) sum += x[c * pixels + p];
        out[c] = (float)(sum / (double)pixels);
    }
}

void mobilenet_mean_pool_height(int channels, int height, int width,
                                const float *x, float *out)
{
    for (int t = 0; t < width; t++)
        for (int c = 0; c < channels; c++) {
            const float *column = x + (long)c * height * width + t;
            double sum = 0.0;
            for (int y = 0; y < height; y++) sum += column[(long)y * width];
            out[(long)t * channels + c] = (float)(sum / height);
        }
}

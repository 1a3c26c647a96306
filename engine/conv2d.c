/* conv2d.c: convolution as im2col plus one matrix product (see conv2d.h).
 *
 * conv2d_unroll is the only loop that knows about strides and padding; it
 * does im2col and, run backwards, col2im, so the forward product, the
 * weight gradient and the input gradient are each a single gemm over all
 * output pixels.
 */
#include "conv2d.h"

#include <string.h>

#include "gemm.h"

int conv2d_output_size(int in, int kernel, int stride, int padding)
{
    int span = in + 2 * padding - kernel;
    return span < 0 || stride < 1 ? 0 : span / stride + 1;
}

int conv2d_out_height(const conv2d_layer *l)
{
    return conv2d_output_size(l->height, l->kernel, l->stride, l->padding);
}

int conv2d_out_width(const conv2d_layer *l)
{
    return conv2d_output_size(l->width, l->kernel, l->stride, l->padding);
}

long conv2d_inputs(const conv2d_layer *l)
{
    return (long)l->channels * l->height * l->width;
}

long conv2d_outputs(const conv2d_layer *l)
{
    return (long)l->filters * conv2d_out_height(l) * conv2d_out_width(l);
}

/* Rows of the unrolled matrix: one per filter tap. */
static int conv2d_taps(const conv2d_layer *l)
{
    return l->channels * l->kernel * l->kernel;
}

long conv2d_weight_count(const conv2d_layer *l)
{
    return (long)l->filters * conv2d_taps(l);
}

long conv2d_work_size(const conv2d_layer *l)
{
    return (long)conv2d_taps(l) * conv2d_out_height(l) * conv2d_out_width(l);
}

irmas_status conv2d_check_input(int channels, int height, int width,
                                const char *name, char *err, size_t errlen)
{
    if (channels < 1 || height < 1 || width < 1)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "%s: input shape %d x %d x %d must be positive",
                           name, channels, height, width);
    return IRMAS_OK;
}

irmas_status conv2d_check(const conv2d_layer *l, const char *name, char *err,
                          size_t errlen)
{
    irmas_status st = conv2d_check_input(l->channels, l->height, l->width,
                                         name, err, errlen);
    if (st) return st;
    if (l->filters < 1 || l->kernel < 1 || l->stride < 1)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "%s: filters (%d), kernel (%d) and stride (%d) must "
                           "be at least 1", name, l->filters, l->kernel,
                           l->stride);
    if (l->padding < 0 || l->padding >= l->kernel)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "%s: padding %d must be between 0 and kernel - 1 "
                           "(%d)", name, l->padding, l->kernel - 1);
    if (conv2d_out_height(l) < 1 || conv2d_out_width(l) < 1)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "%s: a %d x %d kernel does not fit a %d x %d input "
                           "padded by %d; use a larger image or a smaller "
                           "kernel", name, l->kernel, l->kernel, l->height,
                           l->width, l->padding);
    if (l->act != ACT_NONE && l->act != ACT_RELU)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "%s: activation '%s' is not supported by conv2d; "
                           "use none or relu", name,
                           activation_name(l->act) ? activation_name(l->act)
                                                   : "unknown");
    return IRMAS_OK;
}

void conv2d_inside(int out, int in, int stride, int padding, int t, int *lo,
                   int *hi)
{
    int first = padding - t;        /* o * stride >= first */
    int last = in - 1 + padding - t; /* o * stride <= last */
    *lo = first > 0 ? (first + stride - 1) / stride : 0;
    *hi = last < 0 ? 0 : last / stride + 1;
    if (*hi > out) *hi = out;
    if (*hi < *lo) *hi = *lo;
}

/* The sum of x[0..n), as CONV2D_LANES running sums that the compiler
 * keeps in vector registers, added up at the end: one long chain of
 * dependent additions would wait on each in turn. The order is fixed, so
 * every machine gets the same bits. */
#define CONV2D_LANES 16
static float conv2d_sum(const float *x, int n)
{
    float lane[CONV2D_LANES] = {0};
    int i = 0;
    for (; i + CONV2D_LANES <= n; i += CONV2D_LANES)
        for (int k = 0; k < CONV2D_LANES; k++) lane[k] += x[i + k];
    for (int k = 0; i < n; i++, k++) lane[k] += x[i];
    float sum = 0.0f;
    for (int k = 0; k < CONV2D_LANES; k++) sum += lane[k];
    return sum;
}

/* to[i] += from[i] for n floats: col2im's stride-1 rows, in vectors. */
static void conv2d_add_row(float *restrict to, const float *restrict from,
                           int n)
{
    for (int i = 0; i < n; i++) to[i] += from[i];
}

/* Walks the unrolled matrix, one tap (c, i, j) per row and one output
 * pixel per column. With `in`, it gathers: cols[tap][pixel] = the input
 * value the tap sees at that pixel, 0 in the padding (im2col). Without, it
 * scatters back: din[c][y][x] += every cols entry that read in[c][y][x]
 * (col2im, the transpose). One walk for both keeps them exact transposes. */
static void conv2d_unroll(const conv2d_layer *l, const float *in, float *cols,
                          float *din)
{
    int oh = conv2d_out_height(l), ow = conv2d_out_width(l), k = l->kernel;
    int s = l->stride;
    for (int c = 0; c < l->channels; c++) {
        long plane = (long)c * l->height * l->width;
        for (int i = 0; i < k; i++) {
            int ylo, yhi;
            conv2d_inside(oh, l->height, s, l->padding, i, &ylo, &yhi);
            for (int j = 0; j < k; j++, cols += (long)oh * ow) {
                int xlo, xhi;
                conv2d_inside(ow, l->width, s, l->padding, j, &xlo, &xhi);
                if (in && l->padding) /* else every entry is written */
                    memset(cols, 0, sizeof *cols * oh * ow);
                for (int oy = ylo; oy < yhi; oy++) {
                    long at = plane + (long)(oy * s - l->padding + i) * l->width -
                              l->padding + j;
                    float *row = cols + (long)oy * ow;
                    if (in && s == 1)
                        memcpy(row + xlo, in + at + xlo,
                               sizeof *row * (size_t)(xhi - xlo));
                    else if (in)
                        for (int ox = xlo; ox < xhi; ox++) row[ox] = in[at + ox * s];
                    else if (s == 1)
                        conv2d_add_row(din + at + xlo, row + xlo, xhi - xlo);
                    else
                        for (int ox = xlo; ox < xhi; ox++) din[at + ox * s] += row[ox];
                }
            }
        }
    }
}

/* out[f][p] = act(out[f][p] + bias[f]) in one pass: the product writes
 * out without reading it, and this reads it once more, where filling out
 * with the bias first cost a pass of its own over an output larger than
 * the cache (the shipped CNN's first layer writes 1.1 MB). */
static void conv2d_bias_activation(const conv2d_layer *l, float *out,
                                   int pixels)
{
    int relu = l->act == ACT_RELU;
    for (int f = 0; f < l->filters; f++) {
        float *plane = out + (long)f * pixels, bias = l->bias[f];
        for (int p = 0; p < pixels; p++)
            plane[p] = conv2d_pixel(plane[p], bias, relu);
    }
}

void conv2d_forward(const conv2d_layer *l, const float *in, float *out,
                    int batch, float *work)
{
    int taps = conv2d_taps(l);
    int pixels = conv2d_out_height(l) * conv2d_out_width(l);
    for (int b = 0; b < batch; b++) {
        float *o = out + b * conv2d_outputs(l);
        conv2d_unroll(l, in + b * conv2d_inputs(l), work, NULL);
        gemm_nn(l->filters, pixels, taps, l->weights, taps, work, pixels, 0.0f,
                o, pixels);
        conv2d_bias_activation(l, o, pixels);
    }
}

void conv2d_backward(const conv2d_layer *l, const float *in, const float *out,
                     float *dout, float *din, float *dweights, float *dbias,
                     float *work)
{
    int taps = conv2d_taps(l);
    int pixels = conv2d_out_height(l) * conv2d_out_width(l);
    long n = conv2d_outputs(l);
    if (l->act == ACT_RELU) /* a select, not a branch the data decides */
        for (long i = 0; i < n; i++) dout[i] = out[i] > 0.0f ? dout[i] : 0.0f;
    for (int f = 0; f < l->filters; f++)
        dbias[f] += conv2d_sum(dout + (long)f * pixels, pixels);
    /* dW[f][tap] += sum over pixels of dout[f][pixel] * cols[tap][pixel] */
    conv2d_unroll(l, in, work, NULL);
    gemm_nt(l->filters, taps, pixels, dout, pixels, work, pixels, 1.0f,
            dweights, taps);
    if (!din) return;
    /* dcols[tap][pixel] = sum over filters of W[f][tap] * dout[f][pixel] */
    gemm_tn(taps, pixels, l->filters, l->weights, taps, dout, pixels, 0.0f,
            work, pixels);
    memset(din, 0, sizeof *din * conv2d_inputs(l));
    conv2d_unroll(l, NULL, work, din);
}

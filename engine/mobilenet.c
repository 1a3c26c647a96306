/* mobilenet.c: see mobilenet.h. */
#include "mobilenet.h"

#include "activation.h"
#include "conv2d.h"
#include "gemm.h"

int mobilenet_depthwise_out_height(const mobilenet_depthwise *l)
{
    return conv2d_output_size(l->height, l->kernel, l->stride, l->padding);
}

int mobilenet_depthwise_out_width(const mobilenet_depthwise *l)
{
    return conv2d_output_size(l->width, l->kernel, l->stride, l->padding);
}

/* One channel, a tap at a time: the output starts at the bias, and each
 * tap (i, j) adds its weight times the input pixel it falls on to every
 * output pixel whose input lies inside the image. Each pixel sums its taps
 * in the same order as the definition in mobilenet.h, the padding is never
 * materialised, and the inner loop runs over a row of contiguous outputs
 * with no test, so the compiler vectorises it. */
static void depthwise_channel(const mobilenet_depthwise *l, const float *w,
                              float bias, const float *in, float *out,
                              int out_h, int out_w)
{
    int k = l->kernel, stride = l->stride, pad = l->padding;
    for (long p = 0; p < (long)out_h * out_w; p++) out[p] = bias;
    for (int i = 0; i < k; i++) {
        int top, bottom;
        conv2d_inside(out_h, l->height, stride, pad, i, &top, &bottom);
        for (int j = 0; j < k; j++) {
            int first, end;
            conv2d_inside(out_w, l->width, stride, pad, j, &first, &end);
            float tap = w[i * k + j];
            for (int oy = top; oy < bottom; oy++) {
                long at = (long)(oy * stride - pad + i) * l->width + j - pad;
                float *o = out + (long)oy * out_w;
                if (stride == 1)
                    for (int ox = first; ox < end; ox++)
                        o[ox] += tap * in[at + ox];
                else
                    for (int ox = first; ox < end; ox++)
                        o[ox] += tap * in[at + ox * stride];
            }
        }
    }
}

void mobilenet_depthwise_forward(const mobilenet_depthwise *l, const float *in,
                                 float *out)
{
    int out_h = mobilenet_depthwise_out_height(l);
    int out_w = mobilenet_depthwise_out_width(l);
    long in_size = (long)l->height * l->width, out_size = (long)out_h * out_w;
    for (int c = 0; c < l->channels; c++)
        depthwise_channel(l, l->weights + (long)c * l->kernel * l->kernel,
                          l->bias[c], in + c * in_size, out + c * out_size,
                          out_h, out_w);
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
    gemm_affine(1, squeeze, channels, means, w1, b1, hidden);
    activation_apply(ACT_RELU, hidden, 1, squeeze);
    gemm_affine(1, channels, squeeze, hidden, w2, b2, means);
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

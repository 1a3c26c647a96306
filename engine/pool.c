/* pool.c: max-pooling forward and backward (see pool.h). */
#include "pool.h"

#include <string.h>

#include "conv2d.h"

int pool_out_height(const pool_layer *l)
{
    return conv2d_output_size(l->height, l->size, l->stride, 0);
}

int pool_out_width(const pool_layer *l)
{
    return conv2d_output_size(l->width, l->size, l->stride, 0);
}

long pool_inputs(const pool_layer *l)
{
    return (long)l->channels * l->height * l->width;
}

long pool_outputs(const pool_layer *l)
{
    return (long)l->channels * pool_out_height(l) * pool_out_width(l);
}

irmas_status pool_check(const pool_layer *l, const char *name, char *err,
                        size_t errlen)
{
    irmas_status st = conv2d_check_input(l->channels, l->height, l->width,
                                         name, err, errlen);
    if (st) return st;
    if (l->size < 1 || l->stride < 1)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "%s: pool size (%d) and stride (%d) must be at "
                           "least 1", name, l->size, l->stride);
    if (pool_out_height(l) < 1 || pool_out_width(l) < 1)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "%s: a %d x %d pool does not fit a %d x %d input; "
                           "use a smaller pool or fewer layers before it",
                           name, l->size, l->size, l->height, l->width);
    return IRMAS_OK;
}

/* The index within the image of the largest input under output (c, oy, ox):
 * the first of equals, reading row by row. */
static long pool_window_max(const pool_layer *l, const float *in, int c,
                            int oy, int ox)
{
    long corner = ((long)c * l->height + oy * l->stride) * l->width +
                  ox * l->stride;
    const float *window = in + corner;
    long best = 0;
    float largest = window[0];
    for (int i = 0; i < l->size; i++) {
        const float *row = window + (long)i * l->width;
        for (int j = 0; j < l->size; j++) {
            /* selects, not branches: which input wins is a coin toss */
            int larger = row[j] > largest;
            best = larger ? (long)i * l->width + j : best;
            largest = larger ? row[j] : largest;
        }
    }
    return corner + best;
}

/* One image's maxima without their indices (inference): row by row of
 * outputs, so that the innermost loop runs along the row and the compiler
 * can make it vector maxima. The same values as pool_window_max finds. */
static void pool_image_maxima(const pool_layer *l, const float *image,
                              float *out)
{
    int oh = pool_out_height(l), ow = pool_out_width(l), s = l->stride;
    for (int c = 0; c < l->channels; c++) {
        for (int oy = 0; oy < oh; oy++, out += ow) {
            const float *top = image + ((long)c * l->height + oy * s) * l->width;
            for (int ox = 0; ox < ow; ox++) out[ox] = top[ox * s];
            for (int i = 0; i < l->size; i++)
                for (int j = 0; j < l->size; j++) {
                    const float *in = top + (long)i * l->width + j;
                    for (int ox = 0; ox < ow; ox++)
                        out[ox] = in[ox * s] > out[ox] ? in[ox * s] : out[ox];
                }
        }
    }
}

/* One image's maxima and the index of the input each came from (training). */
static void pool_image_argmax(const pool_layer *l, const float *image,
                              float *out, int *argmax)
{
    int oh = pool_out_height(l), ow = pool_out_width(l);
    for (int c = 0; c < l->channels; c++)
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++) {
                long best = pool_window_max(l, image, c, oy, ox);
                *out++ = image[best];
                *argmax++ = (int)best;
            }
}

void pool_forward(const pool_layer *l, const float *in, float *out,
                  int batch, int *argmax)
{
    for (int b = 0; b < batch; b++) {
        const float *image = in + b * pool_inputs(l);
        float *image_out = out + b * pool_outputs(l);
        if (argmax)
            pool_image_argmax(l, image, image_out, argmax + b * pool_outputs(l));
        else
            pool_image_maxima(l, image, image_out);
    }
}

void pool_backward(const pool_layer *l, const float *dout, const int *argmax,
                   float *din)
{
    long n = pool_outputs(l);
    memset(din, 0, sizeof *din * pool_inputs(l));
    /* overlapping windows (stride < size) may pick one input twice: add */
    for (long i = 0; i < n; i++) din[argmax[i]] += dout[i];
}

/* pool.c: max-pooling forward and backward (see pool.h). */
#include "pool.h"

#include <string.h>

#include "conv2d.h"
#include "isa.h"

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

/* One row of outputs: out[0..ow) the maxima of the size x size windows
 * whose top-left inputs are image[corner + ox * stride] (rows `width`
 * apart); with argmax (training), the index in the image of the input each
 * came from: the first of equals, reading each window row by row, since
 * only a larger input replaces the one kept. The innermost loops run
 * along the row, so the compiler makes them vector code. The CNNs' 2 x 2
 * pools at stride 2 go through pool_two_by_two instead. */
static inline void pool_row(const float *image, int corner, int width,
                            int size, int stride, int ow, float *out,
                            int *argmax)
{
    const float *top = image + corner;
    for (int ox = 0; ox < ow; ox++) out[ox] = top[ox * stride];
    if (argmax)
        for (int ox = 0; ox < ow; ox++) argmax[ox] = corner + ox * stride;
    for (int i = 0; i < size; i++)
        for (int j = 0; j < size; j++) {
            int at = corner + i * width + j;
            const float *in = image + at;
            if (!argmax) {
                for (int ox = 0; ox < ow; ox++)
                    out[ox] = in[ox * stride] > out[ox] ? in[ox * stride]
                                                        : out[ox];
                continue;
            }
            /* Which input wins is a coin toss, so the index is chosen
             * with a mask (all ones where larger), not a branch. */
            for (int ox = 0; ox < ow; ox++) {
                float v = in[ox * stride];
                int larger = -(v > out[ox]);
                out[ox] = v > out[ox] ? v : out[ox];
                argmax[ox] = (argmax[ox] & ~larger) |
                             ((at + ox * stride) & larger);
            }
        }
}

/* One row of a 2 x 2 pool at stride 2 whose top-left inputs start at
 * image[corner]: each output in one pass over its four inputs, taken in
 * pool_row's order (top left, top right, bottom left, bottom right, only a
 * larger one replacing the one kept), so the maxima, and with argmax
 * (training) their inputs' indices, are pool_row's to the bit. One loop
 * that reads each input once, compiled per instruction set: pool_row's
 * four passes over the outputs cost twice as much on the shipped CNN's
 * pools. */
ISA_CLONES
static void pool_two_by_two(const float *restrict image, int corner,
                            int width, int ow, float *restrict out,
                            int *restrict argmax)
{
    const float *top = image + corner, *bottom = top + width;
    if (!argmax) {
        for (int ox = 0; ox < ow; ox++) {
            float m = top[2 * ox];
            m = top[2 * ox + 1] > m ? top[2 * ox + 1] : m;
            m = bottom[2 * ox] > m ? bottom[2 * ox] : m;
            m = bottom[2 * ox + 1] > m ? bottom[2 * ox + 1] : m;
            out[ox] = m;
        }
        return;
    }
    for (int ox = 0; ox < ow; ox++) {
        int at = corner + 2 * ox;
        float m = top[2 * ox], v = top[2 * ox + 1];
        int best = v > m ? at + 1 : at;
        m = v > m ? v : m;
        v = bottom[2 * ox];
        best = v > m ? at + width : best;
        m = v > m ? v : m;
        v = bottom[2 * ox + 1];
        best = v > m ? at + width + 1 : best;
        m = v > m ? v : m;
        out[ox] = m;
        argmax[ox] = best;
    }
}

/* One image's maxima, row by row of outputs, and with argmax their
 * inputs' indices (pool_row). */
static void pool_image(const pool_layer *l, const float *image, float *out,
                       int *argmax)
{
    int oh = pool_out_height(l), ow = pool_out_width(l), s = l->stride;
    int two = l->size == 2 && s == 2; /* the CNNs' pools */
    for (int c = 0; c < l->channels; c++)
        for (int oy = 0; oy < oh; oy++, out += ow) {
            int corner = (c * l->height + oy * s) * l->width;
            int *row_argmax = argmax ? argmax + (long)(c * oh + oy) * ow
                                     : NULL;
            if (two)
                pool_two_by_two(image, corner, l->width, ow, out, row_argmax);
            else
                pool_row(image, corner, l->width, l->size, s, ow, out,
                         row_argmax);
        }
}

void pool_forward(const pool_layer *l, const float *in, float *out,
                  int batch, int *argmax)
{
    for (int b = 0; b < batch; b++) {
        const float *image = in + b * pool_inputs(l);
        float *image_out = out + b * pool_outputs(l);
        pool_image(l, image, image_out,
                   argmax ? argmax + b * pool_outputs(l) : NULL);
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

/* lstm.c: the LSTM cell of lstm.h.
 *
 * A step is one matrix product, the previous h of every batch row against
 * W_h, written straight into the work tape; then one pass per row adds the
 * frame's projection, activates the four gates in place (the tape the
 * trainer reads) and updates c and h. That pass is the only place with
 * nonlinearities, so it is compiled for AVX2 where the CPU has it.
 */
#include "lstm.h"

#include "fastmath.h"
#include "gemm.h"

void lstm_project(const lstm_layer *l, const float *x, int frames,
                  float *xproj)
{
    gemm_affine(frames, 4 * l->hidden, l->inputs, x, l->w_x, l->bias, xproj);
}

int lstm_work_size(int hidden)
{
    return 4 * hidden;
}

/* One row: gates[4H] holds W_h h on entry and the activated i, f, g, o on
 * return; c and h advance. */
FASTMATH_CLONES
static void lstm_cell(int hidden, const float *restrict xproj,
                      float *restrict gates, float *restrict h,
                      float *restrict c)
{
    float *i = gates, *f = gates + hidden, *g = gates + 2 * hidden,
          *o = gates + 3 * hidden;
    const float *xi = xproj, *xf = xproj + hidden, *xg = xproj + 2 * hidden,
                *xo = xproj + 3 * hidden;
    for (int j = 0; j < hidden; j++) {
        i[j] = fast_sigmoidf(i[j] + xi[j]);
        f[j] = fast_sigmoidf(f[j] + xf[j]);
        g[j] = fast_tanhf(g[j] + xg[j]);
        o[j] = fast_sigmoidf(o[j] + xo[j]);
        c[j] = f[j] * c[j] + i[j] * g[j];
        h[j] = o[j] * fast_tanhf(c[j]);
    }
}

void lstm_step(const lstm_layer *l, const float *xproj, int xproj_stride,
               float *h, float *c, int batch, float *work)
{
    int hidden = l->hidden, gates = 4 * hidden;
    gemm_nt(batch, gates, hidden, h, hidden, l->w_h, hidden, 0.0f, work,
            gates);
    for (int r = 0; r < batch; r++)
        lstm_cell(hidden, xproj + (long)r * xproj_stride,
                  work + (long)r * gates, h + (long)r * hidden,
                  c + (long)r * hidden);
}

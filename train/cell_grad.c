/* cell_grad.c: the recurrent cells' backward steps (see cell_grad.h).
 *
 * Each step is a pass per row over the hidden units, deriving every
 * gradient from the activated values on the tape (sigmoid' = s (1 - s),
 * tanh' = 1 - t^2), then one matrix product of the pre-activation
 * gradients against W_h for the whole batch: the transpose of the
 * product the forward step made. The LSTM's tanh(c_t), which its tape
 * does not keep, is recomputed with the forward step's own fast_tanhf so
 * that backward differentiates exactly what forward computed. The passes
 * are compiled for AVX2 where the CPU has it, like the forward cells.
 */
#include "cell_grad.h"

#include "fastmath.h"
#include "gemm.h"
#include "isa.h"

ISA_CLONES
static void rnn_grad_row(int hidden, const float *restrict h_new,
                         const float *restrict dh, float *restrict da)
{
    for (int j = 0; j < hidden; j++)
        da[j] = dh[j] * (1.0f - h_new[j] * h_new[j]);
}

void rnn_grad_step(const rnn_layer *l, int batch, const float *h_new,
                   float *dh, float *da)
{
    int hidden = l->hidden;
    for (int r = 0; r < batch; r++) {
        long row = (long)r * hidden;
        rnn_grad_row(hidden, h_new + row, dh + row, da + row);
    }
    gemm_nn(batch, hidden, hidden, da, hidden, l->w_h, hidden, 0.0f, dh,
            hidden);
}

/* One row of lstm_grad_step's pass: dh is read, dc updated in place. */
ISA_CLONES
static void lstm_grad_row(int hidden, const float *restrict gates,
                          const float *restrict c_prev,
                          const float *restrict c_new,
                          const float *restrict dh, float *restrict dc,
                          float *restrict dgates)
{
    const float *i = gates, *f = gates + hidden, *g = gates + 2 * hidden,
                *o = gates + 3 * hidden;
    float *di = dgates, *df = dgates + hidden, *dg = dgates + 2 * hidden,
          *dout = dgates + 3 * hidden;
    for (int j = 0; j < hidden; j++) {
        float tc = fast_tanhf(c_new[j]);
        float dcj = dc[j] + dh[j] * o[j] * (1.0f - tc * tc);
        di[j] = dcj * g[j] * i[j] * (1.0f - i[j]);
        df[j] = dcj * c_prev[j] * f[j] * (1.0f - f[j]);
        dg[j] = dcj * i[j] * (1.0f - g[j] * g[j]);
        dout[j] = dh[j] * tc * o[j] * (1.0f - o[j]);
        dc[j] = dcj * f[j];
    }
}

void lstm_grad_step(const lstm_layer *l, int batch, const float *gates,
                    const float *c_prev, const float *c_new, float *dh,
                    float *dc, float *dgates)
{
    int hidden = l->hidden, width = 4 * hidden;
    for (int r = 0; r < batch; r++) {
        long row = (long)r * hidden;
        lstm_grad_row(hidden, gates + (long)r * width, c_prev + row,
                      c_new + row, dh + row, dc + row,
                      dgates + (long)r * width);
    }
    gemm_nn(batch, hidden, width, dgates, width, l->w_h, hidden, 0.0f, dh,
            hidden);
}

/* The first pass of a GRU row: everything that does not need dL/d(r*h).
 * dh becomes the direct path z * dh. r's gradient is complete only in the
 * reset_after form; in the original form gru_grad_reset replaces it. */
ISA_CLONES
static void gru_grad_row(int hidden, int reset_after,
                         const float *restrict h_prev,
                         const float *restrict tape, float *restrict dh,
                         float *restrict dx, float *restrict drec)
{
    const float *r = tape, *z = tape + hidden, *n = tape + 2 * hidden,
                *hn = tape + 3 * hidden;
    for (int j = 0; j < hidden; j++) {
        float dn = dh[j] * (1.0f - z[j]) * (1.0f - n[j] * n[j]);
        float dz = dh[j] * (h_prev[j] - n[j]) * z[j] * (1.0f - z[j]);
        dh[j] *= z[j];
        dx[hidden + j] = drec[hidden + j] = dz;
        dx[2 * hidden + j] = dn;
        drec[2 * hidden + j] = reset_after ? dn * r[j] : dn;
        dx[j] = drec[j] = dn * hn[j] * r[j] * (1.0f - r[j]);
    }
}

/* The second pass of a row in the original form: dx[0..H) holds
 * d(r*h) = dn U_n on entry; r's gradient and the reset path into dh
 * follow from it. */
ISA_CLONES
static void gru_grad_reset(int hidden, const float *restrict h_prev,
                           const float *restrict tape, float *restrict dh,
                           float *restrict dx, float *restrict drec,
                           float *restrict reset_h)
{
    const float *r = tape;
    for (int j = 0; j < hidden; j++) {
        float d_reset_h = dx[j];
        dh[j] += d_reset_h * r[j];
        dx[j] = drec[j] = d_reset_h * h_prev[j] * r[j] * (1.0f - r[j]);
        reset_h[j] = r[j] * h_prev[j];
    }
}

void gru_grad_step(const gru_layer *l, int batch, const float *h_prev,
                   const float *tape, float *dh, float *dx, float *drec,
                   float *reset_h)
{
    int hidden = l->hidden, width = 3 * hidden;
    for (int b = 0; b < batch; b++)
        gru_grad_row(hidden, l->reset_after, h_prev + (long)b * hidden,
                     tape + (long)b * 4 * hidden, dh + (long)b * hidden,
                     dx + (long)b * width, drec + (long)b * width);
    if (!l->reset_after) {
        /* r's gradient needs dn pushed back through U_n first; dx's r
         * slot holds the product until gru_grad_reset replaces it. */
        gemm_nn(batch, hidden, hidden, drec + 2 * hidden, width,
                l->w_h + 2L * hidden * hidden, hidden, 0.0f, dx, width);
        for (int b = 0; b < batch; b++)
            gru_grad_reset(hidden, h_prev + (long)b * hidden,
                           tape + (long)b * 4 * hidden, dh + (long)b * hidden,
                           dx + (long)b * width, drec + (long)b * width,
                           reset_h + (long)b * hidden);
    }
    /* The recurrent products' rows feed dh_{t-1}: all three in the
     * reset_after form, r and z only in the original one, whose n rows
     * reached h through r * h above. */
    int rows = l->reset_after ? width : 2 * hidden;
    gemm_nn(batch, hidden, rows, drec, width, l->w_h, hidden, 1.0f, dh,
            hidden);
}

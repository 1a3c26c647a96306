/* cell_grad.h: one frame of the recurrent cells' backward pass, for a
 * batch of rows: the reverse of rnn_step, lstm_step and gru_step.
 *
 * Backpropagation through time (bptt.h) walks the frames from last to
 * first. At each frame it holds dh = dL/dh_t for every row; the cell's
 * grad step turns that into the gradients of the step's pre-activations
 * (what the weight gradients are built from, all frames at once, later)
 * and into dL/dh_{t-1}, the gradient flowing on to the frame before. Each
 * step reads only what the forward step left: its work tape (lstm.h,
 * gru.h, rnn.h) and the state it started from.
 *
 * A "pre-activation" is what a gate's nonlinearity was applied to. For an
 * rnn or lstm it is xproj + W_h h, so its gradient is at once the gradient
 * of the input projection and of the recurrent product. A gru keeps them
 * apart, since r multiplies the recurrent part of the candidate only.
 */
#ifndef IRMAS_CELL_GRAD_H
#define IRMAS_CELL_GRAD_H

#include "gru.h"
#include "lstm.h"
#include "rnn.h"

/* h_new[batch][H]: the step's tape (its output). On entry dh = dL/dh_t;
 * writes da[batch][H], the pre-activation gradient, and leaves
 * dh = dL/dh_{t-1}. */
void rnn_grad_step(const rnn_layer *l, int batch, const float *h_new,
                   float *dh, float *da);

/* gates[batch][4H]: the step's tape (activated i, f, g, o); c_prev and
 * c_new [batch][H] the cell state before and after. On entry dh = dL/dh_t
 * and dc = dL/dc_t from later frames; writes dgates[batch][4H], the
 * pre-activation gradients, and leaves dh = dL/dh_{t-1} and
 * dc = dL/dc_{t-1}. */
void lstm_grad_step(const lstm_layer *l, int batch, const float *gates,
                    const float *c_prev, const float *c_new, float *dh,
                    float *dc, float *dgates);

/* h_prev[batch][H]: the state before the step; tape[batch][4H] what the
 * step left (r, z, n, hn). On entry dh = dL/dh_t; writes
 *   dx[batch][3H]  gradients of W_x x + b_x for r, z, n;
 *   drec[batch][3H] gradients of the recurrent products U h + b_h for r
 *                  and z, and of the candidate's recurrent term (hn)
 *                  for n;
 *   reset_h[batch][H] (original form only) r * h_prev, what U_n
 *                  multiplied, for its weight gradient;
 * and leaves dh = dL/dh_{t-1}. */
void gru_grad_step(const gru_layer *l, int batch, const float *h_prev,
                   const float *tape, float *dh, float *dx, float *drec,
                   float *reset_h);

#endif

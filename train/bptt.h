/* bptt.h: a recurrent layer (rnn, lstm, gru or blstm) trained over whole
 * windows: its forward pass with everything backward needs kept on a
 * tape, and backpropagation through time.
 *
 * A batch of windows advances one frame at a time together, so every
 * step is one matrix-matrix product (the engine's recurrent_step), and
 * the weight gradients are summed over all frames and rows at the end in
 * three large products. The frames of a batch are stored time-major,
 * x[frames][batch][inputs], so a frame's rows are contiguous and row
 * (t, r) of every tape is row t * batch + r.
 *
 * The layer's output is its state after the window: the final h, or for a
 * blstm the forward direction's final h followed by the backward
 * direction's ([batch][2H]), as in blstm.h. The weights are read through
 * the layer given to bptt_new, so they may change between batches (the
 * optimiser updates them in place) as long as they stay where they are.
 */
#ifndef IRMAS_BPTT_H
#define IRMAS_BPTT_H

#include "layer.h"
#include "status.h"

typedef struct bptt bptt;

/* A tape for l over windows of frames frames, up to max_batch at once.
 * grad is a layer of l's kind and shape whose tensors receive the
 * gradients (bptt_backward adds to them). */
irmas_status bptt_new(const layer *l, layer *grad, int frames, int max_batch,
                      bptt **out);
void bptt_free(bptt *b);

/* Runs the layer over x[frames][batch][inputs] from a zero state and
 * writes out[batch][outputs] (layer_outputs). */
void bptt_forward(bptt *b, const float *x, int batch, float *out);

/* After bptt_forward on the same x and batch: takes dout[batch][outputs],
 * dL/d(out), back through every frame and adds the weight gradients to
 * grad. */
void bptt_backward(bptt *b, const float *x, int batch, const float *dout);

/* The same two for a CRNN's recurrent layer (model.h), whose initial h is
 * given: row r starts from h0[r][H] (an lstm's c from 0), and the
 * backward pass also writes dh0[batch][H] = dL/dh0. h0 NULL is a zero
 * state, dh0 NULL asks for no gradient. An rnn, lstm or gru only: a
 * blstm's backward direction has no first frame to start from. */
void bptt_forward_from(bptt *b, const float *x, int batch, const float *h0,
                       float *out);
void bptt_backward_to(bptt *b, const float *x, int batch, const float *dout,
                      float *dh0);

#endif

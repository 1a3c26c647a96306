/* blstm.h: the bidirectional LSTM of the study (section III-D).
 *
 * One LSTM reads the frames forwards, another reads them backwards; the
 * layer's output is the forward LSTM's final h followed by the backward
 * LSTM's final h (the state after it has read frame 0), 2H floats. Because
 * the backward half needs the whole window first, a model with this layer
 * cannot stream: the streaming classifier runs it whole-window at each hop.
 */
#ifndef IRMAS_BLSTM_H
#define IRMAS_BLSTM_H

#include "lstm.h"

typedef struct {
    lstm_layer fwd, bwd; /* same inputs and hidden in both */
} blstm_layer;

/* Floats of work space blstm_forward needs for a window of frames. */
long blstm_work_size(const blstm_layer *l, int frames);

/* out[2H] = [final h of fwd over x[0..frames), final h of bwd over
 * x[frames-1..0]] for x[frames][inputs]. */
void blstm_forward(const blstm_layer *l, const float *x, int frames,
                   float *out, float *work);

#endif

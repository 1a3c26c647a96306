/* blstm.c: the bidirectional LSTM of blstm.h.
 *
 * Each direction is an ordinary LSTM run over the window from a zero state:
 * project every frame in one product, then step frame by frame, forwards
 * or backwards. The two runs share one work space, used one after the
 * other: [frames][4H] projections, then h and c, then the step's tape.
 */
#include "blstm.h"

#include <string.h>

/* Floats of work space one direction needs. */
static long blstm_direction_size(const lstm_layer *l, int frames)
{
    return (long)frames * 4 * l->hidden + 2L * l->hidden +
           lstm_work_size(l->hidden);
}

long blstm_work_size(const blstm_layer *l, int frames)
{
    long fwd = blstm_direction_size(&l->fwd, frames);
    long bwd = blstm_direction_size(&l->bwd, frames);
    return fwd > bwd ? fwd : bwd;
}

/* Runs l over x[frames][inputs] in the given direction and writes its
 * final h to out[hidden]. */
static void blstm_direction(const lstm_layer *l, const float *x, int frames,
                            int backwards, float *out, float *work)
{
    int hidden = l->hidden;
    float *xproj = work, *h = xproj + (long)frames * 4 * hidden,
          *c = h + hidden, *tape = c + hidden;
    lstm_project(l, NULL, x, frames, xproj);
    memset(h, 0, 2 * (size_t)hidden * sizeof *h);
    for (int s = 0; s < frames; s++) {
        int t = backwards ? frames - 1 - s : s;
        lstm_step(l, NULL, xproj + (long)t * 4 * hidden, 0, h, c, 1, tape);
    }
    memcpy(out, h, (size_t)hidden * sizeof *out);
}

void blstm_forward(const blstm_layer *l, const float *x, int frames,
                   float *out, float *work)
{
    blstm_direction(&l->fwd, x, frames, 0, out, work);
    blstm_direction(&l->bwd, x, frames, 1, out + l->fwd.hidden, work);
}

/* stream.h: how the streaming classifier works (its interface is in
 * irmas/irmas.h): audio in chunks of any size, one probability vector out
 * per hop.
 *
 * Windows of the model's length start every hop samples. Instead of
 * recomputing each window, the classifier keeps ceil(window / hop) window
 * states alive, started one hop apart, and advances all of them on each new
 * frame with one matrix-matrix product; a frame's front-end features and
 * input projection are computed once and shared by every live window. A
 * window's probabilities are emitted as soon as its last frame arrives, so
 * the work per hop is constant. Models that cannot stream (bidirectional
 * layers, per-window peak normalisation, statistics pooling, and image
 * models: CNNs and CRNNs) fall back to a whole-window pass at each hop, as
 * any model does with IRMAS_STREAM_WHOLE_WINDOWS.
 * Nothing allocates after irmas_stream_new.
 *
 * The hop is rounded down to a whole number of front-end frames (at least
 * one); irmas_stream_hop says what it became. Results equal
 * irmas_window_classify on the same samples within 1e-5.
 */
#ifndef IRMAS_STREAM_H
#define IRMAS_STREAM_H

#include "model.h"

/* The stream's functions (irmas_stream_new, _new_flags, _push, _hop,
 * _reset, _free)
 * are public: irmas/irmas.h. */

#endif

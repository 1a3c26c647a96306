/* daemon_tone.h: the small model the daemon's tests run until a trained
 * default model exists, with weights set by hand so that it tells low
 * sounds (energy below 500 Hz: daemon_clips' cello, a 110 Hz sine) from
 * high ones (energy above 900 Hz: its flute, a 2 kHz sine).
 *
 * A log-mel front-end (24 bands, 40 Hz to 8 kHz, 512-sample frames every
 * 256) feeds a one-unit RNN whose input weights average the low bands
 * minus the high ones, less 3 (where the two instruments' averages part);
 * w_h = 0.5 lets a frame lean on the ones before it. A softmax head turns
 * the unit's sign into the two classes, low first.
 */
#ifndef IRMAS_DAEMON_TONE_H
#define IRMAS_DAEMON_TONE_H

#include "model.h"

/* A validated model at rate Hz (at least 16000) with windows of
 * window_seconds, labelled low and high; NULL with a message in err. */
irmas_model *daemon_tone_model(int rate, const char *low, const char *high,
                         double window_seconds, char *err, size_t errlen);

#endif

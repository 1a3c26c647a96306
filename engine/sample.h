/* sample.h: what a sample that is NaN or infinite counts as: silence.
 *
 * A broken device, plugin host or file can deliver such samples, and one
 * of them would poison every window it falls in. Everything that takes
 * samples in (the stream, the whole-window pass, irmasd's and the plugins'
 * down-mix) reads them through sample_finite, so the rule is written once.
 */
#ifndef IRMAS_SAMPLE_H
#define IRMAS_SAMPLE_H

#include <math.h>

/* x, or 0 when x is NaN or infinite. Real-time safe. */
static inline float sample_finite(float x) { return isfinite(x) ? x : 0.0f; }

#endif

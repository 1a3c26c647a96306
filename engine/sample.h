/* sample.h: what a sample that is NaN or infinite counts as: silence.
 *
 * A broken device, plugin host or file can deliver such samples, and one
 * of them would poison every window it falls in. Everything that takes
 * samples in (the stream, the whole-window pass, irmasd's and the plugins'
 * down-mix) reads them through sample_finite, so the rule is written once.
 */
#ifndef IRMAS_SAMPLE_H
#define IRMAS_SAMPLE_H

#include <stdint.h>
#include <string.h>

/* x, or 0 when x is NaN or infinite (its exponent bits all ones): the
 * test and the choice are made on the bits with a mask, not a branch or a
 * float comparison, so the loops that call it on every sample become
 * vector code. Real-time safe. */
static inline float sample_finite(float x)
{
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    bits &= -(uint32_t)((bits & 0x7f800000u) != 0x7f800000u);
    memcpy(&x, &bits, sizeof x);
    return x;
}

#endif

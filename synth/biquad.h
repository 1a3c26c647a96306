/* biquad.h: second-order filters for equalisation and band limiting: the
 * microphone, the desk and the medium a recording went through.
 *
 * Coefficients from Robert Bristow-Johnson's Audio EQ Cookbook; processing
 * is transposed direct form II in double precision (a 30 Hz high-pass at
 * 44.1 kHz is too close to the unit circle for float state). One filter
 * runs on both channels of a stereo pair with separate state.
 */
#ifndef SYNTH_BIQUAD_H
#define SYNTH_BIQUAD_H

typedef enum {
    BIQUAD_LOWPASS,
    BIQUAD_HIGHPASS,
    BIQUAD_PEAK,
    BIQUAD_LOW_SHELF,
    BIQUAD_HIGH_SHELF
} biquad_kind;

typedef struct {
    double b0, b1, b2, a1, a2;
    double z1[2], z2[2];
} biquad;

/* A filter of the kind at frequency hz (corner or centre), quality q and
 * (for peaks and shelves) gain_db, with cleared state. */
biquad biquad_make(biquad_kind kind, double hz, double q, double gain_db,
                   int rate);

/* Filters n frames of left and right in place. */
void biquad_process(biquad *f, float *left, float *right, long n);

/* The filter's gain in dB at frequency hz: for tests and plots. */
double biquad_gain_db(const biquad *f, double hz, int rate);

#endif

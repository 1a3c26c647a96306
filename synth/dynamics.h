/* dynamics.h: the compressor of a mixing desk and the limiter of
 * mastering, so renders have the level shape of produced recordings.
 *
 * Both work on a stereo pair with one gain for both channels, so the image
 * does not wander.
 */
#ifndef SYNTH_DYNAMICS_H
#define SYNTH_DYNAMICS_H

typedef struct {
    double threshold_db; /* dBFS above which the gain comes down */
    double ratio;        /* 4: 4 dB over the threshold come out as 1 */
    double attack;       /* seconds */
    double release;      /* seconds */
    double makeup_db;
} compressor;

/* A feed-forward compressor with a peak detector in the dB domain. */
void dynamics_compress(const compressor *c, int rate, float *left,
                       float *right, long n);

/* Leaves samples below knee alone and bends those above it smoothly
 * towards ceiling, which they never pass. */
void dynamics_soft_limit(float *left, float *right, long n, float knee,
                         float ceiling);

/* The RMS level of a stereo pair in dBFS (-200 for silence). */
double dynamics_rms_db(const float *left, const float *right, long n);

/* The largest absolute sample of a stereo pair. */
float dynamics_peak(const float *left, const float *right, long n);

/* Multiplies both channels by gain. */
void dynamics_gain(float *left, float *right, long n, float gain);

#endif

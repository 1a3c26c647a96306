/* convolve.h: long convolutions by FFT (FFTW, single precision).
 *
 * A source is a few seconds of audio and a room's impulse response up to
 * three, so one transform of the whole thing beats partitioned schemes
 * here. Transform sizes are rounded up to products of 2, 3 and 5, which
 * FFTW handles fast. FFTW's planner is not thread-safe; plans are made and
 * destroyed under one lock (FFTW_ESTIMATE: no measuring, so the same size
 * always gives the same plan and the same numbers), and executed freely.
 */
#ifndef SYNTH_CONVOLVE_H
#define SYNTH_CONVOLVE_H

#include "status.h"

/* Convolves mono x (n frames) with a stereo impulse response (m frames per
 * channel) and adds gain times the first n frames of each result to left
 * and right. */
irmas_status convolve_add(const float *x, long n, const float *h_left,
                          const float *h_right, long m, float gain,
                          float *left, float *right);

#endif

/* mixdown.h: many channels to one, the way every window is heard: the
 * mean of the channels, with NaN and infinite samples taken as 0 so that
 * nothing downstream (the history, the gate, the classifier) sees them.
 *
 * Pure: no state, no allocation; real-time safe.
 */
#ifndef IRMASD_MIXDOWN_H
#define IRMASD_MIXDOWN_H

/* mono[i] = the mean over c of frames[i * channels + c], non-finite
 * samples counted as 0, for i in [0, n). */
void mixdown_interleaved(const float *frames, long n, int channels,
                         float *mono);

/* The same from one buffer per channel (as audio plugin hosts hand them):
 * mono[i] = the mean over c of channels[c][offset + i]. */
void mixdown_planar(const float *const *channels, int n_channels,
                    long offset, long n, float *mono);

#endif

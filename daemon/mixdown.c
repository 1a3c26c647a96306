/* mixdown.c: see mixdown.h. */
#include "mixdown.h"

#include "sample.h"

void mixdown_interleaved(const float *frames, long n, int channels,
                         float *mono)
{
    if (channels == 2) { /* most devices and files: one loop, in vectors */
        for (long i = 0; i < n; i++)
            mono[i] = (sample_finite(frames[2 * i]) +
                       sample_finite(frames[2 * i + 1])) / 2.0f;
        return;
    }
    for (long i = 0; i < n; i++) {
        float sum = 0.0f;
        for (int c = 0; c < channels; c++)
            sum += sample_finite(frames[i * channels + c]);
        mono[i] = sum / (float)channels;
    }
}

void mixdown_planar(const float *const *channels, int n_channels,
                    long offset, long n, float *mono)
{
    for (long i = 0; i < n; i++) {
        float sum = 0.0f;
        for (int c = 0; c < n_channels; c++)
            sum += sample_finite(channels[c][offset + i]);
        mono[i] = sum / (float)n_channels;
    }
}

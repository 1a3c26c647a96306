/* mixdown.c: see mixdown.h. */
#include "mixdown.h"

#include <math.h>

void mixdown_interleaved(const float *frames, long n, int channels,
                         float *mono)
{
    for (long i = 0; i < n; i++) {
        float sum = 0.0f;
        for (int c = 0; c < channels; c++) {
            float x = frames[i * channels + c];
            sum += isfinite(x) ? x : 0.0f;
        }
        mono[i] = sum / (float)channels;
    }
}

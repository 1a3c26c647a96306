/* dynamics.c: compressor, soft limiter and level meters. */
#include "dynamics.h"

#include <math.h>

void dynamics_compress(const compressor *c, int rate, float *left,
                       float *right, long n)
{
    double attack = 1 - exp(-1.0 / (c->attack * rate));
    double release = 1 - exp(-1.0 / (c->release * rate));
    double slope = 1 - 1 / c->ratio, envelope = -120;
    for (long i = 0; i < n; i++) {
        double peak = fmax(fabs(left[i]), fabs(right[i]));
        double level = 20 * log10(peak + 1e-9);
        envelope += (level > envelope ? attack : release) * (level - envelope);
        double over = envelope - c->threshold_db;
        double gain_db = (over > 0 ? -over * slope : 0) + c->makeup_db;
        float gain = (float)pow(10, gain_db / 20);
        left[i] *= gain;
        right[i] *= gain;
    }
}

static float bend(float x, float knee, float ceiling)
{
    float a = fabsf(x);
    if (a <= knee) return x;
    /* Above the knee the excess is squeezed by tanh into the headroom:
     * continuous, with slope 1 at the knee. */
    float room = ceiling - knee;
    float y = knee + room * tanhf((a - knee) / room);
    return x < 0 ? -y : y;
}

void dynamics_soft_limit(float *left, float *right, long n, float knee, float ceiling)
{
    for (long i = 0; i < n; i++) {
        left[i] = bend(left[i], knee, ceiling);
        right[i] = bend(right[i], knee, ceiling);
    }
}

double dynamics_rms_db(const float *left, const float *right, long n)
{
    double sum = 0;
    for (long i = 0; i < n; i++)
        sum += (double)left[i] * left[i] + (double)right[i] * right[i];
    return n > 0 && sum > 0 ? 10 * log10(sum / (2.0 * n)) : -200;
}

float dynamics_peak(const float *left, const float *right, long n)
{
    float peak = 0;
    for (long i = 0; i < n; i++) {
        peak = fmaxf(peak, fabsf(left[i]));
        peak = fmaxf(peak, fabsf(right[i]));
    }
    return peak;
}

void dynamics_gain(float *left, float *right, long n, float gain)
{
    for (long i = 0; i < n; i++) {
        left[i] *= gain;
        right[i] *= gain;
    }
}

/* fastmath.h: what makes the recurrent cells' inner loops and the log-mel
 * front-end fast (internal to the engine; not part of the public
 * interface).
 *
 * An LSTM step evaluates five nonlinearities per hidden unit, 500 per frame
 * for H = 100, and a 3-second window has 1323 frames. libm's tanhf and expf
 * are exact but are calls with branches inside, so a loop around them runs
 * one value at a time: several milliseconds per window. fast_tanhf is a
 * clamp and a rational function (Eigen's coefficients), branch-free, so GCC
 * turns a loop calling it into SIMD code; its largest absolute error
 * against tanh is 4e-7 (2.3e-7 for fast_sigmoidf), well inside what float
 * weights carry anyway. NaN stays NaN.
 *
 * The engine's loops that call them are compiled once per instruction set
 * and chosen at start-up (kernels.c, isa.h). The trainer's backward loops
 * are marked ISA_CLONES (isa.h) instead.
 */
#ifndef IRMAS_FASTMATH_H
#define IRMAS_FASTMATH_H

#include <stdint.h>
#include <string.h>

/* x limited to [-limit, limit] (limit given by its bit pattern), NaN left
 * alone. It compares bit patterns as integers, which order like the
 * magnitudes they encode: a float comparison may trap, and GCC will not
 * turn a loop containing one into SIMD code without -fno-trapping-math. */
static inline float fast_clampf(float x, uint32_t limit)
{
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    uint32_t magnitude = bits & 0x7fffffffu;
    int is_nan = magnitude > 0x7f800000u;
    if (magnitude > limit && !is_nan) magnitude = limit;
    bits = (bits & 0x80000000u) | magnitude;
    memcpy(&x, &bits, sizeof x);
    return x;
}

/* tanh(x) within 4e-7; tanh saturates to within that of +-1 at the clamp. */
static inline float fast_tanhf(float x)
{
    x = fast_clampf(x, 0x40fcf84fu); /* 7.90531110763549805f */
    float x2 = x * x;
    float p = -2.76076847742355e-16f;
    p = p * x2 + 2.00018790482477e-13f;
    p = p * x2 + -8.60467152213735e-11f;
    p = p * x2 + 5.12229709037114e-08f;
    p = p * x2 + 1.48572235717979e-05f;
    p = p * x2 + 6.37261928875436e-04f;
    p = p * x2 + 4.89352455891786e-03f;
    float q = 1.19825839466702e-06f;
    q = q * x2 + 1.18534705686654e-04f;
    q = q * x2 + 2.26843463243900e-03f;
    q = q * x2 + 4.89352518554385e-03f;
    return p * x / q;
}

/* The logistic function through the identity sigmoid(x) = (1 + tanh(x/2))/2,
 * so it shares fast_tanhf's accuracy and has no exp to overflow. */
static inline float fast_sigmoidf(float x)
{
    return 0.5f + 0.5f * fast_tanhf(0.5f * x);
}

/* log(x) for positive x, within 2 ulp of logf: Cephes' logf (x = m 2^e
 * with m in [sqrt(1/2), sqrt(2)), a degree-9 polynomial in m - 1, and e
 * log 2 added in two parts), with m and e taken from the bits and every
 * choice made on integers, as in fast_clampf, so a loop of it becomes
 * vector code; libm's logf is a call. Infinity and NaN come back as they
 * went in. The log-mel front-end takes 96 or more logs a frame with it. */
static inline float fast_logf(float x)
{
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    uint32_t fraction = bits & 0x007fffffu;
    /* m = 1.fraction / 2 in [0.5, 1), or twice that below sqrt(1/2)
     * (fraction 0x3504f3 is 1.fraction = sqrt(2)) */
    uint32_t low = fraction < 0x003504f3u;
    int e = (int)((bits >> 23) & 0xffu) - 126 - (int)low;
    uint32_t mbits = fraction | (0x3f000000u + (low << 23));
    float m;
    memcpy(&m, &mbits, sizeof m);
    float f = m - 1.0f;
    float z = f * f;
    float y = 7.0376836292e-2f;
    y = y * f - 1.1514610310e-1f;
    y = y * f + 1.1676998740e-1f;
    y = y * f - 1.2420140846e-1f;
    y = y * f + 1.4249322787e-1f;
    y = y * f - 1.6668057665e-1f;
    y = y * f + 2.0000714765e-1f;
    y = y * f - 2.4999993993e-1f;
    y = y * f + 3.3333331174e-1f;
    y = y * f * z;
    float fe = (float)e;
    y += -2.12194440e-4f * fe;
    y += -0.5f * z;
    float result = f + y + 0.693359375f * fe;
    /* inf or NaN: x itself, chosen by a mask (a branch around the
     * arithmetic above would stop the compiler making vector code) */
    uint32_t special = -(uint32_t)((bits & 0x7f800000u) == 0x7f800000u);
    uint32_t rbits;
    memcpy(&rbits, &result, sizeof rbits);
    rbits = (bits & special) | (rbits & ~special);
    memcpy(&result, &rbits, sizeof result);
    return result;
}

#endif

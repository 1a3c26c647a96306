/* fastmath.h: what makes the recurrent cells' inner loops fast (internal to
 * the engine; not part of the public interface).
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

#endif

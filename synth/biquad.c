/* biquad.c: RBJ cookbook filters. */
#include "biquad.h"

#include <complex.h>
#include <math.h>

biquad biquad_make(biquad_kind kind, double hz, double q, double gain_db, int rate)
{
    double w = 2 * M_PI * fmin(hz, 0.49 * rate) / rate;
    double cw = cos(w), alpha = sin(w) / (2 * q);
    double a = pow(10, gain_db / 40);
    double b0, b1, b2, a0, a1, a2;
    switch (kind) {
    case BIQUAD_LOWPASS:
        b0 = (1 - cw) / 2, b1 = 1 - cw, b2 = b0;
        a0 = 1 + alpha, a1 = -2 * cw, a2 = 1 - alpha;
        break;
    case BIQUAD_HIGHPASS:
        b0 = (1 + cw) / 2, b1 = -(1 + cw), b2 = b0;
        a0 = 1 + alpha, a1 = -2 * cw, a2 = 1 - alpha;
        break;
    case BIQUAD_PEAK:
        b0 = 1 + alpha * a, b1 = -2 * cw, b2 = 1 - alpha * a;
        a0 = 1 + alpha / a, a1 = -2 * cw, a2 = 1 - alpha / a;
        break;
    case BIQUAD_LOW_SHELF: {
        double s = 2 * sqrt(a) * alpha;
        b0 = a * ((a + 1) - (a - 1) * cw + s);
        b1 = 2 * a * ((a - 1) - (a + 1) * cw);
        b2 = a * ((a + 1) - (a - 1) * cw - s);
        a0 = (a + 1) + (a - 1) * cw + s;
        a1 = -2 * ((a - 1) + (a + 1) * cw);
        a2 = (a + 1) + (a - 1) * cw - s;
        break;
    }
    case BIQUAD_HIGH_SHELF:
    default: {
        double s = 2 * sqrt(a) * alpha;
        b0 = a * ((a + 1) + (a - 1) * cw + s);
        b1 = -2 * a * ((a - 1) + (a + 1) * cw);
        b2 = a * ((a + 1) + (a - 1) * cw - s);
        a0 = (a + 1) - (a - 1) * cw + s;
        a1 = 2 * ((a - 1) - (a + 1) * cw);
        a2 = (a + 1) - (a - 1) * cw - s;
        break;
    }
    }
    return (biquad){b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0, {0, 0}, {0, 0}};
}

/* Both channels in one loop: each is a chain of dependent steps, and two
 * chains side by side keep the processor busy while either waits. */
void biquad_process(biquad *f, float *left, float *right, long n)
{
    double l1 = f->z1[0], l2 = f->z2[0], r1 = f->z1[1], r2 = f->z2[1];
    for (long i = 0; i < n; i++) {
        double xl = left[i], xr = right[i];
        double yl = f->b0 * xl + l1, yr = f->b0 * xr + r1;
        l1 = f->b1 * xl - f->a1 * yl + l2;
        r1 = f->b1 * xr - f->a1 * yr + r2;
        l2 = f->b2 * xl - f->a2 * yl;
        r2 = f->b2 * xr - f->a2 * yr;
        left[i] = (float)yl;
        right[i] = (float)yr;
    }
    f->z1[0] = l1;
    f->z2[0] = l2;
    f->z1[1] = r1;
    f->z2[1] = r2;
}

double biquad_gain_db(const biquad *f, double hz, int rate)
{
    double complex z = cexp(-I * 2 * M_PI * hz / rate);
    double complex h = (f->b0 + f->b1 * z + f->b2 * z * z) /
                       (1 + f->a1 * z + f->a2 * z * z);
    return 20 * log10(cabs(h));
}

/* activation.h: the element-wise nonlinearities of the dense and recurrent
 * layers, and the softmax that ends every classifier.
 *
 * They are small and called in inner loops, so they live here as static
 * inline functions rather than in a .c file.
 */
#ifndef IRMAS_ACTIVATION_H
#define IRMAS_ACTIVATION_H

#include <float.h>
#include <math.h>
#include <stddef.h>

typedef enum {
    ACT_NONE = 0,
    ACT_RELU = 1,
    ACT_TANH = 2,
    ACT_SIGMOID = 3,
    ACT_SOFTMAX = 4
} activation;

static inline float sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }

/* Applies act to each row of x ([rows][n]) in place; softmax is per row and
 * subtracts the row's maximum first so large logits cannot overflow. Its
 * output is a distribution whatever its input: an infinite logit counts as
 * the largest finite float, and NaN (inf - inf in a layer with huge
 * weights) as the smallest, so a model never sends NaN probabilities. */
static inline void activation_apply(activation act, float *x, int rows, int n)
{
    for (int r = 0; r < rows; r++) {
        float *v = x + (long)r * n;
        switch (act) {
        case ACT_NONE:
            break;
        case ACT_RELU:
            for (int i = 0; i < n; i++) v[i] = v[i] > 0.0f ? v[i] : 0.0f;
            break;
        case ACT_TANH:
            for (int i = 0; i < n; i++) v[i] = tanhf(v[i]);
            break;
        case ACT_SIGMOID:
            for (int i = 0; i < n; i++) v[i] = sigmoidf(v[i]);
            break;
        case ACT_SOFTMAX: {
            for (int i = 0; i < n; i++)
                v[i] = isnan(v[i]) ? -FLT_MAX : fmaxf(-FLT_MAX,
                                                     fminf(v[i], FLT_MAX));
            float max = v[0], sum = 0.0f;
            for (int i = 1; i < n; i++) max = v[i] > max ? v[i] : max;
            for (int i = 0; i < n; i++) sum += v[i] = expf(v[i] - max);
            for (int i = 0; i < n; i++) v[i] /= sum;
            break;
        }
        }
    }
}

/* The activation's name as the model file and `irmas-model info` spell it
 * ("none", "relu", "tanh", "sigmoid", "softmax"), or NULL if act is unknown. */
static inline const char *activation_name(activation act)
{
    static const char *const names[] = {"none", "relu", "tanh", "sigmoid",
                                        "softmax"};
    return (unsigned)act < sizeof names / sizeof names[0] ? names[act] : NULL;
}

#endif

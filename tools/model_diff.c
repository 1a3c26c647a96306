/* model_diff.c: irmas-model diff (model_diff.h).
 *
 * The models are compared as stored: layer by layer, tensor by tensor in
 * file order (layer_tensors), then the feature statistics. Shapes are
 * compared first and in full, so a mismatch is reported with the layer
 * and tensor it is in before any number is printed.
 */
#include "model_diff.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "model_file.h"
#include "number.h"

const char model_diff_usage[] =
    "usage: irmas-model diff [--tolerance T] A B\n"
    "\n"
    "Compares the weights of models A and B, which must have the same\n"
    "shape: the same layers of the same kinds, tensors of the same names\n"
    "and lengths, the same classes and features. Prints, for every tensor,\n"
    "its layer, name, length and the largest absolute difference between\n"
    "A and B, then the largest of all. Exits 1 when the shapes differ or a\n"
    "file cannot be read; with --tolerance, also when a difference exceeds\n"
    "T (e.g. --tolerance 1e-5: the same training on another number of\n"
    "processes, which differs only in the order sums are taken in).\n";

/* The largest |a[i] - b[i]| over n floats; infinity when one of a pair is
 * not a number and the other is (NaN in both counts as equal). */
static double largest_difference(const float *a, const float *b, long n)
{
    double most = 0.0;
    for (long i = 0; i < n; i++) {
        if (isnan(a[i]) || isnan(b[i])) {
            if (isnan(a[i]) != isnan(b[i])) return INFINITY;
            continue;
        }
        double d = fabs((double)a[i] - (double)b[i]);
        if (d > most) most = d;
    }
    return most;
}

/* Prints one tensor's line; returns its largest difference. */
static double report(const char *where, const char *name, const float *a,
                     const float *b, long n)
{
    double d = largest_difference(a, b, n);
    printf("%-14s %-12s %10ld  %.3g\n", where, name, n, d);
    return d;
}

/* Prints every tensor's largest difference; returns the largest of all. */
static double print_differences(const irmas_model *a, const irmas_model *b)
{
    double most = 0.0;
    printf("%-14s %-12s %10s  %s\n", "layer", "tensor", "floats",
           "largest |A-B|");
    for (int i = 0; i < a->n_layers; i++) {
        layer la = a->layers[i], lb = b->layers[i];
        layer_tensor ta[LAYER_MAX_TENSORS], tb[LAYER_MAX_TENSORS];
        int n = layer_tensors(&la, ta);
        layer_tensors(&lb, tb);
        char where[32];
        snprintf(where, sizeof where, "%d %s", i, layer_kind_name(la.kind));
        for (int k = 0; k < n; k++)
            most = fmax(most, report(where, ta[k].name, *ta[k].data,
                                     *tb[k].data, ta[k].count));
    }
    if (a->feature_mean) {
        long n = model_features(a);
        most = fmax(most, report("features", "mean", a->feature_mean,
                                 b->feature_mean, n));
        most = fmax(most, report("features", "scale", a->feature_scale,
                                 b->feature_scale, n));
    }
    printf("largest     %.3g\n", most);
    return most;
}

/* The tolerance from --tolerance's text, or -1 if it is not a number
 * from 0 up. */
static double parse_tolerance(const char *text)
{
    double v;
    return number_real(text, 0.0, DBL_MAX, &v) ? -1.0 : v;
}

int model_diff_command(int argc, char **argv)
{
    double tolerance = INFINITY;
    int first = 1;
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        fputs(model_diff_usage, stdout);
        return 0;
    }
    if (argc > 2 && strcmp(argv[1], "--tolerance") == 0) {
        tolerance = parse_tolerance(argv[2]);
        if (tolerance < 0.0) {
            fprintf(stderr, "irmas-model: error: diff: --tolerance must be a number "
                            "from 0 up, not '%s'\n", argv[2]);
            return 2;
        }
        first = 3;
    }
    if (argc - first != 2 || argv[first][0] == '-' ||
        argv[first + 1][0] == '-') {
        fprintf(stderr, "irmas-model: error: diff: give two model files A B\n%s",
                model_diff_usage);
        return 2;
    }
    char err[4096];
    irmas_model *a = NULL, *b = NULL;
    int exit_status = 1;
    for (int i = 0; i < 2; i++)
        if (irmas_model_load(argv[first + i], i ? &b : &a, err, sizeof err) !=
            IRMAS_OK) {
            fprintf(stderr, "irmas-model: error: diff: %s\n", err);
            goto done;
        }
    if (model_same_shape(a, b, err, sizeof err) != IRMAS_OK) {
        fprintf(stderr, "irmas-model: error: diff: %s\n", err);
        goto done;
    }
    double most = print_differences(a, b);
    exit_status = most > tolerance;
    if (exit_status)
        fprintf(stderr, "irmas-model: error: diff: %s and %s differ by %.3g, more "
                        "than the tolerance %.3g\n", argv[first],
                argv[first + 1], most, tolerance);
done:
    irmas_model_free(a);
    irmas_model_free(b);
    return exit_status;
}

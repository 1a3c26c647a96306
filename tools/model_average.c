/* model_average.c: irmas-model average (model_average.h).
 *
 * The first model is the one written: models of one shape keep their
 * weights and feature statistics in arenas of one layout (model.h), so
 * its arena becomes the mean of all the arenas, float by float, summed
 * in double. Every model is checked against the first before any weight
 * is touched, so a mismatch is reported with the file and what differs.
 */
#include "model_average.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "model_file.h"
#include "tool_common.h"

const char model_average_usage[] =
    "usage: irmas-model average --out FILE A B [C ...]\n"
    "\n"
    "Writes FILE: a model whose every weight is the mean of that weight in\n"
    "A, B, ..., which must have the same shape (layers, tensors, classes\n"
    "in the same order). Meant for runs fine-tuned from one model with\n"
    "other seeds (irmas-train --init M --seed N): one model, the cost of\n"
    "one, that scores about what its members score on average, without\n"
    "choosing among seeds. The mean of models trained from different\n"
    "random starts is not a model. FILE's provenance names the models\n"
    "averaged and quotes the first's.\n";

/* IRMAS_OK if b can be averaged with a: the same input and layers
 * (model_same_body), tensors and features (model_same_shape) and the
 * same classes in the same order; else IRMAS_ERR_ARG with the
 * difference in err. */
static irmas_status same_model_but_weights(const irmas_model *a,
                                           const irmas_model *b, char *err,
                                           size_t errlen)
{
    irmas_status status = model_same_body(a, b, err, errlen);
    if (status == IRMAS_OK) status = model_same_shape(a, b, err, errlen);
    if (status != IRMAS_OK) return status;
    for (int c = 0; c < a->classes; c++)
        if (strcmp(a->labels[c], b->labels[c]) != 0) {
            snprintf(err, errlen, "class %d is '%s' in one and '%s' in the "
                     "other (the classes must be in the same order)", c + 1,
                     a->labels[c], b->labels[c]);
            return IRMAS_ERR_ARG;
        }
    return IRMAS_OK;
}

/* Makes models[0]'s weights the mean of all count models' weights, which
 * lie in arenas of one layout (model_same_shape), summed in double.
 * Returns 0, or -1 out of memory. */
static int average_into_first(irmas_model **models, int count)
{
    long n = models[0]->arena_floats;
    double *sum = calloc((size_t)n, sizeof *sum);
    if (!sum) return -1;
    for (int k = 0; k < count; k++)
        for (long i = 0; i < n; i++) sum[i] += models[k]->arena[i];
    for (long i = 0; i < n; i++) models[0]->arena[i] = (float)(sum[i] / count);
    free(sum);
    return 0;
}

/* "weights averaged by irmas-model average over N models: A, B, ...;
 * date: ...; the first's provenance: ...". Returns 0, or -1 out of
 * memory. */
static int set_average_provenance(irmas_model *m, char **paths, int count)
{
    const char *first = m->provenance ? m->provenance : "none";
    size_t size = strlen(first) + 256;
    for (int k = 0; k < count; k++) size += strlen(paths[k]) + 2;
    char *text = malloc(size);
    if (!text) return -1;
    size_t used = (size_t)snprintf(text, size, "weights averaged by "
                                   "irmas-model average over %d models:",
                                   count);
    for (int k = 0; k < count; k++)
        used += (size_t)snprintf(text + used, size - used, "%s %s",
                                 k ? "," : "", paths[k]);
    char date[TOOL_DATE_SIZE];
    if (*tool_utc_now(date))
        used += (size_t)snprintf(text + used, size - used, "; date: %s", date);
    snprintf(text + used, size - used, "; the first's provenance: %s", first);
    int status = model_set_provenance(m, text) == IRMAS_OK ? 0 : -1;
    free(text);
    return status;
}

int model_average_command(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        fputs(model_average_usage, stdout);
        return 0;
    }
    if (argc < 5 || strcmp(argv[1], "--out") != 0 || argv[2][0] == '-') {
        fprintf(stderr, "irmas-model: error: average: give --out FILE and two "
                        "or more model files\n%s", model_average_usage);
        return 2;
    }
    const char *out = argv[2];
    char **paths = argv + 3;
    int count = argc - 3;
    for (int k = 0; k < count; k++)
        if (paths[k][0] == '-') {
            fprintf(stderr, "irmas-model: error: average: unknown option "
                            "'%s'\n%s", paths[k], model_average_usage);
            return 2;
        }
    irmas_model **models = calloc((size_t)count, sizeof *models);
    if (!models) {
        fputs("irmas-model: error: average: out of memory\n", stderr);
        return 1;
    }
    char err[4096];
    int exit_status = 1;
    for (int k = 0; k < count; k++) {
        if (irmas_model_load(paths[k], &models[k], err, sizeof err) !=
            IRMAS_OK) {
            fprintf(stderr, "irmas-model: error: average: %s\n", err);
            goto done;
        }
        if (k && same_model_but_weights(models[0], models[k], err,
                                        sizeof err) != IRMAS_OK) {
            fprintf(stderr, "irmas-model: error: average: %s and %s have "
                            "different shapes: %s\n", paths[0], paths[k], err);
            goto done;
        }
    }
    if (average_into_first(models, count) != 0 ||
        set_average_provenance(models[0], paths, count) != 0) {
        fputs("irmas-model: error: average: out of memory\n", stderr);
        goto done;
    }
    if (irmas_model_save(models[0], out, err, sizeof err) != IRMAS_OK) {
        fprintf(stderr, "irmas-model: error: average: %s\n", err);
        goto done;
    }
    printf("%s: the mean of %d models\n", out, count);
    exit_status = 0;
done:
    for (int k = 0; k < count; k++) irmas_model_free(models[k]);
    free(models);
    return exit_status;
}

/* model_limits.h: what running a model may cost, worked out from the
 * shapes a model declares before anything is allocated for it.
 *
 * A model file is small, but the shapes it declares say how much memory its
 * front-end, image builder and window runner will take and how many
 * arithmetic operations each window will need: a 17 KB file can ask for
 * gigabytes or for minutes per window. model_cost adds those up from the
 * shapes alone, and irmas_model_check_limits refuses a model whose cost is over
 * the limits, naming the figure, the limit and the option that raises it.
 * irmas_model_load and irmas_model_parse apply the default limits; irmas_model_load_within
 * and irmas_model_parse_within (model_file.h) take the caller's.
 */
#ifndef IRMAS_MODEL_LIMITS_H
#define IRMAS_MODEL_LIMITS_H

#include "model.h"

/* The default limits: well above every model the project trains (the
 * study's CNNs and CRNNs on 150 x 150 images need under 30 MB and 0.5 G
 * operations a window, a 512-unit BLSTM over 3 s windows 53 MB and 7 G);
 * `irmas-model info FILE` prints a model's figures. */
#define MODEL_DEFAULT_MAX_MEMORY_MB 1024
#define MODEL_DEFAULT_MAX_GOPS 20

typedef struct {
    double memory_bytes; /* weights, front-end, image builder, runners */
    double ops;          /* multiply-adds and the like in one window */
} model_cost;

/* irmas_model_limits and irmas_model_limits_default: irmas/irmas.h. */

/* The options every program that runs models takes to raise the limits,
 * for usage texts. */
#define MODEL_LIMITS_USAGE \
    "  --max-model-memory MB  refuse models needing more memory to run " \
    "(default " MODEL_LIMITS_STR(MODEL_DEFAULT_MAX_MEMORY_MB) ")\n" \
    "  --max-model-ops G      refuse models needing more than G billion " \
    "operations a\n" \
    "                         window (default " \
    MODEL_LIMITS_STR(MODEL_DEFAULT_MAX_GOPS) ")\n"
#define MODEL_LIMITS_STR(x) MODEL_LIMITS_STR_(x)
#define MODEL_LIMITS_STR_(x) #x

/* Sets the limit option names ("max-model-memory", in MB, or
 * "max-model-ops", in billions) from text, a number above 0. Returns 1 if
 * option is one of the two and text is good, 0 if option is neither, and
 * -1 with the reason in err if text is not a number above 0. */
int model_limits_option(irmas_model_limits *limits, const char *option,
                        const char *text, char *err, size_t errlen);

/* The cost of running m as its shapes declare it. Only the shapes and
 * sizes are read (the weights need not be allocated), and the sums are in
 * doubles, so no declared shape can overflow them. The front-end's and
 * layers' parameters must already be within the file's ranges. */
model_cost model_cost_of(const irmas_model *m);

/* IRMAS_OK if m's cost is within limits; otherwise IRMAS_ERR_UNSUPPORTED with a
 * message like "running it needs 8589 MB of memory (a 4096-band mel
 * filterbank over a 1048576-point FFT), over the limit of 1024 MB; raise it
 * with --max-model-memory MB if you trust this model". */
irmas_status irmas_model_check_limits(const irmas_model *m, const irmas_model_limits *limits,
                                char *err, size_t errlen);

#endif

/* model_average.h: `irmas-model average`, one model whose every weight is
 * the mean of the same weight in several models of the same shape.
 *
 * Runs fine-tuned from one starting point (irmas-train --init, other
 * seeds) stay near each other in weight space, so the mean of their
 * weights is a model too (a "model soup": Wortsman et al., ICML 2022):
 * measured here, it scores about what its members score on average, at
 * the cost of one model and without choosing among seeds
 * (docs/training.md, "Averaging fine-tuned runs"). The mean of models
 * trained from different random starts means nothing: their units are
 * in unrelated orders.
 */
#ifndef IRMAS_MODEL_AVERAGE_H
#define IRMAS_MODEL_AVERAGE_H

/* The usage text of the average command. */
extern const char model_average_usage[];

/* Runs `irmas-model average --out FILE A B [C ...]` with argv[0] =
 * "average": reads every model, checks each has A's shape, writes their
 * mean to FILE (atomically) with a provenance naming them. Returns the
 * exit status: 0 written, 1 a file cannot be read or written or the
 * shapes differ (the message names the file and the difference), 2 bad
 * usage. */
int model_average_command(int argc, char **argv);

#endif

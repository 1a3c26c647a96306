/* model_average.h: `irmas-model average`, one model whose every weight is
 * the mean of the same weight in several models of the same shape.
 *
 * Runs fine-tuned from one starting point (irmas-train --init, other
 * seeds) stay near each other in weight space, and the mean of their
 * weights is often a better model than any one of them, on audio none
 * of them was trained on above all (a "model soup": Wortsman et al.,
 * ICML 2022). The mean of models trained from different random starts
 * means nothing: their units are in unrelated orders.
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

/* model_diff.h: `irmas-model diff A B`, the largest absolute difference of
 * every weight tensor of two models of the same shape.
 *
 * Two models trained the same way on different numbers of processes, or
 * with different thread counts, differ only by the order floating-point
 * sums were taken in; this command says by how much, tensor by tensor,
 * so a test (or a user) can check "equal within 1e-5".
 */
#ifndef IRMAS_MODEL_DIFF_H
#define IRMAS_MODEL_DIFF_H

/* The usage text of the diff command. */
extern const char model_diff_usage[];

/* Runs `irmas-model diff [--tolerance T] A B` with argv[0] = "diff":
 * prints one line per tensor (layer, kind, tensor name, length, largest
 * absolute difference) and the largest of all. Returns the exit status:
 * 0 the shapes agree (and, with --tolerance, no difference exceeds T),
 * 1 they differ (layers, kinds, tensor names or lengths, classes,
 * features), a difference exceeds T, or a file cannot be read,
 * 2 bad usage. */
int model_diff_command(int argc, char **argv);

#endif

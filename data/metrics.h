/* metrics.h: how well a classifier did, tallied one decision at a time.
 *
 * A metrics tally counts decisions over a fixed set of labelled classes:
 *     metrics *m = metrics_new(d.classes, d.labels);
 *     for each example: metrics_add(m, truth, predicted);
 *     metrics_print(m, stdout);          -- or metrics_json(m, &writer)
 *     metrics_free(m);
 * Single-label decisions (metrics_add) fill a confusion matrix; multi-label
 * ones (metrics_add_labels, a bit per class) count, per class, true
 * positives, false positives and false negatives. Both feed the same
 * per-class counts, from which:
 *   precision = tp / (tp + fp), recall = tp / (tp + fn),
 *   f1 = 2 tp / (2 tp + fp + fn)      (each 0 when its divisor is 0);
 *   macro F1  = the mean f1 over the classes that occur in the truth or
 *               the predictions (scikit-learn's rule);
 *   micro F1  = f1 of the counts summed over classes (for single-label
 *               decisions this equals the accuracy);
 *   accuracy  = decisions whose prediction equals the truth exactly.
 * Keep one tally per kind of decision: windows, clips, thresholded labels.
 */
#ifndef IRMAS_METRICS_H
#define IRMAS_METRICS_H

#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "model.h"

typedef struct metrics metrics;

typedef struct {
    double precision, recall, f1;
    long support; /* decisions whose truth includes the class */
} metrics_class;

/* A tally for classes labelled labels[0..classes), copied; NULL when out
 * of memory or classes is not in 1..MODEL_MAX_CLASSES. */
metrics *metrics_new(int classes, const char labels[][MODEL_LABEL_MAX]);
void metrics_free(metrics *m);

/* One single-label decision: class indices. */
void metrics_add(metrics *m, int truth, int predicted);
/* One multi-label decision: bit i set means class i. */
void metrics_add_labels(metrics *m, uint64_t truth, uint64_t predicted);

long metrics_decisions(const metrics *m);
long metrics_correct(const metrics *m); /* exact matches */
double metrics_accuracy(const metrics *m);
metrics_class metrics_class_scores(const metrics *m, int c);
double metrics_macro_f1(const metrics *m);
double metrics_micro_f1(const metrics *m);
/* Single-label decisions of class truth predicted as class predicted. */
long metrics_confusion(const metrics *m, int truth, int predicted);

/* A plain-text report: accuracy, F1s, a per-class table and, for
 * single-label decisions, the confusion matrix with labels as row and
 * column heads. */
void metrics_print(const metrics *m, FILE *f);

/* Writes, into the object w has open, the members "accuracy", "macro_f1",
 * "micro_f1", "decisions", "per_class" (an object keyed by label with
 * precision, recall, f1 and support) and, for single-label decisions,
 * "confusion" (rows: true class, columns: predicted, in "labels" order)
 * and "labels". */
void metrics_json(const metrics *m, json_writer *w);

/* The index of the largest probability (the first of equals). */
int metrics_argmax(const float *probs, int classes);

/* The classes whose probability is at least threshold times the largest
 * one (Han et al.'s rule for several instruments at once), as bits. */
uint64_t metrics_threshold_labels(const float *probs, int classes,
                                  double threshold);

#endif

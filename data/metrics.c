/* metrics.c: see metrics.h. A tally keeps the raw counts only; every score
 * is worked out from them when asked, so adding stays cheap and the scores
 * always agree with each other. */
#include "metrics.h"

#include <stdlib.h>
#include <string.h>

struct metrics {
    int classes;
    char labels[MODEL_MAX_CLASSES][MODEL_LABEL_MAX];
    long decisions, correct;
    long single_label; /* decisions that came through metrics_add */
    long tp[MODEL_MAX_CLASSES], fp[MODEL_MAX_CLASSES], fn[MODEL_MAX_CLASSES];
    long confusion[MODEL_MAX_CLASSES][MODEL_MAX_CLASSES];
};

metrics *metrics_new(int classes, const char labels[][MODEL_LABEL_MAX])
{
    if (classes < 1 || classes > MODEL_MAX_CLASSES) return NULL;
    metrics *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->classes = classes;
    for (int c = 0; c < classes; c++)
        snprintf(m->labels[c], MODEL_LABEL_MAX, "%s", labels[c]);
    return m;
}

void metrics_free(metrics *m) { free(m); }

void metrics_add_labels(metrics *m, uint64_t truth, uint64_t predicted)
{
    m->decisions++;
    m->correct += truth == predicted;
    for (int c = 0; c < m->classes; c++) {
        int is_true = (truth >> c) & 1, is_predicted = (predicted >> c) & 1;
        m->tp[c] += is_true && is_predicted;
        m->fp[c] += !is_true && is_predicted;
        m->fn[c] += is_true && !is_predicted;
    }
}

void metrics_add(metrics *m, int truth, int predicted)
{
    if (truth < 0 || truth >= m->classes || predicted < 0 ||
        predicted >= m->classes)
        return;
    m->confusion[truth][predicted]++;
    m->single_label++;
    metrics_add_labels(m, (uint64_t)1 << truth, (uint64_t)1 << predicted);
}

long metrics_decisions(const metrics *m) { return m->decisions; }
long metrics_correct(const metrics *m) { return m->correct; }

static double ratio(long num, long den) { return den ? (double)num / den : 0.0; }

double metrics_accuracy(const metrics *m)
{
    return ratio(m->correct, m->decisions);
}

metrics_class metrics_class_scores(const metrics *m, int c)
{
    long tp = m->tp[c], fp = m->fp[c], fn = m->fn[c];
    return (metrics_class){
        .precision = ratio(tp, tp + fp),
        .recall = ratio(tp, tp + fn),
        .f1 = ratio(2 * tp, 2 * tp + fp + fn),
        .support = tp + fn,
    };
}

double metrics_macro_f1(const metrics *m)
{
    double sum = 0.0;
    int present = 0;
    for (int c = 0; c < m->classes; c++)
        if (m->tp[c] + m->fp[c] + m->fn[c] > 0) {
            sum += metrics_class_scores(m, c).f1;
            present++;
        }
    return present ? sum / present : 0.0;
}

double metrics_micro_f1(const metrics *m)
{
    long tp = 0, errors = 0;
    for (int c = 0; c < m->classes; c++) {
        tp += m->tp[c];
        errors += m->fp[c] + m->fn[c];
    }
    return ratio(2 * tp, 2 * tp + errors);
}

long metrics_confusion(const metrics *m, int truth, int predicted)
{
    return m->confusion[truth][predicted];
}

static int has_confusion(const metrics *m)
{
    return m->single_label > 0 && m->single_label == m->decisions;
}

static void print_confusion(const metrics *m, FILE *f)
{
    int width = 5;
    for (int c = 0; c < m->classes; c++) {
        int len = (int)strlen(m->labels[c]) + 1;
        if (len > width) width = len;
    }
    fprintf(f, "\nconfusion (rows: true class, columns: predicted)\n");
    fprintf(f, "%-*s", width, "");
    for (int c = 0; c < m->classes; c++) fprintf(f, "%*s", width, m->labels[c]);
    fputc('\n', f);
    for (int t = 0; t < m->classes; t++) {
        fprintf(f, "%-*s", width, m->labels[t]);
        for (int p = 0; p < m->classes; p++)
            fprintf(f, "%*ld", width, m->confusion[t][p]);
        fputc('\n', f);
    }
}

void metrics_print(const metrics *m, FILE *f)
{
    fprintf(f, "accuracy   %.4f (%ld of %ld)\n", metrics_accuracy(m),
            m->correct, m->decisions);
    fprintf(f, "macro F1   %.4f\n", metrics_macro_f1(m));
    if (!has_confusion(m)) fprintf(f, "micro F1   %.4f\n", metrics_micro_f1(m));
    fprintf(f, "\n%-12s %9s %9s %9s %9s\n", "class", "precision", "recall",
            "f1", "support");
    for (int c = 0; c < m->classes; c++) {
        metrics_class s = metrics_class_scores(m, c);
        fprintf(f, "%-12s %9.4f %9.4f %9.4f %9ld\n", m->labels[c],
                s.precision, s.recall, s.f1, s.support);
    }
    if (has_confusion(m)) print_confusion(m, f);
}

void metrics_json(const metrics *m, json_writer *w)
{
    json_number(w, "accuracy", metrics_accuracy(m));
    json_number(w, "macro_f1", metrics_macro_f1(m));
    json_number(w, "micro_f1", metrics_micro_f1(m));
    json_integer(w, "decisions", m->decisions);
    json_begin_object(w, "per_class");
    for (int c = 0; c < m->classes; c++) {
        metrics_class s = metrics_class_scores(m, c);
        json_begin_flat_object(w, m->labels[c]);
        json_number(w, "precision", s.precision);
        json_number(w, "recall", s.recall);
        json_number(w, "f1", s.f1);
        json_integer(w, "support", s.support);
        json_end_object(w);
    }
    json_end_object(w);
    if (!has_confusion(m)) return;
    json_begin_array(w, "labels");
    for (int c = 0; c < m->classes; c++) json_string(w, NULL, m->labels[c]);
    json_end_array(w);
    json_begin_array(w, "confusion");
    for (int t = 0; t < m->classes; t++) {
        json_begin_array(w, NULL);
        for (int p = 0; p < m->classes; p++)
            json_integer(w, NULL, m->confusion[t][p]);
        json_end_array(w);
    }
    json_end_array(w);
}

int metrics_argmax(const float *probs, int classes)
{
    int best = 0;
    for (int c = 1; c < classes; c++)
        if (probs[c] > probs[best]) best = c;
    return best;
}

uint64_t metrics_threshold_labels(const float *probs, int classes,
                                  double threshold)
{
    float top = probs[metrics_argmax(probs, classes)];
    uint64_t labels = 0;
    for (int c = 0; c < classes; c++)
        if (probs[c] >= threshold * top) labels |= (uint64_t)1 << c;
    return labels;
}

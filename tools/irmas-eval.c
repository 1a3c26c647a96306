/* irmas-eval: how well a model classifies a labelled data set.
 *
 *   irmas-eval [--model FILE.irm | --teacher DIR] --data DIR [--data DIR ...]
 *              [--json] [--threshold T] [--hop SECONDS] [--mixdown]
 *              [--threads N] [--plot FILE.png]
 *
 * The data is scanned (dataset.h) with the model's labels as its classes.
 * Each file is read at the model's rate (audio_file.h); each of its
 * channels, or their mix with --mixdown, is cut into windows of the model's
 * length starting every hop (0.5 s, irmasd's, unless --hop says otherwise; a
 * file shorter than a window is zero-padded to one), and every window is
 * classified (window.h). Three tallies (metrics.h) come out of that:
 *   windows  each window's top class against the file's label;
 *   clips    the top class of the mean of a file's window probabilities;
 *   labels   only when some file has a .txt label file: the classes whose
 *            clip mean is at least threshold times the largest one, against
 *            all the file's labels (Han et al.'s evaluation, micro and
 *            macro F1).
 * A top class counts as right when it is any of the file's labels. --plot
 * draws the windows' confusion matrix as a picture too (plot.h).
 *
 * With --teacher DIR the windows are classified instead by the AudioSet
 * teacher (teacher.h) whose weights DIR holds, zero-shot: 3-second windows
 * at 32 kHz, each of our classes the maximum of its AudioSet labels'
 * probabilities; everything else is the same, so its figures stand beside
 * a model's.
 *
 * Files are shared among threads, each with its own irmas_window (and
 * the BLAS on one thread); each file's result is kept apart and tallied in
 * data-set order at the end, so the report does not depend on the number
 * of threads.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio_file.h"
#include "config.h"
#include "irmas/version.h"
#include "dataset.h"
#include "denormals.h"
#include "gemm.h"
#include "json.h"
#include "metrics.h"
#include "number.h"
#include "plot.h"
#include "teacher.h"
#include "tool_common.h"
#include "window.h"
#include "work_queue.h"

#define EVAL_MAX_DIRS 64
#define EVAL_MAX_THREADS WORK_QUEUE_MAX_THREADS

typedef struct {
    const char *model_path;
    const char *weights; /* --weights: a pretrained front-end's, or NULL */
    const char *teacher_dir;
    const char *plot_path; /* --plot: the confusion matrix's picture */
    const char *dirs[EVAL_MAX_DIRS];
    int n_dirs;
    int json, mixdown, threads;
    double threshold, hop_seconds;
    double gain_db; /* --gain: every file played this much louder */
    irmas_model_limits limits;
} options;

/* What classifying one file gave. */
typedef struct {
    int read;    /* 0: the file could not be read (reported) */
    int padded;  /* shorter than a window: classified once, padded */
    long windows;
    float *mean; /* [classes]: the mean of its windows' probabilities */
    long *votes; /* [classes]: how many of its windows each class topped */
} file_result;

/* The work the threads share. */
typedef struct {
    const irmas_model *m; /* with --teacher, only its shape (teacher_shape) */
    const teacher_weights *teacher; /* NULL: run m */
    const dataset *d;
    const options *opt;
    int hop;
    file_result *results;
} eval_job;

typedef struct {
    eval_job *job;
    irmas_window *runner;  /* or, with --teacher: */
    teacher *teacher;
    float *window; /* [window_samples]: a zero-padded short file */
    float *probs;  /* [classes] */
    float audioset[TEACHER_LABELS];
} eval_worker;

static void usage(FILE *to)
{
    fprintf(to,
        "usage: irmas-eval [--model FILE.irm [--weights DIR] | --teacher DIR]\n"
        "                  --data DIR [--data DIR ...] [--json] [--threshold T] [--hop SECONDS] "
        "[--mixdown] [--threads N]\n"
        "                  [--gain DB] [--plot FILE.png]\n"
        TOOL_MODEL_USAGE
        "  --data       a labelled data set (IRMAS training or testing "
        "layout, or\n"
        "               one folder per class); several add up\n"
        "  --json       print one JSON object instead of the report\n"
        "  --threshold  for files with several labels: a class is predicted "
        "when its\n"
        "               mean probability is at least T times the largest "
        "(default 0.5)\n"
        "  --hop        seconds between windows (default: 0.5, as irmasd)\n"
        "  --mixdown    average the channels instead of classifying each\n"
        "  --threads    files classified at once (default: one per core)\n"
        "  --gain       play every file DB decibels louder (negative: "
        "quieter), to\n"
        "               measure how the model takes another input level "
        "(default 0)\n"
        "  --plot       also draw the windows' confusion matrix as a PNG\n"
        MODEL_LIMITS_USAGE
        "  -h, --help   this help; --version: the version\n");
}

/* Returns 0 and fills o, or prints why not and returns the exit status. */
static int parse_options(int argc, char **argv, options *o)
{
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'},
        {"weights", required_argument, NULL, 'W'},
        {"teacher", required_argument, NULL, 'T'},
        {"data", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"threshold", required_argument, NULL, 't'},
        {"hop", required_argument, NULL, 'o'},
        {"mixdown", no_argument, NULL, 'x'},
        {"threads", required_argument, NULL, 'n'},
        {"plot", required_argument, NULL, 'P'},
        {"gain", required_argument, NULL, 'g'},
        {"max-model-memory", required_argument, NULL, 'L'},
        {"max-model-ops", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    *o = (options){.threshold = 0.5, .limits = irmas_model_limits_default(),
                   .threads = cores < 1 ? 1
                              : cores > EVAL_MAX_THREADS ? EVAL_MAX_THREADS
                                                         : (int)cores};
    int opt, index = 0;
    opterr = 0; /* tool_bad_flag says it */
    while ((opt = getopt_long(argc, argv, "h", longopts, &index)) != -1) {
        switch (opt) {
        case 'm': o->model_path = optarg; break;
        case 'W': o->weights = optarg; break;
        case 'T': o->teacher_dir = optarg; break;
        case 'd':
            if (o->n_dirs == EVAL_MAX_DIRS) {
                fprintf(stderr, "irmas-eval: error: at most %d --data folders\n",
                        EVAL_MAX_DIRS);
                return 2;
            }
            o->dirs[o->n_dirs++] = optarg;
            break;
        case 'j': o->json = 1; break;
        case 't': o->threshold = tool_parse_fraction(optarg); break;
        case 'o': o->hop_seconds = tool_parse_seconds(optarg); break;
        case 'x': o->mixdown = 1; break;
        case 'n': o->threads = tool_parse_count(optarg); break;
        case 'P': o->plot_path = optarg; break;
        case 'g':
            if (number_real(optarg, -120.0, 60.0, &o->gain_db) != 0) {
                fprintf(stderr, "irmas-eval: error: --gain takes decibels "
                                "from -120 to 60, not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'L':
            if (tool_limits_option("irmas-eval", &o->limits, longopts[index].name,
                                   optarg))
                return 2;
            break;
        case 'h': usage(stdout); exit(0);
        case 'V': printf("irmas-eval %s\n", IRMAS_VERSION); exit(0);
        default: tool_bad_flag("irmas-eval", argv); return 2;
        }
    }
    if (o->n_dirs == 0 || optind != argc ||
        (o->model_path && o->teacher_dir)) {
        usage(stderr);
        return 2;
    }
    if (o->threshold < 0 || o->hop_seconds < 0 || o->threads < 1 ||
        o->threads > EVAL_MAX_THREADS) {
        fprintf(stderr, "irmas-eval: error: --threshold takes a number above 0 and "
                        "at most 1, --hop seconds above 0 and at most 3600, "
                        "--threads a whole number from 1 to %d\n",
                EVAL_MAX_THREADS);
        return 2;
    }
    return 0;
}

/* Adds one window's probabilities to the file's sums and votes. */
static void classify_window(eval_worker *w, const float *samples,
                            double *sums, file_result *r)
{
    int classes = w->job->m->classes;
    if (w->teacher) {
        teacher_run(w->teacher, samples, w->job->m->window_samples, NULL,
                    NULL, w->audioset);
        teacher_irmas_probs(w->audioset, w->probs);
    } else {
        irmas_window_classify(w->runner, samples, w->probs);
    }
    for (int c = 0; c < classes; c++) sums[c] += w->probs[c];
    r->votes[metrics_argmax(w->probs, classes)]++;
    r->windows++;
}

static void classify_channel(eval_worker *w, const float *x, long frames,
                             double *sums, file_result *r)
{
    long size = w->job->m->window_samples;
    if (frames < size) {
        memcpy(w->window, x, (size_t)frames * sizeof *x);
        memset(w->window + frames, 0, (size_t)(size - frames) * sizeof *x);
        classify_window(w, w->window, sums, r);
        return;
    }
    for (long start = 0; start + size <= frames; start += w->job->hop)
        classify_window(w, x + start, sums, r);
}

static void classify_file(eval_worker *w, int index)
{
    const eval_job *job = w->job;
    const char *path = job->d->items[index].path;
    file_result *r = &job->results[index];
    audio_clip clip;
    char err[512];
    if (audio_file_read(path, job->m->sample_rate, job->opt->mixdown, &clip,
                        err, sizeof err)) {
        fprintf(stderr, "irmas-eval: %s; skipped\n", err);
        return;
    }
    if (model_check_rate(job->m, clip.source_rate, path, err, sizeof err)) {
        fprintf(stderr, "irmas-eval: %s; skipped\n", err);
        audio_clip_free(&clip);
        return;
    }
    if (job->opt->gain_db != 0.0) audio_clip_gain(&clip, job->opt->gain_db);
    r->padded = clip.frames < job->m->window_samples;
    double sums[MODEL_MAX_CLASSES] = {0};
    for (int c = 0; c < clip.channels; c++)
        classify_channel(w, clip.data + (long)c * clip.frames, clip.frames,
                         sums, r);
    for (int c = 0; c < job->m->classes; c++)
        r->mean[c] = (float)(sums[c] / (double)r->windows);
    r->read = 1;
    audio_clip_free(&clip);
}

/* One file of the work queue; an unreadable one is skipped, never the
 * rest. */
static int eval_queued(void *worker, int index)
{
    classify_file(worker, index);
    return 0;
}

static void workers_free(eval_worker *workers, int n)
{
    for (int i = 0; i < n; i++) {
        irmas_window_free(workers[i].runner);
        teacher_free(workers[i].teacher);
        free(workers[i].window);
        free(workers[i].probs);
    }
    free(workers);
}

static eval_worker *workers_new(eval_job *job, int n)
{
    eval_worker *workers = calloc((size_t)n, sizeof *workers);
    if (!workers) return NULL;
    for (int i = 0; i < n; i++) {
        char err[512];
        eval_worker *w = &workers[i];
        w->job = job;
        w->window = malloc((size_t)job->m->window_samples * sizeof *w->window);
        w->probs = malloc((size_t)job->m->classes * sizeof *w->probs);
        irmas_status made =
            job->teacher ? teacher_new(job->teacher, job->m->window_samples,
                                       &w->teacher, err, sizeof err)
                         : irmas_window_new(job->m, &w->runner, err, sizeof err);
        if (made || !w->window || !w->probs) {
            fprintf(stderr, "irmas-eval: error: %s\n", made ? err : "out of memory");
            workers_free(workers, i + 1);
            return NULL;
        }
    }
    return workers;
}

/* Classifies every file of job on threads workers; 0 or -1. The BLAS is
 * kept to one thread: the parallelism is across files. */
static int run_threads(eval_job *job, int threads)
{
    eval_worker *workers = workers_new(job, threads);
    if (!workers) return -1;
    gemm_set_threads(1);
    work_queue_run(workers, sizeof *workers, threads, job->d->n_items,
                   eval_queued);
    workers_free(workers, threads);
    return 0;
}

/* The class a top class is scored against: itself when the file has that
 * label, else the file's first label. */
static int scored_truth(const dataset_item *item, int predicted)
{
    return (item->label_mask >> predicted) & 1 ? predicted : item->label;
}

typedef struct {
    metrics *windows, *clips, *labels; /* labels only for multi-label data */
    int files_read;
} eval_tally;

static int tally_new(eval_tally *t, const dataset *d)
{
    memset(t, 0, sizeof *t);
    t->windows = metrics_new(d->classes, d->labels);
    t->clips = metrics_new(d->classes, d->labels);
    if (d->multi_label) t->labels = metrics_new(d->classes, d->labels);
    return t->windows && t->clips && (t->labels || !d->multi_label) ? 0 : -1;
}

static void tally_free(eval_tally *t)
{
    metrics_free(t->windows);
    metrics_free(t->clips);
    metrics_free(t->labels);
}

static void tally_results(eval_tally *t, const eval_job *job)
{
    const dataset *d = job->d;
    for (int i = 0; i < d->n_items; i++) {
        const file_result *r = &job->results[i];
        const dataset_item *item = &d->items[i];
        if (!r->read) continue;
        t->files_read++;
        for (int c = 0; c < d->classes; c++)
            for (long v = 0; v < r->votes[c]; v++)
                metrics_add(t->windows, scored_truth(item, c), c);
        int top = metrics_argmax(r->mean, d->classes);
        metrics_add(t->clips, scored_truth(item, top), top);
        if (t->labels)
            metrics_add_labels(t->labels, item->label_mask,
                               metrics_threshold_labels(
                                   r->mean, d->classes, job->opt->threshold));
    }
}

static void print_report(const eval_tally *t, const eval_job *job,
                         const char *model_path, int skipped)
{
    const irmas_model *m = job->m;
    if (job->teacher)
        tool_describe_teacher(stdout, job->opt->teacher_dir, m);
    else
        tool_describe_model(stdout, model_path, m);
    printf("data   %d files read, %d skipped; %ld windows, one every %.2f s\n",
           t->files_read, skipped, metrics_decisions(t->windows),
           (double)job->hop / m->sample_rate);
    if (job->opt->gain_db != 0.0)
        printf("gain   every file played %+.1f dB\n", job->opt->gain_db);
    printf("\nwindows: each window's top class\n");
    metrics_print(t->windows, stdout);
    printf("\nclips: the top class of each file's mean probabilities\n");
    printf("accuracy   %.4f (%ld of %ld)\nmacro F1   %.4f\n",
           metrics_accuracy(t->clips), metrics_correct(t->clips),
           metrics_decisions(t->clips), metrics_macro_f1(t->clips));
    if (t->labels) {
        printf("\nlabels: every class whose mean probability is at least "
               "%.2f of the file's largest\n", job->opt->threshold);
        metrics_print(t->labels, stdout);
    }
}

static void print_json(const eval_tally *t, const eval_job *job,
                       const char *model_path, int skipped)
{
    const irmas_model *m = job->m;
    json_writer w;
    json_init(&w, stdout);
    json_begin_object(&w, NULL);
    if (job->teacher)
        json_string(&w, "teacher", job->opt->teacher_dir);
    else
        json_string(&w, "model", model_path);
    json_begin_array(&w, "data");
    for (int i = 0; i < job->opt->n_dirs; i++)
        json_string(&w, NULL, job->opt->dirs[i]);
    json_end_array(&w);
    json_integer(&w, "files", t->files_read);
    json_integer(&w, "skipped", skipped);
    json_number(&w, "window_seconds", (double)m->window_samples / m->sample_rate);
    json_number(&w, "hop_seconds", (double)job->hop / m->sample_rate);
    json_number(&w, "gain_db", job->opt->gain_db);
    metrics_json(t->windows, &w);
    json_number(&w, "clip_accuracy", metrics_accuracy(t->clips));
    json_number(&w, "clip_macro_f1", metrics_macro_f1(t->clips));
    json_begin_object(&w, "clips");
    metrics_json(t->clips, &w);
    json_end_object(&w);
    if (t->labels) {
        json_begin_object(&w, "multi_label");
        json_number(&w, "threshold", job->opt->threshold);
        metrics_json(t->labels, &w);
        json_end_object(&w);
    }
    json_end_object(&w);
}

/* Draws the windows' confusion matrix to the --plot picture; 0, or -1 after
 * saying why not. */
static int draw_confusion(const eval_tally *t, const eval_job *job,
                          const char *model_path)
{
    const irmas_model *m = job->m;
    const char *labels[MODEL_MAX_CLASSES];
    long counts[MODEL_MAX_CLASSES * MODEL_MAX_CLASSES];
    for (int truth = 0; truth < m->classes; truth++) {
        labels[truth] = m->labels[truth];
        for (int p = 0; p < m->classes; p++)
            counts[truth * m->classes + p] =
                metrics_confusion(t->windows, truth, p);
    }
    char title[512], err[512];
    snprintf(title, sizeof title, "%s: window accuracy %.3f",
             job->teacher ? job->opt->teacher_dir : model_path,
             metrics_accuracy(t->windows));
    if (plot_confusion(job->opt->plot_path, labels, m->classes, counts, title,
                       err, sizeof err)) {
        fprintf(stderr, "irmas-eval: error: %s\n", err);
        return -1;
    }
    return 0;
}

/* The model's labels as a --classes list, so the data's class indices are
 * the model's. */
static char *class_list(const irmas_model *m)
{
    char *list = malloc((size_t)m->classes * MODEL_LABEL_MAX + 1);
    if (!list) return NULL;
    list[0] = '\0';
    for (int c = 0; c < m->classes; c++) {
        if (c) strcat(list, ",");
        strcat(list, m->labels[c]);
    }
    return list;
}

/* Scans, classifies and reports; the exit status. */
static int evaluate(const irmas_model *m, const teacher_weights *teacher,
                    const char *model_path, const options *o)
{
    char err[512];
    char *classes = class_list(m);
    dataset d;
    dataset_options scan = {.dirs = o->dirs, .n_dirs = o->n_dirs,
                            .classes = classes};
    if (!classes || dataset_scan(&d, &scan, 0, err, sizeof err)) {
        fprintf(stderr, "irmas-eval: error: %s\n", classes ? err : "out of memory");
        free(classes);
        return 1;
    }
    free(classes);
    eval_job job = {.m = m, .teacher = teacher, .d = &d, .opt = o,
                    .hop = tool_hop_samples(m, o->hop_seconds)};
    size_t cells = (size_t)d.n_items * (size_t)m->classes;
    job.results = calloc((size_t)d.n_items, sizeof *job.results);
    float *means = calloc(cells, sizeof *means);
    long *votes = calloc(cells, sizeof *votes);
    eval_tally t = {0};
    int status = 1;
    if (!job.results || !means || !votes || tally_new(&t, &d)) {
        fprintf(stderr, "irmas-eval: error: out of memory for %d files\n", d.n_items);
    } else {
        for (int i = 0; i < d.n_items; i++) {
            job.results[i].mean = means + (size_t)i * m->classes;
            job.results[i].votes = votes + (size_t)i * m->classes;
        }
        int threads = o->threads < d.n_items ? o->threads : d.n_items;
        if (run_threads(&job, threads) == 0) {
            tally_results(&t, &job);
            int skipped = d.skipped + d.n_items - t.files_read;
            if (t.files_read == 0)
                fprintf(stderr, "irmas-eval: error: none of the %d files could be "
                                "read\n", d.n_items);
            else if (o->json)
                print_json(&t, &job, model_path, skipped);
            else
                print_report(&t, &job, model_path, skipped);
            if (skipped)
                fprintf(stderr, "irmas-eval: %d files skipped (see above)\n",
                        skipped);
            int padded = 0;
            for (int i = 0; i < d.n_items; i++) padded += job.results[i].padded;
            if (padded)
                fprintf(stderr, "irmas-eval: warning: %d files shorter than "
                                "the model's %.2f s window were classified "
                                "once, padded with silence\n", padded,
                        (double)m->window_samples / m->sample_rate);
            status = t.files_read == 0;
            if (!status && o->plot_path &&
                draw_confusion(&t, &job, model_path) != 0)
                status = 1;
        }
    }
    tally_free(&t);
    free(means);
    free(votes);
    free(job.results);
    dataset_free(&d);
    return status;
}

/* Loads the teacher's weights from dir and evaluates it; the exit
 * status. */
static int evaluate_teacher(const options *o)
{
    teacher_weights *w = tool_load_teacher("irmas-eval", o->teacher_dir);
    if (!w) return 1;
    irmas_model *shape = tool_teacher_shape();
    int status = 1;
    if (!shape)
        fprintf(stderr, "irmas-eval: error: out of memory\n");
    else
        status = evaluate(shape, w, NULL, o);
    irmas_model_free(shape);
    teacher_weights_free(w);
    return status;
}

int main(int argc, char **argv)
{
    argv[0] = program_invocation_short_name; /* getopt names us so */
    denormals_flush(); /* its worker threads inherit it */
    options o;
    int status = parse_options(argc, argv, &o);
    if (status) return status;
    if (o.teacher_dir) return evaluate_teacher(&o);
    const char *model_path = NULL;
    irmas_model *m = tool_load_model("irmas-eval", o.model_path, &o.limits, o.weights,
                               &model_path);
    if (!m) return 1;
    status = evaluate(m, NULL, model_path, &o);
    irmas_model_free(m);
    return status;
}

/* irmas-tag: which instruments play when, in audio files.
 *
 *   irmas-tag [--model FILE.irm [--weights DIR] | --teacher DIR]
 *             [--hop SECONDS] [--threshold T] [--json | --csv]
 *             [--plot FILE.png] [--recursive] FILE|DIR...
 *
 * Each file is read at the model's rate with its channels mixed down
 * (audio_file.h) and pushed through the streaming classifier (stream.h), as
 * the daemon would hear it; a file shorter than a window is zero-padded to
 * one. Windows start every hop (0.5 s by default, as irmasd; rounded by the
 * stream to whole frames). The timeline has one row per window: where it
 * starts and ends in seconds, its top class and that class's probability.
 * The summary names the classes whose mean probability over the file's
 * windows is at least threshold times the largest mean (irmas-eval's rule
 * for files with several labels), most probable first.
 *
 * A model whose front-end is the AudioSet teacher finds its weights in
 * --weights DIR, $IRMAS_WEIGHTS or the installed folder (pretrained.h).
 *
 * With --teacher DIR the AudioSet teacher (teacher.h) whose weights DIR
 * holds tags instead, zero-shot: its 3-second windows at 32 kHz are each
 * computed whole (it does not stream), and each of our classes is the
 * maximum of its AudioSet labels' probabilities.
 *
 * Output is a plain report, CSV (one row per window, then one "summary"
 * row per file, with every class's probability) or one JSON object; with
 * --plot, a picture of every file's probabilities over time too (plot.h). A
 * file that cannot be read is reported and the next one tagged; the exit
 * status is 1 if any failed. With --recursive a folder stands for the
 * audio files under it, in name order.
 *
 * Under an MPI launcher (`mpirun -np N irmas-tag ...`, cluster.h) the
 * files are shared out over the ranks by length (tag_share.h); each rank
 * tags its own, and rank 0 gathers the results and prints them in the
 * same order, and the same form, as one process would.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_file.h"
#include "cluster.h"
#include "config.h"
#include "denormals.h"
#include "irmas/version.h"
#include "json.h"
#include "metrics.h"
#include "plot.h"
#include "stream.h"
#include "tag_share.h"
#include "tool_common.h"
#include "verdict.h"

typedef enum { FORMAT_TEXT, FORMAT_CSV, FORMAT_JSON } tag_format;

typedef struct {
    const char *model_path;
    const char *weights; /* --weights: a pretrained front-end's, or NULL */
    const char *teacher_dir;
    const char *plot_path; /* --plot: the picture, or NULL */
    double hop_seconds, threshold;
    double gate; /* dBFS: quieter windows are silence; -inf: off */
    tag_format format;
    int recursive; /* a folder argument stands for its audio files */
    irmas_model_limits limits;
} options;

/* The windows of one file, as the stream emits them. A window quieter
 * than the gate (irmasd's, verdict.h) is silence: every probability 0. */
typedef struct {
    int classes;
    const float *samples; /* the file, to measure each window's level */
    long n_samples, window;
    double gate;
    float *probs;     /* [windows][classes] */
    long long *ends;  /* [windows]: the sample just after each window */
    long windows, capacity;
    int out_of_memory;
} timeline;

/* One tagged file, ready to print. */
typedef struct {
    const char *path;
    double seconds;       /* the file's length */
    const timeline *t;
    float mean[MODEL_MAX_CLASSES];
    int tags[MODEL_MAX_CLASSES]; /* classes passing the threshold, best first */
    int n_tags;
} tagged_file;

typedef struct {
    const irmas_model *m; /* with --teacher, only its shape (tool_teacher_shape) */
    teacher *teacher; /* NULL: m runs through a stream */
    const options *opt;
    int hop;
    json_writer json;
    plot_timeline *panels; /* with --plot: a panel per file tagged */
    int n_panels;
} tagger;

static void usage(FILE *to)
{
    fprintf(to,
        "usage: irmas-tag [--model FILE.irm [--weights DIR] | --teacher DIR]\n"
        "                 [--hop SECONDS] [--threshold T] [--gate DBFS|off]\n"
        "                 [--json | --csv] [--plot FILE.png] [--recursive] FILE|DIR...\n"
        TOOL_MODEL_USAGE
        "  --hop        seconds between windows (default: 0.5, as irmasd)\n"
        "  --threshold  a class is a tag when its mean probability is at "
        "least T\n"
        "               times the largest (default 0.5)\n"
        "  --gate       windows quieter than this are silence, as irmasd has\n"
        "               them (default -60; off: none)\n"
        "  --json       one JSON object for all files\n"
        "  --csv        one row per window and a summary row per file\n"
        "  --plot       also draw each file's probabilities over time as a PNG\n"
        "  --recursive  a folder stands for the audio files under it, in "
        "name\n"
        "               order (under mpirun, shared out over the processes; "
        "rank 0\n"
        "               prints what one process would)\n"
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
        {"hop", required_argument, NULL, 'o'},
        {"threshold", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {"csv", no_argument, NULL, 'c'},
        {"recursive", no_argument, NULL, 'r'},
        {"plot", required_argument, NULL, 'P'},
        {"gate", required_argument, NULL, 'g'},
        {"max-model-memory", required_argument, NULL, 'L'},
        {"max-model-ops", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    *o = (options){.threshold = 0.5, .gate = -60.0,
                   .limits = irmas_model_limits_default()};
    int opt, formats = 0, index = 0;
    opterr = 0; /* tool_bad_flag says it */
    while ((opt = getopt_long(argc, argv, "h", longopts, &index)) != -1) {
        switch (opt) {
        case 'm': o->model_path = optarg; break;
        case 'W': o->weights = optarg; break;
        case 'T': o->teacher_dir = optarg; break;
        case 'o': o->hop_seconds = tool_parse_seconds(optarg); break;
        case 't': o->threshold = tool_parse_fraction(optarg); break;
        case 'j': o->format = FORMAT_JSON; formats++; break;
        case 'c': o->format = FORMAT_CSV; formats++; break;
        case 'r': o->recursive = 1; break;
        case 'P': o->plot_path = optarg; break;
        case 'g':
            if (tool_parse_gate("irmas-tag", optarg, &o->gate)) return 2;
            break;
        case 'L':
            if (tool_limits_option("irmas-tag", &o->limits, longopts[index].name,
                                   optarg))
                return 2;
            break;
        case 'h': usage(stdout); exit(0);
        case 'V': printf("irmas-tag %s\n", IRMAS_VERSION); exit(0);
        default: tool_bad_flag("irmas-tag", argv); return 2;
        }
    }
    if (optind == argc || formats > 1 || (o->model_path && o->teacher_dir)) {
        usage(stderr);
        return 2;
    }
    if (o->plot_path && argc - optind > PLOT_MAX_PANELS) {
        fprintf(stderr, "irmas-tag: error: --plot draws at most %d files at once, "
                        "not %d: tag fewer files a picture\n", PLOT_MAX_PANELS,
                argc - optind);
        return 2;
    }
    if (o->threshold < 0 || o->hop_seconds < 0) {
        fprintf(stderr, "irmas-tag: error: --threshold takes a number above 0 and "
                        "at most 1, --hop seconds above 0 and at most 3600\n");
        return 2;
    }
    return 0;
}

static void on_window(void *user, const float *probs, long long end_sample)
{
    timeline *t = user;
    if (t->out_of_memory) return;
    if (t->windows == t->capacity) {
        long capacity = t->capacity ? 2 * t->capacity : 64;
        float *p = realloc(t->probs, (size_t)capacity * (size_t)t->classes *
                                         sizeof *p);
        if (p) t->probs = p;
        long long *e = realloc(t->ends, (size_t)capacity * sizeof *e);
        if (e) t->ends = e;
        if (!p || !e) {
            t->out_of_memory = 1;
            return;
        }
        t->capacity = capacity;
    }
    float *out = t->probs + t->windows * t->classes;
    memcpy(out, probs, (size_t)t->classes * sizeof *probs);
    double sum = 0.0;
    for (long long i = end_sample - t->window; i < end_sample; i++)
        if (i >= 0 && i < t->n_samples) sum += (double)t->samples[i] * t->samples[i];
    if (verdict_level_dbfs(sum / (double)t->window) < t->gate)
        memset(out, 0, (size_t)t->classes * sizeof *out);
    t->ends[t->windows++] = end_sample;
}

/* Whether window i was silence (quieter than the gate). */
static int window_silent(const timeline *t, long i)
{
    for (int c = 0; c < t->classes; c++)
        if (t->probs[i * t->classes + c] != 0.0f) return 0;
    return 1;
}

/* The mean of the windows that were not silence and the classes that pass
 * the threshold, the most probable first; no tags when all were silence. */
static void summarise(tagged_file *f, double threshold)
{
    const timeline *t = f->t;
    long heard = 0;
    for (long i = 0; i < t->windows; i++) heard += !window_silent(t, i);
    for (int c = 0; c < t->classes; c++) {
        double sum = 0.0;
        for (long i = 0; i < t->windows; i++) sum += t->probs[i * t->classes + c];
        f->mean[c] = heard ? (float)(sum / (double)heard) : 0.0f;
    }
    f->n_tags = 0;
    if (!heard) return;
    uint64_t tags = metrics_threshold_labels(f->mean, t->classes, threshold);
    for (int c = 0; c < t->classes; c++) {
        if (!((tags >> c) & 1)) continue;
        int at = f->n_tags++;
        while (at > 0 && f->mean[f->tags[at - 1]] < f->mean[c]) {
            f->tags[at] = f->tags[at - 1];
            at--;
        }
        f->tags[at] = c;
    }
}

/* ---- the three formats ---- */

static void csv_field(const char *text)
{
    if (!strpbrk(text, ",\"\n\r")) {
        fputs(text, stdout);
        return;
    }
    putchar('"');
    for (const char *p = text; *p; p++) {
        if (*p == '"') putchar('"');
        putchar(*p);
    }
    putchar('"');
}

static void csv_row(const tagged_file *f, const char *kind, double start,
                    double end, const char *label, float probability,
                    const float *probs)
{
    csv_field(f->path);
    printf(",%s,%.3f,%.3f,", kind, start, end);
    csv_field(label);
    printf(",%.4f", probability);
    for (int c = 0; c < f->t->classes; c++) printf(",%.4f", probs[c]);
    putchar('\n');
}

/* Window i's start and end in seconds; returns its top class, or -1 for
 * silence. */
static int window_top(const tagger *g, const timeline *t, long i,
                       double *start, double *end)
{
    double rate = g->m->sample_rate;
    *end = (double)t->ends[i] / rate;
    *start = (double)(t->ends[i] - g->m->window_samples) / rate;
    if (window_silent(t, i)) return -1;
    return metrics_argmax(t->probs + i * t->classes, t->classes);
}

/* What window i is called: its top class's label, or "silence". */
static const char *window_label(const tagger *g, int top)
{
    return top < 0 ? "silence" : g->m->labels[top];
}

/* The top class's probability; 0 for silence. */
static float window_probability(const timeline *t, long i, int top)
{
    return top < 0 ? 0.0f : t->probs[i * t->classes + top];
}

static void print_text(const tagger *g, const tagged_file *f)
{
    const timeline *t = f->t;
    printf("\n%s: %.2f s, %ld windows\n", f->path, f->seconds, t->windows);
    for (long i = 0; i < t->windows; i++) {
        double start, end;
        int top = window_top(g, t, i, &start, &end);
        if (top < 0) printf("  %8.2f %8.2f  (silence)\n", start, end);
        else printf("  %8.2f %8.2f  %-12s %.3f\n", start, end, g->m->labels[top],
                    t->probs[i * t->classes + top]);
    }
    printf("  tags:%s", f->n_tags ? "" : " silence");
    for (int k = 0; k < f->n_tags; k++)
        printf("%s %s %.3f", k ? "," : "", g->m->labels[f->tags[k]],
               f->mean[f->tags[k]]);
    putchar('\n');
}

static void print_csv(const tagger *g, const tagged_file *f)
{
    const timeline *t = f->t;
    for (long i = 0; i < t->windows; i++) {
        double start, end;
        int top = window_top(g, t, i, &start, &end);
        const float *probs = t->probs + i * t->classes;
        csv_row(f, "window", start, end, window_label(g, top),
                window_probability(t, i, top), probs);
    }
    char tags[MODEL_MAX_CLASSES * MODEL_LABEL_MAX] = "silence";
    for (int k = 0; k < f->n_tags; k++) {
        if (k) strcat(tags, " ");
        else tags[0] = '\0';
        strcat(tags, g->m->labels[f->tags[k]]);
    }
    csv_row(f, "summary", 0.0, f->seconds, tags,
            f->n_tags ? f->mean[f->tags[0]] : 0.0f, f->mean);
}

static void print_json(tagger *g, const tagged_file *f)
{
    const timeline *t = f->t;
    json_writer *w = &g->json;
    json_begin_object(w, NULL);
    json_string(w, "file", f->path);
    json_number(w, "seconds", f->seconds);
    json_begin_array(w, "windows");
    for (long i = 0; i < t->windows; i++) {
        double start, end;
        int top = window_top(g, t, i, &start, &end);
        json_begin_flat_object(w, NULL);
        json_number(w, "start", start);
        json_number(w, "end", end);
        json_string(w, "label", window_label(g, top));
        json_number(w, "probability", window_probability(t, i, top));
        json_end_object(w);
    }
    json_end_array(w);
    json_begin_array(w, "tags");
    for (int k = 0; k < f->n_tags; k++)
        json_string(w, NULL, g->m->labels[f->tags[k]]);
    json_end_array(w);
    json_begin_flat_object(w, "mean");
    for (int c = 0; c < t->classes; c++)
        json_number(w, g->m->labels[c], f->mean[c]);
    json_end_object(w);
    json_end_object(w);
}

static void print_begin(tagger *g)
{
    const irmas_model *m = g->m;
    if (g->opt->format == FORMAT_TEXT) {
        if (g->teacher)
            tool_describe_teacher(stdout, g->opt->teacher_dir, m);
        else
            tool_describe_model(stdout, g->opt->model_path, m);
        printf("hop    %.2f s; tags: mean probability at least %.2f of the "
               "largest\n", (double)g->hop / m->sample_rate,
               g->opt->threshold);
    } else if (g->opt->format == FORMAT_CSV) {
        printf("file,kind,start,end,label,probability");
        for (int c = 0; c < m->classes; c++) {
            putchar(',');
            csv_field(m->labels[c]);
        }
        putchar('\n');
    } else {
        json_init(&g->json, stdout);
        json_begin_object(&g->json, NULL);
        if (g->teacher)
            json_string(&g->json, "teacher", g->opt->teacher_dir);
        else
            json_string(&g->json, "model", g->opt->model_path);
        json_number(&g->json, "window_seconds",
                    (double)m->window_samples / m->sample_rate);
        json_number(&g->json, "hop_seconds", (double)g->hop / m->sample_rate);
        json_number(&g->json, "threshold", g->opt->threshold);
        json_begin_array(&g->json, "files");
    }
}

static void print_end(tagger *g, int failed)
{
    if (g->opt->format != FORMAT_JSON) return;
    json_end_array(&g->json);
    json_integer(&g->json, "failed", failed);
    json_end_object(&g->json);
}

/* ---- tagging ---- */

/* Streams clip through s into t, zero-padding it to a whole window. */
static void stream_clip(irmas_stream *s, const irmas_model *m, const audio_clip *clip,
                        timeline *t)
{
    irmas_stream_reset(s);
    irmas_stream_push(s, clip->data, clip->frames, on_window, t);
    long missing = m->window_samples - clip->frames;
    if (missing > 0) {
        float *zeros = calloc((size_t)missing, sizeof *zeros);
        if (zeros) irmas_stream_push(s, zeros, missing, on_window, t);
        t->out_of_memory |= !zeros;
        free(zeros);
    }
}

/* Runs the teacher on every window of clip that starts on a hop, or on the
 * clip zero-padded to one window when it is shorter, into t. */
static void teacher_clip(const tagger *g, const audio_clip *clip, timeline *t)
{
    long size = g->m->window_samples;
    float audioset[TEACHER_LABELS], probs[TEACHER_IRMAS_CLASSES];
    float *padded = NULL;
    const float *x = clip->data;
    if (clip->frames < size) {
        padded = calloc((size_t)size, sizeof *padded);
        if (!padded) {
            t->out_of_memory = 1;
            return;
        }
        memcpy(padded, x, (size_t)clip->frames * sizeof *padded);
        x = padded;
    }
    long frames = clip->frames < size ? size : clip->frames;
    for (long start = 0; start + size <= frames; start += g->hop) {
        teacher_run(g->teacher, x + start, size, NULL, NULL, audioset);
        teacher_irmas_probs(audioset, probs);
        on_window(t, probs, start + size);
    }
    free(padded);
}

/* Hands t's windows over to g's next picture panel (t's probabilities then
 * belong to the panel). Out of memory, the file is left out of the picture
 * and the picture says nothing of it: the tool says so on stderr. */
static void keep_for_plot(tagger *g, const tagged_file *f, timeline *t)
{
    double *ends = malloc((size_t)t->windows * sizeof *ends);
    if (!ends) {
        fprintf(stderr, "irmas-tag: %s: out of memory, left out of the "
                        "picture\n", f->path);
        return;
    }
    double rate = g->m->sample_rate;
    for (long i = 0; i < t->windows; i++) ends[i] = (double)t->ends[i] / rate;
    g->panels[g->n_panels++] = (plot_timeline){
        .title = f->path, .probs = t->probs, .ends = ends,
        .windows = t->windows, .seconds = f->seconds,
        .window = g->m->window_samples / rate, .hop = g->hop / rate};
    t->probs = NULL;
}

/* Draws the files g kept to the --plot picture and frees them; 0, or -1
 * after saying why not. */
static int draw_plot(tagger *g)
{
    const char *labels[MODEL_MAX_CLASSES];
    for (int c = 0; c < g->m->classes; c++) labels[c] = g->m->labels[c];
    char err[512];
    int status = 0;
    if (g->n_panels == 0) {
        fprintf(stderr, "irmas-tag: error: %s not drawn: no file was tagged\n",
                g->opt->plot_path);
        status = -1;
    } else if (plot_timelines(g->opt->plot_path, labels, g->m->classes,
                              g->panels, g->n_panels, err, sizeof err)) {
        fprintf(stderr, "irmas-tag: error: %s\n", err);
        status = -1;
    }
    for (int p = 0; p < g->n_panels; p++) {
        free((float *)g->panels[p].probs);
        free((double *)g->panels[p].ends);
    }
    free(g->panels);
    return status;
}

/* Says why a file was not tagged, on stderr and in the JSON. */
static void report_failure(tagger *g, const char *path, const char *why)
{
    fprintf(stderr, "irmas-tag: error: %s\n", why);
    if (g->opt->format != FORMAT_JSON) return;
    json_begin_flat_object(&g->json, NULL);
    json_string(&g->json, "file", path);
    json_string(&g->json, "error", why);
    json_end_object(&g->json);
}

/* Reads path and tags it into t (whose arrays the caller frees) and
 * *seconds; 0, or -1 with the reason in err. */
static int tag_timeline(tagger *g, irmas_stream *s, const char *path, timeline *t,
                        double *seconds, char *err, size_t errlen)
{
    audio_clip clip;
    *t = (timeline){.classes = g->m->classes};
    if (audio_file_read(path, g->m->sample_rate, 1, &clip, err, errlen))
        return -1;
    if (model_check_rate(g->m, clip.source_rate, path, err, errlen)) {
        audio_clip_free(&clip);
        return -1;
    }
    if (clip.frames < g->m->window_samples)
        fprintf(stderr, "irmas-tag: warning: %s: %.2f s, shorter than the "
                        "model's %.2f s window: classified once, padded with "
                        "silence\n", path,
                (double)clip.frames / g->m->sample_rate,
                (double)g->m->window_samples / g->m->sample_rate);
    t->samples = clip.data;
    t->n_samples = clip.frames;
    t->window = g->m->window_samples;
    t->gate = g->opt->gate;
    if (g->teacher)
        teacher_clip(g, &clip, t);
    else
        stream_clip(s, g->m, &clip, t);
    *seconds = (double)clip.frames / g->m->sample_rate;
    audio_clip_free(&clip);
    t->samples = NULL;
    if (!t->out_of_memory && t->windows > 0) return 0;
    snprintf(err, errlen, "%s: out of memory after %ld windows", path,
             t->windows);
    return -1;
}

/* Prints a tagged file, or why it failed (error not NULL); with --plot,
 * keeps t's windows for the picture (keep_for_plot). */
static void print_file(tagger *g, const char *path, timeline *t,
                       double seconds, const char *error)
{
    if (error) {
        report_failure(g, path, error);
        return;
    }
    tagged_file f = {.path = path, .t = t, .seconds = seconds};
    summarise(&f, g->opt->threshold);
    if (g->opt->format == FORMAT_TEXT) print_text(g, &f);
    else if (g->opt->format == FORMAT_CSV) print_csv(g, &f);
    else print_json(g, &f);
    if (g->panels) keep_for_plot(g, &f, t);
}

/* Tags one file and prints it; 0, or -1 after saying why not. */
static int tag_file(tagger *g, irmas_stream *s, const char *path)
{
    timeline t;
    double seconds = 0.0;
    char err[512];
    int status = tag_timeline(g, s, path, &t, &seconds, err, sizeof err);
    print_file(g, path, &t, seconds, status ? err : NULL);
    free(t.probs);
    free(t.ends);
    return status;
}

/* Tags this rank's files of list into records on out; 0 or -1. */
static int tag_mine(tagger *g, irmas_stream *s, const tag_share *list, FILE *out)
{
    int status = 0;
    for (int i = 0; i < list->n && status == 0; i++) {
        if (list->owner[i] != cluster_rank()) continue;
        timeline t;
        double seconds = 0.0;
        char err[512];
        int failed = tag_timeline(g, s, list->paths[i], &t, &seconds, err,
                                  sizeof err);
        tag_record r = {.index = i, .classes = t.classes,
                        .windows = t.windows, .seconds = seconds,
                        .probs = t.probs, .ends = t.ends,
                        .error = failed ? err : NULL};
        status = tag_share_write(out, &r);
        free(t.probs);
        free(t.ends);
    }
    return status;
}

/* Rank 0: prints the gathered records of every file of list in list
 * order; returns how many failed, or -1 if records are missing. */
static int print_records(tagger *g, const tag_share *list, const char *all,
                         size_t size)
{
    tag_record *records = calloc((size_t)list->n + 1, sizeof *records);
    if (!records) return -1;
    int found = 0, failed = 0;
    tag_record r;
    for (const char *at = all; tag_share_read(&at, all + size, &r) == 0;)
        if (r.index >= 0 && r.index < list->n && r.classes == g->m->classes) {
            found += records[r.index].classes == 0;
            records[r.index] = r;
        }
    for (int i = 0; i < list->n && found == list->n; i++) {
        /* The probabilities copied: --plot keeps them past the buffer. */
        size_t bytes = (size_t)records[i].windows * records[i].classes *
                       sizeof(float);
        timeline t = {.classes = records[i].classes,
                      .probs = malloc(bytes + 1),
                      .ends = (long long *)records[i].ends,
                      .windows = records[i].windows};
        if (!t.probs) {
            failed = -1;
            break;
        }
        memcpy(t.probs, records[i].probs, bytes);
        print_file(g, list->paths[i], &t, records[i].seconds,
                   records[i].error);
        failed += records[i].error != NULL;
        free(t.probs);
    }
    free(records);
    return found == list->n ? failed : -1;
}

/* Tags list over the ranks of the job; rank 0 prints; the failures. */
static int tag_shared(tagger *g, irmas_stream *s, const tag_share *list)
{
    char *mine = NULL, *all = NULL;
    size_t mine_size = 0, all_size = 0;
    FILE *out = open_memstream(&mine, &mine_size);
    if (!out || tag_mine(g, s, list, out) != 0 || fclose(out) != 0) {
        fprintf(stderr, "irmas-tag: error: rank %d: out of memory for the "
                        "results\n", cluster_rank());
        cluster_abort(1);
    }
    if (cluster_gather_text(mine, mine_size, &all, &all_size) != 0)
        cluster_abort(1);
    free(mine);
    int failed = 0;
    if (cluster_is_root()) failed = print_records(g, list, all, all_size);
    free(all);
    if (failed < 0) {
        fprintf(stderr, "irmas-tag: error: the ranks' results are incomplete\n");
        cluster_abort(1);
    }
    return failed;
}

/* Tags every file of list with g, alone or shared over the ranks; the
 * exit status. */
static int tag_files(tagger *g, irmas_stream *s, const tag_share *list)
{
    if (g->opt->plot_path && cluster_is_root()) {
        g->panels = calloc((size_t)list->n + 1, sizeof *g->panels);
        if (!g->panels) {
            fprintf(stderr, "irmas-tag: error: out of memory for --plot\n");
            cluster_abort(1);
        }
    }
    if (cluster_is_root()) print_begin(g);
    int failed = 0;
    if (cluster_size() > 1) {
        failed = tag_shared(g, s, list);
    } else {
        for (int i = 0; i < list->n; i++) {
            failed += tag_file(g, s, list->paths[i]) != 0;
            fflush(stdout);
        }
    }
    if (!cluster_is_root()) return 0;
    print_end(g, failed);
    if (failed)
        fprintf(stderr, "irmas-tag: error: %d of %d files failed\n", failed,
                list->n);
    int not_drawn = g->opt->plot_path && draw_plot(g) != 0;
    return failed || not_drawn ? 1 : 0;
}

/* Loads the teacher's weights and tags with it; the exit status. A
 * teacher that cannot be loaded stops every rank (cluster_abort). */
static int tag_with_teacher(const options *o, const tag_share *list)
{
    teacher_weights *w = tool_load_teacher("irmas-tag", o->teacher_dir);
    if (!w) cluster_abort(1);
    irmas_model *shape = tool_teacher_shape();
    char err[512] = "out of memory";
    teacher *t = NULL;
    int status = 1;
    if (!shape ||
        teacher_new(w, shape->window_samples, &t, err, sizeof err)) {
        fprintf(stderr, "irmas-tag: error: %s\n", err);
        cluster_abort(1);
    } else {
        tagger g = {.m = shape, .teacher = t, .opt = o,
                    .hop = tool_hop_samples(shape, o->hop_seconds)};
        status = tag_files(&g, NULL, list);
    }
    teacher_free(t);
    irmas_model_free(shape);
    teacher_weights_free(w);
    return status;
}

/* Tags with the model of o (loaded, with a stream); the exit status. A
 * model that cannot be loaded stops every rank (cluster_abort). */
static int tag_with_model(options *o, const tag_share *list)
{
    irmas_model *m = tool_load_model("irmas-tag", o->model_path, &o->limits,
                               o->weights, &o->model_path);
    if (!m) cluster_abort(1);
    char err[512];
    irmas_stream *s = NULL;
    if (irmas_stream_new(m, tool_hop_samples(m, o->hop_seconds), &s, err,
                   sizeof err)) {
        fprintf(stderr, "irmas-tag: error: %s\n", err);
        irmas_model_free(m);
        cluster_abort(1);
    }
    tagger g = {.m = m, .opt = o, .hop = irmas_stream_hop(s)};
    int status = tag_files(&g, s, list);
    irmas_stream_free(s);
    irmas_model_free(m);
    return status;
}

int main(int argc, char **argv)
{
    if (cluster_init(&argc, &argv) != 0) return 1;
    argv[0] = program_invocation_short_name; /* getopt names us so */
    denormals_flush();
    options o;
    tag_share list;
    char err[512];
    int status = parse_options(argc, argv, &o);
    if (status == 0 &&
        tag_share_new(&list, argv + optind, argc - optind, o.recursive, err,
                      sizeof err) != 0) {
        if (err[0]) fprintf(stderr, "irmas-tag: error: %s\n", err);
        status = 1;
    }
    if (status == 0 && o.plot_path && list.n > PLOT_MAX_PANELS) {
        fprintf(stderr, "irmas-tag: error: --plot draws at most %d files at "
                        "once, not %d\n", PLOT_MAX_PANELS, list.n);
        tag_share_free(&list);
        status = 2;
    }
    if (status) cluster_abort(status);
    status = o.teacher_dir ? tag_with_teacher(&o, &list)
                           : tag_with_model(&o, &list);
    tag_share_free(&list);
    cluster_finish();
    return status;
}

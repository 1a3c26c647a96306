/* irmas-train: train one of the study's classifiers (recurrent, CNN or
 * CRNN) or the statistics baseline on labelled audio and write it as a
 * .irm model.
 *
 *   irmas-train --data DIR [--data DIR ...] --out FILE.irm [options]
 *   irmas-train --resume CHECKPOINT [--epochs N ...]
 *
 * (run_options.h has every flag; `irmas-train --help` lists them.) The run
 * goes in five steps:
 *   1. the data: dataset_scan finds the files and their classes,
 *      dataset_split deals their source recordings out to training,
 *      validation and test; --unlabelled audio goes to training only;
 *   2. the model: network.h builds it from the flags;
 *   3. the examples: every file read once and turned into the model's
 *      frames and image (examples.h); with --teacher, the teacher's soft
 *      target for every example, from its cache or computed (distill.h),
 *      and with --unlabelled-confidence, only the unlabelled windows it
 *      hears the classes in; feature statistics from the training split;
 *   4. training (trainer.h): epochs of minibatch Adam, the best model by
 *      validation loss written to --out as it appears, a checkpoint after
 *      every epoch;
 *   5. the report: the best model on the held-out test split (accuracy,
 *      per-class precision, recall and F1, confusion matrix) on stdout,
 *      and the final model saved with its provenance: the data, the
 *      command line, the date and these figures.
 * Progress and per-epoch lines go to stderr. Exit status: 0 done, 1 the
 * run failed, 2 the command line is wrong.
 *
 * Under an MPI launcher (`mpirun -np N irmas-train ...`, cluster.h) every
 * rank runs these steps on the same data and trains its share of every
 * batch (trainer.h); rank 0 alone writes the files and the report, and a
 * rank that fails stops the whole job.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cluster.h"
#include "cluster_index.h"
#include "config.h"
#include "irmas/version.h"
#include "dataset.h"
#include "denormals.h"
#include "examples.h"
#include "file_cache.h"
#include "gemm.h"
#include "metrics.h"
#include "model_file.h"
#include "model_teacher.h"
#include "network.h"
#include "pretrained.h"
#include "run_options.h"
#include "teacher_source.h"
#include "tool_common.h"
#include "trainer.h"

/* Everything the run holds, so that one function can free it. */
typedef struct {
    run_options o;
    checkpoint resumed;  /* the checkpoint read by --resume */
    char **stored_argv;  /* its options, split; they point into it */
    char *run;           /* this run's options for new checkpoints */
    size_t run_size;
    dataset d;
    dataset unlabelled;  /* --unlabelled: its items follow d's */
    int *assignment;     /* [items of both]: SPLIT_* */
    irmas_model *m;
    irmas_model *init;   /* --init: the model to start from */
    example_set e;
    example_split split;
    int unreadable;      /* files that could not be read */
    distill_teacher teacher;  /* --teacher */
    void (*teacher_close)(distill_teacher *); /* its kind's, or NULL */
    distill_targets targets;  /* its targets for e */
    char *provenance;
    trainer *t;
} run;

static void run_free(run *r)
{
    trainer_free(r->t);
    free(r->provenance);
    distill_targets_free(&r->targets);
    if (r->teacher_close) r->teacher_close(&r->teacher);
    example_split_free(&r->split);
    examples_free(&r->e);
    irmas_model_free(r->m);
    irmas_model_free(r->init);
    free(r->assignment);
    dataset_free(&r->unlabelled);
    dataset_free(&r->d);
    free(r->run);
    free(r->stored_argv);
    checkpoint_free(&r->resumed);
}

static int fail(const char *message)
{
    fprintf(stderr, "irmas-train: error: %s\n", message);
    return 1;
}

/* Says how the run goes, on stderr: from rank 0 alone under mpirun, so
 * the lines come once, not once a rank. */
static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
    if (!cluster_is_root()) return;
    va_list args;
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
}

/* ---- 0. the command line ---------------------------------------------- */

/* With --resume: the checkpoint's options first, this command's over
 * them, and the two must agree on what defines the run. */
static int resume_options(run *r, int argc, char **argv)
{
    char err[512];
    const char *path = r->o.resume;
    if (checkpoint_load(path, &r->resumed, err, sizeof err) != IRMAS_OK)
        return fail(err);
    int n;
    r->stored_argv = run_options_split("irmas-train", r->resumed.run,
                                       r->resumed.run_size, &n);
    run_options before;
    run_options_defaults(&before);
    if (!r->stored_argv || run_options_parse(&before, n, r->stored_argv) != 0)
        return fail("the checkpoint's options cannot be read back; it was "
                    "written by another version of irmas-train");
    r->o = before;
    int status = run_options_parse(&r->o, argc, argv);
    if (status != 0) return status;
    r->o.resume = path;
    size_t was_size, is_size;
    char *was = run_options_defining(&before, &was_size);
    char *is = run_options_defining(&r->o, &is_size);
    int same = was && is && run_options_same_run(was, was_size, is, is_size,
                                                 err, sizeof err);
    free(was);
    free(is);
    if (!same) {
        fprintf(stderr, "irmas-train: error: %s: %s\n", path,
                was && is ? err : "out of memory");
        return 2;
    }
    return 0;
}

/* 0 when path's folder exists and is writable; else says so. */
static int check_writable(const char *flag, const char *path)
{
    char *copy = strdup(path);
    if (!copy) return fail("out of memory");
    char *slash = strrchr(copy, '/');
    const char *dir = slash ? (slash == copy ? "/" : copy) : ".";
    if (slash && slash != copy) *slash = '\0';
    int ok = access(dir, W_OK) == 0;
    if (!ok)
        fprintf(stderr, "irmas-train: error: %s %s: cannot write into the folder "
                        "'%s'; create it or choose another place\n",
                flag, path, dir);
    free(copy);
    return ok ? 0 : 2;
}

/* The network the options o describe, over the given classes. */
static network_spec spec_of(const run_options *o, int classes,
                            const char (*labels)[MODEL_LABEL_MAX])
{
    network_spec spec = {
        .sample_rate = o->rate,
        .window_samples = (int)(o->window * o->rate + 0.5),
        .norm = o->norm, .cell = o->cell,
        .gru_reset_after = o->gru_reset_after, .hidden = o->hidden,
        .dense = o->dense, .stats = o->family == ARCH_STATS,
        .cnn = o->arch,
        .image = {.kind = o->image, .size = o->image_size,
                  .channels = o->image_channels},
        .classes = classes};
    if (o->family == ARCH_CNN)
        spec.frontend = (frontend_params){0}; /* it reads no frames */
    else if (o->frontend == FRONTEND_RAW)
        spec.frontend = (frontend_params){.kind = FRONTEND_RAW,
                                          .frame = o->frame};
    else if (o->frontend == FRONTEND_EFFICIENTAT_MN04)
        spec.frontend = (frontend_params){.kind = o->frontend};
    else
        spec.frontend = (frontend_params){
            .kind = FRONTEND_LOGMEL, .frame = o->hop, .fft_size = o->fft,
            .mels = o->mels, .fmin = 0.0f, .fmax = o->rate / 2.0f};
    memcpy(spec.labels, labels, sizeof spec.labels);
    return spec;
}

/* 1 if the options o build a network with m's input and layers, its
 * classes aside. The pretrained front-end's weights, which m names by
 * checksum, are found and checked when the run's network is built. */
static int builds_network_of(const run_options *o, const irmas_model *m)
{
    network_spec spec = spec_of(o, m->classes, m->labels);
    if (spec.frontend.kind == m->frontend.kind)
        spec.frontend.checksum = m->frontend.checksum;
    irmas_model *built;
    char err[1024];
    if (network_build(&spec, &built, err, sizeof err) != IRMAS_OK) return 0;
    int same = model_same_body(built, m, err, sizeof err) == IRMAS_OK;
    irmas_model_free(built);
    return same;
}

/* --init: the options that shape the network and were left out become
 * those that build the model's own. Each shape --model names (or the one
 * given) is tried with the model's input and sizes until one builds its
 * layers, so `--init MODEL` alone fine-tunes what the file holds, and
 * `--init MODEL --model cnn-mel` takes the width of its hidden layer from
 * the file. When the options given rule out every shape, they stay as
 * given, and build_model says what differs. */
static int adopt_init_network(run *r)
{
    char err[1024];
    if (irmas_model_load(r->o.init, &r->init, err, sizeof err) != IRMAS_OK)
        return fail(err);
    for (int i = 0; i < MODEL_ARCH_COUNT; i++) {
        run_options o = r->o;
        model_arch arch;
        model_arch_at(i, &arch);
        if (!run_options_network_of(&o, r->init, &arch) ||
            !builds_network_of(&o, r->init))
            continue;
        char name[32], input[128];
        model_arch_name(&arch, name, sizeof name);
        model_describe_input(r->init, input, sizeof input);
        note("--init %s: its network, --model %s on %s\n", r->o.init, name,
             input);
        r->o = o;
        return 0;
    }
    if (run_options_network_given(&r->o)) return 0;
    fprintf(stderr, "irmas-train: error: --init %s: no --model builds its "
                    "network; give the options it was trained with "
                    "(irmas-model info %s shows them)\n",
            r->o.init, r->o.init);
    return 2;
}

/* 0 to go on, -1 after --help, else the exit status. */
static int read_options(run *r, int argc, char **argv)
{
    run_options_defaults(&r->o);
    int status = run_options_parse(&r->o, argc, argv);
    if (status == 1) return -1;
    if (status == 0 && r->o.resume) status = resume_options(r, argc, argv);
    else if (status == 0 && r->o.init)
        status = adopt_init_network(r);
    if (status == 0) status = run_options_check(&r->o);
    if (status == 0) status = check_writable("--out", r->o.out);
    if (status == 0 && r->o.checkpoint)
        status = check_writable("--checkpoint", r->o.checkpoint);
    if (status == 0 && r->o.log) status = check_writable("--log", r->o.log);
    if (status == 0) {
        r->run = run_options_args(&r->o, &r->run_size);
        if (!r->run) return fail("out of memory");
    }
    return status;
}

/* ---- 1. the data -------------------------------------------------------- */

static int find_data(run *r)
{
    char err[1024];
    dataset_options opt = {.dirs = r->o.dirs, .n_dirs = r->o.n_dirs,
                           .classes = r->o.classes[0] ? r->o.classes : NULL,
                           .split_by = r->o.split_by};
    int status = 0;
    if (cluster_is_root() &&
        dataset_scan(&r->d, &opt, 1, err, sizeof err) != IRMAS_OK)
        status = fail(err);
    if (cluster_size() > 1) status = cluster_share_index(&r->d, status == 0);
    if (status != 0) return status;
    if (r->o.n_unlabelled > 0) {
        if (cluster_is_root() &&
            dataset_scan_unlabelled(&r->unlabelled, r->o.unlabelled,
                                    r->o.n_unlabelled, err,
                                    sizeof err) != IRMAS_OK) {
            fprintf(stderr, "irmas-train: error: --unlabelled: %s\n", err);
            status = 1;
        }
        if (cluster_size() > 1)
            status = cluster_share_index(&r->unlabelled, status == 0);
        if (status != 0) return status;
    }
    if (cluster_size() > 1)
        note("data: %d files, scanned once and shared with %d processes\n",
             r->d.n_items + r->unlabelled.n_items, cluster_size());
    int labelled = r->d.n_items, items = labelled + r->unlabelled.n_items;
    r->assignment = malloc((size_t)items * sizeof *r->assignment);
    if (!r->assignment) return fail("out of memory");
    dataset_split(&r->d, r->o.val_fraction, r->o.test_fraction, r->o.seed,
                  r->assignment);
    for (int i = labelled; i < items; i++) r->assignment[i] = SPLIT_TRAIN;
    if (r->d.multi_label)
        fprintf(stderr, "irmas-train: error: some files have several labels; each "
                        "is trained as its first\n");
    return 0;
}

/* ---- 2. the model ------------------------------------------------------- */

/* --init with another class set: says which classes keep the model's
 * softmax weights and which start from the seed's. */
static void say_classes_carried(const run *r)
{
    char kept[MODEL_MAX_CLASSES * MODEL_LABEL_MAX] = "",
         fresh[MODEL_MAX_CLASSES * MODEL_LABEL_MAX] = "";
    int same_order = r->m->classes == r->init->classes;
    for (int c = 0; c < r->m->classes; c++) {
        int f = irmas_model_class_index(r->init, r->m->labels[c]);
        char *list = f >= 0 ? kept : fresh;
        same_order &= f == c;
        snprintf(list + strlen(list), sizeof kept - strlen(list), "%s%s",
                 list[0] ? " " : "", r->m->labels[c]);
    }
    if (same_order) return;
    note("--init %s: another class set: the softmax starts from its weights "
         "for %s, from the seed's for %s\n",
         r->o.init, kept[0] ? kept : "no class", fresh[0] ? fresh : "no class");
}

/* --init: the model to start from, read now so that one built from
 * other options is refused before any file is read. A resumed run takes
 * its weights from the checkpoint and reads the model only to quote its
 * provenance, so there a model that has gone is a warning. */
static int load_init(run *r)
{
    char err[1024];
    irmas_status status =
        r->init ? IRMAS_OK
                : irmas_model_load(r->o.init, &r->init, err, sizeof err);
    if (status != IRMAS_OK && r->o.resume) {
        fprintf(stderr, "irmas-train: warning: --init: %s; the provenance "
                        "will name it without quoting its own\n", err);
        return 0;
    }
    if (status != IRMAS_OK) return fail(err);
    if (model_same_body(r->m, r->init, err, sizeof err) == IRMAS_OK) {
        say_classes_carried(r);
        return 0;
    }
    fprintf(stderr, "irmas-train: error: --init %s: not the network these "
                    "options build: %s; leave out the options that shape "
                    "the network to train its own, or give those it was "
                    "trained with (irmas-model info %s shows them)\n",
            r->o.init, err, r->o.init);
    return 2;
}

static int build_model(run *r)
{
    const run_options *o = &r->o;
    network_spec spec = spec_of(o, r->d.classes, r->d.labels);
    char err[4096];
    if (network_build(&spec, &r->m, err, sizeof err) != IRMAS_OK ||
        pretrained_adopt(r->m, o->weights, err, sizeof err) != IRMAS_OK)
        return fail(err);
    return o->init ? load_init(r) : 0;
}

/* ---- 3. the examples ---------------------------------------------------- */

/* Refuses splits that cannot train or validate, naming what to change. */
static int check_split(const run *r)
{
    const example_split *s = &r->split;
    if (s->count[SPLIT_TRAIN] == 0 || s->count[SPLIT_VALIDATION] == 0) {
        fprintf(stderr, "irmas-train: error: the %s split is empty: the %d files "
                        "come from too few source recordings (see "
                        "--split-by) to hold some out; add data, raise "
                        "--val-fraction, or use --split-by file if every "
                        "file is its own recording\n",
                s->count[SPLIT_TRAIN] == 0 ? "training" : "validation",
                r->d.n_items);
        return 1;
    }
    int first = -1;
    for (int i = 0; i < s->count[SPLIT_TRAIN]; i++) {
        int label = r->e.list[s->which[SPLIT_TRAIN][i]].label;
        if (label < 0) continue; /* unlabelled */
        if (first >= 0 && label != first) return 0;
        first = label;
    }
    if (first < 0)
        return fail("no training example has a label; --unlabelled audio "
                    "trains beside labelled --data, not instead of it");
    fprintf(stderr, "irmas-train: error: every training example is '%s'; a "
                    "classifier needs at least two classes to learn\n",
            r->d.labels[first]);
    return 1;
}

/* Under mpirun: this rank's packed examples (mine, of `size` bytes, freed
 * here) sent to every rank, and every rank's appended to e in rank
 * order. */
static int exchange_examples(example_set *e, void *mine, size_t size,
                             int *unreadable)
{
    size_t *sizes = malloc((size_t)cluster_size() * sizeof *sizes);
    void *all = NULL;
    if (!sizes || cluster_share_bytes(mine, size, &all, sizes) != 0) {
        fail("out of memory sharing the examples");
        cluster_abort(1);
    }
    free(mine);
    int status = 0;
    size_t at = 0;
    for (int r = 0; r < cluster_size() && status == 0; r++) {
        int lost = 0;
        if (examples_unpack_append(e, (char *)all + at, sizes[r], &lost) !=
            IRMAS_OK)
            status = fail("the examples another process read cannot be "
                          "taken in (out of memory?)");
        *unreadable += lost;
        at += sizes[r];
    }
    free(sizes);
    free(all);
    return status;
}

/* --teacher-cache, else the user's cache folder, else beside --out. A new
 * string, or NULL when out of memory. */
static char *cache_folder(const run *r)
{
    if (r->o.teacher_cache) return strdup(r->o.teacher_cache);
    char *dir = distill_default_cache();
    if (dir || asprintf(&dir, "%s.teacher-cache", r->o.out) >= 0) return dir;
    return NULL;
}

/* The folder the frames of a pretrained front-end are kept in, made if
 * missing, or NULL for a model whose front-end is cheaper to run than its
 * frames are to read (log-mel, raw samples). Fails (1) only with a
 * message. */
static int frames_cache(const run *r, char **dir)
{
    *dir = NULL;
    if (r->m->frontend.kind != FRONTEND_EFFICIENTAT_MN04) return 0;
    char err[1024];
    *dir = cache_folder(r);
    if (!*dir) return fail("out of memory");
    if (file_cache_make_folder(*dir, "--teacher-cache", err, sizeof err) ==
        IRMAS_OK)
        return 0;
    free(*dir);
    *dir = NULL;
    return fail(err);
}

/* Reads the examples of d into e. Under mpirun each rank reads its share
 * of the files (contiguous runs of about the same length, dataset_share)
 * and the ranks send each other what they read, so each file is decoded
 * once and every rank holds the examples one process would, in its
 * order. A pretrained front-end's frames come from the cache where they
 * are in it (frames_cache). */
static int read_examples(run *r, const dataset *d, example_set *e,
                         int *unreadable)
{
    char err[1024];
    *unreadable = 0;
    examples_settings s = {.mixdown = r->o.mixdown, .threads = r->o.threads};
    examples_counts counts;
    char *cache;
    if (frames_cache(r, &cache) != 0) return 1;
    s.cache_dir = cache;
    if (cluster_size() == 1) {
        irmas_status status = examples_load(e, d, r->m, &s, &counts, err,
                                            sizeof err);
        *unreadable = counts.unreadable;
        if (status == IRMAS_OK && cache)
            note("teacher's frames: %d files from the cache, %d computed, "
                 "in %s\n", counts.cached, counts.computed, cache);
        free(cache);
        return status != IRMAS_OK ? fail(err) : 0;
    }
    int first, count = dataset_share(d, cluster_size(), cluster_rank(), &first);
    example_set mine;
    void *bytes = NULL;
    size_t size = 0;
    irmas_status loaded = examples_load_share(&mine, d, first, count, r->m,
                                              &s, &counts, err, sizeof err);
    free(cache);
    if (loaded != IRMAS_OK ||
        examples_pack(&mine, counts.unreadable, &bytes, &size) != IRMAS_OK) {
        fail(err); /* a rank that cannot go on stops them all */
        cluster_abort(1);
    }
    examples_free(&mine);
    *e = mine; /* empty, of this model's shape */
    int status = exchange_examples(e, bytes, size, unreadable);
    if (status == 0 && e->count == 0)
        status = fail("none of the files could be read; see the messages "
                      "above");
    if (status == 0)
        note("examples: each of %d files read once between %d processes\n",
             d->n_items, cluster_size());
    return status;
}

static int load_examples(run *r)
{
    note("reading %d files (%d classes) at %d Hz\n", r->d.n_items,
            r->d.classes, r->m->sample_rate);
    if (read_examples(r, &r->d, &r->e, &r->unreadable) != 0) return 1;
    if (r->unlabelled.n_items > 0) {
        note("reading %d unlabelled files\n",
                r->unlabelled.n_items);
        example_set more;
        int unreadable = 0;
        int status = read_examples(r, &r->unlabelled, &more, &unreadable);
        r->unreadable += unreadable;
        if (status != 0) {
            fprintf(stderr, "irmas-train: error: --unlabelled: the files "
                            "above could not be read\n");
            return 1;
        }
        status = examples_append(&r->e, &more, r->d.n_items) != IRMAS_OK;
        examples_free(&more);
        if (status) return fail("out of memory");
    }
    if (examples_split(&r->e, r->assignment, &r->split) != IRMAS_OK)
        return fail("out of memory");
    return check_split(r);
}

/* The examples' shape and splits, said once what is trained on is
 * settled, and the statistics standardisation takes from the training
 * split. */
static int standardise(run *r)
{
    const int *count = r->split.count;
    const image_params *p = &r->m->image;
    note("%d examples of ", r->e.count);
    if (r->e.frames > 0)
        note("%d frames x %d features%s", r->e.frames,
                r->e.features, r->e.image_floats > 0 ? " and " : "");
    if (r->e.image_floats > 0)
        note("a %s image of %d x %d x %d",
                image_kind_name(p->kind), p->size, p->size, p->channels);
    note(": %d training, %d validation, %d test\n",
            count[SPLIT_TRAIN], count[SPLIT_VALIDATION], count[SPLIT_TEST]);
    if (examples_standardise(&r->e, r->split.which[SPLIT_TRAIN],
                             count[SPLIT_TRAIN], r->m) != IRMAS_OK)
        return fail("out of memory");
    return 0;
}

/* The file of item i: d's items, then the unlabelled ones. */
static const char *item_path(const run *r, int i)
{
    return i < r->d.n_items ? r->d.items[i].path
                            : r->unlabelled.items[i - r->d.n_items].path;
}

/* With --teacher: the AudioSet teacher (a folder of weights) or a trained
 * model (a file), and whether it knows the model's classes, before any
 * file is read. */
static int open_teacher(run *r)
{
    if (!r->o.teacher) return 0;
    char err[1024];
    int map[MODEL_MAX_CLASSES];
    struct stat st;
    irmas_status status;
    if (stat(r->o.teacher, &st) == 0 && S_ISREG(st.st_mode)) {
        status = model_teacher_open(
            r->o.teacher, r->o.weights,
            (double)r->m->window_samples / r->m->sample_rate, &r->teacher,
            err, sizeof err);
        r->teacher_close = model_teacher_close;
    } else {
        status = teacher_source_open(r->o.teacher, &r->teacher, err,
                                     sizeof err);
        r->teacher_close = teacher_source_close;
    }
    if (status == IRMAS_OK)
        status = distill_match_classes(&r->teacher, r->m, map, err,
                                       sizeof err);
    if (status == IRMAS_OK) return 0;
    fprintf(stderr, "irmas-train: error: --teacher %s: %s\n", r->o.teacher, err);
    return 1;
}

/* Under mpirun: each process computes the targets of its share of the
 * files into the cache, so that each file's are computed once; *shared
 * says how many were computed in all. After it, every share is cached. */
static int teach_shares(run *r, const distill_settings *s,
                        const char *const *paths, int *shared)
{
    char err[1024];
    int files = r->e.count > 0 ? r->e.list[r->e.count - 1].item + 1 : 0;
    int first, computed = 0;
    int count = cluster_share(files, &first);
    irmas_status status = distill_targets_share(&r->teacher, s, &r->e, paths,
                                                first, count, &computed, err,
                                                sizeof err);
    double sums[2] = {computed, status != IRMAS_OK};
    cluster_sum_doubles(sums, 2); /* also: every process has finished */
    *shared = (int)sums[0];
    if (status != IRMAS_OK) return fail(err);
    if (sums[1] > 0)
        return fail("another process could not compute its share of the "
                    "teacher's targets");
    return 0;
}

/* With --teacher: every example's soft target (distill.h). */
static int teach(run *r)
{
    if (!r->o.teacher) return 0;
    char err[1024];
    int items = r->d.n_items + r->unlabelled.n_items;
    const char **paths = malloc(((size_t)items + 1) * sizeof *paths);
    char *cache = cache_folder(r);
    int status = 0;
    if (!paths || !cache) {
        status = fail("out of memory");
    } else {
        for (int i = 0; i < items; i++) paths[i] = item_path(r, i);
        distill_settings s = {
            .cache_dir = cache, .mixdown = r->o.mixdown,
            .embeddings = r->o.match_embedding > 0.0,
            .threads = r->o.threads,
            .window_seconds = (double)r->m->window_samples / r->m->sample_rate};
        int shared = 0;
        if (cluster_size() > 1) status = teach_shares(r, &s, paths, &shared);
        if (status == 0 &&
            distill_targets_load(&r->targets, &r->teacher, &s, &r->e, paths,
                                 r->m, err, sizeof err) != IRMAS_OK)
            status = fail(err);
        else if (status == 0 && cluster_size() > 1)
            note("teacher targets: %d files from the cache, %d computed "
                 "once between %d processes, in %s\n",
                 r->targets.files_cached - shared,
                 shared + r->targets.files_computed, cluster_size(), cache);
        else if (status == 0)
            note("teacher targets: %d files from the cache, %d "
                            "computed (%ld windows), in %s\n",
                    r->targets.files_cached, r->targets.files_computed,
                    r->targets.teacher_runs, cache);
    }
    free(paths);
    free(cache);
    return status;
}

/* --unlabelled-confidence P: the unlabelled training windows in which
 * the teacher hears none of the classes surely (its largest value among
 * them below P) leave the training split; labelled ones all stay. */
static void keep_confident(run *r)
{
    if (r->o.n_unlabelled == 0 || r->o.unlabelled_confidence <= 0.0) return;
    int *train = r->split.which[SPLIT_TRAIN];
    int n = r->split.count[SPLIT_TRAIN], kept = 0, unlabelled = 0, at = 0;
    for (int i = 0; i < n; i++) {
        int x = train[i];
        if (r->e.list[x].label < 0) {
            unlabelled++;
            if (r->targets.confidence[x] < r->o.unlabelled_confidence)
                continue;
            kept++;
        }
        train[at++] = x;
    }
    r->split.count[SPLIT_TRAIN] = at;
    note("unlabelled windows: %d of %d kept, where the teacher's largest "
         "value for the classes is at least %g\n",
         kept, unlabelled, r->o.unlabelled_confidence);
}

/* ---- 4. training -------------------------------------------------------- */

/* The command line, quoting arguments a shell would split. */
static void put_command(FILE *f, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        int quote = argv[i][strcspn(argv[i], " \t\n'\"\\$`")] != '\0';
        fprintf(f, i ? " %s%s%s" : "%s%s%s", quote ? "'" : "", argv[i],
                quote ? "'" : "");
    }
}

/* --init: the model started from, and its own provenance (if it has
 * one and could be read) indented under it, so that a fine-tuned model
 * says how each stage was trained. */
static void put_origin(FILE *f, const char *path, const char *provenance)
{
    fprintf(f, "\nstarted from: %s%s", path,
            provenance ? ", whose provenance is:" : "");
    for (const char *line = provenance; line && *line;) {
        size_t n = strcspn(line, "\n");
        fprintf(f, "\n  %.*s", (int)n, line);
        line += n + (line[n] == '\n');
    }
}

static int make_provenance(run *r, int argc, char **argv)
{
    size_t size;
    FILE *f = open_memstream(&r->provenance, &size);
    if (!f) return fail("out of memory");
    char date[TOOL_DATE_SIZE];
    fprintf(f, "irmas-train %s, %s\ncommand: ", IRMAS_VERSION,
            tool_utc_now(date));
    put_command(f, argc, argv);
    if (r->o.init)
        put_origin(f, r->o.init, r->init ? r->init->provenance : NULL);
    fputs("\ndata:", f);
    for (int i = 0; i < r->o.n_dirs; i++) fprintf(f, " %s", r->o.dirs[i]);
    if (r->o.teacher) {
        fprintf(f, "\nteacher: %s (%s), --distill %g --temperature %g",
                r->o.teacher, r->teacher_close == model_teacher_close
                                  ? "a trained model"
                                  : "EfficientAT mn04_as",
                r->o.distill, r->o.temperature);
        for (int i = 0; i < r->o.n_unlabelled; i++)
            fprintf(f, "%s %s", i ? "" : "; unlabelled:", r->o.unlabelled[i]);
        if (r->o.unlabelled_confidence > 0.0)
            fprintf(f, ", where the teacher's confidence is at least %g",
                    r->o.unlabelled_confidence);
        if (r->o.match_embedding > 0.0)
            fprintf(f, "; its embedding matched at --match-embedding %g",
                    r->o.match_embedding);
    }
    const int *count = r->split.count;
    fprintf(f, "\nexamples: %d training, %d validation, %d test; %d files "
               "skipped", count[SPLIT_TRAIN], count[SPLIT_VALIDATION],
            count[SPLIT_TEST], r->d.skipped + r->unreadable);
    return fclose(f) == 0 ? 0 : fail("out of memory");
}

static int train(run *r)
{
    char err[1024];
    const run_options *o = &r->o;
    char checkpoint_path[4096];
    snprintf(checkpoint_path, sizeof checkpoint_path, "%s.ckpt", o->out);
    trainer_options to = {
        .epochs = o->epochs, .batch = o->batch, .threads = o->threads,
        .patience = o->patience, .lr = o->lr, .clip = o->clip,
        .dropout = o->dropout, .mixup = o->mixup, .warp = o->warp,
        .level = o->level, .eq = o->eq, .seed = o->seed,
        .out_path = o->out,
        .checkpoint_path = o->checkpoint ? o->checkpoint : checkpoint_path,
        .log_path = o->log, .provenance = r->provenance, .run = r->run,
        .run_size = r->run_size, .augment = o->augment,
        .targets = r->targets.targets,
        .distill = {.weight = (float)o->distill,
                    .temperature = (float)o->temperature,
                    .embedding_weight = (float)o->match_embedding},
        .embeddings = r->targets.embeddings,
        .embedding_dims = r->targets.embedding_dims};
    irmas_status status = trainer_new(r->m, &r->e, &r->split, &to, &r->t,
                                      err, sizeof err);
    if (status == IRMAS_OK && o->resume) {
        const int *was = r->resumed.examples, *is = r->split.count;
        if (memcmp(was, is, sizeof r->resumed.examples) != 0) {
            fprintf(stderr, "irmas-train: error: %s: the data has changed: the "
                            "checkpoint's run had %d/%d/%d training/"
                            "validation/test examples, now there are "
                            "%d/%d/%d\n",
                    o->resume, was[0], was[1], was[2], is[0], is[1], is[2]);
            return 1;
        }
        status = trainer_resume(r->t, &r->resumed, err, sizeof err);
        if (status == IRMAS_OK)
            fprintf(stderr, "resuming after epoch %d of %d\n",
                    r->resumed.epoch, o->epochs);
    } else if (status == IRMAS_OK && r->init) {
        status = trainer_start_from(r->t, r->init, err, sizeof err);
    }
    if (status == IRMAS_OK && o->export_dir && cluster_is_root())
        status = trainer_export(r->t, o->export_dir, err, sizeof err);
    if (status == IRMAS_OK) status = trainer_run(r->t, err, sizeof err);
    return status == IRMAS_OK ? 0 : fail(err);
}

/* ---- 5. the report -------------------------------------------------- */

/* Scores the best model on the test split into tally and prints it; 0
 * or 1. */
static int score_test(run *r, metrics *tally)
{
    const example_split *s = &r->split;
    int n = s->count[SPLIT_TEST], classes = r->m->classes;
    float *probs = malloc(((size_t)n * classes + 1) * sizeof *probs);
    if (!probs) return fail("out of memory");
    double loss, accuracy;
    trainer_evaluate(r->t, s->which[SPLIT_TEST], n, probs, &loss, &accuracy);
    for (int i = 0; i < n; i++)
        metrics_add(tally, r->e.list[s->which[SPLIT_TEST][i]].label,
                    metrics_argmax(probs + (long)i * classes, classes));
    free(probs);
    printf("test split: %d examples, mean cross-entropy %.4f\n", n, loss);
    metrics_print(tally, stdout);
    return 0;
}

/* Prints the report and saves the model with it in the provenance. */
static int report(run *r)
{
    double val_loss, val_accuracy;
    int best = trainer_best(r->t, &val_loss, &val_accuracy);
    char *provenance = NULL;
    metrics *tally = metrics_new(r->m->classes, r->m->labels);
    if (!tally) return fail("out of memory");
    int status = 0;
    if (r->split.count[SPLIT_TEST] > 0) {
        status = score_test(r, tally);
    } else {
        printf("no test split (--test-fraction 0): nothing held out to "
               "report on\n");
    }
    if (status == 0 &&
        asprintf(&provenance, "%s\nbest epoch: %d; validation loss %.4f, "
                              "accuracy %.4f\ntest: %ld examples, accuracy "
                              "%.4f, macro F1 %.4f",
                 r->provenance, best, val_loss, val_accuracy,
                 metrics_decisions(tally), metrics_accuracy(tally),
                 metrics_macro_f1(tally)) < 0)
        status = fail("out of memory");
    metrics_free(tally);
    char err[512];
    if (status == 0 && model_set_provenance(r->m, provenance) != IRMAS_OK)
        status = fail("out of memory");
    if (status == 0 && irmas_model_save(r->m, r->o.out, err, sizeof err) != IRMAS_OK)
        status = fail(err);
    free(provenance);
    if (status == 0) printf("model: %s (best epoch %d)\n", r->o.out, best);
    return status;
}

int main(int argc, char **argv)
{
    if (cluster_init(&argc, &argv) != 0) return 1;
    argv[0] = program_invocation_short_name; /* getopt names us so */
    run r = {0};
    int status = read_options(&r, argc, argv);
    if (status < 0) {
        run_free(&r);
        cluster_finish();
        return 0;
    }
    /* Every stage that runs in parallel (reading, the teacher's targets,
     * training) does so on its own threads; OpenBLAS threads of its own
     * besides would spin waiting for work and take cores from them. The
     * threads inherit the flushing of denormal gradients (denormals.h). */
    gemm_set_threads(1);
    denormals_flush();
    if (status == 0) status = find_data(&r);
    if (status == 0) status = build_model(&r);
    if (status == 0) status = open_teacher(&r);
    if (status == 0) status = load_examples(&r);
    if (status == 0) status = teach(&r);
    if (status == 0) keep_confident(&r);
    if (status == 0) status = standardise(&r);
    if (status == 0) status = make_provenance(&r, argc, argv);
    if (status == 0) status = train(&r);
    if (status == 0 && cluster_is_root()) status = report(&r);
    int skipped = r.d.skipped + r.unreadable;
    if (skipped > 0)
        fprintf(stderr, "irmas-train: error: %d file%s could not be used and %s "
                        "skipped (see the messages above)\n",
                skipped, skipped == 1 ? "" : "s",
                skipped == 1 ? "was" : "were");
    run_free(&r);
    if (status != 0) cluster_abort(status);
    cluster_finish();
    return status;
}

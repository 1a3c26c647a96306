/* distill.h: a teacher network's soft targets for the examples of a
 * training run, computed once per file and cached on disk by the file's
 * content.
 *
 * The teacher is anything that scores audio at its own rate with
 * probabilities of named classes (distill_teacher): the AudioSet network
 * of teacher_source.h in irmas-train, a stand-in in the tests. Each
 * example of a run is one window of one channel (or the mixdown) of a
 * file (examples.h); its target is the teacher's output for the same
 * stretch of the same audio, read at the teacher's rate: window w of a
 * file starts at w window lengths, and a short stretch is zero-padded to
 * a whole window, as the examples are.
 *
 * The teacher's probabilities are independent per class (an AudioSet
 * network's are sigmoids), not a distribution over ours. The model's
 * softmax head says which one of its classes a window is, so a target is
 * the teacher's belief among the model's classes: its values for them
 * (matched by label), each at least 1e-6, divided by their sum. A window
 * where the teacher hears none of them at all still gets a distribution
 * (the flattest it can make); with hard labels beside it (--distill below
 * 1) those windows are anchored by their labels. Each target's
 * confidence (the largest of those values before dividing) lets a
 * caller leave out unlabelled windows the teacher hears nothing of ours
 * in (irmas-train --unlabelled-confidence).
 *
 * A teacher that has one may give its embedding of each window too
 * (distill_settings.embeddings): the vector its classes are read from,
 * which a student can be taught to reproduce (loss_embedding, loss.h).
 * Each of its dimensions is standardised over the run's examples (mean 0,
 * deviation 1), so that every dimension counts alike whatever its scale.
 *
 * The cache (file_cache.h): one entry per audio file, named by its content
 * and what else decides the targets (the teacher's identity, its rate, the
 * window, the mixdown, and whether it holds embeddings), holding the
 * teacher's raw values (and embedding) for every window of every
 * channel. A run without embeddings also reads the entries of one with
 * them, so that it need not run the teacher again.
 */
#ifndef IRMAS_DISTILL_H
#define IRMAS_DISTILL_H

#include "examples.h"

/* A teacher. run is called from several threads at once, each with its
 * own runner from open. */
typedef struct {
    int rate;                  /* the sample rate it reads */
    long min_samples;          /* the shortest input it takes */
    int classes;               /* how many classes it scores */
    const char *const *labels; /* their names, matched to the model's */
    const char *identity;      /* names it and its weights in cache keys */
    int embedding_dims;        /* its embedding's size; 0: it has none */
    void *shared;              /* what open is given */
    /* A runner for inputs of up to max_samples samples. */
    irmas_status (*open)(void *shared, long max_samples, void **runner,
                         char *err, size_t errlen);
    /* probs[classes] for samples[0..n), min_samples <= n <= max, and,
     * when embedding is not NULL, embedding[embedding_dims]. */
    void (*run)(void *runner, const float *samples, long n, float *probs,
                float *embedding);
    void (*close)(void *runner); /* accepts NULL */
} distill_teacher;

typedef struct {
    const char *cache_dir; /* created (with its parents) when missing */
    double window_seconds; /* the model's window */
    int mixdown;           /* as the examples were read */
    int embeddings;        /* 1: the teacher's embeddings too */
    int threads;
} distill_settings;

typedef struct {
    int classes;    /* the model's */
    float *targets; /* [examples][classes]: each row a distribution */
    float *confidence; /* [examples]: the teacher's largest value among
                          the model's classes, before normalising: how
                          surely it hears one of them at all */
    int embedding_dims; /* 0 unless the settings asked for embeddings */
    float *embeddings;  /* [examples][embedding_dims], standardised, or
                           NULL */
    int files_cached, files_computed; /* where the files' targets came from */
    long teacher_runs; /* windows the teacher ran on (not from the cache) */
} distill_targets;

/* Fills out with the targets of every example of e for model m (its
 * classes, which must all be among the teacher's: an error names the
 * first that is not), and their embeddings when s asks for them (an
 * error says so when the teacher has none). paths[i] is the file of e's item i. Fails, with a
 * message naming the file or folder, when an audio file cannot be read
 * at the teacher's rate or a cache entry cannot be written. A cache entry
 * that is unreadable, truncated or for another number of windows is
 * computed afresh and replaced. */
irmas_status distill_targets_load(distill_targets *out,
                                  const distill_teacher *t,
                                  const distill_settings *s,
                                  const example_set *e,
                                  const char *const *paths, const irmas_model *m,
                                  char *err, size_t errlen);
void distill_targets_free(distill_targets *d);

/* Computes and caches the targets of files [first_item, first_item +
 * n_items) of e only, and says in *computed how many were not in the
 * cache: one process's share in a run over several (MPI), after which
 * distill_targets_load in every process finds them all in the shared
 * cache. */
irmas_status distill_targets_share(const distill_teacher *t,
                                   const distill_settings *s,
                                   const example_set *e,
                                   const char *const *paths, int first_item,
                                   int n_items, int *computed, char *err,
                                   size_t errlen);

/* Sets map[c] to the teacher's class for each of the model's classes c
 * (matched by label), or fails naming the first the teacher does not know
 * and listing those it does. */
irmas_status distill_match_classes(const distill_teacher *t, const irmas_model *m,
                                   int *map, char *err, size_t errlen);

/* The default cache folder: $XDG_CACHE_HOME/irmasd/teacher-targets, or
 * $HOME/.cache/irmasd/teacher-targets; NULL when neither variable is set.
 * A new string. */
char *distill_default_cache(void);

#endif

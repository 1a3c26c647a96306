/* main.c: irmas-synth, which renders IRMAS-layout training corpora.
 *
 * It checks the options, loads the soundfonts (one player per thread) and
 * the samples, notes which soundfont plays which class's programs, splits
 * each class's excerpts into sources, renders them on the workers and
 * writes the manifest DIR/sources.tsv. Everything musical lives in the
 * modules: song, phrase, chords, drums, accomp (what is played), sfplayer
 * and sampler (how it sounds), augment (where it was recorded), corpus
 * (how it is written).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config.h"
#include "irmas/version.h"
#include "atomic_file.h"
#include "cli.h"
#include "clock.h"
#include "corpus.h"
#include "instruments.h"
#include "samples.h"
#include "sfplayer.h"
#include "source.h"
#include "workers.h"

static const char *const default_fonts[] = {
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/TimGM6mb.sf2",
};

/* MuseScore_General is the cross-soundfont test set: renders of it must
 * never be trained on. Checked on the resolved path, since default-GM.sf3
 * links to it. */
static void warn_test_fonts(const cli_options *o)
{
    for (int i = 0; i < o->n_fonts; i++) {
        char *real = realpath(o->fonts[i], NULL);
        const char *path = real ? real : o->fonts[i];
        const char *base = strrchr(path, '/');
        if (strcasestr(base ? base + 1 : path, "musescore"))
            fprintf(stderr, "irmas-synth: warning: %s is MuseScore_General, the cross-soundfont "
                            "TEST set; never train on this corpus\n", o->fonts[i]);
        free(real);
    }
}

/* Which soundfonts have which class programs; a class asked for that no
 * soundfont can play is an error (unless samples play the leads). */
static irmas_status map_presets(const cli_options *o, const sfplayer *player,
                                source_setup *setup, char *err, size_t errlen)
{
    for (int k = 0; k < o->n_classes; k++) {
        int c = o->classes[k];
        const instrument_class *cls = &instrument_classes[c];
        unsigned any = 0;
        for (int i = 0; i < cls->n_programs; i++) {
            for (int f = 0; f < o->n_fonts; f++)
                if (sfplayer_has_preset(player, f, 0, cls->programs[i].program))
                    setup->font_mask[c][i] |= 1u << f;
            any |= setup->font_mask[c][i];
        }
        if (!any && !o->samples_dir)
            return status_fail(err, errlen, IRMAS_ERR_FORMAT,
                               "%s: no soundfont given has a preset for %s (GM program %d, bank 0); "
                               "use a General MIDI soundfont", o->fonts[0],
                               classes_name(instrument_code(cls)),
                               cls->programs[0].program);
    }
    return IRMAS_OK;
}

/* Each class's excerpts in sources of excerpts_low..excerpts_high, the
 * sizes drawn from (seed, class, source), so the first sources of a class
 * are the same for any --per-class. */
static source_job *plan_jobs(const cli_options *o, int *n_jobs)
{
    source_job *jobs = malloc((size_t)o->n_classes * (size_t)o->per_class * sizeof *jobs);
    if (!jobs) return NULL;
    *n_jobs = 0;
    for (int k = 0; k < o->n_classes; k++)
        for (int left = o->per_class, index = 0; left > 0; index++) {
            rng r;
            rng_init(&r, o->seed, (uint64_t)o->classes[k] | 1ull << 32, (uint64_t)index);
            int n = rng_int(&r, o->excerpts_low, o->excerpts_high);
            if (n > left) n = left;
            jobs[(*n_jobs)++] = (source_job){o->classes[k], index, n};
            left -= n;
        }
    return jobs;
}

static irmas_status write_manifest(const cli_options *o, char **reports, int n,
                                   char *err, size_t errlen)
{
    size_t size = strlen(source_report_header()) + 1;
    for (int i = 0; i < n; i++) size += strlen(reports[i]);
    char *text = malloc(size), path[4096];
    if (!text) return IRMAS_ERR_NOMEM;
    strcpy(text, source_report_header());
    for (int i = 0; i < n; i++) strcat(text, reports[i]);
    snprintf(path, sizeof path, "%s/sources.tsv", o->out_dir);
    irmas_status st = atomic_file_write(path, text, strlen(text), err, errlen);
    free(text);
    return st;
}

typedef struct {
    cli_options options;
    source_setup setup;
    sample_library *samples;
    sfplayer *players[64];
    source_job *jobs;
    int n_jobs;
    char **reports;
} synth_run;

static irmas_status prepare(synth_run *run, char *err, size_t errlen)
{
    cli_options *o = &run->options;
    if (o->n_fonts == 0) {
        o->fonts[0] = default_fonts[0];
        o->fonts[1] = default_fonts[1];
        o->n_fonts = 2;
    }
    warn_test_fonts(o);
    irmas_status st = IRMAS_OK;
    if (o->samples_dir)
        st = samples_load(o->samples_dir, o->classes, o->n_classes, o->rate, &run->samples, err, errlen);
    for (int t = 0; t < o->threads && st == IRMAS_OK; t++)
        st = sfplayer_new(o->fonts, o->n_fonts, o->rate, &run->players[t], err, errlen);
    run->setup = (source_setup){
        .out_dir = o->out_dir, .rate = o->rate,
        .excerpt_frames = (long)(o->seconds * o->rate + 0.5), .seed = o->seed,
        .accomp_chance = o->accomp_chance, .accomp_db = o->accomp_db,
        .augment = o->augment, .source_base = o->source_base,
        .n_fonts = o->n_fonts, .font_paths = o->fonts, .samples = run->samples};
    if (st == IRMAS_OK) st = map_presets(o, run->players[0], &run->setup, err, errlen);
    const char *codes[CLASS_COUNT];
    for (int k = 0; k < o->n_classes; k++) codes[k] = classes_code(o->classes[k]);
    if (st == IRMAS_OK) st = corpus_make_dirs(o->out_dir, codes, o->n_classes, err, errlen);
    if (st == IRMAS_OK && !(run->jobs = plan_jobs(o, &run->n_jobs))) st = IRMAS_ERR_NOMEM;
    if (st == IRMAS_OK && !(run->reports = calloc((size_t)run->n_jobs, sizeof *run->reports)))
        st = IRMAS_ERR_NOMEM;
    for (int i = 0; st == IRMAS_OK && i < run->n_jobs; i++)
        if (!(run->reports[i] = calloc(1, WORKERS_REPORT_SIZE))) st = IRMAS_ERR_NOMEM;
    if (st == IRMAS_ERR_NOMEM && !err[0]) status_fail(err, errlen, st, "out of memory");
    return st;
}

static void finish(synth_run *run)
{
    for (int i = 0; run->reports && i < run->n_jobs; i++) free(run->reports[i]);
    free(run->reports);
    free(run->jobs);
    for (int t = 0; t < 64; t++) sfplayer_free(run->players[t]);
    samples_free(run->samples);
}

int main(int argc, char **argv)
{
    static synth_run run;
    char err[1024] = "";
    if (cli_parse(argc, argv, &run.options, err, sizeof err) != IRMAS_OK) {
        fprintf(stderr, "irmas-synth: error: %s\n", err);
        return 2;
    }
    if (run.options.help) {
        cli_usage(stdout);
        return 0;
    }
    if (run.options.version) {
        printf("irmas-synth %s\n", IRMAS_VERSION);
        return 0;
    }
    double start = clock_seconds(CLOCK_MONOTONIC);
    irmas_status st = prepare(&run, err, sizeof err);
    if (st == IRMAS_OK)
        st = workers_run(&run.setup, run.players, run.options.threads, run.jobs, run.n_jobs,
                         run.reports, err, sizeof err);
    if (st == IRMAS_OK) st = write_manifest(&run.options, run.reports, run.n_jobs, err, sizeof err);
    if (st == IRMAS_OK) {
        double seconds = clock_seconds(CLOCK_MONOTONIC) - start;
        long clips = (long)run.options.per_class * run.options.n_classes;
        fprintf(stderr, "irmas-synth: wrote %ld clips from %d sources to %s in %.1f s (%.1f clips/s)\n",
                clips, run.n_jobs, run.options.out_dir, seconds, clips / seconds);
    } else {
        fprintf(stderr, "irmas-synth: error: %s\n", err);
    }
    finish(&run);
    return st == IRMAS_OK ? 0 : 1;
}

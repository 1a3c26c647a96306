/* source.h: one source of the corpus, rendered and cut into excerpts.
 *
 * A source is one imagined recording: a song in a genre, a lead player on
 * one instrument (a soundfont preset or a set of recorded samples), maybe
 * an accompaniment, one room and one recording chain. It is rendered as a
 * whole, a little longer than its excerpts (notes already sound and the
 * room already rings when the first excerpt starts), and cut into
 * consecutive excerpts, which therefore share everything a real
 * recording's excerpts share. Everything is drawn from a generator seeded
 * by (seed, class, source number), so a source comes out the same
 * whichever thread renders it and however many sources are asked for.
 * Its number in file names is the class number (1 to 11) times 10000 plus
 * its index from 1, plus --source-base: unique in a corpus (--per-class
 * is at most 9999, so a class never runs into the next), and the same in
 * every run.
 */
#ifndef SYNTH_SOURCE_H
#define SYNTH_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "augment.h"
#include "instruments.h"
#include "samples.h"
#include "sfplayer.h"
#include "status.h"

/* What every source shares; read-only while workers run. */
typedef struct {
    const char *out_dir;
    int rate;
    long excerpt_frames;
    uint64_t seed;
    double accomp_chance;   /* share of sources with accompaniment */
    double accomp_db;       /* accompaniment RMS against the lead's */
    augment_level augment;
    long source_base;       /* added to every source number */
    int n_fonts;
    const char *const *font_paths;
    /* Bit f of font_mask[c][i]: soundfont f has class c's program i. */
    unsigned font_mask[CLASS_COUNT][CLASS_MAX_PROGRAMS];
    const sample_library *samples; /* when set, leads are played from it */
} source_setup;

typedef struct {
    int class_index;
    int index;     /* within its class, from 0 */
    int excerpts;
} source_job;

/* Renders the job with this thread's soundfont player, writes its excerpts
 * and puts the source's manifest line (tab-separated, ending in a newline)
 * into report. */
irmas_status source_render(const source_setup *setup, sfplayer *player,
                           const source_job *job, char *report,
                           size_t report_size, char *err, size_t errlen);

/* The manifest's header line. */
const char *source_report_header(void);

#endif

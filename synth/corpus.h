/* corpus.h: the IRMAS layout on disk: class folders, IRMAS-style names,
 * 16-bit stereo WAV excerpts, and a manifest of sources.
 *
 * An excerpt of source 70012 of class pia, third of its source, played
 * with drums in a jazz style, is
 *     DIR/pia/[pia][dru][jaz_blu]70012__3.wav
 * as in IRMAS's training set: the first bracket is the class, [dru] or
 * [nod] says whether drums play, the last bracket is the genre, and the
 * number before "__" names the source, so excerpts of one source stay on
 * one side of a split. Files are written under a temporary name,
 * synced and renamed (atomic_file.h), so an interrupted run or a crash
 * never leaves half a WAV.
 */
#ifndef SYNTH_CORPUS_H
#define SYNTH_CORPUS_H

#include <stddef.h>

#include "status.h"

/* Writes the excerpt's file name (no folder) into out. */
void corpus_excerpt_name(char *out, size_t size, const char *class_code,
                         int drums, const char *genre, long source,
                         int excerpt);

/* Creates dir (and its parents) and dir/<code> for each code. */
irmas_status corpus_make_dirs(const char *dir, const char *const *codes,
                              int n_codes, char *err, size_t errlen);

/* Writes frames of left and right as a 16-bit PCM stereo WAV at rate,
 * made in memory and written with atomic_file_write. Samples beyond +-1
 * clip. */
irmas_status corpus_write_wav(const char *path, const float *left,
                              const float *right, long frames, int rate,
                              char *err, size_t errlen);

#endif

/* sfplayer.h: renders scores through General MIDI soundfonts with
 * libfluidsynth.
 *
 * A player holds the loaded soundfonts; each worker thread has its own
 * (fluidsynth shares a file's sample data between them). Each part is
 * rendered alone on a new synthesizer lent the soundfont, so what it sounds
 * like depends on nothing rendered before it, and so not on threads.
 * fluidsynth's own reverb and chorus are off: rooms come from augment.h,
 * the same for soundfonts and samples. SF3 files are loaded on demand:
 * decompressing all of one takes many seconds.
 */
#ifndef SYNTH_SFPLAYER_H
#define SYNTH_SFPLAYER_H

#include <stddef.h>

#include "score.h"
#include "status.h"

typedef struct sfplayer sfplayer;

/* Loads the soundfonts. A path that is missing, unreadable or not a
 * soundfont fluidsynth reads is an error naming it. */
irmas_status sfplayer_new(const char *const *paths, int n_paths, int rate,
                          sfplayer **out, char *err, size_t errlen);

void sfplayer_free(sfplayer *p);

/* 1 when soundfont number font (in the order given) has the preset. */
int sfplayer_has_preset(const sfplayer *p, int font, int bank, int program);

/* The preset's own name, or "" when it has none. */
const char *sfplayer_preset_name(const sfplayer *p, int font, int bank,
                                 int program);

/* Renders a sorted score through one preset into left and right (frames
 * each, overwritten), panned -1 (left) to 1 (right). Bank 128 plays on the
 * percussion channel. */
irmas_status sfplayer_render(sfplayer *p, int font, int bank, int program,
                             const score *s, double pan, float *left,
                             float *right, long frames);

#endif

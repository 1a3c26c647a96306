/* accomp.h: what plays under the lead, at a lower level, as in IRMAS
 * recordings where the labelled instrument predominates: a bass, drums on
 * the percussion channel, comping or pads, and now and then a quiet
 * counter-melody.
 *
 * Harmony instruments and counter-melodies are drawn from the programs of
 * the OTHER classes (and from instruments no class claims: bass, strings,
 * pads, vibraphone, harp, brass), never from the lead's own class, so a
 * violin excerpt is never accompanied by a second violin.
 */
#ifndef SYNTH_ACCOMP_H
#define SYNTH_ACCOMP_H

#include "rng.h"
#include "score.h"
#include "song.h"

enum { ACCOMP_MAX_PARTS = 4 };

typedef enum { ROLE_BASS, ROLE_DRUMS, ROLE_COMP, ROLE_PAD, ROLE_COUNTER } accomp_role;

typedef struct {
    accomp_role role;
    int program;    /* GM program; for drums the kit (a bank 128 preset) */
    int low, high;  /* register */
    int counter_class; /* ROLE_COUNTER: the class whose melody it plays */
    double gain_db; /* balance within the accompaniment */
    double pan;     /* -1 left .. 1 right */
} accomp_part;

/* Chooses the parts accompanying a lead of class lead_class in song g.
 * Returns how many (0 to ACCOMP_MAX_PARTS). */
int accomp_choose(accomp_part *parts, int lead_class, const song *g, rng *r);

/* Writes one part's notes for seconds of the song. */
void accomp_write(score *s, const accomp_part *part, const song *g,
                  double seconds, rng *r);

/* "bass", "drums", "comp", "pad" or "counter". */
const char *accomp_role_name(accomp_role role);

#endif

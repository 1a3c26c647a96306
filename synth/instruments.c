/* instruments.c: how each class plays, in IRMAS order (its code and name
 * are engine/classes.c's). Ranges: sounding pitch, as orchestration texts
 * give them, trimmed at the top to what players reach in practice. */
#include "instruments.h"

const instrument_class instrument_classes[CLASS_COUNT] = {
    /* cel */ {KIND_BOWED, 1, {{42, 1, 36, 79}},
     {10, 35}, 0.04, {1, 0, 0, 0}, {0.75, 0.08, 0.12, 0.05, 0}},
    /* cla */ {KIND_BLOWN, 1, {{71, 1, 50, 91}},
     {0, 8}, 0.05, {1, 0, 0, 0}, {0.55, 0.3, 0, 0.1, 0.05}},
    /* flu */ {KIND_BLOWN, 2, {{73, 1, 60, 96}, {72, 0.15, 74, 102}},
     {6, 25}, 0.03, {1, 0, 0, 0}, {0.5, 0.2, 0.15, 0, 0.15}},
    /* gac */ {KIND_PLUCKED, 2,
     {{24, 1, 40, 83}, {25, 1, 40, 83}},
     {0, 10}, 0.04, {0.25, 0.4, 0.35, 0}, {0.15, 0, 0.3, 0.4, 0.15}},
    /* gel */ {KIND_PLUCKED, 6,
     {{26, 0.8, 40, 86}, {27, 1, 40, 88}, {28, 0.5, 40, 76},
      {29, 1, 40, 88}, {30, 1, 40, 88}, {31, 0.15, 52, 88}},
     {8, 30}, 0.15, {0.45, 0.35, 0.2, 0}, {0, 0.3, 0.6, 0.1, 0}},
    /* org */ {KIND_ORGAN, 5,
     {{16, 1, 36, 96}, {17, 0.6, 36, 96}, {18, 0.6, 36, 96},
      {19, 1, 36, 96}, {20, 0.4, 36, 91}},
     {0, 0}, 0, {0.2, 0.5, 0, 0.3}, {0.35, 0.25, 0.3, 0, 0.1}},
    /* pia */ {KIND_STRUCK, 4,
     {{0, 1, 24, 103}, {1, 0.5, 24, 103}, {2, 0.3, 24, 103},
      {3, 0.15, 28, 100}},
     {0, 0}, 0, {0.1, 0.25, 0.25, 0.4}, {0.35, 0.3, 0.25, 0, 0.1}},
    /* sax */ {KIND_BLOWN, 4,
     {{64, 0.6, 56, 87}, {65, 1, 49, 80}, {66, 1, 44, 76}, {67, 0.5, 37, 68}},
     {8, 30}, 0.15, {1, 0, 0, 0}, {0.05, 0.6, 0.2, 0, 0.15}},
    /* tru */ {KIND_BLOWN, 2, {{56, 1, 54, 84}, {59, 0.4, 54, 82}},
     {4, 15}, 0.12, {1, 0, 0, 0}, {0.1, 0.5, 0.2, 0, 0.2}},
    /* vio */ {KIND_BOWED, 2, {{40, 1, 55, 96}, {110, 0.25, 55, 91}},
     {12, 40}, 0.04, {1, 0, 0, 0}, {0.65, 0.05, 0.1, 0.2, 0}},
    /* voi */ {KIND_SUNG, 3,
     {{52, 0.7, 45, 81}, {53, 1, 45, 81}, {54, 0.25, 45, 81}},
     {20, 60}, 0.2, {0.85, 0.15, 0, 0}, {0, 0.2, 0.5, 0.2, 0.1}},
};

const char *instrument_code(const instrument_class *c)
{
    return classes_code((int)(c - instrument_classes));
}

int instrument_pick_program(const instrument_class *c, const int *available,
                            rng *r)
{
    double w[CLASS_MAX_PROGRAMS];
    int any = 0;
    for (int i = 0; i < c->n_programs; i++) {
        w[i] = (!available || available[i]) ? c->programs[i].weight : 0;
        any |= w[i] > 0;
    }
    return any ? rng_weighted(r, w, c->n_programs) : -1;
}

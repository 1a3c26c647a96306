/* room.h: rooms a source is recorded in, as synthesised impulse responses.
 *
 * An impulse response here is what a room adds to the direct sound: early
 * reflections (sparse taps whose spacing grows with the room's size) and a
 * late tail of noise decaying exponentially, faster in the treble than in
 * the bass (three bands with their own RT60), each channel with its own
 * reflections and noise so the reverberation is wide. It is scaled to unit
 * energy, so wet_db is the reverberant level against the direct sound
 * (minus the direct-to-reverberant ratio).
 */
#ifndef SYNTH_ROOM_H
#define SYNTH_ROOM_H

#include "rng.h"
#include "status.h"

typedef struct {
    double rt60;      /* seconds for the tail to fall 60 dB (mid band) */
    double predelay;  /* seconds from the direct sound to the first echo */
    double size;      /* seconds over which early reflections arrive */
    double damping;   /* treble decays this many times faster than mid */
    int reflections;  /* early reflections per channel */
    double early;     /* their energy against the tail's */
    double wet_db;    /* reverberant level against the direct sound */
} room_params;

/* A room with RT60 in [rt60_low, rt60_high] and a reverberant level in
 * [wet_low_db, wet_high_db]; larger rooms have later, sparser echoes. */
room_params room_draw(double rt60_low, double rt60_high, double wet_low_db,
                      double wet_high_db, rng *r);

/* The impulse response of the room: *frames per channel, allocated. */
irmas_status room_impulse(const room_params *p, int rate, rng *r,
                          float **left, float **right, long *frames);

/* Puts a stereo recording in the room: adds the reverberation of its mono
 * sum to both channels. */
irmas_status room_apply(const room_params *p, int rate, rng *r, float *left,
                        float *right, long n);

#endif

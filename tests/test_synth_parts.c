/* test_synth_parts.c: the pieces of irmas-synth on their own: what the
 * phrase and accompaniment generators write, sample names, filters, rooms,
 * noise, the limiter and IRMAS names.
 */
#include "testutil.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "accomp.h"
#include "augment.h"
#include "biquad.h"
#include "corpus.h"
#include "dynamics.h"
#include "noise.h"
#include "phrase.h"
#include "room.h"
#include "samples.h"
#include "score.h"
#include "song.h"

enum { RATE = 44100 };

/* Every note a lead writes lies in the range it was given, for every
 * class, program and many seeds; and it writes plenty of notes. */
START_TEST(lead_notes_stay_in_range)
{
    for (int c = 0; c < CLASS_COUNT; c++) {
        const instrument_class *cls = &instrument_classes[c];
        for (int p = 0; p < cls->n_programs; p++)
            for (uint64_t seed = 1; seed <= 12; seed++) {
                rng r;
                rng_init(&r, seed, (uint64_t)c, (uint64_t)p);
                song g;
                song_make(&g, (song_style)(seed % STYLE_COUNT), &r);
                const gm_program *prog = &cls->programs[p];
                lead_voice v = {cls, prog->program, prog->low, prog->high, 1};
                score s;
                score_init(&s, RATE);
                phrase_lead(&s, &g, &v, 6.0, &r);
                int notes = 0;
                for (int i = 0; i < s.n; i++) {
                    if (s.events[i].kind != SCORE_NOTE_ON) continue;
                    notes++;
                    /* A bent guitar note is struck up to two below. */
                    ck_assert_int_ge(s.events[i].key, prog->low - 2);
                    ck_assert_int_le(s.events[i].key, prog->high);
                }
                ck_assert_msg(notes >= 4, "%s program %d seed %d: %d notes in 6 s",
                              instrument_code(cls), prog->program, (int)seed, notes);
                ck_assert(!s.failed);
                score_free(&s);
            }
    }
}
END_TEST

/* Accompaniment never uses a program of the lead's class, drums stay on
 * GM percussion keys, and every part writes notes. */
START_TEST(accompaniment_avoids_the_lead_class)
{
    for (int c = 0; c < CLASS_COUNT; c++)
        for (uint64_t seed = 1; seed <= 30; seed++) {
            rng r;
            rng_init(&r, seed, 99, (uint64_t)c);
            song g;
            song_make(&g, (song_style)(seed % STYLE_COUNT), &r);
            accomp_part parts[ACCOMP_MAX_PARTS];
            int n = accomp_choose(parts, c, &g, &r);
            for (int i = 0; i < n; i++) {
                if (parts[i].role != ROLE_DRUMS)
                    for (int k = 0; k < instrument_classes[c].n_programs; k++)
                        ck_assert_int_ne(parts[i].program, instrument_classes[c].programs[k].program);
                score s;
                score_init(&s, RATE);
                accomp_write(&s, &parts[i], &g, 6.0, &r);
                ck_assert_int_gt(s.n, 0);
                for (int e = 0; e < s.n; e++)
                    if (parts[i].role == ROLE_DRUMS && s.events[e].kind == SCORE_NOTE_ON)
                        ck_assert(s.events[e].key >= 35 && s.events[e].key <= 81);
                score_free(&s);
            }
        }
}
END_TEST

START_TEST(scores_sort_releases_first)
{
    score s;
    score_init(&s, RATE);
    score_note(&s, 1.0, 0.5, 60, 90);
    score_note(&s, 0.0, 1.0, 60, 80); /* ends where the other starts */
    score_sort(&s);
    ck_assert_int_eq(s.n, 4);
    ck_assert_int_eq(s.events[1].kind, SCORE_NOTE_OFF);
    ck_assert_int_eq(s.events[2].kind, SCORE_NOTE_ON);
    ck_assert_int_eq(s.events[2].frame, RATE);
    score_free(&s);
}
END_TEST

START_TEST(song_scales_and_chords)
{
    rng r;
    rng_init(&r, 5, 0, 0);
    song g;
    song_make(&g, STYLE_CLASSICAL, &r);
    int key = song_scale_step(&g, 60, 0);
    for (int step = 1; step <= 14; step++) {
        int up = song_scale_step(&g, key, step);
        ck_assert(song_in_scale(&g, up));
        ck_assert_int_gt(up, key);
        ck_assert_int_eq(song_scale_step(&g, up, -step), key);
    }
    const chord *c = song_chord_at(&g, 0);
    int tone = song_chord_tone_near(c, 61);
    ck_assert_int_le(abs(tone - 61), 6);
    int pc = ((tone - c->root) % 12 + 12) % 12, found = 0;
    for (int i = 0; i < c->n; i++) found |= c->intervals[i] % 12 == pc;
    ck_assert(found);
}
END_TEST

START_TEST(sample_names_give_pitches)
{
    ck_assert_int_eq(samples_parse_key("A0v10.ogg"), 21);
    ck_assert_int_eq(samples_parse_key("C4.wav"), 60);
    ck_assert_int_eq(samples_parse_key("D#1v10.wav"), 27);
    ck_assert_int_eq(samples_parse_key("Bb2_soft.flac"), 46);
    ck_assert_int_eq(samples_parse_key("067-G.wav"), 67);
    ck_assert_int_eq(samples_parse_key("043_042_0.wav"), 43);
    ck_assert_int_eq(samples_parse_key("guit_e_fifths.wav"), -1);
    ck_assert_int_eq(samples_parse_key("ambi_choir.flac"), -1);
    ck_assert_int_eq(samples_parse_key("take2.wav"), -1);
    /* A note name wins over a take or round-robin number. */
    ck_assert_int_eq(samples_parse_key("Samples_pizzcato_A1_1.ogg"), 33);
    ck_assert_int_eq(samples_parse_key("Samples_acoustic_c3_vl4_rr2_1.ogg"), 48);
    ck_assert_int_eq(samples_parse_key("notes_eb5_f_rr3.ogg"), 75);
    ck_assert_int_eq(samples_parse_key("Violin.arco.ff.sulE.F5.stereo.ogg"), 77);
    ck_assert_int_eq(samples_parse_key("HEADROOM_PIANO_LEVEL1_DECCA_42.ogg"), 42);
    ck_assert_int_eq(samples_parse_drum("kick_3.wav"), 36);
    ck_assert_int_eq(samples_parse_drum("hihat-open_1.wav"), 46);
    ck_assert_int_eq(samples_parse_drum("hihat_2.wav"), 42);
    ck_assert_int_eq(samples_parse_drum("tom-low_1.wav"), 45);
    ck_assert_int_eq(samples_parse_drum("bell.wav"), -1);
}
END_TEST

START_TEST(filters_have_their_responses)
{
    biquad lp = biquad_make(BIQUAD_LOWPASS, 1000, M_SQRT1_2, 0, RATE);
    ck_assert_double_eq_tol(biquad_gain_db(&lp, 1000, RATE), -3.01, 0.05);
    ck_assert_double_lt(biquad_gain_db(&lp, 8000, RATE), -30);
    biquad hp = biquad_make(BIQUAD_HIGHPASS, 100, M_SQRT1_2, 0, RATE);
    ck_assert_double_eq_tol(biquad_gain_db(&hp, 100, RATE), -3.01, 0.05);
    biquad peak = biquad_make(BIQUAD_PEAK, 2000, 1, 6, RATE);
    ck_assert_double_eq_tol(biquad_gain_db(&peak, 2000, RATE), 6, 0.01);
    ck_assert_double_lt(fabs(biquad_gain_db(&peak, 50, RATE)), 0.1);
    biquad shelf = biquad_make(BIQUAD_HIGH_SHELF, 3000, M_SQRT1_2, -6, RATE);
    ck_assert_double_eq_tol(biquad_gain_db(&shelf, 18000, RATE), -6, 0.3);
    /* And the processing agrees: a 8 kHz sine through the low-pass. */
    enum { N = 8192 };
    static float l[N], r[N];
    for (int i = 0; i < N; i++) l[i] = r[i] = sinf(2 * (float)M_PI * 8000 * i / RATE);
    biquad_process(&lp, l, r, N);
    double rms = dynamics_rms_db(l + N / 2, r + N / 2, N / 2);
    ck_assert_double_eq_tol(rms, -3.01 + biquad_gain_db(&lp, 8000, RATE), 0.5);
}
END_TEST

/* The impulse response has unit energy per channel and decays by about
 * 60 dB over its RT60. */
START_TEST(rooms_decay_at_their_rt60)
{
    rng r;
    rng_init(&r, 1, 2, 3);
    room_params p = room_draw(0.8, 0.8, -6, -6, &r);
    float *left, *right;
    long n;
    ck_assert_int_eq(room_impulse(&p, RATE, &r, &left, &right, &n), IRMAS_OK);
    double energy = 0;
    for (long i = 0; i < n; i++) energy += (double)left[i] * left[i];
    ck_assert_double_eq_tol(energy, 1.0, 0.25);
    long start = lround((p.predelay + p.size) * RATE), span = RATE / 20;
    long later = start + lround(0.4 * RATE);
    double early = dynamics_rms_db(left + start, right + start, span);
    double late = dynamics_rms_db(left + later, right + later, span);
    ck_assert_double_eq_tol(early - late, 30, 6); /* 0.4 s of 0.8 s: half of 60 dB */
    free(left);
    free(right);
}
END_TEST

START_TEST(noise_comes_at_its_level)
{
    enum { N = RATE };
    static float l[N], r[N];
    for (int kind = 0; kind < NOISE_KINDS; kind++) {
        memset(l, 0, sizeof l);
        memset(r, 0, sizeof r);
        rng g;
        rng_init(&g, 4, 5, (uint64_t)kind);
        ck_assert_int_eq(noise_add((noise_kind)kind, 0.01, RATE, &g, l, r, N), 0);
        ck_assert_double_eq_tol(dynamics_rms_db(l, r, N), -40, 2);
    }
}
END_TEST

START_TEST(limiter_never_passes_the_ceiling)
{
    enum { N = 1000 };
    float l[N], r[N];
    for (int i = 0; i < N; i++) l[i] = r[i] = 3.0f * (i - N / 2) / (N / 2);
    dynamics_soft_limit(l, r, N, 0.8f, 0.99f);
    ck_assert_float_le(dynamics_peak(l, r, N), 0.99f);
    ck_assert_float_eq(l[N / 2 + 100], 3.0f * 100 / (N / 2)); /* below the knee: untouched */
    for (int i = 1; i < N; i++) ck_assert_float_ge(l[i], l[i - 1]);
}
END_TEST

START_TEST(augmentation_sets_the_level)
{
    enum { N = 3 * RATE };
    static float l[N], r[N];
    for (int level = AUGMENT_NONE; level <= AUGMENT_FULL; level++) {
        rng g;
        rng_init(&g, 7, 8, (uint64_t)level);
        for (int i = 0; i < N; i++)
            l[i] = r[i] = 0.1f * sinf(2 * (float)M_PI * 440 * i / RATE) * (i % RATE < RATE / 2);
        augment_plan plan;
        augment_draw(&plan, (augment_level)level, &g);
        ck_assert_int_eq(augment_apply(&plan, RATE, &g, l, r, N), IRMAS_OK);
        ck_assert_float_lt(dynamics_peak(l, r, N), 1.0f);
        ck_assert_double_gt(dynamics_rms_db(l, r, N), plan.level_db - 6);
        char line[400];
        augment_describe(&plan, line, sizeof line);
        ck_assert_ptr_nonnull(strstr(line, "level"));
    }
}
END_TEST

START_TEST(excerpt_names_follow_irmas)
{
    char name[128];
    corpus_excerpt_name(name, sizeof name, "pia", 1, "jaz_blu", 70012, 3);
    ck_assert_str_eq(name, "[pia][dru][jaz_blu]70012__3.wav");
    corpus_excerpt_name(name, sizeof name, "cel", 0, "cla", 10001, 1);
    ck_assert_str_eq(name, "[cel][nod][cla]10001__1.wav");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("synth-parts");
    TCase *music = tcase_create("music");
    tcase_set_timeout(music, 60);
    tcase_add_test(music, lead_notes_stay_in_range);
    tcase_add_test(music, accompaniment_avoids_the_lead_class);
    tcase_add_test(music, scores_sort_releases_first);
    tcase_add_test(music, song_scales_and_chords);
    tcase_add_test(music, sample_names_give_pitches);
    suite_add_tcase(s, music);
    TCase *sound = tcase_create("sound");
    tcase_set_timeout(sound, 60);
    tcase_add_test(sound, filters_have_their_responses);
    tcase_add_test(sound, rooms_decay_at_their_rt60);
    tcase_add_test(sound, noise_comes_at_its_level);
    tcase_add_test(sound, limiter_never_passes_the_ceiling);
    tcase_add_test(sound, augmentation_sets_the_level);
    tcase_add_test(sound, excerpt_names_follow_irmas);
    suite_add_tcase(s, sound);
    return tu_run(s);
}

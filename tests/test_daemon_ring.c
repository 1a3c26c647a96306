/* test_daemon_ring.c: the daemon's hand-off from the audio callback to the
 * worker (ring.h) and what the worker keeps beside it: where frames came
 * from in time (timeline.h) and the recent audio (history.h). */
#include "daemon_check.h"
#include "history.h"
#include "ring.h"
#include "timeline.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>

static float frames_in[2 * RING_MAX_BLOCK * 3], frames_out[2 * RING_MAX_BLOCK * 3];

static ring_block block(int frames, double time)
{
    return (ring_block){.frames = frames, .rate = 1000,
                        .capture_time = time};
}

START_TEST(interleaved_and_planar_blocks_arrive_in_order)
{
    ring *r;
    ck_assert_int_eq(ring_new(2, 8192, &r, NULL, 0), IRMAS_OK);
    float left[100], right[100];
    for (int i = 0; i < 100; i++) {
        left[i] = (float)i;
        right[i] = -(float)i;
        frames_in[2 * i] = (float)(1000 + i);
        frames_in[2 * i + 1] = (float)(2000 + i);
    }
    const float *planar[2] = {left, right};
    ring_block a = block(100, 1.0), b = block(100, 2.0), got;
    ck_assert_int_eq(ring_write_interleaved(r, &a, frames_in), 1);
    ck_assert_int_eq(ring_write_planar(r, &b, planar), 1);

    ck_assert_int_eq(ring_read(r, &got, frames_out), 1);
    ck_assert_int_eq(got.frames, 100);
    ck_assert_double_eq(got.capture_time, 1.0);
    ck_assert_float_eq(frames_out[2 * 99 + 1], 2099.0f);
    ck_assert_int_eq(ring_read(r, &got, frames_out), 1);
    for (int i = 0; i < 100; i++) {
        ck_assert_float_eq(frames_out[2 * i], (float)i);
        ck_assert_float_eq(frames_out[2 * i + 1], -(float)i);
    }
    ck_assert_int_eq(ring_read(r, &got, frames_out), 0);
    ring_free(r);
}
END_TEST

START_TEST(a_full_ring_drops_whole_blocks_counts_them_and_marks_the_gap)
{
    ring *r;
    ck_assert_int_eq(ring_new(1, RING_MAX_BLOCK, &r, NULL, 0), IRMAS_OK);
    ring_block b = block(1000, 0.0), got;
    int written = 0;
    for (int i = 0; i < 10; i++) written += ring_write_interleaved(r, &b, frames_in);
    ck_assert_int_lt(written, 10);
    ck_assert_int_eq(ring_overruns(r), (10 - written) * 1000LL);
    while (ring_read(r, &got, frames_out)) ck_assert_int_eq(got.discontinuous, 0);
    ck_assert_int_eq(ring_write_interleaved(r, &b, frames_in), 1);
    ck_assert_int_eq(ring_read(r, &got, frames_out), 1);
    ck_assert_int_eq(got.discontinuous, 1);
    ring_free(r);
}
END_TEST

START_TEST(long_blocks_are_split_with_their_times)
{
    ring *r;
    ck_assert_int_eq(ring_new(3, 4 * RING_MAX_BLOCK, &r, NULL, 0), IRMAS_OK);
    long n = RING_MAX_BLOCK + 10;
    for (long i = 0; i < 3 * n; i++) frames_in[i] = (float)i;
    ring_block b = block((int)n, 10.0), got;
    b.discontinuous = 1;
    ck_assert_int_eq(ring_write_interleaved(r, &b, frames_in), 1);
    ck_assert_int_eq(ring_read(r, &got, frames_out), 1);
    ck_assert_int_eq(got.frames, RING_MAX_BLOCK);
    ck_assert_int_eq(got.discontinuous, 1);
    ck_assert_int_eq(ring_read(r, &got, frames_out), 1);
    ck_assert_int_eq(got.frames, 10);
    ck_assert_int_eq(got.discontinuous, 0);
    ck_assert_double_eq_tol(got.capture_time, 10.0 + RING_MAX_BLOCK / 1000.0, 1e-9);
    ck_assert_float_eq(frames_out[0], (float)(3 * RING_MAX_BLOCK));
    ring_free(r);
}
END_TEST

START_TEST(closing_drains_after_the_last_block)
{
    ring *r;
    ck_assert_int_eq(ring_new(1, RING_MAX_BLOCK, &r, NULL, 0), IRMAS_OK);
    ring_block b = block(10, 0.0), got;
    ring_write_interleaved(r, &b, frames_in);
    ring_close(r);
    ck_assert_int_eq(ring_drained(r), 0);
    ck_assert_int_eq(ring_read(r, &got, frames_out), 1);
    ck_assert_int_eq(ring_drained(r), 1);
    ring_free(r);
}
END_TEST

/* A producer thread writes numbered frames in blocks of varying size while
 * the test reads: every frame must arrive once, in order, or be counted as
 * dropped. */
#define STRESS_FRAMES 2000000L
static long stress_written; /* frames offered, set before ring_close */

static void *stress_produce(void *arg)
{
    ring *r = arg;
    static float block_frames[2 * 777];
    long next = 0;
    for (int k = 0; next < STRESS_FRAMES; k++) {
        int n = 1 + (k * 131) % 777;
        for (int i = 0; i < n; i++)
            block_frames[2 * i] = block_frames[2 * i + 1] = (float)((next + i) % 100000);
        ring_block b = {.frames = n, .rate = 48000};
        ring_write_interleaved(r, &b, block_frames);
        next += n;
    }
    stress_written = next;
    ring_close(r);
    return NULL;
}

START_TEST(a_producer_and_a_consumer_in_two_threads_lose_nothing_silently)
{
    ring *r;
    ck_assert_int_eq(ring_new(2, 8192, &r, NULL, 0), IRMAS_OK);
    pthread_t producer;
    pthread_create(&producer, NULL, stress_produce, r);
    long received = 0, wrong = 0;
    float expected = -1.0f;
    ring_block got;
    /* Counted, then asserted once: an assertion a frame would cost more
     * than the ring (Check records each one). */
    while (!ring_drained(r)) {
        if (!ring_read(r, &got, frames_out)) continue;
        for (int i = 0; i < got.frames; i++) {
            wrong += frames_out[2 * i] != frames_out[2 * i + 1];
            if (expected >= 0 && !got.discontinuous)
                wrong += frames_out[2 * i] != expected;
            expected = fmodf(frames_out[2 * i] + 1.0f, 100000.0f);
            got.discontinuous = 0;
        }
        received += got.frames;
    }
    pthread_join(producer, NULL);
    ck_assert_int_eq(wrong, 0);
    ck_assert_int_eq(received + ring_overruns(r), stress_written);
    ring_free(r);
}
END_TEST

START_TEST(the_timeline_places_frames_between_and_beyond_blocks)
{
    timeline *t = timeline_new(4);
    double capture;
    ck_assert_int_eq(timeline_find(t, 0, &capture), 0);
    for (int k = 0; k < 6; k++) {
        ring_block b = block(100, 100.0 + k);
        timeline_add(t, 100LL * k, &b);
    }
    ck_assert_int_eq(timeline_find(t, 450.5, &capture), 1);
    ck_assert_double_eq_tol(capture, 104.0 + 50.5 / 1000, 1e-9);
    /* Frame 0's block is forgotten: the oldest one kept places it. */
    timeline_find(t, 0, &capture);
    ck_assert_double_eq_tol(capture, 102.0 - 200.0 / 1000, 1e-9);
    timeline_free(t);
}
END_TEST

START_TEST(the_history_keeps_the_last_frames_and_measures_their_level)
{
    history *h;
    ck_assert_int_eq(history_new(100, &h, NULL, 0), IRMAS_OK);
    float x[250], out[250];
    for (int i = 0; i < 250; i++) x[i] = (float)i;
    history_push(h, x, 250);
    ck_assert_int_eq(history_end(h), 250);
    ck_assert_int_eq(history_start(h), 150);
    ck_assert_int_eq(history_copy(h, 0, 250, out), 100);
    ck_assert_float_eq(out[0], 150.0f);
    ck_assert_double_eq_tol(history_mean_square(h, 200, 202), (200.0 * 200 + 201.0 * 201) / 2, 1e-6);
    ck_assert_double_eq(history_mean_square(h, 0, 10), 0.0);
    /* frames 170 to 232 lie on both sides of the buffer's end */
    double sum = 0;
    for (int i = 170; i < 233; i++) sum += (double)i * i;
    ck_assert_double_eq_tol(history_mean_square(h, 170, 233), sum / 63, 1e-9);
    ck_assert_int_eq(history_copy(h, 170, 233, out), 63);
    for (int i = 0; i < 63; i++) ck_assert_float_eq(out[i], (float)(170 + i));
    history_push(h, x, 60); /* frames 250 to 309: x[50..99], then x[0..9] */
    ck_assert_int_eq(history_copy(h, 248, 310, out), 62);
    ck_assert_float_eq(out[1], 249.0f);
    ck_assert_float_eq(out[2], 0.0f);
    ck_assert_float_eq(out[61], 59.0f);
    ck_assert_int_eq(history_start(h), 210);

    ck_assert_int_eq(history_reserve(h, 300, NULL, 0), IRMAS_OK);
    ck_assert_int_eq(history_copy(h, 210, 310, out), 100);
    ck_assert_float_eq(out[39], 249.0f);
    ck_assert_float_eq(out[99], 59.0f);
    history_push(h, x, 250);
    ck_assert_int_eq(history_start(h), 260);
    history_copy(h, 260, 261, out);
    ck_assert_float_eq(out[0], 10.0f); /* frame 260 was x[10] */
    history_free(h);
}
END_TEST

/* A reload to a model with a longer window grows the history: the new room
 * holds no audio until audio is pushed into it, so neither a copy (the
 * priming) nor a level reaches back into it. */
START_TEST(the_room_a_reserve_adds_holds_no_audio_until_pushed)
{
    history *h;
    ck_assert_int_eq(history_new(100, &h, NULL, 0), IRMAS_OK);
    float x[250], out[400];
    for (int i = 0; i < 250; i++) x[i] = 1.0f;
    history_push(h, x, 250);
    ck_assert_int_eq(history_reserve(h, 400, NULL, 0), IRMAS_OK);
    ck_assert_int_eq(history_start(h), 150);
    ck_assert_int_eq(history_copy(h, 0, 250, out), 100);
    ck_assert_double_eq_tol(history_mean_square(h, 0, 250), 1.0, 1e-9);
    history_push(h, x, 100);
    ck_assert_int_eq(history_start(h), 150);
    history_push(h, x, 250);
    ck_assert_int_eq(history_start(h), 200);
    ck_assert_int_eq(history_copy(h, 0, 600, out), 400);
    history_free(h);
}
END_TEST

int main(void)
{
    const TTest *tests[] = {
        interleaved_and_planar_blocks_arrive_in_order,
        a_full_ring_drops_whole_blocks_counts_them_and_marks_the_gap,
        long_blocks_are_split_with_their_times,
        closing_drains_after_the_last_block,
        a_producer_and_a_consumer_in_two_threads_lose_nothing_silently,
        the_timeline_places_frames_between_and_beyond_blocks,
        the_history_keeps_the_last_frames_and_measures_their_level,
        the_room_a_reserve_adds_holds_no_audio_until_pushed,
    };
    return daemon_check_run("daemon ring", tests, 8, 60);
}

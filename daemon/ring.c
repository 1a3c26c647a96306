/* ring.c: see ring.h.
 *
 * Both rings (samples, block descriptions) are byte queues for one writer
 * and one reader, built as JACK's jack_ringbuffer_t is: a power-of-two
 * buffer and two counters of bytes since the start, the writer's and the
 * reader's, each published with a release store and read with an acquire
 * load. They are written here rather than taken from libjack so that the
 * LV2 plugin, which hands its audio to the host's worker through this
 * ring, does not load the JACK client library (and the C++ runtime behind
 * it) into every host.
 *
 * Samples are written straight into the ring's memory, interleaving as
 * they go, so neither producer needs a scratch buffer. Every position in
 * the sample ring is a whole number of floats (its size is a power of
 * two), so a write that wraps splits between floats, never inside one.
 */
#include "ring.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- a byte queue for one writer and one reader ---- */

typedef struct {
    unsigned char *data;
    size_t size;                   /* a power of two */
    atomic_size_t written, read;   /* bytes since the start, wrapping */
} byte_ring;

/* Where the next writes go: up to two spans, the second from the start. */
typedef struct {
    void *at[2];
    size_t length[2];
} byte_span;

/* A ring of at least min_size bytes, locked in memory when the system
 * allows it (best effort: without the privilege it may page out, no
 * more). Returns 0, or -1 out of memory. */
static int byte_ring_init(byte_ring *b, size_t min_size)
{
    b->size = 1;
    while (b->size < min_size) b->size *= 2;
    b->data = malloc(b->size);
    if (!b->data) return -1;
    atomic_init(&b->written, 0);
    atomic_init(&b->read, 0);
    (void)mlock(b->data, b->size);
    return 0;
}

static void byte_ring_free(byte_ring *b)
{
    if (!b->data) return;
    (void)munlock(b->data, b->size);
    free(b->data);
}

/* Writer side: the bytes that fit now. */
static size_t byte_ring_write_space(const byte_ring *b)
{
    size_t w = atomic_load_explicit(&b->written, memory_order_relaxed);
    size_t r = atomic_load_explicit(&b->read, memory_order_acquire);
    return b->size - (w - r);
}

/* Reader side: the bytes waiting. */
static size_t byte_ring_read_space(const byte_ring *b)
{
    size_t w = atomic_load_explicit(&b->written, memory_order_acquire);
    size_t r = atomic_load_explicit(&b->read, memory_order_relaxed);
    return w - r;
}

/* The n bytes from byte count `position` on, as they lie in the buffer. */
static byte_span byte_ring_span(const byte_ring *b, size_t position, size_t n)
{
    size_t at = position & (b->size - 1);
    size_t first = n < b->size - at ? n : b->size - at;
    return (byte_span){{b->data + at, b->data}, {first, n - first}};
}

/* Writer side: where the next n bytes (that fit) go. */
static byte_span byte_ring_write_span(byte_ring *b, size_t n)
{
    return byte_ring_span(
        b, atomic_load_explicit(&b->written, memory_order_relaxed), n);
}

/* Writer side: publishes the next n bytes, once filled. */
static void byte_ring_write_advance(byte_ring *b, size_t n)
{
    size_t w = atomic_load_explicit(&b->written, memory_order_relaxed);
    atomic_store_explicit(&b->written, w + n, memory_order_release);
}

/* Writer side: copies n bytes (that fit) in and publishes them. */
static void byte_ring_write(byte_ring *b, const void *from, size_t n)
{
    byte_span s = byte_ring_write_span(b, n);
    memcpy(s.at[0], from, s.length[0]);
    memcpy(s.at[1], (const unsigned char *)from + s.length[0], s.length[1]);
    byte_ring_write_advance(b, n);
}

/* Reader side: copies the next n bytes (that are waiting) out and frees
 * their room. */
static void byte_ring_read(byte_ring *b, void *to, size_t n)
{
    size_t r = atomic_load_explicit(&b->read, memory_order_relaxed);
    byte_span s = byte_ring_span(b, r, n);
    memcpy(to, s.at[0], s.length[0]);
    memcpy((unsigned char *)to + s.length[0], s.at[1], s.length[1]);
    atomic_store_explicit(&b->read, r + n, memory_order_release);
}

/* ---- the ring of audio blocks ---- */

struct ring {
    int channels;
    byte_ring samples;          /* floats, interleaved */
    byte_ring blocks;           /* ring_block */
    int gap;                    /* producer only: a block was dropped */
    atomic_llong overruns;      /* frames dropped */
    atomic_int closed;
};

/* Blocks of 64 frames fill the sample ring before the block ring; JACK and
 * PortAudio deliver more at a time. */
#define RING_MIN_BLOCK 64

irmas_status ring_new(int channels, long capacity_frames, ring **out,
                      char *err, size_t errlen)
{
    *out = NULL;
    if (channels < 1 || capacity_frames < RING_MAX_BLOCK)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "ring: %d channels, %ld frames: need at least 1 "
                           "channel and %d frames", channels, capacity_frames,
                           RING_MAX_BLOCK);
    ring *r = calloc(1, sizeof *r);
    if (!r) return status_fail(err, errlen, IRMAS_ERR_NOMEM, "ring: out of memory");
    r->channels = channels;
    if (byte_ring_init(&r->samples, (size_t)capacity_frames * channels *
                                        sizeof(float)) ||
        byte_ring_init(&r->blocks, (size_t)(capacity_frames / RING_MIN_BLOCK + 1) *
                                       sizeof(ring_block))) {
        ring_free(r);
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "ring: out of memory for %ld frames",
                           capacity_frames);
    }
    *out = r;
    return IRMAS_OK;
}

void ring_free(ring *r)
{
    if (!r) return;
    byte_ring_free(&r->samples);
    byte_ring_free(&r->blocks);
    free(r);
}

int ring_channels(const ring *r) { return r->channels; }

long ring_write_space(const ring *r)
{
    long frames = (long)(byte_ring_write_space(&r->samples) /
                         (sizeof(float) * r->channels));
    long blocks = (long)(byte_ring_write_space(&r->blocks) / sizeof(ring_block));
    long by_blocks = blocks * RING_MAX_BLOCK;
    return frames < by_blocks ? frames : by_blocks;
}

/* Where float i of the current write goes. */
static float *write_slot(const byte_span *s, size_t i)
{
    size_t first = s->length[0] / sizeof(float);
    return i < first ? (float *)s->at[0] + i : (float *)s->at[1] + (i - first);
}

/* Reserves room for b and its samples, or counts the overrun. Returns 1
 * with the span to fill, or 0. */
static int write_begin(ring *r, const ring_block *b, byte_span *s)
{
    size_t bytes = (size_t)b->frames * r->channels * sizeof(float);
    if (byte_ring_write_space(&r->samples) < bytes ||
        byte_ring_write_space(&r->blocks) < sizeof *b) {
        atomic_fetch_add_explicit(&r->overruns, b->frames,
                                  memory_order_relaxed);
        r->gap = 1;
        return 0;
    }
    *s = byte_ring_write_span(&r->samples, bytes);
    return 1;
}

/* Publishes the samples, then the description that points the worker at
 * them (the release stores order the two). */
static void write_end(ring *r, const ring_block *b)
{
    ring_block d = *b;
    d.discontinuous |= r->gap;
    r->gap = 0;
    byte_ring_write_advance(&r->samples, (size_t)b->frames * r->channels *
                                             sizeof(float));
    byte_ring_write(&r->blocks, &d, sizeof d);
}

/* The part of b starting at frame `from`, at most RING_MAX_BLOCK long. */
static ring_block block_part(const ring_block *b, int from)
{
    ring_block part = *b;
    part.frames = b->frames - from < RING_MAX_BLOCK ? b->frames - from
                                                    : RING_MAX_BLOCK;
    part.capture_time += (double)from / b->rate;
    part.discontinuous = from == 0 && b->discontinuous;
    return part;
}

/* Copies frames [from, from + frames) of the source, interleaved or one
 * buffer per channel, into the span. */
static void copy_in(const ring *r, const byte_span *s, int from, int frames,
                    const float *interleaved, const float *const *planar)
{
    int ch = r->channels;
    for (int i = 0; i < frames; i++)
        for (int c = 0; c < ch; c++)
            *write_slot(s, (size_t)i * ch + c) =
                interleaved ? interleaved[(size_t)(from + i) * ch + c]
                            : planar[c][from + i];
}

static int ring_write(ring *r, const ring_block *b, const float *interleaved,
                      const float *const *planar)
{
    int written = 1;
    for (int from = 0; from < b->frames; from += RING_MAX_BLOCK) {
        ring_block part = block_part(b, from);
        byte_span s;
        if (!write_begin(r, &part, &s)) {
            written = 0;
            continue;
        }
        copy_in(r, &s, from, part.frames, interleaved, planar);
        write_end(r, &part);
    }
    return written;
}

int ring_write_interleaved(ring *r, const ring_block *b, const float *frames)
{
    return ring_write(r, b, frames, NULL);
}

int ring_write_planar(ring *r, const ring_block *b,
                      const float *const *channels)
{
    return ring_write(r, b, NULL, channels);
}

void ring_close(ring *r) { atomic_store_explicit(&r->closed, 1, memory_order_release); }

int ring_read(ring *r, ring_block *b, float *frames)
{
    if (byte_ring_read_space(&r->blocks) < sizeof *b) return 0;
    byte_ring_read(&r->blocks, b, sizeof *b);
    byte_ring_read(&r->samples, frames,
                   (size_t)b->frames * r->channels * sizeof(float));
    return 1;
}

int ring_drained(ring *r)
{
    return atomic_load_explicit(&r->closed, memory_order_acquire) &&
           byte_ring_read_space(&r->blocks) < sizeof(ring_block);
}

long long ring_overruns(const ring *r)
{
    return atomic_load_explicit(&r->overruns, memory_order_relaxed);
}

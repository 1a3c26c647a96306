/* timeline.c: see timeline.h. A circular array of blocks, searched from
 * the newest, since the frames asked about are almost always recent. */
#include "timeline.h"

#include <stdlib.h>

typedef struct {
    long long first_frame;
    ring_block block;
} timeline_entry;

struct timeline {
    int capacity, count, next;
    timeline_entry *entries;
};

timeline *timeline_new(int blocks)
{
    timeline *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->entries = calloc((size_t)blocks, sizeof *t->entries);
    if (!t->entries) {
        free(t);
        return NULL;
    }
    t->capacity = blocks;
    return t;
}

void timeline_free(timeline *t)
{
    if (!t) return;
    free(t->entries);
    free(t);
}

void timeline_add(timeline *t, long long first_frame, const ring_block *b)
{
    t->entries[t->next] = (timeline_entry){first_frame, *b};
    t->next = (t->next + 1) % t->capacity;
    if (t->count < t->capacity) t->count++;
}

int timeline_find(const timeline *t, double frame, double *capture_time)
{
    if (t->count == 0) return 0;
    /* From the newest block back to the oldest, which is used when the
     * frame is older still. */
    int k = 1;
    const timeline_entry *e = &t->entries[(t->next - 1 + t->capacity) % t->capacity];
    while (frame < (double)e->first_frame && k < t->count) {
        k++;
        e = &t->entries[(t->next - k + t->capacity) % t->capacity];
    }
    *capture_time = e->block.capture_time +
                    (frame - (double)e->first_frame) / e->block.rate;
    return 1;
}

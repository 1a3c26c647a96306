/* dataset_split.c: dealing a data set's groups out to training,
 * validation and test (dataset.h).
 *
 * Items are sorted by group to find the groups; a group belongs to the
 * class most of its items have, and goes to one split whole. Each class's
 * groups are shuffled with the seed and dealt to test, then validation,
 * while that brings the class nearer its share; the rest train. So every
 * class gets about its fractions (rounded to whole groups), and one seed
 * always gives one split.
 */
#include "dataset.h"
#include "rng.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    int first;  /* index into the sorted order of items */
    int size;
    int label;  /* the class most of its items have */
} split_group;

static int compare_by_group(const void *a, const void *b, void *data)
{
    const dataset_item *items = data;
    int i = *(const int *)a, j = *(const int *)b;
    int c = strcmp(items[i].group, items[j].group);
    return c ? c : (i > j) - (i < j);
}

/* The groups of d, each a run of order (items sorted by group). */
static int find_groups(const dataset *d, int *order, split_group *groups)
{
    for (int i = 0; i < d->n_items; i++) order[i] = i;
    qsort_r(order, (size_t)d->n_items, sizeof *order, compare_by_group,
            d->items);
    int n = 0;
    for (int i = 0; i < d->n_items;) {
        int counts[MODEL_MAX_CLASSES] = {0}, j = i, best = 0;
        for (; j < d->n_items && !strcmp(d->items[order[j]].group,
                                        d->items[order[i]].group); j++)
            counts[d->items[order[j]].label]++;
        for (int k = 1; k < d->classes; k++)
            if (counts[k] > counts[best]) best = k;
        groups[n++] = (split_group){.first = i, .size = j - i, .label = best};
        i = j;
    }
    return n;
}

/* Deals one class's groups (shuffled) to test, then validation, while that
 * brings each nearer its target; the rest train. */
static void deal_class(const int *order, const split_group *groups,
                       int *members, int n_members, const double target[3],
                       rng *r, int *assignment)
{
    for (int i = n_members - 1; i > 0; i--) {
        int j = rng_int(r, 0, i);
        int t = members[i];
        members[i] = members[j];
        members[j] = t;
    }
    double filled[3] = {0, 0, 0};
    for (int i = 0; i < n_members; i++) {
        const split_group *g = &groups[members[i]];
        int split = SPLIT_TRAIN;
        if (filled[SPLIT_TEST] + g->size / 2.0 <= target[SPLIT_TEST])
            split = SPLIT_TEST;
        else if (filled[SPLIT_VALIDATION] + g->size / 2.0 <=
                 target[SPLIT_VALIDATION])
            split = SPLIT_VALIDATION;
        filled[split] += g->size;
        for (int k = 0; k < g->size; k++)
            assignment[order[g->first + k]] = split;
    }
}

void dataset_split(const dataset *d, double val_fraction, double test_fraction,
                   uint64_t seed, int *assignment)
{
    int n = d->n_items;
    int *order = malloc(((size_t)n + 1) * sizeof *order);
    int *members = malloc(((size_t)n + 1) * sizeof *members);
    split_group *groups = malloc(((size_t)n + 1) * sizeof *groups);
    for (int i = 0; i < n; i++) assignment[i] = SPLIT_TRAIN;
    if (!order || !members || !groups) {
        /* Everything trains: never a straddle, and the caller's empty
         * validation split says that something went wrong. */
        free(order);
        free(members);
        free(groups);
        return;
    }
    int n_groups = find_groups(d, order, groups);
    rng r;
    rng_from_word(&r, seed); /* SplitMix64 from any seed, 0 included */
    for (int c = 0; c < d->classes; c++) {
        int n_members = 0, class_items = 0;
        for (int g = 0; g < n_groups; g++)
            if (groups[g].label == c) {
                members[n_members++] = g;
                class_items += groups[g].size;
            }
        double target[3] = {0, class_items * val_fraction,
                            class_items * test_fraction};
        deal_class(order, groups, members, n_members, target, &r,
                   assignment);
    }
    free(order);
    free(members);
    free(groups);
}

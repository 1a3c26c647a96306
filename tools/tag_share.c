/* tag_share.c: sharing irmas-tag's files over ranks (tag_share.h). */
#include "tag_share.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cluster.h"
#include "cluster_index.h"
#include "dataset.h"

/* Adds path (copies) to the list; 0 or -1 out of memory. */
static int add_path(dataset *list, const char *path, int *capacity)
{
    if (list->n_items == *capacity) {
        int grown = *capacity ? 2 * *capacity : 16;
        dataset_item *items =
            realloc(list->items, (size_t)grown * sizeof *items);
        if (!items) return -1;
        list->items = items;
        *capacity = grown;
    }
    dataset_item item = {.path = strdup(path), .label = -1,
                         .group = strdup(path)};
    list->items[list->n_items++] = item; /* dataset_free frees what is */
    return item.path && item.group ? 0 : -1;
}

/* Adds the audio files under dir; 0 or -1 with err set. */
static int add_folder(dataset *list, const char *dir, int *capacity,
                      char *err, size_t errlen)
{
    dataset d;
    if (dataset_scan_unlabelled(&d, &dir, 1, err, errlen) != IRMAS_OK)
        return -1;
    int status = 0;
    for (int i = 0; i < d.n_items && status == 0; i++)
        status = add_path(list, d.items[i].path, capacity);
    dataset_free(&d);
    if (status) snprintf(err, errlen, "out of memory listing %s", dir);
    return status;
}

/* Lists args[0..n_args) into list: with recursive, a folder stands for
 * the audio files under it. 0, or -1 with err set. */
static int list_files(dataset *list, char **args, int n_args, int recursive,
                      char *err, size_t errlen)
{
    int capacity = 0, status = 0;
    for (int i = 0; i < n_args && status == 0; i++) {
        struct stat st;
        if (recursive && stat(args[i], &st) == 0 && S_ISDIR(st.st_mode))
            status = add_folder(list, args[i], &capacity, err, errlen);
        else if ((status = add_path(list, args[i], &capacity)) != 0)
            snprintf(err, errlen, "out of memory listing the files");
    }
    return status;
}

typedef struct {
    double seconds;
    int index;
} file_length;

/* Longest first; equal lengths in list order. */
static int compare_lengths(const void *a, const void *b)
{
    const file_length *x = a, *y = b;
    if (x->seconds != y->seconds) return x->seconds < y->seconds ? 1 : -1;
    return x->index - y->index;
}

/* Takes list's paths into s and fills s->owner: longest first (by the
 * lengths measured), each file to the least loaded of ranks. 0, or -1
 * out of memory. */
static int share_out(tag_share *s, dataset *list, int ranks)
{
    int n = list->n_items;
    s->paths = calloc((size_t)n + 1, sizeof *s->paths);
    s->owner = calloc((size_t)n + 1, sizeof *s->owner);
    file_length *files = malloc((size_t)n * sizeof *files + 1);
    double *load = calloc((size_t)ranks, sizeof *load);
    int status = s->paths && s->owner && files && load ? 0 : -1;
    for (int i = 0; status == 0 && i < n; i++) {
        s->paths[s->n++] = list->items[i].path;
        list->items[i].path = NULL; /* s's now */
        files[i] = (file_length){list->items[i].seconds, i};
    }
    if (status == 0 && ranks > 1) {
        qsort(files, (size_t)n, sizeof *files, compare_lengths);
        for (int i = 0; i < n; i++) {
            int least = 0;
            for (int r = 1; r < ranks; r++)
                if (load[r] < load[least]) least = r;
            s->owner[files[i].index] = least;
            load[least] += files[i].seconds;
        }
    }
    free(files);
    free(load);
    return status;
}

int tag_share_new(tag_share *s, char **args, int n_args, int recursive,
                  char *err, size_t errlen)
{
    *s = (tag_share){0};
    dataset list = {0};
    int status = 0;
    if (cluster_is_root())
        status = list_files(&list, args, n_args, recursive, err, errlen);
    if (cluster_size() > 1 && cluster_share_index(&list, status == 0) != 0) {
        if (status == 0) err[0] = '\0'; /* said on the rank that failed */
        status = -1;
    }
    if (status == 0 && share_out(s, &list, cluster_size()) != 0) {
        snprintf(err, errlen, "out of memory sharing out %d files",
                 list.n_items);
        status = -1;
    }
    dataset_free(&list);
    if (status) tag_share_free(s);
    return status;
}

void tag_share_free(tag_share *s)
{
    if (!s) return;
    for (int i = 0; s->paths && i < s->n; i++) free(s->paths[i]);
    free(s->paths);
    free(s->owner);
    *s = (tag_share){0};
}

/* ---- records ---- */

/* What leads every record: the sizes of what follows. */
typedef struct {
    int32_t index, classes;
    int64_t windows, error_size; /* error_size 0: no error */
    double seconds;
} record_head;

#define PAD8(bytes) (((bytes) + 7) & ~(size_t)7)

/* Writes size bytes of data and pads them to 8; 0 or -1. */
static int put_padded(FILE *out, const void *data, size_t size)
{
    static const char zeros[8];
    size_t padding = PAD8(size) - size;
    return (size == 0 || fwrite(data, size, 1, out) == 1) &&
                   (padding == 0 || fwrite(zeros, padding, 1, out) == 1)
               ? 0
               : -1;
}

int tag_share_write(FILE *out, const tag_record *r)
{
    record_head head = {
        .index = r->index, .classes = r->classes,
        .windows = r->error ? 0 : r->windows,
        .error_size = r->error ? (int64_t)strlen(r->error) + 1 : 0,
        .seconds = r->seconds};
    size_t probs = (size_t)head.windows * head.classes * sizeof(float);
    size_t ends = (size_t)head.windows * sizeof(long long);
    return put_padded(out, &head, sizeof head) == 0 &&
                   put_padded(out, r->probs, probs) == 0 &&
                   put_padded(out, r->ends, ends) == 0 &&
                   put_padded(out, r->error, (size_t)head.error_size) == 0
               ? 0
               : -1;
}

int tag_share_read(const char **at, const char *end, tag_record *r)
{
    record_head head;
    if ((size_t)(end - *at) < sizeof head) return -1;
    memcpy(&head, *at, sizeof head);
    if (head.windows < 0 || head.classes < 0 || head.error_size < 0)
        return -1;
    size_t probs = PAD8((size_t)head.windows * head.classes * sizeof(float));
    size_t ends = PAD8((size_t)head.windows * sizeof(long long));
    size_t error = PAD8((size_t)head.error_size);
    const char *p = *at + PAD8(sizeof head);
    if ((size_t)(end - p) < probs + ends + error) return -1;
    *r = (tag_record){
        .index = head.index, .classes = head.classes,
        .windows = head.windows, .seconds = head.seconds,
        .probs = (const float *)(const void *)p,
        .ends = (const long long *)(const void *)(p + probs),
        .error = head.error_size ? p + probs + ends : NULL};
    if (r->error && r->error[head.error_size - 1] != '\0') return -1;
    *at = p + probs + ends + error;
    return 0;
}

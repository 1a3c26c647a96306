/* tag_share.c: sharing irmas-tag's files over ranks (tag_share.h). */
#include "tag_share.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "audio_file.h"
#include "dataset.h"

/* Adds path (a copy) to the list; 0 or -1. */
static int add_path(tag_share *s, const char *path, int *capacity)
{
    if (s->n == *capacity) {
        int grown = *capacity ? 2 * *capacity : 16;
        char **paths = realloc(s->paths, (size_t)grown * sizeof *paths);
        if (!paths) return -1;
        s->paths = paths;
        *capacity = grown;
    }
    if (!(s->paths[s->n] = strdup(path))) return -1;
    s->n++;
    return 0;
}

/* Adds the audio files under dir; 0 or -1 with err set. */
static int add_folder(tag_share *s, const char *dir, int *capacity,
                      char *err, size_t errlen)
{
    dataset d;
    if (dataset_scan_unlabelled(&d, &dir, 1, err, errlen) != IRMAS_OK)
        return -1;
    int status = 0;
    for (int i = 0; i < d.n_items && status == 0; i++)
        status = add_path(s, d.items[i].path, capacity);
    dataset_free(&d);
    if (status) snprintf(err, errlen, "out of memory listing %s", dir);
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

/* Fills s->owner: longest first, each file to the least loaded rank. */
static int share_out(tag_share *s, int ranks)
{
    s->owner = calloc((size_t)s->n + 1, sizeof *s->owner);
    if (!s->owner) return -1;
    if (ranks <= 1) return 0;
    file_length *files = malloc((size_t)s->n * sizeof *files + 1);
    double *load = calloc((size_t)ranks, sizeof *load);
    if (!files || !load) {
        free(files);
        free(load);
        return -1;
    }
    for (int i = 0; i < s->n; i++)
        files[i] = (file_length){audio_file_seconds(s->paths[i]), i};
    qsort(files, (size_t)s->n, sizeof *files, compare_lengths);
    for (int i = 0; i < s->n; i++) {
        int least = 0;
        for (int r = 1; r < ranks; r++)
            if (load[r] < load[least]) least = r;
        s->owner[files[i].index] = least;
        load[least] += files[i].seconds;
    }
    free(files);
    free(load);
    return 0;
}

int tag_share_new(tag_share *s, char **args, int n_args, int recursive,
                  int ranks, char *err, size_t errlen)
{
    *s = (tag_share){0};
    int capacity = 0, status = 0;
    for (int i = 0; i < n_args && status == 0; i++) {
        struct stat st;
        if (recursive && stat(args[i], &st) == 0 && S_ISDIR(st.st_mode))
            status = add_folder(s, args[i], &capacity, err, errlen);
        else if ((status = add_path(s, args[i], &capacity)) != 0)
            snprintf(err, errlen, "out of memory listing the files");
    }
    if (status == 0 && (status = share_out(s, ranks)) != 0)
        snprintf(err, errlen, "out of memory sharing out %d files", s->n);
    if (status) tag_share_free(s);
    return status;
}

void tag_share_free(tag_share *s)
{
    if (!s) return;
    for (int i = 0; i < s->n; i++) free(s->paths[i]);
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

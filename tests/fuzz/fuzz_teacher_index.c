/* fuzz_teacher_index.c: libFuzzer target for the reader of the AudioSet
 * teacher's tensors.tsv (engine/teacher.h), a file that comes from outside
 * the project.
 *
 * The input is written as tensors.tsv in a folder of its own, beside a
 * weights.f32 of one float, so an index the reader accepts goes on to the
 * weights' size check. teacher_weights_load must return a status and never
 * crash, hang or read outside its buffers; weights it accepts are freed
 * again. */
#include "teacher.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes size bytes of data to dir/name; 0 on success. */
static int write_file(const char *dir, const char *name, const void *data,
                      size_t size)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t wrote = fwrite(data, 1, size, f);
    return fclose(f) != 0 || wrote != size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[64];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/irmas-fuzz-teacher-%ld",
                 (long)getpid());
        mkdir(dir, 0700);
        const float one = 1.0f;
        if (write_file(dir, "weights.f32", &one, sizeof one)) abort();
    }
    if (write_file(dir, "tensors.tsv", data, size)) abort();
    char err[512];
    teacher_weights *w = NULL;
    if (teacher_weights_load(dir, &w, err, sizeof err) == IRMAS_OK)
        teacher_weights_free(w);
    return 0;
}

/* testdata.c: see testdata.h. */
#include "testdata.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *td_path(const char *dir, const char *name)
{
    static char paths[4][1024];
    static int next;
    char *path = paths[next++ % 4];
    snprintf(path, sizeof paths[0], "%s/%s", dir, name);
    return path;
}

void td_parents(const char *path)
{
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", path);
    for (char *slash = strchr(copy + 1, '/'); slash;
         slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        mkdir(copy, 0755);
        *slash = '/';
    }
}

void td_write(const char *path, const void *bytes, size_t n)
{
    td_parents(path);
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

void *td_read(const char *path, long *size)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    *size = ftell(f);
    rewind(f);
    void *bytes = malloc(*size > 0 ? (size_t)*size : 1);
    ck_assert_ptr_nonnull(bytes);
    ck_assert_int_eq(fread(bytes, 1, (size_t)*size, f), *size);
    fclose(f);
    return bytes;
}

void td_text(const char *dir, const char *name, const char *text)
{
    td_write(td_path(dir, name), text, strlen(text));
}

void td_touch(const char *dir, const char *name) { td_text(dir, name, ""); }

static int saved_stderr = -1;
static char capture_path[64];

void td_capture_begin(void)
{
    fflush(stderr);
    snprintf(capture_path, sizeof capture_path, "/tmp/irmas-stderr-XXXXXX");
    int fd = mkstemp(capture_path);
    ck_assert_int_ge(fd, 0);
    saved_stderr = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
}

const char *td_capture_end(void)
{
    static char text[16384];
    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    FILE *f = fopen(capture_path, "r");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    text[n] = '\0';
    if (f) fclose(f);
    unlink(capture_path);
    return text;
}

void td_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) return;
    DIR *d = S_ISDIR(st.st_mode) ? opendir(path) : NULL;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            char child[1024];
            snprintf(child, sizeof child, "%s/%s", path, e->d_name);
            td_remove_tree(child);
        }
    }
    if (d) closedir(d);
    remove(path);
}

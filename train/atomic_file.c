/* atomic_file.c: write to a temporary name, fsync, rename (see
 * atomic_file.h). */
#include "atomic_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writes all of data to fd. */
static int write_all(int fd, const unsigned char *data, size_t size)
{
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        data += n;
        size -= (size_t)n;
    }
    return 0;
}

irmas_status atomic_file_write(const char *path, const void *data,
                               size_t size, char *err, size_t errlen)
{
    size_t length = strlen(path) + sizeof ".tmp-XXXXXX";
    char *temp = malloc(length);
    if (!temp)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "%s: out of memory", path);
    snprintf(temp, length, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(temp);
    if (fd < 0) {
        int e = errno;
        free(temp);
        return status_fail(err, errlen, IRMAS_ERR_IO,
                           "%s: cannot create a file beside it: %s; check "
                           "that the folder exists and is writable",
                           path, strerror(e));
    }
    /* mkstemp makes the file private; give it the usual permissions. */
    mode_t mask = umask(0);
    umask(mask);
    int failed = fchmod(fd, 0666 & ~mask) != 0 ||
                 write_all(fd, data, size) != 0 || fsync(fd) != 0;
    int e = errno;
    failed |= close(fd) != 0;
    if (!failed && rename(temp, path) != 0) {
        failed = 1;
        e = errno;
    }
    if (failed) unlink(temp);
    free(temp);
    if (failed)
        return status_fail(err, errlen, IRMAS_ERR_IO,
                           "%s: cannot write: %s; check the free space",
                           path, strerror(e));
    return IRMAS_OK;
}

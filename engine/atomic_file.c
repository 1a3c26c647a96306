/* atomic_file.c: write to a temporary name beside the target, sync,
 * rename, sync the folder (see atomic_file.h). */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const unsigned char *bytes, size_t size)
{
    while (size > 0) {
        ssize_t n = write(fd, bytes, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        bytes += n;
        size -= (size_t)n;
    }
    return 0;
}

/* Makes the rename itself durable. The model is already in place when
 * this runs, so a failure only means a power cut might undo the save;
 * that is not worth reporting the save as failed. */
static void sync_folder(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *folder = slash ? strndup(path, (size_t)(slash - path + 1))
                         : strdup(".");
    int fd = folder ? open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(folder);
}

/* The temporary file is "<path>.tmp.XXXXXX". */
irmas_status atomic_file_write(const char *path, const void *data,
                               size_t size, char *err, size_t errlen)
{
    size_t length = strlen(path) + sizeof ".tmp.XXXXXX";
    char *temp = malloc(length);
    if (!temp)
        return status_fail(err, errlen, IRMAS_ERR_NOMEM,
                           "cannot save %s: out of memory", path);
    snprintf(temp, length, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(temp);
    if (fd < 0) {
        int error = errno;
        free(temp);
        return status_fail(err, errlen, IRMAS_ERR_IO,
                           "cannot save %s: cannot create a temporary file "
                           "beside it: %s; save to a folder you can write "
                           "to", path, strerror(error));
    }
    /* mkstemp makes the file private; a model is read by the daemon's own
     * user, so give the file the usual permissions. */
    const char *step = NULL;
    if (fchmod(fd, 0644) != 0) step = "set the permissions of";
    else if (write_all(fd, data, size) != 0) step = "write";
    else if (fsync(fd) != 0) step = "sync";
    int error = errno;
    if (close(fd) != 0 && !step) {
        step = "close";
        error = errno;
    }
    if (!step && rename(temp, path) != 0) {
        step = "rename";
        error = errno;
    }
    irmas_status status = IRMAS_OK;
    if (step) {
        unlink(temp);
        status = status_fail(err, errlen, IRMAS_ERR_IO,
                             "cannot save %s: could not %s %s: %s", path,
                             step, temp, strerror(error));
    } else {
        sync_folder(path);
    }
    free(temp);
    return status;
}

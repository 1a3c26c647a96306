/* status.c: status codes and the messages that travel with them. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>

const char *irmas_strerror(irmas_status status)
{
    switch (status) {
    case IRMAS_OK: return "success";
    case IRMAS_ERR_NOMEM: return "out of memory";
    case IRMAS_ERR_IO: return "input/output error";
    case IRMAS_ERR_FORMAT: return "malformed file";
    case IRMAS_ERR_ARG: return "invalid argument";
    case IRMAS_ERR_UNSUPPORTED: return "not supported by this build";
    }
    return "unknown status";
}

/* The library's own version, set once in the top-level meson.build. */
const char *irmas_version(void)
{
    return IRMAS_VERSION;
}

irmas_status status_fail(char *err, size_t errlen, irmas_status status,
                         const char *fmt, ...)
{
    if (err && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return status;
}

/* status.h: the status codes libirmas's functions return (irmas_status,
 * irmas_strerror: irmas/irmas.h), and how they write their messages.
 *
 * Functions that can fail
 * for a reason worth telling a user (a bad file, a bad argument) also take
 * a caller-owned message buffer and write one line into it that names the
 * file, field or offset and what to do, in the style of
 *   "model.irm: layer 2 (lstm): tensor 'w_h' ends at byte 9120, past the end of the file (8704 bytes); the file is truncated, copy it again"
 * The buffer may be NULL, in which case only the code is returned.
 */
#ifndef IRMAS_STATUS_H
#define IRMAS_STATUS_H

#include <stddef.h>

#include "irmas/irmas.h"

/* Writes a printf-style message into err (if err is not NULL and errlen > 0)
 * and returns status, so a failing function can end with
 *   return status_fail(err, errlen, IRMAS_ERR_FORMAT, "%s: ...", path);  */
irmas_status status_fail(char *err, size_t errlen, irmas_status status,
                         const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif

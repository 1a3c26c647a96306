/* number.c: strtol and strtod, held to the whole text and a range (see
 * number.h). */
#include "number.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

int number_whole(const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) return -1;
    *out = v;
    return 0;
}

int number_real(const char *text, double min, double max, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end || !isfinite(v) || !(v >= min && v <= max))
        return -1;
    *out = v;
    return 0;
}

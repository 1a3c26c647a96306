/* classes.c: see classes.h. */
#include "classes.h"

#include <string.h>

static const struct {
    const char *code, *name;
} irmas_classes[CLASSES_IRMAS] = {
    {"cel", "cello"},           {"cla", "clarinet"},
    {"flu", "flute"},           {"gac", "acoustic guitar"},
    {"gel", "electric guitar"}, {"org", "organ"},
    {"pia", "piano"},           {"sax", "saxophone"},
    {"tru", "trumpet"},         {"vio", "violin"},
    {"voi", "voice"},
};

const char *classes_code(int c)
{
    return c >= 0 && c < CLASSES_IRMAS ? irmas_classes[c].code : NULL;
}

int classes_find(const char *code)
{
    for (int c = 0; c < CLASSES_IRMAS; c++)
        if (!strcmp(irmas_classes[c].code, code)) return c;
    return -1;
}

const char *classes_name(const char *code)
{
    int c = classes_find(code);
    return c < 0 ? code : irmas_classes[c].name;
}

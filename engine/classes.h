/* classes.h: the 11 IRMAS classes, written once: their codes in IRMAS
 * order (the order of the shipped models, the teacher's mapping and the
 * IRMAS data sets' folders) and the names people call them by.
 */
#ifndef IRMAS_CLASSES_H
#define IRMAS_CLASSES_H

#define CLASSES_IRMAS 11

/* The code of class c < CLASSES_IRMAS: "cel", "cla", ..., "voi"; NULL
 * otherwise. */
const char *classes_code(int c);

/* The index of code among the IRMAS classes, or -1. */
int classes_find(const char *code);

/* What people call the class of code: "cello", "acoustic guitar", ...;
 * code itself when it is not an IRMAS code (a model's own labels). */
const char *classes_name(const char *code);

#endif

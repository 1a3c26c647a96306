/* number.h: the numbers the programs' options take, read whole: the text
 * must be nothing but the number, in range. Each program says in its own
 * words what it expected; these only say whether the text is it.
 */
#ifndef IRMAS_NUMBER_H
#define IRMAS_NUMBER_H

/* A whole decimal number from min to max: 0 and *out, or -1 (*out
 * untouched) for anything else, overflow included. */
int number_whole(const char *text, long min, long max, long *out);

/* A finite number from min to max: 0 and *out, or -1 (*out untouched).
 * For a bound that is open, pass the next double inside it (nextafter). */
int number_real(const char *text, double min, double max, double *out);

#endif

/* bytes.h: binary files put together and taken apart in memory, with
 * fields stored little-endian whatever the machine: a buffer that grows as
 * fields are appended, and a cursor that reads fields in order and never
 * past its end. The model file (model_file.c) and the trainer's
 * checkpoints (train/checkpoint.c) are laid out with them; each adds its
 * own messages, which name the file, the field and the byte.
 */
#ifndef IRMAS_BYTES_H
#define IRMAS_BYTES_H

#include <stddef.h>
#include <stdint.h>

/* A buffer being filled. Start from {0}; bytes is the caller's to free.
 * Once an allocation fails, failed is set and nothing more is written, so
 * a writer checks failed once at the end. */
typedef struct {
    unsigned char *bytes;
    size_t size, capacity;
    int failed;
} bytes_writer;

/* Room for n more bytes at the end (the size grows by n), or NULL once out
 * of memory. */
unsigned char *bytes_put_space(bytes_writer *w, size_t n);

/* Appends n bytes of data. */
void bytes_put(bytes_writer *w, const void *data, size_t n);

/* Appends the low `bytes` bytes (1 to 8) of value, least significant
 * first. */
void bytes_put_le(bytes_writer *w, uint64_t value, int bytes);

/* Appends n floats as their IEEE-754 bits, 4 bytes each. */
void bytes_put_floats(bytes_writer *w, const float *x, long n);

/* Reads bytes[at..end) in order. */
typedef struct {
    const unsigned char *bytes;
    size_t end; /* nothing is read from here on */
    size_t at;  /* the next byte to read */
} bytes_cursor;

/* Reads a field of `bytes` bytes (1 to 8), least significant first, into
 * *value and moves past it: 0, or -1 (nothing read, nothing moved) when
 * fewer bytes remain before the end. */
int bytes_get_le(bytes_cursor *c, int bytes, uint64_t *value);

/* The value stored at `at` in `bytes` bytes (1 to 8), and its inverse:
 * for fields read or patched in place. */
uint64_t bytes_load_le(const unsigned char *at, int bytes);
void bytes_store_le(unsigned char *at, uint64_t value, int bytes);

/* A float's IEEE-754 bits, and the float with the low 32 bits of bits. */
uint32_t bytes_float_bits(float x);
float bytes_bits_float(uint64_t bits);

#endif

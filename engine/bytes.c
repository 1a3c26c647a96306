/* bytes.c: the growing buffer and the bounded cursor of bytes.h. */
#include "bytes.h"

#include <stdlib.h>
#include <string.h>

/* The buffer doubles (from 4 KiB) until n more bytes fit. */
unsigned char *bytes_put_space(bytes_writer *w, size_t n)
{
    if (w->failed) return NULL;
    if (n > w->capacity - w->size) {
        size_t capacity = w->capacity ? w->capacity : 4096;
        while (capacity - w->size < n) capacity *= 2;
        unsigned char *grown = realloc(w->bytes, capacity);
        if (!grown) {
            w->failed = 1;
            return NULL;
        }
        w->bytes = grown;
        w->capacity = capacity;
    }
    w->size += n;
    return w->bytes + w->size - n;
}

void bytes_put(bytes_writer *w, const void *data, size_t n)
{
    unsigned char *at = bytes_put_space(w, n);
    if (at) memcpy(at, data, n);
}

void bytes_put_le(bytes_writer *w, uint64_t value, int bytes)
{
    unsigned char *at = bytes_put_space(w, (size_t)bytes);
    if (at) bytes_store_le(at, value, bytes);
}

void bytes_put_floats(bytes_writer *w, const float *x, long n)
{
    unsigned char *at = bytes_put_space(w, 4 * (size_t)n);
    for (long i = 0; at && i < n; i++)
        bytes_store_le(at + 4 * i, bytes_float_bits(x[i]), 4);
}

int bytes_get_le(bytes_cursor *c, int bytes, uint64_t *value)
{
    if (c->at > c->end || c->end - c->at < (size_t)bytes) return -1;
    *value = bytes_load_le(c->bytes + c->at, bytes);
    c->at += (size_t)bytes;
    return 0;
}

uint64_t bytes_load_le(const unsigned char *at, int bytes)
{
    uint64_t value = 0;
    for (int i = 0; i < bytes; i++) value |= (uint64_t)at[i] << 8 * i;
    return value;
}

void bytes_store_le(unsigned char *at, uint64_t value, int bytes)
{
    for (int i = 0; i < bytes; i++) at[i] = (unsigned char)(value >> 8 * i);
}

uint32_t bytes_float_bits(float x)
{
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    return bits;
}

float bytes_bits_float(uint64_t bits)
{
    uint32_t narrow = (uint32_t)bits;
    float x;
    memcpy(&x, &narrow, sizeof x);
    return x;
}

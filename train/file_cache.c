/* file_cache.c: naming and making the entries of a results cache (see
 * file_cache.h). The hashes are nettle's SHA-256. */
#include "file_cache.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* The first chars / 2 bytes of ctx's digest as chars hex digits and a NUL. */
static void hex_digest(struct sha256_ctx *ctx, char *hex, size_t chars)
{
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(ctx, sizeof digest, digest);
    for (size_t i = 0; i < chars / 2 && i < sizeof digest; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

irmas_status file_cache_hash_file(const char *path, char hex[65], char *err,
                                  size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return status_fail(err, errlen, IRMAS_ERR_IO, "%s: cannot open: %s",
                           path, strerror(errno));
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    uint8_t chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        sha256_update(&ctx, n, chunk);
    int failed = ferror(f);
    fclose(f);
    if (failed)
        return status_fail(err, errlen, IRMAS_ERR_IO, "%s: cannot read it "
                           "to name its cache entry", path);
    hex_digest(&ctx, hex, 64);
    return IRMAS_OK;
}

void file_cache_settings_key(const char *text, size_t n, char key[17])
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, n, (const uint8_t *)text);
    hex_digest(&ctx, key, 16);
}

irmas_status file_cache_make_folder(const char *dir, const char *option,
                                    char *err, size_t errlen)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s", dir);
    if (n <= 0 || (size_t)n >= sizeof path)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "the cache folder's name is empty or too long");
    for (char *p = path + 1; ; p++) {
        char was = *p;
        if (was != '/' && was != '\0') continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return status_fail(err, errlen, IRMAS_ERR_IO,
                               "%s: cannot create the cache folder: %s; "
                               "choose another with %s", path,
                               strerror(errno), option);
        *p = was;
        if (!was) return IRMAS_OK;
    }
}

irmas_status file_cache_entry(const char *dir, const char *path,
                              const char *key, const char *suffix, char *out,
                              size_t size, char *err, size_t errlen)
{
    char hex[65];
    irmas_status status = file_cache_hash_file(path, hex, err, errlen);
    if (status != IRMAS_OK) return status;
    return file_cache_entry_of_hash(dir, hex, key, suffix, out, size, err,
                                    errlen);
}

irmas_status file_cache_entry_of_hash(const char *dir, const char *hex,
                                      const char *key, const char *suffix,
                                      char *out, size_t size, char *err,
                                      size_t errlen)
{
    int n = snprintf(out, size, "%s/%s-%s%s", dir, hex, key, suffix);
    if (n < 0 || (size_t)n >= size)
        return status_fail(err, errlen, IRMAS_ERR_ARG,
                           "%s: the cache folder's name is too long", dir);
    return IRMAS_OK;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "crypto/ota-crypt.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/gcm.h>

#include "core/cleanup.h"
#include "core/strutil.h"
#include "crypto/ct.h"
#include "crypto/random.h"

static void put_be32(uint8_t *p, uint32_t v) {
        for (int i = 3; i >= 0; i--, v >>= 8)
                p[i] = (uint8_t) v;
}

static void put_be64(uint8_t *p, uint64_t v) {
        for (int i = 7; i >= 0; i--, v >>= 8)
                p[i] = (uint8_t) v;
}

static uint64_t get_be(const uint8_t *p, int n) {
        uint64_t v = 0;
        for (int i = 0; i < n; i++)
                v = (v << 8) | p[i];
        return v;
}

static bool is_zero(const uint8_t *p, size_t n) {
        uint8_t acc = 0;
        for (size_t i = 0; i < n; i++)
                acc |= p[i];
        return acc == 0;
}

void ota_crypt_header_encode(const struct ota_crypt_header *h, uint8_t out[OTA_CRYPT_HEADER_LEN]) {
        memset(out, 0, OTA_CRYPT_HEADER_LEN);
        memcpy(out, OTA_CRYPT_MAGIC, 8);
        put_be32(out + 8, h->chunk_size);
        memcpy(out + 12, h->nonce_prefix, OTA_CRYPT_NONCE_PREFIX_LEN);
        /* out[19]: reserved zero */
        put_be64(out + 20, h->plain_length);
        /* out[28..31]: reserved zero */
}

int ota_crypt_header_parse(const uint8_t *buf, size_t len, struct ota_crypt_header *h, struct error *err) {
        if (len < OTA_CRYPT_HEADER_LEN)
                return error_set(err, ERROR_INVALID, "encrypted image: %zu bytes is shorter than the %d-byte header",
                                 len, OTA_CRYPT_HEADER_LEN);
        if (memcmp(buf, OTA_CRYPT_MAGIC, 8) != 0)
                return error_set(err, ERROR_INVALID, "encrypted image: the header does not start with '%s'",
                                 OTA_CRYPT_MAGIC);
        uint32_t cs = (uint32_t) get_be(buf + 8, 4);
        if (cs < OTA_CRYPT_CHUNK_MIN || cs > OTA_CRYPT_CHUNK_MAX || (cs & (cs - 1)) != 0)
                return error_set(err, ERROR_INVALID,
                                 "encrypted image: chunk size %" PRIu32 " is not a power of two in [%u, %u]", cs,
                                 OTA_CRYPT_CHUNK_MIN, OTA_CRYPT_CHUNK_MAX);
        if (buf[19] != 0 || !is_zero(buf + 28, 4))
                return error_set(err, ERROR_INVALID, "encrypted image: reserved header bytes are not zero");
        uint64_t pl = get_be(buf + 20, 8);
        if (pl > OTA_CRYPT_PLAIN_MAX)
                return error_set(err, ERROR_INVALID, "encrypted image: plaintext length %" PRIu64 " is over %llu",
                                 pl, (unsigned long long) OTA_CRYPT_PLAIN_MAX);
        if ((pl + cs - 1) / cs > UINT32_MAX)
                return error_set(err, ERROR_INVALID, "encrypted image: more than 2^32 chunks");
        h->chunk_size = cs;
        memcpy(h->nonce_prefix, buf + 12, OTA_CRYPT_NONCE_PREFIX_LEN);
        h->plain_length = pl;
        return 0;
}

uint64_t ota_crypt_chunk_count(const struct ota_crypt_header *h) {
        uint64_t n = (h->plain_length + h->chunk_size - 1) / h->chunk_size;
        return n ? n : 1;
}

uint64_t ota_crypt_file_length(const struct ota_crypt_header *h) {
        return OTA_CRYPT_HEADER_LEN + ota_crypt_chunk_count(h) * OTA_CRYPT_TAG_LEN + h->plain_length;
}

uint64_t ota_crypt_chunk_offset(const struct ota_crypt_header *h, uint64_t index) {
        return OTA_CRYPT_HEADER_LEN + index * ((uint64_t) h->chunk_size + OTA_CRYPT_TAG_LEN);
}

uint32_t ota_crypt_chunk_plain_length(const struct ota_crypt_header *h, uint64_t index) {
        uint64_t n = ota_crypt_chunk_count(h);
        if (index + 1 < n)
                return h->chunk_size;
        return (uint32_t) (h->plain_length - (n - 1) * (uint64_t) h->chunk_size);
}

static void chunk_nonce(const struct ota_crypt_header *h, uint64_t index, uint8_t nonce[GCM_IV_SIZE]) {
        memcpy(nonce, h->nonce_prefix, OTA_CRYPT_NONCE_PREFIX_LEN);
        put_be32(nonce + 7, (uint32_t) index);
        nonce[11] = index + 1 == ota_crypt_chunk_count(h) ? 0x01 : 0x00;
}

/* The AEAD of one chunk with a keyed context. */
static void seal_chunk(struct gcm_aes256_ctx *g, const struct ota_crypt_header *h, const uint8_t hdr[32],
                       uint64_t index, const uint8_t *in, size_t n, uint8_t *out) {
        uint8_t nonce[GCM_IV_SIZE];
        chunk_nonce(h, index, nonce);
        gcm_aes256_set_iv(g, GCM_IV_SIZE, nonce);
        gcm_aes256_update(g, OTA_CRYPT_HEADER_LEN, hdr);
        gcm_aes256_encrypt(g, n, out, in);
        gcm_aes256_digest(g, OTA_CRYPT_TAG_LEN, out + n);
}

static int open_chunk(struct gcm_aes256_ctx *g, const struct ota_crypt_header *h, const uint8_t hdr[32],
                      uint64_t index, const uint8_t *in, size_t in_len, uint8_t *out, struct error *err) {
        uint64_t count = ota_crypt_chunk_count(h);
        if (index >= count)
                return error_set(err, ERROR_INVALID, "encrypted image: chunk %" PRIu64 " is past the last (%" PRIu64
                                 " chunks)", index, count);
        size_t n = ota_crypt_chunk_plain_length(h, index);
        if (in_len != n + OTA_CRYPT_TAG_LEN)
                return error_set(err, ERROR_INVALID, "encrypted image: chunk %" PRIu64 " is %zu bytes, not %zu",
                                 index, in_len, n + OTA_CRYPT_TAG_LEN);
        uint8_t nonce[GCM_IV_SIZE], tag[OTA_CRYPT_TAG_LEN];
        chunk_nonce(h, index, nonce);
        gcm_aes256_set_iv(g, GCM_IV_SIZE, nonce);
        gcm_aes256_update(g, OTA_CRYPT_HEADER_LEN, hdr);
        gcm_aes256_decrypt(g, n, out, in);
        gcm_aes256_digest(g, OTA_CRYPT_TAG_LEN, tag);
        if (!ct_equal(tag, in + n, OTA_CRYPT_TAG_LEN)) {
                ct_wipe(out, n);
                return error_set(err, ERROR_INVALID,
                                 "encrypted image: chunk %" PRIu64 " of %" PRIu64
                                 " does not authenticate (tampered, reordered, truncated or another key)",
                                 index, count);
        }
        return 0;
}

int ota_crypt_open_chunk(const uint8_t key[OTA_CRYPT_KEY_LEN], const struct ota_crypt_header *h,
                         uint64_t index, const uint8_t *in, size_t in_len, uint8_t *out, struct error *err) {
        struct gcm_aes256_ctx g;
        uint8_t hdr[OTA_CRYPT_HEADER_LEN];
        ota_crypt_header_encode(h, hdr);
        gcm_aes256_set_key(&g, key);
        int r = open_chunk(&g, h, hdr, index, in, in_len, out, err);
        ct_wipe(&g, sizeof(g));
        return r;
}

/* ---- streaming decryption ---- */

struct ota_decrypt {
        struct gcm_aes256_ctx gcm;
        uint8_t hdr_bytes[OTA_CRYPT_HEADER_LEN];
        size_t hdr_have;
        bool have_header;
        struct ota_crypt_header h;
        uint64_t index;        /* the chunk being collected */
        uint8_t *buf;          /* one chunk + tag */
        size_t have;           /* bytes of it collected */
        uint8_t *plain;
        struct hash_sha256_ctx *hash;
        uint64_t plain_out;
        bool done;             /* the last chunk verified */
};

struct ota_decrypt *ota_decrypt_new(const uint8_t key[OTA_CRYPT_KEY_LEN]) {
        struct ota_decrypt *d = xcalloc(1, sizeof(*d));
        gcm_aes256_set_key(&d->gcm, key);
        d->hash = hash_sha256_new();
        return d;
}

const struct ota_crypt_header *ota_decrypt_header(const struct ota_decrypt *d) {
        return d->have_header ? &d->h : NULL;
}

int ota_decrypt_update(struct ota_decrypt *d, const uint8_t *in, size_t len, ota_crypt_sink sink, void *ud,
                       struct error *err) {
        while (len > 0) {
                if (!d->have_header) {
                        size_t take = OTA_CRYPT_HEADER_LEN - d->hdr_have;
                        if (take > len)
                                take = len;
                        memcpy(d->hdr_bytes + d->hdr_have, in, take);
                        d->hdr_have += take;
                        in += take;
                        len -= take;
                        if (d->hdr_have < OTA_CRYPT_HEADER_LEN)
                                return 0;
                        if (ota_crypt_header_parse(d->hdr_bytes, OTA_CRYPT_HEADER_LEN, &d->h, err) < 0)
                                return -1;
                        d->have_header = true;
                        d->buf = xmalloc((size_t) d->h.chunk_size + OTA_CRYPT_TAG_LEN);
                        d->plain = xmalloc(d->h.chunk_size);
                        continue;
                }
                if (d->done)
                        return error_set(err, ERROR_INVALID,
                                         "encrypted image: %zu bytes follow the last chunk (not part of the file)",
                                         len);
                size_t want = (size_t) ota_crypt_chunk_plain_length(&d->h, d->index) + OTA_CRYPT_TAG_LEN;
                size_t take = want - d->have;
                if (take > len)
                        take = len;
                memcpy(d->buf + d->have, in, take);
                d->have += take;
                in += take;
                len -= take;
                if (d->have < want)
                        return 0;
                if (open_chunk(&d->gcm, &d->h, d->hdr_bytes, d->index, d->buf, d->have, d->plain, err) < 0)
                        return -1;
                size_t n = want - OTA_CRYPT_TAG_LEN;
                hash_sha256_update(d->hash, d->plain, n);
                d->plain_out += n;
                int r = sink ? sink(ud, d->plain, n, err) : 0;
                ct_wipe(d->plain, n);
                if (r < 0)
                        return -1;
                d->have = 0;
                if (d->index + 1 == ota_crypt_chunk_count(&d->h))
                        d->done = true;
                else
                        d->index++;
        }
        return 0;
}

int ota_decrypt_finish(struct ota_decrypt *d, uint8_t plain_sha256[SHA256_LEN], uint64_t *plain_length,
                       struct error *err) {
        if (!d->have_header)
                return error_set(err, ERROR_INVALID, "encrypted image: truncated within the header (%zu of %d bytes)",
                                 d->hdr_have, OTA_CRYPT_HEADER_LEN);
        if (!d->done)
                return error_set(err, ERROR_INVALID,
                                 "encrypted image: truncated: %" PRIu64 " of %" PRIu64 " chunks complete",
                                 d->index, ota_crypt_chunk_count(&d->h));
        uint8_t sha[SHA256_LEN];
        hash_sha256_final(d->hash, sha);
        d->hash = NULL;
        if (plain_sha256)
                memcpy(plain_sha256, sha, SHA256_LEN);
        if (plain_length)
                *plain_length = d->plain_out;
        return 0;
}

void ota_decrypt_free(struct ota_decrypt *d) {
        if (!d)
                return;
        if (d->hash) {
                uint8_t junk[SHA256_LEN];
                hash_sha256_final(d->hash, junk);
        }
        if (d->have_header) {
                ct_wipe(d->buf, (size_t) d->h.chunk_size + OTA_CRYPT_TAG_LEN);
                ct_wipe(d->plain, d->h.chunk_size);
        }
        free(d->buf);
        free(d->plain);
        ct_wipe(d, sizeof(*d));
        free(d);
}

/* ---- encryption of a file ---- */

static int read_full(int fd, uint8_t *buf, size_t n, size_t *got) {
        size_t have = 0;
        while (have < n) {
                ssize_t r = read(fd, buf + have, n - have);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return -1;
                if (r == 0)
                        break;
                have += (size_t) r;
        }
        *got = have;
        return 0;
}

static int write_full(int fd, const uint8_t *p, size_t n) {
        while (n > 0) {
                ssize_t w = write(fd, p, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -1;
                p += w;
                n -= (size_t) w;
        }
        return 0;
}

int ota_crypt_encrypt_file(const uint8_t key[OTA_CRYPT_KEY_LEN], uint32_t chunk_size, const char *src_path,
                           int dst_fd, struct ota_crypt_result *res, struct error *err) {
        struct ota_crypt_result local;
        if (!res)
                res = &local;
        memset(res, 0, sizeof(*res));
        if (!chunk_size)
                chunk_size = OTA_CRYPT_CHUNK_DEFAULT;
        _cleanup_close_ int in = open(src_path, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return error_set_errno(err, ERROR_IO, errno, "opening %s", src_path);
        struct stat st;
        if (fstat(in, &st) < 0)
                return error_set_errno(err, ERROR_IO, errno, "%s", src_path);
        if (!S_ISREG(st.st_mode))
                return error_set(err, ERROR_INVALID, "%s is not a regular file", src_path);
        struct ota_crypt_header h = { .chunk_size = chunk_size, .plain_length = (uint64_t) st.st_size };
        uint8_t hdr[OTA_CRYPT_HEADER_LEN];
        if (random_bytes(h.nonce_prefix, sizeof(h.nonce_prefix), err) < 0)
                return -1;
        ota_crypt_header_encode(&h, hdr);
        /* Check what we wrote parses: a chunk size out of range is the caller's bug. */
        if (ota_crypt_header_parse(hdr, sizeof(hdr), &h, err) < 0)
                return -1;
        struct gcm_aes256_ctx g;
        gcm_aes256_set_key(&g, key);
        uint8_t *plain = xmalloc(chunk_size), *out = xmalloc((size_t) chunk_size + OTA_CRYPT_TAG_LEN);
        struct hash_sha256_ctx *hp = hash_sha256_new(), *hc = hash_sha256_new();
        uint64_t count = ota_crypt_chunk_count(&h), done = 0;
        int rc = -1;
        hash_sha256_update(hc, hdr, sizeof(hdr));
        if (write_full(dst_fd, hdr, sizeof(hdr)) < 0) {
                error_set_errno(err, ERROR_IO, errno, "writing the encrypted image");
                goto out;
        }
        res->cipher_length = sizeof(hdr);
        for (uint64_t i = 0; i < count; i++) {
                size_t want = ota_crypt_chunk_plain_length(&h, i), got = 0;
                if (read_full(in, plain, want, &got) < 0) {
                        error_set_errno(err, ERROR_IO, errno, "reading %s", src_path);
                        goto out;
                }
                if (got != want) {
                        error_set(err, ERROR_IO, "%s changed while it was encrypted", src_path);
                        goto out;
                }
                hash_sha256_update(hp, plain, got);
                seal_chunk(&g, &h, hdr, i, plain, got, out);
                hash_sha256_update(hc, out, got + OTA_CRYPT_TAG_LEN);
                if (write_full(dst_fd, out, got + OTA_CRYPT_TAG_LEN) < 0) {
                        error_set_errno(err, ERROR_IO, errno, "writing the encrypted image");
                        goto out;
                }
                done += got;
                res->cipher_length += got + OTA_CRYPT_TAG_LEN;
        }
        {
                uint8_t extra;
                size_t got = 0;
                if (read_full(in, &extra, 1, &got) == 0 && got) {
                        error_set(err, ERROR_IO, "%s changed while it was encrypted", src_path);
                        goto out;
                }
        }
        res->plain_length = done;
        rc = 0;
out:
        hash_sha256_final(hp, res->plain_sha256);
        hash_sha256_final(hc, res->cipher_sha256);
        ct_wipe(plain, chunk_size);
        ct_wipe(&g, sizeof(g));
        free(plain);
        free(out);
        return rc;
}

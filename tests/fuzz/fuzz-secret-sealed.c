/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sealed-text parser and kek_open (src/secret/kek.h) against any bytes,
 * under a fixed file KEK (key 01 01 ... 01; the seeds in
 * corpus/fuzz-secret-sealed are sealed under it, for the context in the first
 * input line). Never a crash or a leak; a value that opens must parse, and
 * must open to at most KEK_SECRET_MAX bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "secret/kek.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct kek *fuzz_kek;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        (void) argc;
        (void) argv;
        char path[] = "/tmp/cradle-fuzz-kek-XXXXXX";
        int fd = mkstemp(path);
        if (fd < 0)
                abort();
        close(fd);
        static const char key[] = "0101010101010101010101010101010101010101010101010101010101010101\n";
        struct error err = {0};
        if (file_write_atomic(path, key, sizeof(key) - 1, 0600, &err) < 0 || kek_load(path, &fuzz_kek, &err) < 0) {
                fprintf(stderr, "fuzz KEK: %s\n", err.msg);
                abort();
        }
        unlink(path);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        /* "<context>\n<sealed text>" */
        char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        char *nl = strchr(text, '\n');
        const char *context = "migration-batch:1", *sealed = text;
        if (nl) {
                *nl = '\0';
                context = text;
                sealed = nl + 1;
        }
        char fp[KEK_FINGERPRINT_HEX + 1];
        uint8_t *blob = NULL;
        size_t blob_len = 0;
        struct error err = {0};
        int parsed = kek_sealed_parse(sealed, fp, &blob, &blob_len, &err);
        if (parsed == 0 && (blob_len < KEK_NONCE_LEN + KEK_TAG_LEN || strlen(fp) != KEK_FINGERPRINT_HEX))
                abort();
        free(blob);
        uint8_t *secret = NULL;
        size_t n = 0;
        if (kek_open(fuzz_kek, context, sealed, &secret, &n, &err) == 0) {
                if (parsed != 0 || n > KEK_SECRET_MAX)
                        abort();
                free(secret);
        } else if (secret) {
                abort();
        }
        free(text);
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Rotation policies and compromise runbooks per key class (keys.h). */
#include <string.h>
#include "keys/keys.h"

#define DAY (86400LL)

static int class_index(const char *class) {
        for (int i = 0; class && i < KEYS_CLASS_COUNT; i++)
                if (strcmp(keys_classes[i], class) == 0)
                        return i;
        return -1;
}

/* The defaults, in keys_classes order (docs/keys.md "Rotation policies").
 * Online keys that sign on every poll rotate most often; roots of trust
 * that devices pin rotate least, since each rotation is a field event. */
static const int64_t rotate_default[KEYS_CLASS_COUNT] = {
        730 * DAY,  /* firmware-signing */
        365 * DAY,  /* tuf-root */
        90 * DAY,   /* tuf-online */
        365 * DAY,  /* director */
        1825 * DAY, /* device-ca */
        3650 * DAY, /* root-ca */
        365 * DAY,  /* tls */
        365 * DAY,  /* ota-encryption */
        365 * DAY,  /* debug-auth */
        365 * DAY,  /* audit-checkpoint */
        90 * DAY,   /* migration */
        730 * DAY,  /* kek */
};

void keys_policy_init(struct keys_policy *p) {
        memcpy(p->rotate, rotate_default, sizeof(p->rotate));
}

int keys_policy_set(struct keys_policy *p, const char *class, int64_t seconds, struct error *err) {
        int i = class_index(class);
        if (i < 0)
                return error_set(err, ERROR_INVALID, "rotation policy: '%.64s' is not a key class", class ? class : "");
        if (seconds < 0)
                return error_set(err, ERROR_INVALID, "rotation policy for %s: the period must not be negative", class);
        p->rotate[i] = seconds;
        return 0;
}

int64_t keys_policy_period(const struct keys_policy *p, const char *class) {
        int i = class_index(class);
        return i < 0 ? 0 : p->rotate[i];
}

int64_t keys_rotation_due(const struct keys_policy *p, const struct store_key *k) {
        /* Only keys in use are due: a planned key has not started its
         * period; retired, compromised and destroyed ones are done. A
         * retiring key is still due, since it is still trusted. */
        if (strcmp(k->state, "active") != 0 && strcmp(k->state, "retiring") != 0)
                return 0;
        int64_t period = keys_policy_period(p, k->class);
        if (period <= 0)
                return 0;
        int64_t base = k->activated_at ? k->activated_at : k->created_at;
        int64_t due = base + period;
        /* A key that expires before its rotation is due must be rotated by then. */
        if (k->expires_at && k->expires_at < due)
                due = k->expires_at;
        return due;
}

static const struct {
        const char *class;
        const char *anchor;
        const char *const actions[6];
} runbooks[] = {
        {"firmware-signing", "compromised-firmware-signing-key",
         {"Remove the key from every TUF targets role and from the release signers (cradle repo rotate-root)",
          "Re-sign the releases it signed that are still offered, with the remaining signers",
          "Withdraw releases signed only by this key that cannot be re-signed",
          "Check the audit log and key usage for signatures made after the suspected leak", NULL}},
        {"tuf-root", "compromised-tuf-root-key",
         {"Sign a new root without this key with a threshold of the remaining root keys (cradle repo rotate-root)",
          "Rotate every role key the compromised root key could have certified",
          "Confirm devices fetched the new root (cradle device list, update reports)", NULL}},
        {"tuf-online", "compromised-tuf-online-key",
         {"Rotate the snapshot and timestamp keys in a new root (cradle repo rotate-root)",
          "Move the new online keys to PKCS#11 if they were files",
          "Watch for freeze or rollback attempts: check devices' reported versions", NULL}},
        {"director", "compromised-director-key",
         {"Rotate the director key (cradle director rotate)",
          "Devices accept no targets from the old key once they have the new root: check they polled",
          "Review assignments made since the suspected leak", NULL}},
        {"device-ca", "compromised-device-ca-key",
         {"Install a new device CA for the product and retire this one (cradle ca install; approval device-ca.retire)",
          "Revoke the certificates it issued after the suspected leak and publish the CRL",
          "Re-enroll the devices it certified (EST re-enrollment under the new CA)", NULL}},
        {"root-ca", "compromised-root-ca-key",
         {"Create a new root CA and distribute its certificate to every trust store",
          "Re-issue every device CA under the new root and retire the old ones",
          "Re-enroll all devices; revoke the old root's certificates", NULL}},
        {"tls", "compromised-tls-key",
         {"Issue a new server key and certificate from the local CA and restart cradled (docs/operations.md)",
          "Revoke the old server certificate; rotate operator tokens sent over the affected period", NULL}},
        {"ota-encryption", "compromised-ota-encryption-key",
         {"Treat the affected releases' plaintext as public",
          "Re-encrypt future releases under a new content key; rewrap for each device", NULL}},
        {"debug-auth", "compromised-debug-auth-key",
         {"Rotate the debug-auth key and update the devices' trust anchor",
          "List the debug tokens issued with it and check each against its approval", NULL}},
        {"audit-checkpoint", "compromised-audit-checkpoint-key",
         {"Rotate the checkpoint key and send the new public key to the witnesses",
          "Verify the audit chain against checkpoints exported before the suspected leak", NULL}},
        {"migration", "compromised-migration-key",
         {"Close the migration window of the batch and revoke certificates claimed since the leak",
          "Open a new window with a new batch key if devices are still to migrate", NULL}},
        {"kek", "compromised-kek",
         {"Create a new KEK and rewrap every sealed secret under it",
          "Rotate the secrets the KEK protected (online keys, batch keys, content keys)", NULL}},
};

static int runbook_index(const char *class) {
        for (size_t i = 0; class && i < sizeof(runbooks) / sizeof(runbooks[0]); i++)
                if (strcmp(runbooks[i].class, class) == 0)
                        return (int) i;
        return -1;
}

const char *const *keys_compromise_actions(const char *class) {
        int i = runbook_index(class);
        return i < 0 ? NULL : runbooks[i].actions;
}

const char *keys_runbook_anchor(const char *class) {
        int i = runbook_index(class);
        return i < 0 ? "compromise-runbooks" : runbooks[i].anchor;
}

int keys_duration_parse(const char *what, const char *s, int64_t *out, struct error *err) {
        /* N followed by s, m, h or d (no suffix: seconds); at most 100 years. */
        if (!s || !*s)
                return error_set(err, ERROR_INVALID, "%s: a duration is required (e.g. 30d)", what);
        int64_t n = 0;
        const char *p = s;
        for (; *p >= '0' && *p <= '9'; p++) {
                n = n * 10 + (*p - '0');
                if (n > 36500LL * DAY)
                        return error_set(err, ERROR_INVALID, "%s: '%.32s' is too long", what, s);
        }
        int64_t unit = 1;
        if (p == s)
                return error_set(err, ERROR_INVALID, "%s: '%.32s' is not a duration (e.g. 30d, 12h)", what, s);
        switch (*p) {
        case '\0': unit = 1; break;
        case 's': unit = 1; break;
        case 'm': unit = 60; break;
        case 'h': unit = 3600; break;
        case 'd': unit = DAY; break;
        default:
                return error_set(err, ERROR_INVALID, "%s: '%.32s' is not a duration (e.g. 30d, 12h)", what, s);
        }
        if (*p && p[1])
                return error_set(err, ERROR_INVALID, "%s: '%.32s' is not a duration (e.g. 30d, 12h)", what, s);
        if (n * unit > 36500LL * DAY)
                return error_set(err, ERROR_INVALID, "%s: '%.32s' is too long", what, s);
        *out = n * unit;
        return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Schema migrations, oldest first. Each string is applied in its own
 * transaction together with its row in schema_migrations, so a failure leaves
 * the database at the previous version.
 *
 * The SQL is kept portable to PostgreSQL 15 (the scale-out backend). What a
 * libpq backend will do differently:
 *  - Types: only INTEGER and TEXT are used. Timestamps are INTEGER seconds since
 *    the epoch (PostgreSQL: BIGINT; INTEGER there is 32-bit, so the PG migrations
 *    write BIGINT wherever a time or id is stored). Hashes are lowercase hex TEXT
 *    rather than BLOB/BYTEA so both backends compare them the same way.
 *  - Keys: "id INTEGER PRIMARY KEY" is SQLite's rowid alias and assigns ids on
 *    insert; PostgreSQL needs BIGINT GENERATED ALWAYS AS IDENTITY (or BIGSERIAL)
 *    and INSERT ... RETURNING id instead of sqlite3_last_insert_rowid().
 *    audit_log.seq is assigned by the application (last + 1) on both.
 *  - Locking: SQLite's BEGIN IMMEDIATE takes the single write lock up front;
 *    PostgreSQL uses BEGIN ISOLATION LEVEL SERIALIZABLE (retrying on 40001) plus
 *    an advisory or table lock around audit appends, since the audit chain needs
 *    one writer at a time. Nested atomic steps use SAVEPOINT on both.
 *  - Waiting: busy_timeout=5000 becomes SET lock_timeout = '5s'.
 *  - Durability: journal_mode=WAL and synchronous=FULL have no PG equivalent to
 *    set per connection (PG's WAL with synchronous_commit=on is the default).
 *  - Foreign keys: PRAGMA foreign_keys=ON is always on in PostgreSQL.
 *  - Catalogue: the "is there a schema_migrations table" check reads
 *    sqlite_master; PG reads information_schema.tables (or to_regclass).
 *  - Errors: UNIQUE violations are recognised from SQLITE_CONSTRAINT_UNIQUE and
 *    the "table.column" in SQLite's message; PG reports SQLSTATE 23505 and the
 *    constraint name (name them <table>_<column>_key, which is PG's default).
 *  - Text: SQLite compares TEXT bytewise (BINARY collation); PG columns that need
 *    the same order use COLLATE "C".
 */
#include "store/migrations.h"

const char *const store_migrations[] = {
        /* 1: operator tokens and the audit chain */
        "CREATE TABLE api_tokens ("
        "  id INTEGER PRIMARY KEY,"
        "  public_id TEXT NOT NULL UNIQUE,"
        "  name TEXT NOT NULL UNIQUE,"
        "  role TEXT NOT NULL,"
        "  secret_hash TEXT NOT NULL,"      /* hex SHA-256 of the 32 secret bytes */
        "  created_at INTEGER NOT NULL,"
        "  created_by TEXT NOT NULL,"
        "  revoked_at INTEGER"              /* NULL while active */
        ");"
        "CREATE TABLE audit_log ("
        "  seq INTEGER PRIMARY KEY,"
        "  time INTEGER NOT NULL,"
        "  actor_name TEXT NOT NULL,"
        "  actor_role TEXT NOT NULL,"
        "  action TEXT NOT NULL,"
        "  object TEXT NOT NULL,"
        "  details TEXT NOT NULL,"
        "  prev_hash TEXT NOT NULL,"
        "  hash TEXT NOT NULL"
        ");"
        "CREATE INDEX audit_log_object ON audit_log (object);"
        "CREATE INDEX audit_log_actor_name ON audit_log (actor_name);"
        "CREATE INDEX audit_log_time ON audit_log (time);",

        /* 2: products and where they are sold */
        "CREATE TABLE products ("
        "  id INTEGER PRIMARY KEY,"
        "  name TEXT NOT NULL,"
        "  model TEXT NOT NULL UNIQUE,"
        "  manufacturer_name TEXT NOT NULL,"
        "  manufacturer_address TEXT NOT NULL,"
        "  manufacturer_contact TEXT NOT NULL,"
        "  support_start TEXT NOT NULL,"    /* YYYY-MM-DD */
        "  support_end TEXT NOT NULL,"
        "  support_justification TEXT,"
        "  created_at INTEGER NOT NULL,"
        "  updated_at INTEGER NOT NULL"
        ");"
        "CREATE TABLE product_member_states ("
        "  product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,"
        "  country TEXT NOT NULL,"
        "  PRIMARY KEY (product_id, country)"
        ");",

        /* 3: device identity (issue 3): device CAs, batches, devices, certificates,
         * migration off shared credentials, security events. The CRL is the one
         * BLOB (PostgreSQL: BYTEA); the batch migration key is a 32-byte secret the
         * server needs in clear, stored as hex (at-rest encryption comes with key
         * governance). Status columns carry CHECK lists so a bad write fails loudly. */
        "CREATE TABLE device_cas ("
        "  id INTEGER PRIMARY KEY,"
        "  name TEXT NOT NULL UNIQUE,"
        "  product_id INTEGER NOT NULL REFERENCES products (id),"
        "  key_ref TEXT NOT NULL,"
        "  csr_pem TEXT NOT NULL,"
        "  cert_pem TEXT,"
        "  chain_pem TEXT,"
        "  crl_number INTEGER NOT NULL DEFAULT 0,"
        "  crl_der BLOB,"
        "  crl_next_update INTEGER,"
        "  status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'retired')),"
        "  created_at INTEGER NOT NULL,"
        "  activated_at INTEGER,"
        "  retired_at INTEGER"
        ");"
        "CREATE INDEX device_cas_product_id ON device_cas (product_id);"
        /* at most one active CA per product */
        "CREATE UNIQUE INDEX device_cas_one_active ON device_cas (product_id) WHERE status = 'active';"
        /* bumped whenever the set of trusted CAs changes; peer trust caches key on it */
        "CREATE TABLE identity_counters ("
        "  name TEXT PRIMARY KEY,"
        "  value INTEGER NOT NULL"
        ");"
        "INSERT INTO identity_counters (name, value) VALUES ('device_ca_generation', 0);"
        "CREATE TABLE batches ("
        "  id INTEGER PRIMARY KEY,"
        "  product_id INTEGER NOT NULL REFERENCES products (id),"
        "  name TEXT NOT NULL,"
        "  hardware_revision TEXT NOT NULL,"
        "  production_date TEXT NOT NULL,"  /* YYYY-MM-DD */
        "  station TEXT,"
        "  initial_firmware_version TEXT NOT NULL,"
        "  migration_key TEXT,"             /* hex, 32 bytes; secret */
        "  created_at INTEGER NOT NULL,"
        "  closed_at INTEGER,"
        "  UNIQUE (product_id, name)"
        ");"
        "CREATE TABLE devices ("
        "  id INTEGER PRIMARY KEY,"
        "  serial TEXT NOT NULL UNIQUE,"
        "  product_id INTEGER NOT NULL REFERENCES products (id),"
        "  batch_id INTEGER REFERENCES batches (id),"
        "  hardware_revision TEXT,"
        "  production_date TEXT,"
        "  station TEXT,"
        "  initial_firmware_version TEXT,"
        "  status TEXT NOT NULL CHECK (status IN ('active', 'decommissioned')),"
        "  origin TEXT NOT NULL CHECK (origin IN ('factory', 'migration')),"
        "  created_at INTEGER NOT NULL,"
        "  decommissioned_at INTEGER"
        ");"
        "CREATE INDEX devices_product_id ON devices (product_id);"
        "CREATE INDEX devices_batch_id ON devices (batch_id);"
        "CREATE TABLE certificates ("
        "  id INTEGER PRIMARY KEY,"
        "  serial_hex TEXT NOT NULL,"
        "  device_id INTEGER NOT NULL REFERENCES devices (id),"
        "  ca_id INTEGER NOT NULL REFERENCES device_cas (id),"
        "  kind TEXT NOT NULL CHECK (kind IN ('birth', 'operational')),"
        "  fingerprint TEXT NOT NULL,"      /* hex SHA-256 of the DER */
        "  not_before INTEGER NOT NULL,"
        "  not_after INTEGER NOT NULL,"
        "  status TEXT NOT NULL CHECK (status IN ('valid', 'superseded', 'revoked')),"
        "  revoked_at INTEGER,"
        "  revocation_reason INTEGER,"
        "  superseded_by INTEGER REFERENCES certificates (id),"
        "  pem TEXT NOT NULL,"
        "  issued_at INTEGER NOT NULL"
        ");"
        "CREATE UNIQUE INDEX certificates_serial_hex ON certificates (serial_hex);"
        "CREATE INDEX certificates_device_id ON certificates (device_id);"
        "CREATE INDEX certificates_not_after ON certificates (not_after);"
        "CREATE INDEX certificates_ca_id ON certificates (ca_id);"
        "CREATE TABLE migration_windows ("
        "  product_id INTEGER PRIMARY KEY REFERENCES products (id),"
        "  shared_credential_hash TEXT NOT NULL," /* hex SHA-256 */
        "  opened_at INTEGER NOT NULL,"
        "  closed_at INTEGER"
        ");"
        "CREATE TABLE migration_claims ("
        "  id INTEGER PRIMARY KEY,"
        "  device_serial TEXT NOT NULL,"
        "  product_id INTEGER REFERENCES products (id),"
        "  source TEXT,"
        "  time INTEGER NOT NULL,"
        "  result TEXT NOT NULL,"
        "  cert_id INTEGER REFERENCES certificates (id)"
        ");"
        "CREATE INDEX migration_claims_device_serial ON migration_claims (device_serial);"
        "CREATE TABLE security_events ("
        "  id INTEGER PRIMARY KEY,"
        "  time INTEGER NOT NULL,"
        "  kind TEXT NOT NULL,"
        "  severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),"
        "  product_id INTEGER REFERENCES products (id),"
        "  device_serial TEXT,"
        "  source TEXT,"
        "  details TEXT NOT NULL"           /* JSON object */
        ");"
        "CREATE INDEX security_events_time ON security_events (time);"
        "CREATE INDEX security_events_kind ON security_events (kind);",

        /* 4: OTA releases and the per-product TUF image repository (issue 4).
         * images holds every content-addressed file (firmware images and SBOMs),
         * stored once as <data>/images/<sha256>. The repository's files under
         * <data>/repo/<model>/ are derived from these rows (repo_roots keeps
         * every root; the prepared targets document lives on its release), so a
         * lost or half-written file can be rewritten from the database. */
        "CREATE TABLE images ("
        "  sha256 TEXT PRIMARY KEY,"          /* lowercase hex */
        "  length INTEGER NOT NULL,"
        "  created_at INTEGER NOT NULL,"
        "  deleted_at INTEGER"                /* NULL while the file is kept */
        ");"
        "CREATE TABLE releases ("
        "  id INTEGER PRIMARY KEY,"
        "  product_id INTEGER NOT NULL REFERENCES products (id),"
        "  version TEXT NOT NULL,"
        "  security_version INTEGER NOT NULL,"
        "  hardware_revisions TEXT NOT NULL," /* JSON array of strings */
        "  notes TEXT NOT NULL,"
        "  status TEXT NOT NULL CHECK (status IN ('draft', 'signed', 'published', 'withdrawn')),"
        "  sbom_sha256 TEXT REFERENCES images (sha256),"
        "  sbom_media_type TEXT,"
        "  targets_version INTEGER,"          /* version of the prepared targets metadata */
        "  targets_base_version INTEGER,"     /* the repository's targets version at prepare */
        "  targets_metadata TEXT,"            /* prepared document + collected signatures (JSON) */
        "  created_at INTEGER NOT NULL,"
        "  created_by TEXT NOT NULL,"
        "  prepared_at INTEGER,"
        "  signed_at INTEGER,"
        "  published_at INTEGER,"
        "  withdrawn_at INTEGER,"
        "  withdraw_reason TEXT,"
        "  UNIQUE (product_id, version)"
        ");"
        "CREATE INDEX releases_product_id ON releases (product_id);"
        "CREATE TABLE release_images ("
        "  release_id INTEGER NOT NULL REFERENCES releases (id),"
        "  name TEXT NOT NULL,"
        "  sha256 TEXT NOT NULL REFERENCES images (sha256),"
        "  length INTEGER NOT NULL,"
        "  created_at INTEGER NOT NULL,"
        "  PRIMARY KEY (release_id, name)"
        ");"
        "CREATE INDEX release_images_sha256 ON release_images (sha256);"
        "CREATE TABLE repos ("
        "  product_id INTEGER PRIMARY KEY REFERENCES products (id),"
        "  root_version INTEGER NOT NULL,"
        "  root_expires INTEGER NOT NULL,"
        "  targets_version INTEGER NOT NULL DEFAULT 0," /* 0 = nothing published yet */
        "  targets_expires INTEGER,"
        "  snapshot_version INTEGER NOT NULL DEFAULT 0,"
        "  snapshot_expires INTEGER,"
        "  timestamp_version INTEGER NOT NULL DEFAULT 0,"
        "  timestamp_expires INTEGER,"
        "  created_at INTEGER NOT NULL,"
        "  updated_at INTEGER NOT NULL"
        ");"
        "CREATE TABLE repo_roots ("
        "  product_id INTEGER NOT NULL REFERENCES products (id),"
        "  version INTEGER NOT NULL,"
        "  document TEXT NOT NULL,"           /* the signed root as published */
        "  installed_at INTEGER NOT NULL,"
        "  PRIMARY KEY (product_id, version)"
        ");"
        "CREATE TABLE repo_online_keys ("
        "  id INTEGER PRIMARY KEY,"
        "  product_id INTEGER NOT NULL REFERENCES products (id),"
        "  role TEXT NOT NULL CHECK (role IN ('snapshot', 'timestamp')),"
        "  key_ref TEXT NOT NULL,"            /* file path or pkcs11: URI; never key material */
        "  keyid TEXT NOT NULL,"
        "  status TEXT NOT NULL CHECK (status IN ('current', 'next', 'retired')),"
        "  created_at INTEGER NOT NULL"
        ");"
        "CREATE UNIQUE INDEX repo_online_keys_current ON repo_online_keys (product_id, role) "
        "WHERE status = 'current';"
        "CREATE UNIQUE INDEX repo_online_keys_next ON repo_online_keys (product_id, role) "
        "WHERE status = 'next';",

        /* 5: the Uptane-style director, assignments and update traceability (issue 4,
         * engineer B). director_roots keeps every root of the director's own chain as
         * published. director_targets caches each device's last signed targets
         * metadata: its version only ever grows, and the stored bytes are served
         * again until the content, the root or half the lifetime changes (cheap
         * polls). device_update_state is one row per device that reported or
         * polled; device_update_history is the traceability record (time, stage,
         * from, to, result, reason). */
        "CREATE TABLE director_roots ("
        "  version INTEGER PRIMARY KEY,"
        "  document TEXT NOT NULL,"             /* the signed root as published */
        "  expires INTEGER NOT NULL,"
        "  installed_at INTEGER NOT NULL"
        ");"
        "CREATE TABLE device_tags ("
        "  device_id INTEGER NOT NULL REFERENCES devices (id),"
        "  tag TEXT NOT NULL,"                  /* [a-z0-9._-]{1,32} */
        "  PRIMARY KEY (device_id, tag)"
        ");"
        "CREATE INDEX device_tags_tag ON device_tags (tag);"
        "CREATE TABLE device_assignments ("
        "  device_id INTEGER PRIMARY KEY REFERENCES devices (id),"
        "  release_id INTEGER NOT NULL REFERENCES releases (id),"
        "  tag TEXT,"                           /* the tag it was assigned through; NULL = by serial */
        "  assigned_at INTEGER NOT NULL,"
        "  assigned_by TEXT NOT NULL"
        ");"
        "CREATE INDEX device_assignments_release_id ON device_assignments (release_id);"
        "CREATE TABLE director_targets ("
        "  device_id INTEGER PRIMARY KEY REFERENCES devices (id),"
        "  version INTEGER NOT NULL,"
        "  content_sha256 TEXT NOT NULL,"       /* hex SHA-256 of the canonical targets map */
        "  root_version INTEGER NOT NULL,"      /* the director root it was signed under */
        "  signed_at INTEGER NOT NULL,"
        "  expires INTEGER NOT NULL,"
        "  document TEXT NOT NULL"              /* the signed metadata as served */
        ");"
        "CREATE TABLE device_update_state ("
        "  device_id INTEGER PRIMARY KEY REFERENCES devices (id),"
        "  installed_version TEXT,"             /* set by a 'success' report only */
        "  security_version INTEGER,"
        "  last_seen INTEGER NOT NULL,"
        "  last_stage TEXT,"
        "  last_report_at INTEGER"
        ");"
        "CREATE TABLE device_update_history ("
        "  id INTEGER PRIMARY KEY,"
        "  device_id INTEGER NOT NULL REFERENCES devices (id),"
        "  time INTEGER NOT NULL,"
        "  stage TEXT NOT NULL CHECK (stage IN ('downloading', 'installing', 'awaiting-reboot', "
        "'success', 'failure', 'rolled-back')),"
        "  from_version TEXT,"
        "  to_version TEXT,"
        "  security_version INTEGER,"
        "  result TEXT NOT NULL CHECK (result IN ('in-progress', 'success', 'failure', 'rolled-back')),"
        "  reason TEXT"
        ");"
        "CREATE INDEX device_update_history_device_id ON device_update_history (device_id, id);",
        /* 6: update actions (issue 8). An action is one offer of a release to one
         * device, with an id that never changes or comes back: hawkBit DDI's
         * actionId, the unit campaigns count, and the link from each history row
         * to the offer it answers. A device has at most one active action (open,
         * or canceling until a DDI client confirms the cancel); a new assignment
         * supersedes the active one. campaign_id is NULL for a direct assignment
         * (campaigns come in a later migration; no foreign key so the order of
         * the two does not matter). The history is rebuilt because SQLite cannot
         * widen a CHECK list: DDI clients also report 'canceled' and 'rejected'.
         * Existing assignments become actions: succeeded when the device already
         * reports running that release, else open. */
        "CREATE TABLE update_actions ("
        "  id INTEGER PRIMARY KEY,"
        "  device_id INTEGER NOT NULL REFERENCES devices (id),"
        "  release_id INTEGER NOT NULL REFERENCES releases (id),"
        "  campaign_id INTEGER,"
        "  status TEXT NOT NULL CHECK (status IN ('open', 'canceling', 'canceled', 'succeeded', 'failed', "
        "'rejected', 'superseded')),"
        "  last_stage TEXT,"                    /* the last stage the device reported for it */
        "  reason TEXT,"                        /* why it failed, was canceled or superseded */
        "  created_at INTEGER NOT NULL,"
        "  created_by TEXT NOT NULL,"
        "  updated_at INTEGER NOT NULL,"
        "  closed_at INTEGER"
        ");"
        "CREATE UNIQUE INDEX update_actions_one_active ON update_actions (device_id) "
        "WHERE status IN ('open', 'canceling');"
        "CREATE INDEX update_actions_device_id ON update_actions (device_id, id);"
        "CREATE INDEX update_actions_campaign_id ON update_actions (campaign_id, status);"
        "INSERT INTO update_actions (device_id, release_id, status, created_at, created_by, updated_at, closed_at) "
        "SELECT a.device_id, a.release_id, "
        "CASE WHEN st.installed_version = r.version THEN 'succeeded' ELSE 'open' END, "
        "a.assigned_at, a.assigned_by, a.assigned_at, "
        "CASE WHEN st.installed_version = r.version THEN a.assigned_at ELSE NULL END "
        "FROM device_assignments a JOIN releases r ON r.id = a.release_id "
        "LEFT JOIN device_update_state st ON st.device_id = a.device_id ORDER BY a.device_id;"
        "CREATE TABLE device_update_history_v6 ("
        "  id INTEGER PRIMARY KEY,"
        "  device_id INTEGER NOT NULL REFERENCES devices (id),"
        "  time INTEGER NOT NULL,"
        "  stage TEXT NOT NULL CHECK (stage IN ('downloading', 'installing', 'awaiting-reboot', "
        "'success', 'failure', 'rolled-back', 'canceled', 'rejected')),"
        "  from_version TEXT,"
        "  to_version TEXT,"
        "  security_version INTEGER,"
        "  result TEXT NOT NULL CHECK (result IN ('in-progress', 'success', 'failure', 'rolled-back', "
        "'canceled', 'rejected')),"
        "  reason TEXT,"
        "  action_id INTEGER REFERENCES update_actions (id)"   /* NULL: no active action matched */
        ");"
        "INSERT INTO device_update_history_v6 (id, device_id, time, stage, from_version, to_version, "
        "security_version, result, reason) SELECT id, device_id, time, stage, from_version, to_version, "
        "security_version, result, reason FROM device_update_history;"
        "DROP TABLE device_update_history;"
        "ALTER TABLE device_update_history_v6 RENAME TO device_update_history;"
        "CREATE INDEX device_update_history_device_id ON device_update_history (device_id, id);",

        /* 7: rollout campaigns (issue 8). A campaign rolls one published release
         * out to the devices its selector matched, in waves; it drives update
         * actions (migration 6, campaign_id) and never offers anything itself.
         * campaigns.selector and .plan are the normalised JSON the campaign was
         * created with (docs/campaigns.md). campaign_devices is the membership:
         * the wave each device belongs to, its rank (a keyed hash of the seed
         * and the device id, so membership is reproducible), its state in the
         * campaign and its last action; its counts per wave and state are the
         * progress. campaign_waves keeps each wave's times and approval.
         * The *_version_key columns hold a sortable form of a version
         * (core/version.h) so the selector's version range is one SQL term;
         * NULL until computed (the writer or the campaign evaluator's backfill). */
        "CREATE TABLE campaigns ("
        "  id INTEGER PRIMARY KEY,"
        "  name TEXT NOT NULL UNIQUE,"
        "  product_id INTEGER NOT NULL REFERENCES products (id),"
        "  release_id INTEGER NOT NULL REFERENCES releases (id),"
        "  selector TEXT NOT NULL,"             /* JSON object */
        "  plan TEXT NOT NULL,"                 /* JSON object: waves, retry, window */
        "  seed TEXT NOT NULL,"                 /* 32 hex digits */
        "  dynamic INTEGER NOT NULL,"
        "  security INTEGER NOT NULL,"
        "  vulnerabilities TEXT NOT NULL,"      /* JSON array of identifiers */
        "  status TEXT NOT NULL CHECK (status IN ('draft', 'running', 'waiting', 'paused', 'completed', "
        "'aborted')),"
        "  current_wave INTEGER NOT NULL,"      /* -1 before start */
        "  pause_reason TEXT,"
        "  acknowledged_at INTEGER NOT NULL,"   /* failures and stuck devices before it were seen by an operator */
        "  created_at INTEGER NOT NULL,"
        "  created_by TEXT NOT NULL,"
        "  started_at INTEGER,"
        "  updated_at INTEGER NOT NULL,"
        "  finished_at INTEGER"
        ");"
        "CREATE INDEX campaigns_status ON campaigns (status);"
        "CREATE TABLE campaign_waves ("
        "  campaign_id INTEGER NOT NULL REFERENCES campaigns (id),"
        "  idx INTEGER NOT NULL,"
        "  started_at INTEGER,"
        "  threshold_met_at INTEGER,"
        "  completed_at INTEGER,"
        "  approved_by TEXT,"
        "  approved_at INTEGER,"
        "  PRIMARY KEY (campaign_id, idx)"
        ");"
        "CREATE TABLE campaign_devices ("
        "  campaign_id INTEGER NOT NULL REFERENCES campaigns (id),"
        "  device_id INTEGER NOT NULL REFERENCES devices (id),"
        "  wave INTEGER NOT NULL,"
        "  rank INTEGER NOT NULL,"
        "  state TEXT NOT NULL CHECK (state IN ('pending', 'offered', 'succeeded', 'failed', 'retrying', "
        "'canceled')),"
        "  attempts INTEGER NOT NULL DEFAULT 0,"
        "  action_id INTEGER REFERENCES update_actions (id),"
        "  offered_at INTEGER,"
        "  finished_at INTEGER,"
        "  next_attempt_at INTEGER,"
        "  joined_at INTEGER NOT NULL,"
        "  PRIMARY KEY (campaign_id, device_id)"
        ");"
        "CREATE INDEX campaign_devices_device_id ON campaign_devices (device_id);"
        /* the evaluator takes members of one wave and state in device id order, in chunks */
        "CREATE INDEX campaign_devices_wave ON campaign_devices (campaign_id, wave, state, device_id);"
        "ALTER TABLE device_update_state ADD COLUMN installed_version_key TEXT;"
        "ALTER TABLE devices ADD COLUMN initial_firmware_version_key TEXT;",
        /* 8: the director's sign-ahead queue (issue 8). A device lands here in
         * the transaction that opens or cancels its update action, and a
         * background worker signs its targets metadata ahead of its next
         * poll, in batches (director_presign_batch). A device is queued once
         * however often it changes before the worker gets to it. */
        "CREATE TABLE director_sign_queue ("
        "  device_id INTEGER PRIMARY KEY REFERENCES devices (id),"
        "  queued_at INTEGER NOT NULL"
        ");"
        "CREATE INDEX director_sign_queue_queued_at ON director_sign_queue (queued_at, device_id);",
        /* 9: hawkBit DDI (issue 8). A device's TargetToken is kept as the
         * SHA-256 of its secret (one per device; a new one replaces it). The
         * SHA-1 and MD5 of an image are what DDI clients check (images are
         * stored by SHA-256), computed once and kept. Per action, the feedback
         * and detail lines counted against the quotas. configData keeps only
         * allow-listed keys. */
        "CREATE TABLE ddi_tokens ("
        "  device_id INTEGER PRIMARY KEY REFERENCES devices (id),"
        "  secret_sha256 TEXT NOT NULL,"   /* lowercase hex */
        "  created_at INTEGER NOT NULL,"
        "  created_by TEXT NOT NULL"
        ");"
        "CREATE TABLE image_digests ("
        "  sha256 TEXT PRIMARY KEY REFERENCES images (sha256),"
        "  sha1 TEXT NOT NULL,"
        "  md5 TEXT NOT NULL"
        ");"
        "CREATE TABLE ddi_action_quota ("
        "  action_id INTEGER PRIMARY KEY REFERENCES update_actions (id),"
        "  feedback INTEGER NOT NULL,"
        "  detail_lines INTEGER NOT NULL"
        ");"
        "CREATE TABLE ddi_config_data ("
        "  device_id INTEGER NOT NULL REFERENCES devices (id),"
        "  key TEXT NOT NULL,"
        "  value TEXT NOT NULL,"
        "  updated_at INTEGER NOT NULL,"
        "  PRIMARY KEY (device_id, key)"
        ");",
        /* 10: vulnerability management (issue 9). The shared schema of SBOM
         * ingestion (sbom_*), the vulnerability feeds (vuln_*) and findings.
         *  - An SBOM document is parsed from a stored file (images, unchanged)
         *    and attached to a release; a release may hold several, one per
         *    module ('' is the whole release).
         *  - Identifiers (purl, CPE) are kept as written plus a match_key, the
         *    lookup key both sides share: for a purl "type/namespace/name",
         *    for a CPE "vendor:product", lowercased. A '*' or '-' vendor or
         *    product gets no key: such a CPE never matches by wildcard.
         *  - A vulnerability (vulns) groups the records of every source that
         *    name it under one canonical name (the CVE when an alias is one);
         *    vuln_aliases maps every known id to it. Each source record keeps
         *    its own modified time and a hash of its content, so a re-import
         *    touches only what changed. vuln_affected holds, per record, one
         *    OSV "affected" object (kind purl) or one NVD configuration (kind
         *    cpe), keyed like the identifiers above.
         *  - A finding is one (release, component, vulnerability). Its state is
         *    the triage (VEX) state; a match that no longer holds sets gone_at
         *    and keeps the row.
         *  - The two queues decouple writers from the matcher: an import queues
         *    the vulnerabilities it changed, an SBOM upload its document, in
         *    the same transaction; the matcher drains both. */
        "CREATE TABLE sbom_documents ("
        "  id INTEGER PRIMARY KEY,"
        "  release_id INTEGER NOT NULL REFERENCES releases (id),"
        "  module TEXT NOT NULL,"               /* '' = the whole release */
        "  sha256 TEXT NOT NULL REFERENCES images (sha256)," /* the original file */
        "  media_type TEXT NOT NULL,"
        "  format TEXT NOT NULL CHECK (format IN ('cyclonedx-json', 'cyclonedx-xml', 'spdx2-json', "
        "'spdx2-tag-value', 'spdx3-jsonld')),"
        "  spec_version TEXT NOT NULL,"
        "  name TEXT,"
        "  tool TEXT,"
        "  document_created TEXT,"              /* as written in the document */
        "  component_count INTEGER NOT NULL,"
        "  quality_score INTEGER NOT NULL,"      /* 0..100 */
        "  quality TEXT NOT NULL,"               /* JSON report */
        "  created_at INTEGER NOT NULL,"
        "  created_by TEXT NOT NULL,"
        "  UNIQUE (release_id, module)"
        ");"
        "CREATE INDEX sbom_documents_sha256 ON sbom_documents (sha256);"
        "CREATE TABLE sbom_components ("
        "  id INTEGER PRIMARY KEY,"
        "  document_id INTEGER NOT NULL REFERENCES sbom_documents (id),"
        "  ref TEXT NOT NULL,"                   /* bom-ref, SPDXID or spdxId in the document */
        "  name TEXT NOT NULL,"
        "  version TEXT,"
        "  supplier TEXT,"
        "  type TEXT,"                           /* library, application, operating-system, firmware, ... */
        "  licenses TEXT,"                       /* SPDX expression */
        "  hashes TEXT,"                         /* JSON object: algorithm -> lowercase hex */
        "  patches TEXT,"                        /* JSON array: {type, url, resolves: [ids]} */
        "  top_level INTEGER NOT NULL,"          /* a direct dependency of the document's root */
        "  UNIQUE (document_id, ref)"
        ");"
        "CREATE INDEX sbom_components_name ON sbom_components (name, version);"
        "CREATE TABLE sbom_component_idents ("
        "  component_id INTEGER NOT NULL REFERENCES sbom_components (id),"
        "  kind TEXT NOT NULL CHECK (kind IN ('purl', 'cpe')),"
        "  value TEXT NOT NULL,"                 /* as written */
        "  valid INTEGER NOT NULL,"
        "  match_key TEXT,"                      /* NULL when invalid or a wildcard vendor/product */
        "  PRIMARY KEY (component_id, kind, value)"
        ");"
        "CREATE INDEX sbom_component_idents_key ON sbom_component_idents (kind, match_key);"
        "CREATE TABLE sbom_dependencies ("
        "  component_id INTEGER NOT NULL REFERENCES sbom_components (id),"
        "  depends_on INTEGER NOT NULL REFERENCES sbom_components (id),"
        "  PRIMARY KEY (component_id, depends_on)"
        ");"
        "CREATE TABLE vulns ("
        "  id INTEGER PRIMARY KEY,"
        "  name TEXT NOT NULL UNIQUE,"           /* canonical id */
        "  summary TEXT,"
        "  cvss_vector TEXT,"                    /* the best vector known (NVD primary first) */
        "  cvss_score10 INTEGER,"                /* base score x 10 */
        "  severity TEXT CHECK (severity IN ('none', 'low', 'medium', 'high', 'critical')),"
        "  published_at INTEGER,"
        "  modified_at INTEGER,"
        "  withdrawn_at INTEGER,"                /* every record of it withdrawn */
        "  exploited_at INTEGER,"                /* KEV dateAdded: actively exploited since */
        "  exploited_source TEXT,"
        "  epss TEXT,"                           /* probability as written, e.g. '0.97', and */
        "  epss_percentile TEXT,"
        "  updated_at INTEGER NOT NULL"
        ");"
        "CREATE INDEX vulns_exploited_at ON vulns (exploited_at);"
        "CREATE TABLE vuln_aliases ("
        "  alias TEXT PRIMARY KEY,"              /* CVE-…, GHSA-…, EUVD-…, an OSV id, … */
        "  vuln_id INTEGER NOT NULL REFERENCES vulns (id)"
        ");"
        "CREATE INDEX vuln_aliases_vuln_id ON vuln_aliases (vuln_id);"
        "CREATE TABLE vuln_records ("
        "  id INTEGER PRIMARY KEY,"
        "  vuln_id INTEGER NOT NULL REFERENCES vulns (id),"
        "  source TEXT NOT NULL CHECK (source IN ('osv', 'nvd', 'kev', 'epss', 'csaf', 'euvd')),"
        "  record_id TEXT NOT NULL,"             /* the id inside its source */
        "  modified TEXT NOT NULL,"              /* the record's own modified time, as written */
        "  withdrawn TEXT,"                      /* the record's withdrawn time, as written */
        "  content_sha256 TEXT NOT NULL,"        /* of the normalised content: equal = unchanged */
        "  data TEXT NOT NULL,"                  /* normalised JSON: summary, references, scores, ... */
        "  imported_at INTEGER NOT NULL,"
        "  UNIQUE (source, record_id)"
        ");"
        "CREATE INDEX vuln_records_vuln_id ON vuln_records (vuln_id);"
        "CREATE TABLE vuln_affected ("
        "  id INTEGER PRIMARY KEY,"
        "  record_id INTEGER NOT NULL REFERENCES vuln_records (id),"
        "  kind TEXT NOT NULL CHECK (kind IN ('purl', 'cpe')),"
        "  match_key TEXT NOT NULL,"
        "  name_key TEXT NOT NULL,"              /* package name or CPE product, lowercased: the
                                                  * low-confidence name match looks it up */
        "  data TEXT NOT NULL"                   /* an OSV affected object, or one NVD configuration */
        ");"
        "CREATE INDEX vuln_affected_key ON vuln_affected (kind, match_key);"
        "CREATE INDEX vuln_affected_name_key ON vuln_affected (name_key);"
        "CREATE INDEX vuln_affected_record_id ON vuln_affected (record_id);"
        "CREATE TABLE findings ("
        "  id INTEGER PRIMARY KEY,"
        "  release_id INTEGER NOT NULL REFERENCES releases (id),"
        "  component_id INTEGER NOT NULL REFERENCES sbom_components (id),"
        "  vuln_id INTEGER NOT NULL REFERENCES vulns (id),"
        "  confidence TEXT NOT NULL CHECK (confidence IN ('purl', 'cpe', 'name')),"
        "  explanation TEXT NOT NULL,"           /* JSON: record, identifier, range, comparisons */
        "  state TEXT NOT NULL CHECK (state IN ('in_triage', 'affected', 'not_affected', 'fixed', "
        "'false_positive')),"
        "  justification TEXT,"                  /* not_affected: the VEX justification */
        "  action_statement TEXT,"               /* affected: what to do */
        "  state_reason TEXT,"
        "  state_by TEXT,"
        "  state_at INTEGER,"
        "  carried_from INTEGER REFERENCES findings (id)," /* state taken over from an earlier release */
        "  first_seen_at INTEGER NOT NULL,"
        "  last_matched_at INTEGER NOT NULL,"
        "  gone_at INTEGER,"                     /* the match no longer holds */
        "  notified_at INTEGER,"                 /* its event was raised */
        "  UNIQUE (release_id, component_id, vuln_id)"
        ");"
        "CREATE INDEX findings_vuln_id ON findings (vuln_id, release_id);"
        "CREATE INDEX findings_first_seen_at ON findings (first_seen_at);"
        "CREATE TABLE vuln_match_queue ("
        "  vuln_id INTEGER PRIMARY KEY REFERENCES vulns (id),"
        "  queued_at INTEGER NOT NULL"
        ");"
        "CREATE TABLE sbom_match_queue ("
        "  document_id INTEGER PRIMARY KEY REFERENCES sbom_documents (id),"
        "  queued_at INTEGER NOT NULL"
        ");",
        /* 11: CRA reporting (issue 10), the shared core: cases. A case is one
         * vulnerability in the maker's own product, or one incident. Its ids
         * (CVE, EUVD, CWE, GHSA), affected products/releases and timeline
         * have their own tables. aware_at is the moment Cradle (the maker)
         * became aware of active exploitation (or of the severe incident):
         * the Art. 14 clocks start there. fix_available_at is when a
         * corrective or mitigating measure became available: the final
         * report of a vulnerability is due 14 days after it. The link point
         * to vulnerability management is (vuln_id, release_id, component_id,
         * finding_id). The streams that build on this add their own tables
         * (reports, reminders, CVD messages, advisories) in later migrations. */
        "CREATE TABLE cases ("
        "  id INTEGER PRIMARY KEY,"
        "  reference TEXT NOT NULL UNIQUE,"      /* public, e.g. 'CASE-2026-0007' */
        "  kind TEXT NOT NULL CHECK (kind IN ('vulnerability', 'incident')),"
        "  title TEXT NOT NULL,"
        "  summary TEXT NOT NULL,"
        "  state TEXT NOT NULL CHECK (state IN ('received', 'triaging', 'confirmed', 'fix_in_progress', "
        "'fix_available', 'disclosed', 'closed', 'rejected', 'duplicate', 'not_a_vulnerability')),"
        "  state_reason TEXT,"                   /* required for rejected, duplicate, not_a_vulnerability */
        "  duplicate_of INTEGER REFERENCES cases (id),"
        "  source TEXT NOT NULL CHECK (source IN ('cvd', 'finding', 'manual')),"
        "  owner TEXT,"
        "  vuln_id INTEGER REFERENCES vulns (id),"           /* link point to issue 9 */
        "  release_id INTEGER REFERENCES releases (id),"
        "  component_id INTEGER REFERENCES sbom_components (id),"
        "  finding_id INTEGER REFERENCES findings (id),"
        "  version_range TEXT,"                  /* affected versions as the maker states them */
        "  cvss31_vector TEXT,"
        "  cvss40_vector TEXT,"
        "  severity TEXT CHECK (severity IN ('none', 'low', 'medium', 'high', 'critical')),"
        "  impact TEXT,"
        "  fix_release_id INTEGER REFERENCES releases (id),"
        "  fix_campaign_id INTEGER REFERENCES campaigns (id),"
        "  fix_available_at INTEGER,"            /* corrective or mitigating measure available */
        "  exploited INTEGER NOT NULL DEFAULT 0,"  /* actively exploited */
        "  severe_incident INTEGER NOT NULL DEFAULT 0,"
        "  aware_at INTEGER,"                    /* awareness of exploitation / of the incident */
        "  aware_how TEXT,"                      /* how Cradle became aware (manual, KEV, CVD, ...) */
        "  incident_occurred_at INTEGER,"
        "  ack_due_at INTEGER,"                  /* CVD acknowledgement clock */
        "  acknowledged_at INTEGER,"
        "  disclosure_target_at INTEGER,"
        "  disclosed_at INTEGER,"
        "  reporter_credit TEXT,"                /* goes into the advisory's acknowledgments */
        "  created_at INTEGER NOT NULL,"
        "  created_by TEXT NOT NULL,"
        "  updated_at INTEGER NOT NULL"
        ");"
        "CREATE INDEX cases_state ON cases (state);"
        "CREATE INDEX cases_vuln_id ON cases (vuln_id);"
        "CREATE TABLE case_ids ("
        "  case_id INTEGER NOT NULL REFERENCES cases (id),"
        "  kind TEXT NOT NULL CHECK (kind IN ('cve', 'euvd', 'cwe', 'ghsa', 'other')),"
        "  value TEXT NOT NULL,"
        "  PRIMARY KEY (case_id, kind, value)"
        ");"
        "CREATE INDEX case_ids_value ON case_ids (value);"
        "CREATE TABLE case_affected ("
        "  case_id INTEGER NOT NULL REFERENCES cases (id),"
        "  product_id INTEGER NOT NULL REFERENCES products (id),"
        "  release_id INTEGER REFERENCES releases (id)," /* NULL: the product, versions in cases.version_range */
        "  UNIQUE (case_id, product_id, release_id)"
        ");"
        "CREATE TABLE case_timeline ("
        "  id INTEGER PRIMARY KEY,"
        "  case_id INTEGER NOT NULL REFERENCES cases (id),"
        "  time INTEGER NOT NULL,"
        "  actor TEXT NOT NULL,"
        "  action TEXT NOT NULL,"                /* created, state, aware, linked, report.produced, ... */
        "  details TEXT NOT NULL"                /* JSON object */
        ");"
        "CREATE INDEX case_timeline_case_id ON case_timeline (case_id, id);",
        /* 12 (fix/vfind's 11, after main's 11): findings, monitoring and exposure (issue 9).
         *  - exploited_notified_at: the Art. 14 "actively exploited" event of
         *    a finding is raised once, also when the KEV flag arrives after
         *    the finding's own event (notified_at) was raised.
         *  - findings by component (a re-matched document's old findings), by
         *    notification (the notifier's pending set).
         *  - components by lowercased name: the low-confidence name match of
         *    a changed vulnerability finds components without identifiers.
         *  - exposure: the counts of a product's devices by running version,
         *    hardware revision and batch are one pass over a covering index
         *    of the product's devices (in hardware revision and batch order,
         *    so no sort), each joined with its update state by id; the lists
         *    read devices by installed version, and by product and initial
         *    firmware (devices that never reported an update run their
         *    initial firmware), in id order, a page at a time. */
        "ALTER TABLE findings ADD COLUMN exploited_notified_at INTEGER;"
        "CREATE INDEX findings_component_id ON findings (component_id);"
        "CREATE INDEX findings_notified_at ON findings (notified_at);"
        "CREATE INDEX sbom_components_lower_name ON sbom_components (lower(name));"
        "CREATE INDEX device_update_state_installed_version ON device_update_state (installed_version);"
        "CREATE INDEX devices_product_initial_version ON devices (product_id, initial_firmware_version);"
        "CREATE INDEX devices_fleet ON devices (product_id, status, hardware_revision, batch_id, "
        "initial_firmware_version);",
        /* 13 (stream fix/vex, VEX import): a VEX statement names a component
         * by its purl as written; import looks up the releases that carry it
         * exactly, so the purl value needs an index of its own (match_key
         * is the versionless key). */
        "CREATE INDEX sbom_component_idents_value ON sbom_component_idents (kind, value);",

        /* 14 (stream: approvals, issue 11 section 1): operator users. A user is a
         * person: a name, a contact, one or more roles, one or more tokens; a
         * token acts with one role its user holds. Each existing token becomes
         * one user named after it, holding its role, so existing deployments keep
         * working. The audit chain gains the acting user (NULL for entries
         * written before users existed, whose hash does not cover it). */
        "CREATE TABLE users ("
        "  id INTEGER PRIMARY KEY,"
        "  name TEXT NOT NULL UNIQUE,"
        "  contact TEXT NOT NULL,"
        "  created_at INTEGER NOT NULL,"
        "  created_by TEXT NOT NULL,"
        "  disabled_at INTEGER"              /* NULL while enabled */
        ");"
        "CREATE TABLE user_roles ("
        "  user_id INTEGER NOT NULL REFERENCES users (id),"
        "  role TEXT NOT NULL,"
        "  PRIMARY KEY (user_id, role)"
        ");"
        "ALTER TABLE api_tokens ADD COLUMN user_id INTEGER REFERENCES users (id);"
        "INSERT INTO users (name, contact, created_at, created_by) "
        "  SELECT name, '', created_at, created_by FROM api_tokens ORDER BY id;"
        "INSERT INTO user_roles (user_id, role) "
        "  SELECT u.id, t.role FROM api_tokens t JOIN users u ON u.name = t.name;"
        "UPDATE api_tokens SET user_id = (SELECT u.id FROM users u WHERE u.name = api_tokens.name);"
        "CREATE INDEX api_tokens_user_id ON api_tokens (user_id);"
        "ALTER TABLE audit_log ADD COLUMN actor_user TEXT;",

        /* 15 (stream: approvals, issue 11 section 3): M-of-N approvals. A policy
         * per operation (a row overrides the [approval] defaults of cradled.conf);
         * a request holds the operation's exact parameters as canonical JSON and
         * their SHA-256; votes are one per user (a person with two tokens counts
         * once: the domain refuses the second vote). 'executing' is taken by one
         * UPDATE before the operation runs, so a request runs at most once, even
         * across a crash. */
        "CREATE TABLE approval_policies ("
        "  operation TEXT PRIMARY KEY,"
        "  approvers INTEGER NOT NULL,"      /* 0 = not governed */
        "  roles TEXT NOT NULL,"             /* comma-separated; an approver holds one */
        "  updated_at INTEGER NOT NULL,"
        "  updated_by TEXT NOT NULL"
        ");"
        "CREATE TABLE approval_requests ("
        "  id INTEGER PRIMARY KEY,"
        "  operation TEXT NOT NULL,"
        "  params TEXT NOT NULL,"            /* compact JSON, sorted keys; hashed in canonical form */
        "  params_sha256 TEXT NOT NULL,"
        "  requester_user_id INTEGER NOT NULL REFERENCES users (id),"
        "  requester_token TEXT NOT NULL,"
        "  requester_role TEXT NOT NULL,"
        "  justification TEXT NOT NULL,"
        "  approvers INTEGER NOT NULL,"      /* the policy when requested */
        "  roles TEXT NOT NULL,"
        "  state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'executing', "
        "'executed', 'failed')),"
        "  created_at INTEGER NOT NULL,"
        "  expires_at INTEGER NOT NULL,"
        "  executed_at INTEGER,"
        "  result TEXT"                      /* JSON: the operation's answer or error */
        ");"
        "CREATE INDEX approval_requests_state ON approval_requests (state);"
        "CREATE TABLE approval_votes ("
        "  id INTEGER PRIMARY KEY,"
        "  request_id INTEGER NOT NULL REFERENCES approval_requests (id),"
        "  user_id INTEGER NOT NULL REFERENCES users (id),"
        "  user_name TEXT NOT NULL,"
        "  token TEXT NOT NULL,"
        "  role TEXT NOT NULL,"
        "  decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),"
        "  comment TEXT NOT NULL,"
        "  time INTEGER NOT NULL"
        ");"
        "CREATE INDEX approval_votes_request_id ON approval_votes (request_id);",
        /* 16 (stream: cases and Art. 14 clocks, issue 10 sections 2-3; the lead
         * renumbers at merge): the reminders cradled's maintenance fired. One
         * row per (case, track, report, point, due time): each fires once, and
         * a due time that moves (a fix recorded earlier, a notification
         * submitted) fires anew. The webhook columns are its outgoing
         * delivery: pending until a 2xx answer, retried with backoff, failed
         * after the last attempt. */
        "CREATE TABLE case_reminders ("
        "  case_id INTEGER NOT NULL REFERENCES cases (id),"
        "  track TEXT NOT NULL CHECK (track IN ('vulnerability', 'incident')),"
        "  report TEXT NOT NULL CHECK (report IN ('early_warning', 'notification', 'final_report')),"
        "  point TEXT NOT NULL,"                 /* '50%', '80%', 'overdue' */
        "  due_at INTEGER NOT NULL,"
        "  fired_at INTEGER NOT NULL,"
        "  body TEXT NOT NULL,"                  /* the JSON the event and the webhook carry */
        "  webhook_state TEXT NOT NULL CHECK (webhook_state IN ('none', 'pending', 'sent', 'failed')),"
        "  webhook_attempts INTEGER NOT NULL DEFAULT 0,"
        "  webhook_next_at INTEGER,"
        "  webhook_last_error TEXT,"
        "  PRIMARY KEY (case_id, track, report, point, due_at)"
        ");"
        "CREATE INDEX case_reminders_webhook ON case_reminders (webhook_state, webhook_next_at);",
        /* 17 (stream fix/srp, issue 10 section 3; the lead renumbers at
         * merge): SRP submissions as evidence. One row per report as it was
         * submitted to ENISA's SRP: who, when, the SRP reference, the exact
         * package (content) with its SHA-256, the stage's due time and how
         * late it was. Rows are never changed or deleted (the triggers refuse
         * it; a correction is a new row naming the one it corrects). */
        "CREATE TABLE case_submissions ("
        "  id INTEGER PRIMARY KEY,"
        "  case_id INTEGER NOT NULL REFERENCES cases (id),"
        "  stage TEXT NOT NULL CHECK (stage IN ('early-warning', 'notification', 'intermediate', 'final')),"
        "  track TEXT NOT NULL CHECK (track IN ('vulnerability', 'incident')),"
        "  glossary TEXT NOT NULL,"
        "  srp_ref TEXT NOT NULL,"
        "  submitted_at INTEGER NOT NULL,"
        "  submitted_by TEXT NOT NULL,"
        "  recorded_at INTEGER NOT NULL,"
        "  content TEXT NOT NULL,"               /* the package JSON exactly as produced */
        "  content_sha256 TEXT NOT NULL,"
        "  due_at INTEGER,"                      /* NULL: no clock for this stage (intermediate) */
        "  late_by INTEGER NOT NULL DEFAULT 0,"  /* seconds past due_at */
        "  corrects INTEGER REFERENCES case_submissions (id)"
        ");"
        "CREATE INDEX case_submissions_case ON case_submissions (case_id, stage, submitted_at);"
        "CREATE TRIGGER case_submissions_no_update BEFORE UPDATE ON case_submissions "
        "BEGIN SELECT RAISE(ABORT, 'case_submissions is evidence: rows cannot be changed'); END;"
        "CREATE TRIGGER case_submissions_no_delete BEFORE DELETE ON case_submissions "
        "BEGIN SELECT RAISE(ABORT, 'case_submissions is evidence: rows cannot be deleted'); END;",
        /* 18 (stream fix/csafpub, issue 10 section 5; the lead renumbers at
         * merge): CSAF advisories of a case and their published revisions.
         * One advisory per (case, category); each publication is a new
         * revision row with the exact bytes served, their SHA-256 and
         * SHA-512, the detached OpenPGP signature, status, TLP, who and
         * when. Revisions are never changed or deleted (the triggers refuse
         * it): an earlier published file stays retrievable byte for byte. */
        "CREATE TABLE csaf_advisories ("
        "  id INTEGER PRIMARY KEY,"
        "  case_id INTEGER NOT NULL REFERENCES cases (id),"
        "  category TEXT NOT NULL CHECK (category IN ('csaf_security_advisory', 'csaf_vex')),"
        "  tracking_id TEXT NOT NULL UNIQUE,"
        "  file_name TEXT NOT NULL UNIQUE,"
        "  year INTEGER NOT NULL,"               /* of the first revision: the <YYYY>/ folder */
        "  created_at INTEGER NOT NULL,"
        "  UNIQUE (case_id, category)"
        ");"
        "CREATE TABLE csaf_revisions ("
        "  id INTEGER PRIMARY KEY,"
        "  advisory_id INTEGER NOT NULL REFERENCES csaf_advisories (id),"
        "  number INTEGER NOT NULL,"
        "  status TEXT NOT NULL CHECK (status IN ('interim', 'final')),"
        "  tlp TEXT NOT NULL CHECK (tlp IN ('WHITE', 'GREEN', 'AMBER', 'RED')),"
        "  summary TEXT NOT NULL,"
        "  published_at INTEGER NOT NULL,"
        "  published_by TEXT NOT NULL,"
        "  document TEXT NOT NULL,"              /* the exact bytes of the file */
        "  sha256 TEXT NOT NULL,"
        "  sha512 TEXT NOT NULL,"
        "  signature TEXT NOT NULL,"             /* the .asc, armoured */
        "  key_fingerprint TEXT NOT NULL,"
        "  UNIQUE (advisory_id, number)"
        ");"
        "CREATE TRIGGER csaf_revisions_no_update BEFORE UPDATE ON csaf_revisions "
        "BEGIN SELECT RAISE(ABORT, 'csaf_revisions are published: rows cannot be changed'); END;"
        "CREATE TRIGGER csaf_revisions_no_delete BEFORE DELETE ON csaf_revisions "
        "BEGIN SELECT RAISE(ABORT, 'csaf_revisions are published: rows cannot be deleted'); END;",
        /* 19 (stream fix/cvd, issue 10 section 4; the lead renumbers at
         * merge): the public CVD intake. cvd_reports: one row per case that
         * came through the form, with the SHA-256 (hex) of the reporter's
         * follow-up secret (the secret itself is never stored) and the
         * contact the reporter chose to give. No source address is kept.
         * cvd_messages: the exchange between reporter and security team,
         * the report itself first; an armoured OpenPGP message is stored as
         * received, marked encrypted. */
        "CREATE TABLE cvd_reports ("
        "  case_id INTEGER PRIMARY KEY REFERENCES cases (id),"
        "  secret_sha256 TEXT NOT NULL,"
        "  product TEXT,"
        "  contact TEXT,"
        "  created_at INTEGER NOT NULL"
        ");"
        "CREATE TABLE cvd_messages ("
        "  id INTEGER PRIMARY KEY,"
        "  case_id INTEGER NOT NULL REFERENCES cases (id),"
        "  author TEXT NOT NULL CHECK (author IN ('reporter', 'team')),"
        "  author_name TEXT,"
        "  body TEXT NOT NULL,"
        "  encrypted INTEGER NOT NULL DEFAULT 0,"
        "  created_at INTEGER NOT NULL"
        ");"
        "CREATE INDEX cvd_messages_case ON cvd_messages (case_id, id);",
        /* 20 (stream fix/keys, issue 11 section 2; the lead renumbers at
         * merge): the key registry. One row per key Cradle uses or knows of,
         * identified by (class, fingerprint): the lower-case hex SHA-256 of
         * the public key's SubjectPublicKeyInfo DER, or a given identifier
         * for a key without one (a symmetric KEK). tuf_keyid is the TUF
         * keyid when the key appears in TUF metadata. The state machine is
         * enforced in src/keys (one table of allowed moves); the CHECK lists
         * make a bad write fail loudly. key_products links a key to the
         * products it serves (a TUF targets key may sign for several).
         * key_usage aggregates uses per key, day and kind of use, so a
         * director signing a million polls a day writes one row, not a
         * million. Sensitive uses are audit entries ("key.use"). */
        "CREATE TABLE keys ("
        "  id INTEGER PRIMARY KEY,"
        "  class TEXT NOT NULL CHECK (class IN ('firmware-signing', 'tuf-root', 'tuf-online', 'director', "
        "'device-ca', 'root-ca', 'tls', 'ota-encryption', 'debug-auth', 'audit-checkpoint', 'migration', "
        "'kek')),"
        "  purpose TEXT NOT NULL,"
        "  algorithm TEXT NOT NULL,"
        "  fingerprint TEXT NOT NULL,"
        "  tuf_keyid TEXT,"
        "  storage TEXT NOT NULL CHECK (storage IN ('pkcs11', 'file', 'offline', 'sealed')),"
        "  ref TEXT,"                            /* PKCS#11 URI or file path; never a PIN or key material */
        "  owner_user_id INTEGER REFERENCES users (id),"
        "  state TEXT NOT NULL CHECK (state IN ('planned', 'active', 'retiring', 'retired', "
        "'compromised', 'destroyed')),"
        "  state_reason TEXT,"
        "  created_at INTEGER NOT NULL,"
        "  created_by TEXT NOT NULL,"
        "  activated_at INTEGER,"
        "  expires_at INTEGER,"
        "  state_changed_at INTEGER NOT NULL,"
        "  UNIQUE (class, fingerprint)"
        ");"
        "CREATE INDEX keys_state ON keys (state);"
        "CREATE INDEX keys_tuf_keyid ON keys (tuf_keyid);"
        "CREATE TABLE key_products ("
        "  key_id INTEGER NOT NULL REFERENCES keys (id),"
        "  product_id INTEGER NOT NULL REFERENCES products (id),"
        "  PRIMARY KEY (key_id, product_id)"
        ");"
        "CREATE INDEX key_products_product_id ON key_products (product_id);"
        "CREATE TABLE key_custodians ("
        "  key_id INTEGER NOT NULL REFERENCES keys (id),"
        "  user_id INTEGER NOT NULL REFERENCES users (id),"
        "  added_at INTEGER NOT NULL,"
        "  added_by TEXT NOT NULL,"
        "  PRIMARY KEY (key_id, user_id)"
        ");"
        "CREATE TABLE key_usage ("
        "  key_id INTEGER NOT NULL REFERENCES keys (id),"
        "  day INTEGER NOT NULL,"                /* seconds since the epoch of 00:00 UTC that day */
        "  what TEXT NOT NULL,"                  /* 'director.targets', 'crl.sign', ... */
        "  count INTEGER NOT NULL,"
        "  first_at INTEGER NOT NULL,"
        "  last_at INTEGER NOT NULL,"
        "  PRIMARY KEY (key_id, day, what)"
        ");",
        /* 21 (stream fix/otaenc, issue 11 section 5; the lead renumbers at
         * merge): encrypted update payloads. One row per encrypted image
         * (the container, images.sha256; unique since its content key is
         * random): the scheme, the plaintext's SHA-256 and length (the signed
         * target custom), and the content key sealed under the server KEK
         * (secret/kek.h, context "ota-content-key:release:<id>:<sha256>"):
         * the database alone never gives the key. */
        "CREATE TABLE image_encryption ("
        "  sha256 TEXT PRIMARY KEY,"
        "  release_id INTEGER NOT NULL REFERENCES releases (id),"
        "  scheme TEXT NOT NULL,"
        "  chunk_size INTEGER NOT NULL,"
        "  plain_sha256 TEXT NOT NULL,"
        "  plain_length INTEGER NOT NULL,"
        "  content_key_sealed TEXT NOT NULL,"
        "  created_at INTEGER NOT NULL"
        ");",
        /* 22 (stream fix/debugtok, issue 11 section 4; the lead renumbers at
         * merge): debug-authorisation tokens. A request is an approval request
         * (operation debug.issue, approval_requests); a row here is a token
         * issued when that request was approved: for which device, challenge
         * and scope, when valid, who asked and who approved, with which key,
         * and the exact token. Rows are never changed or deleted: the list per
         * device is field service's traceability. */
        "CREATE TABLE debug_tokens ("
        "  id INTEGER PRIMARY KEY,"
        "  token_id TEXT NOT NULL UNIQUE,"          /* hex of the token's 16-byte id */
        "  approval_id INTEGER UNIQUE REFERENCES approval_requests (id),"  /* NULL: debug.issue not governed */
        "  device_serial TEXT NOT NULL,"
        "  device_uid TEXT NOT NULL,"
        "  scope TEXT NOT NULL,"                    /* "jtag,uart-console" */
        "  challenge_sha256 TEXT NOT NULL,"
        "  security_floor INTEGER NOT NULL,"
        "  not_before INTEGER NOT NULL,"
        "  not_after INTEGER NOT NULL,"
        "  requester TEXT NOT NULL,"
        "  approvers TEXT NOT NULL,"                /* user names, comma-separated, as in the token */
        "  key_fingerprint TEXT NOT NULL,"          /* the debug-auth key (registry fingerprint) */
        "  token TEXT NOT NULL,"                    /* base64 of the token bytes */
        "  issued_at INTEGER NOT NULL"
        ");"
        "CREATE INDEX debug_tokens_device ON debug_tokens (device_serial, issued_at);"
        "CREATE TRIGGER debug_tokens_no_update BEFORE UPDATE ON debug_tokens "
        "BEGIN SELECT RAISE(ABORT, 'debug_tokens is a record: rows cannot be changed'); END;"
        "CREATE TRIGGER debug_tokens_no_delete BEFORE DELETE ON debug_tokens "
        "BEGIN SELECT RAISE(ABORT, 'debug_tokens is a record: rows cannot be deleted'); END;",
        /* 23 (stream fix/auditcp, issue 11 section 6; the lead renumbers at
         * merge): signed audit checkpoints. One row per checkpoint: the entry
         * it covers (seq, hash), the chain's identity (hash of entry 1), the
         * time, the signing key's fingerprint and SPKI, and the signature over
         * audit/checkpoint.h's signed bytes. The *_done columns are the
         * delivery to each external witness (file, URL, syslog); the URL is
         * retried with backoff. */
        "CREATE TABLE audit_checkpoints ("
        "  seq INTEGER PRIMARY KEY,"
        "  time INTEGER NOT NULL,"
        "  hash TEXT NOT NULL,"
        "  chain TEXT NOT NULL,"
        "  key_fingerprint TEXT NOT NULL,"
        "  public_key TEXT NOT NULL,"
        "  algorithm TEXT NOT NULL,"
        "  signature TEXT NOT NULL,"
        "  file_done INTEGER NOT NULL DEFAULT 0,"
        "  syslog_done INTEGER NOT NULL DEFAULT 0,"
        "  url_done INTEGER NOT NULL DEFAULT 0,"
        "  url_attempts INTEGER NOT NULL DEFAULT 0,"
        "  url_next_at INTEGER NOT NULL DEFAULT 0,"
        "  url_last_error TEXT"
        ");",
        /* 24 (stream fix/notify, issue 10 section 6; the lead renumbers at
         * merge): informing users and end of support.
         * - owner_ref on devices and batches: an optional contact reference
         *   (a customer id, an operator account), never a name or an e-mail
         *   (docs/reporting.md, "Informing users"); a device's own reference
         *   wins over its batch's.
         * - support_reminders: each end-of-support reminder that fired, once
         *   per (product, point, support end); a moved end date fires anew.
         * - webhook_outbox: deliveries to the [cases] webhook that are not
         *   Art. 14 reminders (those keep their columns in case_reminders):
         *   end-of-support reminders and notification lists.
         * - case_report_drafts: the operator's SRP fields saved per case and
         *   stage, so a report need not be given its fields each time. */
        "ALTER TABLE devices ADD COLUMN owner_ref TEXT;"
        "ALTER TABLE batches ADD COLUMN owner_ref TEXT;"
        "CREATE TABLE support_reminders ("
        "  product_id INTEGER NOT NULL REFERENCES products (id),"
        "  point TEXT NOT NULL,"                 /* '12m', '6m', ... */
        "  support_end TEXT NOT NULL,"           /* YYYY-MM-DD it was counted from */
        "  fired_at INTEGER NOT NULL,"
        "  body TEXT NOT NULL,"
        "  PRIMARY KEY (product_id, point, support_end)"
        ");"
        "CREATE TABLE webhook_outbox ("
        "  id INTEGER PRIMARY KEY,"
        "  event TEXT NOT NULL,"
        "  body TEXT NOT NULL,"
        "  created_at INTEGER NOT NULL,"
        "  state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),"
        "  attempts INTEGER NOT NULL DEFAULT 0,"
        "  next_at INTEGER NOT NULL,"
        "  last_error TEXT"
        ");"
        "CREATE INDEX webhook_outbox_due ON webhook_outbox (state, next_at);"
        "CREATE TABLE case_report_drafts ("
        "  case_id INTEGER NOT NULL REFERENCES cases (id),"
        "  stage TEXT NOT NULL CHECK (stage IN ('early-warning', 'notification', 'intermediate', 'final')),"
        "  fields TEXT NOT NULL,"                /* the operator's JSON object of field -> value */
        "  updated_at INTEGER NOT NULL,"
        "  updated_by TEXT NOT NULL,"
        "  PRIMARY KEY (case_id, stage)"
        ");",
};

const size_t store_migrations_count = sizeof(store_migrations) / sizeof(store_migrations[0]);

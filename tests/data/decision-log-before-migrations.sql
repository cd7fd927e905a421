-- A decision log written by the store before sqlite-utils Migrations (commit cf5198c):
-- schema version 1 recorded in the table 'migrations'; one ruling and its replay.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
INSERT INTO migrations VALUES(1,'2026-12-01T12:39:29.657Z');
CREATE TABLE IF NOT EXISTS "rulings" (
   "id" TEXT PRIMARY KEY NOT NULL,
   "created_at" TEXT NOT NULL,
   "reference" TEXT,
   "regulation" TEXT,
   "version" TEXT,
   "ruleset_digest" TEXT,
   "outcome" TEXT,
   "lang" TEXT,
   "replay_of" TEXT,
   "request" TEXT NOT NULL,
   "registry" TEXT,
   "findings" TEXT,
   "trace" TEXT,
   "ruling" TEXT NOT NULL
);
INSERT INTO rulings VALUES('01a2319e0679ec5a664879b09e4cd935','2026-12-01T12:39:29.657Z','APP-OLD','kz-foreign-labour','2025-09-01','sha256:abc','approve','ru',NULL,'{"application":{"reference":"APP-OLD","submitted_on":"2025-09-20"}}','{"quota":{"source":"fixtures","fetched_at":"2025-09-20T10:00:00.000Z","data":{"remaining":3}}}','[{"requirement":"quota-available","status":"met","title":"Квота"}]','[{"step":1,"rule":"r","asserted":{}}]','{"id":"01a2319e0679ec5a664879b09e4cd935","created_at":"2026-12-01T12:39:29.657Z","outcome":"approve","regulation":"kz-foreign-labour","version":"2025-09-01","ruleset_digest":"sha256:abc","missing":[]}');
INSERT INTO rulings VALUES('01a2319e0679b8eb2e9e7470724b31f7','2026-12-01T12:39:29.657Z','APP-OLD','kz-foreign-labour','2025-09-01','sha256:abc','refuse','en','01a2319e0679ec5a664879b09e4cd935','{"application":{"reference":"APP-OLD","submitted_on":"2025-09-20"}}','{"quota":{"source":"fixtures","fetched_at":"2025-09-20T10:00:00.000Z","data":{"remaining":3}}}','[{"requirement":"quota-available","status":"met","title":"Квота"}]','[{"step":1,"rule":"r","asserted":{}}]','{"id":"01a2319e0679b8eb2e9e7470724b31f7","created_at":"2026-12-01T12:39:29.657Z","outcome":"refuse","regulation":"kz-foreign-labour","version":"2025-09-01","ruleset_digest":"sha256:abc","missing":[],"replay_of":"01a2319e0679ec5a664879b09e4cd935"}');
CREATE INDEX "idx_rulings_reference"
    ON "rulings" ("reference");
CREATE INDEX "idx_rulings_replay_of"
    ON "rulings" ("replay_of");
COMMIT;

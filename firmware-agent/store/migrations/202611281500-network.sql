-- Three-level network (issue 5): this box's key pair and upstream, its downstream peers, enrollment codes,
-- the outbox (written in the same transaction as the change that caused each message), the inbox of
-- applied message ids (idempotence), replay nonces, supervision copies of reported tickets and daily
-- statistics received from below. Nothing here is ever deleted except expired nonces.

CREATE TABLE net_identity (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  box_id          TEXT NOT NULL,                 -- UUIDv7 of this installation
  public_key      TEXT NOT NULL,                 -- Ed25519, SPKI DER, base64
  private_key     TEXT NOT NULL,                 -- Ed25519, PKCS#8 PEM
  created_at      TEXT NOT NULL,
  upstream_url    TEXT,
  upstream_address TEXT,                         -- region code of the upstream box ('000000' for the ministry)
  upstream_role   TEXT,
  upstream_key    TEXT,                          -- the upstream's public key, SPKI DER base64
  paired_at       TEXT,
  pull_cursor     INTEGER NOT NULL DEFAULT 0,    -- last upstream outbox seq applied here
  last_contact    TEXT,                          -- last successful exchange with the upstream
  last_error      TEXT
);

-- One-time codes an upstream issues for a region (stored hashed).
CREATE TABLE net_enrollments (
  code_hash   TEXT PRIMARY KEY,
  region      TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  used_at     TEXT
);

-- Downstream boxes. A region is held by at most one active key; older keys stay, revoked.
CREATE TABLE net_peers (
  public_key    TEXT PRIMARY KEY,
  region        TEXT NOT NULL,
  box_id        TEXT NOT NULL,
  role          TEXT NOT NULL,
  enrolled_at   TEXT NOT NULL,
  revoked_at    TEXT,
  last_contact  TEXT
);
CREATE UNIQUE INDEX net_peers_active_region ON net_peers(region) WHERE revoked_at IS NULL;

-- Messages waiting for (or already given) delivery. hop = 'up' (pushed to the upstream) or the region of a
-- downstream peer (which pulls them). One row per message and hop; seq is the pull cursor.
CREATE TABLE net_outbox (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  id            TEXT NOT NULL,
  hop           TEXT NOT NULL,
  kind          TEXT NOT NULL,
  ticket_id     TEXT,
  envelope      TEXT NOT NULL,                   -- JSON, exactly as sent
  created_at    TEXT NOT NULL,
  attempts      INTEGER NOT NULL DEFAULT 0,
  delivered_at  TEXT,
  rejected_code TEXT,                            -- refused permanently by the receiver (kept, not retried)
  UNIQUE (id, hop)
);
CREATE INDEX net_outbox_pending ON net_outbox(hop, seq) WHERE delivered_at IS NULL;

-- Every message applied here, recorded in the transaction that applied it: a repeat is acknowledged and ignored.
CREATE TABLE net_inbox (
  seq             INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  kind            TEXT NOT NULL,
  origin          TEXT NOT NULL,
  via             TEXT NOT NULL,                 -- the peer that delivered it ('up' or a downstream region)
  ticket_id       TEXT,
  ticket_version  INTEGER,
  outcome         TEXT NOT NULL,                 -- applied | forwarded | ignored
  received_at     TEXT NOT NULL
);
CREATE INDEX net_inbox_ticket ON net_inbox(ticket_id, seq);

-- Request nonces seen recently (replay protection within the clock-skew window).
CREATE TABLE net_nonces (
  nonce       TEXT PRIMARY KEY,
  peer        TEXT NOT NULL,
  expires_at  TEXT NOT NULL
);

-- Refused exchange requests, for technicians.
CREATE TABLE net_refusals (
  id       INTEGER PRIMARY KEY,
  at       TEXT NOT NULL,
  peer     TEXT,
  code     TEXT NOT NULL,
  message  TEXT,
  path     TEXT
);

-- Supervision copies of tickets reported from below (上报), latest snapshot per ticket and reporting box.
CREATE TABLE net_reports (
  ticket_id   TEXT NOT NULL,
  reporter    TEXT NOT NULL,
  number      TEXT NOT NULL,
  region      TEXT NOT NULL,
  type        TEXT NOT NULL,
  domain      TEXT NOT NULL,
  channel     TEXT NOT NULL,
  status      TEXT NOT NULL,
  version     INTEGER NOT NULL,
  snapshot    TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (ticket_id, reporter)
);
CREATE INDEX net_reports_reporter ON net_reports(reporter, updated_at);

-- Daily statistics per box region (own and received from below); the latest computation wins.
CREATE TABLE net_stats (
  region       TEXT NOT NULL,
  day          TEXT NOT NULL,
  computed_at  TEXT NOT NULL,
  body         TEXT NOT NULL,
  PRIMARY KEY (region, day)
);

-- A ticket received from another box keeps its number and id; origin_region is the box that took the call.
-- A ticket sent elsewhere for handling records where (transferred_to: the matter's region; handler_region:
-- the box that answered).
ALTER TABLE tickets ADD COLUMN origin_region TEXT;
ALTER TABLE tickets ADD COLUMN transferred_to TEXT;
ALTER TABLE tickets ADD COLUMN handler_region TEXT;

-- Small durable counters of the network (e.g. the knowledge-base revision already sent down).
CREATE TABLE net_meta (
  key    TEXT PRIMARY KEY,
  value  INTEGER NOT NULL
);

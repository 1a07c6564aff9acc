-- The 12345 exchange (docs/12345.md, issue 16 §4): store-and-forward with a local government hotline platform.
-- gov12345_outbox: messages for a platform, FIFO per platform, written in the transaction of the ticket change
--   that caused them; delivered_at is set on the platform's signed acknowledgement, rejected_code when it
--   refused the message for good (set aside, kept for a technician).
-- gov12345_inbox: every message id received from a platform, written in the transaction that applies it, so a
--   repeat is answered `duplicate` and changes nothing (exactly once).
-- gov12345_links: which tickets travel with which platform, and the platform's own work-order number.
-- gov12345_nonces: request nonces seen within the signature's time window (replays refused).
CREATE TABLE gov12345_outbox (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  id            TEXT NOT NULL UNIQUE,        -- the message id: the idempotency key the platform dedups on
  platform      TEXT NOT NULL,
  kind          TEXT NOT NULL,               -- order.transfer | order.result | order.visit
  ticket_id     TEXT,
  body          TEXT NOT NULL,               -- the JSON body exactly as it is sent, field names mapped
  created_at    TEXT NOT NULL,
  attempts      INTEGER NOT NULL DEFAULT 0,
  last_error    TEXT,
  delivered_at  TEXT,
  rejected_code TEXT
);
CREATE INDEX gov12345_outbox_pending ON gov12345_outbox (platform, seq) WHERE delivered_at IS NULL;

CREATE TABLE gov12345_inbox (
  platform    TEXT NOT NULL,
  id          TEXT NOT NULL,
  kind        TEXT NOT NULL,
  ticket_id   TEXT,
  outcome     TEXT NOT NULL,                 -- applied | ignored
  reason      TEXT,
  received_at TEXT NOT NULL,
  PRIMARY KEY (platform, id)
);

CREATE TABLE gov12345_links (
  ticket_id  TEXT PRIMARY KEY,
  platform   TEXT NOT NULL,
  direction  TEXT NOT NULL CHECK (direction IN ('out', 'in')),  -- out: sent to 12345; in: received from it
  remote_ref TEXT NOT NULL,                  -- the order's number on the side that created it
  created_at TEXT NOT NULL,
  UNIQUE (platform, direction, remote_ref)
);

CREATE TABLE gov12345_nonces (
  nonce      TEXT PRIMARY KEY,
  platform   TEXT NOT NULL,
  expires_at TEXT NOT NULL
);

-- SMS channel (issue 6): received parts, assembled messages, and the durable outgoing queue.
-- Forward-only; nothing here is ever deleted by the application (messages are evidence of a complaint).

-- Every part the modem handed over, stored before the SIM copy is deleted.
CREATE TABLE sms_parts (
  id           INTEGER PRIMARY KEY,
  pdu_hash     TEXT NOT NULL UNIQUE,            -- sha256 of the PDU: a re-read SIM copy is the same part
  sender       TEXT NOT NULL,
  group_key    TEXT NOT NULL,                   -- sender|refbits|ref|total, or 'single|'||pdu_hash
  seq          INTEGER NOT NULL,
  total        INTEGER NOT NULL,
  text         TEXT NOT NULL,
  sc_time      TEXT NOT NULL,                   -- TP-SCTS, ISO with offset
  received_at  TEXT NOT NULL,
  message_id   INTEGER REFERENCES sms_messages(id)
);
CREATE INDEX sms_parts_open ON sms_parts (group_key) WHERE message_id IS NULL;

-- One row per assembled message (complete, or incomplete after the timeout).
CREATE TABLE sms_messages (
  id             INTEGER PRIMARY KEY,
  msg_key        TEXT NOT NULL UNIQUE,          -- sha256 of its parts' hashes: a message is handled once
  sender         TEXT NOT NULL,
  text           TEXT NOT NULL,
  complete       INTEGER NOT NULL,
  missing        TEXT NOT NULL DEFAULT '[]',    -- JSON array of missing part numbers
  kind           TEXT NOT NULL CHECK (kind IN ('ticket', 'query', 'ignored')),  -- ignored: operator notices, alphanumeric senders
  ticket_number  TEXT,
  received_at    TEXT NOT NULL
);
CREATE INDEX sms_messages_ticket ON sms_messages (ticket_number);

-- Outgoing messages: written in the same transaction as the change that causes them.
CREATE TABLE sms_outbox (
  id              INTEGER PRIMARY KEY,
  recipient       TEXT NOT NULL,
  text            TEXT NOT NULL,
  kind            TEXT NOT NULL CHECK (kind IN ('auto-reply', 'result', 'closed', 'alert', 'query-reply')),
  ticket_number   TEXT,
  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error      TEXT,
  refs            TEXT,                         -- JSON array of TP-MR, one per part
  delivery        TEXT,                         -- from status reports: delivered / pending / failed
  created_at      TEXT NOT NULL,
  sent_at         TEXT
);
CREATE INDEX sms_outbox_due ON sms_outbox (status, next_attempt_at);
CREATE INDEX sms_outbox_ticket ON sms_outbox (ticket_number);

-- Stored messages the driver could not decode (truncated or malformed PDUs): kept as evidence, then
-- deleted from the SIM so they cannot fill it.
CREATE TABLE sms_rejected (
  id           INTEGER PRIMARY KEY,
  pdu_hash     TEXT NOT NULL UNIQUE,
  pdu          TEXT NOT NULL,
  reason       TEXT NOT NULL,
  received_at  TEXT NOT NULL
);

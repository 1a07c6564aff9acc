-- Three-level network: a received message that cannot be applied for a reason other than the ones the
-- exchange foresees (e.g. a constraint the message's data breaks) is set aside here instead of failing its
-- whole batch and blocking the sender's queue. The message is acknowledged and recorded in net_inbox with the
-- outcome 'set-aside' (so a repeat is a duplicate); technicians see the count in /healthz and the network
-- page, and the envelope and error here.
CREATE TABLE net_dead_letters (
  id          TEXT PRIMARY KEY,                -- the message id
  kind        TEXT NOT NULL,
  origin      TEXT NOT NULL,
  via         TEXT NOT NULL,                   -- 'up' or the downstream region that delivered it
  ticket_id   TEXT,
  envelope    TEXT NOT NULL,                   -- JSON, as received
  error       TEXT NOT NULL,
  at          TEXT NOT NULL
);

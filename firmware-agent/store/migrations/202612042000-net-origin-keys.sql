-- Origin signatures (docs/exchange.md §2.2, issue 13): the keys of the boxes this box is not paired with,
-- as the box that paired them attested them (peer.key messages), and the signed envelopes of the articles
-- received from above (a box below paired later is sent them byte for byte: only their origin can sign them).
CREATE TABLE net_origin_keys (
  region TEXT NOT NULL,
  role TEXT NOT NULL,
  public_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  attested_by TEXT NOT NULL,          -- the origin of the peer.key message (the box that paired it, or the ministry)
  enrolled_at TEXT NOT NULL,
  revoked_at TEXT,                    -- once set, never cleared
  received_at TEXT NOT NULL,
  PRIMARY KEY (region, public_key)
);
CREATE INDEX net_origin_keys_fingerprint ON net_origin_keys (region, fingerprint);

CREATE TABLE net_kb_envelopes (
  uid TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  envelope TEXT NOT NULL
);

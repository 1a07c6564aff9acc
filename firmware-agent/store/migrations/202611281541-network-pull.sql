-- Three-level network: pulls read a peer's rows by sequence whether or not they were acknowledged before,
-- so a downstream box restored from a backup (an older cursor) gets again what its restored store lost.
CREATE INDEX net_outbox_hop_seq ON net_outbox(hop, seq);

-- The network part of /healthz and the alarms' health sample read the depth and the oldest age of the
-- messages waiting to be sent (count and min(created_at) of the rows not delivered). net_outbox_pending is
-- on (hop, seq), so min(created_at) read every waiting row from the table, envelope and all: 265 ms (557 ms
-- on a loaded machine, in the first /healthz after the start) with 15,003 reports queued by an unpaired box
-- on the 1M-ticket bench store (issue 11 §6). This index holds only the waiting rows: ≈3 ms.
CREATE INDEX net_outbox_waiting_age ON net_outbox(created_at) WHERE delivered_at IS NULL;

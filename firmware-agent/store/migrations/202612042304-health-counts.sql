-- /healthz and the alarms' health sample count the messages set aside by the receiver (rejected_code) on every
-- call. Without an index that was a scan of net_outbox, whose rows carry whole envelopes (overflow pages):
-- ≈85 ms on a store holding 5,001 reports queued by an unpaired box (issue 11 §6, boot to ready). The index
-- holds only the set-aside rows, normally none.
CREATE INDEX net_outbox_rejected ON net_outbox(seq) WHERE rejected_code IS NOT NULL;

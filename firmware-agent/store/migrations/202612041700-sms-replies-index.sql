-- The per-number cap on automatic SMS replies (sms.json maxRepliesPerSenderPerHour) counts a number's recent
-- replies at every enqueue: an index keeps that a look-up as the outbox grows over the years.
CREATE INDEX sms_outbox_recipient ON sms_outbox(recipient, created_at);

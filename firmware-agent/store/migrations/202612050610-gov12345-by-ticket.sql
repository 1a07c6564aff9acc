-- The 12345 exchange's messages by ticket: the ticket page and `edgebox gov12345 status <number>` show every
-- message sent and received about one ticket (GET /api/gov12345/tickets/:number) without scanning the
-- outbox and inbox, which keep every message.
CREATE INDEX gov12345_outbox_ticket ON gov12345_outbox (ticket_id, seq) WHERE ticket_id IS NOT NULL;
CREATE INDEX gov12345_inbox_ticket ON gov12345_inbox (ticket_id, received_at) WHERE ticket_id IS NOT NULL;

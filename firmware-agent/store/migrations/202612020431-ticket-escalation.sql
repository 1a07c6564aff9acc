-- Overdue escalation (督办): a supervisor urges the department holding a ticket. The ticket's status does not
-- change; the latest escalation is kept on the row so the department's inbox can highlight it without
-- reading the audit trail (which keeps every escalation). A re-dispatch to a department clears it.
ALTER TABLE tickets ADD COLUMN escalated_at TEXT;
ALTER TABLE tickets ADD COLUMN escalation_note TEXT;

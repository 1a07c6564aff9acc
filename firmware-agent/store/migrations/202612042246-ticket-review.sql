-- 复核 (issue 15): the centre's review of a complaint's result before it is closed. The columns hold the
-- latest review of the current result (cleared when a department replies again or the ticket is reopened);
-- every review is also in the audit trail.
ALTER TABLE tickets ADD COLUMN review_outcome TEXT; -- 'approved' | 'returned'
ALTER TABLE tickets ADD COLUMN reviewed_at TEXT;
ALTER TABLE tickets ADD COLUMN review_note TEXT;

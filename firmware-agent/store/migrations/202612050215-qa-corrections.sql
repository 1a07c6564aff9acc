-- 质检 corrections: a supervisor may correct an inspection's points (a mis-keyed score, or one changed after
-- the agent's appeal). The row holds the corrected score; who corrected it and when are kept here, the reason
-- and the points before and after in the audit trail (entity 'qa', action 'correct').
ALTER TABLE qa_inspections ADD COLUMN corrected_at TEXT;
ALTER TABLE qa_inspections ADD COLUMN corrected_by TEXT;

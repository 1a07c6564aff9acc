-- 质检 (issue 15 §6): a supervisor's score of an agent's part in a recorded call, on the configured form
-- (config qa.criteria, copied into the row as it was when scored). One inspection per call and agent; each
-- is also in the audit trail (entity 'qa').
CREATE TABLE qa_inspections (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  call_id        TEXT NOT NULL,
  agent_id       INTEGER NOT NULL,        -- the agent scored (target of the call's agent leg)
  inspector_id   INTEGER,
  inspector_name TEXT NOT NULL,
  form           TEXT NOT NULL,           -- JSON: the criteria as configured when scored
  points         TEXT NOT NULL,           -- JSON: {criterion key: points}
  score          REAL NOT NULL,           -- 0–100, two decimals: Σ weight·points/maxPoints / Σ weight × 100
  comment        TEXT,
  call_at        INTEGER NOT NULL,        -- ms: start of the agent's leg (the period the score counts in)
  created_at     TEXT NOT NULL,
  UNIQUE (call_id, agent_id)
);
CREATE INDEX qa_inspections_agent ON qa_inspections (agent_id, call_at);

-- Scheduled jobs (issue 12 §5, docs/technician.md §Jobs): one row per run of a job of the jobs table
-- (firmware-agent/jobs/table.ts), for `edgebox jobs`, GET /api/admin/jobs and the technician page.
-- Frequent jobs (store maintenance, every few seconds) store a run only when its outcome differs from the
-- one stored before, so an idle box does not write every few seconds. The retention job prunes old rows.
CREATE TABLE job_runs (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  reason      TEXT NOT NULL CHECK (reason IN ('scheduled', 'manual', 'startup')),
  started_at  TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  duration_ms REAL NOT NULL,
  outcome     TEXT NOT NULL CHECK (outcome IN ('ok', 'failed')),
  detail      TEXT,                 -- JSON: what the run did (files written, rows pruned, notices sent)
  error       TEXT
);
CREATE INDEX job_runs_name ON job_runs (name, id);

-- Deadline sweep: the notices sent for a ticket's current due date, so each is sent once. A new due date
-- (re-dispatch, 督办 with a new date, reopen) makes the ticket eligible again.
CREATE TABLE deadline_notices (
  id            INTEGER PRIMARY KEY,
  ticket_number TEXT NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('due-soon', 'overdue')),
  due_at        TEXT NOT NULL,
  department_id INTEGER,
  at            TEXT NOT NULL,
  sms_outbox_id INTEGER,
  UNIQUE (ticket_number, kind, due_at)
);
CREATE INDEX deadline_notices_department ON deadline_notices (department_id, id);

-- Foundation: accounts, departments, the 12328 work order (工单), its audit trail, code tables, calendar.

CREATE TABLE departments (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  phone       TEXT,
  created_at  TEXT NOT NULL,
  disabled    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE users (
  id             INTEGER PRIMARY KEY,
  username       TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name   TEXT,
  password_hash  TEXT NOT NULL,
  role           TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent', 'department', 'technician')),
  department_id  INTEGER REFERENCES departments(id),
  skills         TEXT NOT NULL DEFAULT '[]',
  disabled       INTEGER NOT NULL DEFAULT 0,
  created_at     TEXT NOT NULL,
  CHECK ((role = 'department') = (department_id IS NOT NULL))
);

CREATE TABLE sessions (
  token_hash  TEXT PRIMARY KEY,
  user_id     INTEGER NOT NULL REFERENCES users(id),
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Business domain (行业) code table; admins may add rows, never delete (tickets refer to codes).
CREATE TABLE domains (
  code        TEXT PRIMARY KEY,
  label_zh    TEXT NOT NULL,
  label_en    TEXT NOT NULL,
  parent      TEXT,
  sort        INTEGER NOT NULL DEFAULT 0,
  disabled    INTEGER NOT NULL DEFAULT 0
);

-- Per-day ticket number sequence: {region 6}{yyyymmdd}{sequence 5}.
CREATE TABLE ticket_sequence (
  region  TEXT NOT NULL,
  day     TEXT NOT NULL,
  last    INTEGER NOT NULL,
  PRIMARY KEY (region, day)
) WITHOUT ROWID;

CREATE TABLE tickets (
  rowid           INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,            -- UUIDv7, used by the three-level exchange
  number          TEXT NOT NULL UNIQUE,            -- 19-digit ticket number
  type            TEXT NOT NULL,                   -- inquiry | suggestion | complaint
  subtype         TEXT,
  domain          TEXT NOT NULL,
  channel         TEXT NOT NULL,
  region          TEXT NOT NULL,                   -- GB/T 2260 code where the matter happened
  caller_phone    TEXT,
  caller_name     TEXT,
  anonymous       INTEGER NOT NULL DEFAULT 0,
  confidential    INTEGER NOT NULL DEFAULT 0,
  urgent          INTEGER NOT NULL DEFAULT 0,
  subject         TEXT NOT NULL,
  description     TEXT NOT NULL,
  location        TEXT,
  involved        TEXT,                            -- JSON {plate?, company?}
  status          TEXT NOT NULL,
  department_id   INTEGER REFERENCES departments(id),
  due_at          TEXT,
  calendar_uncertain INTEGER NOT NULL DEFAULT 0,   -- due date counted over a year with no official calendar
  answer_text     TEXT,
  reply_text      TEXT,
  satisfaction    TEXT,
  visit_note      TEXT,
  reopen_count    INTEGER NOT NULL DEFAULT 0,
  merged_into     TEXT,
  call_id         TEXT,
  created_by      INTEGER REFERENCES users(id),
  created_at      TEXT NOT NULL,
  updated_at      TEXT NOT NULL,
  dispatched_at   TEXT,
  replied_at      TEXT,
  closed_at       TEXT,
  version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX tickets_status ON tickets(status, due_at);
CREATE INDEX tickets_department ON tickets(department_id, status);
CREATE INDEX tickets_type ON tickets(type, created_at);
CREATE INDEX tickets_caller ON tickets(caller_phone);
CREATE INDEX tickets_created ON tickets(created_at);

-- Chinese full-text search: subject and description segmented into words (Intl.Segmenter) and
-- joined with spaces, so the default unicode61 tokenizer matches two-character words such as 拒载.
CREATE VIRTUAL TABLE tickets_fts USING fts5(words, content='', contentless_delete=1, tokenize='unicode61');

-- Append-only audit trail of every change, for tickets and for everything else.
CREATE TABLE audit (
  id           INTEGER PRIMARY KEY,
  at           TEXT NOT NULL,
  actor_id     INTEGER,
  actor_name   TEXT NOT NULL,
  actor_role   TEXT,
  entity       TEXT NOT NULL,       -- ticket | user | department | domain | calendar | config | session
  entity_id    TEXT NOT NULL,
  action       TEXT NOT NULL,
  from_status  TEXT,
  to_status    TEXT,
  note         TEXT,
  data         TEXT                 -- JSON details
);
CREATE INDEX audit_entity ON audit(entity, entity_id, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

-- Official calendar corrections entered by an admin (holidays and 调休 make-up working days),
-- and the years an admin has confirmed as complete.
CREATE TABLE calendar_days (
  day      TEXT PRIMARY KEY,                      -- YYYY-MM-DD
  kind     TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
  name     TEXT
);
CREATE TABLE calendar_years (
  year          INTEGER PRIMARY KEY,
  confirmed_at  TEXT NOT NULL,
  confirmed_by  TEXT NOT NULL
);

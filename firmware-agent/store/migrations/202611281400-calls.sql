-- Calls: one row per call (keyed by the trunk driver's call id, never reused), its legs, the tickets linked
-- to it, agent states for the ACD, and callback tasks. Times are integer ms since the epoch (UTC) so call
-- KPIs are plain arithmetic; daily and hourly buckets are computed in the box's time zone.

CREATE TABLE calls (
  id               TEXT PRIMARY KEY,
  channel          TEXT NOT NULL,
  caller           TEXT,
  called           TEXT NOT NULL,
  presentation     TEXT NOT NULL,
  legacy           INTEGER NOT NULL DEFAULT 0,   -- arrived on a legacy local number
  after_hours      INTEGER NOT NULL DEFAULT 0,
  route            TEXT,                          -- distress | railway | aviation | postal | queue | voicemail | callback | ...
  menu_choice      TEXT,
  ticket_type      TEXT,                          -- inquiry | suggestion | complaint, from the menu
  skill            TEXT,
  status           TEXT NOT NULL,                 -- ivr | queued | ringing | talking | wrap | ended | failed
  outcome          TEXT,                          -- answered | abandoned | transferred | voicemail | callback | announced | failed | ...
  arrived_at       INTEGER NOT NULL,
  ivr_answered_at  INTEGER,
  queued_at        INTEGER,
  agent_answered_at INTEGER,
  transferred_at   INTEGER,
  transferred_to   TEXT,
  abandoned_at     INTEGER,
  ended_at         INTEGER,
  hangup_cause     TEXT,
  hangup_party     TEXT,
  agent_id         INTEGER,
  station          TEXT,
  recording_file   TEXT,
  voicemail_file   TEXT,
  callback_id      TEXT,
  prompts          TEXT NOT NULL DEFAULT '[]'     -- JSON list of prompt ids played, in order
);
CREATE INDEX calls_caller ON calls(caller, arrived_at);
CREATE INDEX calls_arrived ON calls(arrived_at);
CREATE INDEX calls_agent ON calls(agent_id, arrived_at);

CREATE TABLE call_legs (
  id          INTEGER PRIMARY KEY,
  call_id     TEXT NOT NULL REFERENCES calls(id),
  kind        TEXT NOT NULL,                      -- ivr | queue | ring | agent | transfer | voicemail | callback
  target      TEXT,                               -- station, agent id, outside number, prompt
  started_at  INTEGER NOT NULL,
  ended_at    INTEGER,
  outcome     TEXT
);
CREATE INDEX call_legs_call ON call_legs(call_id, id);

CREATE TABLE call_tickets (
  call_id        TEXT NOT NULL REFERENCES calls(id),
  ticket_number  TEXT NOT NULL,
  linked_at      INTEGER NOT NULL,
  linked_by      TEXT NOT NULL,                   -- agent name or 'ivr'
  PRIMARY KEY (call_id, ticket_number)
) WITHOUT ROWID;
CREATE INDEX call_tickets_ticket ON call_tickets(ticket_number);

-- The ACD's agents: runtime state survives a restart (an agent in wrap-up stays in wrap-up).
CREATE TABLE agent_states (
  agent_id    INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  station     TEXT,
  skills      TEXT NOT NULL DEFAULT '[]',
  state       TEXT NOT NULL CHECK (state IN ('logged-out', 'ready', 'on-call', 'wrap-up', 'break')),
  since       INTEGER NOT NULL,
  idle_since  INTEGER
);

CREATE TABLE agent_state_log (
  id        INTEGER PRIMARY KEY,
  agent_id  INTEGER NOT NULL,
  state     TEXT NOT NULL,
  at        INTEGER NOT NULL,
  reason    TEXT
);
CREATE INDEX agent_state_log_agent ON agent_state_log(agent_id, at);

-- A caller who waited past the maximum asked to be called back: the task keeps the caller's place
-- (queued_at) so it is offered before calls that arrived later.
CREATE TABLE callback_tasks (
  id             TEXT PRIMARY KEY,
  call_id        TEXT NOT NULL REFERENCES calls(id),
  caller         TEXT NOT NULL,
  skill          TEXT,
  ticket_type    TEXT,
  queued_at      INTEGER NOT NULL,
  requested_at   INTEGER NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('pending', 'assigned', 'done', 'cancelled')),
  agent_id       INTEGER,
  done_at        INTEGER,
  ticket_number  TEXT
);
CREATE INDEX callback_tasks_status ON callback_tasks(status, queued_at);

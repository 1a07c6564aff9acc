-- Health alarms (issue 12 §4, docs/technician.md §Alarms). One row per raise: an alarm is active while
-- cleared_at is NULL, and a key has at most one active row (the partial unique index). Rows are never
-- deleted by the alarm code: they are the history the technician page shows.
CREATE TABLE alarms (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL,                 -- stable name: 'disk-free', 'modem-signal', 'job-failed:backup', ...
  source TEXT NOT NULL CHECK (source IN ('threshold', 'api')),
  severity TEXT NOT NULL CHECK (severity IN ('warning', 'critical')),
  message TEXT NOT NULL,             -- English, for logs and the history
  message_zh TEXT,                   -- Chinese, for the banner and the SMS (when the raiser gave one)
  value REAL,                        -- the figure when raised (and its latest while active)
  threshold REAL,
  raised_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  cleared_at TEXT,
  clear_reason TEXT
);
CREATE UNIQUE INDEX alarms_active_key ON alarms (key) WHERE cleared_at IS NULL;
CREATE INDEX alarms_raised_at ON alarms (raised_at);

-- The last SMS per alarm key to the duty technician: at most one per key and hour, across restarts.
CREATE TABLE alarm_sms (
  key TEXT PRIMARY KEY,
  sent_at TEXT NOT NULL,
  outbox_id INTEGER
);

-- Alarms of the boxes below, as their alarm.report messages said (the latest state per origin, key and
-- raise). Applied by the network (firmware-agent/network/alarm-reports.ts).
CREATE TABLE net_alarms (
  origin TEXT NOT NULL,
  key TEXT NOT NULL,
  raised_at TEXT NOT NULL,
  severity TEXT NOT NULL,
  message TEXT NOT NULL,
  value REAL,
  threshold REAL,
  cleared_at TEXT,
  reported_at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (origin, key, raised_at)
);
CREATE INDEX net_alarms_active ON net_alarms (origin) WHERE cleared_at IS NULL;

-- Public intake, case look-up and disclosure (issue 16 §1–§3, firmware-agent/public).
-- One-time codes that confirm a citizen's phone: only a keyed hash of the code is stored.
CREATE TABLE public_otps (
  phone       TEXT PRIMARY KEY,
  code_hash   TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 0,
  created_at  TEXT NOT NULL
);
-- How a ticket came in through the public page (one row per ticket, written in the ticket's transaction).
CREATE TABLE public_intake (
  ticket_number   TEXT PRIMARY KEY,
  phone_confirmed INTEGER NOT NULL,
  created_at      TEXT NOT NULL
);
-- Photos a citizen attached, metadata stripped (firmware-agent/public/images.ts).
CREATE TABLE public_photos (
  id             INTEGER PRIMARY KEY,
  ticket_number  TEXT NOT NULL,
  mime           TEXT NOT NULL CHECK (mime IN ('image/jpeg', 'image/png')),
  bytes          BLOB NOT NULL,
  created_at     TEXT NOT NULL
);
CREATE INDEX public_photos_ticket ON public_photos (ticket_number);
-- Typical cases a supervisor published (anonymised text as published).
CREATE TABLE public_cases (
  id             INTEGER PRIMARY KEY,
  ticket_number  TEXT NOT NULL UNIQUE,
  title          TEXT NOT NULL,
  text           TEXT NOT NULL,
  month          TEXT NOT NULL,
  published_at   TEXT NOT NULL,
  published_by   TEXT NOT NULL
);

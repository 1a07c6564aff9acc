-- Knowledge base (知识库) with the JT/T 1019.6 article kinds, three-level scope and sync versions.
-- Articles are never deleted: withdrawing one sets status = 'withdrawn' so the change syncs down.
CREATE TABLE kb_articles (
  id            INTEGER PRIMARY KEY,
  uid           TEXT NOT NULL UNIQUE,           -- network-wide identity (UUIDv7), same on every box
  kind          TEXT NOT NULL CHECK (kind IN ('faq', 'guide', 'policy', 'notice', 'case', 'organisation')),
  scope         TEXT NOT NULL CHECK (scope IN ('ministry', 'province', 'city')),
  owner_region  TEXT NOT NULL,                  -- GB/T 2260 code of the box that owns (edits) it
  upstream      INTEGER NOT NULL DEFAULT 0,     -- 1: owned by an upstream box; local edits are refused
  title         TEXT NOT NULL,
  body          TEXT NOT NULL,
  tags          TEXT NOT NULL DEFAULT '[]',     -- JSON array of strings
  domain        TEXT,
  valid_from    TEXT,                           -- YYYY-MM-DD, inclusive
  valid_to      TEXT,                           -- YYYY-MM-DD, inclusive
  status        TEXT NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'withdrawn')),
  version       INTEGER NOT NULL DEFAULT 1,     -- the owner's version; bumps on every change
  rev           INTEGER NOT NULL,               -- local change sequence, for "changed since"
  use_count     INTEGER NOT NULL DEFAULT 0,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE INDEX kb_articles_rev ON kb_articles (rev);
CREATE INDEX kb_articles_kind ON kb_articles (kind, status);

-- Title and body words (Intl.Segmenter, space-separated); rowid = kb_articles.id.
CREATE VIRTUAL TABLE kb_fts USING fts5(title, body, content='', contentless_delete=1, tokenize='unicode61');

-- Which article answered which ticket (usage counts and the citation shown on the ticket).
CREATE TABLE kb_uses (
  id             INTEGER PRIMARY KEY,
  article_id     INTEGER NOT NULL REFERENCES kb_articles (id),
  article_version INTEGER NOT NULL,
  ticket_number  TEXT NOT NULL,
  used_by        INTEGER,
  used_at        TEXT NOT NULL,
  UNIQUE (article_id, ticket_number)
);
CREATE INDEX kb_uses_ticket ON kb_uses (ticket_number);

-- Single-row counter behind kb_articles.rev.
CREATE TABLE kb_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO kb_meta (key, value) VALUES ('rev', 0), ('seeded', 0);

-- Every version of every knowledge-base article (知识库版本), so an answer that cited version N can be read as
-- it was, and editors can see what changed. Rows are only ever added: kb_articles holds the current version,
-- this table all of them including the current one. Existing articles start with their current version.
CREATE TABLE kb_article_versions (
  article_id  INTEGER NOT NULL REFERENCES kb_articles (id),
  version     INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  scope       TEXT NOT NULL,
  title       TEXT NOT NULL,
  body        TEXT NOT NULL,
  tags        TEXT NOT NULL,
  domain      TEXT,
  valid_from  TEXT,
  valid_to    TEXT,
  status      TEXT NOT NULL,
  changed_by  TEXT,                -- user name, or the region of the upstream box for a synced version
  changed_at  TEXT NOT NULL,
  PRIMARY KEY (article_id, version)
) WITHOUT ROWID;

INSERT INTO kb_article_versions (article_id, version, kind, scope, title, body, tags, domain, valid_from, valid_to, status, changed_by, changed_at)
  SELECT id, version, kind, scope, title, body, tags, domain, valid_from, valid_to, status, NULL, updated_at FROM kb_articles;

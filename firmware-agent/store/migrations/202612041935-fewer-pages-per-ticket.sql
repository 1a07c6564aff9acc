-- Fewer WAL pages per ticket create (issue 12 §7, issue 13 "Write stalls").
--
-- A create writes one leaf page of every B-tree it touches: the ticket row, its seven indexes, the audit
-- record and its index, the search index (a new FTS5 segment per transaction: its leaf, the structure
-- record, %_idx, %_docsize), the number sequence and the header page. Counted from the WAL frames of 200
-- creates on a 20k store (page numbers mapped to their B-trees through dbstat): 21.4 pages per create, of
-- which 3.0 were FTS5 "crisis merges" — with automatic merging off (202611281700), FTS5 still merges inside
-- the insert once a level holds `crisismerge` (16) segments, which also made the occasional create slow
-- (a crisis merge of a large level at 1M tickets). The maintenance step merges in bounded steps instead.
INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('crisismerge', 1000);
-- tickets_type (type, created_at) serves no query: the ticket list filters by type and orders by rowid,
-- the daily statistics select by created_at (tickets_created). One random-insert index less: 1.2 pages.
DROP INDEX IF EXISTS tickets_type;

-- Ticket search index: no automatic merging inside the committing transaction.
--
-- FTS5 merges its index segments as part of the INSERT that fills a level (automerge), so an unlucky
-- ticket create pays for a merge of thousands of pages. Measured by `npm run bench` at 1M tickets: create
-- p99 39.8 ms against 21.7 ms at 10k (ratio 1.83, up to 2.11 under load); with merging and WAL
-- checkpoints moved to store/maintenance.ts, 22.7 ms against 20.0 ms (ratio 1.13).
-- The box runs the merges in small steps on a timer; without it the index would keep every segment.
INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('automerge', 0);

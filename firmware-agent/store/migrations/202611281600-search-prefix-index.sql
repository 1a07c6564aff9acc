-- Ticket search: prefix indexes for one- and two-character prefixes.
--
-- matchExpression (search/segment.ts) matches every query word as a prefix ("拒载"*). Without a prefix
-- index FTS5 answers a prefix query by merging the whole doclist of every matching term into memory
-- before returning the first row, so ORDER BY rowid DESC LIMIT 20 cannot stop early. Measured by
-- `npm run bench` with 1M tickets: "拒载"* took 14-24 ms for the page and its capped count, a
-- one-character-word query such as 公交车 ("公"* AND "交"* AND "车"*, how the segmenter splits it) 190-450 ms.
-- With prefix='1 2' a prefix of one or two characters is read from its own index, incrementally, like a
-- plain term: both well under 1 ms. Chinese words from Intl.Segmenter are almost all one or two
-- characters; longer query words keep the old path (their doclists are short). Cost: the FTS data grows
-- about 2.5x (100 MB -> 250 MB at 1M tickets).
--
-- tickets_fts is contentless, so it is rebuilt from its own index: fts5vocab 'instance' lists every
-- token of every row with its position; the tokens, re-joined in order, are exactly the words that were
-- indexed (already segmented, lower-cased and folded), so nothing is segmented again.

CREATE VIRTUAL TABLE tickets_fts_tokens USING fts5vocab(tickets_fts, 'instance');
CREATE VIRTUAL TABLE tickets_fts_prefixed USING fts5(words, content='', contentless_delete=1, tokenize='unicode61', prefix='1 2');
INSERT INTO tickets_fts_prefixed (rowid, words)
  SELECT doc, group_concat(term, ' ' ORDER BY offset) FROM tickets_fts_tokens GROUP BY doc;
DROP TABLE tickets_fts_tokens;
DROP TABLE tickets_fts;
ALTER TABLE tickets_fts_prefixed RENAME TO tickets_fts;

// Chinese full-text search on SQLite FTS5. FTS5's trigram tokenizer needs three characters and most
// Chinese words have two (拒载, 绕路), so text is segmented into words with Intl.Segmenter and stored
// space-separated in a unicode61 FTS5 table; queries are segmented the same way and each word is
// matched as a prefix (出租 finds 出租车).

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/** Words of a text, lower-cased, punctuation and spaces dropped. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const s of segmenter.segment(text.normalize('NFKC'))) {
    if (s.isWordLike) out.push(s.segment.toLowerCase());
  }
  return out;
}

/** The document text to index. */
export function indexText(...parts: (string | null | undefined)[]): string {
  return words(parts.filter(Boolean).join('\n')).join(' ');
}

/**
 * An FTS5 MATCH expression requiring every word of the query (as a prefix), or null when the query has
 * no words. Words are quoted, so FTS5 operators typed by a user are plain text.
 */
export function matchExpression(query: string): string | null {
  const ws = [...new Set(words(query))].slice(0, 16);
  if (ws.length === 0) return null;
  return ws.map((w) => `"${w.replace(/"/g, '""')}"*`).join(' AND ');
}

// Chinese full-text search on SQLite FTS5 (tickets and the knowledge base). FTS5's trigram tokenizer needs three characters and most
// Chinese words have two (拒载, 绕路), so text is segmented into words with Intl.Segmenter and stored
// space-separated in a unicode61 FTS5 table; queries are segmented the same way and each word is
// matched as a prefix (出租 finds 出租车).

// Made on the first text, not at import: building it loads ICU's Chinese word dictionary (≈44 ms of every
// start, issue 11 §6), and a box starts without segmenting anything.
let made: Intl.Segmenter | undefined;
const segmenter = () => (made ??= new Intl.Segmenter('zh', { granularity: 'word' }));

/** Words of a text, lower-cased, punctuation and spaces dropped. */
export function words(text: string): string[] {
  const out: string[] = [];
  for (const s of segmenter().segment(text.normalize('NFKC'))) {
    if (s.isWordLike) out.push(s.segment.toLowerCase());
  }
  return out;
}

/** The document text to index. */
export function indexText(...parts: (string | null | undefined)[]): string {
  return words(parts.filter(Boolean).join('\n')).join(' ');
}

const singleHan = /^\p{Script=Han}$/u;

/**
 * An FTS5 MATCH expression requiring every word group of the query, or null when it has no words.
 * Intl.Segmenter splits words its dictionary lacks into single characters (网约车 → 网/约/车), the same
 * way in queries and in indexed text, so a run of single characters matches as a phrase of exact tokens
 * ("网 约 车": adjacent, in order) rather than each character as a prefix, which would match any text
 * with 网… and 约… anywhere — imprecise, and slow for common characters. Longer words match as
 * prefixes (出租 finds 出租车). Spaces and punctuation the user typed end a phrase. Tokens are quoted, so
 * FTS5 operators typed by a user are plain text.
 */
export function matchExpression(query: string): string | null {
  const groups: string[][] = [];
  let run: string[] | null = null;
  let n = 0;
  for (const seg of segmenter().segment(query.normalize('NFKC'))) {
    if (!seg.isWordLike) {
      run = null;
      continue;
    }
    if (++n > 24) break;
    const w = seg.segment.toLowerCase();
    if (singleHan.test(w)) {
      if (!run) groups.push((run = []));
      run.push(w);
    } else {
      run = null;
      groups.push([w]);
    }
  }
  if (groups.length === 0) return null;
  const q = (w: string) => w.replace(/"/g, '""');
  const parts = groups.map((g) => (g.length === 1 ? `"${q(g[0]!)}"*` : `"${g.map(q).join(' ')}"`));
  return [...new Set(parts)].join(' AND ');
}

// A pushed batch split into its envelopes' own bytes (issue 13, catch-up throughput).
//
// A push is `{"from":"<region>","messages":[<envelope>,<envelope>,…]}`, written by UpstreamClient.preparePush
// from the envelopes exactly as their origins serialised them. Parsing that body whole gives objects; the
// receiver then needs each envelope's text again three times (its origin leaf, its onward copy, the ticket
// snapshot it stores), and serialising it back cost a catch-up about a third of its time. So the body is
// cut at its envelopes' boundaries first, and each envelope is parsed from its own text: what is hashed,
// stored and passed on is then, by construction, the very text that was parsed.
//
// Only the exact shape preparePush writes is split (no whitespace, `from` first): anything else returns
// null and the body is parsed whole as before, so a sender that writes JSON differently still works.
//
// Two ways to find the cuts. First, the bytes between two signed envelopes: `]}},{"v":` (the end of one's
// `sig` path, its closing brace, the next one's first key), found by the native Buffer.indexOf. Those bytes
// could also occur inside an envelope (never inside a string: its quotes are bare), but then the text cut
// there is not a complete JSON object and does not parse, since an object's text has no proper prefix that is
// one. So when every cut text parses, the cuts are the envelopes' boundaries. When one does not, a scanner
// that follows strings and nesting byte by byte finds them.
const open = /^\{"from":"(\d{6})","messages":\[/;
const between = Buffer.from(']}},{"v":');
const quote = 0x22;
const backslash = 0x5c;

export interface SplitPush {
  from: string;
  /** Each envelope's JSON text, as received. */
  texts: string[];
  /** Each envelope's bytes, as received (views into the body). */
  bytes: Buffer[];
  /** Each envelope parsed from its own text. */
  messages: unknown[];
}

/** The end (exclusive) of the JSON string whose opening quote is at `at`, or -1. */
function stringEnd(raw: Buffer, at: number): number {
  let q = at;
  for (;;) {
    q = raw.indexOf(quote, q + 1);
    if (q < 0) return -1;
    let slashes = 0;
    while (raw[q - 1 - slashes] === backslash) slashes++;
    if (slashes % 2 === 0) return q + 1;
  }
}

/** The end (exclusive) of the JSON object starting at `at`, or -1 when it does not close. */
function objectEnd(raw: Buffer, at: number): number {
  let depth = 0;
  let p = at;
  while (p < raw.length) {
    const c = raw[p]!;
    if (c === quote) {
      p = stringEnd(raw, p);
      if (p < 0) return -1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return p + 1;
    }
    p++;
  }
  return -1;
}

/** Cuts at the bytes between two signed envelopes: [start, end) pairs, unchecked (see above). */
function cutBetween(raw: Buffer, from: number, to: number): number[] {
  const spans: number[] = [];
  let p = from;
  for (;;) {
    const q = raw.indexOf(between, p);
    if (q < 0 || q >= to) {
      spans.push(p, to);
      return spans;
    }
    spans.push(p, q + 3);
    p = q + 4;
  }
}

/** Cuts found by following strings and nesting: [start, end) pairs, or null when the array is malformed. */
function cutByScan(raw: Buffer, from: number, to: number): number[] | null {
  const spans: number[] = [];
  let p = from;
  for (;;) {
    if (raw[p] !== 0x7b) return null;
    const end = objectEnd(raw, p);
    if (end < 0 || end > to) return null;
    spans.push(p, end);
    if (end === to) return spans;
    if (raw[end] !== 0x2c) return null;
    p = end + 1;
  }
}

/** The envelopes at `spans`, each parsed from its own text; null when one does not parse. */
function parseSpans(raw: Buffer, spans: number[]): Pick<SplitPush, 'texts' | 'bytes' | 'messages'> | null {
  const texts: string[] = [];
  const bytes: Buffer[] = [];
  const messages: unknown[] = [];
  try {
    for (let i = 0; i < spans.length; i += 2) {
      const text = raw.toString('utf8', spans[i], spans[i + 1]);
      messages.push(JSON.parse(text));
      texts.push(text);
      bytes.push(raw.subarray(spans[i], spans[i + 1]));
    }
  } catch {
    return null;
  }
  return { texts, bytes, messages };
}

/**
 * Splits a pushed body (UTF-8 bytes, already known to be the ones signed) into its envelopes, or returns null
 * when it is not exactly in the shape preparePush writes, or an envelope does not parse on its own.
 */
export function splitPush(raw: Buffer): SplitPush | null {
  const m = open.exec(raw.toString('latin1', 0, 32));
  // The array's contents: after the opening, before the closing `]}`.
  const to = raw.length - 2;
  if (!m || raw[to] !== 0x5d || raw[to + 1] !== 0x7d || to < m[0].length) return null;
  const from = m[0].length;
  if (from === to) return { from: m[1]!, texts: [], bytes: [], messages: [] };
  if (raw[from] !== 0x7b) return null;
  let parsed = parseSpans(raw, cutBetween(raw, from, to));
  if (!parsed) {
    const spans = cutByScan(raw, from, to);
    parsed = spans && parseSpans(raw, spans);
  }
  return parsed && { from: m[1]!, ...parsed };
}

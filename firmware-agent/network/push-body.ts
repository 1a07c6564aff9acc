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
const open = /^\{"from":"(\d{6})","messages":\[/;
const quote = 0x22;
const backslash = 0x5c;

export interface SplitPush {
  from: string;
  /** Each envelope's JSON text, as received. */
  texts: string[];
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

/**
 * Splits a pushed body (UTF-8 bytes, already known to be the ones signed) into its envelopes, or returns null
 * when it is not exactly in the shape preparePush writes, or an envelope does not parse on its own.
 */
export function splitPush(raw: Buffer): SplitPush | null {
  const m = open.exec(raw.toString('latin1', 0, 32));
  if (!m) return null;
  const texts: string[] = [];
  let p = m[0].length;
  if (raw[p] === 0x5d) p++;
  else {
    for (;;) {
      if (raw[p] !== 0x7b) return null;
      const end = objectEnd(raw, p);
      if (end < 0) return null;
      texts.push(raw.toString('utf8', p, end));
      p = end;
      if (raw[p] === 0x2c) p++;
      else if (raw[p] === 0x5d) {
        p++;
        break;
      } else return null;
    }
  }
  if (raw[p] !== 0x7d || p + 1 !== raw.length) return null;
  const messages: unknown[] = [];
  try {
    for (const t of texts) messages.push(JSON.parse(t));
  } catch {
    return null;
  }
  return { from: m[1]!, texts, messages };
}

// One AT exchange as a small pure state machine (the zwave-js SerialAPICommandMachine pattern):
// `step(state, input)` returns the next state and the actions to perform; it touches no I/O and
// no clock, so every path is tested by feeding inputs.
//
//   idle ──start──▶ awaiting-prompt ──prompt──▶ awaiting-final ──final──▶ done
//        └─start (no body)──────────────────────▶ awaiting-final
//
// Final result codes: V.250 §5.7.2 (OK, ERROR, CONNECT, NO CARRIER, BUSY, NO ANSWER, NO DIALTONE),
// TS 27.007 §9.2 (+CME ERROR: <err>), TS 27.005 §3.2.5 (+CMS ERROR: <err>).

export interface ExchangeSpec {
  /** The command line without the terminating CR, e.g. `AT+CMGS=23`. */
  command: string;
  /** Text to send after the `> ` prompt, terminated with Ctrl-Z (TS 27.005 §3.5.1). */
  body?: string;
  /** Time allowed for the final result (and separately for the prompt), ms. */
  timeoutMs: number;
  /** Information-response prefixes that belong to this exchange (e.g. `+CREG:`), even if they look like URCs. */
  expect?: string[];
  /** Lines with no prefix belong to this exchange (PDU lines of +CMGR / +CMGL). */
  rawLines?: boolean;
  /** Free-text information lines belong to this exchange (ATI): any line that does not start with `+` and is not RING. */
  textLines?: boolean;
  /** ATD / ATA: CONNECT, NO CARRIER, BUSY, NO ANSWER, NO DIALTONE are final results, not URCs. */
  dial?: boolean;
}

export type AtFailure =
  | { kind: 'error' }
  | { kind: 'cme'; code: number | null; text: string }
  | { kind: 'cms'; code: number | null; text: string }
  | { kind: 'timeout'; phase: 'prompt' | 'final' }
  | { kind: 'closed' }
  | { kind: 'call'; result: 'no-carrier' | 'busy' | 'no-answer' | 'no-dialtone' };

export type AtResult =
  | { ok: true; lines: string[]; final: 'OK' | 'CONNECT' }
  | { ok: false; lines: string[]; failure: AtFailure };

export type ExchangeState =
  | { phase: 'idle' }
  | { phase: 'awaiting-prompt'; lines: string[] }
  | { phase: 'awaiting-final'; lines: string[] }
  | { phase: 'done'; result: AtResult };

export type ExchangeInput =
  | { type: 'start' }
  | { type: 'line'; text: string }
  | { type: 'prompt' }
  | { type: 'timeout' }
  | { type: 'closed' };

export type ExchangeAction =
  | { type: 'write'; data: string }
  | { type: 'arm-timer'; ms: number }
  | { type: 'settle'; result: AtResult };

export interface Step {
  state: ExchangeState;
  actions: ExchangeAction[];
}

const CTRL_Z = '\x1a';

function parseError(line: string, prefix: string): { code: number | null; text: string } {
  const text = line.slice(prefix.length).trim();
  return { code: /^\d+$/.test(text) ? Number(text) : null, text };
}

/** Classifies a line as a final result for this spec, or undefined. */
export function finalOf(spec: ExchangeSpec, line: string): { ok: true; final: 'OK' | 'CONNECT' } | { ok: false; failure: AtFailure } | undefined {
  const l = line.trim();
  if (l === 'OK') return { ok: true, final: 'OK' };
  if (l === 'ERROR') return { ok: false, failure: { kind: 'error' } };
  if (l.startsWith('+CME ERROR:')) return { ok: false, failure: { kind: 'cme', ...parseError(l, '+CME ERROR:') } };
  if (l.startsWith('+CMS ERROR:')) return { ok: false, failure: { kind: 'cms', ...parseError(l, '+CMS ERROR:') } };
  if (spec.dial) {
    if (l === 'CONNECT' || l.startsWith('CONNECT ')) return { ok: true, final: 'CONNECT' };
    const calls: Record<string, 'no-carrier' | 'busy' | 'no-answer' | 'no-dialtone'> = {
      'NO CARRIER': 'no-carrier',
      BUSY: 'busy',
      'NO ANSWER': 'no-answer',
      'NO DIALTONE': 'no-dialtone',
      'NO DIAL TONE': 'no-dialtone',
    };
    const r = calls[l];
    if (r) return { ok: false, failure: { kind: 'call', result: r } };
  }
  return undefined;
}

/**
 * Whether a line that arrived while this exchange runs belongs to it. Final results always do;
 * declared prefixes do; unprefixed lines do when the command returns raw lines; the echo of the
 * command (before ATE0 takes effect) is taken and dropped.
 */
export function owns(spec: ExchangeSpec, state: ExchangeState, line: string): boolean {
  if (state.phase !== 'awaiting-final' && state.phase !== 'awaiting-prompt') return false;
  if (finalOf(spec, line)) return true;
  if (line === spec.command) return true;
  if (spec.expect?.some((p) => line.startsWith(p))) return true;
  if (spec.rawLines && !/^[+A-Z ]+:/.test(line) && /^[0-9A-Fa-f]+$/.test(line)) return true;
  if (spec.textLines && !line.startsWith('+') && !/^(RING|NO CARRIER|BUSY|NO ANSWER|RDY)$/.test(line)) return true;
  return false;
}

export function step(spec: ExchangeSpec, state: ExchangeState, input: ExchangeInput): Step {
  if (state.phase === 'done') return { state, actions: [] };
  const settle = (result: AtResult): Step => ({ state: { phase: 'done', result }, actions: [{ type: 'settle', result }] });
  const lines = state.phase === 'idle' ? [] : state.lines;

  switch (input.type) {
    case 'start':
      if (state.phase !== 'idle') return { state, actions: [] };
      return {
        state: spec.body !== undefined ? { phase: 'awaiting-prompt', lines: [] } : { phase: 'awaiting-final', lines: [] },
        actions: [
          { type: 'write', data: `${spec.command}\r` },
          { type: 'arm-timer', ms: spec.timeoutMs },
        ],
      };
    case 'prompt':
      if (state.phase !== 'awaiting-prompt') return { state, actions: [] }; // a stray prompt: ignore
      return {
        state: { phase: 'awaiting-final', lines },
        actions: [
          { type: 'write', data: `${spec.body ?? ''}${CTRL_Z}` },
          { type: 'arm-timer', ms: spec.timeoutMs },
        ],
      };
    case 'line': {
      if (state.phase === 'idle') return { state, actions: [] };
      if (input.text === spec.command) return { state, actions: [] }; // echo
      const f = finalOf(spec, input.text);
      if (f) return settle(f.ok ? { ok: true, lines, final: f.final } : { ok: false, lines, failure: f.failure });
      return { state: { ...state, lines: [...lines, input.text] }, actions: [] };
    }
    case 'timeout': {
      if (state.phase === 'idle') return { state, actions: [] };
      const s = settle({ ok: false, lines, failure: { kind: 'timeout', phase: state.phase === 'awaiting-prompt' ? 'prompt' : 'final' } });
      // A module that shows its prompt late would take the next command line as message text;
      // <ESC> cancels the entry (TS 27.005 §3.5.1).
      if (state.phase === 'awaiting-prompt') s.actions.unshift({ type: 'write', data: '\x1b' });
      return s;
    }
    case 'closed':
      return settle({ ok: false, lines, failure: { kind: 'closed' } });
  }
}

export function describeFailure(f: AtFailure): string {
  switch (f.kind) {
    case 'error':
      return 'ERROR';
    case 'cme':
      return `+CME ERROR: ${f.text}`;
    case 'cms':
      return `+CMS ERROR: ${f.text}`;
    case 'timeout':
      return `no ${f.phase === 'prompt' ? 'prompt' : 'final result'} in time`;
    case 'closed':
      return 'port closed';
    case 'call':
      return f.result.toUpperCase().replace('-', ' ');
  }
}

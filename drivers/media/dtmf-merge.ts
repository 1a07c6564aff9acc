// Two DTMF detectors hear the same caller — a gateway's own (V.253 DLE digit events §7.3, a GSM module's URC)
// and the box's Goertzel receiver (drivers/media/dtmf.ts) on the received audio. A key press usually reaches both, a few
// tens of ms apart and in either order; sometimes only one (the box hears nothing while the modem plays a
// prompt in half duplex; a modem's detector may miss a short or twisted tone). Pure: times are passed in.
//
// Rule: a report of digit d from one source is the same press as the oldest *unpaired* report of d from the
// other source within `windowMs`; the pair is emitted once (at the first report). Each report pairs at most
// once, so a key pressed twice quickly ("11") is still two digits; pairing with the
// oldest keeps a detector that lags by more than one press from turning its late reports into new digits.

export type DtmfSource = 'module' | 'box';

interface Report {
  digit: string;
  at: number;
  paired: boolean;
}

export class DtmfMerger {
  #recent: Record<DtmfSource, Report[]> = { module: [], box: [] };
  constructor(private readonly windowMs = 300) {}

  /** Returns true when the digit is a new press (emit it), false when it repeats the other detector's. */
  report(source: DtmfSource, digit: string, at: number): boolean {
    const other = source === 'module' ? 'box' : 'module';
    for (const s of ['module', 'box'] as const) this.#recent[s] = this.#recent[s].filter((r) => at - r.at <= this.windowMs);
    const mine: Report = { digit, at, paired: false };
    this.#recent[source].push(mine);
    const theirs = this.#recent[other];
    for (const r of theirs) {
      if (r.digit === digit && !r.paired) {
        r.paired = true;
        mine.paired = true;
        return false;
      }
    }
    return true;
  }
}

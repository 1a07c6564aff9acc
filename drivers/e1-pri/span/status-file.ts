/**
 * The span worker's state for `edgebox probe` (../probe.ts), in `<dchannel>.status.json`: written at
 * most every 500 ms after a change, by temp file + rename so a reader never sees half a file.
 */
import fs from 'node:fs';
import type { ProbeInfo } from '../child/protocol.js';
import { statusPathOf } from '../probe.js';

const DEBOUNCE_MS = 500;

export class StatusFile {
  private timer: NodeJS.Timeout | undefined;
  private warned = false;
  private closed = false;
  private readonly file: string;

  constructor(dchannel: string, private readonly snapshot: () => ProbeInfo, private readonly warn: (msg: string) => void) {
    this.file = statusPathOf(dchannel);
  }

  dirty(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      try {
        const tmp = `${this.file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify({ ...this.snapshot(), updatedAt: new Date().toISOString() }));
        fs.renameSync(tmp, this.file);
      } catch (e) {
        // Once: a read-only status location must not flood the log on every call.
        if (!this.warned) this.warn(`status file (for edgebox probe): ${(e as Error).message}`);
        this.warned = true;
      }
    }, DEBOUNCE_MS);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    try {
      fs.unlinkSync(this.file);
    } catch {
      /* never written */
    }
  }
}

// A one-shot modem probe for provisioning and the self-test when no box holds the port: opens the serial
// device, asks the identification and network questions a technician asks first, and closes it again.
//   AT           does it answer at all            ATI        manufacturer, model, revision (V.250 §6.1.3)
//   AT+CGSN      IMEI (TS 27.007 §5.4)            AT+CPIN?   SIM state (§8.3)
//   AT+CSQ       signal (§8.5)                    AT+CREG?   registration (§7.2)
//   AT+COPS?     operator name (§7.3, format 0 = long alphanumeric)
// A command the firmware does not know answers ERROR; its figure is then null, not a failure of the probe.
// The probe never writes settings to the module (ATE0 only turns the echo off for this session).
import type { ByteTransport, TransportFactory } from '../../drivers/serial-at/transport.js';
import { parseAti, parseCgsn, parseCops } from '../../drivers/serial-at/responses.js';

export { parseCops };

export interface ModemProbe {
  port: string;
  /** The modem answered `AT` with OK. */
  answers: boolean;
  /** ATI lines joined with spaces; null when not answered. */
  model: string | null;
  imei: string | null;
  /** `READY`, `SIM PIN`, `SIM PUK`, or the error text (`SIM not inserted`); null when not answered. */
  sim: string | null;
  /** AT+CSQ rssi 0–31, 99 = not known; dBm = −113 + 2·rssi. */
  signal: { rssi: number; dbm: number | null } | null;
  /** +CREG stat: 1 home, 5 roaming are registered. */
  registration: { stat: number; state: string; registered: boolean } | null;
  operator: string | null;
  /** What went wrong when the port could not be opened or the modem did not answer. */
  error: string | null;
}

const cregStates: Record<number, string> = { 0: 'not-searching', 1: 'home', 2: 'searching', 3: 'denied', 4: 'unknown', 5: 'roaming' };

/** One command's answer: the information lines, and the final result (OK, ERROR, +CME ERROR: …). */
export interface AtAnswer {
  lines: string[];
  final: string;
}

/** A minimal line exchange on an open transport: one command at a time, a final result or a timeout. */
export class AtSession {
  #buf = '';
  #waiter: { resolve: (a: AtAnswer | null) => void; lines: string[]; cmd: string } | undefined;
  readonly #onData = (chunk: Buffer) => this.#feed(chunk.toString('latin1'));

  constructor(private readonly port: ByteTransport) {
    port.on('data', this.#onData);
  }

  #feed(text: string): void {
    this.#buf += text;
    let i: number;
    while ((i = this.#buf.search(/[\r\n]/)) >= 0) {
      const line = this.#buf.slice(0, i).trim();
      this.#buf = this.#buf.slice(i + 1);
      const w = this.#waiter;
      if (!line || !w) continue;
      if (line.toUpperCase() === w.cmd.toUpperCase()) continue; // echo
      if (/^(OK|ERROR|NO CARRIER|\+CME ERROR:.*|\+CMS ERROR:.*)$/.test(line)) {
        this.#waiter = undefined;
        w.resolve({ lines: w.lines, final: line });
      } else w.lines.push(line);
    }
  }

  /** Sends one command; resolves with its answer, or null when nothing final came within `timeoutMs`. */
  command(cmd: string, timeoutMs: number): Promise<AtAnswer | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        resolve(null);
      }, timeoutMs);
      this.#waiter = {
        cmd,
        lines: [],
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
      };
      this.port.write(`${cmd}\r`).catch(() => {
        clearTimeout(timer);
        this.#waiter = undefined;
        resolve(null);
      });
    });
  }

  close(): void {
    this.port.off('data', this.#onData);
  }
}

export function parseCsq(lines: string[]): ModemProbe['signal'] {
  const m = lines.map((l) => /^\+CSQ:\s*(\d+)\s*,\s*(\d+)/.exec(l)).find(Boolean);
  if (!m) return null;
  const rssi = Number(m[1]);
  return { rssi, dbm: rssi >= 0 && rssi <= 31 ? -113 + 2 * rssi : null };
}

export function parseCreg(lines: string[]): ModemProbe['registration'] {
  const m = lines.map((l) => /^\+CREG:\s*(?:\d+\s*,\s*)?(\d+)/.exec(l)).find(Boolean);
  if (!m) return null;
  const stat = Number(m[1]);
  return { stat, state: cregStates[stat] ?? `stat ${stat}`, registered: stat === 1 || stat === 5 };
}


export function parseCpin(a: AtAnswer | null): string | null {
  if (!a) return null;
  const ok = a.lines.map((l) => /^\+CPIN:\s*(.+)$/.exec(l)).find(Boolean);
  if (ok && a.final === 'OK') return ok[1]!.trim();
  const err = /^\+CME ERROR:\s*(.+)$/.exec(a.final);
  return err ? err[1]!.trim() : a.final;
}

/** Probes the modem behind `transport`; never throws (a failure is in `error`). */
export async function probeModem(transport: TransportFactory, opts: { timeoutMs?: number } = {}): Promise<ModemProbe> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const result: ModemProbe = { port: transport.describe.replace(/^\w+:/, ''), answers: false, model: null, imei: null, sim: null, signal: null, registration: null, operator: null, error: null };
  let port: ByteTransport;
  try {
    port = await transport.open();
  } catch (err) {
    result.error = `cannot open ${result.port}: ${(err as Error).message}`;
    return result;
  }
  const at = new AtSession(port);
  try {
    // A module mid-line (left in the SMS prompt, or by a half-sent command) gets ESC and a fresh line first.
    await port.write('\x1b\r').catch(() => undefined);
    let first: AtAnswer | null = null;
    for (let i = 0; i < 3 && first?.final !== 'OK'; i++) first = await at.command('AT', timeoutMs);
    if (first?.final !== 'OK') {
      result.error = first ? `AT answered ${first.final}` : `no answer to AT within ${timeoutMs} ms`;
      return result;
    }
    result.answers = true;
    await at.command('ATE0', timeoutMs);
    const ok = (a: AtAnswer | null) => (a?.final === 'OK' ? a.lines : null);
    const ati = ok(await at.command('ATI', timeoutMs));
    result.model = ati ? parseAti(ati) : null;
    const imei = ok(await at.command('AT+CGSN', timeoutMs));
    result.imei = imei ? parseCgsn(imei) : null;
    result.sim = parseCpin(await at.command('AT+CPIN?', timeoutMs));
    const csq = ok(await at.command('AT+CSQ', timeoutMs));
    result.signal = csq ? parseCsq(csq) : null;
    const creg = ok(await at.command('AT+CREG?', timeoutMs));
    result.registration = creg ? parseCreg(creg) : null;
    const cops = ok(await at.command('AT+COPS?', timeoutMs));
    result.operator = cops ? parseCops(cops) : null;
    return result;
  } catch (err) {
    result.error = (err as Error).message;
    return result;
  } finally {
    at.close();
    await port.close().catch(() => undefined);
  }
}

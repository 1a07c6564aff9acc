// The modem simulator on a real socat pty for provisioning and self-test tests, with the identification
// answers a real module gives (ATI, AT+CGSN, AT+COPS?) that drivers/serial-at's simulator does not know:
// the far end of the pty is wrapped so those three lines are answered here and every other byte goes to the
// simulator unchanged (split at CR, Ctrl-Z and ESC, the ends of an AT line or of a PDU body).
import { EventEmitter } from 'node:events';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimulatedModem } from '../../drivers/serial-at/simulator/modem-sim.js';
import { openPtyPair, type PtyPair } from '../../drivers/serial-at/simulator/pty.js';
import { serialPortTransport, type ByteTransport } from '../../drivers/serial-at/transport.js';
import { edgebox, root } from '../helpers/process.js';

export interface Identity {
  model: string;
  imei: string;
  operator: string;
}

class IdentifyingPort extends EventEmitter implements ByteTransport {
  #buf = '';
  constructor(
    private readonly inner: ByteTransport,
    private readonly id: Identity,
  ) {
    super();
    inner.on('data', (chunk) => this.#fromHost(chunk.toString('latin1')));
    inner.on('close', (err) => this.emit('close', err));
  }
  get path() {
    return this.inner.path;
  }
  get isOpen() {
    return this.inner.isOpen;
  }
  write(data: Uint8Array | string) {
    return this.inner.write(data);
  }
  close() {
    return this.inner.close();
  }
  #fromHost(text: string): void {
    this.#buf += text;
    let i: number;
    while ((i = this.#buf.search(/[\r\x1a\x1b]/)) >= 0) {
      const piece = this.#buf.slice(0, i + 1);
      this.#buf = this.#buf.slice(i + 1);
      const line = piece.trim().toUpperCase();
      const answer = line === 'ATI' ? this.id.model : line === 'AT+CGSN' ? this.id.imei : line === 'AT+COPS?' ? `+COPS: 0,0,"${this.id.operator}",7` : null;
      if (answer !== null) void this.inner.write(`\r\n${answer}\r\n\r\nOK\r\n`);
      else this.emit('data', Buffer.from(piece, 'latin1'));
    }
  }
}

export interface ModemRig {
  sim: SimulatedModem;
  /** The host end (a stable symlink), what the box opens. */
  serial: string;
  dir: string;
  close(): Promise<void>;
}

export async function modemRig(id: Identity): Promise<ModemRig> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provision-'));
  const serial = path.join(dir, 'ttyGSM0');
  const pair: PtyPair = await openPtyPair({ hostLink: serial });
  const port = await serialPortTransport({ path: pair.device }).open();
  const sim = new SimulatedModem();
  sim.attach(new IdentifyingPort(port, id));
  return {
    sim,
    serial,
    dir,
    async close() {
      await port.close().catch(() => undefined);
      await pair.close();
    },
  };
}

/** Runs the CLI as a process without blocking this one (the simulator answers from this event loop). */
export function cli(args: string[], o: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [edgebox, ...args], { cwd: root, env: { ...process.env, ...o.env }, timeout: 180_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(o.input ?? '');
  });
}

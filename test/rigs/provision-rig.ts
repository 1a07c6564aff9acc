// The modem simulator on a real socat pty for provisioning and self-test tests, answering ATI, AT+CGSN and
// AT+COPS? with the identification given here (drivers/serial-at/simulator: model, imei, operator).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SimulatedModem } from '../../drivers/serial-at/simulator/modem-sim.js';
import { openPtyPair, type PtyPair } from '../../drivers/serial-at/simulator/pty.js';
import { serialPortTransport } from '../../drivers/serial-at/transport.js';
import { edgebox, root } from '../helpers/process.js';

export interface Identity {
  model: string;
  imei: string;
  operator: string;
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
  const sim = new SimulatedModem(id);
  sim.attach(port);
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

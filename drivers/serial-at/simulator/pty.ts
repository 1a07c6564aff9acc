// A real pty pair from socat (`socat -d -d pty,raw,echo=0 pty,raw,echo=0`), so the driver is
// tested on a real serial device node. socat prints "N PTY is /dev/pts/X" on stderr for each end.
// `hostLink` makes socat keep a stable symlink to the host end: a re-created pair (the device
// "coming back") appears at the same path, as a re-plugged USB modem does under a udev rule.
import { spawn, type ChildProcess } from 'node:child_process';
import { SerialAtError, SerialAtErrorCodes } from '../errors.js';

export interface PtyPair {
  /** The end the driver opens (the symlink when `hostLink` was given). */
  host: string;
  /** The end the simulated modem drives. */
  device: string;
  readonly process: ChildProcess;
  /** Kills socat (both ends vanish) and waits for it to exit. */
  close(): Promise<void>;
}

export function openPtyPair(opts: { hostLink?: string; socat?: string; timeoutMs?: number } = {}): Promise<PtyPair> {
  const hostSpec = `pty,raw,echo=0${opts.hostLink ? `,link=${opts.hostLink}` : ''}`;
  const child = spawn(opts.socat ?? 'socat', ['-d', '-d', hostSpec, 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const ptys: string[] = [];
    let stderr = '';
    const timer = setTimeout(() => fail(new Error('socat did not report two ptys in time')), opts.timeoutMs ?? 5000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new SerialAtError(SerialAtErrorCodes.OpenFailed, `socat: ${err.message}`, { stderr }, { cause: err }));
    };
    child.once('error', fail);
    child.once('exit', (code) => {
      if (ptys.length < 2) fail(new Error(`exited with ${code}`));
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      for (const m of chunk.matchAll(/PTY is (\S+)/g)) ptys.push(m[1]!);
      if (ptys.length >= 2 && /starting data transfer loop/.test(stderr)) {
        clearTimeout(timer);
        child.stderr!.removeAllListeners('data');
        child.stderr!.resume();
        resolve({
          host: opts.hostLink ?? ptys[0]!,
          device: ptys[1]!,
          process: child,
          close: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
  });
}

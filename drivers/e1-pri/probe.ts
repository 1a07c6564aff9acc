/**
 * `edgebox probe` for the E1 card: libpri version, D-channel state and B-channels in use.
 *
 * The running box's span worker publishes its state in `<dchannel>.status.json` (written by
 * temp file + rename at most twice a second), so the probe never has to connect to the
 * D-channel socket — a second connection would replace the exchange's. libpri's version comes
 * from loading the library in a short-lived child process, so a broken install cannot crash the CLI.
 */
import fs from 'node:fs';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ProbeInfo } from './child/protocol.js';

export interface E1ProbeResult {
  libpri: { loaded: boolean; version?: string; error?: string };
  dchannelPath: string;
  transport: 'socket' | 'device';
  /** What the running box reported, or null when no box is running on this D-channel. */
  box: (ProbeInfo & { updatedAt: string; stale: boolean }) | null;
  device?: { exists: boolean };
}

/**
 * Where the running box leaves the span status for `edgebox probe`: beside a socket D-channel, or for a device
 * in the box's runtime directory — /run/edgebox, which the systemd unit creates and may write
 * (RuntimeDirectory=edgebox; the rest of /run is read-only in its sandbox) — else /run.
 */
export function statusPathOf(dchannel: string): string {
  if (!dchannel.startsWith('/dev/')) return `${dchannel}.status.json`;
  const dir = fs.existsSync('/run/edgebox') ? '/run/edgebox' : '/run';
  return `${dir}/edgebox-e1-${dchannel.replace(/[^\w]+/g, '_')}.status.json`;
}

// Built (dist/, .js) the version script is the built .js; from the sources (tsx) it is the .ts, run through tsx.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const VERSION_SCRIPT = fileURLToPath(new URL(FROM_SOURCE ? './binding/print-version.ts' : './binding/print-version.js', import.meta.url));

export function libpriVersionIsolated(timeoutMs = 10_000): Promise<E1ProbeResult['libpri']> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...(FROM_SOURCE ? ['--import', import.meta.resolve('tsx')] : []), VERSION_SCRIPT], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) resolve({ loaded: false, error: (stderr || err.message).trim().split('\n').slice(-1)[0] ?? err.message });
      else resolve({ loaded: true, version: stdout.trim() });
    });
  });
}

export async function probeE1(dchannel: string, now = Date.now()): Promise<E1ProbeResult> {
  const device = dchannel.startsWith('/dev/');
  const result: E1ProbeResult = {
    libpri: await libpriVersionIsolated(),
    dchannelPath: dchannel,
    transport: device ? 'device' : 'socket',
    box: null,
  };
  if (device) result.device = { exists: fs.existsSync(dchannel) };
  try {
    const s = JSON.parse(fs.readFileSync(statusPathOf(dchannel), 'utf8')) as ProbeInfo & { updatedAt: string };
    let alive = true;
    try {
      process.kill(s.pid, 0);
    } catch {
      alive = false;
    }
    result.box = { ...s, stale: !alive || now - Date.parse(s.updatedAt) > 24 * 3600_000 };
  } catch {
    result.box = null;
  }
  return result;
}

export function formatProbe(r: E1ProbeResult): string {
  const lines = [
    `libpri      ${r.libpri.loaded ? r.libpri.version : `NOT LOADED (${r.libpri.error})`}`,
    `D-channel   ${r.dchannelPath} (${r.transport}${r.device ? (r.device.exists ? ', present' : ', MISSING') : ''})`,
  ];
  if (!r.box) lines.push('state       no box running on this span');
  else {
    lines.push(`state       ${r.box.dchannel}${r.box.stale ? ' (stale: the worker is gone)' : ''} — ${r.box.side}, ${r.box.switchType}, worker pid ${r.box.pid}`);
    lines.push(`B-channels  ${r.box.channelsInUse.length}/${r.box.channelsInService.length} in use${r.box.channelsInUse.length ? `: ${r.box.channelsInUse.join(',')}` : ''}`);
    const viaDahdi = r.box.bchannels === 'dahdi';
    lines.push(`media       ${viaDahdi ? 'DAHDI channels' : 'audio socket'}, ${r.box.mediaConnected ? (viaDahdi ? 'open' : 'connected') : (viaDahdi ? 'NOT all open' : 'not connected')}`);
    if (r.box.alarms && r.box.alarms !== 'none') lines.push(`alarms      ${r.box.alarms}`);
    lines.push(`updated     ${r.box.updatedAt}`);
  }
  return lines.join('\n');
}

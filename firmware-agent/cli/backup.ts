// `edgebox backup [--to DIR] [--json] [--data DIR]`: a consistent online backup into one file with a
// manifest (jobs/backup.ts), as the nightly job takes it: through the running box's control socket when a
// box runs on the data directory, else directly on the store.
// `edgebox restore FILE [--no-start] [--json] [--data DIR]`: checks the backup (manifest, every file's
// SHA-256, and that this build knows all its migrations — a backup of a newer build is refused), stops the
// box that runs on the data directory (its systemd unit, or the process holding the store), keeps the
// current store and settings aside in <data>/restore-aside-<time>/, writes the backup's files, opens the
// store once (migrating an older backup, with the usual pre-migration copy; quick_check), and starts the
// box again the way it ran. Onto an empty data directory it does the same, with nothing to stop or keep.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BackupError, backupNow, extractBackup, settingsFiles, verifyBackup } from '../jobs/backup.js';
import { askBox } from '../jobs/control.js';
import { dataDirOf } from './main.js';

export async function backupCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { data: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true });
  const dataDir = dataDirOf(values);
  const to = values.to ? path.resolve(values.to) : undefined;
  const asked = await askBox(dataDir, 'POST', '/backup', to ? { to } : {});
  let out: { file: string; bytes: number; manifest: { counts: Record<string, number>; migrations: string[]; version: string }; usb?: string };
  if (asked) {
    if (asked.status !== 200) throw new Error(`the running box could not take the backup: ${(asked.body as { error?: { message?: string } }).error?.message ?? asked.status}`);
    out = asked.body as typeof out;
  } else {
    const { openConfig } = await import('../config/store.js');
    const { openDb } = await import('../store/db.js');
    const cfg = (await openConfig(dataDir)).current();
    const db = openDb({ file: path.join(dataDir, 'edgebox.sqlite') });
    try {
      const { backupDirOf } = await import('../jobs/install.js');
      const r = await backupNow({ db, dataDir, dir: to ?? backupDirOf(dataDir), keep: cfg.jobs.backup.keep, at: new Date(), box: { role: cfg.box.role, region: cfg.box.region, name: cfg.box.name } });
      out = { file: r.file, bytes: r.bytes, manifest: r.manifest };
      if (cfg.jobs.backup.usbDir) {
        const { copyBackup } = await import('../jobs/backup.js');
        out.usb = copyBackup(r.file, cfg.jobs.backup.usbDir, cfg.jobs.backup.keep).file;
      }
    } finally {
      db.close();
    }
  }
  if (values.json) process.stdout.write(`${JSON.stringify(out)}\n`);
  else
    process.stdout.write(
      `backup written: ${out.file} (${out.bytes} bytes; version ${out.manifest.version}, ${out.manifest.migrations.length} migrations; ` +
        `${Object.entries(out.manifest.counts).map(([k, v]) => `${k} ${v}`).join(', ')})${out.usb ? `\ncopied to ${out.usb}` : ''}\n`,
    );
  return 0;
}

interface Holder {
  pid: number;
  unit: string | null;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

/** The process (other than this one) that has the data directory's store open, if any. */
export function storeHolder(dataDir: string): Holder | null {
  const store = path.join(fs.realpathSync(dataDir), 'edgebox.sqlite');
  for (const p of fs.readdirSync('/proc')) {
    const pid = Number(p);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    const holds = fds.some((fd) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === store;
      } catch {
        return false;
      }
    });
    if (!holds) continue;
    const read = (f: string) => fs.readFileSync(`/proc/${pid}/${f}`, 'utf8');
    const unit = /\/([^/]+\.service)$/m.exec(read('cgroup'))?.[1] ?? null;
    const env = Object.fromEntries(
      read('environ')
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    return { pid, unit: unit && unit !== 'init.scope' && !unit.startsWith('user@') ? unit : null, argv: read('cmdline').split('\0').filter(Boolean), cwd: fs.readlinkSync(`/proc/${pid}/cwd`), env };
  }
  return null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a process runs (a zombie — exited, not yet reaped by its parent — does not). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function stopHolder(h: Holder): Promise<void> {
  if (h.unit) {
    execFileSync('systemctl', ['stop', h.unit], { stdio: 'inherit' });
    return;
  }
  process.kill(h.pid, 'SIGTERM');
  // The box closes its store on SIGTERM; a box that does not stop in 30 s is not restored under.
  for (let i = 0; i < 300; i++) {
    if (!alive(h.pid)) return;
    await sleep(100);
  }
  throw new Error(`the box (pid ${h.pid}) did not stop within 30 s; nothing was restored`);
}

function startHolder(h: Holder): string {
  if (h.unit) {
    execFileSync('systemctl', ['start', h.unit], { stdio: 'inherit' });
    return `systemctl start ${h.unit}`;
  }
  const [cmd, ...args] = h.argv;
  const child = spawn(cmd!, args, { cwd: h.cwd, env: h.env, detached: true, stdio: 'ignore' });
  child.unref();
  return `${h.argv.join(' ')} (pid ${child.pid})`;
}

export async function restoreCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { data: { type: 'string' }, json: { type: 'boolean', default: false }, 'no-start': { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  const file = positionals[0];
  if (!file) throw new Error('usage: edgebox restore FILE [--data DIR] [--no-start]');
  const dataDir = dataDirOf(values);
  let verified;
  try {
    verified = verifyBackup(path.resolve(file));
  } catch (err) {
    if (err instanceof BackupError) {
      process.stderr.write(`edgebox restore: refused (${err.code}): ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const holder = storeHolder(dataDir);
  if (holder) {
    process.stderr.write(`stopping the box on ${dataDir} (${holder.unit ?? `pid ${holder.pid}`})…\n`);
    await stopHolder(holder);
  }
  // Keep the current store (with its WAL) and settings aside; nothing is deleted.
  const present = ['edgebox.sqlite', 'edgebox.sqlite-wal', 'edgebox.sqlite-shm', ...settingsFiles].filter((f) => fs.existsSync(path.join(dataDir, f)));
  let aside: string | null = null;
  if (present.length > 0) {
    aside = path.join(dataDir, `restore-aside-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}`);
    fs.mkdirSync(aside, { mode: 0o700 });
    for (const f of present) fs.renameSync(path.join(dataDir, f), path.join(aside, f));
  }
  try {
    extractBackup(path.resolve(file), dataDir);
    const { openDb } = await import('../store/db.js');
    const db = openDb({ file: path.join(dataDir, 'edgebox.sqlite') });
    try {
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the restored store fails quick_check: ${String(check)}`);
    } finally {
      db.close();
    }
  } catch (err) {
    // Put the kept store back: a failed restore leaves the box as it was.
    if (aside) {
      for (const f of ['edgebox.sqlite', 'edgebox.sqlite-wal', 'edgebox.sqlite-shm', ...settingsFiles]) fs.rmSync(path.join(dataDir, f), { force: true });
      for (const f of present) fs.renameSync(path.join(aside, f), path.join(dataDir, f));
      fs.rmdirSync(aside);
    }
    if (holder && !values['no-start']) startHolder(holder);
    throw err;
  }
  const started = holder && !values['no-start'] ? startHolder(holder) : null;
  const m = verified.manifest;
  if (values.json) process.stdout.write(`${JSON.stringify({ restored: path.resolve(file), dataDir, manifest: m, keptAside: aside, started })}\n`);
  else
    process.stdout.write(
      `restored ${file} (made ${m.createdAt} by version ${m.version}; ${Object.entries(m.counts).map(([k, v]) => `${k} ${v}`).join(', ')}) into ${dataDir}\n` +
        (aside ? `the previous store and settings are kept in ${aside}\n` : '') +
        (started ? `started again: ${started}\n` : holder ? 'not started (--no-start)\n' : ''),
    );
  return 0;
}

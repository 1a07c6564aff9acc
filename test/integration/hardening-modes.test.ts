// Issue 13 finding 8: the store (holding the Ed25519 private key), backups and recordings were created 0644
// inside a directory the box may not have created. The box runs with umask 077 and, at start, takes away
// what group and others were given in a data directory made by hand or by an older build.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startTestBox } from '../helpers/box.js';
import { waitFor } from '../helpers/wait.js';

const mode = (p: string) => fs.statSync(p).mode & 0o777;

t.test('a data directory made world-readable is locked down at start, and what the box writes is private', async (t) => {
  const umask = process.umask();
  t.teardown(() => void process.umask(umask));
  process.umask(0o022); // what a technician's shell and an older build had
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modes-'));
  fs.chmodSync(dir, 0o755);
  fs.mkdirSync(path.join(dir, 'recordings', '2026'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'recordings', '2026', 'call-old.wav'), 'RIFF');
  fs.writeFileSync(path.join(dir, 'edgebox.sqlite'), '');
  fs.chmodSync(path.join(dir, 'edgebox.sqlite'), 0o644);
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'left by a technician');
  fs.symlinkSync('/etc/hostname', path.join(dir, 'a-link'));
  const hostnameMode = mode('/etc/hostname');

  const tb = await startTestBox({ dataDir: dir });
  t.teardown(() => tb.close());
  t.equal(mode(dir) & 0o007, 0, 'the data directory: nothing for others');
  for (const f of ['edgebox.sqlite', 'config.json', 'initial-admin-password', 'notes.txt']) {
    t.equal(mode(path.join(dir, f)) & 0o077, 0, `${f}: owner only`);
  }
  t.equal(mode('/etc/hostname'), hostnameMode, 'a symlink is not followed out of the data directory');

  // Deeper trees are fixed in the background: wait for the old recording to lose its group and other bits.
  const old = path.join(dir, 'recordings', '2026', 'call-old.wav');
  await waitFor('the old recording is owner-only', () => (mode(old) & 0o077) === 0);
  t.pass('an old recording: owner only');

  fs.writeFileSync(path.join(dir, 'recordings', 'new.wav'), 'RIFF');
  t.equal(mode(path.join(dir, 'recordings', 'new.wav')) & 0o077, 0, 'a file written now is private (umask 077)');
});

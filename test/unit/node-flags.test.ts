// The box's node flags (issue 11: idle RSS) live in the systemd unit's ExecStart; `npm start` and the boot
// bench must start node the same way, or the bench measures a box nobody runs.
import fs from 'node:fs';
import t from 'tap';
import { unitNodeFlags } from '../bench/boot.js';

const read = (p: string) => fs.readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');

t.test('npm start and the unit give node the same flags', async (t) => {
  const unitFlags = unitNodeFlags(read('packaging/edgebox.service'));
  t.ok(unitFlags.includes('--max-semi-space-size=2'), `the unit caps the young generation: ${unitFlags.join(' ')}`);
  const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start!.split(/\s+/);
  t.same(start.slice(1, start.indexOf('bin/edgebox.js')), unitFlags, `npm start: ${start.join(' ')}`);
});

t.test('the flags are read from ExecStart whatever the paths', async (t) => {
  t.same(unitNodeFlags('[Service]\nExecStart=/usr/bin/node --a=1 --b /x/bin/edgebox.js start $ARGS\n'), ['--a=1', '--b']);
  t.same(unitNodeFlags('ExecStart=/opt/edgebox/node/bin/node /opt/edgebox/bin/edgebox.js start'), []);
  t.throws(() => unitNodeFlags('ExecStart=/bin/true'), /no "node … bin\/edgebox.js"/);
});

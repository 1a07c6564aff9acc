// `npm run test:package` (root; run by .ci/run after `npm test`): the box as a technician gets it. The built
// .deb goes into a freshly bootstrapped Debian 12 root (test/package/debian-root.sh); the packaged box is
// started there as the systemd unit would start it (its User, groups, Environment, EnvironmentFile,
// WorkingDirectory, UMask and ExecStart, read from the installed unit), serves /healthz and takes a ticket;
// a second package with a higher version and one more migration upgrades it and finds the ticket, the
// accounts and the backup taken before migrating; the older package is then refused by the store; remove
// keeps data and settings, purge deletes them. Last, `npm test`'s own install step in a root lacking a
// package. Each command in the root runs in its own mount namespace (proc and dev mounted there only).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { complaint } from '../helpers/box.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const version = (JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string }).version;
const nextVersion = `${version}+pkgtest1`;
const extraMigration = '299912310000-package-test.sql';

if (process.getuid?.() !== 0) {
  console.error('test:package needs root (debootstrap, dpkg in a chroot)');
  process.exit(1);
}

// Building two packages and a root takes minutes on a loaded machine; each step below has its own bound.
t.setTimeout(45 * 60_000);
const work = fs.mkdtempSync('/var/tmp/edgebox-pkgtest-');
const R = path.join(work, 'root');
t.teardown(() => fs.rmSync(work, { recursive: true, force: true }));

const enter = 'mount -t proc proc "$0/proc" && mount --rbind /dev "$0/dev" && exec chroot "$0" "$@"';
/** argv that runs `cmd` inside the root, in a private mount namespace. */
const inRoot = (cmd: string[], chrootOpts: string[] = []) => ['unshare', ['-m', '--propagation', 'private', 'sh', '-c', enter.replace('chroot "$0"', `chroot ${chrootOpts.join(' ')} "$0"`), R, ...cmd]] as const;

function sh(cmd: string[], opts: { input?: string; chroot?: string[]; allowFail?: boolean } = {}): { code: number; out: string } {
  const [bin, args] = inRoot(cmd, opts.chroot);
  const r = spawnSync(bin, args, { input: opts.input, encoding: 'utf8', env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', DEBIAN_FRONTEND: 'noninteractive' }, timeout: 600_000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${cmd.join(' ')} exited ${r.status}:\n${out}`);
  return { code: r.status ?? 1, out };
}

function host(cmd: string, args: string[], cwd = repo): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 1_200_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return r.stdout;
}

interface Unit {
  user: string;
  group: string;
  groups: string[];
  env: Record<string, string>;
  envFiles: string[];
  cwd: string;
  umask: string;
  execStart: string;
}

/** The [Service] settings that decide how the box process runs. */
function readUnit(file: string): Unit {
  const u: Unit = { user: 'root', group: 'root', groups: [], env: {}, envFiles: [], cwd: '/', umask: '0022', execStart: '' };
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^(\w+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'User') u.user = value;
    else if (key === 'Group') u.group = value;
    else if (key === 'SupplementaryGroups') u.groups.push(...value.split(/\s+/));
    else if (key === 'Environment') for (const [, k, v] of value.matchAll(/(\w+)=("[^"]*"|\S+)/g)) u.env[k!] = v!.replace(/^"|"$/g, '');
    else if (key === 'EnvironmentFile') u.envFiles.push(value.replace(/^-/, ''));
    else if (key === 'WorkingDirectory') u.cwd = value;
    else if (key === 'UMask') u.umask = value;
    else if (key === 'ExecStart') u.execStart = value;
  }
  return u;
}

function readEnvFile(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  if (!fs.existsSync(file)) return env;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*(\w+)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!.trim().replace(/^"(.*)"$/, '$1');
  }
  return env;
}

interface RunningBox {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; output: string }>;
}

/** Starts the packaged box in the root as its systemd unit would, and resolves when it listens. */
function startAsUnit(): Promise<RunningBox> {
  const unit = readUnit(path.join(R, 'lib/systemd/system/edgebox.service'));
  const env: Record<string, string> = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', ...unit.env };
  for (const f of unit.envFiles) Object.assign(env, readEnvFile(path.join(R, f)));
  // systemd splits an unbraced $VAR into words.
  const argv = unit.execStart.split(/\s+/).flatMap((w) => (/^\$\w+$/.test(w) ? (env[w.slice(1)] ?? '').split(/\s+/).filter(Boolean) : [w]));
  const script = `umask ${unit.umask} && cd ${unit.cwd} && exec "$@"`;
  const [bin, args] = inRoot(['/usr/bin/env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'sh', '-c', script, 'edgebox', ...argv], [
    `--userspec=${unit.user}:${unit.group}`,
    `--groups=${unit.groups.join(',')}`,
  ]);
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<{ code: number | null; output: string }>((resolve) => child.on('exit', (code) => resolve({ code, output })));
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (m) resolve({ child, url: m[1]!, exited });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then(({ code }) => reject(new Error(`the packaged box exited (${code}) before listening:\n${output}`)));
  });
}

async function api(base: string, method: string, url: string, body?: unknown, cookie?: string): Promise<{ status: number; json: any; cookie?: string }> {
  const res = await fetch(base + url, {
    method,
    headers: { ...(cookie ? { cookie } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const set = res.headers.get('set-cookie');
  return { status: res.status, json: text ? JSON.parse(text) : null, ...(set ? { cookie: set.split(';')[0]! } : {}) };
}

async function login(base: string, username: string, password: string): Promise<string> {
  const r = await api(base, 'POST', '/api/session', { username, password });
  if (r.status !== 200 || !r.cookie) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.cookie;
}

async function stop(box: RunningBox): Promise<number | null> {
  box.child.kill('SIGTERM');
  return (await box.exited).code;
}

let debV1 = '';
let debV2 = '';
const state: { ticket?: string; adminPassword?: string } = {};

t.before(async () => {
  // The two packages: this build, and the same build with a higher version and one more migration.
  debV1 = host('bash', ['packaging/build-deb.sh', '--out', path.join(work, 'v1')]).trim().split('\n').at(-1)!;
  const mig = path.join(work, extraMigration);
  fs.writeFileSync(mig, '-- the package test\'s upgrade: one more migration\nCREATE TABLE package_test_upgrade (id INTEGER PRIMARY KEY, note TEXT);\n');
  debV2 = host('bash', ['packaging/build-deb.sh', '--no-build', '--version', nextVersion, '--extra-migration', mig, '--out', path.join(work, 'v2')]).trim().split('\n').at(-1)!;
  host('bash', [path.join(repo, 'test/package/debian-root.sh'), R]);
  fs.mkdirSync(path.join(R, 'srv/debs'), { recursive: true });
  fs.copyFileSync(debV1, path.join(R, 'srv/debs/v1.deb'));
  fs.copyFileSync(debV2, path.join(R, 'srv/debs/v2.deb'));
});

t.test('a fresh clone: `npm install && npm start` serve the box with libpri, sox, espeak-ng, socat and chromium absent', async (t) => {
  const clone = path.join(work, 'clone');
  host('git', ['clone', '--quiet', '--no-hardlinks', repo, clone]);
  // Hidden in a private mount namespace (the rest of the machine still has them): /dev/null over each.
  const hidden = ['/usr/lib/libpri.so.1.4', '/usr/bin/sox', '/usr/bin/espeak-ng', '/usr/bin/socat', '/usr/bin/chromium'].filter((f) => fs.existsSync(f));
  const script = [
    ...hidden.map((f) => `mount --bind /dev/null ${f}`),
    'npm install --no-audit --no-fund --loglevel=error >&2',
    'exec npm start --silent -- --port 0 --data "$0/data"',
  ].join(' && ');
  // Its own process group: npm start's shell and the box below it are stopped together.
  const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, clone], { cwd: clone, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (m) resolve(m[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`npm install && npm start exited ${code}:\n${output}`)));
  });
  const health = await api(url, 'GET', '/healthz');
  t.equal(health.status, 200);
  t.equal(health.json.status, 'ok');
  t.ok(fs.existsSync(path.join(clone, 'dist/firmware-agent/cli/main.js')), 'npm install built the box once');
  // npm start runs node bin/edgebox.js in a shell below npm: SIGTERM to the whole group, as a terminal's ^C.
  const boxExited = new Promise<void>((resolve) => child.stdout.once('close', () => resolve()));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
  await boxExited;
});

t.test('the package installs into a fresh Debian root: user, directories, command, unit, udev rule', async (t) => {
  t.match(path.basename(debV1), new RegExp(`^edgebox_${version.replace(/\./g, '\\.')}_[a-z0-9]+\\.deb$`), 'named edgebox_<version>_<arch>.deb');
  t.notOk(fs.existsSync(path.join(R, 'usr/bin/node')), 'the root has no Node of its own');
  sh(['dpkg', '-i', '/srv/debs/v1.deb']);
  sh(['touch', '/srv/debs/installed']);
  t.match(sh(['id', '-nG', 'edgebox']).out, /\bedgebox\b.*\bdialout\b|\bdialout\b.*\bedgebox\b/, 'system user edgebox in group dialout');
  t.match(sh(['getent', 'passwd', 'edgebox']).out, /:\/var\/lib\/edgebox:\/usr\/sbin\/nologin/);
  t.match(sh(['stat', '-c', '%U:%G %a', '/var/lib/edgebox']).out, /^edgebox:edgebox 750/, 'data directory');
  t.ok(fs.existsSync(path.join(R, 'etc/edgebox/edgebox.env')), 'settings in /etc/edgebox');
  t.ok(fs.existsSync(path.join(R, 'opt/edgebox/node/bin/node')), 'the Node runtime travels with the package');
  t.match(sh(['/opt/edgebox/node/bin/node', '--version']).out, new RegExp(`^v${process.versions.node}`));
  t.notOk(fs.existsSync(path.join(R, 'opt/edgebox/node_modules/tsx')), 'no tsx in the package');
  t.notOk(fs.existsSync(path.join(R, 'opt/edgebox/node_modules/vite')), 'no vite in the package');
  t.ok(fs.existsSync(path.join(R, 'opt/edgebox/node_modules/koffi')), 'optional-dependency binaries kept');
  t.equal(fs.readlinkSync(path.join(R, 'etc/systemd/system/multi-user.target.wants/edgebox.service')), '/lib/systemd/system/edgebox.service', 'the unit is enabled');
  t.ok(fs.existsSync(path.join(R, 'lib/udev/rules.d/60-edgebox.rules')));
  t.match(sh(['edgebox', 'help'], { allowFail: true }).out, /usage: edgebox/, 'edgebox is on PATH');
});

t.test('systemd-analyze verify accepts the installed unit', async (t) => {
  const r = spawnSync('systemd-analyze', ['verify', `--root=${R}`, path.join(R, 'lib/systemd/system/edgebox.service')], { encoding: 'utf8' });
  t.equal(r.status, 0, `systemd-analyze verify: ${r.stdout}${r.stderr}`);
  t.equal(`${r.stdout}${r.stderr}`.trim(), '', 'with no warnings');
});

t.test('the packaged box starts as the unit starts it, serves /healthz and takes a ticket', async (t) => {
  fs.appendFileSync(path.join(R, 'etc/edgebox/edgebox.env'), 'EDGEBOX_ARGS="--port 0"\n');
  const box = await startAsUnit();
  const health = await api(box.url, 'GET', '/healthz');
  t.equal(health.status, 200);
  t.equal(health.json.version, version);
  t.equal(health.json.role, 'city');
  const pw = fs.readFileSync(path.join(R, 'var/lib/edgebox/initial-admin-password'), 'utf8').trim();
  t.match(sh(['stat', '-c', '%U %a', '/var/lib/edgebox/initial-admin-password']).out, /^edgebox 600/);
  state.adminPassword = pw;
  const admin = await login(box.url, 'admin', pw);
  const user = await api(box.url, 'POST', '/api/users', { username: 'agent7', password: 'Package-Test-12328', role: 'agent' }, admin);
  t.equal(user.status, 201, JSON.stringify(user.json));
  const ticket = await api(box.url, 'POST', '/api/tickets', complaint, await login(box.url, 'agent7', 'Package-Test-12328'));
  t.equal(ticket.status, 201, JSON.stringify(ticket.json));
  state.ticket = ticket.json.number as string;
  const index = await fetch(`${box.url}/`);
  t.equal(index.status, 200, 'the prebuilt web UI is served');
  t.equal(await stop(box), 0, 'SIGTERM stops it cleanly');
  t.same(
    sh(['find', '/opt/edgebox', '-newer', '/srv/debs/installed', '-print']).out.trim(),
    '',
    'the box wrote nothing into its install tree',
  );
});

t.test('an upgrade to a package with one more migration keeps tickets and accounts, after a backup', async (t) => {
  sh(['dpkg', '-i', '/srv/debs/v2.deb']);
  const box = await startAsUnit();
  t.teardown(() => void stop(box));
  t.equal((await api(box.url, 'GET', '/healthz')).json.version, nextVersion);
  const agent = await login(box.url, 'agent7', 'Package-Test-12328');
  const ticket = await api(box.url, 'GET', `/api/tickets/${state.ticket}`, undefined, agent);
  t.equal(ticket.status, 200, 'the ticket is there');
  t.equal(ticket.json.subject, complaint.subject);
  const users = await api(box.url, 'GET', '/api/users', undefined, await login(box.url, 'admin', state.adminPassword!));
  t.same((users.json.items ?? users.json).map((u: { username: string }) => u.username).sort(), ['admin', 'agent7'], 'the accounts are there');
  const backups = fs.readdirSync(path.join(R, 'var/lib/edgebox/backups')).filter((f) => f.startsWith('pre-migration-'));
  t.equal(backups.length, 1, `one backup before migrating: ${backups.join(', ')}`);
  t.match(sh(['stat', '-c', '%U', `/var/lib/edgebox/backups/${backups[0]}`]).out, /^edgebox/);
  const probe = `const D = require('/opt/edgebox/node_modules/better-sqlite3');
    for (const f of process.argv.slice(1)) { const db = new D(f, { readonly: true });
      console.log(db.prepare("SELECT count(*) AS n FROM schema_migrations WHERE name = ?").get('${extraMigration}').n,
        db.prepare("SELECT count(*) AS n FROM tickets").get().n); db.close(); }`;
  const counts = sh(['/opt/edgebox/node/bin/node', '-e', probe, '/var/lib/edgebox/edgebox.sqlite', `/var/lib/edgebox/backups/${backups[0]}`]).out.trim().split('\n');
  t.same(counts, ['1 1', '0 1'], 'the store has the new migration; the backup is the store before it, ticket included');
  t.equal(await stop(box), 0);
  t.match(sh(['edgebox', 'user', 'list']).out, /agent7/, '`edgebox user list` as root (runs as edgebox) reads the store');
});

t.test('the older package on the migrated store is refused with the migration named', async (t) => {
  sh(['dpkg', '-i', '/srv/debs/v1.deb']);
  const err = await startAsUnit().then(
    async (box) => {
      await stop(box);
      return null;
    },
    (e: Error) => e,
  );
  t.ok(err, 'the old box does not start');
  t.match(err?.message, new RegExp(`does not know: ${extraMigration.replace('.', '\\.')}.*newer version`));
});

t.test('`npm test` stops without root and installs as root the Debian packages it lacks', async (t) => {
  // A root that lacks socat: every other package of the list is a stand-in, so only socat is missing.
  const repoInRoot = path.join(R, 'srv/repo');
  fs.mkdirSync(path.join(repoInRoot, 'test'), { recursive: true });
  fs.mkdirSync(path.join(repoInRoot, 'provisioning'), { recursive: true });
  fs.copyFileSync(path.join(repo, 'test/run.js'), path.join(repoInRoot, 'test/run.js'));
  fs.copyFileSync(path.join(repo, 'provisioning/install-debian-deps.sh'), path.join(repoInRoot, 'provisioning/install-debian-deps.sh'));
  fs.copyFileSync(path.join(repo, 'package.json'), path.join(repoInRoot, 'package.json'));
  const list = /packages=\(([^)]*)\)/.exec(fs.readFileSync(path.join(repo, 'provisioning/install-debian-deps.sh'), 'utf8'))![1]!.trim().split(/\s+/);
  t.ok(list.includes('socat'));
  for (const p of list.filter((p) => p !== 'socat')) {
    const dir = path.join(work, 'standin', p);
    fs.mkdirSync(path.join(dir, 'DEBIAN'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'DEBIAN/control'), `Package: ${p}\nVersion: 999:0-standin\nArchitecture: all\nMaintainer: package test <test@localhost>\nDescription: stand-in for ${p}\n`);
    host('dpkg-deb', ['--root-owner-group', '--build', dir, path.join(R, `srv/debs/standin-${p}.deb`)]);
    sh(['dpkg', '-i', `/srv/debs/standin-${p}.deb`]);
  }
  t.notMatch(sh(['dpkg-query', '-W', '-f=${Status}', 'socat'], { allowFail: true }).out, /install ok installed/);
  const node = '/opt/edgebox/node/bin/node';
  const asUser = sh(['sh', '-c', `cd /srv/repo && ${node} test/run.js`], { chroot: ['--userspec=nobody:nogroup'], allowFail: true });
  t.equal(asUser.code, 1, 'not root: stops at once');
  t.match(asUser.out, /missing socat/);
  t.match(asUser.out, /Run:\s+sudo bash provisioning\/install-debian-deps\.sh/, 'and prints the one command to run');
  t.notMatch(asUser.out, /type check/, 'before running anything else');
  const asRoot = sh(['sh', '-c', `cd /srv/repo && ${node} test/run.js --no-typecheck`], { allowFail: true });
  t.match(asRoot.out, /installing the missing Debian packages/);
  t.match(sh(['dpkg-query', '-W', '-f=${Status}', 'socat']).out, /install ok installed/, 'as root it installed socat from the archive');
});

t.test('remove keeps data and settings; purge deletes them and the user', async (t) => {
  sh(['dpkg', '-r', 'edgebox']);
  t.notOk(fs.existsSync(path.join(R, 'opt/edgebox/bin')), 'the program is gone');
  t.ok(fs.existsSync(path.join(R, 'var/lib/edgebox/edgebox.sqlite')), 'the store stays');
  t.ok(fs.existsSync(path.join(R, 'etc/edgebox/edgebox.env')), 'the settings stay');
  sh(['dpkg', '-P', 'edgebox']);
  t.notOk(fs.existsSync(path.join(R, 'var/lib/edgebox')), 'purge deletes the data');
  t.notOk(fs.existsSync(path.join(R, 'etc/edgebox')), 'and the settings');
  t.equal(sh(['getent', 'passwd', 'edgebox'], { allowFail: true }).code, 2, 'and the user');
});

// Unit tests of the configuration's trunk flags, dotted keys, the self-test's rules, the modem probe's
// parsers and the provisioning answers — each with fast-check properties over any input.
import t from 'tap';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getSetting, parseKey, setSetting } from '../../firmware-agent/config/edit.js';
import { defaultConfig, type BoxConfig } from '../../firmware-agent/config/model.js';
import { ConfigError, validateConfig } from '../../firmware-agent/config/schema.js';
import { nationalRegion, openConfig } from '../../firmware-agent/config/store.js';
import { trunkValues, trunkFromFlags, TrunkFlagError } from '../../firmware-agent/config/trunk.js';
import { applyIdentityFlags } from '../../firmware-agent/config/identity.js';
import { RegionTable } from '../../firmware-agent/regions/regions.js';
import { backupCheck, clockCheck, diskChecks, modemChecks } from '../../firmware-agent/selftest/checks.js';
import { parseCops, parseCpin, parseCreg, parseCsq, type ModemProbe } from '../../firmware-agent/selftest/modem-probe.js';
import { AnswerError, answersFromDoc } from '../../firmware-agent/provision/questions.js';

const regions = RegionTable.load();

t.test('start flags become the trunk section; --driver replaces it, other flags change their own keys', async (t) => {
  const cur = defaultConfig.trunk;
  t.equal(trunkFromFlags(cur, { port: '0', data: '/tmp/x', 'log-level': 'warn', 'net-idle-ms': '5' }), null, 'start options and network tunables are not trunk settings');
  const t1 = trunkFromFlags(cur, { driver: 'serial-at', serial: '/dev/ttyUSB2', baud: '9600' })!;
  t.same(t1, { driver: 'serial-at', serial: '/dev/ttyUSB2', dchannel: null, options: { baud: '9600' } });
  t.same(trunkFromFlags(t1, { driver: 'e1-pri', dchannel: '/run/d0' }), { driver: 'e1-pri', serial: null, dchannel: '/run/d0', options: {} }, 'the old driver’s options do not leak');
  t.same(trunkFromFlags(t1, { serial: '/dev/gsm0' }), { ...t1, serial: '/dev/gsm0' });
  t.throws(() => trunkFromFlags(cur, { driver: 'bogus' }), /--driver bogus: no such trunk driver/);
  // Property: whatever the flags, the result validates or the driver is refused by name; and it round-trips.
  const flag = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
  fc.assert(
    fc.property(fc.dictionary(flag, fc.oneof(fc.string({ maxLength: 30 }), fc.boolean(), fc.constant(undefined))), fc.constantFrom('simulator', 'serial-at', 'e1-pri', 'voice-modem', 'x'), (flags, driver) => {
      const all = { ...flags, driver };
      let next;
      try {
        next = trunkFromFlags(cur, all);
      } catch (err) {
        if (!(err instanceof TrunkFlagError) || driver !== 'x') throw err;
        return;
      }
      if (!next) return;
      try {
        validateConfig({ ...structuredClone(defaultConfig), trunk: next });
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        return; // a value the schema refuses (too long, empty path) is refused by name
      }
      t.same(trunkFromFlags(next, trunkValues(next)), next);
    }),
  );
});

t.test('dotted keys: get and set only existing settings, never the prototype', async (t) => {
  const cfg = validateConfig(structuredClone(defaultConfig));
  t.equal(getSetting(cfg, 'selftest.modemSignalMinRssi'), 8);
  t.throws(() => getSetting(cfg, 'selftest.nope'), /selftest\.nope: unknown setting/);
  t.throws(() => parseKey('__proto__.x'), /not a setting name/);
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), fc.jsonValue({ maxDepth: 2 }), (key, value) => {
      const draft = structuredClone(defaultConfig) as BoxConfig;
      try {
        setSetting(draft, key, value);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
      }
      t.equal(({} as Record<string, unknown>).polluted, undefined);
      if (Object.getPrototypeOf(draft) !== Object.prototype) throw new Error(`prototype changed by ${key}`);
    }),
  );
});

t.test('a ministry without a region takes the national code', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'config-ministry-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  t.equal((await openConfig(dir, { role: 'ministry' })).current().box.region, nationalRegion);
  const other = fs.mkdtempSync(path.join(os.tmpdir(), 'config-ministry-'));
  t.teardown(() => fs.rmSync(other, { recursive: true, force: true }));
  await openConfig(other);
  t.same(await applyIdentityFlags(other, { role: 'ministry' }, regions), [
    { key: 'box.role', from: 'city', to: 'ministry' },
    { key: 'box.region', from: '623000', to: '100000' },
  ], 'an unused city box becoming the ministry takes 100000, not 623000');
});

t.test('self-test rules', async (t) => {
  const th = defaultConfig.selftest;
  const [disk, inodes] = diskChecks({ path: '/d', freeBytes: 500 * 1048576, totalBytes: 1000 * 1048576, freeInodes: 0, totalInodes: 0 }, th);
  t.match(disk, { name: 'disk-free', ok: false, value: { freeMB: 500, freePercent: 50 } }, 'below 1024 MiB fails');
  t.match(disk?.hint, /below 1024 MiB/);
  t.match(inodes, { name: 'inodes-free', ok: true, value: null }, 'no inode counts (tmpfs): nothing to fail');
  t.match(clockCheck(new Date('2026-12-04T00:00:00Z'), new Date('2026-12-04T00:02:00Z'), 60), { ok: false, value: { skewSeconds: -120 } });
  t.match(clockCheck(new Date('1970-01-01T00:00:10Z'), null, 60), { ok: false, hint: /not set/ });
  const now = new Date('2026-12-04T12:00:00Z');
  t.match(backupCheck(null, new Date('2026-12-04T10:00:00Z'), now, 36), { ok: true }, 'provisioned two hours ago: no backup is expected yet');
  t.match(backupCheck(null, null, now, 36), { ok: false });
  t.match(backupCheck({ file: 'b', at: new Date('2026-12-02T12:00:00Z') }, null, now, 36), { ok: false, value: { ageHours: 48 } });
  const modem: ModemProbe = { port: '/dev/x', answers: true, model: null, imei: null, sim: 'READY', signal: { rssi: 99, dbm: null }, registration: { stat: 5, state: 'roaming', registered: true }, operator: null, error: null };
  const byName = Object.fromEntries(modemChecks(modem, 8).map((c) => [c.name, c]));
  t.equal(byName.signal?.ok, false, 'rssi 99 (unknown) is not a signal');
  t.equal(byName.registration?.ok, true, 'roaming is registered');
  t.same(modemChecks({ ...modem, answers: false, error: 'no answer' }, 8).map((c) => c.name), ['modem'], 'a silent modem: only the modem check');
  // Property: ok ⇔ hint null, for any figures.
  fc.assert(
    fc.property(fc.nat(), fc.nat(), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 99 }), fc.constantFrom('READY', 'SIM PIN', 'SIM PUK', null), (free, total, fi, ti, rssi, sim) => {
      const checks = [...diskChecks({ path: '/d', freeBytes: free, totalBytes: free + total, freeInodes: fi, totalInodes: fi + ti }, th), ...modemChecks({ ...modem, sim, signal: { rssi, dbm: null } }, 8)];
      for (const c of checks) if (c.ok !== (c.hint === null)) throw new Error(`${c.name}: ok ${c.ok} with hint ${c.hint}`);
    }),
  );
});

t.test('modem answers are parsed as TS 27.007 writes them, and anything else gives no figure', async (t) => {
  t.same(parseCsq(['+CSQ: 17,99']), { rssi: 17, dbm: -79 });
  t.same(parseCreg(['+CREG: 0,5']), { stat: 5, state: 'roaming', registered: true });
  t.equal(parseCops(['+COPS: 0,0,"CHINA MOBILE",7']), 'CHINA MOBILE');
  t.equal(parseCops(['+COPS: 0']), null, 'not registered: no operator');
  t.equal(parseCpin({ lines: [], final: '+CME ERROR: SIM not inserted' }), 'SIM not inserted');
  t.equal(parseCpin({ lines: ['+CPIN: SIM PIN'], final: 'OK' }), 'SIM PIN');
  fc.assert(
    fc.property(fc.array(fc.string({ maxLength: 30 }), { maxLength: 4 }), (lines) => {
      parseCsq(lines);
      parseCreg(lines);
      parseCops(lines);
      parseCpin({ lines, final: lines[0] ?? 'OK' });
    }),
  );
});

t.test('answers files: any document gives answers or an AnswerError naming the key', async (t) => {
  const ctx = { regions, current: validateConfig(structuredClone(defaultConfig)), hours: { open: '08:00', close: '18:00', days: 'workdays' as const }, modems: [], users: new Set<string>() };
  t.throws(() => answersFromDoc({ admin: { username: 'admin' } }, ctx), /admin\.password: required/);
  t.throws(() => answersFromDoc({ serial: '/dev/ttyUSB0', admin: { password: 'Provision-2026-x' }, supervisor: { password: 'Provision-2026-y' } }, ctx), /serial: does not apply/);
  const ministry = answersFromDoc({ role: 'ministry', admin: { password: 'Provision-2026-x' }, supervisor: { password: 'Provision-2026-y' } }, ctx);
  t.equal(ministry.region, nationalRegion, 'a ministry defaults to the national code');
  t.equal(ministry['upstream.url'], undefined, 'a ministry is not asked for an upstream');
  // Found by the property below (seed 1087771160): a list holding an object whose toString is not a function.
  t.throws(() => answersFromDoc({ driver: [{ toString: '' }] }, ctx), /driver: expected text, a number or a list of them/);
  t.throws(() => answersFromDoc({ admin: { password: { x: 1 } } }, ctx), /admin\.password: expected text/);
  t.equal(answersFromDoc({ hotline: ['12328', 96520], admin: { password: 'Provision-2026-x' }, supervisor: { password: 'Provision-2026-y' } }, ctx).hotline?.length, 2, 'a list of numbers and text is still an answer');
  const doc = fc.dictionary(
    fc.constantFrom('driver', 'serial', 'role', 'region', 'name', 'hours', 'hotline', 'admin', 'supervisor', 'upstream', 'x'),
    fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('serial-at', 'city', '620100', ['12328'], { open: '08:30', close: '17:00' }, { username: 'admin', password: 'Provision-2026-x' })),
  );
  fc.assert(
    fc.property(fc.oneof(doc, fc.jsonValue({ maxDepth: 2 })), (d) => {
      try {
        answersFromDoc(d, ctx);
      } catch (err) {
        if (!(err instanceof AnswerError)) throw err;
      }
    }),
    { numRuns: 300 },
  );
});

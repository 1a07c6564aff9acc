// One configuration (issue 12 §1): an older data directory's calls.json and sms.json become the `calls` and
// `sms` sections of config.json on the first open, the old files renamed aside; an open interrupted between
// the durable write and the rename (kill -9) is repeated with the same result; a bad old file stops the open,
// naming the setting, and stays where it was. fast-check over the old files' content.
import t from 'tap';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkSettings } from '../../firmware-agent/config/check.js';
import { getSetting } from '../../firmware-agent/config/edit.js';
import { defaultConfig } from '../../firmware-agent/config/model.js';
import { validateConfig } from '../../firmware-agent/config/schema.js';
import { openConfig } from '../../firmware-agent/config/store.js';
import { callsConfigOf } from '../../firmware-agent/calls/config.js';

const tmp = (t: { teardown(fn: () => void): void }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-migrate-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
};
const write = (dir: string, name: string, doc: unknown) => fs.writeFileSync(path.join(dir, name), JSON.stringify(doc));

t.test('calls.json and sms.json move into config.json; the old files are renamed aside', async (t) => {
  const dir = tmp(t);
  await openConfig(dir, { role: 'city', region: '620100' }); // a box that ran before the merge
  write(dir, 'calls.json', { ivr: { legacyNumbers: ['09418212345'], hours: { open: '07:30' } }, queue: { wrapUpMs: 5000 }, region: '620100' });
  write(dir, 'sms.json', { autoReply: '已受理{number}', dutyPhones: { taxi: '13800000001' } });
  const c = (await openConfig(dir)).current();
  t.same(c.calls.ivr.legacyNumbers, ['09418212345']);
  t.same(c.calls.ivr.hours, { open: '07:30', close: '18:00', days: 'workdays' }, 'unset keys take their defaults');
  t.equal(c.calls.queue.wrapUpMs, 5000);
  t.notOk('region' in c.calls, 'the IVR tickets’ region is the box’s own');
  t.equal(c.sms.autoReply, '已受理{number}');
  t.same(c.sms.dutyPhones, { taxi: '13800000001' });
  t.equal(c.sms.maxAttempts, defaultConfig.sms.maxAttempts);
  t.equal(c.box.region, '620100', 'the rest of config.json stays');
  t.notOk(fs.existsSync(path.join(dir, 'calls.json')));
  t.ok(fs.existsSync(path.join(dir, 'calls.json.migrated')));
  t.ok(fs.existsSync(path.join(dir, 'sms.json.migrated')));
  const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  t.equal(onDisk.calls.queue.wrapUpMs, 5000, 'written durably, not only in memory');
  t.equal(getSetting(c, 'calls.ivr.hours.open'), '07:30', 'readable by dotted key (edgebox config get)');
  t.equal(callsConfigOf(c.calls, dir, c.box.region, c.box.timezone).ivr.hours.timezone, 'Asia/Shanghai', 'the hours take the box’s time zone');
});

t.test('an open interrupted after the write and before the rename repeats to the same configuration', async (t) => {
  const hours = fc.record({ open: fc.constantFrom('00:00', '07:30', '08:00'), close: fc.constantFrom('17:00', '24:00') }, { requiredKeys: [] });
  const legacy = fc.array(fc.stringMatching(/^0\d{10}$/), { maxLength: 3 });
  const reply = fc.constantFrom('{number}', '收到{number}', '【12328】{number}');
  await fc.assert(
    fc.asyncProperty(hours, legacy, reply, fc.boolean(), async (h, l, r, fresh) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-migrate-p-'));
      try {
        if (!fresh) await openConfig(dir);
        write(dir, 'calls.json', { ivr: { hours: h, legacyNumbers: l } });
        write(dir, 'sms.json', { autoReply: r });
        const first = (await openConfig(dir)).current();
        const text = fs.readFileSync(path.join(dir, 'config.json'), 'utf8');
        // kill -9 between the durable write and the rename: the old files are still there.
        for (const f of ['calls.json', 'sms.json']) fs.renameSync(path.join(dir, `${f}.migrated`), path.join(dir, f));
        const again = (await openConfig(dir)).current();
        if (JSON.stringify(again) !== JSON.stringify(first)) throw new Error('a repeated migration changed the configuration');
        if (fs.readFileSync(path.join(dir, 'config.json'), 'utf8') !== text) throw new Error('config.json differs after the repeat');
        if (fs.existsSync(path.join(dir, 'calls.json')) || fs.existsSync(path.join(dir, 'sms.json'))) throw new Error('old files left in place');
        if (again.calls.ivr.hours.open !== (h.open ?? '08:00') || again.sms.autoReply !== r) throw new Error('content not moved in');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: 25 },
  );
});

t.test('a bad old file stops the open naming the setting and stays; validate reports it without writing', async (t) => {
  const dir = tmp(t);
  write(dir, 'calls.json', { ivr: { hours: { open: '7 点' } } });
  t.same(checkSettings(dir).problems.filter((p) => p.includes('calls.ivr.hours.open')).length, 1, 'validate names calls.ivr.hours.open');
  t.notOk(fs.existsSync(path.join(dir, 'config.json')), 'validate writes nothing');
  await t.rejects(openConfig(dir), /calls\.ivr\.hours\.open/);
  t.ok(fs.existsSync(path.join(dir, 'calls.json')), 'the bad file stays for the technician to fix');
  write(dir, 'calls.json', '[1]');
  await t.rejects(openConfig(dir), /calls\.json: must be a JSON object/);
  fs.rmSync(path.join(dir, 'calls.json'));
  fs.writeFileSync(path.join(dir, 'sms.json'), '{');
  await t.rejects(openConfig(dir), /sms\.json: not valid JSON/);
});

t.test('the sections are validated with the configuration: their own rules name the key', async (t) => {
  const bad = (change: (d: typeof defaultConfig) => void) => {
    const d = structuredClone(defaultConfig);
    change(d);
    return () => validateConfig(d);
  };
  t.throws(bad((d) => (d.calls.ivr.menu = d.calls.ivr.menu.filter((m) => m.action.kind !== 'distress'))), /calls\.ivr\.menu: must keep the water distress/);
  t.throws(bad((d) => (d.calls.queue.ringTimeoutMs = 5)), /calls\.queue\.ringTimeoutMs/);
  t.throws(bad((d) => (d.sms.autoReply = 'no placeholder')), /sms\.autoReply: must contain \{number\}/);
  t.throws(bad((d) => ((d.sms as unknown as Record<string, unknown>).bogus = 1)), /sms\.bogus: unknown setting/);
  t.throws(bad((d) => ((d.calls.ivr as unknown as Record<string, unknown>).menu = 'x')), /calls\.ivr\.menu/);
});

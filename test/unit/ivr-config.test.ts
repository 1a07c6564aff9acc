// IVR configuration validation, business hours on the official calendar, prompts with and without audio.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CallsConfigError, callsConfig, defaultCallsConfig } from '../../firmware-agent/calls/config.js';
import { isOpen, weekdayCalendar } from '../../firmware-agent/calls/hours.js';
import { PromptLibrary, generatePrompts, promptTexts } from '../../firmware-agent/calls/prompts.js';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CallsConfigError ? err.field : `not a CallsConfigError: ${String(err)}`;
  }
  return undefined;
}

t.test('configuration is validated, names the bad field, and is frozen', async (t) => {
  const c = callsConfig();
  t.ok(Object.isFrozen(c.ivr.menu));
  t.equal(c.ivr.distressNumber, '12395');
  t.same(
    Object.fromEntries(Object.entries(c.ivr.redirects).map(([k, v]) => [k, v.number])),
    { railway: '12306', aviation: '12326', postal: '12305' },
  );
  t.equal(fieldOf(() => callsConfig({ ivr: { digitTimeoutMs: 5 } })), 'ivr.digitTimeoutMs');
  t.equal(fieldOf(() => callsConfig({ ivr: { bogus: 1 } as never })), 'ivr.bogus');
  t.equal(fieldOf(() => callsConfig({ ivr: { legacyNumbers: ['96x'] } })), 'ivr.legacyNumbers[0]');
  t.throws(
    () => callsConfig({ ivr: { menu: [{ digit: '2', label: 'menu.2', action: { kind: 'queue', ticketType: 'complaint' } }] } }),
    CallsConfigError,
    'the water distress entry cannot be configured away',
  );
  t.equal(fieldOf(() => callsConfig({ ivr: { hours: { open: '8am' } } })), 'ivr.hours.open');
});

t.test('business hours follow the official calendar', async (t) => {
  const hours = defaultCallsConfig().ivr.hours; // 08:00-18:00 on working days, Asia/Shanghai
  const monday10 = Date.UTC(2026, 10, 30, 2, 0);
  t.ok(isOpen(monday10, hours, weekdayCalendar));
  t.notOk(isOpen(Date.UTC(2026, 10, 30, 10, 0), hours, weekdayCalendar), '18:00 is closed');
  t.notOk(isOpen(Date.UTC(2026, 10, 28, 2, 0), hours, weekdayCalendar), 'Saturday');
  const nationalDay = { isWorkday: (d: string) => d !== '2026-10-01' };
  t.notOk(isOpen(Date.UTC(2026, 9, 1, 2, 0), hours, nationalDay), 'a holiday on a weekday is closed');
  t.ok(isOpen(Date.UTC(2026, 9, 1, 2, 0), { ...hours, days: 'every-day' }, nationalDay));
});

t.test('a prompt without its audio file still goes out by id and text', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prompts-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const lib = new PromptLibrary(path.join(dir, 'missing'));
  const p = lib.get('queue.position', [3, 12]);
  t.equal(p.file, undefined);
  t.equal(p.text, '您当前排在第 3 位，预计等待 1 2 分钟。');
  t.same(p.say, ['3', '12']);
  fs.writeFileSync(path.join(dir, 'welcome.wav'), 'x');
  t.equal(new PromptLibrary(dir).get('welcome').file, path.join(dir, 'welcome.wav'), 'a recorded prompt is used');
});

t.test('prompts are generated with espeak-ng and sox, and recorded ones are kept', { timeout: 60_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prompts-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'welcome.wav'), 'a recorded greeting');
  const r = await generatePrompts(dir);
  t.same(r.kept, ['welcome']);
  if (r.failed.length) {
    t.comment(`espeak-ng/sox unavailable here: ${r.failed[0]!.error}`);
    t.equal(r.failed.length + r.generated.length + r.kept.length, Object.keys(promptTexts).length, 'failures are reported, not thrown');
    return;
  }
  t.equal(r.generated.length, Object.keys(promptTexts).length - 1);
  const wav = fs.readFileSync(path.join(dir, 'route.railway.wav'));
  t.equal(wav.subarray(0, 4).toString(), 'RIFF');
  t.equal(wav.readUInt16LE(20), 6, 'A-law');
  t.equal(wav.readUInt32LE(24), 8000, '8 kHz');
  t.equal(fs.readFileSync(path.join(dir, 'welcome.wav'), 'utf8'), 'a recorded greeting');
});

t.test('a generated prompt whose text has changed is made again; a recorded one never is', { timeout: 60_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prompts-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const first = await generatePrompts(dir);
  if (first.failed.length) {
    t.comment(`espeak-ng/sox unavailable here: ${first.failed[0]!.error}`);
    return;
  }
  // An older build generated these files from other wording: its manifest names another cache key.
  const manifestFile = path.join(dir, '.generated.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, { key: string; sha256: string }>;
  manifest['queue.position']!.key = 'an-older-text';
  manifest['welcome']!.key = 'an-older-text';
  fs.writeFileSync(manifestFile, JSON.stringify(manifest));
  // The centre has since uploaded its own greeting over the generated one.
  fs.writeFileSync(path.join(dir, 'welcome.wav'), 'a recorded greeting');

  const again = await generatePrompts(dir);
  t.same(again.generated, ['queue.position'], 'only the stale generated prompt is made again');
  t.ok(again.kept.includes('welcome'), 'the uploaded greeting is kept');
  t.equal(fs.readFileSync(path.join(dir, 'welcome.wav'), 'utf8'), 'a recorded greeting');
  const now = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, { key: string }>;
  t.not(now['queue.position']!.key, 'an-older-text', 'the manifest names the current text');
});

// Call settings saved from the admin pages (PUT /api/ui/calls-settings) apply without a restart: new calls
// use them, a call in progress keeps the settings it started with.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { SimulatorTrunk, type SimCall } from '../../drivers/simulator/trunk.js';
import { callCenterOf, registerTrunkDriver } from '../../firmware-agent/calls/install.js';
import type { LiveEvent } from '../../firmware-agent/calls/events.js';
import { startTestBox, tempDir } from '../helpers/box.js';

t.test('a saved IVR menu and legacy number apply to the next call while a call in progress keeps the menu it started with', async (t) => {
  const sim = new SimulatorTrunk({ promptMs: () => 20 });
  registerTrunkDriver('reconfigure-sim', async () => sim);
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'calls.json'), JSON.stringify({ ivr: { hours: { open: '00:00', close: '24:00', days: 'every-day' } } }));
  const tb = await startTestBox({ dataDir: dir, flags: { driver: 'reconfigure-sim' } });
  t.teardown(() => tb.close());
  const center = callCenterOf(tb.box)!;
  const routed = new Map<string, string>();
  const waiters = new Map<string, (route: string) => void>();
  center.events.subscribe((e: LiveEvent) => {
    if (e.type !== 'call.routed') return;
    routed.set(e.callId, e.route);
    waiters.get(e.callId)?.(e.route);
  });
  const routeOf = (call: SimCall) =>
    new Promise<string>((resolve) => {
      if (routed.has(call.callId)) return resolve(routed.get(call.callId)!);
      waiters.set(call.callId, resolve);
    });

  // A caller is in the menu (waiting for a digit) when the admin saves.
  const early = sim.placeCall({ caller: '13800138000' });
  await once(early, 'collect');

  const before = (await tb.admin.get('/api/ui/calls-settings')).json() as { ivr: { menu: { digit: string; label: string; action: unknown }[] } };
  const menu = before.ivr.menu.map((m) => (m.digit === '0' ? { ...m, action: { kind: 'redirect', service: 'railway' } } : m));
  const r = await tb.admin.put('/api/ui/calls-settings', { ivr: { menu, legacyNumbers: ['09418212345'] } });
  t.equal(r.statusCode, 200, r.body);
  t.equal(r.json().restartRequired, false, 'no restart needed');
  t.same(center.config.ivr.legacyNumbers, ['09418212345'], 'the running centre has the new settings');

  early.press('0');
  t.equal(await routeOf(early), 'queue', 'the call in progress keeps its menu: 0 is a person');

  const late = sim.placeCall({ caller: '13900139000' });
  late.press('0');
  t.equal(await routeOf(late), 'railway', 'a new call uses the saved menu: 0 now announces 12306');

  const legacy = sim.placeCall({ caller: '13700137000', called: '09418212345' });
  legacy.press('1');
  t.equal(await routeOf(legacy), 'distress');
  t.equal(legacy.log.prompts[0], 'legacy', 'a caller to the new legacy number hears the transition prompt first');

  // The same section through the configuration API (PUT /api/admin/config/:key) applies without a restart too.
  const viaConfig = await tb.admin.put('/api/admin/config/calls.queue.wrapUpMs', { value: 20_000 });
  t.equal(viaConfig.statusCode, 200, viaConfig.body);
  t.equal(center.config.queue.wrapUpMs, 20_000, 'the running centre has the value set by dotted key');
  t.equal((await tb.admin.put('/api/admin/config/calls.queue.wrapUpMs', { value: -1 })).statusCode, 400, 'a bad value by dotted key is refused');
  t.equal(center.config.queue.wrapUpMs, 20_000);

  const bad = await tb.admin.put('/api/ui/calls-settings', { queue: { transferNumbers: ['not a number'] } });
  t.equal(bad.statusCode, 400, 'a bad setting is refused');
  t.equal(bad.json().error.details.field, 'queue.transferNumbers[0]');
  t.same(center.config.queue.transferNumbers, [], 'and the running centre keeps what it had');
  early.hangup();
  late.hangup();
  legacy.hangup();
});

t.test('an admin uploads a recorded prompt: it replaces the file whole, is listed and audited; a non-WAV is refused and changes nothing', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const wav = Buffer.alloc(44 + 1600);
  wav.write('RIFF', 0, 'ascii');
  wav.write('WAVE', 8, 'ascii');
  const up = await tb.admin.put('/api/ui/prompts/welcome-zh', { wavBase64: wav.toString('base64') });
  t.equal(up.statusCode, 200);
  t.same(up.json(), { id: 'welcome-zh', bytes: wav.length });
  const settings = (await tb.admin.get('/api/ui/calls-settings')).json() as { prompts: string[] };
  t.ok(settings.prompts.includes('welcome-zh.wav'), 'the prompt is listed');
  const dir = callCenterOf(tb.box)!.config.promptsDir;
  const file = path.join(dir, 'welcome-zh.wav');
  t.same(fs.readFileSync(file), wav, 'the file holds exactly what was uploaded');
  t.equal(fs.statSync(file).mode & 0o007, 0, 'not readable by other users');
  t.same(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file is left beside it');
  const audit = (await tb.admin.get('/api/audit?limit=20')).json().items as { entity: string; entityId: string; action: string }[];
  t.ok(audit.some((a) => a.entity === 'prompt' && a.entityId === 'welcome-zh' && a.action === 'upload'), 'the upload is audited');

  const bad = await tb.admin.put('/api/ui/prompts/welcome-zh', { wavBase64: Buffer.alloc(80, 1).toString('base64') });
  t.equal(bad.json().error.code, 'validation-failed', 'not a WAV file');
  t.same(fs.readFileSync(file), wav, 'the refused upload left the prompt as it was');
  t.equal((await tb.admin.put('/api/ui/prompts/..%2Fescape', { wavBase64: wav.toString('base64') })).statusCode, 400, 'an id that is not a file name');
});

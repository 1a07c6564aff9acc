// Browser stations (firmware-agent/softphone/stations.ts) in front of the simulated trunk's audio port: a
// call connected to `browser/<agent>` rings until that agent's browser answers with its offer, then the
// caller and the browser hear each other; the ring's other outcomes are connectAgent's; telephone stations
// and other commands go to the driver unchanged.
import t from 'tap';
import { alawToLinear } from '../../drivers/media/alaw.js';
import { SimulatorTrunk } from '../../drivers/simulator/trunk.js';
import type { ConnectResult } from '../../drivers/trunk/types.js';
import { SoftphoneError } from '../../firmware-agent/softphone/peer.js';
import { BrowserStations, browserAgent, browserStation, withBrowserStations } from '../../firmware-agent/softphone/stations.js';
import { browser, firstHeard, talk } from '../helpers/webrtc-browser.js';

async function rig(t: { teardown(fn: () => unknown): void }) {
  const sim = new SimulatorTrunk({ promptMs: () => 10 });
  await sim.start();
  const stations = new BrowserStations({ driver: sim });
  const driver = withBrowserStations(sim, stations);
  t.teardown(() => sim.stop());
  const call = async (caller = '13800000051') => {
    const c = sim.placeCall({ caller });
    await driver.answer(c.callId);
    return c;
  };
  return { sim, stations, driver, call };
}

const code = (p: Promise<unknown>) => p.then(() => 'answered', (e: unknown) => (e instanceof SoftphoneError ? e.code : String(e)));

t.test('station names: browser/<agent id> is a browser, anything else a telephone', async (t) => {
  t.equal(browserStation(7), 'browser/7');
  t.equal(browserAgent('browser/7'), 7);
  t.equal(browserAgent('801'), undefined);
  t.equal(browserAgent('browser/'), undefined);
  t.equal(browserAgent('browser/x'), undefined);
  t.equal(browserAgent('browser/-1'), undefined);
});

t.test('the agent’s browser answers: the caller and the agent hear each other', async (t) => {
  const { sim, stations, driver, call } = await rig(t);
  const c = await call();
  const ring = driver.connectAgent(c.callId, browserStation(7), { ringTimeoutMs: 30_000 });
  t.same(stations.callOf(7), { callId: c.callId, state: 'ringing' });
  const b = await browser();
  t.teardown(b.close);
  t.equal(await code(stations.answer(8, c.callId, b.offer)), 'softphone-not-ringing', 'another agent cannot take it');
  const answerSdp = await stations.answer(7, c.callId, b.offer);
  t.equal(await code(stations.answer(7, c.callId, b.offer)), 'softphone-not-ringing', 'nor can it be answered twice');
  await b.pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
  const res: ConnectResult = await ring;
  t.equal(res.outcome, 'answered');
  t.same(stations.callOf(7), { callId: c.callId, state: 'talking', held: false });

  // The caller speaks on the trunk; the agent hears it in the browser.
  const saidAt = await talk((f) => c.say(f), 1000, 400);
  await new Promise((r) => setTimeout(r, 60));
  const heardInBrowser = firstHeard(b.heard, 1000);
  t.ok(heardInBrowser !== undefined, 'the browser hears the caller');
  t.pass(`caller → browser: ${(heardInBrowser! - saidAt).toFixed(1)} ms`);
  // The agent speaks; the caller hears it on the trunk, through the jitter buffer.
  const atCaller: { at: number; pcm: Int16Array }[] = [];
  c.on('heard', (f) => atCaller.push({ at: performance.now(), pcm: alawToLinear(f) }));
  const spokeAt = await talk(b.send, 1400, 400);
  await new Promise((r) => setTimeout(r, 100));
  const heardByCaller = firstHeard(atCaller, 1400);
  t.ok(heardByCaller !== undefined, 'the caller hears the agent');
  t.pass(`browser → caller: ${(heardByCaller! - spokeAt).toFixed(1)} ms`);

  // The box hangs up: the browser's part ends with the call.
  await driver.hangup(c.callId);
  t.equal(stations.callOf(7), undefined, 'the browser station is free');
  t.equal(sim.activeCalls, 0);
});

t.test('a ring nobody answers, one the caller leaves and one the engine cancels settle as connectAgent does', async (t) => {
  const { stations, driver, call } = await rig(t);
  const a = await call('13800000052');
  t.same(await driver.connectAgent(a.callId, browserStation(7), { ringTimeoutMs: 50 }), { outcome: 'no-answer' });
  t.equal(stations.callOf(7), undefined);
  const b = await call('13800000053');
  const ringing = driver.connectAgent(b.callId, browserStation(7), { ringTimeoutMs: 30_000 });
  b.hangup();
  t.same(await ringing, { outcome: 'caller-gone' });
  const c = await call('13800000054');
  const ac = new AbortController();
  const cancelled = driver.connectAgent(c.callId, browserStation(7), { ringTimeoutMs: 30_000, signal: ac.signal });
  ac.abort();
  t.same(await cancelled, { outcome: 'cancelled' });
  const br = await browser();
  t.teardown(br.close);
  t.equal(await code(stations.answer(7, c.callId, br.offer)), 'softphone-not-ringing', 'an answer after the ring ended is refused');
});

t.test('a telephone station still goes to the driver; a trunk without an audio port never rings a browser', async (t) => {
  const { sim, driver, call } = await rig(t);
  sim.addStation('801', { answerAfterMs: 10 });
  const a = await call();
  t.match(await driver.connectAgent(a.callId, '801', { ringTimeoutMs: 5000 }), { outcome: 'answered' });
  const plain = new SimulatorTrunk({ capabilities: { audioPort: false } });
  await plain.start();
  t.teardown(() => plain.stop());
  const stations = new BrowserStations({ driver: plain });
  t.notOk(stations.available);
  const d = withBrowserStations(plain, stations);
  const c = plain.placeCall({ caller: '13800000055' });
  await d.answer(c.callId);
  t.same(await d.connectAgent(c.callId, browserStation(7), { ringTimeoutMs: 5000 }), { outcome: 'unreachable' });
  t.equal(d.kind, 'simulator', 'everything else is the driver’s');
});

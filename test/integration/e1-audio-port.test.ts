// The E1 driver's audio port (capability C6, issue 17): an answered call's B-channel frames reach the box
// and the box's frames reach the caller, through the span worker (its media hub taps the channel); DTMF is
// still detected and a background recording holds both directions. Then a browser station end to end on
// the span: the telco simulator's caller and a werift peer standing in for the agent's browser hear each other.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { alawToLinear, linearToAlaw } from '../../drivers/media/alaw.js';
import { sineTone, toneShare } from '../../drivers/media/tones.js';
import { wavToAlaw } from '../../drivers/media/wav.js';
import { BrowserStations, browserStation, withBrowserStations } from '../../firmware-agent/softphone/stations.js';
import { e1Harness } from '../rigs/e1-harness.js';
import { browser, firstHeard, talk } from '../helpers/webrtc-browser.js';

const tone = (freq: number, ms: number) => linearToAlaw(sineTone(freq, ms, 8000));
/** Whether some 20 ms block of the A-law audio is mostly `freq`. */
const hears = (frames: Buffer[], freq: number) => frames.some((f) => f.length === 160 && toneShare(alawToLinear(f), freq) > 0.8);

t.test('an answered call’s B-channel, both ways, through the span worker', async (t) => {
  const h = await e1Harness();
  t.teardown(() => h.close());
  t.equal(h.driver.capabilities.audioPort, true);
  const offered = h.next('offered');
  const line = h.telco.placeCall({ caller: '13800000081' });
  const o = await offered;
  t.throws(() => h.driver.openAudio(o.callId), { code: 'not-answered' }, 'only an answered call');
  await h.driver.answer(o.callId);
  await line.waitFor('answered');
  const rec = path.join(h.dir, 'conversation.wav');
  const recording = h.driver.record(o.callId, { file: rec, background: true });
  const port = h.driver.openAudio(o.callId);
  const up: Buffer[] = [];
  port.onFrame((f) => up.push(f));
  await new Promise((r) => setTimeout(r, 100));

  line.play(tone(1000, 600));
  await line.drained();
  await new Promise((r) => setTimeout(r, 100));
  t.ok(hears(up, 1000), 'the caller’s tone reaches the box');

  const received = line.received.length;
  await talk((f) => port.write(f), 1400, 600);
  await new Promise((r) => setTimeout(r, 100));
  t.ok(hears(line.received.slice(received), 1400), 'the box’s tone reaches the caller');

  const digit = h.next('digits');
  line.pressDigits('7');
  t.match(await digit, { callId: o.callId, digits: '7' }, 'DTMF is still detected on a tapped channel');

  port.close();
  await h.driver.hangup(o.callId);
  t.match(await recording, { outcome: 'ended' });
  const pcm = alawToLinear(wavToAlaw(fs.readFileSync(rec)));
  const blocks = Array.from({ length: Math.floor(pcm.length / 160) }, (_, i) => pcm.subarray(i * 160, i * 160 + 160));
  t.ok(blocks.some((b) => toneShare(b, 1000) > 0.8), 'the recording holds the caller');
  t.ok(blocks.some((b) => toneShare(b, 1400) > 0.8), 'and what the box sent');
});

t.test('a browser station on the span: the caller and the agent’s browser hear each other', async (t) => {
  const h = await e1Harness();
  const stations = new BrowserStations({ driver: h.driver });
  const driver = withBrowserStations(h.driver, stations);
  const b = await browser();
  t.teardown(async () => {
    await b.close();
    await h.close();
  });
  const offered = h.next('offered');
  const line = h.telco.placeCall({ caller: '13800000082' });
  const o = await offered;
  await driver.answer(o.callId);
  await line.waitFor('answered');
  const ring = driver.connectAgent(o.callId, browserStation(3), { ringTimeoutMs: 20_000 });
  const answerSdp = await stations.answer(3, o.callId, b.offer);
  await b.pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
  t.match(await ring, { outcome: 'answered' });

  const saidAt = performance.now();
  line.play(tone(1000, 600));
  await line.drained();
  await new Promise((r) => setTimeout(r, 150));
  const heard = firstHeard(b.heard, 1000);
  t.ok(heard !== undefined, 'the browser hears the caller on the B-channel');
  t.pass(`caller → browser: ${(heard! - saidAt).toFixed(1)} ms (includes the telco simulator's queue)`);

  const received = line.received.length;
  await talk(b.send, 1400, 600);
  await new Promise((r) => setTimeout(r, 150));
  t.ok(hears(line.received.slice(received), 1400), 'the caller hears the browser');
  await driver.hangup(o.callId);
  t.equal(stations.callOf(3), undefined);
});

t.test('the channel count: 30 callers on one span, all answered by browser stations at once', async (t) => {
  const h = await e1Harness();
  const stations = new BrowserStations({ driver: h.driver });
  const driver = withBrowserStations(h.driver, stations);
  const browsers: Awaited<ReturnType<typeof browser>>[] = [];
  t.teardown(async () => {
    await Promise.all(browsers.map((b) => b.close()));
    await h.close();
  });
  const channels = 30;
  const calls = await Promise.all(
    Array.from({ length: channels }, async (_, i) => {
      const offered = h.next('offered', (e) => e.caller === `1380000${String(i).padStart(4, '0')}`);
      const line = h.telco.placeCall({ caller: `1380000${String(i).padStart(4, '0')}` });
      const o = await offered;
      await driver.answer(o.callId);
      await line.waitFor('answered');
      const ring = driver.connectAgent(o.callId, browserStation(100 + i), { ringTimeoutMs: 30_000 });
      const b = await browser();
      browsers.push(b);
      await b.pc.setRemoteDescription({ type: 'answer', sdp: await stations.answer(100 + i, o.callId, b.offer) });
      t.match(await ring, { outcome: 'answered' });
      return { line, b };
    }),
  );
  t.equal(h.telco.activeLines.length, 30, 'all 30 B-channels carry a caller: none is spent on a station leg');
  for (const { line } of calls) line.play(tone(1000, 400));
  for (const { line } of calls) await line.drained();
  await new Promise((r) => setTimeout(r, 300));
  t.equal(calls.filter(({ b }) => firstHeard(b.heard, 1000) !== undefined).length, 30, 'every agent hears their caller');
});

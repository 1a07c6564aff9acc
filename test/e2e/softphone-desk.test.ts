// The desk's softphone in chromium (issue 17): an agent goes ready "in the browser", a caller on the
// simulated trunk (its audio port) asks for a person, the desk rings and the agent answers with a fake
// microphone (--use-file-for-fake-audio-capture: a generated 1.4 kHz tone). The caller's 1 kHz tone is heard
// in the page (a WebAudio analyser on the desk's audio element); the agent's tone is heard on the trunk
// (Goertzel) once the agent unmutes; DTMF pressed by the caller still reaches the box; the agent hangs up in
// the browser and the call record has the browser station's legs. Then the same on the E1 driver with the
// telco simulator's caller, one B-channel per call and the recording holding both directions. Mouth-to-ear
// delays each way are reported.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { alawToLinear, linearToAlaw } from '../../drivers/media/alaw.js';
import { sineTone, toneShare } from '../../drivers/media/tones.js';
import { wavHeader, wavToAlaw } from '../../drivers/media/wav.js';
import { SimulatorTrunk } from '../../drivers/simulator/trunk.js';
import { callCenterOf, registerTrunkDriver } from '../../firmware-agent/calls/install.js';
import { e1Harness } from '../rigs/e1-harness.js';
import type { Browser, Page } from 'playwright-core';
import type { TrunkDriver } from '../../drivers/trunk/types.js';
import { launch, login, newPage, seedUsers, shot, startBox } from './helpers.js';
import { waitFor } from '../helpers/wait.js';

/** 8 kHz 16-bit WAV of a tone, for the fake microphone (chromium loops it). */
function toneWav(freq: number, seconds: number): string {
  const pcm = sineTone(freq, seconds * 1000, 10000);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sp-mic-')), `tone-${freq}.wav`);
  fs.writeFileSync(file, Buffer.concat([wavHeader(pcm.byteLength), Buffer.from(pcm.buffer)]));
  return file;
}

/**
 * A page script that resolves with Date.now() once `freq` stands out on the desk's audio element (a WebAudio
 * analyser). A string: the root tsconfig has no DOM types, and tsx would name the page's functions.
 */
function pageToneDetector(freq: number): string {
  return `new Promise((resolve, reject) => {
    const el = document.querySelector('#sp-audio');
    const ac = new AudioContext();
    const an = ac.createAnalyser();
    an.fftSize = 2048;
    ac.createMediaStreamSource(el.srcObject).connect(an);
    const bins = new Float32Array(an.frequencyBinCount);
    const bin = Math.round((${freq} * an.fftSize) / ac.sampleRate);
    const started = Date.now();
    const look = () => {
      an.getFloatFrequencyData(bins);
      const peak = Math.max(...bins.slice(bin - 1, bin + 2));
      const floor = Math.max(...bins.slice(bin + 40, bin + 80));
      if (peak > -60 && peak - floor > 20) return resolve(Date.now());
      if (Date.now() - started > 10000) return reject(new Error('no ${freq} Hz tone (peak ' + peak.toFixed(1) + ' dB)'));
      setTimeout(look, 5);
    };
    look();
  })`;
}

/**
 * A box on `driver` (registered as `name`), a chromium whose fake microphone plays a 1.4 kHz tone, the users
 * seeded; all closed (with `closeAlso`) when the test ends.
 */
async function softphoneBox(t: { teardown(fn: () => Promise<void>): void }, name: string, driver: TrunkDriver, closeAlso: () => Promise<void> = async () => {}) {
  registerTrunkDriver(name, async () => driver);
  const tb = await startBox(undefined, { flags: { driver: name } });
  const mic = toneWav(1400, 10);
  const browser = await launch(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${mic}`, '--autoplay-policy=no-user-gesture-required']);
  t.teardown(async () => {
    await browser.close();
    await tb.close();
    await closeAlso();
    fs.rmSync(path.dirname(mic), { recursive: true, force: true });
  });
  await seedUsers(tb);
  return { tb, browser, center: callCenterOf(tb.box)! };
}

/** An agent's desk, logged in and ready to answer in the browser. */
async function readyInBrowser(browser: Browser, url: string, username: string, password?: string): Promise<Page> {
  const page = await newPage(browser, url);
  await login(page, username, password);
  await page.goto('/desk');
  await page.waitForSelector('#live.up');
  await page.check('#use-browser');
  await page.keyboard.press('F2');
  await page.waitForSelector('#agent-state[data-state="ready"]');
  return page;
}

t.test('an agent answers in the browser: each hears the other, DTMF still reaches the box, the agent hangs up', async (t) => {
  const sim = new SimulatorTrunk({ promptMs: () => 20 });
  const { tb, browser, center } = await softphoneBox(t, 'softphone-e2e', sim);
  const page = await newPage(browser, tb.url);
  await login(page, 'agent1');
  await page.goto('/desk');
  await page.waitForSelector('#live.up');
  await page.check('#use-browser');
  t.ok(await page.isDisabled('#station'), 'no extension to type when answering in the browser');
  await page.keyboard.press('F2');
  await page.waitForSelector('#agent-state[data-state="ready"]');
  await page.waitForSelector('#softphone[data-state="idle"]');
  t.pass('ready on the browser station');

  const call = sim.placeCall({ caller: '13800138071' });
  call.press('0');
  await page.waitForSelector('#softphone[data-state="ringing"]');
  await page.waitForSelector(`#call-pop[data-call="${call.callId}"]`);
  t.pass('the desk rings with the call pop');
  await shot(page, 'softphone-ringing');
  await page.click('#sp-answer');
  await page.waitForSelector('#softphone[data-state="talking"]', { timeout: 20_000 });
  t.pass('answered in the browser');
  await page.click('#sp-mute');

  // Caller → agent: the caller's 1 kHz tone, detected in the page on the desk's audio element.
  const listening = page.evaluate<number>(pageToneDetector(1000));
  await new Promise((r) => setTimeout(r, 300));
  const toneAt = Date.now();
  const playing = (async () => {
    for (let i = 0; i < 100; i++) {
      call.say(linearToAlaw(sineTone(1000, 20, 8000, i * 160)));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const heardAt = await listening;
  await playing;
  t.pass(`caller → agent: the caller's tone heard in the page ${heardAt - toneAt} ms after it started`);

  // Agent → caller: unmuting lets the fake microphone's 1.4 kHz through; the caller hears it on the trunk.
  const atCaller: { at: number; share: number }[] = [];
  call.on('heard', (f) => atCaller.push({ at: Date.now(), share: toneShare(alawToLinear(f), 1400) }));
  await new Promise((r) => setTimeout(r, 300));
  t.notOk(atCaller.some((f) => f.share > 0.8), 'nothing of the agent reaches the caller while muted');
  const unmutedAt = Date.now();
  await page.click('#sp-mute');
  const deadline = Date.now() + 5000;
  while (!atCaller.some((f) => f.at >= unmutedAt && f.share > 0.8) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const first = atCaller.find((f) => f.at >= unmutedAt && f.share > 0.8);
  t.ok(first, 'the caller hears the agent’s microphone');
  t.pass(`agent → caller: heard on the trunk ${first ? first.at - unmutedAt : NaN} ms after the unmute click`);

  // Hold: the caller hears silence, not the agent; resuming brings the agent back.
  await page.click('#sp-hold');
  await page.waitForSelector('#sp-state[data-held="1"]');
  await new Promise((r) => setTimeout(r, 200));
  const heldFrom = Date.now();
  await new Promise((r) => setTimeout(r, 400));
  t.notOk(atCaller.some((f) => f.at > heldFrom && f.share > 0.8), 'on hold the caller does not hear the agent');
  await page.keyboard.press('Alt+H');
  await page.waitForSelector('#sp-state[data-held="0"]');
  const resumedAt = Date.now();
  await new Promise((r) => setTimeout(r, 400));
  t.ok(atCaller.some((f) => f.at > resumedAt && f.share > 0.8), 'Alt+H resumes: the caller hears the agent again');

  // The caller's keys still reach the box during the conversation.
  const digits = new Promise<string>((resolve) => sim.on('digits', (e) => e.callId === call.callId && resolve(e.digits)));
  call.press('5');
  t.equal(await digits, '5', 'DTMF from the caller reaches the box');

  await page.keyboard.press('F8');
  await call.ended;
  await page.waitForSelector('#softphone[data-state="idle"]');
  t.pass('the agent hung up in the browser');
  const view = await (async () => {
    for (let i = 0; i < 100; i++) {
      const v = center.records.get(call.callId);
      if (v?.call.outcome) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
    return center.records.get(call.callId);
  })();
  t.equal(view?.call.outcome, 'answered');
  t.ok(view?.legs.some((l) => l.kind === 'ring' && l.target?.startsWith('browser/')), 'rung at the browser station');
  t.ok(view?.legs.some((l) => l.kind === 'agent'), 'the agent’s leg');
  await shot(page, 'softphone-after');
});

t.test('on the E1 span: a caller from the telco simulator talks with the agent’s browser on one B-channel, recorded both ways', async (t) => {
  const h = await e1Harness();
  const { tb, browser, center } = await softphoneBox(t, 'softphone-e2e-e1', h.driver, () => h.close());
  const page = await readyInBrowser(browser, tb.url, 'agent1');

  const offered = h.next('offered');
  const line = h.telco.placeCall({ caller: '13800138072' });
  const o = await offered;
  await line.waitFor('answered');
  line.pressDigits('0');
  await page.waitForSelector('#softphone[data-state="ringing"]', { timeout: 30_000 });
  await page.click('#sp-answer');
  await page.waitForSelector('#softphone[data-state="talking"]', { timeout: 20_000 });
  t.equal(h.telco.activeLines.length, 1, 'one B-channel for the call: no second call to a station');
  await page.click('#sp-mute');

  // Caller → agent, on the B-channel through the span worker to the page's analyser.
  const listening = page.evaluate<number>(pageToneDetector(1000));
  await new Promise((r) => setTimeout(r, 300));
  const toneAt = Date.now();
  line.play(linearToAlaw(sineTone(1000, 1500, 8000)));
  const heardAt = await listening;
  t.pass(`caller → agent (E1): the caller's tone heard in the page ${heardAt - toneAt} ms after it started`);
  await line.drained();

  // Agent → caller: unmute; the agent's microphone reaches the caller's B-channel.
  const from = line.received.length;
  const unmutedAt = Date.now();
  await page.click('#sp-mute');
  let heardByCaller: number | undefined;
  for (let i = 0; i < 250 && heardByCaller === undefined; i++) {
    await new Promise((r) => setTimeout(r, 20));
    if (line.received.slice(from).some((f) => toneShare(alawToLinear(f), 1400) > 0.8)) heardByCaller = Date.now();
  }
  t.ok(heardByCaller !== undefined, 'the caller hears the agent’s microphone on the B-channel');
  t.pass(`agent → caller (E1): heard on the B-channel ${heardByCaller! - unmutedAt} ms after the unmute click`);

  const digit = h.next('digits', (e) => e.callId === o.callId);
  line.pressDigits('5');
  t.match(await digit, { digits: '5' }, 'DTMF from the caller still reaches the box');

  await page.click('#sp-hangup');
  await line.released;
  const view = await (async () => {
    for (let i = 0; i < 100; i++) {
      const v = center.records.get(o.callId);
      if (v?.call.outcome) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
    return center.records.get(o.callId);
  })();
  t.equal(view?.call.outcome, 'answered');
  const file = view?.call.recording_file;
  // The span worker finishes the recording (its .part renamed) after the hang-up it hears: on a busy machine
  // that can come after the call record closes.
  const recorded = file ? await waitFor('the recording file', () => fs.existsSync(file), 15_000, 50).catch(() => false) : false;
  t.ok(recorded, 'the conversation was recorded');
  const pcm = alawToLinear(wavToAlaw(fs.readFileSync(file!)));
  const blocks = Array.from({ length: Math.floor(pcm.length / 160) }, (_, i) => pcm.subarray(i * 160, i * 160 + 160));
  t.ok(blocks.some((b) => toneShare(b, 1000) > 0.8), 'the recording holds the caller');
  t.ok(blocks.some((b) => toneShare(b, 1400) > 0.8), 'and the agent');
});

t.test('a one-key transfer from the browser releases the agent; a refused microphone says so and drops no caller', async (t) => {
  const sim = new SimulatorTrunk({ promptMs: () => 20 });
  // A second browser that grants no microphone (no fake permission prompt: headless chromium refuses).
  const refusing = await launch(['--use-fake-device-for-media-stream']);
  const { tb, browser } = await softphoneBox(t, 'softphone-e2e-transfer', sim, () => refusing.close());
  const page = await readyInBrowser(browser, tb.url, 'agent1');

  const call = sim.placeCall({ caller: '13800138073' });
  call.press('0');
  await page.waitForSelector('#softphone[data-state="ringing"]');
  await page.keyboard.press('F7');
  await page.waitForSelector('#softphone[data-state="talking"]', { timeout: 20_000 });
  t.pass('F7 answers');
  await page.click('#transfer-12306');
  await call.ended;
  await page.waitForSelector('#softphone[data-state="idle"]');
  await page.waitForSelector('#agent-state[data-state="wrap-up"]');
  t.equal(call.log.transferredTo, '12306', 'the caller reached 12306');
  t.pass('the agent’s browser is released and the agent is in wrap-up');

  // Another agent whose browser refuses the microphone.
  const r = await tb.admin('POST', '/api/users', { username: 'agent2', role: 'agent', password: 'Lanzhou-12328-test2' });
  t.equal(r.status, 201);
  const other = await readyInBrowser(refusing, tb.url, 'agent2', 'Lanzhou-12328-test2');
  const second = sim.placeCall({ caller: '13800138074' });
  second.press('0');
  await other.waitForSelector('#softphone[data-state="ringing"]');
  await other.click('#sp-answer');
  await other.waitForSelector('#softphone[data-state="mic-refused"]');
  t.match(await other.textContent('#sp-state'), /麦克风/, 'the desk says the microphone is not allowed, and how to allow it');
  t.equal(sim.activeCalls, 1, 'the caller is still with the box (the ring times out to the next agent or the queue)');
  t.notOk(second.log.hangup, 'no caller dropped');
  second.hangup();
  await second.ended;
});

// Softphone bench (issue 17): the box's CPU per concurrent call answered in the browser, beside the
// telephone-station bridge in the same run, on one E1 span (span worker + telco simulator, as the e1 bench).
//
//   softphone.cpu-per-call.bridge  baseline: 15 calls (a span's 30 channels: the caller's and the station's
//                                  leg per call), each caller and station talking, the worker hairpinning
//                                  the two B-channels.
//   softphone.cpu-per-call         30 calls (all 30 channels carry callers), each caller talking on the
//                                  B-channel and each agent's browser talking back: the worker taps the
//                                  channel, the box runs one WebRTC peer per call (DTLS-SRTP, PCMA, the jitter
//                                  buffer, the playout clock).
//
// CPU is the span worker's plus this process's (the E1 facade and, for the browser calls, their peers; the
// telco simulator also runs here — a real box does not run it — and its share is in both figures), in ms of
// CPU per call per second of conversation. The browsers run in their own process (lib/browser-peers.ts) and
// are not counted.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { linearToAlaw } from '../../drivers/media/alaw.js';
import { sineTone } from '../../drivers/media/tones.js';
import type { SimLine } from '../../drivers/e1-pri/telco-sim/telco.js';
import { BrowserStations, browserStation, withBrowserStations } from '../../firmware-agent/softphone/stations.js';
import { e1Harness } from '../rigs/e1-harness.js';
import { type Figure, round } from './lib/figure.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** A minute of a caller's 1 kHz tone (the line plays what is queued, 20 ms a frame). */
const speech = linearToAlaw(sineTone(1000, 60_000, 8000));

interface Load {
  calls: number;
  cpuMsPerCallPerS: number;
  workerMsPerCallPerS: number;
  boxMsPerCallPerS: number;
}

async function measure(mode: 'bridge' | 'browser', calls: number, seconds: number): Promise<Load> {
  const h = await e1Harness({ behaviour: () => ({ kind: 'answer' }) });
  const stations = new BrowserStations({ driver: h.driver });
  const driver = withBrowserStations(h.driver, stations);
  const lines: SimLine[] = [];
  h.telco.on('incoming', (line) => lines.push(line)); // a station's leg: it talks too
  const browsers = mode === 'browser' ? fork(path.join(here, 'lib/browser-peers.ts'), [], { execArgv: process.execArgv }) : undefined;
  const reply = (op: string, id: string) =>
    new Promise<{ sdp?: string }>((resolve) => {
      const on = (m: { op: string; id: string; sdp?: string }) => {
        if (m.op !== op || m.id !== id) return;
        browsers!.off('message', on);
        resolve(m);
      };
      browsers!.on('message', on);
    });
  try {
    for (let i = 0; i < calls; i++) {
      const caller = `1390000${String(i).padStart(4, '0')}`;
      const offered = h.next('offered', (e) => e.caller === caller);
      const line = h.telco.placeCall({ caller });
      const o = await offered;
      await driver.answer(o.callId);
      await line.waitFor('answered');
      lines.push(line);
      if (mode === 'bridge') {
        const r = await driver.connectAgent(o.callId, `80${String(i).padStart(2, '0')}`, { ringTimeoutMs: 10_000 });
        if (r.outcome !== 'answered') throw new Error(`bench: station ${i}: ${r.outcome}`);
      } else {
        const ring = driver.connectAgent(o.callId, browserStation(i + 1), { ringTimeoutMs: 10_000 });
        const offer = reply('offer', o.callId);
        browsers!.send({ op: 'offer', id: o.callId });
        const connected = reply('connected', o.callId);
        browsers!.send({ op: 'answer', id: o.callId, sdp: await stations.answer(i + 1, o.callId, (await offer).sdp!) });
        await connected;
        const r = await ring;
        if (r.outcome !== 'answered') throw new Error(`bench: browser ${i}: ${r.outcome}`);
      }
    }
    for (const l of lines) l.play(speech);
    await new Promise((r) => setTimeout(r, 1000)); // settle: every stream flowing
    const probe0 = await h.driver.probe();
    const own0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const probe1 = await h.driver.probe();
    const own = process.cpuUsage(own0);
    const worker = (probe1.cpu.user + probe1.cpu.system - probe0.cpu.user - probe0.cpu.system) / 1000;
    const box = (own.user + own.system) / 1000;
    return {
      calls,
      cpuMsPerCallPerS: (worker + box) / calls / seconds,
      workerMsPerCallPerS: worker / calls / seconds,
      boxMsPerCallPerS: box / calls / seconds,
    };
  } finally {
    browsers?.send({ op: 'close' });
    await h.close();
  }
}

export async function run(opts: { quick?: boolean } = {}): Promise<Figure[]> {
  const seconds = opts.quick ? 3 : 10;
  const bridge = await measure('bridge', 15, seconds);
  const browser = await measure('browser', 30, seconds);
  const base: Figure = {
    bench: 'softphone.cpu-per-call.bridge',
    size: bridge.calls,
    seconds,
    cpu_ms_per_call_per_s: round(bridge.cpuMsPerCallPerS),
    worker_ms_per_call_per_s: round(bridge.workerMsPerCallPerS),
    box_process_ms_per_call_per_s: round(bridge.boxMsPerCallPerS),
    note: '15 calls bridged to telephone stations (all 30 channels), caller and station talking; worker + box process (with the telco simulator)',
  };
  return [
    base,
    {
      bench: 'softphone.cpu-per-call',
      size: browser.calls,
      seconds,
      cpu_ms_per_call_per_s: round(browser.cpuMsPerCallPerS),
      worker_ms_per_call_per_s: round(browser.workerMsPerCallPerS),
      box_process_ms_per_call_per_s: round(browser.boxMsPerCallPerS),
      ratio_vs_baseline: round(browser.cpuMsPerCallPerS / bridge.cpuMsPerCallPerS),
      baseline: base.bench,
      note: '30 calls answered in browsers (all 30 channels carry callers), both sides talking; box WebRTC peers (DTLS-SRTP, PCMA, jitter buffer) + worker taps; browsers in their own process, not counted',
    },
  ];
}

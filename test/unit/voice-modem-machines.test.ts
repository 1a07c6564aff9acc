// The voice modem's small state machines on a virtual clock: ringing with caller ID (ringing.ts) and the merge
// of the modem's and the box's DTMF reports (dtmf-merge.ts), and the exchange's tones heard by the box
// (line-tones.ts).
import t from 'tap';
import { VirtualClock } from '../../common/clock.js';
import { DtmfMerger } from '../../drivers/media/dtmf-merge.js';
import { classifyLine } from '../../drivers/voice-modem/lines.js';
import { LineToneDetector, type LineTone } from '../../drivers/voice-modem/line-tones.js';
import { RingTracker, type RingEvent } from '../../drivers/voice-modem/ringing.js';

function tracker() {
  const clock = new VirtualClock();
  const events: RingEvent[] = [];
  let n = 0;
  const r = new RingTracker(clock, (e) => events.push(e), { cidWaitMs: 6000, ringGapMs: 8000 }, () => `c${++n}`);
  const line = (l: string) => r.onLine(classifyLine(l));
  return { clock, events, r, line };
}

t.test('RING, then caller ID: offered with the number at NMBR, once', async (t) => {
  const { clock, events, line } = tracker();
  line('RING');
  t.same(events, []);
  line('DATE = 1130');
  line('TIME = 2200');
  line('NMBR = 13812345678');
  await clock.advance(4000);
  line('RING');
  t.same(events.map((e) => e.type), ['offered']);
  t.match(events[0], { callId: 'c1', number: '13812345678', presentation: 'allowed' });
});

t.test('no caller ID: offered without a number at the second RING', async (t) => {
  const { clock, events, line } = tracker();
  line('RING');
  await clock.advance(5000);
  line('RING');
  t.match(events, [{ type: 'offered', number: null, presentation: 'unavailable' }]);
});

t.test('a single ring and nothing more: offered at the caller-ID wait, abandoned at the ring gap', async (t) => {
  const { clock, events, line } = tracker();
  line('RING');
  await clock.advance(6000);
  t.match(events, [{ type: 'offered' }]);
  await clock.advance(2000);
  t.match(events, [{ type: 'offered' }, { type: 'abandoned', callId: 'c1' }]);
});

t.test('an answered call is not abandoned when the rings stop; the next RING is a new call', async (t) => {
  const { clock, events, r, line } = tracker();
  line('RING');
  line('NMBR = P');
  r.taken('c1');
  await clock.advance(20_000);
  t.same(events.map((e) => e.type), ['offered']);
  t.match(events[0], { number: null, presentation: 'restricted' });
  line('RING');
  line('NMBR = 13900000000');
  t.match(events[1], { callId: 'c2' });
});

t.test('caller ID without a RING before it is ignored (noise, or a call already answered)', async (t) => {
  const { events, line } = tracker();
  line('NMBR = 13900000000');
  t.same(events, []);
});

t.test('DTMF merge: one press heard by both detectors is one digit, in either order', async (t) => {
  const m = new DtmfMerger(300);
  t.equal(m.report('box', '1', 0), true);
  t.equal(m.report('module', '1', 30), false);
  t.equal(m.report('module', '2', 200), true);
  t.equal(m.report('box', '2', 215), false);
});

t.test('DTMF merge: a key pressed twice quickly is two digits', async (t) => {
  const m = new DtmfMerger(300);
  const out = [
    m.report('box', '1', 25),
    m.report('module', '1', 40),
    m.report('box', '1', 165),
    m.report('module', '1', 180),
  ];
  t.same(out, [true, false, true, false]);
});

t.test('DTMF merge: a digit only one detector heard still counts; a lagging detector does not add digits', async (t) => {
  const m = new DtmfMerger(300);
  // The box hears three presses; the modem reports each 200 ms late.
  const out = [m.report('box', '1', 0), m.report('box', '1', 140), m.report('module', '1', 200), m.report('box', '1', 280), m.report('module', '1', 340), m.report('module', '1', 480)];
  t.same(out, [true, true, false, true, false, false]);
  // Only the modem hears a key (the box plays a prompt in half duplex).
  t.equal(m.report('module', '9', 2000), true);
  // A report of the same digit long after is a new press.
  t.equal(m.report('box', '9', 2600), true);
});

/** 450 Hz on/off (onMs, offMs; offMs 0 = continuous) for `ms`, after `leadMs` of silence, at −14 dBm0. */
function lineTone(onMs: number, offMs: number, ms: number, leadMs = 500, noise = 0): Int16Array {
  const out = new Int16Array(((leadMs + ms) * 8000) / 1000);
  const lead = (leadMs * 8000) / 1000;
  const period = ((onMs + offMs) * 8000) / 1000;
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
  for (let i = 0; i < out.length; i++) {
    const k = i - lead;
    const on = k >= 0 && (offMs === 0 || k % period < (onMs * 8000) / 1000);
    out[i] = Math.round((on ? 4500 * Math.sin((2 * Math.PI * 450 * k) / 8000) : 0) + noise * rnd());
  }
  return out;
}

function toneVerdict(pcm: Int16Array): { tone: LineTone | null; atMs: number } {
  let tone: LineTone | null = null;
  let atMs = -1;
  let pushed = 0;
  const d = new LineToneDetector((t) => {
    tone = t;
    atMs = (pushed * 1000) / 8000;
  });
  for (let i = 0; i < pcm.length; i += 80) {
    pushed = i + 80;
    d.push(pcm.subarray(i, i + 80));
  }
  return { tone, atMs };
}

t.test('line tones heard by the box: busy (0.35/0.35 s), congestion (0.7/0.7 s), dial tone (continuous)', async (t) => {
  const busy = toneVerdict(lineTone(350, 350, 5000));
  t.equal(busy.tone, 'busy');
  t.ok(busy.atMs < 3500, `busy after ${busy.atMs} ms`);
  t.equal(toneVerdict(lineTone(700, 700, 8000)).tone, 'busy', 'congestion tone');
  t.equal(toneVerdict(lineTone(350, 350, 5000, 500, 1500)).tone, 'busy', 'busy tone in noise (SNR about 10 dB)');
  t.equal(toneVerdict(lineTone(1, 0, 4000)).tone, 'dial-tone');
  t.equal(toneVerdict(lineTone(350, 350, 1200)).tone, null, 'one cycle is not yet busy');
  t.equal(toneVerdict(lineTone(100, 100, 5000)).tone, null, 'a fast beep is not the busy cadence');
});

t.test('line tones: speech-like sounds and DTMF are not busy or dial tone', async (t) => {
  // A voiced sound: 150 Hz with harmonics (450 Hz is only the third), in 350 ms syllables.
  const n = 8000 * 5;
  const v = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const on = i % 5600 < 2800;
    let x = 0;
    for (let h = 1; h <= 8; h++) x += (3000 / h) * Math.sin((2 * Math.PI * 150 * h * i) / 8000);
    v[i] = on ? Math.round(x) : 0;
  }
  t.equal(toneVerdict(v).tone, null, 'a voiced sound with a 450 Hz harmonic');
  const dtmf = new Int16Array(n);
  for (let i = 0; i < n; i++) dtmf[i] = i % 5600 < 2800 ? Math.round(3000 * Math.sin((2 * Math.PI * 697 * i) / 8000) + 3000 * Math.sin((2 * Math.PI * 1209 * i) / 8000)) : 0;
  t.equal(toneVerdict(dtmf).tone, null, 'DTMF 1 in a busy-like cadence');
});

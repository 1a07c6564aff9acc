// The voice modem's small state machines on a virtual clock: ringing with caller ID (ringing.ts) and the merge
// of the modem's and the box's DTMF reports (dtmf-merge.ts).
import t from 'tap';
import { VirtualClock } from '../../drivers/trunk/clock.js';
import { DtmfMerger } from '../../drivers/voice-modem/dtmf-merge.js';
import { classifyLine } from '../../drivers/voice-modem/lines.js';
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

// The trunk driver contract (drivers/trunk/types.ts, rules T1–T10), written once and run against every
// driver through a rig: the simulator (test/unit/calls-trunk-contract.test.ts), the serial AT gateway through
// its modem simulator (test/unit/serial-at-trunk.test.ts) and the E1 driver through the telco simulator
// (test/integration/e1-contract.test.ts). A rig gives a started driver and the line side of its calls; the
// checks below see nothing else, so what passes here holds for the call engine on any of them. Each driver's
// test file adds what only it can show (restarts, capabilities, background recording…).
import type { Test } from 'tap';
import { TrunkError, type Prompt, type TrunkDriver, type TrunkEventName, type TrunkEvents } from '../../drivers/trunk/types.js';

/** One call as the line (the caller's side) sees it. */
export interface LineCall {
  callId: string;
  /** The caller presses keys (DTMF however the line carries it). */
  press(digits: string): void;
  /** The caller hangs up (before the answer: gives up while it rings). */
  hangup(): void;
  /** Resolves once the line has seen the box's answer (a real line takes a moment). */
  answered(): Promise<void>;
}

export interface TrunkRig {
  /** Started, ready for calls. */
  trunk: TrunkDriver;
  /** A call from `caller`, resolved once the driver has offered it. */
  call(caller: string): Promise<LineCall>;
  /** Runs the driver until `p` settles: a rig on a virtual clock advances it, one on a real line waits. */
  until<T>(p: Promise<T>): Promise<T>;
  /** Lets `ms` pass on the rig's clock (virtual or real): what the line sent has arrived after it. */
  pause(ms: number): Promise<void>;
  /** A prompt this driver can play that lasts about a second. */
  prompt: Prompt;
  close(): Promise<void>;
}

export interface ContractRigs {
  /** A driver not started yet. */
  unstarted(): TrunkDriver;
  started(): Promise<TrunkRig>;
}

/** How a command settled: 'resolved', or the TrunkError code it rejected with. */
export const outcomeCode = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e instanceof TrunkError ? e.code : String(e)),
  );

/** The next `event` from the driver that passes `filter` (listen before doing what causes it). */
export function nextEvent<K extends TrunkEventName>(trunk: Pick<TrunkDriver, 'on' | 'off'>, event: K, filter: (e: TrunkEvents[K]) => boolean = () => true): Promise<TrunkEvents[K]> {
  return new Promise((resolve) => {
    const once = (e: TrunkEvents[K]) => {
      if (!filter(e)) return;
      trunk.off(event, once);
      resolve(e);
    };
    trunk.on(event, once);
  });
}

export function trunkContract(t: Test, rigs: ContractRigs): void {
  const open = async (t: Test) => {
    const rig = await rigs.started();
    t.teardown(() => rig.close());
    return rig;
  };
  const answered = async (rig: TrunkRig, caller: string) => {
    const line = await rig.call(caller);
    await rig.until(rig.trunk.answer(line.callId));
    await rig.until(line.answered());
    return line;
  };

  t.test('T1: commands before start or after stop reject with driver-down; stop ends calls in flight', async (t) => {
    t.equal(await outcomeCode(rigs.unstarted().answer('x')), 'driver-down', 'before start');
    const rig = await open(t);
    const line = await rig.call('13800000031');
    const hangup = nextEvent(rig.trunk, 'hangup');
    await rig.until(rig.trunk.stop());
    t.match(await rig.until(hangup), { callId: line.callId, cause: 'driver-stopped' }, 'the call in flight ends with driver-stopped');
    t.equal(await outcomeCode(rig.trunk.answer(line.callId)), 'driver-down', 'after stop');
  });

  t.test('T3/T4: offered, digits, exactly one hang-up and nothing after it; commands on ended or unknown calls reject', async (t) => {
    const rig = await open(t);
    const events: string[] = [];
    rig.trunk.on('offered', () => events.push('offered'));
    rig.trunk.on('digits', () => events.push('digits'));
    rig.trunk.on('hangup', () => events.push('hangup'));
    const line = await answered(rig, '13800000032');
    const digit = nextEvent(rig.trunk, 'digits');
    line.press('1');
    t.match(await rig.until(digit), { callId: line.callId, digits: '1' });
    const gone = nextEvent(rig.trunk, 'hangup');
    line.hangup();
    t.match(await rig.until(gone), { callId: line.callId, party: 'caller' });
    line.hangup();
    line.press('2');
    await rig.pause(200);
    t.same(events, ['offered', 'digits', 'hangup'], 'nothing after the hang-up');
    t.equal(await outcomeCode(rig.trunk.answer(line.callId)), 'unknown-call');
    t.equal(await outcomeCode(rig.trunk.play('nope', { id: 'x' })), 'unknown-call');
    t.equal(await outcomeCode(rig.trunk.collectDigits('nope', { max: 1, firstDigitTimeoutMs: 10 })), 'unknown-call');
    t.equal(await outcomeCode(rig.trunk.hangup(line.callId)), 'resolved', 'hangup of an ended call resolves');
    t.equal(await outcomeCode(rig.trunk.hangup('nope')), 'resolved', 'and of an unknown one');
  });

  t.test('T3: a caller who gives up before the answer ends the call once, as caller-abandoned', async (t) => {
    const rig = await open(t);
    const line = await rig.call('13800000037');
    const gone = nextEvent(rig.trunk, 'hangup');
    line.hangup();
    t.match(await rig.until(gone), { callId: line.callId, cause: 'caller-abandoned', party: 'caller' });
    t.equal(await outcomeCode(rig.trunk.answer(line.callId)), 'unknown-call', 'and it cannot be answered after');
  });

  t.test('T5: media needs an answered call; T6: one media operation at a time', async (t) => {
    const rig = await open(t);
    const line = await rig.call('13800000033');
    t.equal(await outcomeCode(rig.trunk.play(line.callId, rig.prompt)), 'not-answered');
    t.equal(await outcomeCode(rig.trunk.collectDigits(line.callId, { max: 1, firstDigitTimeoutMs: 10 })), 'not-answered');
    await rig.until(rig.trunk.answer(line.callId));
    await rig.until(line.answered());
    const playing = rig.trunk.play(line.callId, rig.prompt);
    t.equal(await outcomeCode(rig.trunk.collectDigits(line.callId, { max: 1, firstDigitTimeoutMs: 1000 })), 'busy');
    t.same(await rig.until(playing), { outcome: 'completed' });
    t.equal(await outcomeCode(rig.trunk.collectDigits(line.callId, { max: 0, firstDigitTimeoutMs: 1000 })), 'invalid-argument');
    await rig.until(rig.trunk.hangup(line.callId));
  });

  t.test('T7: an interruptible prompt stops at the first digit and leaves it for collection', async (t) => {
    const rig = await open(t);
    const line = await answered(rig, '13800000034');
    const playing = rig.trunk.play(line.callId, rig.prompt, { interruptible: true });
    const digit = nextEvent(rig.trunk, 'digits');
    line.press('3');
    await rig.until(digit);
    t.same(await rig.until(playing), { outcome: 'interrupted', digit: '3' });
    t.same(await rig.until(rig.trunk.collectDigits(line.callId, { max: 1, firstDigitTimeoutMs: 1000 })), { outcome: 'max', digits: '3' }, 'the digit stays buffered');
    await rig.until(rig.trunk.hangup(line.callId));
  });

  t.test('T8: aborting a command settles it as cancelled; a hang-up settles it as caller-gone', async (t) => {
    const rig = await open(t);
    const line = await answered(rig, '13800000035');
    const ac = new AbortController();
    const collecting = rig.trunk.collectDigits(line.callId, { max: 4, firstDigitTimeoutMs: 30_000, signal: ac.signal });
    ac.abort();
    t.same(await rig.until(collecting), { outcome: 'cancelled', digits: '' });
    const ac2 = new AbortController();
    const playing = rig.trunk.play(line.callId, rig.prompt, { signal: ac2.signal });
    ac2.abort();
    t.same(await rig.until(playing), { outcome: 'cancelled' });
    const waiting = rig.trunk.collectDigits(line.callId, { max: 4, firstDigitTimeoutMs: 30_000 });
    const gone = nextEvent(rig.trunk, 'hangup');
    line.hangup();
    t.match(await rig.until(waiting), { outcome: 'caller-gone' });
    t.match(await rig.until(gone), { callId: line.callId }, 'and the hang-up is still emitted');
  });

  t.test('T10: a listener that throws does not stop delivery to the others', async (t) => {
    const rig = await open(t);
    rig.trunk.on('offered', () => {
      throw new Error('faulty listener');
    });
    const line = await answered(rig, '13800000036');
    t.ok(line.callId, 'the rig’s own listener still got the call');
    const gone = nextEvent(rig.trunk, 'hangup');
    line.hangup();
    await rig.until(gone);
  });
}

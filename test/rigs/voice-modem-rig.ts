// The scenario rig (scenarios.ts) on the V.253 voice-modem driver: a CallCenter on VoiceModemTrunk, which
// talks over a real socat pty to the simulated voice modem (drivers/voice-modem/simulator), real time.
//
// - One rig = one analog line = one modem (ready.channels 1): callers ring one after another.
// - Callers are the simulated line: RING with caller ID, the box's prompts are heard as audio (captured by
//   the simulator), each menu choice is pressed when the box starts collecting — as real DTMF tones in the
//   voice stream and as the modem's DLE digit events (the driver merges both); the voicemail caller speaks
//   real espeak-ng speech (the welcome prompt, looped), then presses #. `call.hangup()` is a loop-current drop.
// - Prompts are the real espeak-ng + sox prompts (generatePrompts, machine-wide cache), cut to `promptMs` /
//   scale, as in the E1 rig.
// - Scenario time runs `scale` times faster: the queue timings, voicemail length and caller timings are
//   divided by `scale` in the rig's copy of the configuration; the digit timeout is not (DTMF takes real time).
// - An analog line carries no called number: a box answers each line for one number (`called`). A scenario
//   that dials a legacy number stands for a second line wired for it; the rig relabels the offered call with
//   the number the script dialled (see `relabel`), as that line's `--called` would.
// The caller-side log (prompts, collects, recordings) is what the centre commanded, observed by
// ObservedTrunk (e1-rig-observed.ts) between the CallCenter and the driver.
import type { CallerScript } from '../../drivers/simulator/callers.js';
import type { TrunkDriver, TrunkEventName, TrunkListener, TrunkEvents } from '../../drivers/trunk/types.js';
import type { VoiceSimOptions } from '../../drivers/voice-modem/simulator/modem-sim.js';
import { promptsOf } from '../helpers/prompts.js';
import { shiftedClock } from './e1-rig.js';
import { ObservedTrunk, RigCall } from './e1-rig-observed.js';
import { playCallerScript, realTime, rigCenter, scaledConfig, scheduler, speechOf } from './kit.js';
import { mondayMorning, type Rig, type RigOptions } from './scenarios.js';
import { voicePtyRig, type VoicePtyRig } from './voice-modem-harness.js';

export interface VoiceRigSettings {
  scale?: number;
  promptMs?: number;
  untilLimitMs?: number;
  sim?: VoiceSimOptions;
}

export interface VoiceRig extends Rig {
  line: VoicePtyRig;
}

/**
 * The analog line's driver as the centre sees it, with the offered call's `called` set to the number the
 * ringing script dialled (a box answers each analog line for one configured number; see the file comment).
 */
class Relabel implements TrunkDriver {
  readonly kind: string;
  readonly capabilities: TrunkDriver['capabilities'];
  readonly #wrapped = new Map<unknown, unknown>();
  constructor(
    private readonly inner: TrunkDriver,
    private readonly calledOf: () => string | undefined,
  ) {
    this.kind = inner.kind;
    this.capabilities = inner.capabilities;
  }
  on<K extends TrunkEventName>(event: K, l: TrunkListener<K>): void {
    if (event !== 'offered') return this.inner.on(event, l);
    const w: TrunkListener<'offered'> = (e) => (l as TrunkListener<'offered'>)({ ...e, called: this.calledOf() ?? e.called });
    this.#wrapped.set(l, w);
    this.inner.on('offered', w);
  }
  off<K extends TrunkEventName>(event: K, l: TrunkListener<K>): void {
    const w = this.#wrapped.get(l) as TrunkListener<K> | undefined;
    this.inner.off(event, w ?? l);
  }
  start = () => this.inner.start();
  stop = () => this.inner.stop();
  answer: TrunkDriver['answer'] = (...a) => this.inner.answer(...a);
  play: TrunkDriver['play'] = (...a) => this.inner.play(...a);
  collectDigits: TrunkDriver['collectDigits'] = (...a) => this.inner.collectDigits(...a);
  connectAgent: TrunkDriver['connectAgent'] = (...a) => this.inner.connectAgent(...a);
  transfer: TrunkDriver['transfer'] = (...a) => this.inner.transfer(...a);
  record: TrunkDriver['record'] = (...a) => this.inner.record(...a);
  hangup: TrunkDriver['hangup'] = (...a) => this.inner.hangup(...a);
}


/** A rig factory for scenarios.ts on the voice-modem driver. */
export function voiceModemRig(settings: VoiceRigSettings = {}): (options?: RigOptions) => Promise<VoiceRig> {
  const scale = settings.scale ?? 10;
  const promptMs = settings.promptMs ?? 2000;
  const untilLimitMs = settings.untilLimitMs ?? 60_000;
  const wall = (ms: number) => ms / scale;

  return async (options: RigOptions = {}): Promise<VoiceRig> => {
    const prompts = await promptsOf(wall(promptMs));
    const clock = shiftedClock(options.start ?? mondayMorning);
    const line = await voicePtyRig({ clock, sim: { family: 'conexant', duplex: true, ...settings.sim } });
    const dir = line.dir;
    const { later, errors, clear: clearTimers } = scheduler(wall);

    const config = scaledConfig(options.config, dir, prompts.cut, wall);

    // Callers wait their turn on the one line: the next rings when the previous call is over.
    const waiting: RigCall[] = [];
    let ringing: { call: RigCall; script: CallerScript } | undefined;
    const scripts = new Map<RigCall, CallerScript>();
    const byId = new Map<string, RigCall>();
    const driver = line.trunk;
    driver.on('offered', (o) => {
      const c = ringing?.call;
      if (!c) return;
      c.bind(o.callId);
      byId.set(o.callId, c);
    });
    const end = (id: string, fill: (c: RigCall) => void) => {
      const c = byId.get(id);
      if (!c) return;
      byId.delete(id);
      fill(c);
      c.finish();
      if (ringing?.call === c) ringing = undefined;
      const next = waiting.shift();
      if (next) ring(next);
    };
    driver.on('hangup', (e: TrunkEvents['hangup']) => end(e.callId, (c) => (c.log.hangup = e)));
    driver.on('failed', (f) => {
      for (const id of f.callIds) end(id, (c) => (c.log.failed = true));
    });
    const relabelled = new Relabel(driver, () => ringing?.script.called);
    const observed = new ObservedTrunk(relabelled, (id) => byId.get(id), () => clock.now(), 1);

    const { db, center, tickets, events } = await rigCenter({ driver: observed, config, clock });

    const speech = speechOf(prompts.full, wall);

    const ring = (call: RigCall) => {
      const script = scripts.get(call)!;
      ringing = { call, script };
      line.sim.ring(script.caller ?? null);
    };

    const rig: VoiceRig = {
      center,
      tickets,
      events,
      line,
      agent(id, state, station = `80${id}`, b = {}) {
        // No station can be rung on a one-line modem (stations 'none'); the agent exists for the ACD only.
        center.acd.setState({ agentId: id, name: `agent${id}`, state, station, skills: b.skills ?? [] });
      },
      removeStation() {},
      caller(script: CallerScript) {
        const called = script.called ?? '12328';
        const call: RigCall = new RigCall(script.caller, called, () => {
          if (call.callId) line.sim.hangUp('loop-drop');
          else {
            const i = waiting.indexOf(call);
            if (i >= 0) waiting.splice(i, 1);
            call.finish();
          }
        });
        scripts.set(call, script);
        const { done } = playCallerScript(
          call,
          script,
          {
            press(digits) {
              if (byId.get(call.callId) === call) line.sim.press(digits);
            },
            speak: (pcm) => line.sim.speak(pcm),
          },
          { later, speech },
        );
        if (ringing) waiting.push(call);
        else ring(call);
        return { call, done };
      },
      time: realTime('voice rig', untilLimitMs, wall),
      async close() {
        clearTimers();
        await center.stop();
        await line.close();
        db.close();
        if (errors.length) throw new Error(`voice rig: a scripted caller failed: ${String(errors[0])}`, { cause: errors[0] });
      },
    };
    return rig;
  };
}

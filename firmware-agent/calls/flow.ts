// The flow of one call: IVR menu, the national routing rules, the queue, and the overflow to callback or
// voicemail. One async function per call; every wait listens to the call's abort signal so a hang-up or a
// driver failure ends the flow promptly. The call record is written as the flow goes (center.ts closes it
// at hang-up), so whatever happens the record says how far the call got.
//
// Routing rules come before anything that needs an agent or business hours (design §5): water distress is
// transferred to 12395 at once, railway/aviation/postal callers hear the right number, at any hour and
// however busy the agents are.
//
// Every step that needs a capability the trunk may lack has a fallback that never drops the caller and never
// loses the contact (drivers/trunk/types.ts C1–C5): distress without transfer → the 12395 announcement where
// the trunk can play and the first free agent ahead of the queue, with an urgent ticket filed at once (its
// duty alert goes out by SMS); a referral that cannot be heard → a person; no digits → a person without the
// menu; no recording → a ticket from the missed call with a callback task for the next working day and an SMS
// with its number; no station → the same ticket and callback.
//
// The flow decides; two modules carry out what it delegates: unanswered.ts (the callback, voicemail and
// missed-call tickets a caller leaves when no agent answers) and referral.ts (railway, aviation, postal).
import { TrunkError, type Prompt, type TransferResult } from '../../drivers/trunk/types.js';
import type { Reservation } from './acd.js';
import type { MenuItem } from './config.js';
import type { CallContext, CallVoice, FlowDeps } from './context.js';
import { isOpen } from './hours.js';
import { recordingFile } from './records.js';
import { referral } from './referral.js';
import { Unanswered } from './unanswered.js';
import type { PromptId } from './prompts.js';

export class CallFlow {
  /** What the caller leaves when no agent takes the call: a callback task, voicemail, a ticket (unanswered.ts). */
  readonly #unanswered: Unanswered;
  /** The flow's steps the modules it delegates to may take. */
  readonly #voice: CallVoice;

  constructor(
    private readonly d: FlowDeps,
    private readonly ctx: CallContext,
  ) {
    this.#voice = {
      play: (id, interruptible) => this.#play(id, interruptible),
      hangup: () => this.#safeHangup(),
      routed: (route, target) => this.#routed(route, target),
      transfer: (number) => this.#transfer(number),
      toAgent: (why) => this.#toAgent(null, null, why),
    };
    this.#unanswered = new Unanswered(d, ctx, this.#voice);
  }

  /** The settings this call started with (a later reconfigure() does not change them). */
  get config(): FlowDeps['config'] {
    return this.d.config;
  }

  get #id(): string {
    return this.ctx.offered.callId;
  }

  async run(): Promise<void> {
    try {
      await this.#run();
    } catch (err) {
      if (this.ctx.ended) return; // the call is over; a command racing the hang-up failed, as T4 allows
      this.d.log.error({ err, callId: this.#id }, 'call flow failed');
      await this.#safeHangup();
    }
  }

  async #run(): Promise<void> {
    const { driver, config } = this.d;
    this.ctx.afterHours = !isOpen(this.ctx.offered.at, config.ivr.hours, this.d.calendar);
    await driver.answer(this.#id);
    this.d.records.update(this.#id, { ivr_answered_at: this.d.clock.now(), after_hours: this.ctx.afterHours ? 1 : 0 });
    const leg = this.d.records.legStart(this.#id, 'ivr', null, this.d.clock.now());
    if (this.ctx.legacy && !(await this.#play('legacy'))) return;
    if (!(await this.#play('welcome', true))) return;
    if (driver.capabilities.digits === 'none') {
      // C4: nothing detects the caller's keys, so the menu cannot be answered: a person, without its retries.
      this.d.records.legEnd(leg, this.d.clock.now(), 'no-digits');
      return this.#toAgent(null, null, 'no-digits');
    }
    const item = await this.#menu();
    this.d.records.legEnd(leg, this.d.clock.now(), item === 'gone' ? 'caller-gone' : 'chosen');
    if (item === 'gone') return;
    if (item === 'fallback') {
      // No valid choice after the retries: a person helps (or, after hours, a voicemail).
      return this.#toAgent(null, null, 'menu-fallback');
    }
    this.d.records.update(this.#id, { menu_choice: item.digit });
    this.ctx.menuChoice = item.digit;
    const a = item.action;
    if (a.kind === 'distress') return this.#distress();
    if (a.kind === 'redirect') return referral(this.d, this.ctx, this.#voice, a.service === 'railway-aviation-postal' ? null : a.service);
    return this.#toAgent(a.ticketType, a.skill ?? null, `menu-${item.digit}`);
  }

  // ---- IVR -----------------------------------------------------------------------------------------------

  async #menu(): Promise<MenuItem | 'fallback' | 'gone'> {
    const { driver, config } = this.d;
    for (let attempt = 0; attempt <= config.ivr.maxRetries; attempt++) {
      for (const m of config.ivr.menu) {
        const r = await this.#playPrompt(this.d.prompts.get(m.label as PromptId), true);
        if (r === 'gone') return 'gone';
        if (r === 'interrupted') break;
      }
      const c = await driver.collectDigits(this.#id, {
        max: 1,
        firstDigitTimeoutMs: config.ivr.digitTimeoutMs,
        signal: this.ctx.ac.signal,
      });
      if (c.outcome === 'caller-gone' || c.outcome === 'cancelled' || this.ctx.ended) return 'gone';
      const item = config.ivr.menu.find((m) => m.digit === c.digits);
      if (item) return item;
      if (attempt === config.ivr.maxRetries) break;
      if (!(await this.#play(c.outcome === 'timeout' ? 'menu.timeout' : 'menu.invalid'))) return 'gone';
    }
    return 'fallback';
  }

  #routed(route: string, target?: string): void {
    this.ctx.route = route;
    this.d.records.update(this.#id, { route });
    this.d.onRouted?.(this.#id, route);
    this.d.events.publish({ type: 'call.routed', at: this.d.clock.now(), callId: this.#id, route, ...(target ? { target } : {}) });
  }

  /**
   * 水上遇险: transfer to 12395 at once — no prompt first, no business-hours or agent check. Where the trunk
   * cannot transfer (C1), or the transfer failed three times: the number is announced twice where the trunk
   * can play, an urgent ticket is filed at once (the SMS channel alerts the duty phone), and the caller goes
   * to the first free agent ahead of everyone queued, at any hour; the desk shows the call as distress.
   */
  async #distress(): Promise<void> {
    const number = this.d.config.ivr.distressNumber;
    const caps = this.d.driver.capabilities;
    this.#routed('distress', number);
    if (caps.transfer) {
      for (let attempt = 0; attempt < 3; attempt++) {
        if (await this.#transfer(number)) return;
        if (this.ctx.ended) return this.#missedDistress(); // hung up while 12395 rang: the centre calls back
      }
      if (!(await this.#play('route.transfer-failed'))) return this.#missedDistress();
    }
    this.ctx.distress = true;
    this.d.records.update(this.#id, { route: 'distress-fallback' });
    this.#unanswered.fileTicket('distress', true);
    if (caps.play !== 'none') {
      for (let i = 0; i < 2; i++) {
        if ((await this.#playPrompt(this.d.prompts.get('distress.announce', [number]))) === 'gone') return this.#missedDistress();
      }
    }
    if (caps.stations === 'none') {
      // Nobody can talk on this trunk: the duty officer calls back, first in the queue.
      this.#missedDistress();
      await this.#play('distress.callback');
      return this.#safeHangup();
    }
    if (caps.play !== 'none' && !(await this.#play('distress.agent'))) return this.#missedDistress();
    return this.#toAgent('complaint', null, 'distress-fallback', true);
  }

  /** A distress caller hung up (or cannot be put through) before reaching a person: a callback at the head. */
  #missedDistress(): void {
    if (!this.ctx.boxTicket) this.#unanswered.fileTicket('distress', true);
    if (this.ctx.callbackId || !this.ctx.offered.caller) return;
    this.#unanswered.callbackTask(null, 'distress', null);
  }

  async #transfer(number: string): Promise<boolean> {
    return (await this.#transferLeg(number)).outcome === 'connected';
  }

  async #transferLeg(number: string): Promise<TransferResult> {
    const leg = this.d.records.legStart(this.#id, 'transfer', number, this.d.clock.now());
    const r = await this.d.driver.transfer(this.#id, number, { ringTimeoutMs: 30_000, signal: this.ctx.ac.signal });
    this.d.records.legEnd(leg, this.d.clock.now(), r.outcome);
    if (r.outcome !== 'connected') return r;
    this.ctx.transferredTo = number;
    this.d.records.update(this.#id, { transferred_at: r.at, transferred_to: number });
    return r;
  }

  // ---- an agent's transfer (CallCenter.transfer checks who may, and to where) ---------------------------

  /**
   * The agent talking on this call hands the caller to an outside number: the agent's leg is released
   * (the agent goes to wrap-up, the station is free), then the driver transfers the caller (T5). Resolves
   * with the driver's outcome; after anything but `connected` the caller is still with the box and
   * `backToQueue()` should follow.
   */
  async agentTransfer(to: string, by: string): Promise<TransferResult> {
    const { acd, clock, records, events } = this.d;
    const agentId = this.ctx.agentId;
    if (agentId === undefined) throw new Error('agentTransfer: the call is not connected to an agent');
    this.ctx.transferring = true;
    const now = clock.now();
    records.legEnd(this.ctx.agentLeg, now, 'transferred');
    this.ctx.agentLeg = undefined;
    this.ctx.agentId = undefined; // the hang-up that follows must not release the agent a second time
    acd.released(agentId, this.ctx.agentAnsweredAt !== undefined ? now - this.ctx.agentAnsweredAt : null);
    this.d.log.info({ callId: this.#id, agentId, to, by }, 'agent transfers the call');
    let r: TransferResult;
    try {
      r = await this.#transferLeg(to);
    } catch (err) {
      if (!(err instanceof TrunkError) || this.ctx.ended) throw err;
      this.d.log.warn({ err, callId: this.#id, to }, 'agent transfer refused by the driver');
      r = { outcome: 'failed' };
    } finally {
      this.ctx.transferring = false;
    }
    events.publish({ type: 'call.transferred', at: clock.now(), callId: this.#id, agentId, to, by, outcome: r.outcome });
    return r;
  }

  /**
   * The agent's browser station dropped during the conversation (softphone/stations.ts): the agent is logged
   * out (their station is gone, as when a telephone station vanishes) and the caller goes back to the head of
   * the queue, their place and queue time kept.
   */
  async stationLost(): Promise<void> {
    const agentId = this.ctx.agentId;
    if (agentId === undefined || this.ctx.ended || this.ctx.transferring) return;
    const { acd, clock, records } = this.d;
    records.legEnd(this.ctx.agentLeg, clock.now(), 'station-lost');
    this.ctx.agentLeg = undefined;
    this.ctx.agentId = undefined; // the hang-up that may follow must not release the agent a second time
    acd.stationLost(agentId);
    this.d.log.warn({ callId: this.#id, agentId }, 'the agent’s station dropped during the call: the caller goes back to the head of the queue');
    return this.backToQueue('queue.enter');
  }

  /**
   * After a failed agent transfer (or a lost station): tell the caller, then back to the head of the queue
   * (their place kept).
   */
  async backToQueue(prompt: 'route.transfer-failed' | 'queue.enter' = 'route.transfer-failed'): Promise<void> {
    try {
      if (this.ctx.ended) return;
      this.d.records.update(this.#id, { status: 'queued' });
      if (!(await this.#play(prompt))) return;
      await this.#queue(this.ctx.skill ?? null, true);
    } catch (err) {
      if (this.ctx.ended) return;
      this.d.log.error({ err, callId: this.#id }, 'call flow failed after a failed transfer');
      await this.#safeHangup();
    }
  }

  // ---- agents, queue, overflow ---------------------------------------------------------------------------

  /** `urgent`: a distress caller — at any hour, ahead of everyone queued, never overflowing. */
  async #toAgent(ticketType: CallContext['ticketType'], skill: string | null, why: string, urgent = false): Promise<void> {
    this.ctx.ticketType = ticketType;
    this.ctx.skill = skill;
    this.d.records.update(this.#id, { ticket_type: ticketType, skill });
    if (this.ctx.afterHours && !urgent) {
      this.#routed('voicemail', why);
      return this.#unanswered.voicemail('closed');
    }
    if (this.d.driver.capabilities.stations === 'none') {
      // C5: no agent can talk on this trunk: a message (or a missed-call ticket) and a callback.
      this.#routed('voicemail', `${why}-no-stations`);
      return this.#unanswered.voicemail('overflow');
    }
    this.#routed('queue', why);
    // The call record keeps saying why a distress caller is queued (KPIs count distress by this route).
    if (this.ctx.distress) this.d.records.update(this.#id, { route: 'distress-fallback' });
    return this.#queue(skill, false, urgent);
  }

  /**
   * `again`: back from a failed agent transfer — at the head, keeping the place and queue time it had.
   * `ahead`: a distress caller — at the head from the start.
   */
  async #queue(skill: string | null, again = false, ahead = false): Promise<void> {
    const { acd, clock, config } = this.d;
    const queuedAt = again && this.ctx.queuedAt !== undefined ? this.ctx.queuedAt : clock.now();
    if (!again) {
      this.ctx.queuedAt = queuedAt;
      this.d.records.update(this.#id, { status: 'queued', queued_at: queuedAt });
    }
    let deadline = clock.now() + config.queue.maxWaitMs;
    let atHead = again || ahead || !!this.ctx.distress;
    let announce = !again; // the first announcement comes right after the greeting
    for (;;) {
      const leg = this.d.records.legStart(this.#id, 'queue', skill, clock.now());
      const wake = new AbortController();
      let reservation: Reservation | null = null;
      void acd.enqueue(this.#id, 'call', skill, queuedAt, this.ctx.distress ? 'urgent' : atHead, (r) => {
        reservation = r;
        wake.abort();
      });
      const waitSignal = AbortSignal.any([wake.signal, this.ctx.ac.signal]);
      if (!atHead) await this.#playPrompt(this.d.prompts.get('queue.enter'), false, waitSignal);
      while (!reservation && !this.ctx.ended) {
        const left = deadline - clock.now();
        if (left <= 0) break;
        if (announce) {
          const pos = acd.position(this.#id);
          const mins = Math.max(1, Math.ceil(acd.expectedWaitMs(pos, skill) / 60_000));
          await this.#playPrompt(this.d.prompts.get('queue.position', [pos, mins]), false, waitSignal);
        }
        if (reservation || this.ctx.ended) break;
        announce = await this.#sleep(Math.min(config.queue.announceEveryMs, deadline - clock.now()), waitSignal);
      }
      if (this.ctx.ended) {
        acd.leave(this.#id);
        // Matched in the same instant the caller hung up: give the agent back.
        if (reservation) acd.ringFailed((reservation as Reservation).agentId, 'caller-gone');
        this.d.records.legEnd(leg, clock.now(), 'caller-gone');
        if (this.ctx.distress) this.#missedDistress();
        return;
      }
      if (!reservation && this.ctx.distress) {
        // A distress caller never overflows to a callback or voicemail: they keep the head of the queue.
        this.d.records.legEnd(leg, clock.now(), 'max-wait');
        deadline = clock.now() + config.queue.maxWaitMs;
        atHead = true;
        continue;
      }
      if (!reservation) {
        // Waited past the maximum: out of the queue while the caller chooses.
        acd.leave(this.#id);
        this.d.records.legEnd(leg, clock.now(), 'max-wait');
        const choice = await this.#unanswered.overflow();
        if (choice === 'gone') return;
        if (choice === 'callback') return this.#unanswered.callback(skill);
        if (choice === 'voicemail') return this.#unanswered.voicemail('overflow');
        deadline = clock.now() + config.queue.maxWaitMs; // keeps waiting, same place in the queue
        atHead = false;
        announce = true;
        continue;
      }
      this.d.records.legEnd(leg, clock.now(), 'matched');
      const outcome = await this.#ring(reservation);
      if (outcome === 'done') return;
      atHead = true; // the agent did not take it: back to the head of the queue
      announce = false;
    }
  }

  /** Ring the reserved agent. 'done' when connected or the caller left; 'again' to re-queue. */
  async #ring(r: Reservation): Promise<'done' | 'again'> {
    const { acd, clock, driver, records, events } = this.d;
    this.ctx.ringingAgent = r.agentId;
    records.update(this.#id, { status: 'ringing' });
    events.publish({
      type: 'call.offered',
      at: clock.now(),
      callId: this.#id,
      agentId: r.agentId,
      caller: this.ctx.offered.caller,
      ticketType: this.ctx.ticketType,
      history: records.history(this.ctx.offered.caller, this.#id),
      distress: !!this.ctx.distress,
      canTransfer: !!driver.capabilities.transfer,
      ...(this.ctx.boxTicket ? { ticketNumber: this.ctx.boxTicket } : {}),
    });
    const leg = records.legStart(this.#id, 'ring', r.station, clock.now());
    let res;
    try {
      res = await driver.connectAgent(this.#id, r.station, {
        ringTimeoutMs: this.d.config.queue.ringTimeoutMs,
        signal: AbortSignal.any([r.signal, this.ctx.ac.signal]),
      });
    } catch (err) {
      this.ctx.ringingAgent = undefined;
      acd.ringFailed(r.agentId, 'caller-gone');
      throw err;
    }
    this.ctx.ringingAgent = undefined;
    records.legEnd(leg, clock.now(), res.outcome);
    if (res.outcome === 'answered') {
      if (this.ctx.ended) {
        acd.ringFailed(r.agentId, 'caller-gone');
        return 'done';
      }
      // A second answer (after a failed agent transfer) keeps the first answer time: KPIs measure the caller's wait.
      const first = this.ctx.agentAnsweredAt === undefined;
      this.ctx.agentId = r.agentId;
      this.ctx.agentAnsweredAt = res.at;
      acd.connected(r.agentId, this.#id);
      records.update(this.#id, { status: 'talking', ...(first ? { agent_answered_at: res.at } : {}), agent_id: r.agentId, station: r.station });
      this.ctx.agentLeg = records.legStart(this.#id, 'agent', String(r.agentId), res.at);
      events.publish({ type: 'call.connected', at: clock.now(), callId: this.#id, agentId: r.agentId });
      this.#recordConversation();
      return 'done';
    }
    acd.ringFailed(r.agentId, res.outcome);
    if (res.outcome === 'caller-gone' || this.ctx.ended) {
      if (this.ctx.distress) this.#missedDistress();
      return 'done';
    }
    records.update(this.#id, { status: 'queued' });
    return 'again';
  }

  #recordConversation(): void {
    if (this.ctx.recording || !this.d.config.queue.recordCalls || !this.d.driver.capabilities.record) return;
    this.ctx.recording = true;
    const file = recordingFile(this.d.config.recordingsDir, 'call', this.#id);
    this.d.records.update(this.#id, { recording_file: file });
    this.d.driver.record(this.#id, { file, background: true }).catch((err: unknown) => {
      if (!this.ctx.ended) this.d.log.warn({ err, callId: this.#id }, 'call recording failed');
    });
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  /** Play a prompt by id; false if the caller is gone. */
  async #play(id: PromptId, interruptible = false): Promise<boolean> {
    const r = await this.#playPrompt(this.d.prompts.get(id), interruptible);
    return r !== 'gone';
  }

  async #playPrompt(p: Prompt, interruptible = false, signal: AbortSignal = this.ctx.ac.signal): Promise<'done' | 'interrupted' | 'gone'> {
    if (this.ctx.ended) return 'gone';
    this.ctx.prompts.push(p.id);
    this.d.records.update(this.#id, { prompts: this.ctx.prompts });
    const r = await this.d.driver.play(this.#id, p, { interruptible, signal });
    if (r.outcome === 'caller-gone' || this.ctx.ended) return 'gone';
    return r.outcome === 'interrupted' ? 'interrupted' : 'done';
  }

  /** Wait `ms` on the injected clock; false if woken early by the signal. */
  #sleep(ms: number, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted || ms <= 0) return Promise.resolve(!signal.aborted);
    return new Promise((resolve) => {
      const t = this.d.clock.setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        this.d.clock.clearTimeout(t);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async #safeHangup(): Promise<void> {
    try {
      await this.d.driver.hangup(this.#id);
    } catch (err) {
      if (!(err instanceof TrunkError)) throw err;
    }
  }
}

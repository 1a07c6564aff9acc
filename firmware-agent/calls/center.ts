// The call centre: the one object the composition root builds for calls. It listens to the trunk driver,
// starts a CallFlow per offered call, closes call records at hang-up, records calls in flight as failed
// when the driver fails, and offers the operations the HTTP API and CLI need.
//
// Settings can change while the box runs (`reconfigure()`, after an admin saves calls.json): each call keeps
// the validated configuration it started with; new calls and the queue's wrap-up time use the new one.
//
// Bad input from a driver is expected and harmless: events for unknown calls, duplicate hang-ups and digits
// after a hang-up are counted (`stats.ignoredEvents`) and dropped.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { systemClock, type Clock } from '../../common/clock.js';
import type { CallOffered, DriverFailed, HangupEvent, TransferResult, TrunkCapabilities, TrunkDriver } from '../../drivers/trunk/types.js';
import { redactNumber } from '../../common/log.js';
import type { Db } from '../store/db.js';
import { Acd, type Agent } from './acd.js';
import { CallbackTasks } from './callbacks.js';
import type { CallsConfig } from './config.js';
import { type CallContext, type FlowDeps, type CallerSms, type TicketSink } from './context.js';
import { silentLogger, type Logger } from '../../common/log.js';
import { LiveEvents } from './events.js';
import { CallFlow } from './flow.js';
import { weekdayCalendar, type WorkdayCalendar } from './hours.js';
import { callKpis, type KpiReport } from './kpis.js';
import type { BrowserStations } from '../softphone/stations.js';
import { PromptLibrary } from './prompts.js';
import { CallRecords } from './records.js';
import { WriteBehind } from './writer.js';

export interface CallCenterOptions {
  db: Db;
  driver: TrunkDriver;
  config: Readonly<CallsConfig>;
  clock?: Clock;
  /** Official working days (holidays, 调休); default: Monday to Friday. */
  calendar?: WorkdayCalendar;
  tickets?: TicketSink | null;
  /** Text messages to callers (a missed call's ticket number); none without an SMS channel. */
  sms?: CallerSms | null;
  events?: LiveEvents;
  log?: Logger;
  newId?: () => string;
  onRouted?: (callId: string, route: string) => void;
  /** Call progress is committed in batches this often, ms (writer.ts). Default 200. */
  flushIntervalMs?: number;
  /** Agents' browser stations, when the driver has an audio port (softphone/stations.ts; `driver` goes through them). */
  browserStations?: BrowserStations | null;
}

export type CallCenterErrorCode = 'call-not-found' | 'call-not-connected' | 'call-not-yours' | 'transfer-number-not-allowed' | 'transfer-unsupported';

/** A refused call-centre operation; `code` is stable and matches the API error catalogue. */
export class CallCenterError extends Error {
  constructor(
    readonly code: CallCenterErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CallCenterError';
  }
}

/** Who asks for an agent transfer: an agent may only transfer the call they are talking on. */
export interface TransferActor {
  userId: number;
  name: string;
  /** Supervisors and admins may transfer any agent's call. */
  anyCall: boolean;
}

export class CallCenter {
  readonly records: CallRecords;
  readonly acd: Acd;
  readonly callbacks: CallbackTasks;
  readonly events: LiveEvents;
  readonly clock: Clock;
  readonly stats = { offered: 0, ignoredEvents: 0, failedCalls: 0, driverFailures: 0 };
  trunkUp = false;
  readonly #calls = new Map<string, CallContext>();
  readonly #flowOf = new WeakMap<CallContext, CallFlow>();
  #config: Readonly<CallsConfig>;
  readonly #flows = new Set<Promise<void>>();
  #deps: FlowDeps;
  readonly #log: Logger;
  #started = false;

  constructor(private readonly o: CallCenterOptions) {
    if (!o.db) throw new TypeError('CallCenterOptions.db is required');
    if (!o.driver) throw new TypeError('CallCenterOptions.driver is required');
    if (!o.config) throw new TypeError('CallCenterOptions.config is required');
    this.clock = o.clock ?? systemClock;
    this.#config = o.config;
    this.events = o.events ?? new LiveEvents();
    this.#log = o.log ?? silentLogger;
    this.records = new CallRecords(
      o.db,
      new WriteBehind(o.db, { intervalMs: o.flushIntervalMs ?? 200, onError: (err) => this.#log.error({ err }, 'call record write failed') }),
      (ticketNumber, callId) => o.tickets?.linkCall?.(ticketNumber, callId),
    );
    let callbacks: CallbackTasks | undefined;
    this.acd = new Acd({
      db: o.db,
      clock: this.clock,
      events: this.events,
      wrapUpMs: () => this.#config.queue.wrapUpMs,
      defaultHandleMs: o.config.queue.defaultHandleMs,
      onCallbackAssigned: (id: string, agent: Agent) => callbacks?.assigned(id, agent),
      write: (...ops) => this.records.writer.enqueue(...ops),
    });
    this.callbacks = callbacks = new CallbackTasks({
      db: o.db,
      acd: this.acd,
      clock: this.clock,
      events: this.events,
      records: this.records,
    });
    this.#deps = {
      driver: o.driver,
      config: o.config,
      clock: this.clock,
      calendar: o.calendar ?? weekdayCalendar,
      records: this.records,
      acd: this.acd,
      callbacks: this.callbacks,
      events: this.events,
      prompts: new PromptLibrary(o.config.promptsDir),
      tickets: o.tickets ?? null,
      sms: o.sms ?? null,
      log: this.#log,
      newId: o.newId ?? randomUUID,
      ...(o.onRouted ? { onRouted: o.onRouted } : {}),
    };
  }

  /** What the trunk can do (drivers/trunk/types.ts TrunkCapabilities), for the API and the desk. */
  get capabilities(): TrunkCapabilities {
    return this.o.driver.capabilities;
  }

  /** Agents' browser stations (null: this trunk has no audio port, telephone stations only). */
  get browserStations(): BrowserStations | null {
    return this.o.browserStations?.available ? this.o.browserStations : null;
  }

  /** Subscribe to the driver, recover what a previous run left, start the driver. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    try {
      fs.mkdirSync(this.o.config.recordingsDir, { recursive: true });
    } catch (err) {
      this.#log.warn({ err }, 'recordings directory cannot be created; recordings will be missing');
    }
    const lost = this.records.recoverUnfinished(this.clock.now());
    if (lost.length) this.#log.warn({ calls: lost.length }, 'calls left unfinished by the previous run recorded as failed');
    this.callbacks.restore();
    const d = this.o.driver;
    d.on('offered', this.#onOffered);
    d.on('hangup', this.#onHangup);
    d.on('digits', this.#onDigits);
    d.on('failed', this.#onFailed);
    d.on('ready', this.#onReady);
    await d.start();
  }

  /** Stop the driver (ends calls in flight) and wait for every call flow to finish. */
  async stop(): Promise<void> {
    if (!this.#started) return;
    await this.o.driver.stop();
    await Promise.allSettled([...this.#flows]);
    const d = this.o.driver;
    d.off('offered', this.#onOffered);
    d.off('hangup', this.#onHangup);
    d.off('digits', this.#onDigits);
    d.off('failed', this.#onFailed);
    d.off('ready', this.#onReady);
    this.acd.close();
    await this.records.writer.close();
    this.#started = false;
  }

  /** The configuration new calls start with. */
  get config(): Readonly<CallsConfig> {
    return this.#config;
  }

  /**
   * Apply new validated settings (callsConfig()) without a restart: calls that arrive from now on use them;
   * calls in progress keep the configuration they started with. Directories are fixed at start.
   */
  reconfigure(config: Readonly<CallsConfig>): void {
    if (!Object.isFrozen(config)) throw new TypeError('reconfigure: pass a validated, frozen config (callsConfig())');
    if (config.promptsDir !== this.#config.promptsDir || config.recordingsDir !== this.#config.recordingsDir) {
      throw new TypeError('reconfigure: promptsDir and recordingsDir cannot change while the box runs');
    }
    this.#config = config;
    this.#deps = { ...this.#deps, config };
    this.#log.info({ menu: config.ivr.menu.length, legacyNumbers: config.ivr.legacyNumbers.length }, 'call settings applied');
  }

  get activeCalls(): number {
    return this.#calls.size;
  }

  /** Resolves when every call flow started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#flows.size) await Promise.allSettled([...this.#flows]);
  }

  // ---- driver events -------------------------------------------------------------------------------------

  #onOffered = (o: CallOffered): void => {
    if (this.#calls.has(o.callId)) {
      // A duplicate offer of a call in progress. (An id reused after its call ended breaks T2; its insert
      // fails in the write-behind and is logged — not checked here, to keep an fsync off the arrival path.)
      this.stats.ignoredEvents += 1;
      return;
    }
    this.stats.offered += 1;
    const legacy = this.#config.ivr.legacyNumbers.includes(o.called);
    const ctx: CallContext = {
      offered: o,
      legacy,
      afterHours: false,
      ac: new AbortController(),
      ended: false,
      failed: false,
      prompts: [],
      ticketType: null,
    };
    try {
      this.records.arrived(o, legacy);
    } catch (err) {
      // The store refused (disk full?): still route the call — a distress call must not wait on the disk.
      this.#log.error({ err, callId: o.callId }, 'call record could not be written');
    }
    this.#calls.set(o.callId, ctx);
    this.events.publish({ type: 'call.arrived', at: o.at, callId: o.callId, caller: o.caller, called: o.called, legacy });
    this.#log.info({ callId: o.callId, caller: redactNumber(o.caller), called: o.called, channel: o.channel }, 'call offered');
    // The deps object is replaced, never mutated, by reconfigure(): this call keeps the settings it started with.
    const callFlow = new CallFlow(this.#deps, ctx);
    this.#flowOf.set(ctx, callFlow);
    this.#track(
      callFlow.run().catch((err: unknown) => {
        this.#log.error({ err, callId: o.callId }, 'call flow crashed');
      }),
    );
  };

  #track(flow: Promise<void>): void {
    this.#flows.add(flow);
    void flow.finally(() => this.#flows.delete(flow));
  }

  #onDigits = (e: { callId: string }): void => {
    // The flow reads digits through collectDigits (type-ahead, T7); here only bad input is counted.
    if (!this.#calls.has(e.callId)) this.stats.ignoredEvents += 1;
  };

  #onHangup = (h: HangupEvent): void => {
    const ctx = this.#calls.get(h.callId);
    if (!ctx) {
      this.stats.ignoredEvents += 1; // unknown call or a second hang-up
      return;
    }
    this.#calls.delete(h.callId);
    ctx.ended = true;
    ctx.hangup = h;
    ctx.ac.abort();
    this.acd.leave(h.callId);
    let handleMs: number | null = null;
    if (ctx.agentId !== undefined && ctx.agentAnsweredAt !== undefined) {
      handleMs = h.at - ctx.agentAnsweredAt;
      this.acd.released(ctx.agentId, handleMs);
    }
    ctx.agentId = undefined;
    const outcome = outcomeOf(ctx, h);
    try {
      this.records.finish(h.callId, h.at, {
        outcome,
        hangup_cause: h.cause,
        hangup_party: h.party,
        ...(h.q850 !== undefined ? { hangup_q850: h.q850 } : {}),
        ...(outcome === 'abandoned' ? { abandoned_at: h.at } : {}),
      });
    } catch (err) {
      this.#log.error({ err, callId: h.callId }, 'call record could not be closed');
    }
    this.events.publish({ type: 'call.ended', at: h.at, callId: h.callId, outcome });
  };

  #onFailed = (f: DriverFailed): void => {
    this.stats.driverFailures += 1;
    this.trunkUp = false;
    this.#log.error({ reason: f.reason, permanent: f.permanent, calls: f.callIds.length }, 'trunk driver failed');
    const ids = new Set(f.callIds);
    // Contexts the driver did not list are gone as well: the driver holds no calls after a failure (T9).
    for (const id of this.#calls.keys()) ids.add(id);
    for (const id of ids) {
      const ctx = this.#calls.get(id);
      if (!ctx) continue;
      ctx.ended = true;
      ctx.failed = true;
      ctx.ac.abort();
      this.#calls.delete(id);
    }
    this.acd.releaseCalls(ids);
    try {
      this.records.failMany([...ids], f.at, `driver-failed: ${f.reason}`);
    } catch (err) {
      this.#log.error({ err }, 'failed calls could not be recorded');
    }
    this.stats.failedCalls += ids.size;
    for (const id of ids) this.events.publish({ type: 'call.ended', at: f.at, callId: id, outcome: 'failed' });
    this.events.publish({ type: 'trunk.state', at: f.at, up: false, reason: f.reason });
  };

  #onReady = (r: { at: number }): void => {
    this.trunkUp = true;
    this.events.publish({ type: 'trunk.state', at: r.at, up: true });
  };

  // ---- operations for the API and CLI --------------------------------------------------------------------

  kpis(range: { from: number; to: number; bucket: 'hour' | 'day' }): KpiReport {
    this.records.flush();
    return callKpis(this.o.db, { ...range, timezone: this.#config.ivr.hours.timezone });
  }

  /** Numbers an agent may transfer a call to: the distress and redirect numbers plus `queue.transferNumbers`. */
  transferTargets(config: Readonly<CallsConfig> = this.#config): string[] {
    const r = config.ivr.redirects;
    return [...new Set([config.ivr.distressNumber, r.railway.number, r.aviation.number, r.postal.number, ...config.queue.transferNumbers])];
  }

  /**
   * An agent's transfer of a live call to an outside number (the desk's one-key 12395/12306/12326/12305).
   * The agent's leg is released at once (the agent goes to wrap-up), then the caller is transferred through
   * the driver; the call record gets a `transfer` leg with its time, target and outcome. When the transfer
   * does not connect, the caller hears so and goes back to the head of the queue. Resolves with the outcome.
   */
  /** A browser station dropped during the conversation (softphone/stations.ts): the caller is queued again. */
  stationLost(callId: string): void {
    const ctx = this.#calls.get(callId);
    const flow = ctx && this.#flowOf.get(ctx);
    if (!ctx || !flow || ctx.ended) return;
    this.#track(flow.stationLost());
  }

  async transfer(callId: string, to: string, who: TransferActor): Promise<TransferResult> {
    const ctx = this.#calls.get(callId);
    const flow = ctx && this.#flowOf.get(ctx);
    if (!ctx || !flow) {
      if (this.records.get(callId)) throw new CallCenterError('call-not-connected', `call ${callId} has ended`);
      throw new CallCenterError('call-not-found', `no call ${callId}`);
    }
    if (ctx.agentId === undefined || ctx.transferring) {
      throw new CallCenterError('call-not-connected', `call ${callId} is not talking to an agent`);
    }
    if (!who.anyCall && ctx.agentId !== who.userId) {
      throw new CallCenterError('call-not-yours', `call ${callId} is not connected to your station`);
    }
    // The call's own settings decide, like everything else in the call.
    const allowed = this.transferTargets(flow.config);
    if (!allowed.includes(to)) {
      throw new CallCenterError('transfer-number-not-allowed', `${to} is not a transfer number (allowed: ${allowed.join(', ')})`);
    }
    if (!this.o.driver.capabilities.transfer) {
      throw new CallCenterError('transfer-unsupported', `the ${this.o.driver.kind} trunk cannot transfer calls`);
    }
    const r = await flow.agentTransfer(to, who.name);
    if (r.outcome !== 'connected' && !ctx.ended) this.#track(flow.backToQueue());
    return r;
  }
}

function outcomeOf(ctx: CallContext, h: HangupEvent): string {
  if (ctx.transferredTo || h.cause === 'transferred') return 'transferred';
  if (ctx.agentAnsweredAt !== undefined) return 'answered';
  if (ctx.callbackId) return 'callback';
  if (ctx.voicemailFile) return 'voicemail';
  if (ctx.boxTicket && !ctx.distress) return 'ticket'; // a missed call filed as a ticket (no recording, no number)
  if (ctx.announced) return 'announced';
  if (ctx.queuedAt !== undefined) return h.party === 'caller' ? 'abandoned' : 'released';
  return h.party === 'caller' ? 'ivr-hangup' : 'released';
}

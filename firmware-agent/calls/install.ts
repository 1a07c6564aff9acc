// Calls installer for the composition root (firmware-agent/subsystems.ts): builds the call centre on the
// box's store, calendar and ticket service with the trunk driver the composition chose and built
// (opts.trunk, compose.ts), mounts the calls API, registers its health part, generates missing prompts in the
// background, and starts the driver, and stops it on close.
//
// Call settings are the configuration's `calls` section (config.json, merged over the defaults and validated
// with the configuration — an unknown or bad setting stops the start with its name).
//
// A test may register its own trunk driver with `registerTrunkDriver(name, factory)` and start a box with
// `flags: {driver: name}`.
import { systemClock, type Clock } from '../../common/clock.js';
import type { TrunkDriver } from '../../drivers/trunk/types.js';
import { SimulatorTrunk } from '../../drivers/simulator/trunk.js';
import { systemActor } from '../accounts/service.js';
import type { Box, InstallOptions } from '../app.js';
import type { BoxServices } from '../box.js';
import { CallCenter } from './center.js';
import { softphoneRoutes } from '../softphone/routes.js';
import { SoftphonePeer } from '../softphone/peer.js';
import { BrowserStations, withBrowserStations } from '../softphone/stations.js';
import { callRoutes } from './routes/index.js';
import { callsConfigOf, type CallsConfig } from './config.js';
import { checkSettings } from '../config/check.js';
import { type CallerSms, type TicketSink } from './context.js';
import { type Logger } from '../../common/log.js';
import { generatePrompts } from './prompts.js';

export type TrunkFactory = (box: Box) => Promise<TrunkDriver>;

/**
 * The calls clock of a box: the box's own `now` (BoxOptions.now, injected by tests; otherwise wall time) with
 * real timers, so business hours, the official calendar and call records all read one time.
 */
export function boxClock(box: Pick<BoxServices, 'now'>): Clock {
  return { now: () => box.now().getTime(), setTimeout: systemClock.setTimeout, clearTimeout: systemClock.clearTimeout };
}

/** Trunk drivers an in-process caller registers by name (tests' own simulators); compose.ts builds the others. */
const factories = new Map<string, TrunkFactory>();

export function registerTrunkDriver(name: string, factory: TrunkFactory): void {
  factories.set(name, factory);
}

/** Whether a trunk driver of this name is registered (compose.ts: a test's own simulator). */
export function trunkDriverRegistered(name: string): boolean {
  return factories.has(name);
}

export function registeredTrunk(name: string): TrunkFactory {
  const f = factories.get(name);
  if (!f) throw new Error(`--driver ${name}: no such trunk driver`);
  return f;
}

const centres = new WeakMap<object, CallCenter>();
const callerSms = new WeakMap<object, CallerSms>();

/**
 * An SMS channel offers the call centre a way to text callers (a missed call's ticket number). The SMS
 * installer runs before this one and registers it; a box without an SMS channel sends nothing.
 */
export function registerCallerSms(box: BoxServices, send: CallerSms): void {
  callerSms.set(box, send);
}

/** The box's call centre, for other subsystems (e.g. statistics). */
export function callCenterOf(box: BoxServices): CallCenter | undefined {
  return centres.get(box);
}

/** The call settings of a box: its configuration's `calls` section over the defaults. */
export function callsConfigFor(box: Pick<BoxServices, 'config' | 'dataDir'>): Readonly<CallsConfig> {
  const c = box.config.current();
  return callsConfigOf(c.calls, box.dataDir, c.box.region, c.box.timezone);
}

/**
 * The call settings of a data directory without a running box (`edgebox erlang`, provisioning): the `calls`
 * section of its configuration, as `edgebox config validate` reads it (config/check.ts).
 */
export function loadCallsConfig(dataDir: string, region: string, timezone: string): Readonly<CallsConfig> {
  return callsConfigOf(checkSettings(dataDir).config.calls, dataDir, region, timezone);
}

export async function installCalls(box: Box, opts: InstallOptions): Promise<void> {
  const config = callsConfigFor(box);
  // The driver the composition chose and built (compose.ts buildTrunk); this installer starts and stops it.
  const driver = opts.trunk.driver;
  const log = box.http.log.child({ module: 'calls' }) as unknown as Logger;
  const tickets: TicketSink = {
    create: (i) =>
      box.tickets.create(
        {
          type: i.type,
          domain: 'other',
          channel: 'phone',
          region: box.config.current().box.region,
          caller: { phone: i.callerPhone },
          subject: i.subject,
          description: i.description,
          callId: i.callId,
          ...(i.urgent ? { urgent: true } : {}),
        },
        systemActor,
      ),
    linkCall: (number, callId) => box.tickets.linkCall(number, callId),
  };
  // Agents' browser stations (issue 17) in front of a driver with an audio port; a drop during a call puts
  // the caller back at the head of the queue.
  const browserStations = driver.capabilities.audioPort ? new BrowserStations({ driver, log, peer: () => center.config.softphone, onDropped: (callId) => center.stationLost(callId) }) : null;
  const center: CallCenter = new CallCenter({
    db: box.db,
    driver: browserStations ? withBrowserStations(driver, browserStations) : driver,
    browserStations,
    config,
    clock: boxClock(box),
    calendar: box.calendar,
    tickets,
    sms: callerSms.get(box) ?? null,
    log,
  });
  centres.set(box, center);
  // A change of the calls section (admin API, calls settings page) applies to calls that arrive from then on.
  box.config.onChange((next, previous) => {
    if (next.calls === previous.calls && next.box.region === previous.box.region && next.box.timezone === previous.box.timezone) return;
    try {
      center.reconfigure(callsConfigFor(box));
    } catch (err) {
      log.error({ err: String(err) }, 'new call settings not applied; the running centre keeps the ones it had');
    }
  });
  await box.http.register(callRoutes, { box, center, sim: driver instanceof SimulatorTrunk ? driver : null });
  await box.http.register(softphoneRoutes, { center });
  box.health.register('calls', () => ({
    ok: center.trunkUp,
    driver: driver.kind,
    activeCalls: center.activeCalls,
    recordWrites: center.records.writer.stats,
    ...center.stats,
    ...(center.trunkUp ? {} : { warnings: ['the trunk driver is down: no calls can be taken'] }),
  }));
  // Prompts: generated once at setup (espeak-ng + sox); until then, and if the tools are missing, prompts
  // go out as text ids (the driver plays a pause), so calls are routed either way.
  const stopPrompts = new AbortController();
  const prompts = generatePrompts(config.promptsDir, { signal: stopPrompts.signal, cacheDir: opts.plan.promptCacheDir })
    .then((r) => {
      if (r.failed.length) log.warn({ failed: r.failed.length, first: r.failed[0] }, 'some IVR prompts could not be generated');
      else if (r.generated.length) log.info({ generated: r.generated.length }, 'IVR prompts generated');
    })
    .catch((err: unknown) => log.warn({ err }, 'IVR prompt generation failed'));
  // A ticket an agent takes during a call (POST /api/tickets with callId) is linked to the call record.
  const unlink = box.tickets.onCommitted((c) => {
    if (c.action !== 'create' || !c.ticket.call_id) return;
    try {
      center.records.linkTicket(c.ticket.call_id, c.ticket.number, c.actor.name, c.at.getTime());
    } catch (err) {
      log.warn({ err, ticket: c.ticket.number }, 'ticket could not be linked to its call');
    }
  });
  await center.start();
  box.onClose(async () => {
    unlink();
    stopPrompts.abort();
    await prompts; // never write into the data dir after close
    await center.stop();
    await SoftphonePeer.closeSettling();
  });
}

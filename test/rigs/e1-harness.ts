// A fresh E1 span for each test: the E1 driver (span worker in a child process) listening on a temp
// socket, and the telco simulator (libpri in NETWORK mode, in this process) connected to it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { E1PriDriver } from '../../drivers/e1-pri/driver.js';
import type { E1SpanConfigInput } from '../../drivers/e1-pri/config.js';
import { TelcoSim, type IncomingBehaviour } from '../../drivers/e1-pri/telco-sim/telco.js';
import type { SwitchTypeName } from '../../drivers/e1-pri/binding/constants.js';
import type { CallOffered, HangupEvent, DriverFailed, TrunkEvents, TrunkEventName } from '../../drivers/trunk/types.js';
import { DahdiCard } from '../../drivers/e1-pri/telco-sim/dahdi-card.js';
import { buildDahdiShim, shimEnv } from '../fixtures/dahdi-shim/build.js';
import { nextEvent } from '../helpers/trunk-contract.js';

/**
 * B-channels on DAHDI channel devices, stood in for by the LD_PRELOAD shim in the span worker and a
 * simulated card (DahdiCard) in this process. `dchannelViaCard`: the D-channel is the DAHDI device
 * /dev/dahdi/16 on the card too (else the usual SEQPACKET socket).
 */
export interface DahdiHarnessOptions {
  dchannelViaCard?: boolean;
  /** DAHDI_ALARM_* the span is in before the box starts (the harness then does not wait for the link up). */
  alarms?: number;
}

/** The DAHDI parts of a span under test: the built shim, the card, and the box's config and worker env. */
export async function dahdiSetup(dir: string, o: DahdiHarnessOptions = {}): Promise<{
  card: DahdiCard; dchannel: string; config: Partial<E1SpanConfigInput>; workerEnv: Record<string, string>;
}> {
  const so = await buildDahdiShim();
  const card = new DahdiCard(path.join(dir, 'card'));
  card.alarms = o.alarms ?? 0;
  card.listen();
  const dchannel = o.dchannelViaCard ? '/dev/dahdi/16' : path.join(dir, 'd');
  return { card, dchannel, config: { bchannels: { kind: 'dahdi' } }, workerEnv: shimEnv(so, card.path) };
}

export interface E1Harness {
  dir: string;
  /** The simulated DAHDI card, when the harness runs with `dahdi`. */
  card?: DahdiCard;
  driver: E1PriDriver;
  telco: TelcoSim;
  offered: CallOffered[];
  hangups: HangupEvent[];
  failed: DriverFailed[];
  /** Resolve with the next event of that name (registered before the action that causes it). */
  next<K extends TrunkEventName>(event: K, filter?: (e: TrunkEvents[K]) => boolean): Promise<TrunkEvents[K]>;
  close(): Promise<void>;
}

export async function e1Harness(
  opts: { config?: Partial<E1SpanConfigInput>; behaviour?: (called: string) => IncomingBehaviour; telcoTimers?: Record<string, number>; telcoLog?: (m: string) => void;
    /** The simulator's Q.931 side and switch type (default network, euroisdn_e1). */
    telcoSide?: 'cpe' | 'network'; telcoSwitch?: SwitchTypeName;
    /** Run the span on DAHDI channel devices through the shim (see DahdiHarnessOptions). */
    dahdi?: DahdiHarnessOptions } = {},
): Promise<E1Harness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e1-'));
  const dahdi = opts.dahdi ? await dahdiSetup(dir, opts.dahdi) : undefined;
  const dchannel = dahdi?.dchannel ?? path.join(dir, 'd');
  const driver = new E1PriDriver({
    config: { dchannel, restartBackoffMs: { initial: 50, max: 1000 }, ...dahdi?.config, ...opts.config },
    ...(dahdi ? { workerEnv: dahdi.workerEnv } : {}),
  });
  const offered: CallOffered[] = [];
  const hangups: HangupEvent[] = [];
  const failed: DriverFailed[] = [];
  driver.on('offered', (e) => offered.push(e));
  driver.on('hangup', (e) => hangups.push(e));
  driver.on('failed', (e) => failed.push(e));
  try {
    await driver.start();
  } catch (e) {
    dahdi?.card.close();
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const telco = new TelcoSim({
    dchannel,
    ...(dahdi ? { card: dahdi.card, dchannelViaCard: !!opts.dahdi?.dchannelViaCard } : {}),
    ...(opts.behaviour ? { behaviour: opts.behaviour } : {}),
    ...(opts.telcoTimers ? { timers: opts.telcoTimers } : {}),
    ...(opts.telcoLog ? { log: opts.telcoLog } : {}),
    ...(opts.telcoSide ? { side: opts.telcoSide } : {}),
    ...(opts.telcoSwitch ? { switchType: opts.telcoSwitch } : {}),
  });
  const up = dchannelUp(driver);
  await telco.connect();
  if (!opts.dahdi?.alarms) await up;
  return {
    dir,
    ...(dahdi ? { card: dahdi.card } : {}),
    driver,
    telco,
    offered,
    hangups,
    failed,
    next: (event, filter) => nextEvent(driver, event, filter),
    async close() {
      telco.close();
      await driver.stop();
      dahdi?.card.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolve when the driver reports the D-channel up. */
export function dchannelUp(driver: E1PriDriver): Promise<void> {
  return dchannelState(driver, 'up');
}

export function dchannelState(driver: E1PriDriver, want: 'up' | 'down' | 'waiting'): Promise<void> {
  if (driver.dchannel === want) return Promise.resolve();
  return new Promise((resolve) => {
    const off = driver.onDchannel((s) => {
      if (s !== want) return;
      off();
      resolve();
    });
  });
}

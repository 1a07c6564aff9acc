// Where the self-test's trunk facts come from. Inside the running box the driver holds the device, so the
// facts are what the driver last saw (its /healthz part); a second opener on the serial port would steal the
// modem's answers. With no box running the CLI probes the device itself (modem-probe.ts, drivers/e1-pri/probe.ts).
import type { BoxConfig } from '../config/model.js';
import type { HealthPart } from '../health/health.js';
import type { E1Facts } from './checks.js';
import { probeModem, type ModemProbe } from './modem-probe.js';
import type { TrunkFacts } from './run.js';

async function e1Facts(dchannel: string | null): Promise<E1Facts> {
  if (!dchannel) return { path: '(not configured)', libpri: null, dchannel: null, inService: 0, total: 0, error: 'trunk.dchannel is not set' };
  const { probeE1 } = await import('../../drivers/e1-pri/probe.js');
  const r = await probeE1(dchannel);
  const live = r.box && !r.box.stale ? r.box : null;
  return {
    path: dchannel,
    libpri: r.libpri.loaded ? (r.libpri.version ?? 'loaded') : null,
    dchannel: live ? live.dchannel : null,
    inService: live?.channelsInService.length ?? 0,
    total: live ? Math.max(live.channelsInService.length, 30) : 0,
    error: r.libpri.error ?? (live ? null : 'no box is running on this span'),
  };
}

/** Trunk facts measured directly on the hardware named by the configuration (no box running). */
export async function probeTrunk(trunk: BoxConfig['trunk'], o: { timeoutMs?: number } = {}): Promise<TrunkFacts> {
  if (trunk.driver === 'serial-at' || trunk.driver === 'voice-modem') {
    if (!trunk.serial) return { driver: trunk.driver, up: false, detail: 'trunk.serial is not set: edgebox config set trunk.serial /dev/ttyUSB2' };
    const { serialPortTransport } = await import('../../drivers/serial-at/transport.js');
    const baud = trunk.options.baud ? Number(trunk.options.baud) : undefined;
    const modem = await probeModem(serialPortTransport({ path: trunk.serial, ...(baud ? { baudRate: baud } : {}) }), o);
    return { driver: trunk.driver, up: modem.answers && modem.sim === 'READY' && modem.registration?.registered === true, modem };
  }
  if (trunk.driver === 'e1-pri') {
    const e1 = await e1Facts(trunk.dchannel);
    return { driver: 'e1-pri', up: e1.dchannel === 'up', e1 };
  }
  // The simulator trunk has no hardware to be down.
  return { driver: trunk.driver, up: true };
}

interface ModemStatusLike {
  state: string;
  port: string;
  sim: string | null;
  signal: { rssi: number | null; dbm: number | null } | null;
  registration: { stat: number; state: string; registered: boolean } | null;
  model?: string | null;
  imei?: string | null;
  operator?: string | null;
  lastAnswerAt: number | null;
  lastProblem: string | null;
}

/** Trunk facts inside the running box, from the parts the drivers publish on /healthz. */
export async function boxTrunk(trunk: BoxConfig['trunk'], parts: Record<string, HealthPart>): Promise<TrunkFacts> {
  const calls = parts.calls as (HealthPart & { driver?: string }) | undefined;
  const driver = calls?.driver ?? trunk.driver;
  const up = calls?.ok === true;
  const m = (parts.sms as (HealthPart & { modem?: ModemStatusLike | null }) | undefined)?.modem;
  if ((driver === 'serial-at' || trunk.driver === 'serial-at') && m) {
    const modem: ModemProbe = {
      port: m.port,
      answers: m.state === 'ready' || m.lastAnswerAt !== null,
      // The driver asks ATI and AT+CGSN at initialisation and AT+COPS? with each registration poll.
      model: m.model ?? null,
      imei: m.imei ?? null,
      sim: m.sim,
      signal: m.signal ? { rssi: m.signal.rssi ?? 99, dbm: m.signal.dbm } : null,
      registration: m.registration,
      operator: m.operator ?? null,
      error: m.lastProblem,
    };
    return { driver: 'serial-at', up, modem };
  }
  if (driver === 'e1-pri') {
    const e1 = await e1Facts(trunk.dchannel);
    return { driver: 'e1-pri', up: up && e1.dchannel === 'up', e1 };
  }
  return { driver, up, ...(up ? {} : { detail: 'the call centre reports the trunk down' }) };
}

// SMS subsystem installer (firmware-agent/subsystems.ts, before 'calls'): runs the SMS channel on the
// serial-at driver's modem that the composition built (opts.trunk.modem, compose.ts buildTrunk; the trunk
// for calls and the modem for SMS share the one serial port). With another driver the box has no SMS modem
// and the channel is not started (health says so).
//
// The channel's tables come from the store migration 202611281631-sms.sql.
import { systemClock } from '../../common/clock.js';
import type { GsmModem } from '../../drivers/serial-at/index.js';
import type { Box, InstallOptions } from '../app.js';
import { SmsChannel } from './channel.js';
import { smsConfig, type SmsConfig } from './config.js';
import { gsmModemPort } from './modem-port.js';
import { smsRoutes } from './routes.js';
import type { SmsLogger } from './outbox.js';

/** Returns the channel and modem when installed (for introspection and tests), else null. */
export async function installSms(box: Box, opts: InstallOptions): Promise<{ channel: SmsChannel; modem: GsmModem } | null> {
  const modem = opts.trunk.modem;
  if (!modem) {
    box.health.register('sms', () => ({ ok: true, modem: null, warnings: ['no SMS modem: start with --driver serial-at --serial <device>'] }));
    return null;
  }
  const hasTables = box.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sms_outbox'`).get();
  if (!hasTables) {
    throw new Error('SMS tables missing: the store migration 202611281631-sms.sql was not applied');
  }
  // The configuration's sms section, as in force now (a change through `edgebox config set sms.…` or the admin
  // API applies to the next message); merged and frozen once per change.
  let section: unknown = null;
  let merged: Readonly<SmsConfig> = smsConfig();
  const config = (): Readonly<SmsConfig> => {
    const now = box.config.current().sms;
    if (now !== section) [section, merged] = [now, smsConfig(now)];
    return merged;
  };
  const log = box.http.log.child({ module: 'sms' });
  const channel = new SmsChannel({
    db: box.db,
    tickets: box.tickets,
    port: gsmModemPort(modem),
    config,
    clock: systemClock,
    log: log as unknown as SmsLogger,
    boxRegion: () => box.config.current().box.region,
    timezone: box.config.current().box.timezone,
  });
  channel.start();
  // The modem starts now, so SMS flows even before the call centre starts (start is idempotent; the
  // trunk's start joins it).
  modem.start().catch((err: unknown) => log.warn({ err: String(err) }, 'SMS modem did not start'));
  await box.http.register(smsRoutes, { channel, modemStatus: () => modem.status });
  box.health.register('sms', () => {
    const s = modem.status;
    const warnings: string[] = [];
    if (s.state !== 'ready') warnings.push(`SMS modem ${s.state}${s.lastProblem ? `: ${s.lastProblem}` : ''}`);
    if (s.registration && !s.registration.registered) warnings.push(`modem not registered on the network (${s.registration.state})`);
    if (s.signal?.rssi !== null && s.signal?.rssi !== undefined && s.signal.rssi < 8) warnings.push(`weak signal (${s.signal.dbm} dBm)`);
    return { ok: s.state === 'ready', modem: s, outboxPending: channel.outbox.pending, ...(warnings.length ? { warnings } : {}) };
  });
  box.onClose(async () => {
    // Modem first: a delete or send waiting for it then settles, and the channel can finish.
    await modem.stop();
    await channel.stop();
  });
  return { channel, modem };
}

/** A text to a caller through the durable outbox (the call centre's missed-call notice, issue 10 C2). */
export function callerSmsOf(channel: SmsChannel): (to: string, text: string, ticketNumber: string | null) => void {
  return (to, text, ticketNumber) => {
    channel.outbox.enqueue({ recipient: to, text, kind: 'auto-reply', ticketNumber });
    channel.outbox.kick();
  };
}

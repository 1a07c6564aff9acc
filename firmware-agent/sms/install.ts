// SMS subsystem installer (firmware-agent/subsystems.ts, before 'calls'):
//
//   edgebox start --driver serial-at --serial /dev/ttyUSB2 [--baud 115200] [--stations 801,802] [--called 12328]
//                 [--voice-port /dev/ttyUSB4 [--voice-rate 8000|16000|auto]]   (with --module simcom|quectel)
//                 [--module simcom|quectel|generic] [--at-init "AT+DDET=1;…"]
//
// builds the serial-AT driver once — the trunk for calls and the modem for SMS share the one serial
// port — registers the trunk as `serial-at` for the calls installer, and runs the SMS channel on the
// modem. With another driver the box has no SMS modem and the channel is not started (health says so).
//
// The channel's tables come from the store migration 202611281631-sms.sql.
import { systemClock } from '../../drivers/trunk/clock.js';
// The serial AT driver (36 modules) is loaded only when it is the chosen driver.
import type { GsmModem, Logger as DriverLogger } from '../../drivers/serial-at/index.js';
import type { Box, InstallOptions } from '../app.js';
import { registerCallerSms, registerTrunkDriver } from '../calls/install.js';
import { SmsChannel } from './channel.js';
import { smsConfig, type SmsConfig } from './config.js';
import { gsmModemPort } from './modem-port.js';
import { smsRoutes } from './routes.js';
import type { SmsLogger } from './outbox.js';

/** Returns the channel and modem when installed (for introspection and tests), else null. */
export async function installSms(box: Box, opts: InstallOptions): Promise<{ channel: SmsChannel; modem: GsmModem } | null> {
  const trunk = opts.plan.trunk;
  if (trunk.driver !== 'serial-at') {
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
  const { createSerialAt } = await import('../../drivers/serial-at/index.js');
  const { modem, trunk: gateway } = createSerialAt(trunk.options, {
    logger: box.http.log.child({ module: 'serial-at' }) as unknown as DriverLogger,
    clock: systemClock,
  });
  // The calls installer starts and stops the trunk (which starts and stops the modem).
  registerTrunkDriver('serial-at', async () => gateway);
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
  // The call centre texts a caller whose missed call became a ticket (issue 10 C2), through the durable outbox.
  registerCallerSms(box, (to, text, ticketNumber) => {
    channel.outbox.enqueue({ recipient: to, text, kind: 'auto-reply', ticketNumber });
    channel.outbox.kick();
  });
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

// The SMS installer as the composition root runs it (`--driver serial-at --serial <path>`): one modem
// shared by the trunk and the SMS channel, on a real pty with the simulated modem at the far end.
import t from 'tap';
import Fastify from 'fastify';
import { errorSchema } from '../../firmware-agent/http/errors.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recordingLogger } from '../../common/log.js';
import { openPtyPair } from '../../drivers/serial-at/simulator/pty.js';
import { SimulatedModem } from '../../drivers/serial-at/simulator/modem-sim.js';
import { serialPortTransport } from '../../drivers/serial-at/transport.js';
import type { Box } from '../../firmware-agent/app.js';
import { Health } from '../../firmware-agent/health/health.js';
import { installSms } from '../../firmware-agent/sms/install.js';
import { buildTrunk, planBox } from '../../firmware-agent/compose.js';
import { SimulatorTrunk } from '../../drivers/simulator/trunk.js';
import { defaultConfig } from '../../firmware-agent/config/model.js';
import { type TicketChange } from '../../firmware-agent/tickets/service.js';
import { memoryTickets } from '../helpers/tickets.js';

t.test('installSms with --driver serial-at files SMS tickets and reports the modem in health', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sms-install-'));
  const link = path.join(dir, 'gsm0');
  const pair = await openPtyPair({ hostLink: link });
  const simPort = await serialPortTransport({ path: pair.device }).open();
  const sim = new SimulatedModem();
  sim.attach(simPort);
  const { db, tickets } = memoryTickets();
  const health = new Health();
  const closers: Array<() => unknown> = [];
  const log = recordingLogger();
  const app = Fastify();
  app.addSchema(errorSchema);
  const box = {
    db,
    tickets,
    health,
    dataDir: dir,
    http: Object.assign(app, { log }),
    config: { current: () => ({ ...defaultConfig, box: { ...defaultConfig.box, region: '623000', timezone: 'Asia/Shanghai' } }) },
    onClose: (fn: () => unknown) => closers.push(fn),
  } as unknown as Box;
  t.teardown(async () => {
    for (const c of closers.reverse()) await c();
    await app.close();
    await simPort.close();
    await pair.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // As the composition root does: the plan names the driver with its options, buildTrunk builds it once.
  const plan = planBox(defaultConfig, dir, { driver: 'serial-at', serial: link });
  const installed = await installSms(box, { dataDir: dir, plan, trunk: await buildTrunk(box, plan.trunk) });
  const settled = new Promise((resolve) => installed!.channel.outbox.onSettled(resolve));
  const created = new Promise<TicketChange>((resolve) => tickets.onCommitted((c) => c.action === 'create' && resolve(c)));
  const replied = new Promise<string>((resolve) => sim.on('sent', (s) => resolve(s.text)));
  sim.deliverSms({ from: '+8613800138000', text: '驾校收费不退' });
  const c = await created;
  t.equal(c.ticket.channel, 'sms');
  t.match(await replied, c.ticket.number);
  await settled;
  const part = health.report().parts.sms!;
  t.equal(part.ok, true);
  t.match(part, { modem: { state: 'ready', sim: 'READY' } });
  // The API for supervisors (auth is the server's plugin; not mounted in this test).
  const status = await app.inject({ method: 'GET', url: '/api/sms/status' });
  t.match(status.json(), { modem: { state: 'ready' }, outbox: { sent: 1 } });
  const messages = await app.inject({ method: 'GET', url: '/api/sms/messages?limit=5' });
  t.match(messages.json(), { items: [{ sender: '**********8000', text: '驾校收费不退', kind: 'ticket', ticketNumber: c.ticket.number, complete: true }] });
  const outbox = await app.inject({ method: 'GET', url: '/api/sms/outbox?status=sent' });
  t.match(outbox.json(), { items: [{ recipient: '*******8000', kind: 'auto-reply', status: 'sent' }] });
});

t.test('without --driver serial-at there is no SMS modem, and health says so', async (t) => {
  const health = new Health();
  const plan = planBox(defaultConfig, '/nonexistent');
  t.equal(plan.trunk.driver, 'simulator');
  await installSms({ health } as unknown as Box, { dataDir: '/nonexistent', plan, trunk: { driver: new SimulatorTrunk({ channels: 1 }), modem: null } });
  t.match(health.report().parts.sms, { ok: true, modem: null });
});

t.test('--driver serial-at without --serial is refused, naming the flag; no environment variable stands in', async (t) => {
  const saved = process.env.EDGEBOX_SERIAL;
  process.env.EDGEBOX_SERIAL = '/dev/ttyUSB0';
  t.teardown(() => {
    if (saved === undefined) delete process.env.EDGEBOX_SERIAL;
    else process.env.EDGEBOX_SERIAL = saved;
  });
  t.throws(() => planBox(defaultConfig, os.tmpdir(), { driver: 'serial-at' }), { code: 'SERIAL_AT_BAD_OPTION', detail: { param: 'serial' } } as object as Error);
  t.throws(() => planBox({ ...defaultConfig, trunk: { driver: 'serial-at', serial: null, dchannel: null, options: {} } }, os.tmpdir()), { code: 'SERIAL_AT_BAD_OPTION' } as object as Error, 'nor from the configuration');
});

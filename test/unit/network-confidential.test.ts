// A confidential reporter's (举报人) identity in the messages a city box queues, under both settings of
// network.revealConfidentialUpstream: withheld by default; with the setting, reports upward carry it, while a
// transfer to the box that handles the matter still withholds it. A whole box in-process (temp data
// directory, not paired, so the queued messages stay in its outbox for the test to read).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { systemActor } from '../../firmware-agent/accounts/service.js';
import { type Box } from '../../firmware-agent/app.js';
import { startTestBox } from '../helpers/box.js';
import type { Envelope, ReportBody, TransferBody } from '../../firmware-agent/network/messages.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-confidential-'));
let box: Box;
t.before(async () => {
  box = (await startTestBox({ login: false, dataDir: dir, role: 'city', region: '623000', flags: { 'net-idle-ms': '60000' } })).box;
});
t.teardown(async () => {
  await box.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const report = (region: string, subject: string) =>
  box.tickets.create(
    { type: 'complaint', subtype: 'report', domain: 'taxi', channel: 'phone', region, caller: { phone: '13900001111', name: '李女士' }, subject, description: `${subject}：有人举报。` },
    systemActor,
  );
const messages = (number: string) =>
  (box.db.prepare('SELECT envelope FROM net_outbox ORDER BY seq').all() as { envelope: string }[])
    .map((r) => JSON.parse(r.envelope) as Envelope)
    .filter((e) => (e.body as Partial<ReportBody>).ticket?.number === number);
const setReveal = (on: boolean) =>
  box.config.update((d) => {
    d.network.revealConfidentialUpstream = on;
  });

t.test('by default a confidential reporter’s phone and name are withheld from every message', async (t) => {
  t.equal(box.config.current().network.revealConfidentialUpstream, false, 'the default is off');
  const v = report('623001', '举报非法营运');
  t.equal(v.confidential, true);
  const [m] = messages(v.number);
  t.equal(m!.kind, 'ticket.report');
  t.same((m!.body as ReportBody).ticket.caller, { phone: null, name: null, anonymous: false, hidden: true });
  t.notOk(JSON.stringify(m).includes('13900001111'));
});

t.test('with the policy setting on, reports upward carry the identity; a transfer still withholds it', async (t) => {
  await setReveal(true);
  t.teardown(() => setReveal(false));
  const v = report('620102', '举报兰州黑车');
  const ms = messages(v.number);
  t.same(
    ms.map((m) => m.kind),
    ['ticket.transfer', 'ticket.report'],
  );
  const transfer = ms[0]!.body as TransferBody;
  const up = ms[1]!.body as ReportBody;
  t.same(up.ticket.caller, { phone: '13900001111', name: '李女士', anonymous: false, hidden: false }, 'the report names the reporter');
  t.equal(up.ticket.confidential, true, 'and still says the reporter is confidential');
  t.same(transfer.ticket.caller, { phone: null, name: null, anonymous: false, hidden: true }, 'the handling box does not get the identity');
  t.equal(box.tickets.view(box.tickets.getRow(v.number)!, { id: null, name: 'dept', role: 'department' }).caller.phone, null, 'departments still do not see it');
});

t.test('turned off again, reports withhold it again', async (t) => {
  const v = report('623001', '举报出租车议价');
  const [m] = messages(v.number);
  t.equal((m!.body as ReportBody).ticket.caller.hidden, true);
  t.equal((m!.body as ReportBody).ticket.caller.phone, null);
});

// `edgebox gov12345 send <number> [--platform ID] [--note TEXT]` (工单转办: hand a ticket over to the local
// 12345 platform) and `edgebox gov12345 status [<number>]` (one ticket's exchange, or the platforms and the
// outbox), against the running box over HTTP with the same credentials as `edgebox call`. The box decides
// (roles, the ticket's status, the configured platforms); a refusal is printed with what to do about it.
import { parseArgs } from 'node:util';
import { type Api, login } from './calls.js';

export const gov12345Usage = `  gov12345 send NUMBER [--platform ID] [--note TEXT] [--json] [--url URL] [--user NAME] [--data DIR]
        工单转办: send a received or returned ticket to the 12345 platform (--platform when several are configured)
  gov12345 status [NUMBER] [--json] [--url URL] [--user NAME] [--data DIR]
        one ticket's exchange with 12345 (messages sent and received, delivery, errors), or the platforms and outbox
`;

const states: Record<string, string> = {
  none: 'not sent to 12345',
  'transfer-queued': 'sent, waiting in the outbox for the platform',
  'transfer-delivered': 'delivered to the platform, waiting for its result',
  'transfer-rejected': 'refused by the platform (see the message below)',
  'result-received': 'the platform answered; the centre’s return visit is next',
  'visit-queued': 'return visit waiting in the outbox',
  'visit-delivered': 'return visit delivered; the exchange is complete',
  'visit-rejected': 'return visit refused by the platform',
  received: 'received from 12345, being handled here',
  'result-queued': 'result waiting in the outbox for the platform',
  'result-delivered': 'result delivered to 12345',
  'result-rejected': 'result refused by the platform',
};

/** What to do about a refusal, by the box's error code. */
function advice(code: string, details: Record<string, unknown> | undefined, number: string): string {
  switch (code) {
    case 'gov12345-platform-unknown': {
      const configured = (details?.configured as string[] | undefined) ?? [];
      return configured.length
        ? `name one of the enabled platforms with --platform: ${configured.join(', ')}`
        : 'no 12345 platform is enabled: configure one in the gov12345 section (docs/12345.md)';
    }
    case 'illegal-transition':
      return `only a ticket that is received or returned, and not already with 12345, can be sent (it is ${String(details?.status ?? 'in another state')}); see: edgebox gov12345 status ${number}`;
    case 'ticket-not-found':
      return `no ticket ${number} on this box (or not one this account may see)`;
    case 'forbidden-role':
      return 'log in as an agent, supervisor or admin: --user NAME with $EDGEBOX_PASSWORD';
    case 'route-not-found':
      return 'this box does not run the 12345 exchange (the gov12345 section of its configuration)';
    default:
      return '';
  }
}

/** `out` receives what the command prints (standard output by default; tests pass their own). */
export async function gov12345Command(argv: string[], out: (text: string) => void = (text) => void process.stdout.write(text)): Promise<number> {
  const print = (v: unknown) => out(`${JSON.stringify(v, null, 2)}\n`);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      platform: { type: 'string' },
      note: { type: 'string' },
      json: { type: 'boolean' },
      url: { type: 'string' },
      user: { type: 'string' },
      data: { type: 'string' },
    },
    strict: true,
  });
  const [sub, number, ...extra] = positionals;
  if ((sub !== 'send' && sub !== 'status') || extra.length > 0) throw new Error(`usage:\n${gov12345Usage}`);
  if (sub === 'send' && !number) throw new Error('send needs the ticket number: edgebox gov12345 send NUMBER');
  if (number !== undefined && !/^\d{19}$/.test(number)) throw new Error(`${number} is not a ticket number (19 digits)`);
  let api: Api;
  try {
    api = await login(values);
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.cause?.code === 'ECONNREFUSED') throw new Error(`no box answers at ${values.url ?? 'the local port'}: is it running? (systemctl status edgebox)`);
    throw e;
  }
  try {
    if (sub === 'send') {
      const body = { ...(values.platform ? { platform: values.platform } : {}), ...(values.note ? { note: values.note } : {}) };
      await api('POST', `/api/gov12345/tickets/${number}/transfer`, body);
      const s = (await api('GET', `/api/gov12345/tickets/${number}`)).json as TicketState;
      if (values.json) print(s);
      else out(`${number} handed over to ${s.link?.platformName ?? '12345'}: ${states[s.state] ?? s.state}\n`);
      return 0;
    }
    if (!number) {
      const s = (await api('GET', '/api/gov12345/status')).json as { platforms: { id: string; name: string; url: string; enabled: boolean }[]; outbox: { waiting: number; oldest: string | null; rejected: number } };
      if (values.json) print(s);
      else {
        for (const p of s.platforms) out(`${p.id}  ${p.name}  ${p.url}  ${p.enabled ? 'enabled' : 'disabled'}\n`);
        out(`outbox: ${s.outbox.waiting} waiting${s.outbox.oldest ? ` (oldest ${s.outbox.oldest})` : ''}, ${s.outbox.rejected} refused by a platform\n`);
      }
      return 0;
    }
    const s = (await api('GET', `/api/gov12345/tickets/${number}`)).json as TicketState;
    if (values.json) print(s);
    else out(describe(s));
    return 0;
  } catch (err) {
    const e = err as Error & { status?: number; body?: { error?: { code: string; message: string; details?: Record<string, unknown> } } };
    const error = e.body?.error;
    if (!error) throw e;
    const whatToDo = advice(error.code, error.details, number ?? '');
    throw new Error(`${error.message} [${error.code}]${whatToDo ? `\n  ${whatToDo}` : ''}`);
  }
}

interface TicketState {
  number: string;
  state: string;
  canTransfer: boolean;
  platforms: { id: string; name: string }[];
  link: { platform: string; platformName: string; direction: 'out' | 'in'; remoteRef: string; at: string } | null;
  sent: { id: string; kind: string; queuedAt: string; deliveredAt: string | null; attempts: number; lastError: string | null; rejectedCode: string | null }[];
  received: { id: string; kind: string; receivedAt: string }[];
}

function describe(s: TicketState): string {
  const lines = [`${s.number}: ${states[s.state] ?? s.state}`];
  if (s.link) lines.push(`  ${s.link.direction === 'out' ? 'sent to' : 'received from'} ${s.link.platformName} (${s.link.platform}), its reference ${s.link.remoteRef}, ${s.link.at}`);
  else if (s.canTransfer) lines.push(`  may be sent: edgebox gov12345 send ${s.number}${s.platforms.length > 1 ? ' --platform ' + s.platforms.map((p) => p.id).join('|') : ''}`);
  for (const m of s.sent) {
    const how = m.rejectedCode ? `refused by the platform: ${m.rejectedCode} ${m.lastError ?? ''}` : m.deliveredAt ? `delivered ${m.deliveredAt}` : `waiting (${m.attempts} attempts${m.lastError ? `, last error: ${m.lastError}` : ''})`;
    lines.push(`  sent     ${m.kind.padEnd(15)} ${m.queuedAt}  ${how}`);
  }
  for (const m of s.received) lines.push(`  received ${m.kind.padEnd(15)} ${m.receivedAt}`);
  return `${lines.join('\n')}\n`;
}

// `edgebox call` and `edgebox simulate`: place simulated calls against a running box (HTTP, the box must
// run the simulated trunk), or with --local on an in-process call centre on a virtual clock, which runs
// simulated time much faster than real time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { VirtualClock } from '../../drivers/trunk/clock.js';
import { runCaller } from '../../drivers/simulator/callers.js';
import { SimulatorTrunk } from '../../drivers/simulator/trunk.js';
import { CallCenter } from '../calls/center.js';
import { callsConfig, defaultCallsConfig } from '../calls/config.js';
import { runTraffic, type TrafficOptions } from '../calls/simulate.js';
import { openDb } from '../store/db.js';

const out = (v: unknown) => process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);

export const callsUsage = `  call --from NUMBER [--to 12328] [--digits D] [--timeout S] [--url URL | --local] [--data DIR]
        place one simulated call and print what happened to it as JSON
  simulate [--calls N] [--rate PER_HOUR] [--agents N] [--patience S] [--talk S] [--mix 1:2,2:30,3:45,4:10,5:8,0:5]
           [--seed N] [--url URL | --local] [--data DIR]
        generate Poisson call traffic and print its call KPIs (--local: in-process, simulated time)
  (against a running box: credentials from $EDGEBOX_USER/$EDGEBOX_PASSWORD, else admin and
   <data>/initial-admin-password; URL default http://127.0.0.1:$EDGEBOX_PORT or 8328)
`;

const common = {
  url: { type: 'string' },
  local: { type: 'boolean' },
  data: { type: 'string' },
  user: { type: 'string' },
} as const;

async function login(values: { url?: string | undefined; data?: string | undefined; user?: string | undefined }) {
  const base = (values.url ?? `http://127.0.0.1:${process.env.EDGEBOX_PORT ?? '8328'}`).replace(/\/$/, '');
  const user = values.user ?? process.env.EDGEBOX_USER ?? 'admin';
  let password = process.env.EDGEBOX_PASSWORD;
  if (!password) {
    const file = path.join(path.resolve(values.data ?? process.env.EDGEBOX_DATA ?? './data'), 'initial-admin-password');
    if (!fs.existsSync(file)) throw new Error(`no credentials: set EDGEBOX_PASSWORD or pass --data of the box (${file} missing)`);
    password = fs.readFileSync(file, 'utf8').trim();
  }
  const res = await fetch(`${base}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user, password }),
  });
  if (!res.ok) throw new Error(`login to ${base} as ${user} failed: HTTP ${res.status}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return async (p: string, body: unknown) => {
    const r = await fetch(`${base}${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify(body),
    });
    const json = (await r.json()) as unknown;
    if (!r.ok) {
      const hint = r.status === 404 ? ' (is the box running the simulated trunk?)' : '';
      throw new Error(`${p}: HTTP ${r.status}${hint}: ${JSON.stringify(json)}`);
    }
    return json;
  };
}

/** An in-process centre on a virtual clock, Monday 10:00 China time, with `agents` simulated agents. */
async function localCentre(agents: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-sim-'));
  const db = openDb({ file: ':memory:' });
  const clock = new VirtualClock();
  const sim = new SimulatorTrunk({ clock });
  let seq = 0;
  const center = new CallCenter({
    db,
    driver: sim,
    clock,
    config: callsConfig({}, defaultCallsConfig(dir, '623000')),
    tickets: { create: () => ({ number: `6230002026113000${String(++seq).padStart(3, '0')}` }) },
  });
  await center.start();
  for (let i = 1; i <= agents; i++) {
    sim.addStation(`80${i}`, { answerAfterMs: 3000, talkMs: 120_000 });
    center.acd.setState({ agentId: i, name: `agent${i}`, state: 'ready', station: `80${i}` });
  }
  return {
    sim,
    clock,
    center,
    async close() {
      await center.stop();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function callCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { ...common, from: { type: 'string' }, to: { type: 'string' }, digits: { type: 'string' }, timeout: { type: 'string' } },
  });
  if (!values.from || !/^\+?\d{3,20}$/.test(values.from)) throw new Error('--from NUMBER is required (digits only)');
  const to = values.to ?? '12328';
  const digits = values.digits ?? '';
  if (!/^[0-9*#]{0,8}$/.test(digits)) throw new Error('--digits: DTMF digits 0-9 * # only');
  const timeoutS = values.timeout ? Number(values.timeout) : 120;
  if (!(Number.isInteger(timeoutS) && timeoutS >= 1 && timeoutS <= 600)) throw new Error('--timeout must be 1..600 seconds');
  if (!values.local) {
    const post = await login(values);
    out(await post('/api/simulator/call', { from: values.from, to, digits, timeoutS }));
    return 0;
  }
  const box = await localCentre(1);
  try {
    const { call, done } = runCaller(box.sim, { caller: values.from, called: to, presses: digits.split(''), eager: true, thinkMs: 300, hangUpAfterMs: timeoutS * 1000 });
    const log = await box.clock.until(done);
    const v = box.center.records.get(call.callId)!;
    out({
      callId: call.callId,
      from: values.from,
      to,
      route: v.call.route,
      outcome: v.call.outcome,
      prompts: log.prompts,
      transferredTo: log.transferredTo ?? null,
      agent: v.call.agent_id,
      station: log.connected?.station ?? null,
      tickets: v.tickets.map((t) => t.ticket_number),
      callback: v.call.callback_id,
      hangup: log.hangup ?? null,
      legs: v.legs,
    });
  } finally {
    await box.close();
  }
  return 0;
}

function parseMix(text: string | undefined): Record<string, number> | undefined {
  if (!text) return undefined;
  const mix: Record<string, number> = {};
  for (const part of text.split(',')) {
    const [k, w] = part.split(':');
    if (!k || !/^[0-9*#]$/.test(k) || !(Number(w) >= 0)) throw new Error(`--mix: bad entry "${part}" (digit:weight)`);
    mix[k] = Number(w);
  }
  return mix;
}

export async function simulateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...common,
      calls: { type: 'string' },
      rate: { type: 'string' },
      agents: { type: 'string' },
      patience: { type: 'string' },
      talk: { type: 'string' },
      mix: { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const num = (v: string | undefined, d: number, name: string) => {
    const n = v === undefined ? d : Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a non-negative number`);
    return n;
  };
  const mix = parseMix(values.mix);
  const opts: TrafficOptions = {
    calls: Math.round(num(values.calls, values.local ? 500 : 30, 'calls')),
    ratePerHour: num(values.rate, values.local ? 300 : 1800, 'rate'),
    agents: Math.round(num(values.agents, values.local ? 10 : 4, 'agents')),
    patienceMs: num(values.patience, 90, 'patience') * 1000,
    talkMs: num(values.talk, values.local ? 180 : 20, 'talk') * 1000,
    seed: Math.round(num(values.seed, 12328, 'seed')),
    ...(mix ? { mix } : {}),
  };
  if (!values.local) {
    const post = await login(values);
    process.stderr.write(`placing ${opts.calls} calls at ${opts.ratePerHour}/h against the box (real time)…\n`);
    out(await post('/api/simulator/traffic', opts));
    return 0;
  }
  const box = await localCentre(0);
  try {
    const started = Date.now();
    const r = await runTraffic(box.sim, box.center, opts, (p) => box.clock.until(p));
    out({ ...r, callIds: undefined, wallMs: Date.now() - started, simulatedMs: r.durationMs });
  } finally {
    await box.close();
  }
  return 0;
}

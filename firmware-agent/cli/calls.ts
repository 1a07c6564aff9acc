// `edgebox call` and `edgebox simulate`: place simulated calls against a running box (HTTP, the box must
// run the simulated trunk), or with --local on an in-process call centre on a virtual clock, which runs
// simulated time much faster than real time.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { VirtualClock } from '../../common/clock.js';
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
  (against a running box: the run is a job on the box that the CLI polls, Ctrl-C cancels it; credentials
   from $EDGEBOX_USER/$EDGEBOX_PASSWORD, else admin and <data>/initial-admin-password;
   URL default http://127.0.0.1:$EDGEBOX_PORT or 8328)
`;

const common = {
  url: { type: 'string' },
  local: { type: 'boolean' },
  data: { type: 'string' },
  user: { type: 'string' },
} as const;

export type Api = (method: 'GET' | 'POST' | 'DELETE', p: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; json: any }>;

/**
 * Logs in to a running box over HTTP (credentials from $EDGEBOX_USER/$EDGEBOX_PASSWORD, else admin and
 * <data>/initial-admin-password) and answers a request function that throws on an error answer, naming the
 * request and the box's error body. `edgebox gov12345` uses it too.
 */
export async function login(values: { url?: string | undefined; data?: string | undefined; user?: string | undefined }): Promise<Api> {
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
  return async (method, p, body, headers = {}) => {
    const r = await fetch(`${base}${p}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), cookie, ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await r.json()) as unknown;
    if (!r.ok) {
      const hint = r.status === 404 && p.startsWith('/api/simulator/') && !p.startsWith('/api/simulator/jobs/') ? ' (is the box running the simulated trunk?)' : '';
      // The status and the box's error body ride along, so a command can word the refusal for its user.
      throw Object.assign(new Error(`${method} ${p}: HTTP ${r.status}${hint}: ${JSON.stringify(json)}`), { status: r.status, body: json });
    }
    return { status: r.status, json };
  };
}

/** Poll interval of a simulator job, ms. */
const pollMs = 1000;

/**
 * Follow a job the box started (202 + id) until it has finished and answer its result. Each poll is a short
 * request, so a run of any length never meets the HTTP client's header timeout. Ctrl-C cancels the job (its
 * callers hang up) and still prints what the calls placed so far did.
 */
async function followJob(api: Api, started: { status: number; json: any }, onProgress: (p: Record<string, unknown>) => void): Promise<unknown> {
  if (started.status !== 202 || typeof started.json?.id !== 'string') throw new Error(`the box did not start a job: ${JSON.stringify(started.json)}`);
  const url = `/api/simulator/jobs/${started.json.id as string}`;
  let cancelling = false;
  const onSigint = () => {
    if (cancelling) process.exit(130);
    cancelling = true;
    process.stderr.write('cancelling the job (Ctrl-C again to leave it running)…\n');
    api('DELETE', url).catch((err: unknown) => process.stderr.write(`${(err as Error).message}\n`));
  };
  process.on('SIGINT', onSigint);
  try {
    let last = '';
    for (;;) {
      const job = (await api('GET', url)).json as { state: string; progress: Record<string, unknown> | null; result: unknown; error: string | null };
      const p = JSON.stringify(job.progress);
      if (job.progress && p !== last) onProgress(job.progress);
      last = p;
      if (job.state === 'failed') throw new Error(`the job failed on the box: ${job.error ?? 'unknown error'}`);
      if (job.state !== 'running') return job.result;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
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
    const api = await login(values);
    const started = await api('POST', '/api/simulator/call', { from: values.from, to, digits, timeoutS }, { prefer: 'respond-async' });
    out(await followJob(api, started, () => {}));
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
    const api = await login(values);
    process.stderr.write(`placing ${opts.calls} calls at ${opts.ratePerHour}/h against the box (real time)…\n`);
    const started = await api('POST', '/api/simulator/traffic', opts);
    const result = await followJob(api, started, (p) => process.stderr.write(`placed ${String(p.placed)}/${String(p.calls)}, ended ${String(p.ended)}\n`));
    out(result);
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

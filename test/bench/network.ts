// Network bench (issue 5), in-process boxes talking real HTTP on loopback, SQLite with synchronous=FULL.
//
// Figures (compare within one run; machines are noisy):
//   network.catch-up          a city box with N report messages queued during an outage (default 10,000)
//                             pairs with its province and drains them: messages per second from the
//                             moment the link is up until the province has applied the last one
//                             (batches of 200 signed per request and at their origin, verified, idempotent
//                             apply, onward outbox rows written; the sender's delivered marks are not fsync'd).
//   network.catch-up.ceiling  the same envelopes, batches and HTTP client posted to a bare fastify server
//                             that parses the JSON and answers, with no store and no signature.
//   network.catch-up.store-floor
//                             the rows a province writes for each of those messages (its inbox record, the report
//                             upsert with the ticket snapshot, the onward outbox row with the signed envelope),
//                             written by bare prepared statements in transactions of one batch, synchronous=FULL,
//                             with nothing else: no HTTP, no parsing, no signature. What the store alone permits.
//   network.catch-up.store-floor-nosync
//                             the same with synchronous=OFF: the difference is the time the fsyncs block.
//   network.ministry-ingest   the ministry applying signed batches of ticket reports from a province back
//                             to back (sustained rate; the whole country averaged about 1 report a second
//                             in 2016, with peaks many times that).
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { v7 as uuidv7 } from 'uuid';
import { systemActor } from '../../firmware-agent/accounts/service.js';
import { type Box } from '../../firmware-agent/app.js';
import { startTestBox } from '../helpers/box.js';
import { UpstreamClient } from '../../firmware-agent/network/client.js';
import { newEnvelope } from '../../firmware-agent/network/messages.js';
import { pairWithUpstream } from '../../firmware-agent/network/pairing.js';
import { NetStore } from '../../firmware-agent/network/store.js';
import { generateKeyPair } from '../../firmware-agent/network/crypto.js';
import { signOwn } from '../../firmware-agent/network/origin.js';
import { openDb } from '../../firmware-agent/store/db.js';
import type { Figure } from './lib/figure.js';
import { profileWindow } from './lib/profile.js';
import { promptTexts } from '../../firmware-agent/calls/prompts.js';

export interface NetworkBenchOptions {
  quick?: boolean;
  messages?: number;
  ingest?: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const round = (n: number) => Math.round(n * 1000) / 1000;

async function session(box: Box): Promise<string> {
  const pw = fs.readFileSync(path.join(box.dataDir, 'initial-admin-password'), 'utf8').trim();
  const r = await box.http.inject({ method: 'POST', url: '/api/session', payload: { username: 'admin', password: pw } });
  return r.cookies.find((c) => c.name === 'edgebox_session')!.value;
}

async function enroll(up: Box, region: string): Promise<string> {
  const r = await up.http.inject({ method: 'POST', url: '/api/network/enrollments', payload: { region }, cookies: { edgebox_session: await session(up) } });
  if (r.statusCode !== 201) throw new Error(`enroll ${region}: ${r.body}`);
  return (r.json() as { code: string }).code;
}

async function until(what: string, fn: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Waits (up to two minutes) until a box has made its IVR prompts: a new box synthesises them at start with
 * child processes (espeak-ng, sox), which would otherwise compete with what is measured on two cores.
 */
async function promptsSettled(box: Box): Promise<void> {
  const manifest = path.join(box.dataDir, 'prompts', '.generated.json');
  const want = Object.keys(promptTexts).length;
  const made = () => {
    try {
      return Object.keys(JSON.parse(fs.readFileSync(manifest, 'utf8')) as object).length >= want;
    } catch {
      return false;
    }
  };
  await until('the IVR prompts', made, 120_000).catch(() => undefined);
}

/** Messages per pushed batch: the city's, the ceiling's and the ministry ingest's (EDGEBOX_BENCH_BATCH to try others). */
const batch = Number(process.env.EDGEBOX_BENCH_BATCH ?? 200);
const flags = { 'net-idle-ms': '50', 'net-poll-wait': '5', 'net-retry-base-ms': '50', 'net-retry-max-ms': '500', 'net-batch': String(batch), 'net-max-batch': String(Math.max(batch, 500)) };

/** The province and the ceiling's bare server in their own process (lib/network-upstream.ts). */
function forkUpstream(dataDir: string) {
  const child = fork(path.join(here, 'lib', 'network-upstream.ts'), [dataDir, JSON.stringify(flags)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`bench: the province process exited (${code})`))));
  exited.catch(() => undefined);
  const next = <T>(pick: (m: Record<string, unknown>) => T | undefined): Promise<T> =>
    Promise.race([
      exited,
      new Promise<T>((resolve) => {
        const on = (m: Record<string, unknown>) => {
          const v = pick(m);
          if (v === undefined) return;
          child.off('message', on);
          resolve(v);
        };
        child.on('message', on);
      }),
    ]);
  const ready = next((m) => (typeof m.url === 'string' ? (m as { url: string; tlsUrl: string; bareUrl: string; codes: Record<string, string> }) : undefined));
  return {
    ready,
    warm(envelope: string, label: string): Promise<true> {
      const done = next((m) => (m.warm === true ? true : undefined));
      child.send({ warm: envelope, label });
      return done;
    },
    applied(count: number): Promise<{ applied: number; cpuMs: number; mainThreadCpuMs?: number }> {
      const done = next((m) => (typeof m.applied === 'number' ? (m as { applied: number; cpuMs: number; mainThreadCpuMs?: number }) : undefined));
      child.send({ watch: count });
      return done;
    },
    async close(): Promise<void> {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.send({ close: true });
      await gone;
    },
  };
}

function ticketInput(i: number, region = '623001') {
  return {
    type: 'complaint' as const,
    domain: 'taxi',
    channel: 'phone' as const,
    region,
    caller: { phone: '13800138000' },
    subject: `出租车拒载${i}`,
    description: '乘客在合作市汽车站打车被拒载，要求处理并回复。',
  };
}

/**
 * Seconds a province's store takes to write what it writes for each message of a catch-up (see
 * NetworkService.applyBatch: the duplicate check, the inbox record, the report upsert with its snapshot, the
 * onward outbox row), in transactions of `batch`, with prepared statements and nothing else. The envelopes
 * are signed as their origin signs them, so the onward rows are as long as the province's.
 */
function storeFloor(dir: string, envelopes: string[], synchronous: 'FULL' | 'OFF'): number {
  const db = openDb({ file: path.join(dir, `floor-${synchronous}.db`) });
  try {
    db.pragma(`synchronous = ${synchronous}`);
    const store = new NetStore(db);
    const upsertReport = db.prepare(
      `INSERT INTO net_reports (ticket_id, reporter, number, region, type, domain, channel, status, version, snapshot, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (ticket_id, reporter) DO UPDATE SET snapshot = excluded.snapshot, version = excluded.version, updated_at = excluded.updated_at
       WHERE excluded.version > net_reports.version`,
    );
    const key = generateKeyPair();
    const signed: string[] = [];
    for (let i = 0; i < envelopes.length; i += batch) signed.push(...signOwn(envelopes.slice(i, i + batch), '623000', key.privateKey, key.publicKey));
    const rows = signed.map((text) => {
      const env = JSON.parse(text) as { id: string; kind: string; from: string; body: { ticket: { id: string; number: string; region: string; type: string; domain: string; channel: string; status: string; version: number } } };
      return { env, text, snapshot: JSON.stringify(env.body.ticket) };
    });
    const at = new Date();
    const stamp = at.toISOString();
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += batch) {
      db.transaction(() => {
        for (const { env, text, snapshot } of rows.slice(i, i + batch)) {
          const t = env.body.ticket;
          if (store.seen(env.id)) continue;
          upsertReport.run(t.id, env.from, t.number, t.region, t.type, t.domain, t.channel, t.status, t.version, snapshot, stamp);
          store.enqueueRaw(env.id, env.kind, t.id, text, '^', at);
          store.record(env as never, '623000', 'applied', at);
        }
      }).immediate();
    }
    return (performance.now() - t0) / 1000;
  } finally {
    db.close();
  }
}

export async function run(opts: NetworkBenchOptions = {}): Promise<Figure[]> {
  const n = opts.messages ?? (opts.quick ? 2000 : 10_000);
  const ingest = opts.ingest ?? (opts.quick ? 4000 : 20_000);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'edgebox-netbench-'));
  // One private prompt cache for the bench's boxes: the first synthesises, the others copy.
  process.env.EDGEBOX_PROMPT_CACHE ??= path.join(root, 'prompt-cache');
  const figures: Figure[] = [];
  const boxes: Box[] = [];
  const stops: (() => Promise<void>)[] = [];
  try {
    // --- catch-up after an outage (the province and the bare server in their own process, as on their own machine)
    const upstream = await forkUpstream(path.join(root, 'province'));
    stops.push(() => upstream.close());
    const { url: provinceUrl, tlsUrl, bareUrl, codes } = await upstream.ready;
    let applied = 0;
    /**
     * A city at `region` with `n` reports queued during an outage pairs with the province at `url` and drains
     * them: seconds from pairing until the province has applied the last one. Returns the envelopes queued.
     */
    const drain = async (label: string, region: string, url: string, code: string): Promise<{ seconds: number; queued: number; envelopes: string[]; pairSeconds: number; cpuUsPerMsg: { city: number; province: number; provinceMain: number | null } }> => {
      const city = (await startTestBox({ login: false, dataDir: path.join(root, `city-${region}`), role: 'city', region, host: '127.0.0.1', port: 0, flags })).box;
      boxes.push(city);
      // The outage: tickets taken while the city is not connected; each queues one report.
      city.db.transaction(() => {
        for (let i = 0; i < n; i++) city.tickets.create(ticketInput(i, `${region.slice(0, 4)}01`), systemActor);
      })();
      const queued = (city.db.prepare('SELECT count(*) AS n FROM net_outbox WHERE delivered_at IS NULL').get() as { n: number }).n;
      const envelopes = (city.db.prepare("SELECT envelope FROM net_outbox WHERE hop = 'up' ORDER BY seq").all() as { envelope: string }[]).map((r) => r.envelope);
      // After hours of outage the backlog sits in a settled store, not in a fresh write-ahead log.
      city.db.pragma('wal_checkpoint(TRUNCATE)');
      await promptsSettled(city);
      // The built box loads the exchange's validators precompiled (schema/compiled.ts); run from the sources,
      // ajv compiles them on first use: done before the measured time, as a box that has run a while has.
      await upstream.warm(envelopes[0]!, label);
      const cookie = await session(city);
      applied += queued;
      const done = upstream.applied(applied);
      const stopProfile = await profileWindow(`${label}.city`);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const pr = await city.http.inject({ method: 'POST', url: '/api/network/pair', payload: { upstream: url, code }, cookies: { edgebox_session: cookie } });
      if (pr.statusCode !== 200) throw new Error(`pair: ${pr.body}`);
      const paired = performance.now();
      const province = (await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error('bench: timed out waiting for the catch-up')), 600_000).unref())])) as { cpuMs: number; mainThreadCpuMs?: number };
      const seconds = (performance.now() - t0) / 1000;
      const cityCpu = process.cpuUsage(cpu0);
      // CPU per message on each side: with both on one 2-core machine, their sum bounds the rate (cores / sum).
      const cpuUsPerMsg = {
        city: Math.round((cityCpu.user + cityCpu.system) / queued),
        province: Math.round((province.cpuMs * 1000) / queued),
        provinceMain: province.mainThreadCpuMs === undefined ? null : Math.round((province.mainThreadCpuMs * 1000) / queued),
      };
      await stopProfile();
      return { seconds, queued, envelopes, pairSeconds: (paired - t0) / 1000, cpuUsPerMsg };
    };
    const plain = await drain('catch-up', '623000', provinceUrl, codes['623000']!);
    const { queued, envelopes } = plain;
    const catchUpS = plain.seconds;
    const catchUp: Figure = {
      bench: 'network.catch-up',
      store: 'sqlite',
      size: queued,
      messages: queued,
      seconds: round(catchUpS),
      pair_seconds: round(plain.pairSeconds),
      city_cpu_us_per_msg: plain.cpuUsPerMsg.city,
      province_cpu_us_per_msg: plain.cpuUsPerMsg.province,
      province_main_thread_cpu_us_per_msg: plain.cpuUsPerMsg.provinceMain,
      ops_per_s: round(queued / catchUpS),
      note: `city and province in their own processes; batches of ${batch} signed per request and at their origin (one Ed25519 signature per batch, Merkle paths), two in flight (ordered pushes), verified at the province, applied idempotently with onward outbox rows in one transaction per batch, synchronous=FULL; time includes pairing`,
    };
    // The same over the exchange's TLS (how boxes talk in production: the province's certificate pinned by
    // the fingerprint in the enrollment code), from a second city.
    const tls = await drain('catch-up-tls', '622900', tlsUrl, codes['622900']!);

    // --- ceiling: the same envelopes and batches to a server with no store and no signature (in the province's process)
    const t1 = performance.now();
    for (let i = 0; i < envelopes.length; i += batch) {
      const res = await fetch(`${bareUrl}/api/exchange/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"from":"623000","messages":[${envelopes.slice(i, i + batch).join(',')}]}`,
      });
      await res.json();
    }
    const ceilingS = (performance.now() - t1) / 1000;
    const ceiling: Figure = {
      bench: 'network.catch-up.ceiling',
      store: 'none',
      size: envelopes.length,
      messages: envelopes.length,
      seconds: round(ceilingS),
      ops_per_s: round(envelopes.length / ceilingS),
      note: 'same envelopes and batch size over HTTP to another process, JSON parsed, no store, no signature',
    };
    catchUp.ratio_vs_baseline = Math.round(((catchUp.ops_per_s as number) / (ceiling.ops_per_s as number)) * 100) / 100;
    catchUp.baseline = 'network.catch-up.ceiling';
    const catchUpTls: Figure = {
      bench: 'network.catch-up.tls',
      store: 'sqlite',
      size: tls.queued,
      messages: tls.queued,
      seconds: round(tls.seconds),
      ops_per_s: round(tls.queued / tls.seconds),
      ratio_vs_baseline: Math.round((tls.queued / tls.seconds / (ceiling.ops_per_s as number)) * 100) / 100,
      baseline: 'network.catch-up.ceiling',
      note: 'as network.catch-up, over the exchange TLS port with the certificate pinned (a connection per request)',
    };
    // --- what the province's store alone permits, with and without the fsyncs
    const floorFull = storeFloor(root, envelopes, 'FULL');
    const floorOff = storeFloor(root, envelopes, 'OFF');
    const floor = (name: string, s: number, note: string): Figure => ({
      bench: name,
      store: 'sqlite',
      size: envelopes.length,
      messages: envelopes.length,
      seconds: round(s),
      us_per_msg: Math.round((s * 1e6) / envelopes.length),
      ops_per_s: round(envelopes.length / s),
      ratio_vs_baseline: Math.round((envelopes.length / s / (ceiling.ops_per_s as number)) * 100) / 100,
      baseline: 'network.catch-up.ceiling',
      note,
    });
    figures.push(
      catchUp,
      catchUpTls,
      ceiling,
      floor('network.catch-up.store-floor', floorFull, `only the rows the province writes per message (inbox, report with snapshot, onward signed envelope), bare statements, ${batch} per transaction, synchronous=FULL`),
      floor('network.catch-up.store-floor-nosync', floorOff, 'as network.catch-up.store-floor with synchronous=OFF (the difference is the fsyncs)'),
    );
    // --- the ministry's sustained ingest of reported tickets
    const { box: ministry, url: ministryUrl } = await startTestBox({ login: false, dataDir: path.join(root, 'ministry'), role: 'ministry', region: '110000', flags, listen: true });
    boxes.push(ministry);
    await promptsSettled(ministry);
    const senderDb = openDb({ file: ':memory:' });
    const sender = new NetStore(senderDb);
    await pairWithUpstream(sender, { role: 'province', region: '620000' }, ministryUrl, await enroll(ministry, '620000'), new Date());
    const client = new UpstreamClient({ store: sender, address: () => '620000', now: () => new Date() });
    const snapshot = JSON.parse(envelopes[0]!) as { body: { ticket: Record<string, unknown> } };
    const make = (i: number) => {
      const id = uuidv7();
      // The province's own reports (origin-signed by the client as it pushes: a city's message could only be
      // passed on with that city's own signature, docs/exchange.md §2.2), numbered by the province.
      const from = '620000';
      const ticket = { ...snapshot.body.ticket, id, number: `${from}20261128${String(i % 100000).padStart(5, '0')}` };
      return JSON.stringify(newEnvelope('ticket.report', from, '^', new Date(), { ticket, action: 'create' }, { id, version: 1 }));
    };
    const batches: string[][] = [];
    for (let i = 0; i < ingest; i += batch) batches.push(Array.from({ length: Math.min(batch, ingest - i) }, (_, j) => make(i + j)));
    const t2 = performance.now();
    for (const b of batches) await client.push(b);
    const ingestS = (performance.now() - t2) / 1000;
    senderDb.close();
    const stored = (ministry.db.prepare('SELECT count(*) AS n FROM net_reports').get() as { n: number }).n;
    if (stored !== ingest) throw new Error(`ministry stored ${stored} of ${ingest} reports`);
    figures.push({
      bench: 'network.ministry-ingest',
      store: 'sqlite',
      size: ingest,
      messages: ingest,
      seconds: round(ingestS),
      ops_per_s: round(ingest / ingestS),
      note: `one province pushing signed batches of ${batch} ticket reports back to back; 2016 national average ≈ 1 report/s`,
    });
  } finally {
    for (const b of boxes.reverse()) await b.close().catch(() => undefined);
    for (const stop of stops) await stop().catch(() => undefined);
    fs.rmSync(root, { recursive: true, force: true });
  }
  return figures;
}

export default run;

// The upstream side of the network bench, in its own process (test/bench/network.ts forks it): a province box
// and a bare HTTP server, as on their own machine. Run in one process with the city, the two sides' work
// would be added up on one thread, while between boxes a city prepares its next batch while the province
// applies the last one.
//
// IPC, parent → child: {warm: envelope, label} (check one, so the validators are compiled before the measured time;
// answer {warm: true}), {watch: n} (answer {applied: n, cpuMs, mainThreadCpuMs} once the province's inbox holds n messages: its CPU time
// since the warm-up, all threads and its main thread alone),
// {close: true}. Child → parent, once at start: {url, tlsUrl, bareUrl, codes} (the province's address over
// HTTP and over the exchange's TLS, the bare server's, and enrollment codes for regions 623000 and 622900).
import fs from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { type Box } from '../../../firmware-agent/app.js';
import { startTestBox } from '../../helpers/box.js';
import { checkEnvelope } from '../../../firmware-agent/network/messages.js';
import { profileWindow } from './profile.js';
import { promptTexts } from '../../../firmware-agent/calls/prompts.js';

const [dataDir, flagsJson] = process.argv.slice(2);
if (!dataDir || !flagsJson || !process.send) throw new Error('usage: forked by test/bench/network.ts with <dataDir> <flags JSON>');
const send = (m: object) => process.send!(m);

async function session(box: Box): Promise<string> {
  const pw = fs.readFileSync(path.join(box.dataDir, 'initial-admin-password'), 'utf8').trim();
  const r = await box.http.inject({ method: 'POST', url: '/api/session', payload: { username: 'admin', password: pw } });
  return r.cookies.find((c) => c.name === 'edgebox_session')!.value;
}

/** Waits (up to two minutes) for the box's IVR prompts, made at start by child processes that would compete with the measurement. */
async function promptsSettled(box: Box): Promise<void> {
  const manifest = path.join(box.dataDir, 'prompts', '.generated.json');
  const want = Object.keys(promptTexts).length;
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    try {
      if (Object.keys(JSON.parse(fs.readFileSync(manifest, 'utf8')) as object).length >= want) return;
    } catch {
      // not written yet
    }
  }
}

const { box: province, url } = await startTestBox({ login: false, dataDir, role: 'province', region: '620000', flags: JSON.parse(flagsJson) as Record<string, string>, listen: true });
const bare = Fastify({ bodyLimit: 64 * 1024 * 1024 });
bare.post('/api/exchange/v1/messages', async (request) => {
  const body = request.body as { messages: { id: string }[] };
  return { results: body.messages.map((m) => ({ id: m.id, status: 'applied' })) };
});
const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
await promptsSettled(province);
const cookie = await session(province);
const codes: Record<string, string> = {};
// One city over plain HTTP, one over the exchange's TLS port.
for (const region of ['623000', '622900']) {
  const e = await province.http.inject({ method: 'POST', url: '/api/network/enrollments', payload: { region }, cookies: { edgebox_session: cookie } });
  if (e.statusCode !== 201) throw new Error(`enroll ${region}: ${e.body}`);
  codes[region] = (e.json() as { code: string }).code;
}
const status = await province.http.inject({ method: 'GET', url: '/api/network/status', cookies: { edgebox_session: cookie } });
const tlsUrl = (status.json() as { exchangeTlsUrl?: string }).exchangeTlsUrl;
if (!tlsUrl) throw new Error(`the province has no exchange TLS port: ${status.body}`);
// The inbox holds only the city's messages here, so its last rowid is their count (an O(log n) probe: a
// count(*) every few milliseconds would steal time from the box being measured).
const lastApplied = province.db.prepare('SELECT coalesce(max(seq), 0) AS n FROM net_inbox');
let stopProfile: () => Promise<void> = async () => undefined;
// CPU time of this process (the province) from the warm-up to the last message applied: µs of CPU per message.
let cpuAtWarm = process.cpuUsage();
/**
 * CPU time of this process's main thread in ms (Linux, /proc; undefined elsewhere): the thread that parses,
 * verifies and applies, which bounds the province's rate, apart from what GC and compiler threads add.
 */
function mainThreadCpuMs(): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return undefined;
  }
}
let mainAtWarm = mainThreadCpuMs();
process.on('message', (m: { watch?: number; warm?: string; label?: string; close?: boolean }) => {
  if (typeof m.warm === 'string') {
    checkEnvelope(JSON.parse(m.warm));
    cpuAtWarm = process.cpuUsage();
    mainAtWarm = mainThreadCpuMs();
    void profileWindow(`${m.label ?? 'catch-up'}.province`).then((stop) => {
      stopProfile = stop;
      send({ warm: true });
    });
  }
  if (typeof m.watch === 'number') {
    const want = m.watch;
    const timer = setInterval(() => {
      const n = (lastApplied.get() as { n: number }).n;
      if (n >= want) {
        clearInterval(timer);
        const cpu = process.cpuUsage(cpuAtWarm);
        const main = mainThreadCpuMs();
        const mainMs = main === undefined || mainAtWarm === undefined ? undefined : main - mainAtWarm;
        void stopProfile().then(() => send({ applied: n, cpuMs: (cpu.user + cpu.system) / 1000, mainThreadCpuMs: mainMs }));
      }
    }, 2);
  }
  if (m.close) void Promise.all([province.close(), bare.close()]).finally(() => process.exit(0));
});
send({ url, tlsUrl, bareUrl, codes });

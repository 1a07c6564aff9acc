// `edgebox erlang`: capacity planning from the command line (stats/erlang.ts).
//   edgebox erlang --calls-per-hour N --aht SECONDS [--target-sl 0.8] [--target-seconds 10]
//                  [--blocking 0.01] [--trunk-hold SECONDS] [--json]
//   edgebox erlang --from-history [--days 28] [--data DIR] [...]   (busy hour and AHT from the box's calls)
// Prints the seats needed for the service level (with the service level, probability of waiting, ASA and
// occupancy they give), the trunks needed for the blocking target with the offered traffic, and a table of
// seats → service level. Exit 2 on a bad argument, with the argument named.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PlanError, plan, type Plan, type PlanInput } from '../stats/erlang.js';
import type { BusyHour } from '../stats/busy-hour.js';
import { dataDirOf } from './main.js';

export const erlangUsage = `  erlang --calls-per-hour N --aht SECONDS [--target-sl 0.8] [--target-seconds 10] [--blocking 0.01]
         [--trunk-hold SECONDS] [--json]
         capacity planning: seats for the service level (Erlang C), trunks for the blocking target (Erlang B)
  erlang --from-history [--days 28] [--data DIR] [...]
         the same from the box's own busiest hour and handle time over the last days
`;

class UsageError extends Error {}

function num(values: Record<string, string | boolean | undefined>, flag: string): number | undefined {
  const v = values[flag];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(Number(v))) throw new UsageError(`--${flag} must be a number, got ${String(v)}`);
  return Number(v);
}

const pct = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;
const secs = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} 秒` : '∞');

function render(p: Plan, history: BusyHour | null): string {
  const i = p.input;
  const lines: string[] = [];
  lines.push('容量规划 Capacity planning (Erlang C 座席 seats · Erlang B 中继 trunks)');
  if (history) {
    lines.push(
      `历史忙时 Busy hour: ${history.from} 至 ${history.to}（${history.daysWithCalls} 天有来电），${String(history.hourOfDay).padStart(2, '0')}:00 时段，` +
        `平均 ${history.callsPerHour.toFixed(1)} 通/小时；平均通话 ${history.talkSeconds?.toFixed(0)} 秒 + 话后处理 ${history.wrapUpSeconds} 秒` +
        (history.patienceSeconds !== null ? `；放弃前平均等待 ${history.patienceSeconds.toFixed(0)} 秒` : ''),
    );
  }
  lines.push(`话务量 Offered load: ${p.trafficErlangs.toFixed(2)} Erl（每小时 ${i.callsPerHour} 通 × 平均处理时长 AHT ${i.ahtSeconds} 秒）`);
  lines.push(`目标 Target: ${pct(i.targetServiceLevel, 0)} 的来电在 ${i.targetSeconds} 秒内接通；中继阻塞率 ≤ ${pct(i.blocking)}`);
  lines.push('');
  lines.push(
    `需要座席 Seats needed: ${p.seats.seats} — 服务水平 SL ${pct(p.seats.serviceLevel)} · 等待概率 P(wait) ${pct(p.seats.probabilityWait)} · ` +
      `平均应答 ASA ${secs(p.seats.asaSeconds)} · 占用率 occupancy ${pct(p.seats.occupancy)}`,
  );
  lines.push(
    `需要中继 Trunks needed: ${p.trunks.trunks} — 阻塞率 blocking ${pct(p.trunks.blocking, 2)} · 中继话务量 ${p.trunks.trafficErlangs.toFixed(2)} Erl ` +
      `（每通占用 ${p.trunks.holdSeconds.toFixed(0)} 秒${i.trunkHoldDefaulted ? `：IVR ${i.ivrSeconds} 秒 + 排队 ASA + AHT` : ''}）`,
  );
  lines.push('');
  lines.push('座席 seats  服务水平 SL  等待概率 P(wait)  平均应答 ASA  占用率 occupancy');
  for (const r of p.table) {
    const mark = r.seats === p.seats.seats ? ' ◀' : '';
    lines.push(
      `${String(r.seats).padStart(10)}  ${pct(r.serviceLevel).padStart(11)}  ${pct(r.probabilityWait).padStart(16)}  ${secs(r.asaSeconds).padStart(12)}  ${pct(r.occupancy).padStart(16)}${mark}`,
    );
  }
  lines.push('');
  lines.push('Erlang C 不计放弃：实际服务水平通常略好于此。Erlang C ignores abandonment, so real service is usually a little better.');
  return `${lines.join('\n')}\n`;
}

async function fromHistory(dataDir: string, days: number): Promise<BusyHour> {
  const file = path.join(dataDir, 'edgebox.sqlite');
  if (!fs.existsSync(file)) throw new UsageError(`--from-history: no store at ${file} (give the box's data directory with --data)`);
  const [{ openConfig }, { openDb }, { busyHourFromHistory }, { loadCallsConfig }] = await Promise.all([
    import('../config/store.js'),
    import('../store/db.js'),
    import('../stats/busy-hour.js'),
    import('../calls/install.js'),
  ]);
  const cfg = (await openConfig(dataDir)).current();
  const calls = loadCallsConfig(dataDir, cfg.box.region, cfg.box.timezone);
  const db = openDb({ file });
  try {
    return busyHourFromHistory(db, { now: new Date(), timezone: cfg.box.timezone, days, wrapUpSeconds: calls.queue.wrapUpMs / 1000 });
  } finally {
    db.close();
  }
}

export async function erlangCommand(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'calls-per-hour': { type: 'string' },
        aht: { type: 'string' },
        'target-sl': { type: 'string' },
        'target-seconds': { type: 'string' },
        blocking: { type: 'string' },
        'trunk-hold': { type: 'string' },
        'ivr-seconds': { type: 'string' },
        'from-history': { type: 'boolean' },
        days: { type: 'string' },
        data: { type: 'string' },
        json: { type: 'boolean' },
      },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`edgebox erlang: ${(err as Error).message}\nusage:\n${erlangUsage}`);
    return 2;
  }
  try {
    let history: BusyHour | null = null;
    let callsPerHour = num(values, 'calls-per-hour');
    let aht = num(values, 'aht');
    if (values['from-history']) {
      const days = num(values, 'days') ?? 28;
      if (!Number.isInteger(days) || days < 1 || days > 366) throw new UsageError('--days must be a whole number of days from 1 to 366');
      history = await fromHistory(dataDirOf({ data: values.data as string | undefined }), days);
      if (history.offered === 0) throw new UsageError(`--from-history: no call reached the queue from ${history.from} to ${history.to}; give --calls-per-hour and --aht`);
      callsPerHour ??= Math.round(history.callsPerHour * 10) / 10;
      if (aht === undefined) {
        if (history.ahtSeconds === null) throw new UsageError('--from-history: no answered call to take the handle time from; give --aht');
        aht = Math.round(history.ahtSeconds);
      }
    }
    if (callsPerHour === undefined) throw new UsageError('--calls-per-hour is required (or --from-history)');
    if (aht === undefined) throw new UsageError('--aht is required (the average handle time in seconds: talk + wrap-up)');
    const input: PlanInput = { callsPerHour, ahtSeconds: aht };
    const optional: [keyof PlanInput, string][] = [
      ['targetServiceLevel', 'target-sl'],
      ['targetSeconds', 'target-seconds'],
      ['blocking', 'blocking'],
      ['trunkHoldSeconds', 'trunk-hold'],
      ['ivrSeconds', 'ivr-seconds'],
    ];
    for (const [key, flag] of optional) {
      const v = num(values, flag);
      if (v !== undefined) input[key] = v;
    }
    const result = plan(input);
    if (values.json) process.stdout.write(`${JSON.stringify({ ...result, history }, (_k, v: unknown) => (v === Infinity ? null : v), 2)}\n`);
    else process.stdout.write(render(result, history));
    return 0;
  } catch (err) {
    if (err instanceof PlanError) {
      const flag = { callsPerHour: 'calls-per-hour', ahtSeconds: 'aht', targetServiceLevel: 'target-sl', targetSeconds: 'target-seconds', blocking: 'blocking', trunkHoldSeconds: 'trunk-hold', ivrSeconds: 'ivr-seconds' }[err.field] ?? err.field;
      process.stderr.write(`edgebox erlang: --${flag} ${err.message.slice(err.field.length + 2)}\n`);
      return 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`edgebox erlang: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

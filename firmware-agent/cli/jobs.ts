// `edgebox jobs [--json] [--data DIR]`: the jobs table — schedule, next run, last run's outcome and duration.
// `edgebox jobs run NAME [--json] [--data DIR]`: runs one job now.
// Both ask the box running on the data directory through its control socket (jobs/control.ts); with no box
// running, `jobs` lists the recorded runs from the store and `jobs run` builds the box in this process
// (without listening or starting the schedules) and runs the job there.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { askBox } from '../jobs/control.js';
import type { JobRun, JobStatus } from '../jobs/table.js';
import { dataDirOf } from './main.js';

function line(j: Pick<JobStatus, 'name' | 'schedule' | 'nextRun' | 'lastRun'> & { running?: boolean }): string {
  const r = j.lastRun;
  const last = r ? `${r.outcome === 'ok' ? 'ok    ' : 'FAILED'} ${r.finishedAt} ${String(r.durationMs).padStart(8)} ms${r.error ? `  ${r.error}` : ''}` : 'never run';
  return `${j.name.padEnd(18)} ${j.schedule.padEnd(14)} next ${j.nextRun ?? '-'.padEnd(24)}  last ${last}${j.running ? '  (running)' : ''}`;
}

function printRun(r: JobRun, json: boolean): number {
  if (json) process.stdout.write(`${JSON.stringify(r)}\n`);
  else process.stdout.write(`${r.name}: ${r.outcome} in ${r.durationMs} ms${r.error ? `: ${r.error}` : ''}\n${r.detail ? `${JSON.stringify(r.detail)}\n` : ''}`);
  return r.outcome === 'ok' ? 0 : 1;
}

export async function jobsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { data: { type: 'string' }, json: { type: 'boolean', default: false } }, allowPositionals: true, strict: true });
  const dataDir = dataDirOf(values);
  const json = values.json === true;
  const [sub, name] = positionals;
  if (sub !== undefined && sub !== 'run' && sub !== 'list') throw new Error(`unknown subcommand ${sub}: use \`edgebox jobs\` or \`edgebox jobs run NAME\``);
  if (sub === 'run') {
    if (!name) throw new Error('usage: edgebox jobs run NAME');
    const asked = await askBox(dataDir, 'POST', `/jobs/${encodeURIComponent(name)}/run`);
    if (asked) {
      const b = asked.body as { run?: JobRun; error?: { message: string } };
      if (!b.run) throw new Error(b.error?.message ?? `the running box answered ${asked.status}`);
      return printRun(b.run, json);
    }
    const { createBox } = await import('../app.js');
    const { jobsOf } = await import('../jobs/install.js');
    const box = await createBox({ dataDir, logger: false });
    try {
      const jobs = jobsOf(box);
      if (!jobs.has(name)) throw new Error(`no job ${name}; jobs: ${jobs.names().join(', ')}`);
      return printRun(await jobs.run(name, 'manual'), json);
    } finally {
      await box.close();
    }
  }
  const asked = await askBox(dataDir, 'GET', '/jobs');
  if (asked) {
    const b = asked.body as { timezone: string; jobs: JobStatus[] };
    if (json) process.stdout.write(`${JSON.stringify(b)}\n`);
    else process.stdout.write(`jobs of the box running on ${dataDir} (times UTC, schedules in ${b.timezone}):\n${b.jobs.map(line).join('\n')}\n`);
    return b.jobs.some((j) => j.lastRun?.outcome === 'failed') ? 1 : 0;
  }
  const { openDb } = await import('../store/db.js');
  const { storedRuns } = await import('../jobs/table.js');
  const db = openDb({ file: path.join(dataDir, 'edgebox.sqlite') });
  try {
    const runs = storedRuns(db);
    if (json) process.stdout.write(`${JSON.stringify({ running: false, runs })}\n`);
    else
      process.stdout.write(
        `no box is running on ${dataDir}; the last recorded run of each job:\n${runs.map((r) => line({ name: r.name, schedule: '-', nextRun: null, lastRun: r })).join('\n') || '(none)'}\n`,
      );
    return runs.some((r) => r.outcome === 'failed') ? 1 : 0;
  } finally {
    db.close();
  }
}

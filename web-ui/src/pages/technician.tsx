// Technician page (设备维护) for admins and technicians: it replaces the raw /healthz JSON the home page
// used to print. Sections: self-test (GET /api/admin/selftest), this box's active alarms and their history
// with "sample now" (GET /api/alarms, POST /api/alarms/sample), alarms of the boxes below on a province or
// ministry (GET /api/network/alarms), scheduled jobs (GET /api/admin/jobs, with 'run now'), and
// the LAN HTTPS certificate and how to trust it (GET /api/admin/tls, docs/https.md), and the health figures
// (GET /api/health/sample, /healthz warnings). docs/technician.md describes each API.
import type { FromSchema } from 'json-schema-to-ts';
import type { jobSchema } from '../../../firmware-agent/jobs/schemas';
import type { SelfTest } from '../../../firmware-agent/selftest/view-types';
import type { TlsView } from '../../../firmware-agent/webui/view-types';
import type { HealthSample } from '../../../firmware-agent/health/view-types';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, post } from '../api.js';
import { type Alarm, type BelowAlarm, alarmText, alarmsChanged } from '../alarms.js';
import { ErrorBox } from '../components.js';
import { errText, fmtTime, strings } from '../i18n.js';

const dict = {
  title: ['设备维护', 'Technician'],
  https: ['HTTPS 证书（坐席电脑需信任本机证书颁发机构）', 'HTTPS certificate (agents’ PCs must trust the box CA)'],
  httpsUrl: ['HTTPS 地址', 'HTTPS address'],
  httpsOff: ['HTTPS 未启用', 'HTTPS is off'],
  caFingerprint: ['证书颁发机构 SHA-256 指纹', 'CA SHA-256 fingerprint'],
  caDownload: ['下载证书颁发机构证书', 'Download the CA certificate'],
  certNames: ['证书包含的名称和地址', 'Names and addresses in the certificate'],
  validUntil: ['有效期至', 'Valid until'],
  trustHow: [
    '在每台坐席电脑上下载上述证书，核对指纹一致后，安装到“受信任的根证书颁发机构”（Windows：双击证书→安装证书→本地计算机；统信UOS/麒麟：复制到 /usr/local/share/ca-certificates 后运行 update-ca-certificates）。详见 docs/https.md。',
    'On each agent’s PC download the certificate above, check that its fingerprint matches, and install it as a trusted root (Windows: double-click → Install certificate → Local machine; UOS/Kylin/Debian: copy to /usr/local/share/ca-certificates and run update-ca-certificates). See docs/https.md.',
  ],
  selftest: ['自检', 'Self-test'],
  check: ['检查项', 'Check'],
  result: ['结果', 'Result'],
  value: ['测量值', 'Measured'],
  hint: ['处理建议', 'What to do'],
  ok: ['正常', 'OK'],
  failed: ['异常', 'Failed'],
  notYet: ['本机暂不提供此功能', 'Not available on this box yet'],
  allOk: ['全部检查通过', 'Every check passed'],
  someFailed: ['有检查未通过', 'Some checks failed'],
  runSelftest: ['重新自检', 'Run again'],
  alarms: ['本机告警', 'Alarms of this box'],
  active: ['当前告警', 'Active'],
  noActive: ['无当前告警', 'No active alarm'],
  history: ['告警历史', 'History'],
  sampleNow: ['立即采样', 'Sample now'],
  sampled: ['已采样', 'Sampled'],
  key: ['告警项', 'Alarm'],
  severity: ['级别', 'Severity'],
  critical: ['严重', 'Critical'],
  warning: ['警告', 'Warning'],
  message: ['内容', 'Message'],
  raisedAt: ['产生时间', 'Raised'],
  clearedAt: ['解除时间', 'Cleared'],
  stillActive: ['未解除', 'Active'],
  below: ['下级设备告警', 'Alarms of the boxes below'],
  origin: ['设备区划', 'Box'],
  noBelow: ['下级设备无告警', 'No alarm reported from below'],
  jobs: ['定时任务', 'Scheduled jobs'],
  job: ['任务', 'Job'],
  schedule: ['周期', 'Schedule'],
  lastRun: ['上次运行', 'Last run'],
  outcome: ['结果', 'Outcome'],
  duration: ['耗时', 'Duration'],
  nextRun: ['下次运行', 'Next run'],
  never: ['未运行', 'Never'],
  running: ['运行中', 'Running'],
  runNow: ['立即运行', 'Run now'],
  health: ['运行指标', 'Health figures'],
  status: ['总体状态', 'Overall'],
  degraded: ['需处理', 'Needs attention'],
  warnings: ['提示', 'Warnings'],
  sampledAt: ['采样时间', 'Sampled at'],
  load1PerCore: ['每核平均负载', 'Load average per core'],
  cpuUsePercent: ['CPU使用率 %', 'CPU use %'],
  temperatureC: ['CPU温度 °C', 'CPU temperature °C'],
  memoryAvailablePercent: ['可用内存 %', 'Memory available %'],
  diskFreePercent: ['数据盘剩余 %', 'Data disk free %'],
  diskFreeMB: ['数据盘剩余 MiB', 'Data disk free MiB'],
  rssMB: ['程序内存 MiB', 'Box memory (RSS) MiB'],
  eventLoopDelayMs: ['事件循环延迟 ms', 'Event-loop delay ms'],
  modemSignalRssi: ['模块信号 (CSQ)', 'Modem signal (CSQ)'],
  modemReady: ['模块就绪', 'Modem ready'],
  modemRegistered: ['模块已注册网络', 'Modem registered'],
  trunkUp: ['中继/D信道', 'Trunk / D-channel'],
  netOutboxDepth: ['待上报消息', 'Messages to upstream'],
  netOutboxAgeMinutes: ['最早待上报(分钟)', 'Oldest unsent (min)'],
  smsOutboxDepth: ['待发短信', 'SMS waiting'],
  overdueTickets: ['超期工单', 'Overdue tickets'],
  unknown: ['无此项', 'n/a'],
  yes: ['是', 'yes'],
  no: ['否', 'no'],
  dataDisk: ['数据盘', 'Data disk'],
} as const;
const s = strings(dict);

const figureOrder = [
  'load1PerCore', 'cpuUsePercent', 'temperatureC', 'memoryAvailablePercent', 'diskFreePercent', 'diskFreeMB', 'rssMB', 'eventLoopDelayMs',
  'modemSignalRssi', 'modemReady', 'modemRegistered', 'trunkUp', 'netOutboxDepth', 'netOutboxAgeMinutes', 'smsOutboxDepth', 'overdueTickets',
] as const;

/** GET /api/health/sample (firmware-agent/health/view-types.ts). */
type Sample = HealthSample;
/** A job as GET /api/admin/jobs lists it (the route's schema, firmware-agent/jobs/schemas.ts). */
type Job = FromSchema<typeof jobSchema>;

/** The LAN certificate as /api/admin/tls gives it. */
type TlsInfo = TlsView;

function show(v: unknown): string {
  if (v === null || v === undefined) return s('unknown');
  if (typeof v === 'boolean') return v ? s('yes') : s('no');
  if (Array.isArray(v)) return v.map(show).join(', ');
  // A check's measured value is often an object ({rssi, dbm}, {freeMB, freePercent, path}): key=value pairs.
  if (typeof v === 'object') return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${x !== null && typeof x === 'object' ? JSON.stringify(x) : show(x)}`).join(' · ');
  return String(v);
}

/** null while loading; 'missing' when the box does not serve the API (404 route-not-found). */
function useOptional<T>(url: string, tick: number): { data: T | null | 'missing'; error: string | null } {
  const [data, setData] = useState<T | null | 'missing'>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<T>(url)
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 404) setData('missing');
        else setError(errText(e));
      });
  }, [url, tick]);
  return { data, error };
}

/** A table's header row: each column's label by its key in this page's strings ('' for an empty column). */
function Head({ cols }: { cols: (keyof typeof dict | '')[] }) {
  return (
    <thead>
      <tr>
        {cols.map((c, i) => (
          <th key={i}>{c ? s(c) : null}</th>
        ))}
      </tr>
    </thead>
  );
}

function AlarmRows({ items, withCleared }: { items: Alarm[]; withCleared: boolean }) {
  return (
    <tbody>
      {items.map((a) => (
        <tr key={a.id} data-key={a.key} data-id={a.id} class={a.severity}>
          <td>{a.key}</td>
          <td>
            <span class="alarm-sev">{a.severity === 'critical' ? s('critical') : s('warning')}</span>
          </td>
          <td class="alarm-text">{alarmText(a)}</td>
          <td>{fmtTime(a.raisedAt)}</td>
          {withCleared ? <td class="cleared">{a.clearedAt ? fmtTime(a.clearedAt) : s('stillActive')}</td> : null}
        </tr>
      ))}
    </tbody>
  );
}

export function TechnicianPage() {
  const [tick, setTick] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [alarms, setAlarms] = useState<{ active: Alarm[]; history: Alarm[] } | null>(null);
  const [sample, setSample] = useState<Sample | null>(null);
  const [hz, setHz] = useState<{ status: string; role: string; warnings?: string[] } | null>(null);
  const selftest = useOptional<SelfTest>('/api/admin/selftest', tick);
  const jobs = useOptional<{ timezone: string; jobs: Job[] }>('/api/admin/jobs', tick);
  const tls = useOptional<TlsInfo>('/api/admin/tls', tick);
  const [below, setBelow] = useState<BelowAlarm[] | null>(null);

  useEffect(() => {
    get<{ active: Alarm[]; history: Alarm[] }>('/api/alarms?limit=50').then(setAlarms).catch((e: unknown) => setError(errText(e)));
    get<{ sample: Sample }>('/api/health/sample').then((r) => setSample(r.sample)).catch((e: unknown) => setError(errText(e)));
    get<{ status: string; role: string; warnings?: string[] }>('/healthz')
      .then((h) => {
        setHz(h);
        if (h.role !== 'city') get<{ items: BelowAlarm[] }>('/api/network/alarms').then((r) => setBelow(r.items)).catch((e: unknown) => setError(errText(e)));
      })
      .catch((e: unknown) => setError(errText(e)));
  }, [tick]);

  const runJob = async (name: string) => {
    setBusy(true);
    try {
      await post(`/api/admin/jobs/${encodeURIComponent(name)}/run`);
      alarmsChanged();
      setTick((n) => n + 1);
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  };

  const sampleNow = async () => {
    setBusy(true);
    try {
      const r = await post<{ sample: Sample }>('/api/alarms/sample');
      setSample(r.sample);
      alarmsChanged();
      setTick((n) => n + 1);
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="pad" id="technician">
      <h2>{s('title')}</h2>
      <ErrorBox error={error} />

      <SelftestCard selftest={selftest} rerun={() => setTick((n) => n + 1)} />

      <AlarmsCard alarms={alarms} busy={busy} sampleNow={sampleNow} />

      {below ? <BelowAlarms below={below} /> : null}

      <JobsCard jobs={jobs} busy={busy} runJob={runJob} />

      {tls.data && tls.data !== 'missing' ? <HttpsCard tls={tls.data} /> : null}

      <div class="card" id="tech-health">
        <h3>{s('health')}</h3>
        {hz ? (
          <p>
            {s('status')}：<span id="tech-status" class={hz.status === 'ok' ? 'check-ok' : 'check-fail'}>{hz.status === 'ok' ? s('ok') : s('degraded')}</span>
          </p>
        ) : null}
        {hz?.warnings?.length ? (
          <ul id="tech-warnings">
            {hz.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        ) : null}
        {sample ? (
          <>
            <p class="muted">
              {s('sampledAt')} {fmtTime(sample.at)}
              {sample.system.disk ? ` · ${s('dataDisk')} ${sample.system.disk.mount}` : ''}
            </p>
            <dl class="figures" id="tech-figures">
              {figureOrder.map((k) => (
                <div key={k} data-figure={k}>
                  <dt>{s(k)}</dt>
                  <dd>{show(sample.figures[k])}</dd>
                </div>
              ))}
            </dl>
          </>
        ) : null}
      </div>
    </section>
  );
}

/** Alarms raised at the boxes below (a province or the ministry). */
function BelowAlarms({ below }: { below: BelowAlarm[] }) {
  return (
    <div class="card" id="tech-below">
      <h3>{s('below')}</h3>
      {below.length === 0 ? <p class="muted">{s('noBelow')}</p> : null}
      {below.length ? (
        <table class="list">
          <Head cols={['origin', 'key', 'severity', 'message', 'raisedAt', 'clearedAt']} />
          <tbody>
            {below.map((a) => (
              <tr key={`${a.origin}/${a.key}/${a.raisedAt}`} data-origin={a.origin} data-key={a.key} class={a.severity}>
                <td>
                  {a.origin} {a.originName ?? ''}
                </td>
                <td>{a.key}</td>
                <td>
                  <span class="alarm-sev">{a.severity === 'critical' ? s('critical') : s('warning')}</span>
                </td>
                <td>{alarmText(a)}</td>
                <td>{fmtTime(a.raisedAt)}</td>
                <td class="cleared">{a.clearedAt ? fmtTime(a.clearedAt) : s('stillActive')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

/** The jobs table: each job's schedule, last and next run, and a button to run it now. */
function JobsCard({ jobs, busy, runJob }: { jobs: { data: { timezone: string; jobs: Job[] } | null | 'missing'; error: string | null }; busy: boolean; runJob: (name: string) => Promise<void> }) {
  return (
    <div class="card" id="tech-jobs">
      <h3>{s('jobs')}</h3>
      {jobs.data === 'missing' ? <p class="muted" id="tech-jobs-missing">{s('notYet')}</p> : null}
      {jobs.error ? <ErrorBox error={jobs.error} /> : null}
      {jobs.data && jobs.data !== 'missing' ? (
        <table class="list">
          <Head cols={['job', 'schedule', 'lastRun', 'outcome', 'duration', 'nextRun', '']} />
          <tbody>
            {jobs.data.jobs.map((j) => (
              <tr key={j.name} data-job={j.name} class={j.lastRun?.outcome === 'failed' ? 'warning' : ''}>
                <td title={j.description}>{j.name}</td>
                <td>
                  <code>{j.schedule}</code>
                </td>
                <td>{j.lastRun ? fmtTime(j.lastRun.startedAt) : s('never')}</td>
                <td class={j.lastRun ? (j.lastRun.outcome === 'ok' ? 'check-ok' : 'check-fail') : ''} title={j.lastRun?.error ?? ''}>
                  {j.running ? s('running') : j.lastRun ? (j.lastRun.outcome === 'ok' ? s('ok') : `${s('failed')}: ${j.lastRun.error ?? ''}`) : ''}
                </td>
                <td>{j.lastRun ? `${j.lastRun.durationMs} ms` : ''}</td>
                <td>{j.nextRun ? fmtTime(j.nextRun) : ''}</td>
                <td>
                  <button class="link run-job" disabled={j.running || busy} onClick={() => void runJob(j.name)}>
                    {s('runNow')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

/** The LAN certificate: the address, the CA's fingerprint and download, and how agents' PCs trust it. */
function HttpsCard({ tls }: { tls: TlsInfo }) {
  return (
    <div class="card" id="tech-https">
      <h3>{s('https')}</h3>
      <dl class="kv">
        <dt>{s('httpsUrl')}</dt>
        <dd id="tech-https-url">{tls.url ? <a href={tls.url}>{tls.url}</a> : s('httpsOff')}</dd>
        <dt>{s('caFingerprint')}</dt>
        <dd class="mono" id="tech-ca-fingerprint" style={{ wordBreak: 'break-all' }}>{tls.caFingerprint}</dd>
        <dt>{s('certNames')}</dt>
        <dd>{[...tls.names, ...tls.addresses].join(', ')}</dd>
        <dt>{s('validUntil')}</dt>
        <dd>{fmtTime(tls.notAfter)}</dd>
      </dl>
      <p>
        <a href={tls.download} download="edgebox-lan-ca.crt" id="tech-ca-download">{s('caDownload')}</a>
      </p>
      <p class="muted">{s('trustHow')}</p>
    </div>
  );
}

/** The self-test: each check's result, value and, when it failed, what to do. */
function SelftestCard({ selftest, rerun }: { selftest: { data: SelfTest | null | 'missing'; error: string | null }; rerun: () => void }) {
  return (
    <div class="card" id="tech-selftest">
      <h3>{s('selftest')}</h3>
      {selftest.data === 'missing' ? (
        <p class="muted" id="tech-selftest-missing">{s('notYet')}</p>
      ) : selftest.error ? (
        <ErrorBox error={selftest.error} />
      ) : selftest.data ? (
        <>
          <p id="tech-selftest-summary">
            <span class={selftest.data.ok ? 'check-ok' : 'check-fail'}>{selftest.data.ok ? s('allOk') : s('someFailed')}</span>{' '}
            <span class="muted">
              {fmtTime(selftest.data.at)}
            </span>
          </p>
          <table class="list">
            <Head cols={['check', 'result', 'value', 'hint']} />
            <tbody>
              {(selftest.data.checks ?? []).map((c) => (
                <tr key={c.name} data-check={c.name} data-ok={String(c.ok)}>
                  <td>{c.name}</td>
                  <td class={c.ok ? 'check-ok result' : 'check-fail result'}>{c.ok ? s('ok') : s('failed')}</td>
                  <td class="value">{show(c.value)}</td>
                  <td class="hint">{c.ok ? '' : (c.hint ?? '')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <p class="muted">{s('running')}…</p>
      )}
      {selftest.data !== 'missing' ? (
        <button onClick={rerun} id="tech-selftest-run">
          {s('runSelftest')}
        </button>
      ) : null}
    </div>
  );
}

/** This box's alarms, active and past, and a button to take the figures now. */
function AlarmsCard({ alarms, busy, sampleNow }: { alarms: { active: Alarm[]; history: Alarm[] } | null; busy: boolean; sampleNow: () => Promise<void> }) {
  return (
    <div class="card" id="tech-alarms">
      <h3>
        {s('alarms')}{' '}
        <button onClick={() => void sampleNow()} disabled={busy} id="tech-sample">
          {s('sampleNow')}
        </button>
      </h3>
      <h4>{s('active')}</h4>
      {alarms && alarms.active.length === 0 ? <p class="muted" id="tech-no-active">{s('noActive')}</p> : null}
      {alarms && alarms.active.length ? (
        <table class="list" id="tech-active">
          <Head cols={['key', 'severity', 'message', 'raisedAt']} />
          <AlarmRows items={alarms.active} withCleared={false} />
        </table>
      ) : null}
      <h4>{s('history')}</h4>
      {alarms ? (
        <table class="list" id="tech-history">
          <Head cols={['key', 'severity', 'message', 'raisedAt', 'clearedAt']} />
          <AlarmRows items={alarms.history} withCleared />
        </table>
      ) : null}
    </div>
  );
}

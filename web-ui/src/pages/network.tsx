// Network page (三级联网) for admins, technicians and supervisors: the link to the upstream (outbox depth,
// oldest unsent message, last contact), received messages set aside, the boxes below (enrollment codes and
// revocation, admins and technicians only) and, at a province or ministry, the daily statistics of the boxes
// below side by side. Reads GET /api/network/status, /dead-letters and /stats (docs/exchange.md §9).
import type { DeadLetter, NetworkStatus, PeerView } from '../../../firmware-agent/network/view-types';
import type { DailyStats, Ratio } from '../../../firmware-agent/stats/view-types';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, post } from '../api.js';
import { ErrorBox, Notice } from '../components.js';
import { errText, fmtTime, strings } from '../i18n.js';
import { useApp } from '../state.js';

// The page's own strings, Chinese first, in the same [zh, en] form as i18n.ts and switched by its language.
const dict = {
  title: ['三级联网', 'Three-level network'],
  role: ['本机层级', 'This box'],
  city: ['市级', 'City'],
  province: ['省级', 'Province'],
  ministry: ['部级', 'Ministry'],
  upstream: ['上级', 'Upstream'],
  notPaired: ['未与上级配对', 'Not paired with an upstream'],
  outboxDepth: ['待发送消息', 'Messages waiting'],
  oldestAge: ['最早待发消息已等待', 'Oldest waiting for'],
  lastContact: ['最近联络', 'Last contact'],
  never: ['从未', 'Never'],
  deadLetters: ['无法处理的接收消息', 'Received messages set aside'],
  rejected: ['被上级拒收的消息', 'Messages refused upstream'],
  lastError: ['最近错误', 'Last error'],
  peers: ['下级设备', 'Boxes below'],
  region: ['区划', 'Region'],
  peerRole: ['层级', 'Level'],
  enrolledAt: ['配对时间', 'Paired'],
  revokedAt: ['吊销时间', 'Revoked'],
  active: ['正常', 'Active'],
  revoke: ['吊销', 'Revoke'],
  confirmRevoke: ['确定吊销该设备的密钥？吊销后其消息将被拒收。', 'Revoke this box’s key? Its messages will be refused.'],
  noPeers: ['暂无下级设备', 'No boxes below yet'],
  enroll: ['生成配对码', 'Issue enrollment code'],
  enrollRegion: ['下级区划代码（6位）', 'Region code below (6 digits)'],
  enrollCode: ['配对码', 'Enrollment code'],
  expiresAt: ['有效期至', 'Valid until'],
  enrollHint: ['在下级设备上运行 edgebox pair --upstream 本机地址 --code 配对码', 'On the box below run edgebox pair --upstream THIS-URL --code CODE'],
  deadList: ['无法处理的消息', 'Messages set aside'],
  kind: ['类型', 'Kind'],
  origin: ['来源', 'Origin'],
  error: ['错误', 'Error'],
  at: ['时间', 'Time'],
  stats: ['各地日统计', 'Daily statistics side by side'],
  day: ['日期', 'Day'],
  noStats: ['该日暂无统计', 'No statistics for this day'],
  total: ['受理总量', 'Tickets received'],
  inquiry: ['信息咨询', 'Inquiries'],
  suggestion: ['意见建议', 'Suggestions'],
  complaint: ['投诉举报', 'Complaints'],
  transferredIn: ['转入', 'Transferred in'],
  transferredOut: ['转出', 'Transferred out'],
  inquiryImmediateAnswerRate: ['信息咨询类即时答复率', 'Inquiries answered at once'],
  nonComplaintOnTimeRate: ['非投诉举报类限时办结率', 'Non-complaints done on time'],
  immediateAnswerSatisfactionRate: ['即时答复满意率', 'Satisfaction with immediate answers'],
  dispatchedVisitRate: ['转办工单回访率', 'Dispatched tickets visited'],
  badReviewRectificationRate: ['差评整改率', 'Bad reviews rectified'],
  complaintOnTimeRate: ['投诉举报类限时办结率', 'Complaints done on time'],
  complaintVisitSatisfactionRate: ['投诉举报类回访满意率', 'Complaint visit satisfaction'],
  answeredWithin10sRate: ['10秒接通率', 'Answered within 10 s'],
  abandonmentRate: ['放弃率', 'Abandonment'],
  averageSpeedOfAnswerSeconds: ['平均应答时长（秒）', 'Average speed of answer (s)'],
  ministryName: ['交通运输部', 'Ministry of Transport'],
  seconds: ['秒', 's'],
  minutes: ['分', 'min'],
  hours: ['小时', 'h'],
  refresh: ['刷新', 'Refresh'],
} as const satisfies Record<string, readonly [string, string]>;
const tx = strings(dict);

type Status = NetworkStatus;
/** A box's day as GET /api/network/stats lists it (firmware-agent/stats/view-types.ts). */
type DayStats = DailyStats;

const managers = ['admin', 'technician'];
const ticketKpis = [
  'inquiryImmediateAnswerRate',
  'nonComplaintOnTimeRate',
  'immediateAnswerSatisfactionRate',
  'dispatchedVisitRate',
  'badReviewRectificationRate',
  'complaintOnTimeRate',
  'complaintVisitSatisfactionRate',
] as const;
const callKpis = ['answeredWithin10sRate', 'abandonmentRate'] as const;

export function fmtAge(s: number): string {
  if (s < 60) return `${s} ${tx('seconds')}`;
  if (s < 3600) return `${Math.floor(s / 60)} ${tx('minutes')} ${s % 60} ${tx('seconds')}`;
  return `${Math.floor(s / 3600)} ${tx('hours')} ${Math.floor((s % 3600) / 60)} ${tx('minutes')}`;
}
const pct = (r: Ratio | undefined) => (r && r.rate !== null ? `${(r.rate * 100).toFixed(1)}%` : '—');
/** A level's name; nothing for an upstream paired before boxes said their role. */
const levelLabel = (role: string | null) => (role === null ? '' : role === 'ministry' ? tx('ministry') : role === 'province' ? tx('province') : tx('city'));

function yesterday(): string {
  const d = new Date(Date.now() - 86_400_000);
  return d.toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
}

/** Region names for codes, fetched once each (the ministry's address 000000 is not a region). */
function useRegionNames(codes: string[]): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  const key = [...new Set(codes)].sort().join(',');
  useEffect(() => {
    let live = true;
    for (const c of key ? key.split(',') : []) {
      if (c === '000000' || names[c]) continue;
      void get<{ name: string }>(`/api/regions/${c}`)
        .then((r) => live && setNames((n) => ({ ...n, [c]: r.name })))
        .catch(() => undefined);
    }
    return () => {
      live = false;
    };
  }, [key]);
  return names;
}

export function NetworkPage() {
  const { user } = useApp();
  const [status, setStatus] = useState<Status | null>(null);
  const [dead, setDead] = useState<DeadLetter[]>([]);
  const [error, setError] = useState<string | null>(null);
  const load = async () => {
    try {
      const s = await get<Status>('/api/network/status');
      setStatus(s);
      setDead(s.deadLetters > 0 ? (await get<{ items: DeadLetter[] }>('/api/network/dead-letters?limit=20')).items : []);
      setError(null);
    } catch (e) {
      setError(errText(e));
    }
  };
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 15_000);
    return () => clearInterval(timer);
  }, []);
  if (!status) return <div class="pad"><ErrorBox error={error} /></div>;

  const lastContact = status.upstream ? status.upstream.lastContact : (status.peers.map((p) => p.lastContact).filter((x): x is string => !!x).sort().at(-1) ?? null);
  const manage = managers.includes(user.role);
  return (
    <div class="pad" id="network">
      <div class="row">
        <h2>{tx('title')}</h2>
        <span class="spacer" />
        <button onClick={() => void load()} id="net-refresh">{tx('refresh')}</button>
      </div>
      <ErrorBox error={error} />
      <div class="tiles">
        <div class="tile">
          <span class="tile-label">{tx('role')}</span>
          <span class="tile-count" id="net-role">{levelLabel(status.role)}</span>
          <span class="muted mono">{status.address}</span>
        </div>
        <div class="tile">
          <span class="tile-label">{tx('outboxDepth')}</span>
          <span class="tile-count" id="net-outbox-depth">{status.outboxDepth}</span>
        </div>
        <div class="tile">
          <span class="tile-label">{tx('oldestAge')}</span>
          <span class="tile-count" id="net-oldest-age" data-seconds={status.oldestAgeSeconds}>{fmtAge(status.oldestAgeSeconds)}</span>
        </div>
        <div class="tile">
          <span class="tile-label">{tx('lastContact')}</span>
          <span class="tile-count small" id="net-last-contact" data-at={lastContact ?? ''}>{lastContact ? fmtTime(lastContact) : tx('never')}</span>
        </div>
        <div class="tile">
          <span class="tile-label">{tx('deadLetters')}</span>
          <span class={status.deadLetters > 0 ? 'tile-count error' : 'tile-count'} id="net-dead-letters">{status.deadLetters}</span>
        </div>
        <div class="tile">
          <span class="tile-label">{tx('rejected')}</span>
          <span class="tile-count" id="net-rejected">{status.rejected}</span>
        </div>
      </div>
      {status.role !== 'ministry' && (
        <div class="card" id="net-upstream">
          <h3>{tx('upstream')}</h3>
          {status.upstream ? (
            <p>
              {levelLabel(status.upstream.role)} <span class="mono">{status.upstream.address}</span> · <span class="mono">{status.upstream.url}</span>
              {status.upstream.lastError && <span class="error" id="net-last-error">{tx('lastError')}: {status.upstream.lastError}</span>}
            </p>
          ) : (
            <p class="muted" id="net-not-paired">{tx('notPaired')}</p>
          )}
        </div>
      )}
      {dead.length > 0 && <DeadLetters items={dead} />}
      {status.role !== 'city' && <Peers peers={status.peers} manage={manage} reload={load} />}
      {status.role !== 'city' && <StatsSideBySide />}
    </div>
  );
}

function DeadLetters({ items }: { items: DeadLetter[] }) {
  return (
    <div class="card">
      <h3>{tx('deadList')}</h3>
      <table class="list" id="net-dead-list">
        <thead><tr><th>{tx('at')}</th><th>{tx('kind')}</th><th>{tx('origin')}</th><th>{tx('error')}</th></tr></thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.id}>
              <td>{fmtTime(d.at)}</td>
              <td class="mono">{d.kind}</td>
              <td class="mono">{d.origin}</td>
              <td class="small">{d.error}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Peers({ peers, manage, reload }: { peers: PeerView[]; manage: boolean; reload: () => Promise<void> }) {
  const names = useRegionNames(peers.map((p) => p.region));
  const [region, setRegion] = useState('');
  const [issued, setIssued] = useState<{ code: string; region: string; expiresAt: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const run = async (fn: () => Promise<void>) => {
    setError(null);
    setNotice(null);
    try {
      await fn();
    } catch (e) {
      setError(e instanceof ApiError ? errText(e) : String(e));
    }
  };
  return (
    <div class="card">
      <h3>{tx('peers')}</h3>
      {peers.length === 0 ? (
        <p class="muted">{tx('noPeers')}</p>
      ) : (
        <table class="list" id="net-peers">
          <thead><tr><th>{tx('region')}</th><th>{tx('peerRole')}</th><th>{tx('enrolledAt')}</th><th>{tx('lastContact')}</th><th>{tx('revokedAt')}</th>{manage && <th></th>}</tr></thead>
          <tbody>
            {peers.map((p) => (
              <tr key={`${p.region}-${p.boxId}-${p.enrolledAt}`} data-region={p.region} class={p.revokedAt ? 'withdrawn' : ''}>
                <td><span class="mono">{p.region}</span> {names[p.region] ?? ''}</td>
                <td>{levelLabel(p.role)}</td>
                <td>{fmtTime(p.enrolledAt)}</td>
                <td class="last-contact">{p.lastContact ? fmtTime(p.lastContact) : tx('never')}</td>
                <td class="revoked">{p.revokedAt ? fmtTime(p.revokedAt) : tx('active')}</td>
                {manage && (
                  <td>
                    {!p.revokedAt && (
                      <button class="revoke" onClick={() => confirm(tx('confirmRevoke')) && void run(() => post(`/api/network/peers/${p.region}/revoke`).then(reload))}>
                        {tx('revoke')}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {manage && (
        <form
          class="row"
          id="net-enroll"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => setIssued(await post<{ code: string; region: string; expiresAt: string }>('/api/network/enrollments', { region })));
          }}
        >
          <input id="net-enroll-region" placeholder={tx('enrollRegion')} value={region} pattern="\d{6}" required onInput={(e) => setRegion((e.target as HTMLInputElement).value.trim())} />
          <button type="submit" class="primary">{tx('enroll')}</button>
        </form>
      )}
      {issued && (
        <p class="notice">
          {tx('enrollCode')} <span class="mono" id="net-enroll-code">{issued.code}</span> · {issued.region} · {tx('expiresAt')} {fmtTime(issued.expiresAt)}
          <br />
          <span class="small">{tx('enrollHint')}</span>
        </p>
      )}
      <ErrorBox error={error} />
      <Notice text={notice} />
    </div>
  );
}

function StatsSideBySide() {
  const [day, setDay] = useState(yesterday());
  const [regions, setRegions] = useState<DayStats[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void get<{ regions: DayStats[] }>(`/api/network/stats?day=${day}`)
      .then((r) => live && (setRegions(r.regions), setError(null)))
      .catch((e: unknown) => live && setError(errText(e)));
    return () => {
      live = false;
    };
  }, [day]);
  const names = useRegionNames((regions ?? []).map((r) => r.region));
  const label = (code: string) => (code === '000000' ? tx('ministryName') : (names[code] ?? code));
  const rows: { key: string; label: string; value: (s: DayStats) => string }[] = [
    { key: 'total', label: tx('total'), value: (s) => String(s.volumes.total) },
    ...(['inquiry', 'suggestion', 'complaint'] as const).map((k) => ({ key: k, label: tx(k), value: (s: DayStats) => String(s.volumes.byType[k] ?? 0) })),
    { key: 'transferredIn', label: tx('transferredIn'), value: (s) => String(s.volumes.transferredIn) },
    { key: 'transferredOut', label: tx('transferredOut'), value: (s) => String(s.volumes.transferredOut) },
    ...ticketKpis.map((k) => ({ key: k, label: tx(k), value: (s: DayStats) => pct(s.kpis[k]) })),
    ...callKpis.map((k) => ({ key: k, label: tx(k), value: (s: DayStats) => pct(s.calls?.[k] as Ratio | undefined) })),
    {
      key: 'averageSpeedOfAnswerSeconds',
      label: tx('averageSpeedOfAnswerSeconds'),
      value: (s) => (typeof s.calls?.averageSpeedOfAnswerSeconds === 'number' ? String(s.calls.averageSpeedOfAnswerSeconds) : '—'),
    },
  ];
  return (
    <div class="card">
      <div class="row">
        <h3>{tx('stats')}</h3>
        <span class="spacer" />
        <label class="row">
          {tx('day')} <input type="date" id="net-stats-day" value={day} onChange={(e) => setDay((e.target as HTMLInputElement).value)} />
        </label>
      </div>
      <ErrorBox error={error} />
      {regions && regions.length === 0 && <p class="muted" id="net-stats-empty">{tx('noStats')}</p>}
      {regions && regions.length > 0 && (
        <table class="list" id="net-stats">
          <thead>
            <tr>
              <th></th>
              {regions.map((s) => (
                <th key={s.region} data-region={s.region}>
                  {label(s.region)} <span class="mono small">{s.region}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.key} data-figure={r.key}>
                <th>{r.label}</th>
                {regions.map((s) => (
                  <td key={s.region} data-region={s.region}>
                    {r.value(s)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

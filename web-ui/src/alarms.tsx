// The alarm banner: active alarms of this box and, on a province or ministry, of the boxes below, shown on
// every page to admins, supervisors and technicians (the roles GET /api/alarms and /api/network/alarms serve). It loads on start and then every 20 s (alarms are sampled once a
// minute on the box), and at once when another part of the UI says alarms changed (the technician page's
// "sample now").
import type { FromSchema } from 'json-schema-to-ts';
import { useEffect, useState } from 'preact/hooks';
import type { alarmSchema, belowAlarmSchema } from '../../firmware-agent/alarms/schemas';
import { get } from './api.js';
import { Link } from './components.js';
import { fmtTime, getLang, t } from './i18n.js';
import type { Role } from './state.js';

/** An alarm of this box, as GET /api/alarms sends it (the route's schema, alarms/schemas.ts). */
export type Alarm = FromSchema<typeof alarmSchema>;

export const alarmRoles: Role[] = ['admin', 'supervisor', 'technician'];

/** The alarm's text in the current language. */
export function alarmText(a: Pick<Alarm, 'message' | 'messageZh'>): string {
  return getLang() === 'zh' ? (a.messageZh ?? a.message) : a.message;
}

const listeners = new Set<() => void>();
/** Tells the banner (and anyone listening) to reload now. */
export function alarmsChanged(): void {
  listeners.forEach((f) => f());
}
export function onAlarmsChanged(f: () => void): () => void {
  listeners.add(f);
  return () => void listeners.delete(f);
}

/** An alarm a box below reported (alarm.report), as GET /api/network/alarms lists it. */
export type BelowAlarm = FromSchema<typeof belowAlarmSchema>;

export function AlarmBanner({ role }: { role: Role }) {
  const [active, setActive] = useState<Alarm[]>([]);
  const [below, setBelow] = useState<BelowAlarm[]>([]);
  useEffect(() => {
    if (!alarmRoles.includes(role)) return;
    let stopped = false;
    const load = () => {
      get<{ active: Alarm[] }>('/api/alarms?limit=1')
        .then((r) => !stopped && setActive(r.active))
        .catch(() => undefined);
      // On a province or ministry, the boxes below's active alarms too (a city has none below: empty).
      get<{ items: BelowAlarm[] }>('/api/network/alarms?active=true&limit=20')
        .then((r) => !stopped && setBelow(r.items))
        .catch(() => undefined);
    };
    load();
    const timer = setInterval(load, 20_000);
    const off = onAlarmsChanged(load);
    return () => {
      stopped = true;
      clearInterval(timer);
      off();
    };
  }, [role]);
  if (!active.length && !below.length) return null;
  const critical = active.some((a) => a.severity === 'critical') || below.some((a) => a.severity === 'critical');
  return (
    <div id="alarm-banner" class={critical ? 'alarm-banner critical' : 'alarm-banner'} role="alert">
      {active.length ? (
        <strong>
          {t('alarmsActive')} ({active.length})
        </strong>
      ) : null}
      <ul>
        {active.map((a) => (
          <li key={a.id} data-key={a.key} class={a.severity}>
            <span class="alarm-sev">{a.severity === 'critical' ? t('alarmCritical') : t('alarmWarning')}</span> {alarmText(a)}{' '}
            <span class="muted">
              {t('alarmSince')} {fmtTime(a.raisedAt)}
            </span>
          </li>
        ))}
      </ul>
      {below.length ? (
        <>
          <strong>
            {t('alarmsBelow')} ({below.length})
          </strong>
          <ul>
            {below.map((a) => (
              <li key={`${a.origin}/${a.key}/${a.raisedAt}`} data-origin={a.origin} data-key={a.key} class={`below ${a.severity}`}>
                <span class="alarm-sev">{a.severity === 'critical' ? t('alarmCritical') : t('alarmWarning')}</span> {a.originName ?? a.origin}：{alarmText(a)}{' '}
                <span class="muted">
                  {t('alarmSince')} {fmtTime(a.raisedAt)}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {role === 'admin' || role === 'technician' ? (
        <Link href="/technician" class="alarm-more">
          {t('technicianPage')} →
        </Link>
      ) : null}
    </div>
  );
}

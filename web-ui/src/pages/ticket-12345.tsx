// 工单转办 to the local 12345 platform, on the staff ticket page (issue 16 §4): where the ticket stands with
// 12345 (GET /api/gov12345/tickets/:number — the link, each message sent with its delivery or last error, each
// message received) and, for a received or returned ticket, the 转12345 button with the platform (when several
// are enabled), a note for the platform and a confirmation. The server decides who may; nothing is shown on a
// box without an enabled platform for a ticket that never travelled with 12345.
import type { Gov12345TicketState } from '../../../firmware-agent/gov12345/view-types';
import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { ErrorBox } from '../components.js';
import { errText, fmtTime, hasKey, t } from '../i18n.js';

/** GET /api/gov12345/tickets/:number (firmware-agent/gov12345/view-types.ts). */
type Gov12345State = Gov12345TicketState;

/** A state or message kind from the API as a dictionary key: `transfer-queued` → g12345_transfer_queued. */
const labelOf = (prefix: 'g12345_' | 'g12345Kind_', code: string): string => {
  const k = `${prefix}${code.replace(/[-.]/g, '_')}`;
  return hasKey(k) ? t(k) : code;
};

export function Ticket12345({ number, version, onChanged }: { number: string; version: string; onChanged: () => void }) {
  const [s, setS] = useState<Gov12345State | null>(null);
  const [open, setOpen] = useState(false);
  const [platform, setPlatform] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = () =>
    get<Gov12345State>(`/api/gov12345/tickets/${number}`).then(
      (r) => setS(r),
      () => setS(null),
    );
  useEffect(() => {
    void load();
  }, [number, version]);
  // A message waiting in the outbox is delivered by the box in the background (no ticket change tells the
  // page): look again every few seconds until nothing waits.
  const waiting = s?.sent.some((m) => !m.deliveredAt && !m.rejectedCode) ?? false;
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => void load(), 3000);
    return () => clearInterval(timer);
  }, [waiting, number]);

  if (!s || (!s.link && !s.canTransfer)) return null;

  const send = async () => {
    setBusy(true);
    setError(null);
    try {
      await post(`/api/gov12345/tickets/${number}/transfer`, { ...(platform ? { platform } : {}), ...(note.trim() ? { note: note.trim() } : {}) });
      setOpen(false);
      setNote('');
      await load();
      onChanged();
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="card" id="ticket-12345" data-state={s.state}>
      <h3>{t('g12345Title')}</h3>
      <p>
        <b id="gov12345-state">{labelOf('g12345_', s.state)}</b>
        {s.link ? (
          <>
            {' · '}
            {s.link.direction === 'out' ? t('g12345SentTo') : t('g12345From')} {s.link.platformName} · {t('g12345TheirRef')} <span class="mono">{s.link.remoteRef}</span>
          </>
        ) : null}
      </p>
      {s.sent.length + s.received.length > 0 ? (
        <table class="list" id="gov12345-messages">
          <tbody>
            {s.sent.map((m) => (
              <tr key={m.id} data-kind={m.kind} data-delivered={m.deliveredAt ? 'yes' : 'no'}>
                <td>{t('g12345Sent')}</td>
                <td>{labelOf('g12345Kind_', m.kind)}</td>
                <td>{fmtTime(m.queuedAt)}</td>
                <td>
                  {m.rejectedCode
                    ? `${t('g12345Refused')}: ${m.rejectedCode} ${m.lastError ?? ''}`
                    : m.deliveredAt
                      ? `${t('g12345Delivered')} ${fmtTime(m.deliveredAt)}`
                      : `${t('g12345Waiting')}${m.attempts ? ` · ${t('g12345Tried')} ${m.attempts}` : ''}${m.lastError ? ` · ${m.lastError}` : ''}`}
                </td>
              </tr>
            ))}
            {s.received.map((m) => (
              <tr key={m.id} data-kind={m.kind}>
                <td>{t('g12345Received')}</td>
                <td>{labelOf('g12345Kind_', m.kind)}</td>
                <td>{fmtTime(m.receivedAt)}</td>
                <td />
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {s.canTransfer ? (
        open ? (
          <form
            class="act-form"
            id="gov12345-form"
            onSubmit={(e) => {
              e.preventDefault();
              void send();
            }}
          >
            {s.platforms.length > 1 ? (
              <select id="gov12345-platform" required value={platform} onChange={(e) => setPlatform((e.target as HTMLSelectElement).value)}>
                <option value="">{t('g12345Platform')}: {t('select')}</option>
                {s.platforms.map((p) => (
                  <option key={p.id} value={p.id}>{p.name}</option>
                ))}
              </select>
            ) : (
              <p class="muted">{t('g12345To')} {s.platforms[0]?.name}</p>
            )}
            <textarea id="gov12345-note" rows={2} maxLength={1000} placeholder={t('g12345Note')} value={note} onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
            <p class="muted">{t('g12345Explain')}</p>
            <div class="row">
              <button type="submit" class="primary" id="gov12345-confirm" disabled={busy || (s.platforms.length > 1 && !platform)}>{t('g12345Confirm')}</button>
              <button type="button" onClick={() => setOpen(false)} disabled={busy}>{t('cancel')}</button>
            </div>
          </form>
        ) : (
          <button id="gov12345-transfer" onClick={() => setOpen(true)}>{t('g12345Transfer')}</button>
        )
      ) : null}
      {error ? <ErrorBox error={error} /> : null}
    </div>
  );
}

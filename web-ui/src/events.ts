// The box's live event streams (server-sent events) with reconnection: /api/ui/events (tickets, KB) and,
// when the calls subsystem is present, /api/events (calls, agents, queue). EventSource retries by itself
// after a dropped connection; when the server refuses the stream (it closes for good) we retry with
// backoff up to 30 s, so a box restart or a cable pull heals without a page reload.
//
// The Live indicator is up only while every stream is up. What happened while a stream was down was not
// delivered, so a reopened stream tells the pages to reload: `ticket.changed {resync: true}` for the UI
// stream, `calls.resync` for the calls stream (agent states, queue, wallboard figures).
type Handler = (data: any) => void;

const handlers = new Map<string, Set<Handler>>();
const statusListeners = new Set<(up: boolean) => void>();
const sources: EventSource[] = [];
/** Each started stream and whether it is open now. */
const up = new Map<string, boolean>();
let connected = false;
let started = false;

export function on(type: string, fn: Handler): () => void {
  let s = handlers.get(type);
  if (!s) handlers.set(type, (s = new Set()));
  s.add(fn);
  return () => s!.delete(fn);
}

export function onStatus(fn: (up: boolean) => void): () => void {
  statusListeners.add(fn);
  fn(connected);
  return () => statusListeners.delete(fn);
}

function setStreamUp(url: string, isUp: boolean): void {
  up.set(url, isUp);
  const all = up.size > 0 && [...up.values()].every(Boolean);
  if (all === connected) return;
  connected = all;
  statusListeners.forEach((f) => f(all));
}

function dispatch(type: string, raw: string): void {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return;
  }
  handlers.get(type)?.forEach((f) => f(data));
  handlers.get('*')?.forEach((f) => f({ type, ...(data as object) }));
}

const uiTypes = ['ticket.changed', 'kb.changed'];
export const callTypes = ['call.arrived', 'call.routed', 'call.offered', 'call.connected', 'call.ended', 'callback.offered', 'agent.state', 'queue.state', 'trunk.state'];

function open(url: string, types: string[], resyncEvent: { type: string; data: object }, attempt = 0): void {
  const es = new EventSource(url);
  sources.push(es);
  let wasDown = false;
  es.onopen = () => {
    const resync = wasDown || attempt > 0;
    attempt = 0;
    wasDown = false;
    setStreamUp(url, true);
    // Changes made while the stream was down were not delivered: pages reload what they show.
    if (resync) handlers.get(resyncEvent.type)?.forEach((f) => f(resyncEvent.data));
  };
  // Streams may name events or send them all as "message" with a `type` field.
  for (const ty of types) es.addEventListener(ty, (e) => dispatch(ty, (e as MessageEvent).data));
  es.onmessage = (e) => {
    try {
      const d = JSON.parse(e.data) as { type?: string };
      if (d.type) dispatch(d.type, e.data);
    } catch {
      /* ignore */
    }
  };
  es.onerror = () => {
    wasDown = true;
    setStreamUp(url, false);
    if (es.readyState === EventSource.CLOSED) {
      sources.splice(sources.indexOf(es), 1);
      const delay = Math.min(30000, 1000 * 2 ** attempt);
      setTimeout(() => started && open(url, types, resyncEvent, attempt + 1), delay);
    }
  };
}

export function start(withCalls: boolean): void {
  if (started) return;
  started = true;
  up.clear();
  up.set('/api/ui/events', false);
  if (withCalls) up.set('/api/events', false);
  open('/api/ui/events', uiTypes, { type: 'ticket.changed', data: { resync: true } });
  if (withCalls) open('/api/events', callTypes, { type: 'calls.resync', data: {} });
}

export function stop(): void {
  started = false;
  sources.splice(0).forEach((s) => s.close());
  up.clear();
  if (connected) {
    connected = false;
    statusListeners.forEach((f) => f(false));
  }
}

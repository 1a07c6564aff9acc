// A stand-in for a paired box in the exchange tests: its own Ed25519 key, paired through a real box's
// pairing endpoint, and helpers that build envelopes and push or pull them signed like a real box does,
// so a test message reaches the receiver's logic.
import fs from 'node:fs';
import path from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { type Box } from '../../firmware-agent/app.js';
import { startTestBox } from '../helpers/box.js';
import { canonicalRequest, generateKeyPair, sha256Hex, sign } from '../../firmware-agent/network/crypto.js';
import { type Envelope, type MessageKind, newEnvelope } from '../../firmware-agent/network/messages.js';
import { signOwn } from '../../firmware-agent/network/origin.js';

export interface Sent {
  status: number;
  code: string | undefined;
  json: any;
}

export class FakePeer {
  readonly key = generateKeyPair();
  constructor(
    readonly url: string,
    readonly region: string,
    readonly role: 'city' | 'province' = 'city',
  ) {}

  /** Pairs this key with the box at `url` using an enrollment code issued there. */
  async pair(code: string): Promise<void> {
    const res = await fetch(`${this.url}/api/exchange/v1/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, region: this.region, role: this.role, boxId: uuidv7(), publicKey: this.key.publicKey }),
    });
    if (res.status !== 200) throw new Error(`pairing ${this.region} failed: ${res.status} ${await res.text()}`);
  }

  /** Signed request headers for `method path` with `body` (`follows`: a pipelined push's x-edgebox-follows, signed). */
  headers(method: string, p: string, body: string, sender = this.region, follows?: string): Record<string, string> {
    const timestamp = new Date().toISOString();
    const nonce = uuidv7();
    return {
      ...(method === 'POST' ? { 'content-type': 'application/json', 'x-edgebox-content-sha256': sha256Hex(body) } : {}),
      ...(follows ? { 'x-edgebox-follows': follows } : {}),
      'x-edgebox-sender': sender,
      'x-edgebox-timestamp': timestamp,
      'x-edgebox-nonce': nonce,
      'x-edgebox-signature': sign(this.key.privateKey, canonicalRequest({ method, path: p, sender, timestamp, nonce, body, ...(follows ? { follows } : {}) })),
    };
  }

  /** The body of a push of `messages`, origin-signed as push() signs them. */
  pushBody(messages: unknown[], from = this.region, o: { originSign?: boolean } = {}): string {
    const texts = messages.map((m) => JSON.stringify(m) ?? 'null');
    const signed = o.originSign === false ? texts : signOwn(texts, this.region, this.key.privateKey, this.key.publicKey);
    return `{"from":${JSON.stringify(from)},"messages":[${signed.join(',')}]}`;
  }

  /**
   * Pushes `messages`; those written by this peer (`from` its region, no `sig`) are origin-signed with its
   * key as a real box signs them (origin.ts), unless `originSign` is false. Others go as they are.
   */
  async push(messages: unknown[], from = this.region, o: { originSign?: boolean; follows?: string } = {}): Promise<Sent> {
    const p = '/api/exchange/v1/messages';
    const body = this.pushBody(messages, from, o);
    const res = await fetch(this.url + p, { method: 'POST', headers: this.headers('POST', p, body, this.region, o.follows), body });
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    return { status: res.status, code: json?.error?.code, json };
  }
}

/**
 * A province or ministry box in this process, listening on loopback, with the boxes below it `peers`
 * (region, role) paired as FakePeers through its enrollment and pairing endpoints.
 */
export async function upstreamWithPeers(o: {
  dataDir: string;
  role: 'province' | 'ministry';
  region: string;
  peers: { region: string; role?: 'city' | 'province' }[];
  flags?: Record<string, string>;
}): Promise<{ box: Box; url: string; peers: FakePeer[] }> {
  const { box, url, admin } = await startTestBox({ dataDir: o.dataDir, role: o.role, region: o.region, listen: true, flags: { 'net-idle-ms': '60000', ...o.flags } });
  const peers: FakePeer[] = [];
  for (const { region, role } of o.peers) {
    const e = await admin.post('/api/network/enrollments', { region });
    if (e.statusCode !== 201) throw new Error(`enroll ${region}: ${e.body}`);
    const p = new FakePeer(url, region, role ?? 'city');
    await p.pair(e.json().code);
    peers.push(p);
  }
  return { box, url, peers };
}

export function localDay(d = new Date(), timeZone = 'Asia/Shanghai'): string {
  return d.toLocaleDateString('sv-SE', { timeZone }).replace(/-/g, '');
}

export function snapshot(over: Record<string, unknown> = {}) {
  const at = new Date().toISOString();
  return {
    id: uuidv7(),
    number: `620100${localDay()}00001`,
    type: 'complaint',
    subtype: 'complaint',
    domain: 'taxi',
    channel: 'phone',
    region: '620102',
    caller: { phone: '13800138000', name: null, anonymous: false, hidden: false },
    confidential: false,
    urgent: false,
    subject: '出租车拒载',
    description: '乘客在火车站被拒载',
    location: null,
    involved: null,
    status: 'received',
    dueAt: null,
    answer: null,
    reply: null,
    satisfaction: null,
    reopenCount: 0,
    createdAt: at,
    updatedAt: at,
    dispatchedAt: null,
    repliedAt: null,
    closedAt: null,
    version: 1,
    ...over,
  };
}

/** An envelope about a ticket: the envelope's ticket reference follows the snapshot's id. */
export function ticketMessage(kind: MessageKind, from: string, to: string, body: Record<string, unknown>, ticketId: string, at = new Date()): Envelope {
  return newEnvelope(kind, from, to, at, body as never, { id: ticketId, version: 1 });
}

export function transfer(from: string, to: string, over: Record<string, unknown> = {}, at = new Date()): Envelope {
  const ticket = snapshot({ region: to, ...over });
  return ticketMessage('ticket.transfer', from, to, { ticket }, ticket.id as string, at);
}

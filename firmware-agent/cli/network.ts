// `edgebox enroll --region CODE` (on the upstream: prints a one-time enrollment code for the box that will
// hold CODE), `edgebox pair --upstream URL --code CODE` (on the downstream: creates this box's Ed25519 key
// pair if needed and registers it), `edgebox network` (status; `prune` runs the retention now). All work
// while the box runs (SQLite WAL).
import os from 'node:os';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { openConfig } from '../config/store.js';
import { NetStore } from '../network/store.js';
import { issueEnrollment, pairWithUpstream } from '../network/pairing.js';
import { pruneNetwork } from '../network/retention.js';
import { RegionTable } from '../regions/regions.js';
import { openDb } from '../store/db.js';
import { dataDirOf } from './main.js';

async function open(data: string | undefined) {
  const dataDir = dataDirOf({ data });
  const config = await openConfig(dataDir);
  const db = openDb({ file: path.join(dataDir, 'edgebox.sqlite') });
  return { cfg: config.current(), db, store: new NetStore(db) };
}

export async function enrollCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { region: { type: 'string' }, data: { type: 'string' }, 'ttl-hours': { type: 'string' }, json: { type: 'boolean' } }, strict: true });
  if (!values.region || !/^\d{6}$/.test(values.region)) throw new Error('--region must be the 6-digit GB/T 2260 code of the box to enroll');
  const ttl = values['ttl-hours'] !== undefined ? Number(values['ttl-hours']) : 72;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 720) throw new Error('--ttl-hours must be 1 to 720');
  const { cfg, db, store } = await open(values.data);
  try {
    const regions = RegionTable.load();
    store.ensureIdentity(new Date());
    const e = issueEnrollment(store, cfg.box.role, cfg.box.region, values.region, regions, new Date(), ttl);
    if (values.json) process.stdout.write(`${JSON.stringify(e)}\n`);
    else
      process.stdout.write(
        `${e.code}\n` +
          `one-time code for ${e.region} ${regions.fullName(e.region) ?? ''}, valid until ${e.expiresAt}\n` +
          `the code carries this box's key fingerprint ${e.fingerprint}; the box below checks it when pairing\n` +
          `on that box run: edgebox pair --upstream https://<this box>:${cfg.http.port + 1} --code ${e.code}\n`,
      );
    return 0;
  } finally {
    db.close();
  }
}

export async function pairCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { upstream: { type: 'string' }, code: { type: 'string' }, data: { type: 'string' }, json: { type: 'boolean' }, 'new-key': { type: 'boolean' } },
    strict: true,
  });
  if (!values.upstream) throw new Error('--upstream URL is required (the province or ministry box)');
  if (!values.code) throw new Error('--code is required (printed by `edgebox enroll` on the upstream)');
  const { cfg, db, store } = await open(values.data);
  try {
    const actor = { id: null, name: `edgebox pair (${os.userInfo().username})`, role: 'technician' } as const;
    const r = await pairWithUpstream(store, { role: cfg.box.role, region: cfg.box.region }, values.upstream, values.code, new Date(), fetch, { newKey: values['new-key'] === true, actor });
    if (values.json) process.stdout.write(`${JSON.stringify(r)}\n`);
    else process.stdout.write(`contacted ${r.contacted}: ${r.role} ${r.region} (${r.name})\npaired ${cfg.box.role} ${cfg.box.region} with ${r.role} ${r.region} at ${r.contacted}\n`);
    return 0;
  } finally {
    db.close();
  }
}

export async function networkCommand(argv: string[]): Promise<number> {
  const sub = argv[0] && !argv[0].startsWith('-') ? argv[0] : 'status';
  const { values } = parseArgs({ args: sub === argv[0] ? argv.slice(1) : argv, options: { data: { type: 'string' }, since: { type: 'string' } }, strict: true });
  const { cfg, db, store } = await open(values.data);
  try {
    if (sub === 'resend') {
      // After the upstream was restored from a backup it has lost what it acknowledged since; send it
      // again (the upstream recognises anything it still has by id).
      const since = values.since ? Date.parse(values.since) : Number.NaN;
      if (Number.isNaN(since)) throw new Error('--since must be an ISO time (when the upstream’s backup was taken)');
      const n = db.prepare("UPDATE net_outbox SET delivered_at = NULL WHERE hop = 'up' AND rejected_code IS NULL AND delivered_at >= ?").run(new Date(since).toISOString()).changes;
      process.stdout.write(`${n} message(s) delivered since ${new Date(since).toISOString()} queued again for the upstream\n`);
      return 0;
    }
    if (sub === 'prune') {
      // The nightly retention (docs/exchange.md §Retention), now; safe while the box runs.
      const r = await pruneNetwork(store, cfg.network, new Date());
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      return 0;
    }
    if (sub !== 'status') throw new Error('expected "network", "network status", "network prune" or "network resend --since ISO-TIME"');
    const id = store.identity();
    const d = store.depth();
    const out = {
      role: cfg.box.role,
      region: cfg.box.region,
      upstream: id?.upstream_url ? { url: id.upstream_url, address: id.upstream_address, lastContact: id.last_contact, lastError: id.last_error } : null,
      outboxDepth: d.n,
      oldest: d.oldest,
      rejected: d.rejected,
      deadLetters: d.deadLetters,
      peers: store.allPeers().map((p) => ({ region: p.region, role: p.role, revokedAt: p.revoked_at, lastContact: p.last_contact })),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  } finally {
    db.close();
  }
}

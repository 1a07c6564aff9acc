// The origin keys of the boxes this one hears from (docs/exchange.md §2.2): who may have signed what, checked
// for every message received; and the peer.key messages that tell the other levels of a key — a box paired,
// rotated or revoked below, the upstream's key for the cities, every key for a newly paired box.
import { keyFingerprint } from './crypto.js';
import { type Envelope, type PeerKeyBody, newEnvelope } from './messages.js';
import { type OriginKey, type OriginKeyLookup, verifyOrigin } from './origin.js';
import type { NetworkService } from './service.js';

export class OriginKeys {
  readonly #fingerprints = new Map<string, string>();

  constructor(private readonly net: NetworkService) {}

  #fingerprint(publicKey: string): string {
    let f = this.#fingerprints.get(publicKey);
    if (!f) {
      f = keyFingerprint(publicKey);
      this.#fingerprints.set(publicKey, f);
    }
    return f;
  }

  /**
   * The keys this box holds per region: its own, its upstream's and its boxes' below (learnt when pairing),
   * and those registered by peer.key messages. Read once per batch.
   */
  lookup(): OriginKeyLookup {
    const keys = new Map<string, OriginKey[]>();
    const add = (region: string, k: OriginKey) => {
      const list = keys.get(region) ?? [];
      list.push(k);
      keys.set(region, list);
    };
    const id = this.net.store.identity();
    if (id) add(this.net.address(), { publicKey: id.public_key, revokedAt: null });
    if (id?.upstream_address && id.upstream_key) add(id.upstream_address, { publicKey: id.upstream_key, revokedAt: null });
    for (const p of this.net.store.allPeers()) add(p.region, { publicKey: p.public_key, revokedAt: p.revoked_at });
    for (const k of this.net.store.allOriginKeys()) add(k.region, { publicKey: k.public_key, revokedAt: k.revoked_at });
    return (from, fingerprint) => {
      const list = keys.get(from);
      if (!list) return undefined;
      // Revoked wins: a key revoked by anyone who knows it is not trusted again.
      const matching = list.filter((k) => this.#fingerprint(k.publicKey) === fingerprint);
      if (matching.length === 0) return null;
      return matching.find((k) => k.revokedAt) ?? matching[0];
    };
  }

  /**
   * Verifies the origin signature of every message (one Ed25519 check per origin batch). Throws the first
   * failure: exchange-origin-signature-invalid | exchange-origin-key-unknown (with details.index).
   */
  verify(envs: Envelope[]): void {
    const check = this.checker();
    envs.forEach((e, i) => check(e, i));
  }

  /**
   * A checker for the messages of one batch, in order. A peer.key that passed the door rules and its own
   * origin check counts for the messages behind it in the batch (the batch applies in order, so the key is
   * registered before they are): a key announced and used in one batch verifies.
   */
  checker(): (env: Envelope, index: number) => void {
    const base = this.lookup();
    const verified = new Map<string, Set<string>>();
    const announced = new Map<string, OriginKey[]>();
    const lookup: OriginKeyLookup = (from, fingerprint) => {
      const known = base(from, fingerprint);
      const more = announced.get(from)?.filter((k) => this.#fingerprint(k.publicKey) === fingerprint) ?? [];
      if (more.length === 0) return known === undefined && announced.has(from) ? null : known;
      const all = known ? [known, ...more] : more;
      return all.find((k) => k.revokedAt) ?? all[0];
    };
    return (env, index) => {
      verifyOrigin(env, index, lookup, verified);
      if (env.kind === 'peer.key') {
        const b = env.body as PeerKeyBody;
        announced.set(b.region, [...(announced.get(b.region) ?? []), { publicKey: b.publicKey, revokedAt: b.revokedAt }]);
      }
    };
  }

  #peerKeyBody(region: string, role: string, publicKey: string, enrolledAt: string, revokedAt: string | null): PeerKeyBody {
    return { region, role: role as PeerKeyBody['role'], publicKey, enrolledAt, revokedAt };
  }

  /**
   * Tells the other levels the keys of `region` (a box below this one just paired, rotated or revoked):
   * a province up to the ministry and down to its cities, the ministry down to every box. Call inside the
   * transaction that paired or revoked.
   */
  announce(region: string): void {
    const role = this.net.deps.role();
    if (role === 'city') return;
    const at = this.net.deps.now();
    const self = this.net.self();
    for (const p of this.net.store.allPeers().filter((x) => x.region === region)) {
      const body = this.#peerKeyBody(p.region, p.role, p.public_key, p.enrolled_at, p.revoked_at);
      if (role === 'province') this.net.send(newEnvelope<PeerKeyBody>('peer.key', self.address, '^', at, body), at, self);
      this.net.send(newEnvelope<PeerKeyBody>('peer.key', self.address, '*', at, body), at, self);
    }
  }

  /**
   * A province tells its cities its upstream's key (the ministry's) once per key: a city paired before its
   * province paired with the ministry learns it this way. Checked by the uplink before each pull.
   */
  announceUpstreamIfNew(): void {
    if (this.net.deps.role() !== 'province') return;
    const id = this.net.store.identity();
    if (!id?.upstream_address || !id.upstream_key || !id.upstream_role) return;
    const fp = `upstream-key-announced:${this.#fingerprint(id.upstream_key)}`;
    if (this.net.meta(fp) === 1) return;
    const at = this.net.deps.now();
    this.net.deps.db.transaction(() => {
      const body = this.#peerKeyBody(id.upstream_address!, id.upstream_role!, id.upstream_key!, id.paired_at ?? at.toISOString(), null);
      this.net.send(newEnvelope<PeerKeyBody>('peer.key', this.net.address(), '*', at, body), at);
      this.net.setMeta(fp, 1);
    })();
  }

  /** Queues for a newly paired box below every key this box holds (before anything else it is sent). */
  seedFor(hop: string): void {
    if (this.net.deps.role() === 'city') return;
    const at = this.net.deps.now();
    const from = this.net.address();
    const put = (b: PeerKeyBody) => this.net.store.enqueue(newEnvelope<PeerKeyBody>('peer.key', from, '*', at, b), hop, at);
    const id = this.net.store.identity();
    if (id?.upstream_address && id.upstream_key && id.upstream_role) put(this.#peerKeyBody(id.upstream_address, id.upstream_role, id.upstream_key, id.paired_at ?? at.toISOString(), null));
    for (const p of this.net.store.allPeers()) if (p.region !== hop) put(this.#peerKeyBody(p.region, p.role, p.public_key, p.enrolled_at, p.revoked_at));
    for (const k of this.net.store.allOriginKeys()) put(this.#peerKeyBody(k.region, k.role, k.public_key, k.enrolled_at, k.revoked_at));
    this.net.notifier.notify(hop);
  }

  /**
   * Once, after the upgrade that brought origin signatures: the keys of the boxes paired before it are
   * announced as if they had just paired (net_meta 'origin-keys-announced').
   */
  announceExisting(): void {
    if (this.net.deps.role() === 'city' || this.net.meta('origin-keys-announced') === 1) return;
    this.net.deps.db.transaction(() => {
      const peers = this.net.store.allPeers();
      for (const region of new Set(peers.map((p) => p.region))) this.announce(region);
      for (const region of new Set(peers.filter((p) => !p.revoked_at).map((p) => p.region))) this.seedFor(region);
      this.net.setMeta('origin-keys-announced', 1);
    })();
  }
}

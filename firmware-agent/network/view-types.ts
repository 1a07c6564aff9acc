// The network as the staff API gives it (GET /api/network/status, /api/network/dead-letters), as types with
// no runtime import: the server builds them (admin-routes.ts, store.ts) and the network page reads them
// (web-ui/src/pages/network.tsx), from this one file.

/** A box below, paired with this one. */
export interface PeerView {
  region: string;
  role: string;
  boxId: string;
  enrolledAt: string;
  revokedAt: string | null;
  lastContact: string | null;
}

export interface NetworkStatus {
  role: 'city' | 'province' | 'ministry';
  /** This box's own address as it tells the boxes below. */
  address: string;
  publicKey: string | null;
  keyFingerprint: string | null;
  /** Where the boxes below reach this box's exchange over TLS (null on a city box or before it listens). */
  exchangeTlsUrl: string | null;
  upstream: {
    url: string;
    address: string | null;
    role: string | null;
    pairedAt: string | null;
    lastContact: string | null;
    lastError: string | null;
    pullCursor: number;
  } | null;
  outboxDepth: number;
  oldestAgeSeconds: number;
  rejected: number;
  deadLetters: number;
  peers: PeerView[];
}

/** A received message set aside because it could not be applied here. */
export interface DeadLetter {
  id: string;
  kind: string;
  origin: string;
  via: string;
  ticket_id: string | null;
  error: string;
  at: string;
}

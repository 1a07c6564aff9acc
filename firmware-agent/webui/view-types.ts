// The LAN HTTPS answers as types with no runtime import: the server builds them (lan-https.ts, with
// `satisfies`) and the technician page reads them (web-ui/src/pages/technician.tsx), from this one file.

/** GET /api/admin/tls: the LAN certificate and how agents' PCs come to trust it (docs/https.md). */
export interface TlsView {
  /** The staff UI's HTTPS address (null while HTTPS is off). */
  url: string | null;
  /** SHA-256 of the box CA: what agents' PCs must trust. */
  caFingerprint: string;
  caNotAfter: string;
  certFingerprint: string;
  names: string[];
  addresses: string[];
  notAfter: string;
  /** Where the CA certificate is downloaded. */
  download: string;
}

// Typical cases (典型案例) as the staff API gives them, as types with no runtime import: the server builds
// them (cases.ts, with `satisfies`) and the supervisors' page reads them (web-ui/src/pages/public-cases.tsx).

/** GET /api/public-cases/draft/:number: the case anonymised, as it would be published. */
export interface CaseDraft {
  number: string;
  title: string;
  text: string;
}

/** GET /api/public-cases: one published case. */
export interface PublishedCase extends CaseDraft {
  id: number;
  /** The month it is shown under on the disclosure page (YYYY-MM). */
  month: string;
  publishedAt: string;
}

/** GET /api/public-intake/:number/photos: one photo a citizen attached (its bytes at /api/public-intake/photos/:id). */
export interface PhotoView {
  id: number;
  mime: string;
  /** Bytes. */
  size: number;
  createdAt: string;
}

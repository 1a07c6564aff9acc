// The photos a citizen attached on the public intake page, on the staff ticket page: served by the staff
// API (GET /api/public-intake/:number/photos and /photos/:id, metadata already stripped at intake; a
// department only for its own tickets), never from /public. Nothing is shown for a ticket without photos.
import type { PhotoView } from '../../../firmware-agent/public/view-types';
import { useEffect, useState } from 'preact/hooks';
import { get } from '../api.js';
import { t } from '../i18n.js';

type Photo = PhotoView;

export function TicketPhotos({ number }: { number: string }) {
  const [photos, setPhotos] = useState<Photo[]>([]);
  useEffect(() => {
    let live = true;
    void get<{ items: Photo[] }>(`/api/public-intake/${number}/photos`).then(
      (r) => live && setPhotos(r.items),
      () => live && setPhotos([]),
    );
    return () => {
      live = false;
    };
  }, [number]);
  if (photos.length === 0) return null;
  return (
    <>
      <h4>{t('citizenPhotos')}</h4>
      <div class="row wrap" id="ticket-photos">
        {photos.map((p) => (
          <a key={p.id} href={`/api/public-intake/photos/${p.id}`} target="_blank" rel="noopener" data-photo={p.id}>
            <img src={`/api/public-intake/photos/${p.id}`} alt={`${t('citizenPhotos')} ${p.id}`} loading="lazy" style={{ maxWidth: '160px', maxHeight: '120px' }} />
          </a>
        ))}
      </div>
    </>
  );
}

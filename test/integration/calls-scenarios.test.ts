// Scenario tests of issue 3 (test/integration/scenarios.ts) on the simulated trunk, on a virtual clock.
// The same suite runs on the E1 driver in e1-scenarios.test.ts.
import t from 'tap';
import { simRig } from './calls-harness.js';
import { scenarioSuite } from './scenarios.js';

scenarioSuite(t, simRig);

// Scenario tests of issue 3 (test/rigs/scenarios.ts) on the simulated trunk, on a virtual clock.
// The same suite runs on the E1 driver in e1-scenarios.test.ts.
import t from 'tap';
import { simRig } from '../rigs/calls-harness.js';
import { scenarioSuite } from '../rigs/scenarios.js';

scenarioSuite(t, simRig);

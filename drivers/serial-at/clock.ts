// Time is injected (style.md §12). The serial driver shares the trunk drivers' clock so one
// VirtualClock can drive a whole scenario (calls and SMS) in tests.
export { systemClock, VirtualClock, type Clock, type TimerHandle } from '../trunk/clock.js';

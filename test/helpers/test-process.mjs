// Loaded first in every test process (package.json tap.node-arg). tap starts each test file with its
// process-tracking loader (@tapjs/processinfo, for coverage) and puts that loader into NODE_OPTIONS, so every
// node process a test starts (box processes, the CLI, simulators) would load it too: an extra loader thread and
// source-map bookkeeping, about 0.3 s of CPU per process that imports the box. Coverage is off in this
// project (package.json tap.disable-coverage), so the processes a test starts do not inherit it.
const options = process.env.NODE_OPTIONS;
if (options) {
  const kept = options
    .split(/\s+/)
    .filter((o) => o && !/@tapjs[\\/]processinfo/.test(o))
    .join(' ');
  if (kept) process.env.NODE_OPTIONS = kept;
  else delete process.env.NODE_OPTIONS;
}

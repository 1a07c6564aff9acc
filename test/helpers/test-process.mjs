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

// A test process must end once its tests are done. One that stays alive (a socket, a timer or a child
// process left open) would hold tap until its timeout, minutes later, and be reported as `timeout!` with no
// test named. Thirty seconds after the file's last test, this names what still holds the process and ends it
// with a failure. tap is imported here for its root test only in test files (not in processes they fork).
if (/\.test\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  const { t } = await import('tap');
  t.teardown(() => {
    setTimeout(() => {
      process.stderr.write(`${process.argv[1]}: the tests are done but the process is still held by: ${process.getActiveResourcesInfo().join(', ')}\n`);
      process.exit(1);
    }, Number(process.env.EDGEBOX_TEST_LINGER_MS ?? 30_000)).unref();
  });
}

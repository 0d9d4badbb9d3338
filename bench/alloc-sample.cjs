// Where a Paved server's garbage comes from, create by create: preload it into the server
// (`node bench/time-to-ready.mjs --product redis --runs 60 --node-args "--require
// /abs/path/bench/alloc-sample.cjs"`) and it samples every allocation (V8's sampling heap
// profiler, one sample per 8 KiB on average), the objects the scavenger and the mark-compactor
// collected included (--heap-prof keeps only the survivors, which hides per-request garbage).
// The profile goes to $PAVED_ALLOC_OUT (else /tmp/paved-alloc-<pid>.json) when the process ends;
// bench/alloc-report.mjs reads it. For measurement only: sampling slows the server a little.
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');

const session = new inspector.Session();
session.connect();
session.post('HeapProfiler.startSampling', {
  samplingInterval: 8192,
  includeObjectsCollectedByMinorGC: true,
  includeObjectsCollectedByMajorGC: true,
});
// The in-process inspector session answers synchronously, so the profile is written on 'exit'.
process.on('exit', () => {
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) return;
    writeFileSync(process.env.PAVED_ALLOC_OUT ?? `/tmp/paved-alloc-${process.pid}.json`, JSON.stringify(result.profile));
  });
});

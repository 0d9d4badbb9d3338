// Backstage catalog import: a whole generated catalog in one `paved backstage import` command.
//
//   node bench/backstage-import.mjs [--runs 3] [--scale 1] [--before DIR] [--generate-only]
//
// The catalog (generated into a temporary folder, --scale 1 = 11,650 entities in 25 files):
// 150 Groups (a hierarchy: 10 departments of 14 teams each), 1,500 Users (each in one team),
// 500 Systems, 5,000 Components (one in ten owned by a user), 2,500 APIs and 2,000 Resources;
// a root Location (`all.yaml`) names the 24 other files, as a team's catalog root does.
// Measured: `paved backstage import -f all.yaml` (the CLI process, from its start through
// reading the files to the summary) against a fresh `paved up` on SQLite each run (products
// target the machine's PostgreSQL, so no embedded cluster is started). Baseline in the same run,
// interleaved: parsing the same 25 files alone, in this process, with js-yaml (the parser the
// CLI uses); also measured, with `yaml` (the parser the CLI used before). With --before DIR (a
// built checkout of an earlier commit, e.g. a `git worktree` of the branch base), the same import
// with that checkout's CLI and server, interleaved too: the before/after of a change in one run.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import jsYaml from 'js-yaml';
import { parseAllDocuments, stringify } from 'yaml';
import { CLI, MACHINE_PG, arg, measureInterleaved, median, percentile, reportComparison, round, startPaved, tempFolder } from './lib.mjs';

const runs = Number(arg('runs', '3'));
const before = arg('before', undefined);
const beforeCli = before === undefined ? undefined : resolve(before, 'packages/cli/dist/main.js');
const scale = Number(arg('scale', '1'));
const n = (count) => Math.round(count * scale);
const entity = (kind, name, spec, extra = {}) => ({ apiVersion: 'backstage.io/v1alpha1', kind, metadata: { name, ...extra }, spec });

/** Writes the catalog; returns { dir, root, entities, files }. */
function generateCatalog() {
  const dir = tempFolder('paved-bench-backstage-');
  const departments = Array.from({ length: n(10) }, (_, i) => `department-${i}`);
  const teams = Array.from({ length: n(140) }, (_, i) => `team-${i}`);
  const users = Array.from({ length: n(1500) }, (_, i) => `user.${i}`);
  const systems = Array.from({ length: n(500) }, (_, i) => `system-${i}`);
  const teamOf = (i) => teams[i % teams.length];
  const files = {
    'org.yaml': [
      ...departments.map((d, i) => entity('Group', d, { type: 'department', profile: { displayName: `Department ${i}` }, children: teams.filter((_, t) => t % departments.length === i) })),
      ...teams.map((t, i) => entity('Group', t, { type: 'team', parent: departments[i % departments.length], children: [], profile: { displayName: `Team ${i}`, email: `${t}@example.com` } })),
    ],
    'systems.yaml': systems.map((s, i) => entity('System', s, { owner: `group:default/${teamOf(i)}` }, { description: `System ${i}` })),
  };
  const spread = (prefix, count, items, make) => {
    const per = Math.ceil(items / count);
    for (let f = 0; f < count; f++) files[`${prefix}-${f}.yaml`] = Array.from({ length: Math.max(0, Math.min(per, items - f * per)) }, (_, k) => make(f * per + k));
  };
  spread('users', 2, users.length, (i) => entity('User', users[i], { profile: { displayName: `User ${i}`, email: `u${i}@example.com` }, memberOf: [teamOf(i)] }));
  spread('components', 10, n(5000), (i) => entity('Component', `service-${i}`, {
    type: i % 3 === 0 ? 'website' : 'service', lifecycle: i % 7 === 0 ? 'experimental' : 'production',
    owner: i % 10 === 0 ? `user:default/${users[i % users.length]}` : `group:default/${teamOf(i)}`,
    system: systems[i % systems.length], dependsOn: [`resource:default/resource-${i % n(2000)}`], providesApis: [`api-${i % n(2500)}`],
  }, { description: `Service ${i}`, annotations: { 'github.com/project-slug': `acme/service-${i}` } }));
  spread('apis', 5, n(2500), (i) => entity('API', `api-${i}`, { type: 'openapi', lifecycle: 'production', owner: teamOf(i), definition: 'openapi: 3.0.0' }));
  spread('resources', 5, n(2000), (i) => entity('Resource', `resource-${i}`, { type: i % 2 ? 'database' : 's3-bucket', owner: teamOf(i), system: systems[i % systems.length] }));
  const names = Object.keys(files);
  files['all.yaml'] = [entity('Location', 'all', { targets: names.map((f) => `./${f}`) })];
  for (const [file, entities] of Object.entries(files)) writeFileSync(join(dir, file), entities.map((e) => stringify(e)).join('---\n'));
  const count = Object.values(files).reduce((sum, list) => sum + list.length, 0) - 1;
  return { dir, root: join(dir, 'all.yaml'), entities: count, files: Object.keys(files).length };
}

const catalog = generateCatalog();
if (process.argv.includes('--generate-only')) {
  // For profiling by hand: leaves the catalog in place and says where.
  console.log(catalog.root);
  process.exit(0);
}
console.error(`catalog: ${catalog.entities} entities (and the root Location) in ${catalog.files} files`);
let imported;
let importedBefore;
try {
  const times = await measureInterleaved(runs, {
    parse: async () => {
      const start = performance.now();
      for (const file of readdirSync(catalog.dir)) jsYaml.loadAll(readFileSync(join(catalog.dir, file), 'utf8'), undefined, { schema: jsYaml.CORE_SCHEMA });
      return performance.now() - start;
    },
    parseYaml: async () => {
      const start = performance.now();
      for (const file of readdirSync(catalog.dir)) for (const doc of parseAllDocuments(readFileSync(join(catalog.dir, file), 'utf8'))) doc.toJS();
      return performance.now() - start;
    },
    import: () => importWith(CLI),
    ...(beforeCli === undefined ? {} : { importBefore: () => importWith(beforeCli) }),
  });
  reportComparison({ benchmark: 'backstage-import', store: 'sqlite', entities: catalog.entities, files: catalog.files }, times.parse, times.import, 'import', {
    directName: 'parse alone (js-yaml)',
    trailing: {
      parseWithYamlMs: round(median(times.parseYaml)), imported,
      ...(times.importBefore === undefined ? {} : {
        before: { repo: before, medianMs: round(median(times.importBefore)), p95Ms: round(percentile(times.importBefore, 95)), importedBefore },
        afterToBefore: round(median(times.import) / median(times.importBefore)),
      }),
    },
  });
} finally {
  rmSync(catalog.dir, { recursive: true, force: true });
}

/** One whole import with `cli` (its own `paved up` on SQLite): ms from the CLI's start to its summary. */
async function importWith(cli) {
  const paved = await startPaved({ PAVED_POSTGRES_URL: MACHINE_PG, PAVED_POSTGRES_CLOSE_SERVER_DATABASES: 'false' }, { cli });
  try {
    const start = performance.now();
    const result = spawnSync(process.execPath, [cli, 'backstage', 'import', '-f', catalog.root, '-o', 'json'], {
      env: { ...process.env, PAVED_URL: paved.url, PAVED_TOKEN: paved.token, NO_COLOR: '1' }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
    });
    const ms = performance.now() - start;
    if (result.status !== 0) throw new Error(`import failed: ${result.stderr}`);
    const summary = JSON.parse(result.stdout);
    const counted = { teams: summary.created.teams.length, users: summary.created.users.length, services: summary.created.services.length, ownersMapped: summary.ownersMapped.length, systemNotes: summary.notes.filter((x) => /system .* is not among/.test(x.message)).length };
    if (cli === CLI) imported = counted;
    else importedBefore = counted;
    return ms;
  } finally {
    await paved.stop();
    rmSync(paved.dir, { recursive: true, force: true });
  }
}

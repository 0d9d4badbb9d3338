// Node's modules through process.getBuiltinModule, not `import`: each node: module an ES module
// imports is wrapped in a module of its own, ≈ 0.3 ms apiece at every start (main.ts).
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } = process.getBuiltinModule('node:fs');
const { basename, dirname, join } = process.getBuiltinModule('node:path');
const { Script } = process.getBuiltinModule('node:vm');
type Script = InstanceType<typeof Script>;

/**
 * V8's code cache for the CLI's bundle, kept between runs under the user's cache folder: Node 20
 * compiles every ES module anew on each start (no module.enableCompileCache before Node 22). A
 * script compiled with the cached code skips parsing and compiling what an earlier run compiled
 * (bench/README.md §9).
 *
 * The cache can be stale or damaged, and V8 checks neither fully (a release build does not verify
 * the data's checksum, and it compares only the source's length): so each entry carries the
 * length and CRC-32 of the source it was made from and the CRC-32 of its data, and is used only
 * when all match (chunk names also carry a hash of their content). V8 itself rejects code from
 * another V8 version or other flags; the folder is per Node version, architecture and bundle. Anything
 * else (no entry, another source, damage, V8 refusing it) compiles the source as usual and
 * writes the entry anew when the process exits, atomically (a temporary file renamed), and drops
 * the entries of files no longer beside the sources compiled (an earlier build's chunks). The cache
 * is an optimisation only: every failure to read or write it is ignored, and without zlib's crc32
 * (Node < 20.15, 22.0–22.1) it is not used. CRC-32, not a cryptographic hash: node:crypto took
 * ≈ 3 ms to load, a tenth of what the cache saves, and whoever can write the cache folder can
 * run code as its owner anyway.
 */
const HEADER_BYTES = 12; // source length, source CRC-32, data CRC-32: three uint32, little-endian

const { crc32 } = process.getBuiltinModule('node:zlib') as { crc32?: (data: string | Uint8Array) => number };

/**
 * $PAVED_CODE_CACHE_DIR, else $XDG_CACHE_HOME/paved/code-cache, else ~/.cache/paved/code-cache;
 * a folder per Node version and per folder of sources (`sources`, the bundle's): two checkouts
 * or installs side by side would otherwise drop each other's entries (see prune) at every run.
 */
export function codeCacheDir(env: NodeJS.ProcessEnv, sources: string): string {
  const root = env.PAVED_CODE_CACHE_DIR
    ?? join(env.XDG_CACHE_HOME ? env.XDG_CACHE_HOME : join(env.HOME ?? process.getBuiltinModule('node:os').homedir(), '.cache'), 'paved', 'code-cache');
  return join(root, `node-${process.version}-${process.arch}-${(crc32?.(sources) ?? 0).toString(16).padStart(8, '0')}`);
}

export class CodeCache {
  /** Scripts compiled without a usable entry: their code is written when the process exits. */
  private readonly pending: { script: Script; file: string; header: Buffer; source: string }[] = [];

  constructor(readonly dir: string) {}

  /** `source` (the text of `filename`) compiled, with the cached code when it is this source's. */
  compile(source: string, filename: string): Script {
    if (crc32 === undefined) return new Script(source, { filename });
    const file = join(this.dir, `${basename(filename)}.bin`);
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt32LE(source.length, 0);
    header.writeUInt32LE(crc32(source), 4);
    const cachedData = this.read(file, header);
    const script = new Script(source, { filename, ...(cachedData ? { cachedData } : {}) });
    if (cachedData === undefined || script.cachedDataRejected === true) {
      if (this.pending.length === 0) process.once('exit', () => this.flush());
      this.pending.push({ script, file, header, source: filename });
    }
    return script;
  }

  /** The entry's code when it was made from this source and is intact. */
  private read(file: string, header: Buffer): Buffer | undefined {
    let entry: Buffer;
    try {
      entry = readFileSync(file);
    } catch {
      return undefined;
    }
    if (entry.length <= HEADER_BYTES || !entry.subarray(0, 8).equals(header.subarray(0, 8))) return undefined;
    const data = entry.subarray(HEADER_BYTES);
    return crc32!(data) === entry.readUInt32LE(8) ? data : undefined;
  }

  /**
   * Writes the entries of the scripts compiled without one. Called at exit, so the code holds
   * every function this run compiled (V8 compiles a function when it is first called), not only
   * the top level.
   */
  flush(): void {
    if (this.pending.length === 0) return;
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    } catch {
      return; // A read-only home: the next run compiles as this one did.
    }
    this.prune(dirname(this.pending[0]!.source));
    for (const { script, file, header } of this.pending.splice(0)) {
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        const data = script.createCachedData();
        header.writeUInt32LE(crc32!(data), 8);
        writeFileSync(tmp, Buffer.concat([header, data]), { mode: 0o600 });
        renameSync(tmp, file);
      } catch {
        // A full disk: this entry stays as it was.
        try {
          rmSync(tmp, { force: true });
        } catch {
          // Nothing more to do without a writable folder.
        }
      }
    }
  }

  /**
   * Removes the entries whose source is not in `sources` (a chunk of an earlier build: chunk
   * names carry a hash of their content) and temporary files a killed process left. Only when
   * something is written, so at most once per new build.
   */
  private prune(sources: string): void {
    try {
      for (const name of readdirSync(this.dir)) {
        const stale = name.endsWith('.tmp') || (name.endsWith('.bin') && !existsSync(join(sources, name.slice(0, -'.bin'.length))));
        if (stale) rmSync(join(this.dir, name), { force: true });
      }
    } catch {
      // Pruning is housekeeping: the entries in use are checked when read.
    }
  }
}

import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { containerVolumes, renderFiles, renderTemplate, type ScoreWorkload } from '@paved/model';
import { InputError } from '@paved/model';
import type { RenderedWorkload } from './commands/workload.js';

/** A file or volume `paved run` made, and where the container would have seen it. */
export interface Placed {
  kind: 'file' | 'volume';
  /** The path in the container (a Score target). */
  target: string;
  /** Where it is on this machine. */
  path: string;
}

/**
 * The project's `.paved` folder, beside the Score file: what `paved run` keeps for a workload
 * on a developer's machine, like score-compose's `.score-compose` (add it to .gitignore).
 *   .paved/volumes/<volume>                       a volume resource's directory, kept across runs
 *   .paved/files/<service>/<env>/<container>/...  the container's files, written anew each run
 */
export function projectFolder(scoreFile: string): string {
  return join(dirname(resolve(scoreFile)), '.paved');
}

/** `target` under `root`, never outside it: a target with `..` cannot write elsewhere. */
function under(root: string, target: string): string {
  const path = join(root, resolve('/', target));
  const rel = relative(root, path);
  if (rel.startsWith(`..${sep}`) || rel === '..') throw new InputError(`file target ${target} leaves the workload's folder`, { code: 'score_render_failed', issues: [{ path: 'files', message: target }] });
  return path;
}

/**
 * Writes the chosen container's files (placeholders rendered, `source` read beside the Score
 * file) and makes its volumes' directories. Without containers nothing is mounted: the
 * process finds them at the paths `paved run` prints.
 */
export async function placeFilesAndVolumes(rendered: RenderedWorkload): Promise<Placed[]> {
  const { parsed, values, container } = rendered;
  const workload: ScoreWorkload = parsed.workload;
  const folder = projectFolder(parsed.file);
  const placed: Placed[] = [];
  const base = dirname(resolve(parsed.file));
  let files;
  try {
    files = await renderFiles(workload, container, values, (source) => readFile(resolve(base, source), 'utf8'));
  } catch (error) {
    const message = (error as NodeJS.ErrnoException).code === 'ENOENT' ? `a file's source does not exist: ${(error as NodeJS.ErrnoException).path}` : (error as Error).message;
    throw new InputError(message, { code: 'score_render_failed', issues: [{ path: `containers.${container}.files`, message }] });
  }
  // A container's name is any YAML key ("../../x" too): it is placed like a target, never above files/.
  const filesRoot = under(join(folder, 'files'), join(rendered.service, rendered.env, container));
  for (const file of files) {
    const path = under(filesRoot, file.target);
    // A file may hold revealed credentials (a placeholder of a secret output): the owner's only,
    // unless the Score file gives its mode; chmod too, since a file of an earlier run keeps its own.
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(path, file.content, { mode: 0o600 });
    await chmod(path, file.mode ?? 0o600);
    placed.push({ kind: 'file', target: file.target, path });
  }
  for (const volume of containerVolumes(container, workload.containers[container]!)) {
    const source = renderTemplate(volume.spec.source, workload, values, volume.path.join('.'));
    const path = under(join(folder, 'volumes'), source);
    await mkdir(path, { recursive: true });
    placed.push({ kind: 'volume', target: volume.target, path });
  }
  return placed;
}

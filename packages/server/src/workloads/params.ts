import { parseTemplate, type ScoreProblem, type ScoreWorkload } from '@paved/model';

/**
 * A resource's `params` with its placeholders replaced. Score allows them there (a route's
 * `host: ${resources.dns.host}`); Paved can fill in only what it knows when it plans: metadata,
 * and the outputs of the built-in types it works out itself (`known`). Anything else (say, a
 * database's host, which exists once the database does) is reported, naming why.
 * Returns undefined when a placeholder names a resource not resolved yet (`pending`), so the
 * caller can try again once it is.
 */
export function resolveParams(
  params: Record<string, unknown>,
  path: string[],
  workload: ScoreWorkload,
  known: ReadonlyMap<string, Record<string, string>>,
  pending: ReadonlySet<string>,
  typeOf: (resource: string) => string | undefined,
  problems: ScoreProblem[],
): Record<string, unknown> | undefined {
  let waiting = false;
  const visit = (value: unknown, at: string[]): unknown => {
    if (typeof value === 'string') return resolveString(value, at);
    if (Array.isArray(value)) return value.map((item, i) => visit(item, [...at, String(i)]));
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visit(v, [...at, k])]));
    return value;
  };
  const resolveString = (value: string, at: string[]): unknown => {
    let parts;
    try {
      parts = parseTemplate(value);
    } catch (error) {
      problems.push({ path: at, message: (error as Error).message });
      return value;
    }
    if (!parts.some((part) => 'ref' in part)) return parts.map((part) => ('text' in part ? part.text : '')).join('');
    return parts.map((part) => {
      if ('text' in part) return part.text;
      const [root, name, ...rest] = part.ref;
      if (root === 'metadata') {
        const found = rest.length === 0 && name !== undefined ? (workload.metadata as Record<string, unknown>)[name] : undefined;
        if (typeof found !== 'string') problems.push({ path: at, message: `${part.source} names no metadata field Paved can put in params` });
        return typeof found === 'string' ? found : '';
      }
      const outputs = name === undefined ? undefined : known.get(name);
      if (root === 'resources' && name !== undefined && pending.has(name)) {
        waiting = true;
        return '';
      }
      if (root !== 'resources' || name === undefined || !outputs) {
        const type = name === undefined ? undefined : typeOf(name);
        problems.push({
          path: at,
          message: type === undefined
            ? `${part.source} names no resource of this file`
            : `${part.source}: params can name outputs of the types Paved works out when it plans (dns, service, service-port, route, volume, environment); ${name} is a ${type} resource, whose outputs exist only once it is provisioned`,
        });
        return '';
      }
      const value = outputs[rest.join('.')];
      if (value === undefined) problems.push({ path: at, message: `${part.source} names no output of resource "${name}" (outputs: ${Object.keys(outputs).join(', ')})` });
      return value ?? '';
    }).join('');
  };
  const resolved = visit(params, path) as Record<string, unknown>;
  return waiting ? undefined : resolved;
}

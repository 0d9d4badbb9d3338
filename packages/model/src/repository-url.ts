/**
 * Which repository a service's URL names (`paved services create NAME --repo URL`), as host and
 * path compared without case, scheme, port, `.git` or a trailing page (`/tree/main`, GitLab's
 * `/-/…`). Here rather than with the delivery capability because the store needs it too: its
 * migration 0027 tells which team's services claim a repository (docs/metrics/dora.md).
 */

/** host and path of a repository URL (https, ssh, or scp-like git@host:path); undefined when it names none. */
export function repositoryKeyOfUrl(url: string): { host: string; path: string } | undefined {
  const text = url.trim();
  let host: string;
  let path: string;
  const scp = /^[\w.-]+@([\w.-]+):(?!\/)(.+)$/.exec(text);
  if (scp) {
    host = scp[1]!;
    path = scp[2]!;
  } else {
    let parsed: URL;
    try {
      parsed = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
    } catch {
      return undefined;
    }
    host = parsed.hostname;
    path = decodeURIComponent(parsed.pathname);
  }
  path = path.split('/-/')[0]!.replace(/\.git$/i, '').replace(/^\/+|\/+$/g, '').replace(/\.git$/i, '');
  const segments = path.split('/').filter(Boolean);
  // GitHub repositories are owner/name; anything after is a page of the repository.
  const kept = /(^|\.)github\.com$/i.test(host) ? segments.slice(0, 2) : segments;
  if (kept.length < 2) return undefined;
  return { host: host.toLowerCase(), path: kept.join('/').toLowerCase() };
}

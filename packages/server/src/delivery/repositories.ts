import { repositoryKeyOfUrl, type Service } from '@paved/model';
import type { DeliveryRepository, DeliveryRepositoryRef } from '@paved/store';

/**
 * Which repository an event belongs to, and which services claim it. A service claims the
 * repository its URL names (`paved services create NAME --repo URL`), compared on host and path
 * without case, scheme, port, `.git` or a trailing page (`/tree/main`, GitLab's `/-/…`); and it
 * always claims the events recorded for it through the API (host `paved`, path `team/service`).
 * Claims are resolved when metrics are computed, so events that arrive before a service claims
 * their repository count as soon as one does.
 */

export const PAVED_HOST = 'paved';

/** The repository of a GitHub payload: `repository.full_name`, host from `repository.html_url`. */
export function githubRepository(fullName: string, htmlUrl: string | undefined, defaultBranch: string | undefined): DeliveryRepositoryRef {
  const host = htmlUrl === undefined ? '' : repositoryKeyOfUrl(htmlUrl)?.host ?? '';
  return { host, path: fullName.toLowerCase(), name: fullName, ...(defaultBranch ? { defaultBranch } : {}) };
}

/** The repository of a GitLab payload: `project.path_with_namespace`, host from `project.web_url`. */
export function gitlabRepository(pathWithNamespace: string, webUrl: string | undefined, defaultBranch: string | undefined): DeliveryRepositoryRef {
  const host = webUrl === undefined ? '' : repositoryKeyOfUrl(webUrl)?.host ?? '';
  return { host, path: pathWithNamespace.toLowerCase(), name: pathWithNamespace, ...(defaultBranch ? { defaultBranch } : {}) };
}

/** Where a service's own events (recorded through the API) are kept: its repository, else a place of its own. */
export function serviceRepository(service: Service): DeliveryRepositoryRef {
  const key = service.repositoryUrl === undefined ? undefined : repositoryKeyOfUrl(service.repositoryUrl);
  if (key !== undefined) return { ...key, name: service.repositoryUrl! };
  return { host: PAVED_HOST, path: `${service.teamName}/${service.name}`, name: `${service.teamName}/${service.name}` };
}

/** Whether `service` claims `repository`. A payload that named no host matches any host. */
export function claims(service: Service, repository: DeliveryRepository): boolean {
  if (repository.host === PAVED_HOST) return repository.path === `${service.teamName}/${service.name}`;
  const key = service.repositoryUrl === undefined ? undefined : repositoryKeyOfUrl(service.repositoryUrl);
  return key !== undefined && key.path === repository.path && (repository.host === '' || repository.host === key.host);
}

/** How people see a repository in reports. */
export function repositoryLabel(repository: DeliveryRepository): string {
  if (repository.host === PAVED_HOST) return `service ${repository.name} (recorded through the API)`;
  return repository.host === '' ? repository.name : `${repository.host}/${repository.name}`;
}

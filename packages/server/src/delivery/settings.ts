import { InputError } from '@paved/model';
import type { DeliveryRules } from '@paved/store';

/**
 * How delivery events are classified and metrics bucketed: the platform's configuration
 * (PAVED_DORA_PRODUCTION_ENVIRONMENTS, PAVED_DORA_INCIDENT_LABEL, PAVED_DORA_TIME_ZONE; see
 * docs/metrics/dora.md "Configuration").
 */
export interface DeliverySettings {
  /** A regular expression an environment name must match to count as production. */
  productionEnvironments: string;
  /** A regular expression one of an issue's labels must match for the issue to be an incident. */
  incidentLabel: string;
  /** IANA time zone of days, weeks and months. */
  timeZone: string;
}

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = Object.freeze({
  productionEnvironments: '(?i)prod',
  incidentLabel: '(?i)^incident$',
  timeZone: 'UTC',
});

/**
 * A pattern as DevLake writes them (Go syntax: a leading `(?i)` for case-insensitive) as a
 * JavaScript RegExp. Matching searches anywhere in the text, as Go's MatchString does.
 */
export function compilePattern(source: string, path: string): RegExp {
  const flags = /^\(\?([ims]+)\)/.exec(source);
  try {
    return new RegExp(flags ? source.slice(flags[0].length) : source, flags ? [...new Set(flags[1])].join('') : '');
  } catch (error) {
    throw new InputError(`${path} is not a valid regular expression: ${(error as Error).message}`, {
      code: 'pattern_invalid',
      issues: [{ path, message: 'is not a valid regular expression' }],
    });
  }
}

/**
 * Whether `zone` is an IANA time zone this Node knows. UTC, the default, is answered without
 * ICU: a first `Intl.DateTimeFormat` touches ~5 MiB of the node binary's time-zone and locale
 * data, which then stays in an idle `paved up`'s RSS (bench/README.md §9, round 4).
 */
export function isTimeZone(zone: string): boolean {
  if (zone === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function deliveryRules(settings: DeliverySettings): DeliveryRules {
  const production = compilePattern(settings.productionEnvironments, 'PAVED_DORA_PRODUCTION_ENVIRONMENTS');
  const incident = compilePattern(settings.incidentLabel, 'PAVED_DORA_INCIDENT_LABEL');
  return {
    isProduction: (environment) => production.test(environment),
    isIncident: (labels) => labels.some((label) => incident.test(label)),
    fingerprint: JSON.stringify([settings.productionEnvironments, settings.incidentLabel]),
  };
}

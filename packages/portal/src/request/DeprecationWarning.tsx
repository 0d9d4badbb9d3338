import type { InstanceDeprecation } from '@paved/model';

/** An instance on a deprecated version or product: until when, why, and the command that moves it. */
export function DeprecationWarning({ deprecation }: { deprecation: InstanceDeprecation }) {
  const what = deprecation.version ? `Version ${deprecation.version}` : 'This product';
  return (
    <div className="warning" data-testid="deprecation">
      <p><strong>Deprecated.</strong> {what} {deprecation.pastDate ? 'was' : 'is'} deprecated{deprecation.pastDate ? ' since' : ' until'} {deprecation.date}: {deprecation.reason}</p>
      {deprecation.upgradeCommand ? <p>Move to {deprecation.upgradeTo ? `version ${deprecation.upgradeTo}` : 'a newer version'} with <code>{deprecation.upgradeCommand}</code></p>
        : <p>No newer version is published yet.</p>}
    </div>
  );
}

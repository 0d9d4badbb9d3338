import type { ReactNode } from 'react';

interface ProblemLike {
  message?: string;
  code?: string;
  issues?: { path: string; message: string }[];
}

/** One sentence for people about what went wrong, from the API's problem (never a stack). */
export function describeError(error: unknown): string {
  if (error instanceof TypeError) return 'Paved could not be reached. Check your connection and try again.';
  const message = (error as ProblemLike | undefined)?.message;
  return message && message.length > 0 ? message : 'Something went wrong.';
}

/** An API error in words: the message, the fields it names, and its code for a search in docs/errors.md. */
export function ApiError({ error, children }: { error: unknown; children?: ReactNode }) {
  const problem = error as ProblemLike;
  return (
    <div className="error" role="alert">
      <p>{children ? <>{children} </> : null}{describeError(error)}</p>
      {problem.issues && problem.issues.length > 0 ? (
        <ul>{problem.issues.map((i) => <li key={i.path + i.message}><code>{i.path}</code>: {i.message}</li>)}</ul>
      ) : null}
      {problem.code ? <p className="muted">Error code: <code>{problem.code}</code></p> : null}
    </div>
  );
}

/** Loading, failure or the content, for a read through useApi. */
export function Loaded<T>({ data, error, what, children }: { data: T | undefined; error: unknown; what: string; children: (data: T) => ReactNode }) {
  if (error) return <ApiError error={error}>Could not load {what}.</ApiError>;
  if (data === undefined) return <p className="muted" role="status">Loading {what}…</p>;
  return <>{children(data)}</>;
}

// Loading, error, empty and not-yet-available states, the same on every page.
import type { ReactNode } from 'react';
import { ApiError, type Loaded } from '../api.ts';

export function Loading({ what }: { what: string }) {
  return (
    <p className="state loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function ErrorState({ error, retry }: { error: Error; retry?: () => void }) {
  if (error instanceof ApiError && error.notAvailable) return <NotAvailable detail={error.message} />;
  return (
    <div className="state error" role="alert">
      <p>
        <strong>Could not load this.</strong> {error.message}
      </p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function NotAvailable({ detail }: { detail?: string }) {
  return (
    <div className="state unavailable" role="note">
      <p>
        <strong>Not available yet.</strong> This server does not offer the data for this part of the dashboard yet.
      </p>
      {detail && <p className="muted">{detail}</p>}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state empty">{children}</div>;
}

/** Renders the loaded data, or the state that stands in for it. */
export function Load<T>({ loaded, what, children }: { loaded: Loaded<T>; what: string; children: (data: T) => ReactNode }) {
  if (loaded.error) return <ErrorState error={loaded.error} retry={loaded.reload} />;
  if (loaded.data === null) return <Loading what={what} />;
  return <>{children(loaded.data)}</>;
}

// Talking to the Escapement API: JSON in and out, errors with the server's message, and a hook that
// gives pages their loading / error / data states.
import { useCallback, useEffect, useState } from 'react';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null,
  ) {
    super(message);
  }
  /** The route does not exist on this server yet (a feature still being built). */
  get notAvailable(): boolean {
    return this.status === 404 && this.code === 'not_found' && this.message.startsWith('no route');
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init.body === undefined ? null : JSON.stringify(init.body),
  });
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { message: text };
  }
  if (!response.ok) {
    const body = (data ?? {}) as { message?: string; error?: string };
    throw new ApiError(response.status, body.message ?? `${response.status} ${response.statusText}`, body.error ?? null);
  }
  return data as T;
}

export interface Loaded<T> {
  data: T | null;
  error: ApiError | Error | null;
  loading: boolean;
  reload: () => void;
}

/** Loads a GET path (null: nothing to load yet); re-runs when the path changes. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean; path: string | null }>({ data: null, error: null, loading: path !== null, path });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setState((s) => ({ data: s.path === path ? s.data : null, error: null, loading: true, path }));
    api<T>(path).then(
      (data) => live && setState({ data, error: null, loading: false, path }),
      (error: Error) => live && setState({ data: null, error, loading: false, path }),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Loads several GET paths at once; one failure fails the set. */
export function useApiAll<T>(paths: string[] | null): Loaded<T[]> {
  const key = paths === null ? null : JSON.stringify(paths);
  const [state, setState] = useState<{ data: T[] | null; error: Error | null; loading: boolean }>({ data: null, error: null, loading: paths !== null });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    if (key === null) return;
    let live = true;
    setState({ data: null, error: null, loading: true });
    Promise.all((JSON.parse(key) as string[]).map((p) => api<T>(p))).then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: Error) => live && setState({ data: null, error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [key, tick]);
  return { ...state, reload };
}

export function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

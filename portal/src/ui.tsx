/** Small shared pieces: a loader hook with loading and error states, status messages, fields. */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';

export interface Loaded<T> {
  data?: T;
  error?: string;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` now and on `reload()`, exposing loading and error states for the view. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean }>({ loading: true });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (err: Error) => live && setState({ error: err.message, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [n, ...deps]);
  return { ...state, reload: useCallback(() => setN((x) => x + 1), []) };
}

/** An action's progress and outcome, announced to screen readers. */
export function useAction<A extends unknown[]>(run: (...a: A) => Promise<string | void>) {
  const [state, setState] = useState<{ busy: boolean; error?: string; done?: string }>({ busy: false });
  const go = async (...a: A) => {
    setState({ busy: true });
    try {
      setState({ busy: false, done: (await run(...a)) || undefined });
    } catch (err) {
      setState({ busy: false, error: (err as Error).message });
    }
  };
  return { ...state, go };
}

export const Status = (p: { loading?: boolean; busy?: boolean; error?: string; done?: string; what?: string }) => (
  <div aria-live="polite">
    {(p.loading || p.busy) && (
      <p class="loading" role="status">
        {p.loading ? `Loading ${p.what ?? ''}…` : 'Working…'}
      </p>
    )}
    {p.error && (
      <p class="error" role="alert">
        {p.error}
      </p>
    )}
    {p.done && (
      <p class="ok" role="status">
        {p.done}
      </p>
    )}
  </div>
);

export const Field = (p: { label: string; id: string; hint?: string; children: ComponentChildren }) => (
  <div class="field">
    <label for={p.id}>{p.label}</label>
    {p.children}
    {p.hint && (
      <small id={`${p.id}-hint`} class="hint">
        {p.hint}
      </small>
    )}
  </div>
);

export const Section = (p: { title: string; children: ComponentChildren }) => (
  <section aria-labelledby={`h-${p.title.replace(/\W+/g, '-')}`}>
    <h2 id={`h-${p.title.replace(/\W+/g, '-')}`}>{p.title}</h2>
    {p.children}
  </section>
);

export const when = (iso?: string | number) => (iso === undefined ? '' : new Date(typeof iso === 'number' ? iso * (iso < 1e12 ? 1000 : 1) : iso).toLocaleString());

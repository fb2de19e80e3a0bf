// Pieces every page uses: loading an API answer, showing its error, and a table that scrolls on a phone.
import { useEffect, useState, useCallback } from "preact/hooks";

/** Loads with the given function whenever a dependency changes; reload() loads again. */
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => current && setState({ data, error: null, loading: false }),
      (error) => current && setState({ data: null, error, loading: false }));
    return () => { current = false; };
  }, [...deps, round]);
  return { ...state, reload: useCallback(() => setRound((r) => r + 1), []) };
}

export function Problem({ error }) {
  if (!error) return null;
  const fields = error.problem?.errors ? Object.entries(error.problem.errors).map(([k, v]) => `${k} ${v.join(", ")}`) : [];
  return (
    <p class="problem" role="alert">
      {error.message}{fields.length ? `: ${fields.join("; ")}` : ""}
    </p>
  );
}

/** A table that scrolls sideways on a phone; with cards, its rows stack as cards there instead (cells need a data-label). */
export function Table({ caption, cards = false, children }) {
  return (
    <div class={cards ? "table-scroll has-cards" : "table-scroll"} tabIndex={0} role="region" aria-label={caption}>
      <table class={cards ? "cards" : undefined}>
        <caption class="visually-hidden">{caption}</caption>
        {children}
      </table>
    </div>
  );
}

export function Loading({ when }) {
  return when ? <p class="loading" aria-live="polite">Loading…</p> : null;
}

/**
 * A user's action against the API: run(work) does it, and failure is what went wrong with the last one
 * (cleared when one succeeds), for <Problem error={failure} />.
 */
export function useAction() {
  const [failure, setFailure] = useState(null);
  const run = useCallback(async (work) => {
    try {
      await work();
      setFailure(null);
    } catch (error) {
      setFailure(error);
    }
  }, []);
  return [failure, run];
}

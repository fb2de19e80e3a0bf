// The dashboard's shell: signing in, the navigation and the routes (after the #, so no key or filter reaches a server log).
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { api, session, ApiError } from "./api.js";
import { Overview } from "./pages/overview.jsx";
import { Emails } from "./pages/emails.jsx";
import { Email } from "./pages/email.jsx";
import { Live } from "./pages/live.jsx";
import { Webhooks, WebhookDeliveries } from "./pages/webhooks.jsx";
import { ApiKeys } from "./pages/keys.jsx";
import { Privacy } from "./pages/privacy.jsx";

const pages = [
  { path: "overview", title: "Overview" },
  { path: "emails", title: "Emails" },
  { path: "live", title: "Live" },
  { path: "webhooks", title: "Webhooks" },
  { path: "keys", title: "API keys" },
  { path: "privacy", title: "Privacy" },
];

function currentRoute() {
  const [path, search = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { parts: parts.length ? parts : ["overview"], params: new URLSearchParams(search) };
}

function SignIn() {
  const [error, setError] = useState(session.reason);
  const [busy, setBusy] = useState(false);
  async function submit(e) {
    e.preventDefault();
    const key = new FormData(e.currentTarget).get("key").trim();
    setBusy(true);
    try {
      await api("/v1/api-keys", { key });
      session.signIn(key);
    } catch (failure) {
      setError(failure instanceof ApiError && failure.status === 401 ? "The service does not know that key."
        : failure instanceof ApiError && failure.status === 403 ? "That key may only send emails: sign in with a full-access key."
        : failure.message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <main class="sign-in">
      <h1>Tracking</h1>
      <form onSubmit={submit}>
        <label for="key">API key</label>
        <input id="key" name="key" type="password" autocomplete="off" required spellcheck={false} placeholder="tk_…" />
        <p class="hint">A full-access key of your project. It stays in this tab only and is forgotten when the tab closes.</p>
        {error && <p class="problem" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>Sign in</button>
      </form>
    </main>
  );
}

function Page({ route }) {
  const [first, second] = route.parts;
  switch (first) {
    case "emails": return second ? <Email id={second} /> : <Emails params={route.params} />;
    case "live": return <Live />;
    case "webhooks": return second ? <WebhookDeliveries id={second} /> : <Webhooks />;
    case "keys": return <ApiKeys />;
    case "privacy": return <Privacy />;
    default: return <Overview params={route.params} />;
  }
}

function App() {
  const [key, setKey] = useState(session.key());
  const [route, setRoute] = useState(currentRoute());
  const main = useRef(null);
  useEffect(() => {
    const onSession = () => setKey(session.key());
    const onHash = () => setRoute(currentRoute());
    addEventListener("tracking-session", onSession);
    addEventListener("hashchange", onHash);
    return () => { removeEventListener("tracking-session", onSession); removeEventListener("hashchange", onHash); };
  }, []);
  const section = pages.find((p) => p.path === route.parts[0]) ?? pages[0];
  useEffect(() => {
    document.title = `${section.title} · Tracking`;
    // A new page moves the keyboard's focus to it, as a page load would.
    main.current?.focus({ preventScroll: true });
  }, [route.parts.join("/")]);

  if (!key) return <SignIn />;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); main.current?.focus(); }}>Skip to content</a>
      <header class="bar">
        <span class="brand">Tracking</span>
        <nav aria-label="Sections">
          {pages.map((p) => (
            <a href={`#/${p.path}`} aria-current={p === section ? "page" : undefined}>{p.title}</a>
          ))}
        </nav>
        <button class="quiet" type="button" onClick={() => session.signOut()}>Sign out</button>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}

const root = document.getElementById("app");
root.textContent = "";
render(<App />, root);

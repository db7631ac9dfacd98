/**
 * The page's two inline scripts, as fixed text (no user data inside, so the page's
 * Content-Security-Policy can allow exactly these by hash).
 */

/** The version endpoint a live page polls; `clipform watch` serves it. */
export const VERSION_ENDPOINT = "/__report/version";
/** The meta tag that carries the version a live page was rendered at. */
export const VERSION_META = "clipform-report-version";
const POLL_MS = 1000;
/** Where a live page posts a pick; `clipform watch --serve` answers it. */
export const PICK_ENDPOINT = "/__report/pick";
/** The meta tag that carries the serving process's secret, which a pick must echo. */
export const PICK_TOKEN_META = "clipform-pick-token";
/** The header a pick carries the secret in (a custom header also makes any cross-origin POST preflighted). */
export const PICK_TOKEN_HEADER = "x-clipform-pick-token";

/**
 * Filters and search, all client-side: a card shows when it matches every select and contains
 * every search word. The state is kept in the URL fragment, so it survives a reload.
 */
export const FILTER_SCRIPT = `(() => {
  const form = document.getElementById("filters");
  const fields = { manifest: form.elements.manifest, model: form.elements.model, status: form.elements.status, q: form.elements.q };
  const selects = ["manifest", "model", "status"];
  const cards = Array.from(document.querySelectorAll(".card"), (el) => ({
    el,
    text: Array.from(el.querySelectorAll(".searchable"), (n) => n.textContent).join(" ").toLowerCase(),
  }));
  function update() {
    const words = fields.q.value.toLowerCase().split(/\\s+/).filter(Boolean);
    let shown = 0;
    for (const card of cards) {
      const match = selects.every((k) => !fields[k].value || card.el.dataset[k] === fields[k].value) && words.every((w) => card.text.includes(w));
      card.el.hidden = !match;
      if (match) shown++;
    }
    document.getElementById("shown").textContent = String(shown);
    document.getElementById("empty").hidden = shown > 0;
    const state = new URLSearchParams(Object.entries(fields).filter(([, f]) => f.value).map(([k, f]) => [k, f.value]));
    history.replaceState(null, "", String(state) ? "#" + state : location.pathname + location.search);
  }
  for (const [k, v] of new URLSearchParams(location.hash.slice(1))) if (Object.hasOwn(fields, k)) fields[k].value = v;
  form.addEventListener("input", update);
  form.addEventListener("submit", (e) => e.preventDefault());
  document.getElementById("clear").addEventListener("click", () => { form.reset(); update(); });
  update();
  // Videos load lazily (preload="none"): only those scrolled near the viewport fetch their first
  // frame, so a report of thousands of clips opens fast and fetches only what is seen.
  const lazy = new IntersectionObserver((entries) => {
    for (const en of entries) if (en.isIntersecting) { en.target.preload = "metadata"; lazy.unobserve(en.target); }
  }, { rootMargin: "400px" });
  for (const v of document.querySelectorAll("video[preload=none]")) lazy.observe(v);
})();`;

/**
 * Live mode: poll the version endpoint and reload when it differs from the version the page was
 * rendered at (filters survive, they are in the URL fragment). While the server does not answer,
 * the page says so and keeps polling.
 */
export const LIVE_SCRIPT = `(() => {
  const version = document.querySelector('meta[name="${VERSION_META}"]').content;
  async function poll() {
    try {
      const res = await fetch("${VERSION_ENDPOINT}", { cache: "no-store" });
      if (!res.ok) throw new Error("HTTP " + res.status);
      if ((await res.text()).trim() !== version) return location.reload();
      document.body.classList.remove("offline");
    } catch {
      document.body.classList.add("offline");
    }
    setTimeout(poll, ${POLL_MS});
  }
  setTimeout(poll, ${POLL_MS});
})();`;


/** Where a pick's confirmation waits for the page that the pick's own reload brings (this tab only). */
const PICK_STATUS_KEY = "clipform-pick-status";

/**
 * Live picking: a "Pick take N" button posts the clip's address and take number with the page's
 * token. The server writes the lockfile as `clipform pick` does; the lockfile change makes the
 * watcher re-plan, and the live script reloads the page, now showing the new pick. The
 * confirmation (commit the lockfile to share the choice) is kept in the tab's sessionStorage, so
 * the reloaded page shows it once, until dismissed, instead of losing it within a second.
 */
export const PICK_SCRIPT = `(() => {
  const token = document.querySelector('meta[name="${PICK_TOKEN_META}"]').content;
  const status = document.getElementById("pick-status");
  const message = document.createElement("span");
  const dismiss = document.createElement("button");
  dismiss.type = "button";
  dismiss.className = "dismiss";
  dismiss.textContent = "\u00d7";
  dismiss.title = "Dismiss";
  dismiss.setAttribute("aria-label", "Dismiss");
  dismiss.addEventListener("click", () => { status.hidden = true; });
  status.replaceChildren(message, dismiss);
  const say = (text, failed) => { message.textContent = text; status.hidden = false; status.classList.toggle("failed", failed); };
  // Storage may be unavailable (disabled, a sandboxed page): the message then lives on this page only.
  const store = (() => { try { return window.sessionStorage; } catch { return undefined; } })();
  const kept = store?.getItem("${PICK_STATUS_KEY}");
  if (kept) {
    store.removeItem("${PICK_STATUS_KEY}");
    say(kept, false);
  }
  document.addEventListener("click", async (ev) => {
    const button = ev.target.closest("button.pick");
    if (!button) return;
    button.disabled = true;
    say("Picking take " + button.dataset.take + " of " + button.dataset.address + "…", false);
    try {
      const res = await fetch("${PICK_ENDPOINT}", {
        method: "POST",
        cache: "no-store",
        headers: { "content-type": "application/json", "${PICK_TOKEN_HEADER}": token },
        body: JSON.stringify({ address: button.dataset.address, take: Number(button.dataset.take) }),
      });
      const text = await res.text();
      say(text, !res.ok);
      if (res.ok) {
        try { store?.setItem("${PICK_STATUS_KEY}", text); } catch {}
      } else button.disabled = false;
    } catch (err) {
      say("clipform watch did not answer: " + err.message, true);
      button.disabled = false;
    }
  });
})();`;

// What the benchmark pages (bench/page.ts, bench/tp-mlp-page.ts) share: each line goes onto the page
// (#out, #err) and, when Playwright drives the page (scripts/lib/chromium-page.mjs), through its
// exposed __benchWrite; __benchReady tells the driver the page's entry is set.

type Write = (stream: "out" | "err", line: string) => Promise<void>;

/** A line writer for `stream`: onto the page's `#out` or `#err`, and to the driver. */
export function pageWriter(stream: "out" | "err"): (line: string) => void {
  const el = document.querySelector<HTMLPreElement>(`#${stream}`)!;
  return (line) => {
    el.textContent += `${line}\n`;
    void (globalThis as { __benchWrite?: Write }).__benchWrite?.(stream, line);
  };
}

/** Why a page without SharedArrayBuffer cannot run a benchmark, or undefined when it can. */
export function isolationProblem(what: string): string | undefined {
  return crossOriginIsolated ? undefined : `${what}: this page is not cross-origin isolated (SharedArrayBuffer is unavailable): ` +
    "serve it with COOP same-origin and COEP require-corp, as vite.config.ts does";
}

/** Sets the page's entry (`name` on globalThis) and tells the driver it is ready. */
export function serveEntry(name: string, entry: (...args: never[]) => unknown): void {
  const scope = globalThis as unknown as Record<string, unknown>;
  scope[name] = entry;
  scope.__benchReady = true;
}

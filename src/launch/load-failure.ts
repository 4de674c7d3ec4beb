import { detectRuntime } from "../core/runtime.ts";

/** URLs longer than this are shortened in error messages (a bundler's data: URL runs to megabytes). */
export const MAX_URL_CHARS = 100;

/** `url` as an error message may show it: at most about MAX_URL_CHARS characters. */
export function shortUrl(url: string): string {
  if (url.length <= MAX_URL_CHARS) return url;
  return `${url.slice(0, 60)}… (${url.length} characters)`;
}

/** Every URL in `text` shortened (error messages from runtimes paste the whole URL). */
export function shortenUrls(text: string): string {
  return text.replace(/(?:data|blob|https?|file):[^\s"'`)]+/g, (u) => shortUrl(u));
}

const VITE_FIX =
  "in a Vite production build, `new URL(\"./ranks.ts\", import.meta.url)` is inlined as a data: URL or copied as a raw " +
  ".ts file; build the rank functions into a rank worker instead: `import rankWorker from \"./ranks.worker.ts?worker&url\"` " +
  "and `launch({ rankWorker, ... })`, where ranks.worker.ts calls `serveRanks` from \"webshmem/worker\" (README: Vite)";

function isJavaScript(contentType: string): boolean {
  return /\b(?:java|ecma)script\b/i.test(contentType);
}

interface Probe {
  /** What was received, in words: "HTTP 404", "HTTP 200 with content type video/mp2t", "no such file". */
  received?: string;
  fix: string;
}

async function probeHttp(url: string): Promise<Probe> {
  let res: Response;
  try {
    res = await fetch(url, { cache: "no-store" });
  } catch (e) {
    return { received: `no response (${String(e)})`, fix: "check that the server is running and the URL is right" };
  }
  const type = res.headers.get("content-type") ?? "none";
  await res.body?.cancel();
  if (!res.ok) {
    return {
      received: `HTTP ${res.status}`,
      fix: res.status === 404
        ? `the server has no such file: check the path; in a production build the bundler must emit it (${VITE_FIX})`
        : "check the server's log for why it refused the file",
    };
  }
  if (!isJavaScript(type)) {
    return {
      received: `HTTP ${res.status} with content type ${type}`,
      fix: /html/.test(type)
        ? `the server answered with an HTML page (a single-page app's fallback for a missing file?); ${VITE_FIX}`
        : /\.tsx?(?:[?#]|$)/.test(new URL(url).pathname) || /mp2t/.test(type)
        ? `the server sends a TypeScript file as is (browsers cannot run it); ${VITE_FIX}`
        : "a module must be served with a JavaScript content type (text/javascript)",
    };
  }
  return {
    received: `HTTP ${res.status} with content type ${type}`,
    fix: "the file was served as JavaScript, so the module itself (or one of its imports) failed: see the error above",
  };
}

async function fileExists(url: URL): Promise<boolean | undefined> {
  const runtime = detectRuntime();
  try {
    if (runtime === "deno") {
      const deno = (globalThis as unknown as { Deno: { stat(u: URL): Promise<unknown> } }).Deno;
      await deno.stat(url);
      return true;
    }
    if (runtime === "node") {
      const fsName = "node:fs";
      const fs = (await import(/* @vite-ignore */ fsName)) as typeof import("node:fs");
      return fs.existsSync(url);
    }
  } catch {
    return false;
  }
  return undefined;
}

async function probeFile(url: string): Promise<Probe> {
  const exists = await fileExists(new URL(url));
  if (exists === false) return { received: "no such file", fix: "check the path (a URL relative to import.meta.url is resolved against the importing file)" };
  if (detectRuntime() === "node" && /\.(?:c|m)?tsx?$/.test(new URL(url).pathname)) {
    return {
      received: "a TypeScript file",
      fix: "Node runs TypeScript only through a loader, and Node 20 does not apply the main thread's loader to worker " +
        "threads: give a .js rank module, or a rankWorker .mjs that registers your loader and then serves the TypeScript " +
        "functions (tsx: `register()` from \"tsx/esm/api\", then `serveRanks(await import(\"./ranks.ts\"))`; README: Node)",
    };
  }
  return { fix: "the file exists, so the module itself (or one of its imports) failed: see the error above" };
}

/**
 * Why a rank module or rank worker at `url` could not be loaded, as the message of a LaunchError:
 * the URL (shortened), what was received for it and the likely fix (`fix`, when the caller knows
 * it better). `what` names the file's role.
 */
export async function explainLoadFailure(what: string, url: string, cause: unknown, fix?: string): Promise<string> {
  const reason = shortenUrls(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause));
  let probe: Probe;
  if (url.startsWith("data:")) {
    const type = /^data:([^;,]*)/.exec(url)?.[1] || "no type";
    probe = { received: `a data: URL of type ${type}, ${url.length} characters`, fix: VITE_FIX };
  } else if (/^https?:/.test(url)) {
    probe = await probeHttp(url);
  } else if (url.startsWith("file:")) {
    probe = await probeFile(url);
  } else {
    probe = { fix: "pass an absolute URL, e.g. new URL(\"./ranks.js\", import.meta.url)" };
  }
  const received = probe.received === undefined ? "" : ` (received: ${probe.received})`;
  return `could not load the ${what} ${shortUrl(url)}${received}: ${reason}. Likely fix: ${fix ?? probe.fix}`;
}

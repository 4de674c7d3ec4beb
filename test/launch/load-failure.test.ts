import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explainLoadFailure, MAX_URL_CHARS, shortenUrls, shortUrl } from "../../src/launch/load-failure.ts";

/** What Vite's production build makes of `new URL("./ranks.ts", import.meta.url)`: a data: URL of megabytes. */
const dataUrl = `data:video/mp2t;base64,${"QUJD".repeat(5000)}`;

describe("URLs in load errors are shortened", () => {
  it("keeps short URLs and cuts long ones to about MAX_URL_CHARS, saying how long they were", () => {
    expect(shortUrl("http://localhost/ranks.js")).toBe("http://localhost/ranks.js");
    const s = shortUrl(dataUrl);
    expect(s.length).toBeLessThanOrEqual(MAX_URL_CHARS);
    expect(s).toContain(`(${dataUrl.length} characters)`);
    expect(s.startsWith("data:video/mp2t;base64,")).toBe(true);
  });

  it("shortens every URL inside a runtime's message", () => {
    const msg = shortenUrls(`Failed to fetch dynamically imported module: ${dataUrl} (and ${dataUrl})`);
    expect(msg.length).toBeLessThan(300);
    expect(msg.startsWith("Failed to fetch dynamically imported module: data:video/mp2t")).toBe(true);
  });
});

describe("explainLoadFailure says what was received and the likely fix", () => {
  let server: Server;
  let base = "";
  beforeAll(async () => {
    server = createServer((req, res) => {
      const types: Record<string, string> = {
        "/ranks.ts": "video/mp2t", "/ok.js": "text/javascript", "/app/ranks.js": "text/html", "/src/rank-worker.ts": "text/html",
      };
      const type = types[req.url ?? ""];
      if (type === undefined) {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      } else {
        res.writeHead(200, { "content-type": type }).end("x");
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("a data: URL: its type and length, never the URL itself, and the ?worker&url fix", async () => {
    const m = await explainLoadFailure("rank module", dataUrl, new TypeError(`Failed to fetch dynamically imported module: ${dataUrl}`));
    expect(m.length).toBeLessThan(1000);
    expect(m).toContain(`a data: URL of type video/mp2t, ${dataUrl.length} characters`);
    expect(m).toContain("?worker&url");
    expect(m).toContain("serveRanks");
  });

  it("HTTP 404: the status and where the file must come from", async () => {
    const m = await explainLoadFailure("rank worker", `${base}/missing.js`, new Error("load failed"));
    expect(m).toContain(`could not load the rank worker ${base}/missing.js (received: HTTP 404)`);
    expect(m).toContain("the server has no such file");
  });

  it("a raw .ts file served as video/mp2t: the content type and that browsers cannot run TypeScript", async () => {
    const m = await explainLoadFailure("rank module", `${base}/ranks.ts`, new Error("load failed"));
    expect(m).toContain("(received: HTTP 200 with content type video/mp2t)");
    expect(m).toContain("sends a TypeScript file as is");
  });

  it("an HTML fallback page instead of the module", async () => {
    const m = await explainLoadFailure("rank module", `${base}/app/ranks.js`, new Error("load failed"));
    expect(m).toContain("content type text/html");
    expect(m).toContain("HTML page");
  });

  it("an HTML fallback page for a .ts path is called an HTML page, not a TypeScript file", async () => {
    const m = await explainLoadFailure("rank worker", `${base}/src/rank-worker.ts`, new Error("load failed"));
    expect(m).toContain("content type text/html");
    expect(m).toContain("HTML page");
    expect(m).not.toContain("TypeScript file as is");
  });

  it("a module served as JavaScript that still failed: points at the module's own error", async () => {
    const m = await explainLoadFailure("rank module", `${base}/ok.js`, new SyntaxError("Unexpected token"));
    expect(m).toContain("SyntaxError: Unexpected token");
    expect(m).toContain("the module itself (or one of its imports) failed");
  });

  it("file: URLs: a missing file, and TypeScript on Node without a loader", async () => {
    const missing = await explainLoadFailure("rank module", new URL("./nope.js", import.meta.url).href, new Error("x"));
    expect(missing).toContain("(received: no such file)");
    const ts = await explainLoadFailure("rank module", new URL("../fixtures/alloc-ranks.ts", import.meta.url).href, new Error("x"));
    expect(ts).toContain("Node runs TypeScript only through a loader");
    expect(ts).toContain("a rankWorker .mjs that registers your loader");
  });
});

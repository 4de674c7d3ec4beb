import type { Endpoint } from "comlink";

/**
 * Node's worker_threads and comlink's Node adapter, loaded only on Node (both sides of a rank's
 * channel need them: spawn.ts starts the worker, serve.ts exposes the service in it). The
 * specifiers are variables so that no bundler building a page pulls either in.
 */
export async function nodeThreads(): Promise<{
  threads: typeof import("node:worker_threads");
  nodeEndpoint: (port: Parameters<typeof import("comlink/dist/esm/node-adapter.mjs").default>[0]) => Endpoint;
}> {
  const threadsName = "node:worker_threads";
  const adapterName = "comlink/dist/esm/node-adapter.mjs";
  const [threads, adapter] = await Promise.all([
    import(/* @vite-ignore */ threadsName) as Promise<typeof import("node:worker_threads")>,
    import(/* @vite-ignore */ adapterName) as Promise<typeof import("comlink/dist/esm/node-adapter.mjs")>,
  ]);
  return { threads, nodeEndpoint: (port) => adapter.default(port) as Endpoint };
}

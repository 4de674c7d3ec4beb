// comlink ships this adapter's types next to it as node-adapter.d.ts, but without an exports map
// TypeScript's bundler resolution does not pair the .mjs with them. Internal only.
declare module "comlink/dist/esm/node-adapter.mjs" {
  import type { Endpoint } from "comlink";
  import type { MessagePort, Worker } from "node:worker_threads";
  export default function nodeEndpoint(nep: MessagePort | Worker): Endpoint;
}

import type { Page } from "@playwright/test";

/** Why WebGPU tests cannot run in this Chromium (asked from a Web Worker), or undefined. */
export async function webgpuSkipReason(page: Page): Promise<string | undefined> {
  return page.evaluate(async () => {
    const src = `(async () => {
      if (!("gpu" in navigator)) return postMessage("navigator.gpu is missing in workers");
      const a = await navigator.gpu.requestAdapter();
      postMessage(a ? "" : "no WebGPU adapter (is Chromium started with --enable-unsafe-webgpu?)");
    })()`;
    const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
    const w = new Worker(url);
    const reason = await new Promise<string>((res) => (w.onmessage = (e) => res(String(e.data))));
    w.terminate();
    return reason === "" ? undefined : reason;
  });
}

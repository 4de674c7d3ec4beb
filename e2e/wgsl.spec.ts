// The WGSL reduction kernels, the program runner and the staging ring in Chromium (SwiftShader:
// no shader-f16, so float16 must be refused with the clear error), each on its own device from
// the page's main thread (runWithDevice), checked bitwise against the host oracle.
import { test } from "@playwright/test";
import { wgslScenarios } from "../test/shared/wgsl-scenarios.ts";
import { runWithDevice } from "./gpu.ts";

test.describe("wgsl reduction kernels in Chromium, webgpu", () => {
  for (const name of Object.keys(wgslScenarios)) {
    test(name, ({ page }) => runWithDevice(page, name, "wgsl-scenarios", "wgslScenarios", name));
  }
});

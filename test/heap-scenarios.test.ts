import { describe, it } from "vitest";
import { heapScenarios } from "./shared/heap-scenarios.ts";

for (const worldSize of [2, 4, 8]) {
  describe(`heap scenarios on Node, cpu backend, ${worldSize} ranks`, () => {
    for (const [name, scenario] of Object.entries(heapScenarios)) {
      it(name, async () => {
        await scenario({ backend: "cpu", worldSize });
      });
    }
  });
}

import { describe, it } from "vitest";
import { opScenarios } from "./shared/op-scenarios.ts";

for (const worldSize of [2, 4]) {
  describe(`a downstream op registered with ["input"], ${worldSize} ranks (Node, cpu backend)`, () => {
    for (const [name, scenario] of Object.entries(opScenarios)) {
      it(name, async () => {
        await scenario({ backend: "cpu", worldSize });
      });
    }
  });
}

/** The fault-injection scenarios on Node (cpu backend), 2 and 4 ranks. */
import { describe, it } from "vitest";
import { failureScenarios } from "../shared/failure-scenarios.ts";

for (const worldSize of [2, 4]) {
  describe(`failure scenarios (Node, cpu, ${worldSize} ranks)`, () => {
    for (const [name, scenario] of Object.entries(failureScenarios)) {
      it(name, async () => {
        console.log(`  ${name}: ${await scenario({ backend: "cpu", worldSize })}`);
      }, 60_000);
    }
  });
}

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const readme = readFileSync("README.md", "utf8");

/** The README's examples are the consumer tests' files, verbatim: what users read is what runs. */
const WHOLE_FILES: readonly [string, string][] = [
  ["test/consumers/ranks.ts", "ts"],
  ["test/consumers/vite-app/src/ranks.worker.ts", "ts"],
  ["test/consumers/vite-app/src/main.ts", "ts"],
  ["test/consumers/vite-app/vite.config.ts", "ts"],
  ["test/consumers/deno-app/main.ts", "ts"],
  ["test/consumers/node-app/ranks.mjs", "js"],
  ["test/consumers/node-app/app.mjs", "js"],
  ["test/consumers/node-ts-app/ranks.worker.mjs", "js"],
  ["test/consumers/node-ts-app/app.ts", "ts"],
];

/** Code blocks that start with `// from PATH`: excerpts, each of whose code lines is a line of PATH. */
function excerpts(): { path: string; lines: string[] }[] {
  const out: { path: string; lines: string[] }[] = [];
  for (const m of readme.matchAll(/```[a-z]*\n\/\/ from (\S+)\n([\s\S]*?)```/g)) out.push({ path: m[1], lines: m[2].split("\n") });
  return out;
}

describe("README examples do not drift from the files that run", () => {
  it.each(WHOLE_FILES)("%s appears in the README as a whole code block", (path, lang) => {
    const text = readFileSync(path, "utf8").replace(/\n+$/, "");
    expect(readme).toContain("```" + lang + "\n" + text + "\n```");
  });

  it("every excerpt's code lines are lines of the file it names", () => {
    const found = excerpts();
    expect(found.length).toBeGreaterThan(0);
    for (const { path, lines } of found) {
      const file = new Set(readFileSync(path, "utf8").split("\n").map((l) => l.trim()));
      const code = lines.map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("//") && !/^import .* from "webshmem(\/\w+)?";$/.test(l));
      for (const l of code) expect(file.has(l), `${path} has no line ${JSON.stringify(l)}`).toBe(true);
    }
  });
});

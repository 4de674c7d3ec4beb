import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ensureBuiltPackage, exampleEnv } from "../helpers/built-package.ts";

describe("examples/node/allreduce.mjs: plain node, the built package by name", () => {
  it("cpu: 4 ranks, both algorithms verified against the sum computed in the rank module", () => {
    ensureBuiltPackage();
    const r = spawnSync(process.execPath, ["examples/node/allreduce.mjs"], { encoding: "utf8", timeout: 120_000, env: exampleEnv() });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^rank 0: cpu.*\nrank 1: /);
    expect(r.stdout).toMatch(/rank 3: auto .* ms, 0 wrong; two_shot .* ms, 0 wrong \(cpu tensors\)/);
    expect(r.stdout.trim().split("\n").at(-1)).toBe("verified");
    expect(r.status).toBe(0);
  }, 150_000);

  it("refuses a backend it does not know, with its usage", () => {
    const r = spawnSync(process.execPath, ["examples/node/allreduce.mjs", "cuda"], { encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("usage: node examples/node/allreduce.mjs [cpu|webgpu], found cuda");
  });
});

import { describe, expect, it } from "vitest";
import { BenchFlagError, labelNames, parseFields, parseFlags } from "../../src/bench/flags.ts";

const names = labelNames({ minBytes: "min size", maxBytes: "max size", stepFactor: "factor", iters: "iterations" });

describe("parseFields: the benchmark's options from a page's form", () => {
  it("checks the fields as the CLI checks its flags and gives the same options", () => {
    const form = parseFields({ minBytes: "8", maxBytes: "1K", stepFactor: "4", iters: "3" }, "chromium", names);
    const cli = parseFlags(["-b", "8", "-e", "1K", "-f", "4", "-n", "3"], "chromium");
    expect(form).toEqual(cli);
  });

  it("names the form's field, never a CLI flag, and says which field is at fault", () => {
    const err = (() => {
      try {
        parseFields({ maxBytes: "1Q" }, "chromium", names);
      } catch (e) {
        return e;
      }
    })() as BenchFlagError;
    expect(err).toBeInstanceOf(BenchFlagError);
    expect(err.field).toBe("maxBytes");
    expect(err.message).toContain("max size expects a byte count");
    expect(err.message).not.toMatch(/-e\b|--maxbytes/);
  });

  it("compares two fields by their labels", () => {
    expect(() => parseFields({ minBytes: "1M", maxBytes: "1K" }, "chromium", names)).toThrow(/min size \(1 MiB\) is larger than max size \(1 KiB\)/);
  });

  it("the CLI's own wording is unchanged", () => {
    expect(() => parseFlags(["-b", "1M", "-e", "1K"], "chromium")).toThrow(/-b \(minbytes \d+\) is larger than -e \(maxbytes \d+\)/);
  });
});

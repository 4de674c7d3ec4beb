import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without types
import { parseSchedstat, parseStat, processType, summarize, threadKind } from "../../scripts/thread-cpu.mjs";

describe("thread-cpu", () => {
  it("reads a thread's name and utime + stime from /proc/PID/task/TID/stat, names with spaces and parentheses too", () => {
    const line = "4242 (Chrome_ChildIOT) S 4200 4200 4200 0 -1 4194624 1 0 0 0 37 12 0 0 20 0 30 0 100 1 1 18446744073709551615";
    expect(parseStat(line)).toEqual({ name: "Chrome_ChildIOT", ticks: 49 });
    expect(parseStat("7 (npm run (x) -) R 1 7 7 0 -1 0 0 0 0 0 5 6 0 0")).toEqual({ name: "npm run (x) -", ticks: 11 });
    expect(parseStat("garbage")).toBeUndefined();
    expect(parseStat("1 (a) S 1 2")).toBeUndefined();
  });

  it("tells Chromium's process types and Deno apart, and ignores everything else", () => {
    expect(processType("/usr/lib/chromium/chromium --type=renderer --enable-features=x")).toBe("renderer");
    expect(processType("/usr/lib/chromium/chromium --type=gpu-process --use-gl=angle")).toBe("gpu-process");
    expect(processType("/usr/lib/chromium/chromium --headless --remote-debugging-pipe")).toBe("browser");
    expect(processType("/work/main/node_modules/.bin/deno run -A deno/bench.ts")).toBe("deno");
    expect(processType("/usr/bin/chromium\0--type=utility\0--utility-sub-type=x")).toBe("utility");
    expect(processType("deno\0run\0-A\0x.ts")).toBe("deno");
    expect(processType("node scripts/bench.mjs --runtime deno")).toBeUndefined();
    // A driver whose arguments name the browser is not the browser (it once counted as one).
    expect(processType("node scripts/bench.mjs --runtime chromium")).toBeUndefined();
    expect(processType("node /tmp/x/chromium-probe.mjs --type=renderer")).toBeUndefined();
  });

  it("reads run time, run-queue wait and timeslices from /proc/PID/task/TID/schedstat", () => {
    expect(parseSchedstat("8312345678 2211 96\n")).toEqual({ runNs: 8312345678, waitNs: 2211, slices: 96 });
    expect(parseSchedstat("")).toBeUndefined();
    expect(parseSchedstat("1 2")).toBeUndefined();
    expect(parseSchedstat("a b c")).toBeUndefined();
  });

  it("sums CPU seconds per process type and thread kind, most first", () => {
    expect(threadKind("worker-12")).toBe("worker-#");
    expect(threadKind("DedicatedWorker")).toBe("DedicatedWorker");
    const threads = new Map([
      ["1/1", { type: "renderer", kind: "DedicatedWorker", seconds: 1.5, waitSeconds: 4 }],
      ["1/2", { type: "renderer", kind: "DedicatedWorker", seconds: 0.5, waitSeconds: 2.5 }],
      ["2/3", { type: "gpu-process", kind: "chromium", seconds: 3, waitSeconds: undefined }],
    ]);
    expect(summarize(threads)).toEqual([
      { type: "gpu-process", kind: "chromium", seconds: 3, waitSeconds: undefined, threads: 1 },
      { type: "renderer", kind: "DedicatedWorker", seconds: 2, waitSeconds: 6.5, threads: 2 },
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { BenchFlagError, parseBytes, parseFlags, usage } from "../../src/bench/flags.ts";
import { sweep } from "../../src/bench/sizes.ts";

describe("bench flags (nccl-tests spelling)", () => {
  it("has nccl-tests-like defaults and deno as the default runtime", () => {
    const o = parseFlags([]);
    expect(o).toMatchObject({
      minBytes: 8, maxBytes: 32 << 20, stepFactor: 4, iters: 20, warmup: 5, check: true, redop: "sum",
      dtype: "float32", ranks: 4, experts: 2, op: "all_reduce", algo: "auto", backend: "webgpu", runtime: "deno",
      json: undefined, breakdown: false, baselines: true,
    });
  });

  it("parses every flag, short and long, with K/M/G sizes", () => {
    const o = parseFlags([
      "-b", "1K", "-e", "64M", "-f", "2", "-n", "7", "-w", "0", "-c", "0", "-o", "max", "-d", "half", "-g", "8",
      "--op", "all_reduce", "--algo", "two_shot", "--backend", "cpu", "--runtime", "deno", "--json", "out.json",
      "--breakdown", "--baselines", "0",
    ]);
    expect(o).toMatchObject({
      minBytes: 1024, maxBytes: 64 << 20, stepFactor: 2, iters: 7, warmup: 0, check: false, redop: "max",
      dtype: "float16", ranks: 8, algo: "two_shot", backend: "cpu", json: "out.json", breakdown: true, baselines: false,
    });
    expect(parseFlags(["--minbytes=2G", "--maxbytes", "2g", "-n3", "--datatype=bfloat16", "--ranks", "2"]))
      .toMatchObject({ minBytes: 2 ** 31, maxBytes: 2 ** 31, iters: 3, dtype: "bfloat16", ranks: 2 });
  });

  it("--one_round_max and --reduce_once_max take bytes, 0 included (no such path); unset leaves the library's default", () => {
    expect(parseFlags([]).oneRoundMax).toBeUndefined();
    expect(parseFlags(["--one_round_max", "0"]).oneRoundMax).toBe(0);
    expect(parseFlags(["--one_round_max=64K"]).oneRoundMax).toBe(65536);
    expect(() => parseFlags(["--one_round_max", "lots"])).toThrow(BenchFlagError);
    expect(() => parseFlags(["--one_round_max", "-1"])).toThrow(BenchFlagError);
    expect(parseFlags([]).reduceOnceMax).toBeUndefined();
    expect(parseFlags(["--reduce_once_max", "0"]).reduceOnceMax).toBe(0);
    expect(parseFlags(["--reduce_once_max=16M"]).reduceOnceMax).toBe(16 << 20);
    expect(() => parseFlags(["--reduce_once_max", "-1"])).toThrow(BenchFlagError);
  });

  it("--chunk_bytes (a multiple of 256) and --slots (1..1024) set the host pipeline's shape; unset leave the library's", () => {
    expect(parseFlags([])).toMatchObject({ chunkBytes: undefined, slots: undefined });
    expect(parseFlags(["--chunk_bytes", "2M", "--slots=32"])).toMatchObject({ chunkBytes: 2 << 20, slots: 32 });
    expect(parseFlags(["--chunk_bytes", "256"]).chunkBytes).toBe(256);
    for (const bad of ["100", "0", "1000", "lots"]) expect(() => parseFlags(["--chunk_bytes", bad])).toThrow(BenchFlagError);
    for (const bad of ["0", "1025", "1.5"]) expect(() => parseFlags(["--slots", bad])).toThrow(BenchFlagError);
  });

  it("--wasm_heap 0|1 (default 1) is launch's wasmHeap", () => {
    expect(parseFlags([]).wasmHeap).toBe(true);
    expect(parseFlags(["--wasm_heap", "0"]).wasmHeap).toBe(false);
    expect(parseFlags(["--wasm_heap=1"]).wasmHeap).toBe(true);
    expect(() => parseFlags(["--wasm_heap", "2"])).toThrow(BenchFlagError);
  });

  it.each([
    ["8", 8], ["1K", 1024], ["1k", 1024], ["64M", 64 << 20], ["1G", 1 << 30], ["4KiB", 4096], ["2MB", 2 << 20], ["1.5K", 1536],
  ])("parseBytes(%s) = %d", (text, bytes) => {
    expect(parseBytes(text)).toBe(bytes);
  });

  it.each([
    ["float", "float32"], ["float32", "float32"], ["f32", "float32"], ["half", "float16"], ["f16", "float16"],
    ["bfloat16", "bfloat16"], ["bf16", "bfloat16"], ["int32", "int32"], ["int", "int32"],
  ])("-d %s is %s", (name, dtype) => {
    expect(parseFlags(["-d", name]).dtype).toBe(dtype);
  });

  it("node defaults to the cpu backend and runs webgpu (Dawn) when asked", () => {
    expect(parseFlags(["--runtime", "node"]).backend).toBe("cpu");
    const o = parseFlags(["--runtime", "node", "--backend", "webgpu"]);
    expect(o.backend).toBe("webgpu");
    expect(o.notes).toEqual([]);
    expect(parseFlags([], "node").backend).toBe("cpu");
    expect(parseFlags(["--runtime", "chromium"], "node").backend).toBe("webgpu");
  });

  it.each([
    [["-x"], /unknown flag "-x"; the flags are -b -e .* \(-h explains them\)/],
    [["--size", "8"], /unknown flag "--size"/],
    [["-b"], /-b\/--minbytes needs a value: smallest size in bytes/],
    [["-b", "8Q"], /-b\/--minbytes expects a byte count like 8, 1K, 64M or 1G; found "8Q"/],
    [["-e", "0"], /-e\/--maxbytes expects at least 1 byte/],
    [["-b", "1M", "-e", "1K"], /-b \(minbytes 1048576\) is larger than -e \(maxbytes 1024\)/],
    [["-f", "1"], /-f\/--stepfactor expects a step factor greater than 1/],
    [["-f", "2", "-i", "8"], /either -f .* or -i/],
    [["-n", "0"], /-n\/--iters expects an iteration count \(an integer in \[1, 1000000\]\); found "0"/],
    [["-w", "-1"], /-w\/--warmup_iters expects an iteration count/],
    [["-c", "2"], /-c\/--check expects 0 or 1/],
    [["-o", "xor"], /-o\/--redop expects one of sum, prod, max, min, avg; found "xor"/],
    [["-d", "double"], /-d\/--datatype expects one of float, half, bfloat16, int32 .*found "double" \(webshmem's collectives compute on those four only\)/],
    [["-g", "17"], /-g\/--ngpus expects a number of ranks \(an integer in \[1, 16\]\); found "17"/],
    [["--op", "alltoall"], /--op expects one of all_reduce, reduce_scatter, all_gather, broadcast, all_to_all, all_to_all_vdev_2d, fused_all_gather_matmul, fused_matmul_reduce_scatter; found "alltoall"/],
    [["--hidden", "64"], /--hidden applies to the fused ops only \(--op fused_all_gather_matmul or fused_matmul_reduce_scatter\); all_reduce has no matmul \(leave --hidden out\)/],
    [["--op", "fused_all_gather_matmul", "--hidden", "0"], /--hidden expects the matmul's K = N \(an integer in \[1, 4096\]\); found "0"/],
    [["--op", "fused_all_gather_matmul", "-d", "int32"], /-d int32: fused_all_gather_matmul multiplies matrices of float, half or bfloat16 only/],
    [["--op", "fused_matmul_reduce_scatter", "-o", "avg"], /-o avg: fused_matmul_reduce_scatter is compared with mm then symm_mem::reduce_scatter_out, which only sums/],
    [["--op", "all_to_all", "--experts", "2"], /--experts applies to --op all_to_all_vdev_2d only; all_to_all has no experts \(leave --experts out\)/],
    [["--op", "all_to_all_vdev_2d", "--experts", "0"], /--experts expects a number of experts per rank \(an integer in \[1, 16\]\); found "0"/],
    [["--op", "all_to_all", "--algo", "one_shot"], /--algo one_shot applies to --op all_reduce only/],
    [["--algo", "ring"], /--algo expects one of auto, one_shot, two_shot, multimem, host; found "ring"/],
    [["--backend", "cuda"], /--backend expects one of webgpu, cpu; found "cuda"/],
    [["--runtime", "bun"], /--runtime expects one of chromium, deno, node; found "bun"/],
    [["--op", "broadcast", "--algo", "two_shot"], /--algo two_shot applies to --op all_reduce only/],
    [["--op", "reduce_scatter", "-o", "max"], /reduce_scatter .* only sums/],
    [["-o", "avg", "-d", "int32"], /-o avg is not defined for -d int32/],
    [["-g", "2", "--op", "broadcast", "-r", "2"], /-r 2 is not a rank of a 2-rank world: expected 0..1/],
    [["64M"], /unexpected argument "64M": every value follows its flag/],
  ])("%j → a clear error", (argv, message) => {
    expect(() => parseFlags(argv as string[])).toThrow(BenchFlagError);
    expect(() => parseFlags(argv as string[])).toThrow(message);
  });

  it("the all-to-alls: --op all_to_all and all_to_all_vdev_2d, --experts for the latter (default 2)", () => {
    expect(parseFlags(["--op", "all_to_all"])).toMatchObject({ op: "all_to_all", experts: 2 });
    expect(parseFlags(["--op", "all_to_all_vdev_2d", "--experts", "3", "-g", "5"])).toMatchObject({ op: "all_to_all_vdev_2d", experts: 3, ranks: 5 });
    // -o means nothing to them and is not refused, as for all_gather and broadcast
    expect(parseFlags(["--op", "all_to_all", "-o", "max"]).op).toBe("all_to_all");
  });

  it("the fused ops: --op fused_all_gather_matmul and fused_matmul_reduce_scatter, --hidden K = N (default 64)", () => {
    expect(parseFlags(["--op", "fused_all_gather_matmul"])).toMatchObject({ op: "fused_all_gather_matmul", hidden: 64 });
    expect(parseFlags(["--op", "fused_matmul_reduce_scatter", "--hidden", "128", "-d", "bf16"]))
      .toMatchObject({ op: "fused_matmul_reduce_scatter", hidden: 128, dtype: "bfloat16" });
    expect(parseFlags(["--op", "fused_all_gather_matmul", "-o", "max"]).op).toBe("fused_all_gather_matmul"); // -o ignored
  });

  it("-h lists every flag", () => {
    expect(parseFlags(["-h"]).help).toBe(true);
    for (const f of ["-b", "-e", "-f", "-n", "-w", "-c", "-o", "-d", "-g", "--op", "--algo", "--backend", "--runtime", "--json", "--breakdown", "--baselines", "--experts", "--hidden"]) {
      expect(usage()).toContain(f);
    }
  });
});

describe("size sweep", () => {
  it("multiplies by -f up to -e, as nccl-tests (max only when reached)", () => {
    expect(sweep({ minBytes: 8, maxBytes: 64 << 20, stepFactor: 4, stepBytes: 0 }))
      .toEqual([8, 32, 128, 512, 2048, 8192, 32768, 131072, 524288, 2097152, 8388608, 33554432]);
    expect(sweep({ minBytes: 16 << 20, maxBytes: 64 << 20, stepFactor: 4, stepBytes: 0 })).toEqual([16 << 20, 64 << 20]);
    expect(sweep({ minBytes: 8, maxBytes: 8, stepFactor: 2, stepBytes: 0 })).toEqual([8]);
  });

  it("adds -i bytes instead when given", () => {
    expect(sweep({ minBytes: 100, maxBytes: 400, stepFactor: 4, stepBytes: 100 })).toEqual([100, 200, 300, 400]);
  });

  it("refuses a sweep with too many sizes", () => {
    expect(() => sweep({ minBytes: 1, maxBytes: 1 << 20, stepFactor: 4, stepBytes: 1 })).toThrow(/more than 200 sizes/);
  });
});

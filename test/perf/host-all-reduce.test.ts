/**
 * webshmem::host_all_reduce_ on Node with the cpu backend: bit-exact with referenceReduce and the
 * same bytes on every rank, for CpuTensors (staged through the chunk pipeline), symmetric views
 * of the op's group (reduced in place) and heap tensors of another group (staged), with the
 * built-in tuning and with tiny chunks and 3 in-slots and 2 out-slots (hundreds of chunks, every slot reused).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launch, type World } from "../../src/index.ts";
import type { HostCase, HostSummary, settingsAndEvents } from "./host-ranks.ts";

const rankModule = new URL("./host-ranks.ts", import.meta.url);
const COUNTS = [0, 1, 4, 8196, (1 << 20) + 3];
const SMALL_TUNING = { chunkBytes: 4096, inSlots: 3, outSlots: 2 };

function cases(): HostCase[] {
  const out: HostCase[] = [];
  let seed = 1;
  for (const dtype of ["float32", "bfloat16", "int32"] as const) {
    for (const op of ["sum", "max"] as const) {
      for (const count of COUNTS) {
        for (const placement of ["regular", "symmetric"] as const) out.push({ dtype, op, count, placement, seed: seed++ });
      }
    }
  }
  // the other reduce ops and float16 (JS loops) once each, a foreign heap tensor, the ring
  for (const [dtype, op] of [["float32", "avg"], ["float32", "prod"], ["float32", "min"], ["bfloat16", "avg"],
    ["int32", "prod"], ["int32", "min"], ["float16", "sum"]] as const) {
    out.push({ dtype, op, count: 8196, placement: "regular", seed: seed++ });
  }
  out.push({ dtype: "float32", op: "sum", count: 8196, placement: "foreign", seed: seed++ });
  for (const dtype of ["float32", "bfloat16"] as const) {
    out.push({ dtype, op: "sum", count: (1 << 20) + 3, placement: "regular", seed: seed++, tuning: SMALL_TUNING });
    out.push({ dtype, op: "sum", count: 8197, placement: "regular", seed: seed++, tuning: SMALL_TUNING });
  }
  return out;
}

function check(all: HostSummary[][], list: readonly HostCase[]): void {
  list.forEach((c, i) => {
    const label = `${c.dtype} ${c.op} count ${c.count} ${c.placement}${c.tuning ? " small chunks" : ""}`;
    for (const [r, s] of all.entries()) {
      expect(s[i].mismatches, `${label}, rank ${r}: ${s[i].detail}`).toBe(0);
      expect(s[i].sameObject, `${label}: returns its input`).toBe(true);
    }
    expect(new Set(all.map((s) => s[i].hash)).size, `${label}: same bytes on every rank`).toBe(1);
  });
}

for (const worldSize of [4, 3]) {
  describe(`host_all_reduce_, ${worldSize} ranks, cpu backend`, () => {
    let world: World;
    beforeAll(async () => {
      world = await launch({ worldSize, heapBytes: 48 << 20, backend: "cpu", rankModule, timeoutMs: 60_000 });
    });
    afterAll(() => world?.close());

    it("is bit-exact with referenceReduce and identical on every rank", async () => {
      const list = cases();
      check(await world.run<HostSummary[]>("runHostCases", list), list);
    }, 300_000);

    it("keeps a staged call from overwriting what a slower peer still copies out of the pipeline", async () => {
      const all = await world.run<{ mismatches: number; detail?: string }>("pipelinedThenStaged", 40);
      for (const [r, s] of all.entries()) expect(s.mismatches, `rank ${r}: ${s.detail}`).toBe(0);
    }, 120_000);

    it("refuses bad arguments on every rank before synchronising", async () => {
      const errs = await world.run<string[]>("badArguments");
      for (const e of errs) {
        expect(e[0]).toMatch(/OpError: webshmem::host_all_reduce_: argument "reduce_op" expected one of sum, avg, max, min, prod, found "mean"/);
        expect(e[1]).toMatch(/OpError: .*reduce_op "avg" is not valid for dtype int32/);
        expect(e[2]).toMatch(/OpError: .*argument "input" has dtype uint8/);
        expect(e[3]).toMatch(/unknown group "no_such_group"/);
      }
    });

    it("takes its tuning from rank.configure, emits traces, and counts its workspace in rank.stats", async () => {
      const all = await world.run<Awaited<ReturnType<typeof settingsAndEvents>>>("settingsAndEvents");
      for (const r of all) {
        expect(r.correct).toBe(true);
        expect(r.events).toBe(2);
        expect(r.chunks).toBe(6); // 384 KiB in 64 KiB chunks
        expect(r.allocFirst).toBe(1);
        expect(r.allocAgain).toBe(0);
        expect(r.badSetting).toBe("OpError: host all-reduce: chunkBytes must be a positive multiple of 256, found 1000");
        expect(r.unknownOp).toMatch(/OpError: configure: unknown operator "webshmem::no_such_op"/);
        // The agreement of every collective (src/heap/agreement.ts) compares the ranks' settings first.
        expect(r.mismatch).toMatch(/^(AgreementError: rank \d: webshmem::host_all_reduce_ \(call #\d+ on group "\w+"\): ranks disagree on settings \(rank.configure\): rank \d has .*chunkBytes|PeerLostError: .*failed in the same call)/);
      }
    });

    it("names the ranks that disagree on the tensor", async () => {
      for (const what of ["count", "dtype"] as const) {
        const errs = await world.run<string>("disagree", what);
        for (const e of errs) {
          expect(e).toMatch(/^(AgreementError: rank \d: webshmem::host_all_reduce_ \(call #\d+ on group "world"\): ranks disagree on input's (size 0|dtype): rank \d has \w+, rank \d has \w+|PeerLostError: .*failed in the same call)/);
        }
        expect(errs.some((e) => e.startsWith("AgreementError"))).toBe(true);
      }
    });
  });
}

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type BenchMpi, loadBenchMpi, repoRoot, sink } from "./load.ts";

let mpi: BenchMpi;
beforeAll(async () => {
  mpi = await loadBenchMpi();
});

const script = join(repoRoot, "scripts", "bench-mpi.mjs");
const haveMpi = ["mpicc", "mpirun"].every((tool) =>
  (process.env.PATH ?? "").split(":").some((dir) => dir !== "" && spawnSync("test", ["-x", join(dir, tool)]).status === 0));
if (!haveMpi) {
  console.log("bench-mpi: skipping the build-and-run test: mpicc/mpirun not installed (apt-get install -y openmpi-bin libopenmpi-dev)");
}

describe("bench-mpi arguments", () => {
  it("turns -g into mpirun's -np and forwards the rest", () => {
    const a = mpi.parseArgs(["-g", "4", "-b", "8", "-e", "64M", "-f", "4", "-n", "20", "-w", "5", "-c", "1", "-o", "max", "-d", "int32", "--json", "out.json"], "/some/dir");
    expect(a).toEqual({
      ranks: 4,
      op: "all_reduce",
      help: false,
      forward: ["-b", "8", "-e", "64M", "-f", "4", "-n", "20", "-w", "5", "-c", "1", "-o", "max", "-d", "int32", "--json", "/some/dir/out.json"],
    });
    expect(mpi.parseArgs(["-g=3", "--json=/abs.json", "-b=1K"]).forward).toEqual(["--json", "/abs.json", "-b", "1K"]);
    expect(mpi.parseArgs(["-g=3"]).ranks).toBe(3);
    expect(mpi.parseArgs([]).ranks).toBe(2);
    expect(mpi.parseArgs(["--op", "all_reduce", "-n", "3"]).forward).toEqual(["-n", "3"]);
  });

  it("--op alltoall (or all_to_all) chooses MPI_Alltoall's program and is not forwarded", () => {
    for (const spelling of ["alltoall", "all_to_all"]) {
      expect(mpi.parseArgs(["--op", spelling, "-g", "4", "-b", "1M"])).toEqual({ ranks: 4, op: "alltoall", help: false, forward: ["-b", "1M"] });
    }
    expect(mpi.parseArgs(["--op=allreduce"]).op).toBe("all_reduce");
    expect(mpi.PROGRAMS.alltoall).toEqual({ name: "alltoall", call: "MPI_Alltoall" });
    expect(mpi.sourceOf("alltoall")).toBe(join(repoRoot, "bench", "mpi", "alltoall.c"));
    expect(() => mpi.parseArgs(["--op", "alltoall", "-o", "max"])).toThrow(/-o: MPI_Alltoall does not reduce/);
    expect(() => mpi.parseArgs(["--op", "all_to_all_vdev_2d"])).toThrow(/MPI_Allreduce \(--op all_reduce\) and MPI_Alltoall \(--op alltoall\) only/);
    expect(() => mpi.parseArgs(["--op", "alltoall", "--experts", "2"])).toThrow(/--experts is a flag of npm run bench/);
  });

  it("refuses what MPI_Allreduce cannot do", () => {
    expect(() => mpi.parseArgs(["-g", "0"])).toThrow(/-g: the rank count must be an integer >= 1, found 0/);
    expect(() => mpi.parseArgs(["-g"])).toThrow(/-g needs a value/);
    expect(() => mpi.parseArgs(["--op", "all_gather"])).toThrow(/measures MPI_Allreduce \(--op all_reduce\) and MPI_Alltoall/);
    expect(() => mpi.parseArgs(["--runtime", "deno"])).toThrow(/--runtime is a flag of npm run bench/);
    expect(() => mpi.parseArgs(["stray"])).toThrow(/unexpected argument stray/);
  });

  it("runs Open MPI on shared memory, oversubscribed, as root if need be", () => {
    const args = mpi.mpirunArgs({ binary: "/b/allreduce", ranks: 4, forward: ["-b", "8"], mpi: { openmpi: true, major: 4 } });
    expect(args).toEqual(["--allow-run-as-root", "--oversubscribe", "--mca", "btl", "self,vader", "-np", "4", "/b/allreduce", "-b", "8"]);
    expect(mpi.mpirunArgs({ binary: "x", ranks: 2, forward: [], mpi: { openmpi: true, major: 5 } })).toContain("self,sm");
    expect(mpi.mpirunArgs({ binary: "x", ranks: 2, forward: [], mpi: { openmpi: false, major: 0 } })).toEqual(["-np", "2", "x"]);
    const env = mpi.mpirunEnv({ PATH: "/bin" });
    expect(env).toMatchObject({ PATH: "/bin", OMPI_ALLOW_RUN_AS_ROOT: "1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: "1" });
    expect(mpi.mpiccArgs("/o/allreduce", "/s/allreduce.c")).toEqual(["-O2", "-o", "/o/allreduce", "/s/allreduce.c"]);
    expect(mpi.BUILD_DIR).toBe(join(repoRoot, "node_modules", ".cache", "webshmem-mpi"));
    expect(mpi.parseMpirunVersion("mpirun (Open MPI) 4.1.4\n\nReport bugs to ...")).toEqual({ openmpi: true, major: 4, version: "4.1.4" });
    expect(mpi.parseMpirunVersion("HYDRA build details:\n    Version: 4.0").openmpi).toBe(false);
  });

  it("without mpicc prints the install command and exits 1", () => {
    const empty = mkdtempSync(join(tmpdir(), "no-mpi-"));
    const stderr = sink();
    expect(mpi.main(["-g", "2"], { env: { PATH: empty }, stderr, stdout: sink() })).toBe(1);
    expect(stderr.text).toContain("mpicc and mpirun not found");
    expect(stderr.text).toContain("apt-get install -y openmpi-bin libopenmpi-dev");
    expect(mpi.INSTALL_COMMAND).toBe("apt-get install -y openmpi-bin libopenmpi-dev");
    // the command itself, as npm runs it
    const r = spawnSync(process.execPath, [script, "-g", "2"], { env: { PATH: empty }, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("apt-get install -y openmpi-bin libopenmpi-dev");
  });

  it("reports a bad flag with the usage and exits 1", () => {
    const stderr = sink();
    expect(mpi.main(["--op", "broadcast"], { stderr })).toBe(1);
    expect(stderr.text).toMatch(/usage: npm run bench:mpi/);
  });
});

describe("bench-mpi with Open MPI installed", () => {
  it.skipIf(!haveMpi)("builds allreduce.c, runs it on 2 and 3 ranks, checks every result and writes the JSON", () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-mpi-"));
    for (const [ranks, dtype, redop] of [[2, "float", "sum"], [3, "int32", "max"]] as const) {
      const json = join(dir, `mpi${ranks}.json`);
      const r = spawnSync(process.execPath,
        [script, "-g", String(ranks), "-b", "8", "-e", "256K", "-f", "8", "-n", "3", "-w", "1", "-d", dtype, "-o", redop, "--json", json],
        { encoding: "utf8", timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain("#       size         count      type   redop    root     time   algbw   busbw  #wrong     time   algbw   busbw  #wrong");
      expect(r.stdout).toContain("#        (B)    (elements)                               (us)  (GB/s)  (GB/s)             (us)  (GB/s)  (GB/s)");
      expect(r.stdout).toContain("# Out of bounds values : 0 OK");
      expect(r.stdout).toMatch(/# Avg bus bandwidth {4}: \d/);
      const lines = r.stdout.split("\n").filter((l) => /^ +\d/.test(l));
      expect(lines.map((l) => Number(l.trim().split(/\s+/)[0]))).toEqual([8, 64, 512, 4096, 32768, 262144]);
      const doc = JSON.parse(readFileSync(json, "utf8"));
      expect(doc.meta).toMatchObject({ runtime: "openmpi", backend: "mpi", ranks, adapter: "" });
      expect(doc.meta.version).toMatch(/MPI/);
      expect(doc.baselines).toEqual([]);
      expect(doc.rows).toHaveLength(12);
      for (const row of doc.rows) {
        expect(row).toMatchObject({ op: "all_reduce", algo: "mpi", dtype, redop, wrong: 0 });
        expect(row.size).toBe(row.count * 4);
        // algbw = S / t (GB/s), busbw = algbw x 2(n-1)/n; the JSON keeps 6 significant digits
        // and time_us 3 decimals, hence the relative tolerances
        const near = (a: number, b: number, rel: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(rel * Math.abs(b) + 1e-12);
        near(row.algbw, row.size / row.time_us / 1e3, 1e-3 + 0.0005 / row.time_us);
        near(row.busbw, (row.algbw * 2 * (ranks - 1)) / ranks, 1e-5);
      }
      expect(doc.rows.map((row: { inplace: boolean }) => row.inplace)).toEqual(Array.from({ length: 12 }, (_, i) => i % 2 === 1));
    }
  });

  it.skipIf(!haveMpi)("builds alltoall.c and runs MPI_Alltoall on 3 ranks in nccl-tests' alltoall sizes, every result checked", () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-mpi-a2a-"));
    const json = join(dir, "a2a3.json");
    const ranks = 3;
    const r = spawnSync(process.execPath,
      [script, "--op", "alltoall", "-g", String(ranks), "-b", "1K", "-e", "256K", "-f", "16", "-n", "3", "-w", "1", "-d", "int8", "--json", json],
      { encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("# MPI_Alltoall  ranks 3");
    expect(r.stdout).toContain("#       size         count      type   redop    root     time   algbw   busbw  #wrong     time   algbw   busbw  #wrong");
    expect(r.stdout).toContain("# Out of bounds values : 0 OK");
    const lines = r.stdout.split("\n").filter((l) => /^ +\d/.test(l));
    // size S: count = S / 3 per peer, down to 16 bytes; the size printed is count × 3
    const counts = [1024, 16384, 262144].map((s) => Math.floor(s / ranks / 16) * 16);
    expect(lines.map((l) => l.trim().split(/\s+/).slice(0, 4))).toEqual(counts.map((c) => [String(c * ranks), String(c), "int8", "none"]));
    const doc = JSON.parse(readFileSync(json, "utf8"));
    expect(doc.meta).toMatchObject({ runtime: "openmpi", backend: "mpi", ranks });
    expect(doc.rows).toHaveLength(6);
    for (const row of doc.rows) {
      expect(row).toMatchObject({ op: "all_to_all", algo: "mpi", dtype: "int8", redop: "none", wrong: 0 });
      expect(row.size).toBe(row.count * ranks);
      // busbw = algbw × (n−1)/n, nccl-tests' alltoall factor
      expect(Math.abs(row.busbw - (row.algbw * (ranks - 1)) / ranks)).toBeLessThanOrEqual(1e-5 * row.algbw + 1e-12);
    }
  });
});

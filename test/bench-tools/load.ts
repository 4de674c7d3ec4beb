// Typed views of the two plain-JS scripts under test (scripts/*.mjs carry no declarations).
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "../..");

export interface Writer {
  write(s: string): unknown;
}

export interface BenchMpi {
  INSTALL_COMMAND: string;
  BUILD_DIR: string;
  PROGRAMS: Record<"all_reduce" | "alltoall", { name: string; call: string }>;
  sourceOf(program?: string): string;
  parseArgs(argv: string[], cwd?: string): { ranks: number; op: "all_reduce" | "alltoall"; forward: string[]; help: boolean };
  which(name: string, env?: NodeJS.ProcessEnv): string | null;
  missingMessage(missing: string[]): string;
  parseMpirunVersion(text: string): { openmpi: boolean; major: number; version: string };
  mpirunArgs(o: { binary: string; ranks: number; forward: string[]; mpi?: { openmpi: boolean; major: number } }): string[];
  mpirunEnv(env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  mpiccArgs(binary: string, source?: string): string[];
  main(argv: string[], io?: { env?: NodeJS.ProcessEnv; stdout?: Writer; stderr?: Writer; cwd?: string }): number;
}

export interface ChartInput {
  name?: string;
  doc: unknown;
}

export interface BenchChart {
  parseArgs(argv: string[]): { help: boolean; files: string[]; out?: string; title?: string; yScale: "log" | "linear"; baselines: "all" | "first" };
  allReduceBusbw(size: number, timeUs: number, ranks: number): number;
  busbwOf(op: string | undefined, size: number, timeUs: number, ranks: number): number;
  formatBytes(bytes: number): string;
  buildSeries(inputs: ChartInput[]): {
    series: { label: string; inplace: boolean; color: string; points: { size: number; busbw: number; wrong: boolean }[] }[];
    baselines: { name: string; label: string; constant?: { size: number; time_us: number }; points: { size: number; busbw: number }[] }[];
  };
  makeYScale(values: number[], kind?: "log" | "linear", optional?: number[]): {
    log: boolean; min: number; max: number; ticks: { value: number; label: string; major: boolean }[];
    shows(v: number): boolean; fraction(v: number): number;
  };
  renderChart(inputs: ChartInput[], options?: { title?: string; yScale?: "log" | "linear" }): string;
  main(argv: string[], io?: { stdout?: Writer; stderr?: Writer }): number;
}

const load = (file: string): Promise<unknown> => import(pathToFileURL(resolve(repoRoot, file)).href);

export const loadBenchMpi = () => load("scripts/bench-mpi.mjs") as Promise<BenchMpi>;
export const loadBenchChart = () => load("scripts/bench-chart.mjs") as Promise<BenchChart>;

/** Collects what a script writes to one stream. */
export function sink(): Writer & { text: string } {
  const w = { text: "", write(s: string) { w.text += s; return true; } };
  return w;
}

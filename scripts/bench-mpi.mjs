#!/usr/bin/env node
// `npm run bench:mpi -- [flags]`: Open MPI's MPI_Allreduce (or, with `--op alltoall`, MPI_Alltoall)
// on this machine, in the same table as `npm run bench`, so that the heap path and MPI are measured
// side by side (targets T3 and T6 of BENCHMARKS.md).
//
// Builds bench/mpi/allreduce.c (alltoall.c), with bench/mpi/common.h, by `mpicc -O2` into
// node_modules/.cache/webshmem-mpi/ (rebuilt when the sources or the compiler change), then runs
//   mpirun --allow-run-as-root --oversubscribe --mca btl self,vader -np <g> allreduce <flags>
// Shared memory only (no network is needed); running as root is allowed. `-g N` becomes mpirun's
// -np (default 2); `--op` chooses the program (all_reduce, the default, or alltoall; also spelled
// allreduce and all_to_all) and is dropped; every other flag goes to the program: -b -e -f -i -n
// -w -c -o -d --json (see the programs; alltoall has no -o). OpenMPI is not a dependency of the
// project: without mpicc this prints the install command and exits 1.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const INSTALL_COMMAND = "apt-get install -y openmpi-bin libopenmpi-dev";
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The program of each --op, and the MPI call it measures. */
export const PROGRAMS = {
  all_reduce: { name: "allreduce", call: "MPI_Allreduce" },
  alltoall: { name: "alltoall", call: "MPI_Alltoall" },
};
const OP_NAMES = { all_reduce: "all_reduce", allreduce: "all_reduce", alltoall: "alltoall", all_to_all: "alltoall" };
/** The source of a program (default: allreduce), and the header every program includes. */
export const sourceOf = (program = "allreduce") => join(ROOT, "bench", "mpi", `${program}.c`);
export const SOURCE = sourceOf("allreduce");
export const HEADER = join(ROOT, "bench", "mpi", "common.h");
export const BUILD_DIR = join(ROOT, "node_modules", ".cache", "webshmem-mpi");
export const DEFAULT_RANKS = 2;

// Flags of `npm run bench` that mean nothing to MPI_Allreduce: refused with a reason rather than
// passed on to fail in C.
const NOT_FOR_MPI = new Set(["--runtime", "--backend", "--algo", "--breakdown", "--experts", "--baselines"]);

export const USAGE = `usage: npm run bench:mpi -- [--op all_reduce|alltoall] [-g ranks] [-b minbytes] [-e maxbytes]
                          [-f stepfactor | -i stepbytes] [-n iters] [-w warmup] [-c 0|1] [-o sum|prod|max|min]
                          [-d float|double|int8|uint8|int32|uint32|int64|uint64] [--json FILE]
Open MPI's MPI_Allreduce (--op alltoall: MPI_Alltoall, nccl-tests' alltoall sizes, no -o) over shared
memory, printed in the nccl-tests table of npm run bench.
-g is the number of MPI ranks (default ${DEFAULT_RANKS}); sizes take K, M, G suffixes.
Needs mpicc and mpirun: ${INSTALL_COMMAND}`;

/**
 * Splits the command line into mpirun's rank count, the program (--op) and the flags for it.
 * Returns { ranks, op, forward, help } (op: "all_reduce" or "alltoall") or throws an Error whose
 * message says what is wrong.
 * @param {string[]} argv
 * @param {string} [cwd] where relative --json paths are resolved (the program runs elsewhere)
 */
export function parseArgs(argv, cwd = process.cwd()) {
  let ranks = DEFAULT_RANKS;
  let op = "all_reduce";
  let help = false;
  const forward = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith("-") ? arg.indexOf("=") : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
      return argv[++i];
    };
    if (flag === "-h" || flag === "--help") {
      help = true;
    } else if (flag === "-g") {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`-g: the rank count must be an integer >= 1, found ${v}`);
      ranks = Number(v);
    } else if (flag === "--op") {
      const v = value();
      op = OP_NAMES[v];
      if (op === undefined) {
        throw new Error(`--op ${v}: bench:mpi measures MPI_Allreduce (--op all_reduce) and MPI_Alltoall (--op alltoall) only`);
      }
    } else if (NOT_FOR_MPI.has(flag)) {
      throw new Error(`${flag} is a flag of npm run bench, not of bench:mpi (which runs MPI_Allreduce under mpirun)`);
    } else if (flag === "--json") {
      const v = value();
      forward.push("--json", isAbsolute(v) ? v : resolve(cwd, v));
    } else if (arg.startsWith("-") && !/^-\d/.test(arg)) {
      forward.push(flag);
      if (inline !== undefined) forward.push(inline);
      else if (i + 1 < argv.length) forward.push(argv[++i]);
    } else {
      throw new Error(`unexpected argument ${arg}`);
    }
  }
  if (op === "alltoall" && forward.includes("-o")) throw new Error("-o: MPI_Alltoall does not reduce; leave -o out");
  return { ranks, op, forward, help };
}

/** The first executable `name` on PATH, or null. */
export function which(name, env = process.env) {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** The message printed when the MPI tools are missing; names the exact install command. */
export function missingMessage(missing) {
  return `npm run bench:mpi: ${missing.join(" and ")} not found on PATH. OpenMPI is optional for webshmem; ` +
    `to measure MPI_Allreduce or MPI_Alltoall beside the benchmark, install it (Debian/Ubuntu, as root):\n  ${INSTALL_COMMAND}`;
}

/** "Open MPI" with its major version, or another implementation, from `mpirun --version`. */
export function parseMpirunVersion(text) {
  const m = /\(Open MPI\)\s+(\d+)\.(\d+)(?:\.(\d+))?/.exec(text) ?? /Open MPI v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (m) return { openmpi: true, major: Number(m[1]), version: m.slice(1).filter((x) => x !== undefined).join(".") };
  return { openmpi: false, major: 0, version: text.split("\n")[0]?.trim() ?? "" };
}

/**
 * mpirun's argument list. Open MPI: shared memory only (btl self + vader, which 5.x renamed sm),
 * oversubscription allowed (more ranks than cores), root allowed. Other implementations get -np.
 */
export function mpirunArgs({ binary, ranks, forward, mpi = { openmpi: true, major: 4 } }) {
  const head = mpi.openmpi
    ? ["--allow-run-as-root", "--oversubscribe", "--mca", "btl", mpi.major >= 5 ? "self,sm" : "self,vader"]
    : [];
  return [...head, "-np", String(ranks), binary, ...forward];
}

/** The environment mpirun runs in: Open MPI refuses root unless both of these are set too. */
export function mpirunEnv(env = process.env) {
  return { ...env, OMPI_ALLOW_RUN_AS_ROOT: "1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: "1" };
}

/** The compiler's command line: `mpicc -O2 -o <binary> <source>` (common.h is found beside the source). */
export function mpiccArgs(binary, source = SOURCE) {
  return ["-O2", "-o", binary, source];
}

/**
 * Builds `program` (allreduce, alltoall) unless an identical build exists (same source and header,
 * same mpicc, same flags). Returns the binary's path; throws with the compiler's output when the build fails.
 */
export function build({
  mpicc, program = "allreduce", buildDir = BUILD_DIR, source = sourceOf(program), log = (s) => process.stderr.write(s),
}) {
  mkdirSync(buildDir, { recursive: true });
  const binary = join(buildDir, program);
  const stamp = join(buildDir, `${program}.stamp`);
  const showme = spawnSync(mpicc, ["--showme"], { encoding: "utf8" });
  const key = createHash("sha256")
    .update(readFileSync(source))
    .update(existsSync(HEADER) ? readFileSync(HEADER) : "")
    .update("\0" + mpicc + "\0" + (showme.stdout ?? "") + "\0" + mpiccArgs("", "").join(" "))
    .digest("hex");
  if (existsSync(binary) && existsSync(stamp) && readFileSync(stamp, "utf8") === key) return binary;
  log(`# building ${binary} (${mpicc} ${mpiccArgs(binary, source).join(" ")})\n`);
  const r = spawnSync(mpicc, mpiccArgs(binary, source), { encoding: "utf8" });
  if (r.status !== 0) {
    throw new Error(`mpicc failed (exit ${r.status ?? r.signal}):\n${r.stdout ?? ""}${r.stderr ?? r.error?.message ?? ""}`);
  }
  writeFileSync(stamp, key);
  return binary;
}

/** The whole command; returns the exit status. `env` and the streams are parameters for tests. */
export function main(argv, { env = process.env, stdout = process.stdout, stderr = process.stderr, cwd = process.cwd() } = {}) {
  let args;
  try {
    args = parseArgs(argv, cwd);
  } catch (e) {
    stderr.write(`npm run bench:mpi: ${e.message}\n${USAGE}\n`);
    return 1;
  }
  if (args.help) {
    stdout.write(`${USAGE}\n`);
    return 0;
  }
  const mpicc = which("mpicc", env);
  const mpirun = which("mpirun", env);
  const missing = [!mpicc && "mpicc", !mpirun && "mpirun"].filter(Boolean);
  if (missing.length > 0) {
    stderr.write(`${missingMessage(missing)}\n`);
    return 1;
  }
  let binary;
  try {
    binary = build({ mpicc, program: PROGRAMS[args.op].name, log: (s) => stderr.write(s) });
  } catch (e) {
    stderr.write(`npm run bench:mpi: ${e.message}\n`);
    return 1;
  }
  const versionText = spawnSync(mpirun, ["--version"], { encoding: "utf8", env: mpirunEnv(env) });
  const mpi = parseMpirunVersion(`${versionText.stdout ?? ""}${versionText.stderr ?? ""}`);
  const runArgs = mpirunArgs({ binary, ranks: args.ranks, forward: args.forward, mpi });
  stderr.write(`# ${mpirun} ${runArgs.join(" ")}\n`);
  const r = spawnSync(mpirun, runArgs, { stdio: ["ignore", "inherit", "inherit"], env: mpirunEnv(env) });
  if (r.error) {
    stderr.write(`npm run bench:mpi: ${r.error.message}\n`);
    return 1;
  }
  return r.status ?? 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}

/*
 * MPI_Alltoall benchmark in the nccl-tests alltoall layout, run beside webshmem's own benchmark
 * (npm run bench:mpi -- --op alltoall builds and runs it; see ../../scripts/bench-mpi.mjs).
 *
 *   mpirun -np N ./alltoall [-b minbytes] [-e maxbytes] [-f stepfactor | -i stepbytes]
 *                           [-n iters] [-w warmup] [-c 0|1]
 *                           [-d float|double|int8|uint8|int32|uint32|int64|uint64] [--json FILE]
 *
 * Sizes as nccl-tests' alltoall (src/alltoall.cu): for a size S, each rank sends count =
 * S / elem / N elements to every rank, count rounded down to a multiple of 16 bytes; the size
 * printed is count * N * elem, the count printed is count (one peer's chunk). For each size it
 * times `-n` calls of MPI_Alltoall after `-w` warm-up calls, out of place and then in place
 * (MPI_IN_PLACE). A rank's time is the mean over its iterations; the time printed is the largest of
 * those means over the ranks. algbw = count * N * elem / t, busbw = algbw * (N-1)/N (nccl-tests'
 * metrics, GB/s = 1e9 bytes/s). With -c 1 (the default) each column is checked afterwards: the
 * inputs are set again, one more MPI_Alltoall runs, and every element of every rank is compared
 * with the value the sender put there (rank r's element i is a small integer of r and i, exact in
 * every dtype); #wrong is the number of wrong elements summed over the ranks.
 *
 * --json FILE (written by rank 0), the schema of npm run bench:
 *   { "meta": { "runtime": "openmpi", "backend": "mpi", "ranks", "adapter": "", "date", "version" },
 *     "rows": [ { "op": "all_to_all", "algo": "mpi", "size", "count", "dtype", "redop": "none", "inplace",
 *                 "time_us", "algbw", "busbw", "wrong" } ],
 *     "baselines": [] }
 */
#include "common.h"

#include <time.h>
#include <unistd.h>

/* Rank r's element i: small integers, exact in every dtype (8-bit ones too). */
static int64_t input_value(int is_unsigned, int r, size_t i) {
  return (int64_t)((i * 7 + (size_t)r * 13) % 101) - (is_unsigned ? 0 : 50);
}

#define DEFINE_TYPE(NAME, CTYPE, UNSIGNED)                                                                   \
  static void fill_##NAME(void *p, size_t n, int rank) {                                                     \
    CTYPE *b = (CTYPE *)p;                                                                                   \
    for (size_t i = 0; i < n; i++) b[i] = (CTYPE)input_value(UNSIGNED, rank, i);                             \
  }                                                                                                          \
  /* Rank `rank` holds chunk `rank` of every rank s's input at chunk s. */                                   \
  static long long check_##NAME(const void *p, size_t count, int rank, int nranks) {                         \
    const CTYPE *b = (const CTYPE *)p;                                                                       \
    long long wrong = 0;                                                                                     \
    for (int s = 0; s < nranks; s++)                                                                         \
      for (size_t k = 0; k < count; k++)                                                                     \
        wrong += b[(size_t)s * count + k] != (CTYPE)input_value(UNSIGNED, s, (size_t)rank * count + k);      \
    return wrong;                                                                                            \
  }

DEFINE_TYPE(int8, int8_t, 0)
DEFINE_TYPE(uint8, uint8_t, 1)
DEFINE_TYPE(int32, int32_t, 0)
DEFINE_TYPE(uint32, uint32_t, 1)
DEFINE_TYPE(int64, int64_t, 0)
DEFINE_TYPE(uint64, uint64_t, 1)
DEFINE_TYPE(float, float, 0)
DEFINE_TYPE(double, double, 0)

static void fill(dtype_t t, void *p, size_t n, int rank) {
  switch (t) {
    case T_INT8: fill_int8(p, n, rank); break;
    case T_UINT8: fill_uint8(p, n, rank); break;
    case T_INT32: fill_int32(p, n, rank); break;
    case T_UINT32: fill_uint32(p, n, rank); break;
    case T_INT64: fill_int64(p, n, rank); break;
    case T_UINT64: fill_uint64(p, n, rank); break;
    case T_FLOAT: fill_float(p, n, rank); break;
    default: fill_double(p, n, rank); break;
  }
}

static long long check(dtype_t t, const void *p, size_t count, int rank, int nranks) {
  switch (t) {
    case T_INT8: return check_int8(p, count, rank, nranks);
    case T_UINT8: return check_uint8(p, count, rank, nranks);
    case T_INT32: return check_int32(p, count, rank, nranks);
    case T_UINT32: return check_uint32(p, count, rank, nranks);
    case T_INT64: return check_int64(p, count, rank, nranks);
    case T_UINT64: return check_uint64(p, count, rank, nranks);
    case T_FLOAT: return check_float(p, count, rank, nranks);
    default: return check_double(p, count, rank, nranks);
  }
}

typedef sweep_t options_t;

static void usage(FILE *f) {
  fprintf(f,
          "usage: mpirun -np N alltoall [-b minbytes] [-e maxbytes] [-f stepfactor | -i stepbytes]\n"
          "                             [-n iters] [-w warmup] [-c 0|1]\n"
          "                             [-d float|double|int8|uint8|int32|uint32|int64|uint64]\n"
          "                             [--json FILE]\n"
          "sizes take K, M, G suffixes (powers of 1024); defaults: -b 8 -e 32M -f 2 -n 20 -w 5 -c 1 -d float\n");
}

/* -o: MPI_Alltoall has no reduce op, so say that rather than "unknown flag". */
static int own_flag(const char *flag, const char *val, void *ctx, char *why, size_t n) {
  (void)val, (void)ctx;
  if (strcmp(flag, "-o")) return 0;
  snprintf(why, n, "-o: MPI_Alltoall does not reduce; leave -o out");
  return -1;
}

/* Returns 0 on success, 1 for --help, -1 (after printing why, on rank 0) for a bad argument. */
static int parse_args(int argc, char **argv, options_t *o, int rank) {
  return parse_sweep_args(argc, argv, "alltoall", rank, o, usage, own_flag, NULL);
}

typedef struct {
  size_t size, count;
  int inplace;
  double time_us, algbw, busbw;
  long long wrong; /* -1: not checked */
} row_t;

/* count: elements per peer, rounded down to 16 bytes (nccl-tests' AlltoAllGetCollByteCount). */
static size_t peer_count(size_t size, size_t elem, int nranks) {
  size_t unit = elem >= 16 ? 1 : 16 / elem;
  return (size / elem / (size_t)nranks) / unit * unit;
}

/* One column (out-of-place or in-place) at one size: warm-up, timed loop, optional check. */
static row_t measure(const options_t *o, void *sendbuf, void *recvbuf, size_t count, int inplace, int rank, int nranks) {
  size_t elem = DTYPES[o->dtype].size, total = count * (size_t)nranks;
  MPI_Datatype dt = mpi_type(o->dtype);
  const void *src = inplace ? MPI_IN_PLACE : sendbuf;
  row_t row = {.size = total * elem, .count = count, .inplace = inplace, .wrong = -1};

  fill(o->dtype, inplace ? recvbuf : sendbuf, total, rank);
  for (int i = 0; i < o->warmup; i++) MPI_Alltoall(src, (int)count, dt, recvbuf, (int)count, dt, MPI_COMM_WORLD);
  MPI_Barrier(MPI_COMM_WORLD);
  double t0 = MPI_Wtime();
  for (int i = 0; i < o->iters; i++) MPI_Alltoall(src, (int)count, dt, recvbuf, (int)count, dt, MPI_COMM_WORLD);
  double local = (MPI_Wtime() - t0) / o->iters, slowest = 0;
  MPI_Reduce(&local, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  MPI_Bcast(&slowest, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);

  row.time_us = slowest * 1e6;
  row.algbw = slowest > 0 ? (double)row.size / slowest / 1e9 : 0;
  row.busbw = row.algbw * (nranks - 1) / nranks;

  if (o->check) {
    fill(o->dtype, inplace ? recvbuf : sendbuf, total, rank);
    if (!inplace) memset(recvbuf, 0xff, total * elem);
    MPI_Alltoall(src, (int)count, dt, recvbuf, (int)count, dt, MPI_COMM_WORLD);
    long long mine = check(o->dtype, recvbuf, count, rank, nranks), sum = 0;
    MPI_Reduce(&mine, &sum, 1, MPI_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Bcast(&sum, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
    row.wrong = sum;
  }
  return row;
}

static void print_columns(const row_t *r) {
  char t[32], wrong[32];
  format_time(t, sizeof t, r->time_us);
  if (r->wrong < 0) snprintf(wrong, sizeof wrong, "%6s", "N/A");
  else snprintf(wrong, sizeof wrong, "%6lld", r->wrong);
  printf("  %7s  %6.2f  %6.2f  %s", t, r->algbw, r->busbw, wrong);
}

static void write_json(const options_t *o, const row_t *rows, size_t nrows, int nranks, const char *version) {
  FILE *f = fopen(o->json, "w");
  if (f == NULL) {
    perror(o->json);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  char date[32];
  time_t now = time(NULL);
  strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  fprintf(f, "{\n  \"meta\": {\"runtime\": \"openmpi\", \"backend\": \"mpi\", \"ranks\": %d, \"adapter\": \"\", \"date\": \"%s\", \"version\": ",
          nranks, date);
  json_string(f, version);
  fprintf(f, "},\n  \"rows\": [");
  for (size_t k = 0; k < nrows; k++) {
    const row_t *r = &rows[k];
    fprintf(f, "%s\n    {\"op\": \"all_to_all\", \"algo\": \"mpi\", \"size\": %zu, \"count\": %zu, \"dtype\": \"%s\", "
               "\"redop\": \"none\", \"inplace\": %s, \"time_us\": %.3f, \"algbw\": %.6g, \"busbw\": %.6g, \"wrong\": ",
            k ? "," : "", r->size, r->count, DTYPES[o->dtype].name, r->inplace ? "true" : "false", r->time_us, r->algbw, r->busbw);
    if (r->wrong < 0) fprintf(f, "null}");
    else fprintf(f, "%lld}", r->wrong);
  }
  fprintf(f, "\n  ],\n  \"baselines\": []\n}\n");
  if (fclose(f) != 0) {
    perror(o->json);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, nranks;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &nranks);

  options_t o;
  int parsed = parse_args(argc, argv, &o, rank);
  if (parsed != 0) {
    if (parsed == 1 && rank == 0) usage(stdout);
    MPI_Finalize();
    return parsed == 1 ? 0 : 1;
  }
  char version[MPI_MAX_LIBRARY_VERSION_STRING];
  library_version(version);

  size_t elem = DTYPES[o.dtype].size;
  size_t max_count = peer_count(o.max_bytes, elem, nranks);
  if (max_count > (size_t)2147483647) {
    if (rank == 0) fprintf(stderr, "alltoall: -e %zu is more than 2^31-1 elements of %s per peer\n", o.max_bytes, DTYPES[o.dtype].name);
    MPI_Finalize();
    return 1;
  }
  size_t max_total = (max_count > 0 ? max_count : 1) * (size_t)nranks;
  void *sendbuf = malloc(max_total * elem), *recvbuf = malloc(max_total * elem);
  if (sendbuf == NULL || recvbuf == NULL) {
    fprintf(stderr, "alltoall: rank %d: cannot allocate 2 x %zu bytes\n", rank, max_total * elem);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  memset(sendbuf, 0, max_total * elem);
  memset(recvbuf, 0, max_total * elem);

  char host[256] = "";
  gethostname(host, sizeof host - 1);
  int pid = (int)getpid();
  int *pids = rank == 0 ? malloc(sizeof(int) * (size_t)nranks) : NULL;
  MPI_Gather(&pid, 1, MPI_INT, pids, 1, MPI_INT, 0, MPI_COMM_WORLD);

  if (rank == 0) {
    if (o.step_factor > 1)
      printf("# MPI_Alltoall  ranks %d  minBytes %zu maxBytes %zu step: %g(factor) warmup iters: %d iters: %d validation: %d\n",
             nranks, o.min_bytes, o.max_bytes, o.step_factor, o.warmup, o.iters, o.check);
    else
      printf("# MPI_Alltoall  ranks %d  minBytes %zu maxBytes %zu step: %zu(bytes) warmup iters: %d iters: %d validation: %d\n",
             nranks, o.min_bytes, o.max_bytes, o.step_bytes, o.warmup, o.iters, o.check);
    printf("#  count: elements each rank sends to each rank (nccl-tests' alltoall); size = count x ranks x elem;\n");
    printf("#  busbw = algbw x (n-1)/n\n");
    printf("#\n# %s\n#\n# Using ranks\n", version);
    for (int r = 0; r < nranks; r++) printf("#  Rank %2d Pid %6d on %10s\n", r, pids[r], host);
    printf("#\n");
    printf("# %10s  %12s  %8s  %6s  %6s           out-of-place                       in-place\n", "", "", "", "", "");
    printf("# %10s  %12s  %8s  %6s  %6s", "size", "count", "type", "redop", "root");
    printf("  %7s  %6s  %6s  %6s", "time", "algbw", "busbw", "#wrong");
    printf("  %7s  %6s  %6s  %6s\n", "time", "algbw", "busbw", "#wrong");
    printf("# %10s  %12s  %8s  %6s  %6s", "(B)", "(elements)", "", "", "");
    printf("  %7s  %6s  %6s  %6s", "(us)", "(GB/s)", "(GB/s)", "");
    printf("  %7s  %6s  %6s\n", "(us)", "(GB/s)", "(GB/s)");
    fflush(stdout);
  }
  free(pids);

  /* As nccl-tests: warm up at the largest size before the first timing, so that connection set-up
   * and first-touch page faults land in no row. */
  if (max_count > 0)
    for (int i = 0; i < o.warmup; i++)
      MPI_Alltoall(sendbuf, (int)max_count, mpi_type(o.dtype), recvbuf, (int)max_count, mpi_type(o.dtype), MPI_COMM_WORLD);

  size_t nrows_cap = 64, nrows = 0;
  row_t *rows = malloc(sizeof(row_t) * nrows_cap);
  long long wrong_total = 0;
  double bw_sum = 0;
  int bw_count = 0;
  size_t last_count = 0;
  for (size_t size = o.min_bytes; size <= o.max_bytes;) {
    size_t count = peer_count(size, elem, nranks);
    if (nrows == 0 || count != last_count) {
      last_count = count;
      row_t out = measure(&o, sendbuf, recvbuf, count, 0, rank, nranks);
      row_t in = measure(&o, sendbuf, recvbuf, count, 1, rank, nranks);
      if (nrows + 2 > nrows_cap) rows = realloc(rows, sizeof(row_t) * (nrows_cap *= 2));
      rows[nrows++] = out;
      rows[nrows++] = in;
      if (out.wrong > 0) wrong_total += out.wrong;
      if (in.wrong > 0) wrong_total += in.wrong;
      bw_sum += out.busbw + in.busbw;
      bw_count += 2;
      if (rank == 0) {
        printf("%12zu  %12zu  %8s  %6s  %6d", out.size, count, DTYPES[o.dtype].name, "none", -1);
        print_columns(&out);
        print_columns(&in);
        printf("\n");
        fflush(stdout);
      }
    }
    size_t next = o.step_factor > 1 ? (size_t)((double)size * o.step_factor) : size + o.step_bytes;
    if (next <= size) next = size + 1;
    size = next;
  }

  if (rank == 0) {
    printf("# Out of bounds values : %lld %s\n", wrong_total, wrong_total ? "FAILED" : "OK");
    printf("# Avg bus bandwidth    : %g \n", bw_count ? bw_sum / bw_count : 0.0);
    printf("#\n");
    fflush(stdout);
    if (o.json != NULL) write_json(&o, rows, nrows, nranks, version);
  }
  free(rows);
  free(sendbuf);
  free(recvbuf);
  MPI_Finalize();
  return wrong_total ? 2 : 0;
}

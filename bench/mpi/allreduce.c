/*
 * MPI_Allreduce benchmark in the nccl-tests format, run beside webshmem's own benchmark
 * (npm run bench:mpi builds and runs it; see ../../scripts/bench-mpi.mjs).
 *
 *   mpirun -np N ./allreduce [-b minbytes] [-e maxbytes] [-f stepfactor | -i stepbytes]
 *                            [-n iters] [-w warmup] [-c 0|1] [-o sum|prod|max|min]
 *                            [-d float|double|int8|uint8|int32|uint32|int64|uint64] [--json FILE]
 *
 * Sizes take K, M, G suffixes (powers of 1024). For each size it times `-n` calls of
 * MPI_Allreduce after `-w` warm-up calls, out of place and then in place (MPI_IN_PLACE). A rank's
 * time is the mean over its iterations; the time printed is the largest of those means over the
 * ranks (MPI_Reduce with MPI_MAX). algbw = S / t, busbw = algbw * 2(n-1)/n (nccl-tests' metrics,
 * GB/s = 1e9 bytes/s). With -c 1 (the default) each column is checked afterwards: the inputs are
 * set again, one more MPI_Allreduce runs, and every element of every rank is compared with the
 * exact expected value (the inputs are small integers, so every dtype and op is exact); #wrong is
 * the number of wrong elements summed over the ranks.
 *
 * --json FILE (written by rank 0):
 *   { "meta": { "runtime": "openmpi", "backend": "mpi", "ranks", "adapter": "", "date", "version" },
 *     "rows": [ { "op": "all_reduce", "algo": "mpi", "size", "count", "dtype", "redop", "inplace",
 *                 "time_us", "algbw", "busbw", "wrong" } ],
 *     "baselines": [] }
 */
#include "common.h"

#include <time.h>
#include <unistd.h>

typedef enum { OP_SUM, OP_PROD, OP_MAX, OP_MIN } redop_t;

static const char *OPNAMES[] = {"sum", "prod", "max", "min"};

static MPI_Op mpi_op(redop_t o) {
  switch (o) {
    case OP_SUM: return MPI_SUM;
    case OP_PROD: return MPI_PROD;
    case OP_MAX: return MPI_MAX;
    default: return MPI_MIN;
  }
}

/* Rank r's input at element i: small integers, exact in every dtype, chosen so that no sum over
 * up to 16 ranks overflows even an 8-bit type (sum: [-7, 7], unsigned [0, 15]; max/min:
 * [-50, 50], unsigned [0, 100]). Overflow is left out on purpose: MPI does not define it, and
 * Open MPI 4.1's op/avx component saturates 8-bit sums where C wraps (open-mpi/ompi#8045,
 * closed wontfix), which -c would count as wrong. prod: ±1 or ±2 (unsigned 1 or 2), never 0, so
 * the timed in-place loop, which multiplies the same buffer again and again, goes to ±inf and not
 * through denormals; products wrap like C's unsigned arithmetic (no saturating multiply exists). */
static int64_t input_value(redop_t op, int is_unsigned, int r, size_t i) {
  switch (op) {
    case OP_SUM:
      return is_unsigned ? (int64_t)((i * 7 + (size_t)r * 13) % 16) : (int64_t)((i * 7 + (size_t)r * 13) % 15) - 7;
    case OP_PROD: {
      int64_t v = ((i + (size_t)r) % 3 == 0) ? 2 : 1;
      return (!is_unsigned && (i * 5 + (size_t)r) % 7 == 0) ? -v : v;
    }
    default:
      return (int64_t)((i * 31 + (size_t)r * 17) % 101) - (is_unsigned ? 0 : 50);
  }
}

/* Integer types accumulate in the unsigned type of the same width (wrap-around, as MPI's own
 * reduction does on two's-complement machines); floats accumulate in their own type. */
#define DEFINE_TYPE(NAME, CTYPE, UTYPE, UNSIGNED)                                                              \
  static void fill_##NAME(void *p, size_t count, redop_t op, int rank) {                                       \
    CTYPE *b = (CTYPE *)p;                                                                                     \
    for (size_t i = 0; i < count; i++) b[i] = (CTYPE)input_value(op, UNSIGNED, rank, i);                       \
  }                                                                                                            \
  static CTYPE expect_##NAME(size_t i, redop_t op, int nranks) {                                               \
    CTYPE acc = (CTYPE)input_value(op, UNSIGNED, 0, i);                                                        \
    for (int r = 1; r < nranks; r++) {                                                                         \
      CTYPE v = (CTYPE)input_value(op, UNSIGNED, r, i);                                                        \
      switch (op) {                                                                                            \
        case OP_SUM: acc = (CTYPE)((UTYPE)acc + (UTYPE)v); break;                                              \
        case OP_PROD: acc = (CTYPE)((UTYPE)acc * (UTYPE)v); break;                                             \
        case OP_MAX: acc = v > acc ? v : acc; break;                                                           \
        default: acc = v < acc ? v : acc; break;                                                               \
      }                                                                                                        \
    }                                                                                                          \
    return acc;                                                                                                \
  }                                                                                                            \
  static long long check_##NAME(const void *p, size_t count, redop_t op, int nranks) {                         \
    const CTYPE *b = (const CTYPE *)p;                                                                         \
    long long wrong = 0;                                                                                       \
    for (size_t i = 0; i < count; i++) wrong += b[i] != expect_##NAME(i, op, nranks);                          \
    return wrong;                                                                                              \
  }

DEFINE_TYPE(int8, int8_t, uint8_t, 0)
DEFINE_TYPE(uint8, uint8_t, uint8_t, 1)
DEFINE_TYPE(int32, int32_t, uint32_t, 0)
DEFINE_TYPE(uint32, uint32_t, uint32_t, 1)
DEFINE_TYPE(int64, int64_t, uint64_t, 0)
DEFINE_TYPE(uint64, uint64_t, uint64_t, 1)
DEFINE_TYPE(float, float, float, 0)
DEFINE_TYPE(double, double, double, 0)

static void fill(dtype_t t, void *p, size_t count, redop_t op, int rank) {
  switch (t) {
    case T_INT8: fill_int8(p, count, op, rank); break;
    case T_UINT8: fill_uint8(p, count, op, rank); break;
    case T_INT32: fill_int32(p, count, op, rank); break;
    case T_UINT32: fill_uint32(p, count, op, rank); break;
    case T_INT64: fill_int64(p, count, op, rank); break;
    case T_UINT64: fill_uint64(p, count, op, rank); break;
    case T_FLOAT: fill_float(p, count, op, rank); break;
    default: fill_double(p, count, op, rank); break;
  }
}

static long long check(dtype_t t, const void *p, size_t count, redop_t op, int nranks) {
  switch (t) {
    case T_INT8: return check_int8(p, count, op, nranks);
    case T_UINT8: return check_uint8(p, count, op, nranks);
    case T_INT32: return check_int32(p, count, op, nranks);
    case T_UINT32: return check_uint32(p, count, op, nranks);
    case T_INT64: return check_int64(p, count, op, nranks);
    case T_UINT64: return check_uint64(p, count, op, nranks);
    case T_FLOAT: return check_float(p, count, op, nranks);
    default: return check_double(p, count, op, nranks);
  }
}

typedef struct {
  sweep_t sweep;
  redop_t op;
} options_t;

static void usage(FILE *f) {
  fprintf(f,
          "usage: mpirun -np N allreduce [-b minbytes] [-e maxbytes] [-f stepfactor | -i stepbytes]\n"
          "                              [-n iters] [-w warmup] [-c 0|1] [-o sum|prod|max|min]\n"
          "                              [-d float|double|int8|uint8|int32|uint32|int64|uint64]\n"
          "                              [--json FILE]\n"
          "sizes take K, M, G suffixes (powers of 1024); defaults: -b 8 -e 32M -f 2 -n 20 -w 5 -c 1\n"
          "-o sum -d float\n");
}

/* -o sum|prod|max|min. */
static int own_flag(const char *flag, const char *val, void *ctx, char *why, size_t n) {
  if (strcmp(flag, "-o")) return 0;
  if (val == NULL) {
    snprintf(why, n, "-o needs a value");
    return -1;
  }
  for (int k = 0; k < 4; k++) {
    if (!strcmp(val, OPNAMES[k])) {
      *(redop_t *)ctx = (redop_t)k;
      return 1;
    }
  }
  snprintf(why, n, "-o: expected sum, prod, max or min, found %s", val);
  return -1;
}

/* Returns 0 on success, 1 for --help, -1 (after printing why, on rank 0) for a bad argument. */
static int parse_args(int argc, char **argv, options_t *o, int rank) {
  o->op = OP_SUM;
  return parse_sweep_args(argc, argv, "allreduce", rank, &o->sweep, usage, own_flag, &o->op);
}

typedef struct {
  size_t size, count;
  int inplace;
  double time_us, algbw, busbw;
  long long wrong; /* -1: not checked */
} row_t;

/* One column (out-of-place or in-place) at one size: warm-up, timed loop, optional check. */
static row_t measure(const options_t *o, void *sendbuf, void *recvbuf, size_t count, int inplace, int rank,
                     int nranks) {
  size_t elem = DTYPES[o->sweep.dtype].size;
  MPI_Datatype dt = mpi_type(o->sweep.dtype);
  MPI_Op op = mpi_op(o->op);
  const void *src = inplace ? MPI_IN_PLACE : sendbuf;
  row_t row = {.size = count * elem, .count = count, .inplace = inplace, .wrong = -1};

  fill(o->sweep.dtype, inplace ? recvbuf : sendbuf, count, o->op, rank);
  for (int i = 0; i < o->sweep.warmup; i++) MPI_Allreduce(src, recvbuf, (int)count, dt, op, MPI_COMM_WORLD);
  MPI_Barrier(MPI_COMM_WORLD);
  double t0 = MPI_Wtime();
  for (int i = 0; i < o->sweep.iters; i++) MPI_Allreduce(src, recvbuf, (int)count, dt, op, MPI_COMM_WORLD);
  double local = (MPI_Wtime() - t0) / o->sweep.iters, slowest = 0;
  MPI_Reduce(&local, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  MPI_Bcast(&slowest, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);

  row.time_us = slowest * 1e6;
  row.algbw = slowest > 0 ? (double)row.size / slowest / 1e9 : 0;
  row.busbw = row.algbw * 2.0 * (nranks - 1) / nranks;

  if (o->sweep.check) {
    fill(o->sweep.dtype, inplace ? recvbuf : sendbuf, count, o->op, rank);
    if (!inplace) memset(recvbuf, 0, count * elem);
    MPI_Allreduce(src, recvbuf, (int)count, dt, op, MPI_COMM_WORLD);
    long long mine = check(o->sweep.dtype, recvbuf, count, o->op, nranks), total = 0;
    MPI_Reduce(&mine, &total, 1, MPI_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Bcast(&total, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
    row.wrong = total;
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

  size_t elem = DTYPES[o.sweep.dtype].size;
  size_t max_count = o.sweep.max_bytes / elem > 0 ? o.sweep.max_bytes / elem : 1;
  if (max_count > (size_t)2147483647) {
    if (rank == 0) fprintf(stderr, "allreduce: -e %zu is more than 2^31-1 elements of %s\n", o.sweep.max_bytes, DTYPES[o.sweep.dtype].name);
    MPI_Finalize();
    return 1;
  }
  void *sendbuf = malloc(max_count * elem), *recvbuf = malloc(max_count * elem);
  if (sendbuf == NULL || recvbuf == NULL) {
    fprintf(stderr, "allreduce: rank %d: cannot allocate 2 x %zu bytes\n", rank, max_count * elem);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  memset(sendbuf, 0, max_count * elem);
  memset(recvbuf, 0, max_count * elem);

  char host[256] = "";
  gethostname(host, sizeof host - 1);
  int pid = (int)getpid();
  int *pids = rank == 0 ? malloc(sizeof(int) * (size_t)nranks) : NULL;
  MPI_Gather(&pid, 1, MPI_INT, pids, 1, MPI_INT, 0, MPI_COMM_WORLD);

  if (rank == 0) {
    if (o.sweep.step_factor > 1)
      printf("# MPI_Allreduce  ranks %d  minBytes %zu maxBytes %zu step: %g(factor) warmup iters: %d iters: %d validation: %d\n",
             nranks, o.sweep.min_bytes, o.sweep.max_bytes, o.sweep.step_factor, o.sweep.warmup, o.sweep.iters, o.sweep.check);
    else
      printf("# MPI_Allreduce  ranks %d  minBytes %zu maxBytes %zu step: %zu(bytes) warmup iters: %d iters: %d validation: %d\n",
             nranks, o.sweep.min_bytes, o.sweep.max_bytes, o.sweep.step_bytes, o.sweep.warmup, o.sweep.iters, o.sweep.check);
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

  /* Like nccl-tests: warm up at the largest and at the smallest size before the first timing, so
   * that connection set-up and first-touch page faults land in no row. */
  {
    size_t min_count = o.sweep.min_bytes / elem > 0 ? o.sweep.min_bytes / elem : 1;
    for (int i = 0; i < o.sweep.warmup; i++)
      MPI_Allreduce(sendbuf, recvbuf, (int)max_count, mpi_type(o.sweep.dtype), mpi_op(o.op), MPI_COMM_WORLD);
    for (int i = 0; i < o.sweep.warmup; i++)
      MPI_Allreduce(sendbuf, recvbuf, (int)min_count, mpi_type(o.sweep.dtype), mpi_op(o.op), MPI_COMM_WORLD);
  }

  size_t nrows_cap = 64, nrows = 0;
  row_t *rows = malloc(sizeof(row_t) * nrows_cap);
  long long wrong_total = 0;
  double bw_sum = 0;
  int bw_count = 0;
  size_t last_count = 0;
  for (size_t size = o.sweep.min_bytes; size <= o.sweep.max_bytes;) {
    size_t count = size / elem > 0 ? size / elem : 1;
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
        printf("%12zu  %12zu  %8s  %6s  %6d", out.size, count, DTYPES[o.sweep.dtype].name, OPNAMES[o.op], -1);
        print_columns(&out);
        print_columns(&in);
        printf("\n");
        fflush(stdout);
      }
    }
    size_t next = o.sweep.step_factor > 1 ? (size_t)((double)size * o.sweep.step_factor) : size + o.sweep.step_bytes;
    if (next <= size) next = size + 1;
    size = next;
  }

  if (rank == 0) {
    printf("# Out of bounds values : %lld %s\n", wrong_total, wrong_total ? "FAILED" : "OK");
    printf("# Avg bus bandwidth    : %g \n", bw_count ? bw_sum / bw_count : 0.0);
    printf("#\n");
    fflush(stdout);
    if (o.sweep.json != NULL) {
      FILE *f = fopen(o.sweep.json, "w");
      if (f == NULL) {
        perror(o.sweep.json);
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
        fprintf(f, "%s\n    {\"op\": \"all_reduce\", \"algo\": \"mpi\", \"size\": %zu, \"count\": %zu, \"dtype\": \"%s\", "
                   "\"redop\": \"%s\", \"inplace\": %s, \"time_us\": %.3f, \"algbw\": %.6g, \"busbw\": %.6g, \"wrong\": ",
                k ? "," : "", r->size, r->count, DTYPES[o.sweep.dtype].name, OPNAMES[o.op], r->inplace ? "true" : "false",
                r->time_us, r->algbw, r->busbw);
        if (r->wrong < 0) fprintf(f, "null}");
        else fprintf(f, "%lld}", r->wrong);
      }
      fprintf(f, "\n  ],\n  \"baselines\": []\n}\n");
      if (fclose(f) != 0) {
        perror(o.sweep.json);
        MPI_Abort(MPI_COMM_WORLD, 1);
      }
    }
  }
  free(rows);
  free(sendbuf);
  free(recvbuf);
  MPI_Finalize();
  return wrong_total ? 2 : 0;
}

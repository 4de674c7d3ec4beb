/*
 * What the MPI benchmarks (allreduce.c, alltoall.c) share: the dtypes, size and integer parsing,
 * nccl-tests' time format, JSON strings, the library's version line, and the sweep flags.
 * Header-only (static functions): each program is one translation unit, built by
 * `mpicc -O2 -o <binary> <source>` (scripts/bench-mpi.mjs).
 */
#ifndef WEBSHMEM_MPI_COMMON_H
#define WEBSHMEM_MPI_COMMON_H

#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { T_INT8, T_UINT8, T_INT32, T_UINT32, T_INT64, T_UINT64, T_FLOAT, T_DOUBLE } dtype_t;

static const struct {
  const char *name;
  const char *alias1;
  const char *alias2;
  size_t size;
} DTYPES[] = {
  [T_INT8] = {"int8", "i8", "char", 1},
  [T_UINT8] = {"uint8", "u8", "uchar", 1},
  [T_INT32] = {"int32", "i32", "int", 4},
  [T_UINT32] = {"uint32", "u32", "uint", 4},
  [T_INT64] = {"int64", "i64", "long", 8},
  [T_UINT64] = {"uint64", "u64", "ulong", 8},
  [T_FLOAT] = {"float", "f32", "float32", 4},
  [T_DOUBLE] = {"double", "f64", "float64", 8},
};

static MPI_Datatype mpi_type(dtype_t t) {
  switch (t) {
    case T_INT8: return MPI_INT8_T;
    case T_UINT8: return MPI_UINT8_T;
    case T_INT32: return MPI_INT32_T;
    case T_UINT32: return MPI_UINT32_T;
    case T_INT64: return MPI_INT64_T;
    case T_UINT64: return MPI_UINT64_T;
    case T_FLOAT: return MPI_FLOAT;
    default: return MPI_DOUBLE;
  }
}

/* The dtype named `s` (its name or an alias); 0 when there is none. */
static int parse_dtype(const char *s, dtype_t *out) {
  for (size_t k = 0; k < sizeof DTYPES / sizeof DTYPES[0]; k++) {
    if (!strcmp(s, DTYPES[k].name) || !strcmp(s, DTYPES[k].alias1) || !strcmp(s, DTYPES[k].alias2)) {
      *out = (dtype_t)k;
      return 1;
    }
  }
  return 0;
}

/* "64M" -> 67108864; K, M, G are powers of 1024; an optional trailing B (or iB) is accepted. */
static int parse_size(const char *s, size_t *out) {
  char *end;
  double v = strtod(s, &end);
  if (end == s || v < 0) return 0;
  double mul = 1;
  switch (*end) {
    case 'k': case 'K': mul = 1024.0; end++; break;
    case 'm': case 'M': mul = 1024.0 * 1024; end++; break;
    case 'g': case 'G': mul = 1024.0 * 1024 * 1024; end++; break;
    default: break;
  }
  if (*end == 'i' && mul > 1) end++;
  if (*end == 'B' || *end == 'b') end++;
  if (*end != '\0') return 0;
  *out = (size_t)(v * mul);
  return 1;
}

static int parse_int(const char *s, int *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (end == s || *end != '\0' || v < 0 || v > 1000000000L) return 0;
  *out = (int)v;
  return 1;
}

/* nccl-tests' time column: %7.2f below 100 us, %7.1f below 10 ms, %7.0f above. */
static void format_time(char *out, size_t n, double us) {
  if (us >= 10000.0) snprintf(out, n, "%7.0f", us);
  else if (us >= 100.0) snprintf(out, n, "%7.1f", us);
  else snprintf(out, n, "%7.2f", us);
}

static void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c == '\n') fputs("\\n", f);
    else if (c == '\t') fputs("\\t", f);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

/* The MPI library's version, its first line, trailing blanks cut. */
static void library_version(char *version) {
  int vlen = 0;
  MPI_Get_library_version(version, &vlen);
  version[vlen < MPI_MAX_LIBRARY_VERSION_STRING ? vlen : MPI_MAX_LIBRARY_VERSION_STRING - 1] = '\0';
  char *nl = strchr(version, '\n');
  if (nl) *nl = '\0';
  for (int k = (int)strlen(version) - 1; k >= 0 && (version[k] == ' ' || version[k] == '\r'); k--) version[k] = '\0';
}

/* The sweep flags both programs take (nccl-tests' names), and what they set. */
typedef struct {
  size_t min_bytes, max_bytes, step_bytes;
  double step_factor;
  int iters, warmup, check;
  dtype_t dtype;
  const char *json;
} sweep_t;

/*
 * A program's own flag: returns 1 when it took `flag` (`val` is its value, NULL when argv ended),
 * 0 when it does not know it, -1 after writing why into `why` (`n` bytes).
 */
typedef int (*own_flag_fn)(const char *flag, const char *val, void *ctx, char *why, size_t n);

/*
 * Parses argv into *o (defaults: -b 8 -e 32M -f 2 -n 20 -w 5 -c 1 -d float) and the program's own
 * flags through `own`. Returns 0 on success, 1 for --help, -1 (after printing why and the usage,
 * on rank 0) for a bad argument. Flags come as `-x value` or `-x=value`.
 */
static int parse_sweep_args(int argc, char **argv, const char *prog, int rank, sweep_t *o, void (*usage)(FILE *),
                            own_flag_fn own, void *ctx) {
  *o = (sweep_t){.min_bytes = 8, .max_bytes = 32u << 20, .step_bytes = 0, .step_factor = 2, .iters = 20,
                 .warmup = 5, .check = 1, .dtype = T_FLOAT, .json = NULL};
  char why[256];
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) return 1;
    const char *val = NULL;
    char flag[32];
    const char *eq = strchr(a, '=');
    if (eq != NULL && a[0] == '-' && (size_t)(eq - a) < sizeof flag) {
      memcpy(flag, a, (size_t)(eq - a));
      flag[eq - a] = '\0';
      val = eq + 1;
    } else {
      snprintf(flag, sizeof flag, "%s", a);
      if (i + 1 < argc) val = argv[++i];
    }
    why[0] = '\0';
#define BAD(...) \
  do { snprintf(why, sizeof why, __VA_ARGS__); goto bad; } while (0)
    int taken = own == NULL ? 0 : own(flag, val, ctx, why, sizeof why);
    if (taken < 0) goto bad;
    if (taken) continue;
    if (strcmp(flag, "-b") && strcmp(flag, "-e") && strcmp(flag, "-f") && strcmp(flag, "-i") && strcmp(flag, "-n") &&
        strcmp(flag, "-w") && strcmp(flag, "-c") && strcmp(flag, "-d") && strcmp(flag, "--json") && strcmp(flag, "-g"))
      BAD("unknown flag %s", flag);
    if (val == NULL) BAD("%s needs a value", flag);
    if (!strcmp(flag, "-b")) {
      if (!parse_size(val, &o->min_bytes)) BAD("-b: not a size: %s", val);
    } else if (!strcmp(flag, "-e")) {
      if (!parse_size(val, &o->max_bytes)) BAD("-e: not a size: %s", val);
    } else if (!strcmp(flag, "-i")) {
      if (!parse_size(val, &o->step_bytes) || o->step_bytes == 0) BAD("-i: not a size > 0: %s", val);
      o->step_factor = 0;
    } else if (!strcmp(flag, "-f")) {
      char *end;
      o->step_factor = strtod(val, &end);
      if (end == val || *end != '\0' || !(o->step_factor > 1)) BAD("-f: the step factor must be > 1, found %s", val);
      o->step_bytes = 0;
    } else if (!strcmp(flag, "-n")) {
      if (!parse_int(val, &o->iters) || o->iters < 1) BAD("-n: iterations must be an integer >= 1, found %s", val);
    } else if (!strcmp(flag, "-w")) {
      if (!parse_int(val, &o->warmup)) BAD("-w: warm-up iterations must be an integer >= 0, found %s", val);
    } else if (!strcmp(flag, "-c")) {
      if (!parse_int(val, &o->check) || o->check > 1) BAD("-c: expected 0 or 1, found %s", val);
    } else if (!strcmp(flag, "-d")) {
      if (!parse_dtype(val, &o->dtype)) BAD("-d: expected float, double, int8, uint8, int32, uint32, int64 or uint64, found %s", val);
    } else if (!strcmp(flag, "--json")) {
      o->json = val;
    } else if (!strcmp(flag, "-g")) {
      int g; /* the rank count is mpirun's -np; -g is accepted so that flag lines can be shared */
      if (!parse_int(val, &g)) BAD("-g: expected a rank count, found %s", val);
    }
#undef BAD
  }
  if (o->max_bytes < o->min_bytes) {
    if (rank == 0) fprintf(stderr, "%s: -e (%zu) is below -b (%zu)\n", prog, o->max_bytes, o->min_bytes);
    return -1;
  }
  return 0;
bad:
  if (rank == 0) {
    fprintf(stderr, "%s: %s\n", prog, why);
    usage(stderr);
  }
  return -1;
}

#endif

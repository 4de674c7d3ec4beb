/*
 * What the MPI benchmarks (allreduce.c, alltoall.c) share: the dtypes, size and integer parsing,
 * nccl-tests' time format, JSON strings, and the library's version line.
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

#endif

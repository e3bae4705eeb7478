//===- nnrt.h - the nnc runtime's public C ABI --------------------*- C -*-===//
//
// libnnrt: host tensors, memref descriptors, data loaders (IDX, CSV, npy),
// safetensors, deterministic parameter init, the training loop and the CLI
// of the executables that nnc makes. Every fallible call returns an
// nnrt_status: NULL on success, otherwise an object holding one message that
// names the file and the problem (free it with nnrt_status_free).
//
//===----------------------------------------------------------------------===//

#ifndef NNRT_NNRT_H
#define NNRT_NNRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

//===----------------------------------------------------------------------===//
// Status
//===----------------------------------------------------------------------===//

typedef struct nnrt_status_s *nnrt_status; // NULL means success

nnrt_status nnrt_status_make(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
const char *nnrt_status_message(nnrt_status status);
void nnrt_status_free(nnrt_status status);

//===----------------------------------------------------------------------===//
// Tensors: contiguous, C-ordered host buffers owned through malloc/free
//===----------------------------------------------------------------------===//

typedef enum nnrt_dtype {
  NNRT_F32,
  NNRT_F64,
  NNRT_I32,
  NNRT_I64,
  NNRT_U8,
} nnrt_dtype;

#define NNRT_MAX_RANK 8

typedef struct nnrt_tensor {
  nnrt_dtype dtype;
  int32_t rank;
  int64_t shape[NNRT_MAX_RANK];
  void *data;       // first element
  void *allocation; // what free() takes; may differ from data
} nnrt_tensor;

size_t nnrt_dtype_size(nnrt_dtype dtype);
const char *nnrt_dtype_name(nnrt_dtype dtype); // "f32", "u8", ...
int64_t nnrt_tensor_numel(const nnrt_tensor *tensor);
// Zero-filled allocation; fails (no abort) on overflow or out of memory.
nnrt_status nnrt_tensor_alloc(nnrt_dtype dtype, int32_t rank,
                              const int64_t *shape, nnrt_tensor *out_tensor);
void nnrt_tensor_free(nnrt_tensor *tensor);

// MLIR strided memref descriptor, {T *allocated; T *aligned; int64_t offset;
// int64_t sizes[R]; int64_t strides[R];}: 3 + 2R 64-bit words.
size_t nnrt_memref_words(int32_t rank);
// Describes `tensor` (contiguous, offset 0) in `out_words`.
void nnrt_memref_describe(const nnrt_tensor *tensor, int64_t *out_words);

//===----------------------------------------------------------------------===//
// Files
//===----------------------------------------------------------------------===//

// IDX (MNIST), gzip-compressed or not: u8, i32, f32 or f64 elements.
nnrt_status nnrt_idx_read(const char *path, nnrt_tensor *out_tensor);

// NumPy .npy (versions 1, 2, 3; little-endian, C order): f32, f64, u8, i32,
// i64. The writer writes f32 (any dtype is written as stored), atomically.
nnrt_status nnrt_npy_read(const char *path, nnrt_tensor *out_tensor);
nnrt_status nnrt_npy_write(const char *path, const nnrt_tensor *tensor);

typedef enum nnrt_csv_header {
  NNRT_CSV_HEADER_AUTO,
  NNRT_CSV_HEADER_TRUE,
  NNRT_CSV_HEADER_FALSE,
} nnrt_csv_header;

// Numeric CSV, gzip-compressed or not. Returns the features (every column but
// `label`, f32 [N, K-1]) and the label column (f64 [N]). A negative `label`
// counts from the end.
nnrt_status nnrt_csv_read(const char *path, int64_t label,
                          nnrt_csv_header header, nnrt_tensor *out_features,
                          nnrt_tensor *out_labels);

// safetensors: a set of named tensors plus string metadata.
typedef struct nnrt_safetensors_s *nnrt_safetensors;

nnrt_status nnrt_safetensors_read(const char *path, nnrt_safetensors *out_file);
size_t nnrt_safetensors_count(nnrt_safetensors file);
const char *nnrt_safetensors_name(nnrt_safetensors file, size_t index);
// The tensor stays owned by `file`; NULL when absent.
const nnrt_tensor *nnrt_safetensors_find(nnrt_safetensors file,
                                         const char *name);
// The dtype as the file spells it ("F32", "F16", ...); NULL when absent.
// Tensors of dtypes other than F32, F64, I32, I64, U8 are listed with their
// shape but have no data.
const char *nnrt_safetensors_dtype(nnrt_safetensors file, const char *name);
// NULL when absent.
const char *nnrt_safetensors_metadata(nnrt_safetensors file, const char *key);
void nnrt_safetensors_free(nnrt_safetensors file);

// Writes atomically: a temporary file in the same directory, fsync, rename.
nnrt_status nnrt_safetensors_write(const char *path, size_t count,
                                   const char *const *names,
                                   const nnrt_tensor *const *tensors,
                                   size_t metadata_count,
                                   const char *const *metadata_keys,
                                   const char *const *metadata_values);

//===----------------------------------------------------------------------===//
// Parameter initialization (docs/design.md, "Parameter initialization")
//===----------------------------------------------------------------------===//

// `spec` is the manifest's initializer fields, e.g. "glorot_uniform
// fan_in=784 fan_out=256" (fields separated by tabs or spaces). Fills the f32
// tensor from the stream seeded by (seed, name).
nnrt_status nnrt_init_fill(const char *name, const char *spec, uint64_t seed,
                           nnrt_tensor *tensor);

//===----------------------------------------------------------------------===//
// Threads and devices
//===----------------------------------------------------------------------===//

// The number of worker threads the runtime and generated code may use.
void nnrt_threads_set(int count);
int nnrt_threads_get(void);
// The CPUs this process may run on: the default thread count.
int nnrt_threads_default(void);

//===----------------------------------------------------------------------===//
// The executable's entry point
//===----------------------------------------------------------------------===//

typedef void (*nnrt_entry_fn)(void **args);

// What the object that nnc emits defines (docs/design.md, "Runtime ABI").
typedef struct nnrt_model {
  const char *manifest;
  nnrt_entry_fn forward;
  nnrt_entry_fn train_step; // NULL without a train block
  nnrt_entry_fn gradients;  // NULL without a train block
  // NULL without a train block (or from an nnc older than data-parallel
  // training): the optimizer update alone, for MPI runs.
  nnrt_entry_fn apply_gradients;
  // A float64 copy of gradients for gradcheck; NULL where nnc made none.
  nnrt_entry_fn gradients_f64;
  // NULL without a train block (or from an older nnc): the update of a flat
  // run of one parameter's elements, for MPI ranks that each update a slice.
  nnrt_entry_fn apply_gradients_slice;
} nnrt_model;

// Runs the CLI of docs/runtime.md; returns the process exit code.
int nnrt_cli_main(const nnrt_model *model, int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif // NNRT_NNRT_H
